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

from ._blocks import COLS, for_column_chunks
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
_CELLS = 1 << 15  # elements per lane per block: keeps the selection network inside the CPU cache


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
    """k-th smallest values across equally-shaped arrays, elementwise (NaN-free input).

    Works in place on copies with one spare buffer, so a block allocates nothing per comparator.
    """
    work = list(lanes)
    owned = [False] * len(work)  # inputs may be views of the caller's data: never write into them
    tmp = np.empty_like(work[0])
    for a, b, need_min, need_max in _selection_network(len(work), wanted):
        if need_min and need_max:
            np.minimum(work[a], work[b], out=tmp)
            if owned[b]:
                np.maximum(work[a], work[b], out=work[b])
            else:
                work[b], owned[b] = np.maximum(work[a], work[b]), True
            if owned[a]:
                work[a], tmp = tmp, work[a]
            else:
                work[a], owned[a], tmp = tmp, True, np.empty_like(tmp)
        elif need_min:
            work[a], owned[a] = (
                (np.minimum(work[a], work[b], out=work[a]) if owned[a] else np.minimum(work[a], work[b])),
                True,
            )
        else:
            work[b], owned[b] = (
                (np.maximum(work[a], work[b], out=work[b]) if owned[b] else np.maximum(work[a], work[b])),
                True,
            )
    return [work[k] for k in wanted]


def _window_sums(yc: np.ndarray, obs: int) -> np.ndarray:
    """Sums over obs consecutive rows (row i ↔ window ending at row i+obs-1), in the narrowest exact
    dtype: int16 / float32 when counts are integers small enough, so the percentile network moves
    2-4x less memory; NaN (float64 only) propagates to every window containing it."""
    top = float(np.max(np.abs(yc), initial=0.0)) * obs
    integral = bool(np.all(yc == np.floor(yc)))
    dtype = np.int16 if integral and top < 2**15 else np.float32 if integral and top < 2**24 else np.float64
    x = yc.astype(dtype)
    m = x.shape[0] - obs + 1
    out = x[0:m].copy()
    for i in range(1, obs):
        out += x[i : i + m]
    if dtype == np.int16 and int(out.max(initial=0)) < 2**7:  # int8 halves the network's traffic again
        out = out.astype(np.int8)
    return out


def _rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """a[idx] without a copy when idx is a run of consecutive rows (the usual case)."""
    if idx[-1] - idx[0] == idx.size - 1 and (idx.size < 2 or np.all(np.diff(idx) == 1)):
        return a[idx[0] : idx[-1] + 1]
    return a[idx]


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
    ends = rng - 1
    if dates is None:
        backs = [ends - freq * yy for yy in np.arange(1, years + 1)]
    else:
        days = np.asarray(dates, dtype="datetime64[D]").astype(np.int64)
        backs = [_shift_back(days, int(yy), freq)[ends] for yy in np.arange(1, years + 1)]
    lane_idx = [b + obs * j for b in backs for j in np.arange(-half, half + 1)]
    ok = ends >= obs - 1
    for b in backs:
        ok &= b >= 0
    for li in lane_idx:
        ok &= (li >= obs - 1) & (li < n)
    lane_idx = [np.where(ok, li, obs - 1) - (obs - 1) for li in lane_idx]
    cur_idx = np.where(ok, ends, obs - 1) - (obs - 1)
    nl = len(lane_idx)
    posn = (nl - 1) * pct / 100.0
    lo = int(np.floor(posn))
    hi = min(lo + 1, nl - 1)
    frac = posn - lo
    thr = np.empty((ends.size, ncol))
    alarm = np.empty((ends.size, ncol))
    step = max(1, _CELLS // min(ncol, COLS))

    def work(cols: slice) -> None:
        win = _window_sums(y[:, cols], obs)
        has_nan = win.dtype == np.float64 and bool(np.isnan(win).any())
        for r0 in np.arange(0, ends.size, step):
            rs = slice(r0, min(r0 + step, ends.size))
            lanes = [_rows(win, li[rs]) for li in lane_idx]
            a, b = order_statistics(lanes, (lo, hi))
            a = a.astype(float)
            if frac == 0:
                t = a
            else:  # numpy's _lerp, including its t >= 0.5 form, so results equal np.percentile
                b = b.astype(float)
                diff = b - a
                t = b - diff * (1.0 - frac) if frac >= 0.5 else a + diff * frac
            if has_nan:
                bad = np.zeros(t.shape, dtype=bool)
                for lane in lanes:
                    bad |= np.isnan(lane)
                t[bad] = np.nan
            t[~ok[rs]] = np.nan
            cur = _rows(win, cur_idx[rs]).astype(float)
            cur[~ok[rs]] = np.nan
            with np.errstate(invalid="ignore"):
                hit = (cur >= t) & (cur >= 1) if inclusive else cur > t
            al = hit.astype(float)
            al[np.isnan(t) | np.isnan(cur)] = np.nan
            thr[rs, cols], alarm[rs, cols] = t, al

    if n >= obs:  # a series shorter than one window has no complete window: every point is missing
        for_column_chunks(ncol, work)
    else:
        thr.fill(np.nan)
        alarm.fill(np.nan)
    return EwsResult(
        range=rng,
        upperbound=shape_back(thr, one_d),
        alarm=shape_back(alarm, one_d),
    )
