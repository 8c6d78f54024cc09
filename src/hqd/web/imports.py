"""Uploading a file in the browser through the same loader as `hqd load`, and reading back its summary and
quarantined rows. Imports carry no organisation of their own, so a non-admin sees the imports they made.

Every upload is written within the caller's scope: a hospital user's rows must be its own institution's and
an analyst's those of its region, checked per row by the loader (rows outside are quarantined as
out_of_scope). The kinds that define the hierarchy or national standards (no `owner:` in their field map:
regions, institutions, memberships, code lists) are refused to everyone but admins, with one sentence and an
audit entry."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from hqd.catalog import CatalogError
from hqd.ingest import quarantine
from hqd.ingest.load import load_file
from hqd.ingest.spec import kinds, load_kind
from hqd.ingest.write_scope import admins_only
from hqd.web.scope import Forbidden, NotFound, Scope
from hqd.web.users import audit

UPLOAD_ROLES = ("admin", "analyst", "hospital")
MAX_UPLOAD = 512 * 1024 * 1024
_SAFE = re.compile(r"[^\w.\-（）()\u4e00-\u9fff]+")
COLUMNS = ("import_id", "kind", "file_name", "status", "read", "new", "updated", "unchanged", "quarantined",
           "duplicate", "encoding", "started_at", "user_name", "message", "same_as")  # fmt: skip
COLUMNS_SQL = ", ".join(f'"{c}"' for c in COLUMNS)


def _visible(scope: Scope) -> tuple[str, list[Any]]:
    if scope.user.role == "admin":
        return "true", []
    return "user_name = ?", [scope.user.name]


def list_imports(con: duckdb.DuckDBPyConnection, scope: Scope, limit: int = 100) -> list[dict[str, Any]]:
    where, params = _visible(scope)
    rows = con.execute(
        f"SELECT {COLUMNS_SQL} FROM imports WHERE {where} ORDER BY import_id DESC LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [dict(zip(COLUMNS, r, strict=True)) for r in rows]


def get_import(con: duckdb.DuckDBPyConnection, scope: Scope, import_id: int) -> dict[str, Any]:
    row = con.execute(f"SELECT {COLUMNS_SQL} FROM imports WHERE import_id = ?", [import_id]).fetchone()
    if row is None:
        raise NotFound(f"导入号 {import_id} 不存在", f"there is no import {import_id}")
    d = dict(zip(COLUMNS, row, strict=True))
    if scope.user.role != "admin" and d["user_name"] != scope.user.name:
        raise Forbidden(f"导入 {import_id} 不是您上传的", f"import {import_id} was not uploaded by you")
    source = d["same_as"] or import_id
    d["reasons"] = [
        {"rule": r.rule, "field": r.field, "count": r.count, "rows": r.rows, "message_zh": r.message_zh,
         "message_en": r.message_en}
        for r in quarantine.reasons(con, source)
    ]  # fmt: skip
    return d


def quarantined(con: duckdb.DuckDBPyConnection, scope: Scope, import_id: int, limit: int, offset: int
                ) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    """One page of an import's quarantined rows with their reasons and cells (identifiers never stored)."""
    d = get_import(con, scope, import_id)
    source = d["same_as"] or import_id
    total = con.execute("SELECT count(*) FROM quarantine WHERE import_id = ?", [source]).fetchone()[0]
    rows = con.execute(
        "SELECT sheet, row_number, field, value, rule, message_zh, message_en, row_data FROM quarantine "
        "WHERE import_id = ? ORDER BY sheet NULLS FIRST, row_number, rule LIMIT ? OFFSET ?",
        [source, limit, offset],
    ).fetchall()
    keys = ("sheet", "row_number", "field", "value", "rule", "message_zh", "message_en", "row_data")
    out = []
    for r in rows:
        item = dict(zip(keys, r, strict=True))
        item["row_data"] = json.loads(r[7]) if r[7] else {}
        out.append(item)
    return out, total


def export_quarantine(con: duckdb.DuckDBPyConnection, scope: Scope, import_id: int, out: Path) -> int:
    get_import(con, scope, import_id)
    return quarantine.export(con, import_id, out)


def upload(con: duckdb.DuckDBPyConnection, scope: Scope, kind: str, filename: str, data: bytes,
           secret: bytes) -> dict[str, Any]:  # fmt: skip
    """Load an uploaded file of one kind as the logged-in user; returns the import summary."""
    scope.require(*UPLOAD_ROLES)
    if kind not in kinds():
        raise NotFound(f"数据类型 {kind} 不存在", f"there is no kind {kind}; use one of {', '.join(kinds())}")
    try:
        spec = load_kind(kind)
    except CatalogError as exc:
        raise NotFound(str(exc), str(exc)) from None
    if scope.writes is not None and admins_only(spec):
        raise Forbidden(
            f"只有管理员可以导入{spec.title_zh}（{kind}），它决定权限范围或属于国家标准",
            f"only administrators may load {kind}: it defines the scope hierarchy or a national standard",
        )
    if len(data) > MAX_UPLOAD:
        raise Forbidden("文件过大（上限 512 MiB）", "the file is larger than 512 MiB")
    name = _SAFE.sub("_", Path(filename or "upload.csv").name) or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="hqd-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        summary = load_file(con, kind, path, secret=secret, user=scope.user.name, scope=scope.writes)
    result = summary.as_json()
    result["adds_up"] = summary.adds_up
    result["reasons"] = [
        {"rule": r.rule, "field": r.field, "count": r.count, "rows": r.rows, "message_zh": r.message_zh,
         "message_en": r.message_en}
        for r in summary.reasons
    ]  # fmt: skip
    return result


def upload_as(ctx: Any, kind: str, filename: str, data: bytes) -> dict[str, Any]:
    """An upload through the request's context, one writer at a time; run off the event loop, a load takes
    seconds to minutes and other users' pages keep answering meanwhile."""
    with ctx.db.write_lock, ctx.db.cursor(macros=True) as con:
        try:
            return upload(con, ctx.scope, kind, filename, data, ctx.db.secret)
        except Forbidden as refused:
            # The route's own audit entry is written after a successful load only; a refusal is logged here.
            detail = {"kind": kind, "file": filename, "reason": refused.en}
            audit(con, ctx.scope.user.name, "upload_refused", detail, ctx.client, obj=kind, outcome="refused")
            raise
        except Exception as exc:  # a refused kind or a crashed load: audited here, then answered as before
            # the exception's type only: its message could quote a cell of the file (an identifier)
            with ctx.db.cursor() as fresh:  # `con` may be left in a failed transaction
                audit(fresh, ctx.scope.user.name, "upload", {"kind": kind, "file": filename, "bytes": len(data),
                      "error": type(exc).__name__}, ctx.client,
                      outcome="refused" if isinstance(exc, NotFound) else "failed")  # fmt: skip
            raise


def upload_kinds(scope: Scope) -> list[str]:
    """The kinds this user may upload (the page's choice list): admins every kind, others those with an owner."""
    if scope.user.role not in UPLOAD_ROLES:
        return []
    return [k for k in kinds() if scope.writes is None or not admins_only(load_kind(k))]
