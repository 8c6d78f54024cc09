"""One place that opens the warehouse, so every command gets the same limits and SQL macros."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from hqd.config import Settings, settings
from hqd.warehouse import migrate
from hqd.warehouse.macros import register_macros
from hqd.warehouse.secret import SecretMissing, check_secret


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
    if not read_only:
        protect(cfg, cfg.db_path, Path(f"{cfg.db_path}.wal"))
    con.execute(f"SET memory_limit = '{cfg.memory_limit}'")
    con.execute("SET preserve_insertion_order = true")
    if cfg.threads:
        con.execute(f"SET threads = {int(cfg.threads)}")
    register_macros(con)
    return con


def protect(cfg: Settings, *paths: Path) -> None:
    """Give the warehouse and its WAL the configured mode (0600, or 0640 and the group), whatever mode an
    older hqd or a copy left them with; files of another owner are left as they are."""
    gid = None
    if cfg.file_group:
        import grp

        try:
            gid = grp.getgrnam(cfg.file_group).gr_gid
        except KeyError:
            raise WarehouseNotInitialised(
                f"HQD_FILE_GROUP 指定的组 {cfg.file_group} 不存在 / the group {cfg.file_group} of "
                "HQD_FILE_GROUP does not exist"
            ) from None
    for path in paths:
        try:
            if not path.exists() or path.stat().st_uid != os.getuid():
                continue
            if gid is not None:
                os.chown(path, -1, gid)
            os.chmod(path, cfg.file_mode)
        except PermissionError:
            continue


def open_initialised(cfg: Settings | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse that must already be at the latest schema version."""
    cfg = cfg or settings()
    if not cfg.db_path.exists():
        raise WarehouseNotInitialised(
            f"仓库文件不存在：{cfg.db_path}，请先运行 hqd init。 / "
            f"The warehouse {cfg.db_path} does not exist; run `hqd init` first."
        )
    con = connect(cfg, read_only=read_only)
    try:
        check_secret(con, cfg.secret_path)
    except SecretMissing as exc:
        con.close()
        raise WarehouseNotInitialised(str(exc)) from None
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
