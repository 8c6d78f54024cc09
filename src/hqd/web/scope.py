"""What a user may see, decided on the server for every route: one place, so no page or API forgets it.

admin sees everything; an analyst sees a region and every region and institution under it; a hospital
user sees its own institution, and other institutions only as anonymised distributions. A user writes what
they read (`Scope.writes`, checked per row by the loader). The hierarchy the scope is read from — the
regions and institutions tables — is written by admins and the command line only (hqd.web.imports refuses
those kinds to everyone else), so no user can widen their own scope by re-parenting a region or hospital.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from hqd.ingest.write_scope import REGIONS_UNDER, WriteScope
from hqd.web.users import User


class Forbidden(Exception):
    """The user is logged in but the thing asked for lies outside their scope (HTTP 403)."""

    def __init__(self, zh: str = "无权访问", en: str = "outside your scope") -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


class NotFound(Exception):
    """The organisation, indicator or record does not exist (HTTP 404)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass
class Scope:
    """The organisations one user may see by name: institution codes and region codes."""

    user: User
    institutions: set[str] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)

    @property
    def hospital(self) -> bool:
        return self.user.role == "hospital"

    def sees(self, code: str) -> bool:
        return code in self.institutions or code in self.regions

    def check(self, code: str) -> None:
        if not self.sees(code):
            raise Forbidden(f"无权查看 {code}", f"{code} lies outside your scope")

    def require(self, *roles: str) -> None:
        if self.user.role not in roles:
            raise Forbidden("您的角色无权使用此功能", f"your role ({self.user.role}) may not use this")

    @property
    def writes(self) -> WriteScope | None:
        """The write scope of this user: the same institution or region as they read; None for an admin."""
        if self.user.role == "admin":
            return None
        if self.user.role == "analyst":
            return WriteScope.region(self.user.scope_code or "")
        return WriteScope.institution(self.user.scope_code or "")

    @property
    def home(self) -> str | None:
        """The organisation a user's pages open on: the region of an analyst, the hospital of a hospital user."""
        return self.user.scope_code


def scope_of(con: duckdb.DuckDBPyConnection, user: User) -> Scope:
    """Resolve a user's scope against the regions and institutions loaded now."""
    s = Scope(user)
    if user.role == "admin":
        s.regions = {r for (r,) in con.execute("SELECT region_code FROM regions").fetchall()}
        s.institutions = {o for (o,) in con.execute("SELECT org_code FROM institutions").fetchall()}
    elif user.role == "analyst":
        s.regions, s.institutions = under(con, user.scope_code or "")
    else:
        s.institutions = {user.scope_code} if user.scope_code else set()
    return s


def under(con: duckdb.DuckDBPyConnection, region: str) -> tuple[set[str], set[str]]:
    """The regions under a region (itself included) and the institutions in them."""
    regions = {r for (r,) in con.execute(REGIONS_UNDER, [region]).fetchall()}
    insts = con.execute(
        "SELECT org_code FROM institutions WHERE list_contains(?, region_code)", [sorted(regions)]
    )
    return regions, {o for (o,) in insts.fetchall()}
