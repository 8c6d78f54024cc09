"""Settings read once from the environment, so every command finds the same warehouse and secret."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the warehouse lives, how much memory DuckDB may use, and which dates a load finds plausible."""

    db_path: Path
    memory_limit: str
    threads: int | None
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


class SettingError(ValueError):
    """A setting in the environment that cannot be read; the message says which and what is expected."""


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
        # The plausible window of every date a file holds (older or later dates are quarantined).
        date_min=_date_setting("HQD_DATE_MIN", dt.date(1900, 1, 1)),
        date_max_days_ahead=_int_setting("HQD_DATE_MAX_DAYS_AHEAD", 365),
    )
