"""Periods as analysts write them (2024, 2024Q1, 2024-03): their bounds, their parts and the one before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    text: str
    kind: str  # year | quarter | month
    start: date
    end: date  # exclusive

    @property
    def year(self) -> int:
        return self.start.year

    def previous(self) -> Period:
        """The same span one year earlier (growth indicators compare with the previous year's period)."""
        if self.kind == "year":
            return parse(str(self.year - 1))
        if self.kind == "quarter":
            return parse(f"{self.year - 1}Q{(self.start.month - 1) // 3 + 1}")
        return parse(f"{self.year - 1}-{self.start.month:02d}")

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def sub_periods(self) -> list[str]:
        """Every period text reported values may carry that lies inside this one (itself included)."""
        out = [self.text]
        if self.kind == "year":
            out += [f"{self.year}Q{q}" for q in range(1, 5)]
        if self.kind in ("year", "quarter"):
            last = 12 if self.kind == "year" else self.start.month + 2
            out += [f"{self.year}-{m:02d}" for m in range(self.start.month, last + 1)]
        return out


def parse(text: str) -> Period:
    text = text.strip()
    if m := _YEAR.match(text):
        y = int(m[1])
        return Period(text, "year", date(y, 1, 1), date(y + 1, 1, 1))
    if m := _QUARTER.match(text.upper()):
        y, q = int(m[1]), int(m[2])
        start = date(y, 3 * q - 2, 1)
        end = date(y + 1, 1, 1) if q == 4 else date(y, 3 * q + 1, 1)
        return Period(f"{y}Q{q}", "quarter", start, end)
    if m := _MONTH.match(text):
        y, mo = int(m[1]), int(m[2])
        end = date(y + 1, 1, 1) if mo == 12 else date(y, mo + 1, 1)
        return Period(text, "month", date(y, mo, 1), end)
    raise PeriodError(
        f"统计期“{text}”无效，应为 2024、2024Q1 或 2024-03 / period '{text}' is invalid; use 2024, 2024Q1 or 2024-03"
    )
