"""Local users of the dashboard: argon2 password hashes, one role and one scope each, and the audit log.

There is no external identity provider on a 政务内网, so users live in the warehouse (migration 0005); a
password is stored only as an argon2id hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = {
    "admin": ("管理员", "administrator"),
    "analyst": ("卫健委分析员", "commission analyst"),
    "hospital": ("医院用户", "hospital user"),
}
_hasher = PasswordHasher()


class UserError(ValueError):
    """A user command the warehouse cannot carry out; the message is one Chinese + English sentence."""


@dataclass(frozen=True)
class User:
    """Who is asking, and what they may see: admin everything, analyst a region, hospital one institution."""

    name: str
    role: str
    scope_code: str | None
    display_name: str | None = None

    @property
    def role_label(self) -> str:
        zh, en = ROLES[self.role]
        return f"{zh} {en}"


def add_user(con: duckdb.DuckDBPyConnection, name: str, role: str, scope: str | None, password: str,
             display_name: str | None = None) -> User:  # fmt: skip
    """Create a user after checking the role and that the scope names a loaded region or institution."""
    name = name.strip()
    if not name:
        raise UserError("用户名不能为空 / the user name must not be empty")
    if role not in ROLES:
        raise UserError(
            f"角色 {role} 无效，可选 admin/analyst/hospital / role {role} is not admin, analyst or hospital"
        )
    if len(password) < 8:
        raise UserError("密码至少8位 / the password must have at least 8 characters")
    if role == "admin":
        scope = None
    elif not scope:
        raise UserError(f"角色 {role} 须用 --scope 指定区划或机构代码 / role {role} needs --scope (a region or institution code)")  # fmt: skip
    elif (
        role == "analyst"
        and not con.execute("SELECT 1 FROM regions WHERE region_code = ?", [scope]).fetchone()
    ):
        raise UserError(f"区划代码 {scope} 不存在 / there is no region {scope}")
    elif (
        role == "hospital"
        and not con.execute("SELECT 1 FROM institutions WHERE org_code = ?", [scope]).fetchone()
    ):
        raise UserError(f"机构代码 {scope} 不存在 / there is no institution {scope}")
    if con.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
        raise UserError(f"用户 {name} 已存在 / user {name} already exists")
    con.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, false, ?)",
        [name, display_name, role, scope, _hasher.hash(password), datetime.now()],
    )
    return User(name, role, scope, display_name)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute(
        "SELECT user_name, display_name, role, scope_code, disabled, created_at FROM users ORDER BY user_name"
    ).fetchall()
    keys = ("user_name", "display_name", "role", "scope_code", "disabled", "created_at")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def disable_user(con: duckdb.DuckDBPyConnection, name: str) -> None:
    if not con.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
        raise UserError(f"用户 {name} 不存在 / there is no user {name}")
    con.execute("UPDATE users SET disabled = true WHERE user_name = ?", [name])


def authenticate(con: duckdb.DuckDBPyConnection, name: str, password: str) -> User | None:
    """The user when the name exists, is enabled and the password verifies; otherwise None."""
    row = con.execute(
        "SELECT user_name, role, scope_code, display_name, password_hash, disabled FROM users WHERE user_name = ?",
        [name],
    ).fetchone()
    if row is None or row[5]:
        _hasher.hash(password)  # the same work either way, so timing does not tell which names exist
        return None
    try:
        _hasher.verify(row[4], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row[0], row[1], row[2], row[3])


def get_user(con: duckdb.DuckDBPyConnection, name: str) -> User | None:
    """An enabled user by name: a session of a user disabled since is no longer honoured."""
    row = con.execute(
        "SELECT user_name, role, scope_code, display_name FROM users WHERE user_name = ? AND NOT disabled",
        [name],
    ).fetchone()
    return User(*row) if row else None


def audit(con: duckdb.DuckDBPyConnection, user: str | None, action: str, detail: dict[str, Any] | None = None,
          client: str | None = None, *, obj: str | None = None, outcome: str | None = None) -> None:  # fmt: skip
    """One chained entry of the audit log (hqd.audit); object and outcome are read from the action and its
    detail when not given. The server calls this under db.write_lock; the chain itself is atomic anyway."""
    from hqd import audit as chain

    chain.record(
        con, chain.secret_of(con), user, action,
        obj=obj if obj is not None else chain.derive_object(action, detail),
        outcome=outcome or chain.derive_outcome(action, detail), detail=detail, client=client,
    )  # fmt: skip


def audit_entries(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    from hqd import audit as chain

    return chain.entries(con, limit)
