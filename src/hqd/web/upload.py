"""Receiving an upload so that no file can take the server down.

Three steps, each before the next is allowed to cost anything:

1. `BodyLimit`, an ASGI middleware, counts the bytes of every request body while they stream in (and trusts
   a Content-Length only to refuse early): an upload route may receive HQD_MAX_UPLOAD_MB, any other request
   HQD_MAX_BODY_KB. Past the limit the request is answered 413 with one sentence and the connection closed;
   the body is never buffered beyond the limit. Starlette's multipart parser enforces no size on file parts
   (its max_part_size bounds only form fields), so the count here is the only bound; the parser spools the
   file to an anonymous temporary file (tempfile.TemporaryFile: mode 0600, unlinked at creation, so it
   vanishes on success, refusal and crash alike, even a killed server).
2. An XLSX is inspected (hqd.ingest.xlsx_guard.inspect_xlsx) and then read whole by a child process under a
   memory and time limit that gets the spooled file as an inherited descriptor; the server itself has not
   parsed a byte of it yet. A CSV needs no worker: the reader decodes it in 8 MiB chunks, but one very long
   line is held whole (a 200 MB line without a line end cost the loader 1.4 GB), so the lines of a text
   file are measured first, in one streamed pass, against HQD_CSV_MAX_LINE_KB (DuckDB's own 2 MB default).
3. Only then the server loads the file through hqd.web.imports.upload_as, as before.

A refusal is one sentence (zh / en), an entry "upload_rejected" in the audit log and, when the kind is
known, a rejected row in `imports`; the server keeps answering.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import threading
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hqd.config import Settings
from hqd.ingest.xlsx_guard import MiB, XlsxLimits, XlsxRejected, inspect_xlsx, read_in_worker
from hqd.web import imports
from hqd.web.session import Ctx

log = logging.getLogger("hqd.web")
UPLOAD_PATHS = frozenset({"/api/imports", "/imports"})
ENVELOPE = 64 * 1024  # the multipart boundaries and the kind field around the file
XLSX_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
# At most two reading processes at once; a third upload waits WORKER_WAIT seconds, then is asked to retry,
# so slow uploads cannot occupy the thread pool that also serves the pages.
_workers = threading.BoundedSemaphore(2)
WORKER_WAIT = 10


@dataclass
class UploadRefused(Exception):
    """An upload refused before it reached the loader: HTTP status and the two halves of one sentence."""

    status: int
    zh: str
    en: str
    import_id: int | None = None


def _mib(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Counts request body bytes as they arrive and refuses past the limit (413), before the app buffers them."""

    def __init__(self, app: ASGIApp, cfg: Settings) -> None:
        self.app = app
        self.upload_limit = int(cfg.max_upload_mb * MiB)
        self.upload_mb = cfg.max_upload_mb
        self.other_limit = cfg.max_body_kb * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in UPLOAD_PATHS and scope["method"] == "POST"
        limit = self.upload_limit + ENVELOPE if upload else self.other_limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, upload, int(declared), declared=True)
            return
        received = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # the app's own answer to a body cut short is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, send, upload, received, declared=False)

    def _sentence(self, upload: bool) -> tuple[str, str]:
        if upload:
            mb = _mib(self.upload_mb)
            return (
                f"上传的文件超过上限 {mb} MiB，已拒收",
                f"the upload is larger than the limit of {mb} MiB; it is refused",
            )
        kb = self.other_limit // 1024
        return (
            f"请求内容超过上限 {kb} KiB，已拒收",
            f"the request body is larger than the limit of {kb} KiB; it is refused",
        )

    async def _refuse(self, scope: Scope, send: Send, upload: bool, size: int, declared: bool) -> None:
        zh, en = self._sentence(upload)
        path = scope["path"]
        if path.startswith("/api") or not upload:
            body = json.dumps({"ok": False, "error_zh": zh, "error_en": en}, ensure_ascii=False).encode()
            ctype = b"application/json"
        else:
            body, ctype = _error_page(scope, zh, en), b"text/html; charset=utf-8"
        # Audited before answering: once the answer is sent the client closes the connection, and the server
        # may end this request's task before a later write would run.
        try:
            await run_in_threadpool(_audit_refusal, scope, upload, size, declared, en)
        except Exception:  # the refusal stands even if the audit log cannot be written
            log.exception("could not audit a refused request body on %s", path)
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def _error_page(scope: Scope, zh: str, en: str) -> bytes:
    """The site's own error page, in the user's language; a bare page if it cannot be rendered."""
    from starlette.requests import Request as StarletteRequest

    from hqd.web.pages import error_page

    try:
        return bytes(error_page(StarletteRequest(scope), 413, zh, en).body)
    except Exception:
        return f"<!doctype html><meta charset=utf-8><title>413</title><p>{zh}</p><p lang=en>{en}</p>".encode()


def _audit_refusal(scope: Scope, upload: bool, size: int, declared: bool, reason: str) -> None:
    from hqd.web.users import audit

    app = scope.get("app")
    db = getattr(getattr(app, "state", None), "db", None)
    if db is None:
        return
    from starlette.requests import HTTPConnection

    from hqd.web.session import SESSION_COOKIE, find_session

    client = scope.get("client")
    detail = {
        "path": scope["path"],
        "reason": reason,
        ("declared_bytes" if declared else "received_bytes"): size,
    }
    with db.cursor() as con:
        # The refused request is audited under its user when it came with a live session.
        session = find_session(db, con, HTTPConnection(scope).cookies.get(SESSION_COOKIE))
        with db.write_lock:
            audit(con, session.user_name if session else None,
                  "upload_rejected" if upload else "request_rejected", detail,
                  client[0] if client else None)  # fmt: skip


def _record_rejection(ctx: Ctx, kind: str, name: str, size: int, zh: str, en: str) -> int | None:
    """A refused file is logged in `imports` as rejected, like a file the loader could not read."""
    from hqd.catalog import CatalogError
    from hqd.ingest.load import _log_rejection
    from hqd.ingest.spec import kinds, load_kind
    from hqd.ingest.summary import Summary

    if kind not in kinds():
        return None
    try:
        spec = load_kind(kind)
    except CatalogError:
        return None
    safe = imports._SAFE.sub("_", Path(name).name) or "upload"  # the name the loader would have stored
    summary = Summary(file=safe, kind=kind, status="rejected", message=f"{zh} / {en}")
    try:
        with ctx.db.write_lock, ctx.db.cursor() as con:
            try:
                _log_rejection(con, spec, Path(safe), summary, datetime.now(), ctx.scope.user.name, sha=None)
            except Exception:
                with suppress(Exception):  # no transaction may be open yet
                    con.execute("ROLLBACK")
                raise
    except Exception:  # the refusal stands even if it cannot be logged
        log.exception("could not log the refused upload %s in imports", name)
        return None
    return summary.import_id


def _check_lines(fh: Any, name: str, max_line: int) -> None:
    """One streamed pass over a text file: no line may be longer than `max_line` bytes."""
    fh.seek(0)
    run = 0  # bytes since the last line end
    line = 1
    while chunk := fh.read(MiB):
        last = chunk.rfind(b"\n")
        if last < 0:
            run += len(chunk)
        else:
            first = chunk.find(b"\n")
            longest = max(run + first, *(len(x) for x in chunk[first + 1 : last].split(b"\n")), 0)
            if longest > max_line:
                run = longest
            else:
                line += chunk.count(b"\n")
                run = len(chunk) - last - 1
        if run > max_line:
            kb = max_line // 1024
            raise UploadRefused(
                422,
                f"文件 {name} 第 {line:,} 行附近有一行超过 {kb:,} KiB，不是正常的数据行，已拒收",
                f"file {name} has a line longer than {kb:,} KiB near line {line:,}, which is no data row; "
                "it is refused",
            )


def _preflight(cfg: Settings, fh: Any, fd: int, name: str, size: int) -> None:
    """The size, line and workbook checks of one spooled file; raises UploadRefused."""
    limit = int(cfg.max_upload_mb * MiB)
    if size > limit:
        mb = _mib(cfg.max_upload_mb)
        raise UploadRefused(413, f"文件 {name} 超过上限 {mb} MiB，已拒收",
                            f"file {name} is larger than the limit of {mb} MiB; it is refused")  # fmt: skip
    if name.lower().endswith(TEXT_SUFFIXES):
        _check_lines(fh, name, cfg.csv_max_line_kb * 1024)
        return
    if not name.lower().endswith(XLSX_SUFFIXES):
        return
    limits = XlsxLimits(cfg.xlsx_max_uncompressed_mb * MiB, cfg.xlsx_max_ratio, cfg.xlsx_max_total_ratio,
                        cfg.xlsx_max_entries, cfg.xlsx_max_cells)  # fmt: skip
    try:
        fh.seek(0)
        inspect_xlsx(fh, limits, name)
        if not _workers.acquire(timeout=WORKER_WAIT):
            raise UploadRefused(503, f"正在检查其他上传的文件，请稍后再上传 {name}",
                                f"other uploads are being checked; send {name} again in a few minutes")  # fmt: skip
        try:
            read_in_worker(f"/dev/fd/{fd}", memory_mb=cfg.worker_memory_mb, seconds=cfg.worker_seconds, name=name,
                           pass_fds=(fd,))  # fmt: skip
        finally:
            _workers.release()
    except XlsxRejected as exc:
        raise UploadRefused(422, exc.zh, exc.en) from None


def accept_upload(ctx: Ctx, request: Request, kind: str, file: UploadFile) -> dict[str, Any]:
    """The upload routes' one call, run off the event loop: preflight, then the load; returns the import
    summary or raises UploadRefused with one sentence."""
    ctx.scope.require(*imports.UPLOAD_ROLES)  # no reading process for a caller who may not upload at all
    name = file.filename or "upload.csv"
    fh = file.file
    fh.flush()
    fd = fh.fileno()  # rolls an in-memory spool over to its anonymous temporary file
    fh.flush()
    size = os.fstat(fd).st_size
    try:
        _preflight(ctx.db.cfg, fh, fd, name, size)
    except UploadRefused as refused:
        refused.import_id = _record_rejection(ctx, kind, name, size, refused.zh, refused.en)
        ctx.audit(request, "upload_rejected", {"kind": kind, "file": name, "bytes": size, "reason": refused.en,
                                               "import_id": refused.import_id})  # fmt: skip
        raise
    fh.seek(0)
    # The spooled file mapped, not copied: the loader writes it out without a second copy in memory. A crashed
    # load is audited by imports.upload_as (the exception's type only), then answered 500 by the application.
    with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if size else nullcontext(b"") as data:
        return imports.upload_as(ctx, kind, name, data)  # type: ignore[arg-type]
