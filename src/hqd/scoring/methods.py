"""How one indicator's values become scores from 0 to 100: pure functions over arrays, named in the schemes."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

TIE_DECIMALS = 9  # values equal to 9 decimals are ties (1/3 and 2/6 of a ratio must tie)


def ranks(keys: np.ndarray) -> np.ndarray:
    """Rank 1 for the smallest key; equal keys share the better (smaller) rank."""
    k = np.round(np.asarray(keys, dtype=float), TIE_DECIMALS)
    return np.searchsorted(np.sort(k), k, side="left") + 1


def rank_score(rank: np.ndarray, n: int) -> np.ndarray:
    """s = 100 × (1 − (r − 1)/(N − 1)); a group of one scores 100 (no peer does better)."""
    if n <= 1:
        return np.full(len(rank), 100.0)
    return 100.0 * (1.0 - (rank - 1) / (n - 1))


def percentile_rank(values: np.ndarray, direction: str) -> np.ndarray:
    """Direction-aware percentile-rank score of every value among all of them."""
    keys = -values if direction == "higher" else values
    return rank_score(ranks(keys), len(values))


def median_distance(values: np.ndarray) -> np.ndarray:
    """For 监测比较: the percentile-rank score of the distance from the peers' median (closer is better)."""
    return rank_score(ranks(np.abs(values - np.median(values))), len(values))


def standard(
    values: np.ndarray, direction: str, level: float | None, band: tuple[float, float] | None
) -> np.ndarray:
    """达标 scoring: 100 when the value meets the standard (or lies in the band), else 0."""
    if direction == "monitor":
        assert band is not None
        ok = (values >= band[0]) & (values <= band[1])
    elif direction == "higher":
        ok = values >= level
    else:
        ok = values <= level
    return np.where(ok, 100.0, 0.0)


def region_scores(values: np.ndarray, method: str, direction: str, level: float | None = None,
                  band: tuple[float, float] | None = None) -> np.ndarray:  # fmt: skip
    if method == "standard":
        return standard(values, direction, level, band)
    if method == "median_distance" or direction == "monitor":
        return median_distance(values)
    return percentile_rank(values, direction)


@dataclass(frozen=True)
class Distribution:
    """A loaded reference distribution: values at ascending percentiles (P10 = value below which 10% lie)."""

    percentiles: tuple[float, ...]
    values: tuple[float, ...]

    def position(self, v: float) -> tuple[float, float]:
        """The percentile span [lo, hi] of a value: one point, or the span of a run of equal percentiles.
        Linear between the loaded points, extended linearly beyond the outermost two, clipped to 0–100."""
        p, q = np.asarray(self.percentiles, float), np.asarray(self.values, float)
        same = np.isclose(q, v, rtol=0, atol=10.0**-TIE_DECIMALS)
        if same.any():
            return float(p[same].min()), float(p[same].max())
        if v < q[0] or v > q[-1]:
            return (self._extend(v, p, q, low=v < q[0]),) * 2
        i = int(np.searchsorted(q, v)) - 1
        x = p[i] + (v - q[i]) * (p[i + 1] - p[i]) / (q[i + 1] - q[i])
        return float(x), float(x)

    @staticmethod
    def _extend(v: float, p: np.ndarray, q: np.ndarray, low: bool) -> float:
        if low:
            j = int(np.argmax(q > q[0]))
            slope = (p[j] - p[0]) / (q[j] - q[0]) if q[j] > q[0] else np.inf
            return float(max(0.0, p[0] - (q[0] - v) * slope))
        j = int(np.flatnonzero(q < q[-1])[-1]) if (q < q[-1]).any() else len(q) - 1
        slope = (p[-1] - p[j]) / (q[-1] - q[j]) if q[-1] > q[j] else np.inf
        return float(min(100.0, p[-1] + (v - q[-1]) * slope))

    def value_at(self, pct: float) -> float:
        """The value at a percentile (the inverse of `position`, with the same linear extension)."""
        p, q = np.asarray(self.percentiles, float), np.asarray(self.values, float)
        if p[0] <= pct <= p[-1]:
            return float(np.interp(pct, p, q))
        if pct < p[0]:
            return float(q[0] - (p[0] - pct) * (q[1] - q[0]) / (p[1] - p[0]))
        return float(q[-1] + (pct - p[-1]) * (q[-1] - q[-2]) / (p[-1] - p[-2]))

    def score(self, v: float, direction: str) -> float:
        """0–100 for a value against the distribution; within a run of equal values the better end counts."""
        lo, hi = self.position(v)
        if direction == "higher":
            return hi
        if direction == "lower":
            return 100.0 - lo
        nearest = min(max(50.0, lo), hi)
        return 100.0 - 2.0 * abs(nearest - 50.0)

    def value_for_score(self, s: float, direction: str, side: float) -> float:
        """A value that scores `s`; for monitor indicators on the side (sign) of the median given."""
        if direction == "higher":
            return self.value_at(s)
        if direction == "lower":
            return self.value_at(100.0 - s)
        return self.value_at(50.0 + (1 if side >= 0 else -1) * (100.0 - s) / 2.0)


def distribution(points: dict[int, float]) -> Distribution | None:
    """A distribution from {percentile: value}, or None with fewer than two points or values that fall."""
    if len(points) < 2:
        return None
    ps = sorted(points)
    vs = [points[p] for p in ps]
    if any(b < a for a, b in pairwise(vs)):
        return None
    return Distribution(tuple(float(p) for p in ps), tuple(vs))
