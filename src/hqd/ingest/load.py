"""Loading one file: read, parse, check, decide and write, all in one transaction.

A crash (even kill -9) before COMMIT leaves the warehouse as it was: DuckDB discards an uncommitted
transaction on the next open. A file that cannot be read at all is rejected with one sentence and the
rejection is logged; a dry run takes the same path and rolls back.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb

from hqd.catalog import catalog_version
from hqd.ingest import apply, quarantine, write_scope
from hqd.ingest.elements import element_lookup
from hqd.ingest.errors import FileRejected
from hqd.ingest.parse import Context, compile_source
from hqd.ingest.readers import ReadContext, ReadResult, read
from hqd.ingest.source import rows_of
from hqd.ingest.spec import KindSpec, load_kind
from hqd.ingest.summary import Summary
from hqd.ingest.timing import stage
from hqd.ingest.write_scope import WriteScope
from hqd.warehouse.bulk import insert_rows
from hqd.warehouse.crashpoint import pause_before_commit


class Progress(Protocol):
    """What a progress display offers the loader: bytes read, and the stage now running."""

    def advance(self, n: int) -> None: ...

    def stage(self, name: str) -> None: ...


class AccountingError(RuntimeError):
    """The counts of a load do not add up: a defect in hqd, never a user error."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_file(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    path: Path,
    *,
    secret: bytes,
    dry_run: bool = False,
    user: str | None = None,
    progress: Progress | None = None,
    scope: WriteScope | None = None,
) -> Summary:
    """Load one file of a kind. `scope` is the caller's write scope (None: unrestricted — the operator's
    command line and admins); rows outside it are quarantined, and a kind without an owner is refused."""
    spec = load_kind(kind)
    summary = Summary(file=path.name, kind=kind, dry_run=dry_run)
    started = datetime.now()
    if not path.is_file():
        summary.status = "rejected"
        summary.message = f"文件 {path} 不存在 / file {path} does not exist"
        return _log_rejection(con, spec, path, summary, started, user, sha=None)
    sha = file_sha256(path)
    in_transaction = False
    try:
        if scope is not None and write_scope.admins_only(spec):
            raise FileRejected(
                f"只有管理员可以导入{spec.title_zh}（{kind}）", f"only administrators may load {kind}"
            )
        with tempfile.TemporaryDirectory(prefix="hqd-load-") as workdir:
            # Staging the cells is not part of the warehouse: it happens before the transaction.
            with stage("read", progress and progress.stage):
                result = read(ReadContext(con, spec, path, Path(workdir), progress and progress.advance))
            con.execute("BEGIN TRANSACTION")
            in_transaction = True
            _load(con, spec, path, sha, summary, result, secret, started, user, progress, scope)
        pause_before_commit()  # test hook: a crash test kills the load here
        with stage("commit"):
            con.execute("ROLLBACK" if dry_run else "COMMIT")
        in_transaction = False
    except FileRejected as rejected:
        if in_transaction:
            con.execute("ROLLBACK")
        summary.status = "rejected"
        summary.message = rejected.message
        summary.read = summary.new = summary.updated = summary.unchanged = 0
        summary.quarantined = summary.duplicate = 0
        summary.reasons = []
        return _log_rejection(con, spec, path, summary, started, user, sha)
    except BaseException:
        if in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        _drop_temp(con)
    if dry_run:
        summary.import_id = None
    return summary


def _load(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    path: Path,
    sha: str,
    summary: Summary,
    result: ReadResult,
    secret: bytes,
    started: datetime,
    user: str | None,
    progress: Progress | None = None,
    scope: WriteScope | None = None,
) -> None:
    notify = progress.stage if progress else None
    summary.encoding, summary.file_type = result.encoding, result.file_type
    summary.sheets = [
        {"sheet": p.sheet, "header_row": p.header_row, "layout": p.header_map.layout} for p in result.parts
    ] + [{**s, "skipped": True} for s in result.skipped_sheets]
    summary.extra_columns = sorted({c for p in result.parts for c in p.header_map.extra})
    summary.blank_rows = sum(p.blank_rows for p in result.parts)
    quarantine.create_rules_table(con)
    if spec.layout == "values":
        _element_table(con)
    types = {spec.table: apply.column_types(con, spec.table)}
    types |= {rep.table: apply.column_types(con, rep.table) for rep in spec.repeats}
    ctx = Context(types, secret)
    for part in result.parts:
        sql = compile_source(spec, rows_of(spec, part), ctx)
        with stage(f"parse part {part.index}", notify):
            if part.index == 0:
                con.execute(f"CREATE TEMP TABLE parsed AS {sql}")
            else:
                con.execute(f"INSERT INTO parsed BY NAME {sql}")
    summary.read = con.execute("SELECT count(*) FROM parsed").fetchone()[0]
    out_of_scope = 0
    if scope is not None:
        with stage("scope", notify):
            out_of_scope = write_scope.mark_out_of_scope(con, spec, scope)
    with stage("classify", notify):
        outcome = apply.classify(con, spec, multi_part=len(result.parts) > 1)
    import_id = con.execute("SELECT nextval('import_id_seq')").fetchone()[0]
    summary.import_id = import_id
    columns = apply.stored_columns(con, spec.table)
    with stage("write", notify):
        apply.write(con, spec, import_id, columns)
    summary.new, summary.updated, summary.unchanged = outcome.new, outcome.updated, outcome.unchanged
    summary.duplicate = outcome.duplicate
    summary.quarantined = quarantine.quarantined_rows(con)
    if not summary.adds_up:
        raise AccountingError(f"{path.name}: {summary.as_json()}")
    # A file whose rows were partly out of the caller's scope has reasons of its own to keep.
    unchanged = outcome.new == outcome.updated == out_of_scope == 0
    same_as = _identical_earlier_import(con, spec, sha) if unchanged else None
    summary.same_as = same_as
    if same_as is None:
        key_label = "+".join(spec.header_of(k) for k in spec.key)
        quarantine.store_issues(con, import_id, path.name, key_label)
        con.execute(f"""
            INSERT INTO import_duplicates
            SELECT {import_id}, _sheet, _row, first_row FROM ranked WHERE rn > 1 ORDER BY _part, _row
        """)
    summary.message = _message(summary)
    _insert_import(con, spec, path, sha, summary, started, user)
    summary.reasons = quarantine.reasons(con, same_as or import_id)


def _identical_earlier_import(con: duckdb.DuckDBPyConnection, spec: KindSpec, sha: str) -> int | None:
    row = con.execute(
        "SELECT min(import_id) FROM imports WHERE kind = ? AND sha256 = ? AND status = 'accepted'",
        [spec.kind, sha],
    ).fetchone()
    return row[0] if row else None


def _message(s: Summary) -> str:
    if s.same_as is not None:
        return (
            f"与第 {s.same_as} 次导入的文件完全相同，仓库未作任何更改 / "
            f"identical to import {s.same_as}; the warehouse is unchanged"
        )
    if s.new == s.updated == 0:
        zh, en = "没有新增或变更的记录，仓库未作更改", "no new or changed records; the warehouse is unchanged"
    else:
        zh = f"已导入：新增 {s.new} 行，更新 {s.updated} 行"
        en = f"loaded: {s.new} new, {s.updated} updated"
    if s.quarantined:
        zh += f"；{s.quarantined} 行被隔离，请用 hqd quarantine --import {s.import_id} 导出后更正重报"
        en += f"; {s.quarantined} row(s) quarantined, export them with hqd quarantine --import {s.import_id}"
    return f"{zh} / {en}"


def _insert_import(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    path: Path,
    sha: str | None,
    s: Summary,
    started: datetime,
    user: str | None,
) -> None:
    if s.import_id is None:
        s.import_id = con.execute("SELECT nextval('import_id_seq')").fetchone()[0]
    con.execute(
        """INSERT INTO imports (import_id, kind, file_name, file_path, sha256, size_bytes, file_type, encoding,
               sheets, extra_columns, started_at, finished_at, user_name, options, status, message,
               "read", "new", updated, unchanged, quarantined, duplicate, same_as, catalog_version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            s.import_id,
            spec.kind,
            path.name,
            str(path.resolve()),
            sha,
            path.stat().st_size if path.exists() else None,
            s.file_type,
            s.encoding,
            json.dumps(s.sheets, ensure_ascii=False),
            json.dumps(s.extra_columns, ensure_ascii=False),
            started,
            datetime.now(),
            user or _user(),
            json.dumps({"dry_run": s.dry_run, "blank_rows": s.blank_rows}),
            s.status,
            s.message,
            s.read,
            s.new,
            s.updated,
            s.unchanged,
            s.quarantined,
            s.duplicate,
            s.same_as,
            catalog_version(),
        ],
    )


def _log_rejection(
    con: duckdb.DuckDBPyConnection,
    spec: KindSpec,
    path: Path,
    s: Summary,
    started: datetime,
    user: str | None,
    sha: str | None,
) -> Summary:
    if s.dry_run:
        return s
    con.execute("BEGIN TRANSACTION")
    _insert_import(con, spec, path, sha, s, started, user)
    con.execute("COMMIT")
    return s


def _element_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TEMP TABLE hqd_element_lookup (key VARCHAR, code VARCHAR, type VARCHAR, min DOUBLE, "
        "max DOUBLE)"
    )
    insert_rows(con, "hqd_element_lookup", ("key", "code", "type", "min", "max"),
                [(k, e.code, e.type, e.min, e.max) for k, e in element_lookup().items()])  # fmt: skip


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall():
        con.execute(f'DROP TABLE IF EXISTS temp.main."{name}"')


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry in some containers
        return os.environ.get("USER", "unknown")
