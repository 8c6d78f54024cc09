"""One login attempt (等保三级 身份鉴别): throttling per source address, lockout per account, the password and,
for an enrolled user, the TOTP code — each failure, lock and refusal audited.

The counters live in the warehouse (migration 0006), so a restart of the server does not reset them and an
admin's `hqd users unlock` works from the command line as well as from the users page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from hqd.config import AuthSettings
from hqd.web.users import User, audit, authenticate, totp_enrolled, verify_totp


@dataclass(frozen=True)
class Attempt:
    """The outcome: the user on success, else the HTTP status and one sentence in Chinese and English."""

    user: User | None
    status: int = 200
    zh: str = ""
    en: str = ""
    needs_code: bool = False


WRONG = ("用户名或密码错误", "wrong user name or password")


def attempt(con: duckdb.DuckDBPyConnection, name: str, password: str, code: str | None, client: str | None,
            auth: AuthSettings, secret: bytes) -> Attempt:  # fmt: skip
    """Check one login; the caller holds the warehouse's write lock (failures and locks are written)."""
    now = datetime.now()
    name = name[:100]
    window = now - timedelta(minutes=auth.address_window_minutes)
    con.execute("DELETE FROM login_failures WHERE failed_at < ?", [window])
    from_here = con.execute(
        "SELECT count(*) FROM login_failures WHERE client IS NOT DISTINCT FROM ? AND failed_at >= ?",
        [client, window],
    ).fetchone()[0]
    if from_here >= auth.address_max_failures:
        audit(con, None, "login_throttled", {"username": name, "failures": from_here}, client)
        m = auth.address_window_minutes
        return Attempt(None, 429, f"该地址登录失败次数过多，请{m}分钟后再试",
                       f"too many failed logins from this address; try again in {m} minutes")  # fmt: skip
    locked = con.execute(
        "SELECT locked_until FROM login_state WHERE user_name = ? AND locked_until > ?", [name, now]
    ).fetchone()
    if locked:
        authenticate(con, "", password)  # the same work as a real check
        _failed(con, name, client, now, count_account=False)
        audit(con, None, "login_refused_locked", {"username": name, "locked_until": locked[0]}, client)
        until = f"{locked[0]:%H:%M}"
        return Attempt(None, 403, f"账户已锁定至{until}（或由管理员解锁），请稍后再试",
                       f"the account is locked until {until} or until an administrator unlocks it")  # fmt: skip
    user = authenticate(con, name, password)
    if user is not None and totp_enrolled(con, user.name):
        if not code:
            return Attempt(None, 401, "请输入动态口令", "enter the one-time code of your authenticator",
                           needs_code=True)  # fmt: skip
        if not verify_totp(con, user.name, code, secret):
            _failed(con, name, client, now, auth=auth)
            audit(con, None, "login_failed", {"username": name, "factor": "totp"}, client)
            return Attempt(None, 401, "动态口令错误", "wrong one-time code", needs_code=True)
    if user is None:
        _failed(con, name, client, now, auth=auth)
        audit(con, None, "login_failed", {"username": name}, client)
        return Attempt(None, 401, *WRONG)
    con.execute("DELETE FROM login_state WHERE user_name = ?", [user.name])
    return Attempt(user)


def _failed(con: duckdb.DuckDBPyConnection, name: str, client: str | None, now: datetime, *,
            auth: AuthSettings | None = None, count_account: bool = True) -> None:  # fmt: skip
    """Count a failure from the address and, for an existing account, against the account (locking it at
    the threshold)."""
    con.execute("INSERT INTO login_failures VALUES (?, ?, ?)", [now, client, name])
    if not count_account or auth is None:
        return
    if not con.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
        return
    row = con.execute("SELECT failures FROM login_state WHERE user_name = ?", [name]).fetchone()
    failures = (row[0] if row else 0) + 1
    locked_until = None
    if failures >= auth.max_failures:
        locked_until, failures = now + timedelta(minutes=auth.lockout_minutes), 0
    con.execute("DELETE FROM login_state WHERE user_name = ?", [name])
    con.execute("INSERT INTO login_state VALUES (?, ?, ?)", [name, failures, locked_until])
    if locked_until is not None:
        audit(con, name, "account_locked", {"user": name, "failures": auth.max_failures,
                                            "locked_until": locked_until}, client)  # fmt: skip
