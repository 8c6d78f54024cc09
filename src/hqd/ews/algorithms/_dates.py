"""R calendar arithmetic (seq.Date by year/month, %w weekdays) used to pick reference periods by date."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np

_EPOCH = dt.date(1970, 1, 1)


def to_days(dates: np.ndarray) -> np.ndarray:
    """Dates as int64 days since 1970-01-01, R's numeric Date representation."""
    return np.asarray(dates, dtype="datetime64[D]").astype(np.int64)


def _from_days(d: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(d))


def _to_days(d: dt.date) -> int:
    return (d - _EPOCH).days


def _normalise(year: int, month: int, day: int) -> int:
    """mktime-style normalisation as in R's seq.Date: Feb 29 of a non-leap year becomes Mar 1."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    last = calendar.monthrange(year, month)[1]
    base = dt.date(year, month, 1)
    return _to_days(base) + day - 1 if day > last else _to_days(dt.date(year, month, day))


def minus_years(day: int, years: int) -> int:
    """seq(date, by = "-1 year")[years + 1]."""
    d = _from_days(day)
    return _normalise(d.year - years, d.month, d.day)


def minus_months(day: int, months: int) -> int:
    """seq(date, by = "-1 month")[months + 1]."""
    d = _from_days(day)
    return _normalise(d.year, d.month - months, d.day)


def weekday(day: int | np.ndarray) -> int | np.ndarray:
    """R's format(x, "%w"): Sunday = 0 (1970-01-01 was a Thursday)."""
    return (day + 4) % 7


def day_of_month(day: int) -> int:
    return _from_days(day).day
