"""Local users of the dashboard: argon2 password hashes under a password policy, one role and one scope each,
an optional TOTP second factor, and the audit log.

There is no external identity provider on a 政务内网, so users live in the warehouse (migrations 0005, 0006); a
password is stored only as an argon2id hash. Every change of a user (add, password, role or scope, disable,
enable, unlock, TOTP) is audited here, wherever it comes from (command line, page, API), and the changes
that alter what a user may do end all of that user's sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES = {
    "admin": ("管理员", "administrator"),
    "analyst": ("卫健委分析员", "commission analyst"),
    "hospital": ("医院用户", "hospital user"),
}
MIN_PASSWORD = 10
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


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords (lower-case; scripts/common_passwords.py composes it)."""
    text = resources.files("hqd.catalog").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def check_password(name: str, password: str) -> None:
    """The password policy (等保三级 身份鉴别): at least 10 characters of three of the classes lower-case,
    upper-case, digit and symbol; not the user name nor containing it; not a common password."""
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"密码至少{MIN_PASSWORD}位 / the password must have at least {MIN_PASSWORD} characters"
        )
    classes = (
        any(c.islower() for c in password)
        + any(c.isupper() for c in password)
        + any(c.isdigit() for c in password)
        + any(not c.isalnum() for c in password)
    )
    if classes < 3:
        raise UserError(
            "密码须含小写字母、大写字母、数字、符号中的至少三类 / "
            "the password must mix at least three of lower-case, upper-case, digits and symbols"
        )
    if name and name.strip().lower() in password.lower():
        raise UserError("密码不能包含用户名 / the password must not contain the user name")
    if password.lower() in common_passwords():
        raise UserError("该密码过于常见，请另选 / the password is a common one; choose another")


def _audited(con: duckdb.DuckDBPyConnection, by: str | None, action: str, target: str,
             client: str | None, **detail: Any) -> None:  # fmt: skip
    audit(con, by, action, {"user": target, **detail}, client)


def _require(con: duckdb.DuckDBPyConnection, name: str) -> tuple:
    row = con.execute(
        "SELECT user_name, role, scope_code, display_name, password_hash, disabled FROM users WHERE user_name = ?",
        [name],
    ).fetchone()
    if row is None:
        raise UserError(f"用户 {name} 不存在 / there is no user {name}")
    return row


def _check_role(con: duckdb.DuckDBPyConnection, role: str, scope: str | None) -> str | None:
    """The scope a role keeps: none for admin; a loaded region for an analyst, an institution for a hospital."""
    if role not in ROLES:
        raise UserError(
            f"角色 {role} 无效，可选 admin/analyst/hospital / role {role} is not admin, analyst or hospital"
        )
    if role == "admin":
        return None
    if not scope:
        raise UserError(f"角色 {role} 须用 --scope 指定区划或机构代码 / role {role} needs --scope (a region or institution code)")  # fmt: skip
    if (
        role == "analyst"
        and not con.execute("SELECT 1 FROM regions WHERE region_code = ?", [scope]).fetchone()
    ):
        raise UserError(f"区划代码 {scope} 不存在 / there is no region {scope}")
    if (
        role == "hospital"
        and not con.execute("SELECT 1 FROM institutions WHERE org_code = ?", [scope]).fetchone()
    ):
        raise UserError(f"机构代码 {scope} 不存在 / there is no institution {scope}")
    return scope


def end_sessions(con: duckdb.DuckDBPyConnection, name: str, keep: str | None = None) -> int:
    """End every session of a user (but `keep`, a session hash): the next request of each is refused."""
    n = con.execute(
        "SELECT count(*) FROM sessions WHERE user_name = ? AND session_hash IS DISTINCT FROM ?", [name, keep]
    ).fetchone()[0]
    con.execute("DELETE FROM sessions WHERE user_name = ? AND session_hash IS DISTINCT FROM ?", [name, keep])
    return int(n)


def add_user(con: duckdb.DuckDBPyConnection, name: str, role: str, scope: str | None, password: str,
             display_name: str | None = None, *, by: str | None = None, client: str | None = None) -> User:  # fmt: skip
    """Create a user after checking the role, that the scope names a loaded region or institution, and the
    password policy."""
    name = name.strip()
    if not name:
        raise UserError("用户名不能为空 / the user name must not be empty")
    scope = _check_role(con, role, scope)
    check_password(name, password)
    if con.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
        raise UserError(f"用户 {name} 已存在 / user {name} already exists")
    con.execute(
        "INSERT INTO users VALUES (?, ?, ?, ?, ?, false, ?)",
        [name, display_name, role, scope, _hasher.hash(password), datetime.now()],
    )
    _audited(con, by, "user_add", name, client, role=role, scope=scope)
    return User(name, role, scope, display_name)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = con.execute(
        """SELECT u.user_name, u.display_name, u.role, u.scope_code, u.disabled, u.created_at,
                  coalesce(s.locked_until > now()::TIMESTAMP, false), t.user_name IS NOT NULL
           FROM users u LEFT JOIN login_state s USING (user_name) LEFT JOIN user_totp t USING (user_name)
           ORDER BY u.user_name"""
    ).fetchall()
    keys = ("user_name", "display_name", "role", "scope_code", "disabled", "created_at", "locked", "totp")
    return [dict(zip(keys, r, strict=True)) for r in rows]


def disable_user(con: duckdb.DuckDBPyConnection, name: str, *, by: str | None = None,
                 client: str | None = None) -> None:  # fmt: skip
    _require(con, name)
    con.execute("UPDATE users SET disabled = true WHERE user_name = ?", [name])
    ended = end_sessions(con, name)
    _audited(con, by, "user_disable", name, client, sessions_ended=ended)


def enable_user(con: duckdb.DuckDBPyConnection, name: str, *, by: str | None = None,
                client: str | None = None) -> None:  # fmt: skip
    _require(con, name)
    con.execute("UPDATE users SET disabled = false WHERE user_name = ?", [name])
    _audited(con, by, "user_enable", name, client)


def set_role(con: duckdb.DuckDBPyConnection, name: str, role: str, scope: str | None, *, by: str | None = None,
             client: str | None = None) -> User:  # fmt: skip
    """Change a user's role and scope (admins only, by the caller's check); their sessions end."""
    row = _require(con, name)
    scope = _check_role(con, role, scope)
    con.execute("UPDATE users SET role = ?, scope_code = ? WHERE user_name = ?", [role, scope, name])
    ended = end_sessions(con, name)
    _audited(con, by, "user_role", name, client, role_from=row[1], scope_from=row[2], role=role, scope=scope,
             sessions_ended=ended)  # fmt: skip
    return User(name, role, scope, row[3])


def _store_password(con: duckdb.DuckDBPyConnection, name: str, password: str) -> None:
    check_password(name, password)
    con.execute("UPDATE users SET password_hash = ? WHERE user_name = ?", [_hasher.hash(password), name])


def change_password(con: duckdb.DuckDBPyConnection, name: str, current: str, new: str, *,
                    keep_session: str | None = None, client: str | None = None) -> None:  # fmt: skip
    """A user changes their own password: the current one must verify; their other sessions end."""
    row = _require(con, name)
    try:
        _hasher.verify(row[4], current)
    except (VerificationError, InvalidHashError):
        _audited(con, name, "password_change_failed", name, client)
        raise UserError("当前密码不正确 / the current password is wrong") from None
    if new == current:
        raise UserError("新密码不能与当前密码相同 / the new password must differ from the current one")
    _store_password(con, name, new)
    ended = end_sessions(con, name, keep=keep_session)
    _audited(con, name, "password_change", name, client, sessions_ended=ended)


def reset_password(con: duckdb.DuckDBPyConnection, name: str, new: str, *, by: str | None = None,
                   client: str | None = None) -> None:  # fmt: skip
    """An admin sets a new password: every session of the user ends and a lock is lifted."""
    _require(con, name)
    _store_password(con, name, new)
    ended = end_sessions(con, name)
    con.execute("DELETE FROM login_state WHERE user_name = ?", [name])
    _audited(con, by, "password_reset", name, client, sessions_ended=ended)


def unlock_user(con: duckdb.DuckDBPyConnection, name: str, *, by: str | None = None,
                client: str | None = None) -> None:  # fmt: skip
    _require(con, name)
    con.execute("DELETE FROM login_state WHERE user_name = ?", [name])
    _audited(con, by, "user_unlock", name, client)


def authenticate(con: duckdb.DuckDBPyConnection, name: str, password: str) -> User | None:
    """The user when the name exists, is enabled and the password verifies; otherwise None.

    Throttling, lockout and the second factor are hqd.web.login's; this is the credential check alone."""
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


# --- TOTP (RFC 6238) second factor -------------------------------------------------------------------------
# The secret is stored encrypted under a key derived from the warehouse secret (HMAC-SHA256 in counter mode
# as the key stream, an HMAC tag over nonce and cipher text), so neither the DuckDB file alone nor a listing
# shows it; it is printed once, at enrolment.


def _totp_key(secret: bytes) -> bytes:
    return hmac.new(secret, b"hqd totp secret v1", hashlib.sha256).digest()


def _stream(key: bytes, nonce: bytes, n: int) -> bytes:
    out = b"".join(
        hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest() for i in range(n // 32 + 1)
    )
    return out[:n]


def _seal(secret: bytes, plain: str) -> str:
    key, nonce, data = _totp_key(secret), secrets.token_bytes(16), plain.encode()
    ct = bytes(a ^ b for a, b in zip(data, _stream(key, nonce, len(data)), strict=True))
    tag = hmac.new(key, b"tag" + nonce + ct, hashlib.sha256).digest()[:16]
    return base64.b64encode(nonce + ct + tag).decode()


def _open(secret: bytes, sealed: str) -> str:
    raw = base64.b64decode(sealed)
    key, nonce, ct, tag = _totp_key(secret), raw[:16], raw[16:-16], raw[-16:]
    if not hmac.compare_digest(tag, hmac.new(key, b"tag" + nonce + ct, hashlib.sha256).digest()[:16]):
        raise UserError("动态口令密钥无法解密（仓库密钥已变？）/ the TOTP secret does not decrypt (was the warehouse secret changed?)")  # fmt: skip
    return bytes(a ^ b for a, b in zip(ct, _stream(key, nonce, len(ct)), strict=True)).decode()


def enrol_totp(con: duckdb.DuckDBPyConnection, name: str, secret: bytes, *, by: str | None = None,
               client: str | None = None) -> tuple[str, str]:  # fmt: skip
    """Enrol (or re-enrol) a user in TOTP: a new random secret, stored sealed; (base32 secret, otpauth URI)."""
    import pyotp

    _require(con, name)
    b32 = pyotp.random_base32()
    con.execute("DELETE FROM user_totp WHERE user_name = ?", [name])
    con.execute("INSERT INTO user_totp VALUES (?, ?, ?, NULL)", [name, _seal(secret, b32), datetime.now()])
    _audited(con, by, "totp_enrol", name, client)
    return b32, pyotp.TOTP(b32).provisioning_uri(name=name, issuer_name="hqd")


def totp_enrolled(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return con.execute("SELECT 1 FROM user_totp WHERE user_name = ?", [name]).fetchone() is not None


def verify_totp(con: duckdb.DuckDBPyConnection, name: str, code: str, secret: bytes) -> bool:
    """The code of the current 30-second step (or the one before or after, for clock drift), accepted once."""
    import pyotp

    row = con.execute("SELECT secret_enc, last_step FROM user_totp WHERE user_name = ?", [name]).fetchone()
    code = (code or "").strip()
    if row is None or not code.isdigit():
        return False
    totp = pyotp.TOTP(_open(secret, row[0]))
    now = datetime.now().timestamp()
    for drift in (0, -1, 1):
        step = totp.timecode(datetime.fromtimestamp(now + drift * totp.interval))
        if hmac.compare_digest(totp.generate_otp(step), code) and (row[1] is None or step > row[1]):
            con.execute("UPDATE user_totp SET last_step = ? WHERE user_name = ?", [step, name])
            return True
    return False


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
