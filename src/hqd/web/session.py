"""Who is asking: the signed session cookie names a user; every request re-reads the user and their scope
from the warehouse, so disabling a user or moving an institution takes effect at once."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
from fastapi import Request

from hqd.web.db import Db
from hqd.web.scope import Scope, scope_of
from hqd.web.users import get_user

SESSION_COOKIE = "hqd_session"
SESSION_HOURS = 8


class Unauthenticated(Exception):
    """No valid session (HTTP 401; pages redirect to the login form)."""


@dataclass
class Ctx:
    """One request's warehouse cursor and the caller's scope."""

    db: Db
    con: duckdb.DuckDBPyConnection
    scope: Scope
    lang: str
    client: str | None = None  # the caller's address (client_of), for audit entries written off the request

    def audit(self, request: Request, action: str, detail: dict, *, obj: str | None = None,
              outcome: str | None = None) -> None:  # fmt: skip
        from hqd.web.users import audit

        with self.db.write_lock:
            audit(
                self.con, self.scope.user.name, action, detail, client_of(request), obj=obj, outcome=outcome
            )


def session_key(secret: bytes) -> str:
    """The cookie-signing key, derived from the warehouse secret so no second secret file is needed."""
    return hmac.new(secret, b"hqd session cookie v1", hashlib.sha256).hexdigest()


def client_of(request: Request) -> str | None:
    """The client's address: the socket's peer, or X-Forwarded-For when the peer is a trusted proxy
    (HQD_TRUSTED_PROXIES)."""
    from hqd.audit import source_address, trusted_networks

    peer = request.client.host if request.client else None
    trusted = trusted_networks(request.app.state.db.cfg.trusted_proxies)
    return source_address(peer, request.headers.get("x-forwarded-for"), trusted)


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.session.get("lang") or "zh"
    return "en" if lang == "en" else "zh"


def context(request: Request) -> Iterator[Ctx]:
    """FastAPI dependency: a cursor for the request and the logged-in user's scope, or 401."""
    db: Db = request.app.state.db
    name = request.session.get("user")
    with db.cursor() as con:
        user = get_user(con, name) if name else None
        if user is None:
            request.session.pop("user", None)
            raise Unauthenticated()
        yield Ctx(db, con, scope_of(con, user), lang_of(request), client_of(request))
