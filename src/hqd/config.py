"""Settings read once from the environment, so every command finds the same warehouse and secret."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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
    """Where the warehouse lives, how much memory DuckDB may use, the limits on uploads, the dates a load finds plausible, and how the server and
    files are guarded.

    The upload limits bound what one request can cost the server (see hqd.web.upload and
    hqd.ingest.xlsx_guard); their defaults take a 1,000,000-row front sheet, a few hundred MB of XML.
    """

    db_path: Path
    memory_limit: str
    threads: int | None
    max_upload_mb: float = 512  # HQD_MAX_UPLOAD_MB: an upload's body, counted while it streams in
    max_body_kb: int = 1024  # HQD_MAX_BODY_KB: the body of any other request (forms, JSON)
    xlsx_max_uncompressed_mb: int = 4096  # HQD_XLSX_MAX_UNCOMPRESSED_MB: all parts of a workbook, unzipped
    xlsx_max_ratio: float = 250.0  # HQD_XLSX_MAX_RATIO: uncompressed/compressed of one entry (> 1 MiB)
    xlsx_max_total_ratio: float = 100.0  # HQD_XLSX_MAX_TOTAL_RATIO: the same over the whole workbook
    xlsx_max_entries: int = 10_000  # HQD_XLSX_MAX_ENTRIES: entries of the zip
    xlsx_max_cells: int = 200_000_000  # HQD_XLSX_MAX_CELLS: rows × columns a worksheet may declare
    csv_max_line_kb: int = 2048  # HQD_CSV_MAX_LINE_KB: one line of an uploaded CSV (DuckDB's own line limit)
    # The process reading an XLSX: calamine holds a sheet whole, about 100 bytes a cell (100,000 rows × 40
    # columns took 386 MB and 57 s on a busy 2-core machine), so a 1,000,000-row front sheet needs some GB.
    worker_memory_mb: int = 8192  # HQD_UPLOAD_WORKER_MEMORY_MB: its address space (RLIMIT_AS)
    worker_seconds: int = 900  # HQD_UPLOAD_WORKER_SECONDS: the time it may take
    auth: AuthSettings = field(default_factory=AuthSettings)
    # HQD_TRUSTED_PROXIES: comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is believed
    trusted_proxies: str = ""
    # HQD_FILE_GROUP: a group that may read the files hqd writes (0640); without it they are 0600
    file_group: str | None = None
    date_min: dt.date = dt.date(1900, 1, 1)
    date_max_days_ahead: int = 365

    @property
    def date_window(self) -> tuple[dt.date, dt.date]:
        """The dates a cell may hold (both ends included): older or later ones are typing slips (1800, 9999)."""
        return self.date_min, dt.date.today() + dt.timedelta(days=self.date_max_days_ahead)

    @property
    def secret_path(self) -> Path:
        """The pseudonymisation secret sits beside the warehouse, never inside it."""
        return self.db_path.with_name(self.db_path.name + ".secret")

    @property
    def file_mode(self) -> int:
        """The mode of every file hqd creates: owner only, or owner + the configured group reading."""
        return 0o640 if self.file_group else 0o600

    @property
    def umask(self) -> int:
        return 0o027 if self.file_group else 0o077


class SettingError(ValueError):
    """An environment setting hqd cannot use; the message is one Chinese + English sentence naming it and what
    is expected."""


def _number(name: str, default: float, kind: type = int) -> Any:
    """A positive number from the environment; a bad value is refused in one sentence, not a traceback."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise SettingError(f"环境变量 {name}={raw!r} 应为正数 / the environment variable {name}={raw!r} must be "
                           "a positive number")  # fmt: skip
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


def _date_setting(name: str, default: dt.date) -> dt.date:
    raw = os.environ.get(name, "").strip()
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        raise SettingError(
            f"环境变量 {name} 的值“{raw}”不是日期（应为 1900-01-01 这样的形式） / "
            f"{name} is '{raw}', not a date (expected e.g. 1900-01-01)"
        ) from None


def _int_setting(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        raise SettingError(
            f"环境变量 {name} 的值“{raw}”不是整数 / {name} is '{raw}', not a whole number"
        ) from None


def settings() -> Settings:
    threads = os.environ.get("HQD_THREADS")
    return Settings(
        db_path=Path(os.environ.get("HQD_DB", "hqd.duckdb")),
        memory_limit=os.environ.get("HQD_MEMORY_LIMIT", "1GB"),
        threads=int(threads) if threads else None,
        max_upload_mb=_number("HQD_MAX_UPLOAD_MB", 512, float),
        max_body_kb=_number("HQD_MAX_BODY_KB", 1024),
        xlsx_max_uncompressed_mb=_number("HQD_XLSX_MAX_UNCOMPRESSED_MB", 4096),
        xlsx_max_ratio=_number("HQD_XLSX_MAX_RATIO", 250.0, float),
        xlsx_max_total_ratio=_number("HQD_XLSX_MAX_TOTAL_RATIO", 100.0, float),
        xlsx_max_entries=_number("HQD_XLSX_MAX_ENTRIES", 10_000),
        xlsx_max_cells=_number("HQD_XLSX_MAX_CELLS", 200_000_000),
        csv_max_line_kb=_number("HQD_CSV_MAX_LINE_KB", 2048),
        worker_memory_mb=_number("HQD_UPLOAD_WORKER_MEMORY_MB", 8192),
        worker_seconds=_number("HQD_UPLOAD_WORKER_SECONDS", 900),
        auth=auth_settings(),
        trusted_proxies=os.environ.get("HQD_TRUSTED_PROXIES", ""),
        file_group=os.environ.get("HQD_FILE_GROUP") or None,
        # The plausible window of every date a file holds (older or later dates are quarantined).
        date_min=_date_setting("HQD_DATE_MIN", dt.date(1900, 1, 1)),
        date_max_days_ahead=_int_setting("HQD_DATE_MAX_DAYS_AHEAD", 365),
    )


def restrict_files(cfg: Settings | None = None) -> int:
    """Set the process umask so every file and directory hqd creates from here on (warehouse, WAL, exports,
    reports, uploads, temporary files, the secret) is private to the owner, or readable by the configured
    group. Returns the previous umask."""
    return os.umask((cfg or settings()).umask)
