"""Settings read once from the environment, so every command finds the same warehouse and secret."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AuthSettings:
    """Login throttling and session lifetimes (等保三级 身份鉴别); each from an HQD_* variable."""

    max_failures: int = 5  # HQD_LOGIN_MAX_FAILURES: failed logins of one account before it locks
    lockout_minutes: int = 15  # HQD_LOCKOUT_MINUTES: how long the lock lasts (an admin may unlock earlier)
    address_max_failures: int = 20  # HQD_ADDRESS_MAX_FAILURES: failures from one address within the window
    address_window_minutes: int = 15  # HQD_ADDRESS_WINDOW_MINUTES: the window, and how long it is refused
    idle_minutes: int = 30  # HQD_SESSION_IDLE_MINUTES: a session unused this long ends
    absolute_hours: float = 8  # HQD_SESSION_HOURS: a session ends this long after login, used or not


@dataclass(frozen=True)
class Settings:
    """Where the warehouse lives and how much memory DuckDB may use."""

    db_path: Path
    memory_limit: str
    threads: int | None
    auth: AuthSettings = field(default_factory=AuthSettings)

    @property
    def secret_path(self) -> Path:
        """The pseudonymisation secret sits beside the warehouse, never inside it."""
        return self.db_path.with_name(self.db_path.name + ".secret")


def _number(name: str, default: float, kind: type = int) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SystemExit(f"环境变量 {name}={raw} 不是数字 / {name}={raw} is not a number") from None
    if value <= 0:
        raise SystemExit(f"环境变量 {name} 须大于0 / {name} must be greater than 0")
    return value


def auth_settings() -> AuthSettings:
    d = AuthSettings()
    return AuthSettings(
        max_failures=int(_number("HQD_LOGIN_MAX_FAILURES", d.max_failures)),
        lockout_minutes=int(_number("HQD_LOCKOUT_MINUTES", d.lockout_minutes)),
        address_max_failures=int(_number("HQD_ADDRESS_MAX_FAILURES", d.address_max_failures)),
        address_window_minutes=int(_number("HQD_ADDRESS_WINDOW_MINUTES", d.address_window_minutes)),
        idle_minutes=int(_number("HQD_SESSION_IDLE_MINUTES", d.idle_minutes)),
        absolute_hours=float(_number("HQD_SESSION_HOURS", d.absolute_hours, float)),
    )


def settings() -> Settings:
    threads = os.environ.get("HQD_THREADS")
    return Settings(
        db_path=Path(os.environ.get("HQD_DB", "hqd.duckdb")),
        memory_limit=os.environ.get("HQD_MEMORY_LIMIT", "1GB"),
        threads=int(threads) if threads else None,
        auth=auth_settings(),
    )
