"""One place that opens the warehouse, so every command gets the same limits and SQL macros."""

from __future__ import annotations

import duckdb

from hqd.config import Settings, settings
from hqd.warehouse import migrate
from hqd.warehouse.macros import register_macros


class WarehouseNotInitialised(RuntimeError):
    """The warehouse cannot be used as it is: not created yet, too old, or held by another process."""


def connect(cfg: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    cfg = cfg or settings()
    try:
        con = duckdb.connect(str(cfg.db_path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        raise WarehouseNotInitialised(
            f"仓库 {cfg.db_path} 正被另一个进程使用，请稍后再试 / the warehouse {cfg.db_path} is in use by another "
            "process (a load or compute still running); try again when it has finished"
        ) from None
    con.execute(f"SET memory_limit = '{cfg.memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    if cfg.threads:
        con.execute(f"SET threads = {int(cfg.threads)}")
    register_macros(con)
    return con


def open_initialised(cfg: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse that must already be at the latest schema version."""
    cfg = cfg or settings()
    if not cfg.db_path.exists():
        raise WarehouseNotInitialised(
            f"仓库文件不存在：{cfg.db_path}，请先运行 hqd init。 / "
            f"The warehouse {cfg.db_path} does not exist; run `hqd init` first."
        )
    con = connect(cfg, read_only=read_only)
    latest = migrate.available()[-1].version
    have = migrate.current_version(con) if _has_migrations_table(con) else 0
    if have < latest:
        con.close()
        raise WarehouseNotInitialised(
            f"仓库 {cfg.db_path} 的结构版本为 {have}，需要 {latest}，请运行 hqd init 升级。 / "
            f"The warehouse {cfg.db_path} is at schema version {have}, {latest} is needed; run `hqd init`."
        )
    return con


def _has_migrations_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'").fetchone()[
            0
        ]
    )
