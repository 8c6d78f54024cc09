"""CIDARS moving percentile method (移动百分位数法, spec §10.1), vectorised for 10^5 county×disease series.

Parameters marked [unverified] in the spec are hqd choices, exposed in the control dict:
percentile by linear interpolation (numpy default / R type 7), calendar-year shift with Feb 29 →
Feb 28 when dates are given (index shift of freq·y otherwise), strict `>` unless `inclusive`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np

from ._common import (
    EwsResult,
    as_counts,
    check_freq,
    eval_range,
    flag,
    merge_control,
    number,
    shape_back,
)

DEFAULTS: dict[str, Any] = {"obsDays": 7, "years": 3, "halfPeriods": 2, "percentile": 50, "inclusive": False}
_CELLS = 1 << 14  # elements per lane per block: keeps the selection network inside the CPU cache


@cache
def _selection_network(n: int, wanted: tuple[int, ...]) -> tuple[tuple[int, int, bool, bool], ...]:
    """Batcher odd–even merge network for n lanes, pruned to what the wanted order statistics need.

    Each entry is (a, b, need_min, need_max): comparators feeding no wanted lane are dropped and a
    comparator whose min (or max) output is never read computes only the other one.
    """
    size = 1
    while size < n:
        size *= 2
    pairs = []
    p = 1
    while p < size:
        k = p
        while k >= 1:
            for j in range(k % p, size - k, 2 * k):
                for i in range(min(k, size - j - k)):
                    a, b = i + j, i + j + k
                    if (a // (2 * p)) == (b // (2 * p)) and b < n:
                        pairs.append((a, b))
            k //= 2
        p *= 2
    needed = set(wanted)
    kept = []
    for a, b in reversed(pairs):
        need_min, need_max = a in needed, b in needed
        if need_min or need_max:
            kept.append((a, b, need_min, need_max))
            needed |= {a, b}
    return tuple(reversed(kept))


def order_statistics(lanes: list[np.ndarray], wanted: tuple[int, ...]) -> list[np.ndarray]:
    """k-th smallest values across equally-shaped arrays, elementwise (NaN-free input)."""
    lanes = list(lanes)
    for a, b, need_min, need_max in _selection_network(len(lanes), wanted):
        lo = np.minimum(lanes[a], lanes[b]) if need_min else None
        if need_max:
            lanes[b] = np.maximum(lanes[a], lanes[b])
        if need_min:
            lanes[a] = lo
    return [lanes[k] for k in wanted]


def _shift_back(days: np.ndarray, years: int, freq: int) -> np.ndarray:
    """0-based index of each date moved back `years` calendar years (Feb 29 → Feb 28); -1 if absent."""
    pos = {int(d): i for i, d in enumerate(days)}
    out = np.full(days.size, -1, dtype=np.int64)
    epoch = dt.date(1970, 1, 1)
    for i, d in enumerate(days):
        day = epoch + dt.timedelta(days=int(d))
        try:
            back = day.replace(year=day.year - years)
        except ValueError:
            back = day.replace(year=day.year - years, day=28)
        target = (back - epoch).days
        if freq == 52:  # weekly: the week of the same weekday nearest to the calendar date
            target += ((int(d) - target + 3) % 7) - 3
        out[i] = pos.get(target, -1)
    return out


def _validate(ctl: dict[str, Any]) -> tuple[int, int, int, float, bool]:
    return (
        int(number(ctl, "obsDays", lo=1, integer=True)),
        int(number(ctl, "years", lo=1, integer=True)),
        int(number(ctl, "halfPeriods", lo=0, integer=True)),
        number(ctl, "percentile", lo=0, hi=100),
        flag(ctl, "inclusive"),
    )


def mpm(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 365,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
    **_: Any,
) -> EwsResult:
    """Moving percentile: current obsDays-sum vs the P-th percentile of years×(2·halfPeriods+1) past sums."""
    y, one_d = as_counts(counts)
    n, ncol = y.shape
    freq = check_freq(freq)
    obs, years, half, pct, inclusive = _validate(merge_control("mpm", DEFAULTS, control))
    span = freq * years + obs * (half + 1)
    rng = eval_range(range, n, min(span, n))
    zero = np.zeros((1, ncol))
    csum = np.concatenate([zero, np.cumsum(np.nan_to_num(y), axis=0)])
    cnan = np.concatenate([zero, np.cumsum(np.isnan(y), axis=0)])
    win = np.full((n, ncol), np.nan)  # win[e] = sum y[e-obs+1 .. e] (0-based)
    win[obs - 1 :] = csum[obs:] - csum[:-obs]
    win[obs - 1 :][(cnan[obs:] - cnan[:-obs]) > 0] = np.nan
    ends = rng - 1
    if dates is None:
        backs = [ends - freq * yy for yy in np.arange(1, years + 1)]
    else:
        days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
        backs = [_shift_back(days, int(yy), freq)[ends] for yy in np.arange(1, years + 1)]
    lane_idx = [b + obs * j for b in backs for j in np.arange(-half, half + 1)]
    ok = np.ones(ends.size, dtype=bool)
    for b in backs:
        ok &= b >= 0
    for li in lane_idx:
        ok &= (li >= obs - 1) & (li < n)
    lane_idx = [np.where(ok, li, obs - 1) for li in lane_idx]
    nl = len(lane_idx)
    posn = (nl - 1) * pct / 100.0
    lo = int(np.floor(posn))
    hi = min(lo + 1, nl - 1)
    frac = posn - lo
    finite = win[np.isfinite(win)]
    integral = bool(np.all(finite == np.floor(finite)))
    dtype = np.float32 if integral and float(np.max(np.abs(finite), initial=0.0)) < 2**24 else np.float64
    thr = np.empty((ends.size, ncol))
    step = max(1, _CELLS // ncol)
    for r0 in np.arange(0, ends.size, step):
        rows = slice(r0, r0 + step)
        lanes = [win[li[rows]].astype(dtype) for li in lane_idx]
        bad = np.zeros(lanes[0].shape, dtype=bool)
        for lane in lanes:
            bad |= np.isnan(lane)
        a, b = order_statistics(lanes, (lo, hi))
        a, b = a.astype(float), b.astype(float)
        diff = b - a  # numpy's _lerp, including its t >= 0.5 form, so results equal np.percentile
        t = np.where(frac >= 0.5, b - diff * (1.0 - frac), a + diff * frac)
        t[bad] = np.nan
        thr[rows] = t
    thr[~ok] = np.nan
    cur = win[ends]
    with np.errstate(invalid="ignore"):
        hit = (cur >= thr) & (cur >= 1) if inclusive else cur > thr
    alarm = np.where(np.isnan(thr) | np.isnan(cur), np.nan, hit.astype(float))
    return EwsResult(
        range=rng,
        upperbound=shape_back(thr, one_d),
        alarm=shape_back(alarm, one_d),
        extra={"current": shape_back(cur, one_d)},
    )
