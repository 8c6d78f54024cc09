"""The linear trend of a target's values projected to its deadline, with a prediction interval."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

from hqd.indicators.periods import Period


def year_of(d: date) -> float:
    start = date(d.year, 1, 1)
    return d.year + (d - start).days / (date(d.year + 1, 1, 1) - start).days


def midpoint(p: Period) -> float:
    """A period's middle in fractional years (2024 → 2024.5)."""
    return (year_of(p.start) + year_of(p.end)) / 2.0


@dataclass(frozen=True)
class Fit:
    n: int
    slope: float  # per year
    value: float  # projected at the deadline
    se: float | None  # standard error of a new observation there (None with fewer than 3 points)
    df: int

    def interval(self, level: float) -> tuple[float, float] | None:
        if self.se is None:
            return None
        half = float(stats.t.ppf(0.5 + level / 2.0, self.df)) * self.se
        return self.value - half, self.value + half

    def p_at_least(self, threshold: float) -> float | None:
        """P(value at the deadline ≥ threshold) under the trend and its residual spread."""
        if self.se is None:
            return None
        if self.se == 0:
            return 1.0 if self.value >= threshold else 0.0
        return float(stats.t.sf((threshold - self.value) / self.se, self.df))


def project(xs: list[float], ys: list[float], at: float) -> Fit | None:
    """Ordinary least squares y = a + b·x; the projection at `at`; None with fewer than two points."""
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    n = len(x)
    if n < 2 or np.ptp(x) == 0:
        return None
    xbar = x.mean()
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xbar)
    value = intercept + slope * at
    if n < 3:
        return Fit(n, slope, value, None, 0)
    resid = y - (intercept + slope * x)
    s = float(np.sqrt((resid**2).sum() / (n - 2)))
    se = s * float(np.sqrt(1.0 + 1.0 / n + (at - xbar) ** 2 / sxx))
    return Fit(n, slope, value, se, n - 2)
