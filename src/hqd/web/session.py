"""Who is asking: a server-side session (migration 0006) named by a random id in an HttpOnly, SameSite=Strict
cookie. The warehouse keeps only the id's SHA-256, the user, times, source address and the session's CSRF
token; every request re-reads the session, the user and their scope, so logout, a password change, disabling
a user or changing their role or scope takes effect at the next request — a copied cookie stops working.

CSRF (issue 13): every state-changing request (POST, PUT, PATCH, DELETE) must come from the server's own
origin (the Origin header, or the Referer when there is no Origin) and, when it is made in a session, carry
the session's token in the X-CSRF-Token header or the csrf_token form field. Login is checked by origin only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import duckdb
from fastapi import Request, Response
from fastapi.concurrency import run_in_threadpool

from hqd.config import AuthSettings
from hqd.web.db import Db
from hqd.web.scope import Forbidden, Scope, scope_of
from hqd.web.users import get_user

SESSION_COOKIE = "hqd_session"
LANG_COOKIE = "hqd_lang"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NO_TOKEN = frozenset({"/login", "/api/login"})  # no session yet: origin check only (login CSRF)
TOUCH_SECONDS = 15  # last_seen is written at most this often per session


class Unauthenticated(Exception):
    """No valid session (HTTP 401; pages redirect to the login form)."""


@dataclass(frozen=True)
class Session:
    session_hash: str
    user_name: str
    csrf_token: str


@dataclass
class Ctx:
    """One request's warehouse cursor, the caller's scope and session."""

    db: Db
    con: duckdb.DuckDBPyConnection
    scope: Scope
    lang: str
    session: Session | None = None
    client: str | None = None  # the caller's address (client_of), for audit entries written off the request

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""

    def audit(self, request: Request, action: str, detail: dict, *, obj: str | None = None,
              outcome: str | None = None) -> None:  # fmt: skip
        from hqd.web.users import audit

        with self.db.write_lock:
            audit(
                self.con, self.scope.user.name, action, detail, client_of(request), obj=obj, outcome=outcome
            )


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def client_of(request: Request) -> str | None:
    """The client's address: the socket's peer, or X-Forwarded-For when the peer is a trusted proxy
    (HQD_TRUSTED_PROXIES)."""
    from hqd.audit import source_address, trusted_networks

    peer = request.client.host if request.client else None
    trusted = trusted_networks(request.app.state.db.cfg.trusted_proxies)
    return source_address(peer, request.headers.get("x-forwarded-for"), trusted)


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if lang == "en" else "zh"


def start_session(con: duckdb.DuckDBPyConnection, user: str, client: str | None) -> tuple[str, Session]:
    """A new session with a fresh random id (never one the client offered: no fixation); (id, session)."""
    session_id, token, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), datetime.now()
    con.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)", [_hash(session_id), user, now, now, client, token]
    )
    return session_id, Session(_hash(session_id), user, token)


def end_session(con: duckdb.DuckDBPyConnection, session_id: str | None) -> None:
    if session_id:
        con.execute("DELETE FROM sessions WHERE session_hash = ?", [_hash(session_id)])


def find_session(db: Db, con: duckdb.DuckDBPyConnection, session_id: str | None) -> Session | None:
    """The live session of a cookie, its last use recorded; an idle or too old one is ended and is None."""
    if not session_id:
        return None
    auth: AuthSettings = db.cfg.auth
    h = _hash(session_id)
    row = con.execute(
        "SELECT user_name, created_at, last_seen, csrf_token FROM sessions WHERE session_hash = ?", [h]
    ).fetchone()
    if row is None:
        return None
    now = datetime.now()
    expired = now - row[2] > timedelta(minutes=auth.idle_minutes) or now - row[1] > timedelta(
        hours=auth.absolute_hours
    )
    if expired or (now - row[2]).total_seconds() >= TOUCH_SECONDS:
        with db.write_lock:
            if expired:
                con.execute("DELETE FROM sessions WHERE session_hash = ?", [h])
                return None
            con.execute("UPDATE sessions SET last_seen = ? WHERE session_hash = ?", [now, h])
    return Session(h, row[0], row[3])


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    """The cookie carries the id only: HttpOnly, SameSite=Strict, Secure behind HTTPS (--secure-cookie)."""
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="strict", path="/",
                        secure=bool(getattr(request.app.state, "secure_cookie", False)))  # fmt: skip


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=bool(getattr(request.app.state, "secure_cookie", False)))  # fmt: skip


def context(request: Request) -> Iterator[Ctx]:
    """FastAPI dependency: a cursor for the request and the logged-in user's scope, or 401."""
    db: Db = request.app.state.db
    with db.cursor() as con:
        session = find_session(db, con, request.cookies.get(SESSION_COOKIE))
        user = get_user(con, session.user_name) if session else None
        if user is None:
            raise Unauthenticated()
        yield Ctx(db, con, scope_of(con, user), lang_of(request), session, client_of(request))


def same_origin(request: Request) -> bool:
    """True when the request's Origin (or, without one, its Referer) names this server, or names nothing.

    A browser sends Origin with every cross-origin POST, so a missing header means a non-browser client,
    which cannot be made to send the user's cookie by another site. The port is compared with the host
    ("127.0.0.1:8000"); the scheme is not, because behind a TLS-terminating proxy the server sees http."""
    host = (request.headers.get("host") or "").lower()
    origin = request.headers.get("origin")
    if origin is not None:
        return origin != "null" and urlsplit(origin).netloc.lower() == host
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == host
    return True


async def csrf_protect(request: Request) -> None:
    """Router dependency on every route: a state-changing request needs the server's own origin and, within a
    session, the session's CSRF token (header or form field); otherwise 403."""
    if request.method not in UNSAFE:
        return
    if not same_origin(request):
        raise Forbidden(
            "跨站请求已拒绝（来源不是本站）", "cross-site request refused: the origin is not this server"
        )
    if request.url.path in NO_TOKEN:
        return
    db: Db = request.app.state.db

    def lookup() -> Session | None:
        with db.cursor() as con:
            return find_session(db, con, request.cookies.get(SESSION_COOKIE))

    session = await run_in_threadpool(lookup)  # DuckDB calls block: keep them off the event loop
    if session is None:
        return  # the route's context answers 401
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and (request.headers.get("content-type") or "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
        raise Forbidden("请求缺少有效的防跨站令牌，请刷新页面后重试",
                        "the request lacks a valid CSRF token; reload the page and try again")  # fmt: skip
