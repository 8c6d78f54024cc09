"""`hqd serve`: the FastAPI application — JSON API under /api, server-rendered pages, local static files.

Nothing is fetched from outside at run time: ECharts is vendored in static/, fonts are the system's, the
OpenAPI schema is served at /api/openapi.json without the CDN-hosted Swagger page.
"""

from __future__ import annotations

import logging
import os
import secrets
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hqd.config import Settings, restrict_files, settings
from hqd.web.db import Db
from hqd.web.scope import Forbidden, NotFound
from hqd.web.session import Unauthenticated

log = logging.getLogger("hqd.web")
STATIC = Path(__file__).parent / "static"
# scripts only from the server and the inline blocks carrying this response's nonce; styles may be inline
# (the templates and ECharts set style attributes), nothing may frame the pages
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Every response gets the CSP (with a fresh nonce, offered to the templates as request.state.csp_nonce),
    nosniff, DENY framing and a same-origin referrer policy; every response but the static files also gets
    `Cache-Control: no-store`, so no page or export with patient-level or quarantined rows is cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or static
                ]
                headers += [
                    (b"content-security-policy", CSP.format(nonce=nonce).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not static:
                    headers += [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error(request: Request, status: int, zh: str, en: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"ok": False, "error_zh": zh, "error_en": en}, status_code=status)
    from hqd.web.pages import error_page

    return error_page(request, status, zh, en)


def _audit_refusal(request: Request, status: int, reason: str) -> None:
    """Every 401 and 403 leaves an entry: who (if anyone) was refused what path, from where."""
    from hqd.web.session import SESSION_COOKIE, client_of, find_session
    from hqd.web.users import audit

    db: Db = request.app.state.db
    try:
        with db.cursor() as con:
            session = find_session(db, con, request.cookies.get(SESSION_COOKIE))
            user = session.user_name if session else None
        with db.cursor() as con, db.write_lock:
            audit(con, user, "refused", {"status": status, "method": request.method,
                  "reason": reason[:200]}, client_of(request), obj=request.url.path, outcome="refused")  # fmt: skip
    except Exception:  # the refusal stands either way; a log that cannot be written is an operator's alarm
        log.exception("could not audit the refusal of %s", request.url.path)


def create_app(cfg: Settings | None = None, *, secure_cookie: bool | None = None) -> FastAPI:
    """The application over one warehouse; `secure_cookie` adds the cookie's Secure flag (behind HTTPS)."""
    cfg = cfg or settings()
    restrict_files(cfg)  # uploads, exports, reports and the WAL are created 0600 (0640 with HQD_FILE_GROUP)
    from hqd.audit import trusted_networks

    trusted_networks(cfg.trusted_proxies)  # a malformed HQD_TRUSTED_PROXIES stops the start, not a request
    db = Db(cfg)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        db.close()

    app = FastAPI(
        title="hqd 公立医院高质量发展监测评价平台 API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.db = db
    if secure_cookie is None:
        secure_cookie = os.environ.get("HQD_COOKIE_SECURE", "") == "1"
    app.state.secure_cookie = secure_cookie
    from hqd.web.upload import BodyLimit

    app.add_middleware(BodyLimit, cfg=cfg)  # bodies counted while they stream in (issue 13, item 4)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Unauthenticated)
    async def _unauth(request: Request, exc: Unauthenticated) -> Response:
        await run_in_threadpool(_audit_refusal, request, 401, "log in first")
        if _wants_json(request):
            return JSONResponse(
                {"ok": False, "error_zh": "请先登录", "error_en": "log in first"}, status_code=401
            )
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        await run_in_threadpool(_audit_refusal, request, 403, exc.en)
        return _error(request, 403, exc.zh, exc.en)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, exc.zh, exc.en)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(
            f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return _error(request, 422, f"请求参数无效：{where}", f"invalid request: {where}")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "服务器内部错误，已记录", "internal server error; it has been logged")

    from hqd.web.api import router as api_router
    from hqd.web.pages import router as page_router

    app.include_router(api_router)
    app.include_router(page_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
