"""EARS C1/C2/C3 as surveillance::earsC computes them (spec §2), vectorised across series for scale.

The three methods share one rolling mean/SD (C2's window is C1's shifted by two, C3 is built from
C2), so `ears_all` computes all of them in one pass over the data for national daily runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from ._blocks import for_column_chunks
from ._common import EwsResult, as_counts, eval_range, fail, merge_control, number, shape_back

DEFAULTS: dict[str, Any] = {"alpha": None, "baseline": 7, "minSigma": 0.0}
METHODS = ("C1", "C2", "C3")
_LAG = {"C1": 0, "C2": 2, "C3": 4}
_ROWS = 128  # time rows per block (× up to 1024 series): every temporary stays in cache


def window_sum(x: np.ndarray, width: int) -> np.ndarray:
    """Sums over `width` consecutive rows (row i ↔ x[i .. i+width-1]) by binary doubling: log2(width)
    + popcount(width) additions instead of width - 1, each over the whole block."""
    n = x.shape[0] - width + 1
    out = None
    pos = 0  # rows of the window already covered
    power, p = x, 1  # power[i] = sum x[i .. i+p-1]
    rem = width
    while rem:
        if rem & 1:
            part = power[pos : pos + n]
            out = part.copy() if out is None else np.add(out, part, out=out)
            pos += p
        rem >>= 1
        if rem:
            power = power[:-p] + power[p:]
            p *= 2
    return out


def window_stats(x: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Mean and sample SD over x[i .. i+width-1] along axis 0 for every i, and whether x is NaN-free.

    Integer-valued counts use window sums and var = (w·Σx² − (Σx)²) / (w(w−1)), exact in integers,
    so it equals R's two-pass result to the last bit or so (a constant window's SD is exactly 0).
    Other data use the two-pass formula like R; NaN anywhere in a window gives NaN.
    """
    integral = bool(np.all(x == np.floor(x)))  # False if any NaN
    if integral and float(np.max(x, initial=0.0)) ** 2 * width * width < 2.0**52:
        s1 = window_sum(x, width)
        s2 = window_sum(x * x, width)
        mean = s1 / width
        s2 *= width
        s1 *= s1
        s2 -= s1
        np.maximum(s2, 0.0, out=s2)
        s2 /= width * (width - 1.0)
        return mean, np.sqrt(s2, out=s2), True
    win = np.lib.stride_tricks.sliding_window_view(x, width, axis=0)
    return win.mean(axis=-1), win.std(axis=-1, ddof=1), not bool(np.isnan(x).any())


def _alarm(obs: np.ndarray, ub: np.ndarray, may_nan: bool) -> np.ndarray:
    """R's observed > upperbound: NA when either side is NA (checked only when NaN is possible)."""
    out = (obs > ub).astype(float)
    if may_nan:
        bad = np.isnan(ub) | np.isnan(obs)
        if bad.any():
            out[bad] = np.nan
    return out


def _kernel(
    x: np.ndarray,
    rows: int,
    base: int,
    min_sigma: float,
    z: dict[str, float],
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Bounds and alarms for the last `rows` time points of x (time × series), which starts base+6
    rows earlier (the C3 history).  Window statistics index e ↔ window x[e .. e+base-1]."""
    mean, sd, clean = window_stats(x[:-1], base)  # windows ending at most one row before the last
    if min_sigma > 0:
        sd = np.maximum(sd, min_sigma)
    h = base + 6  # x row of the first evaluated time point
    obs = x[h:]
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for m in z:
        if m == "C1":  # window y[t-base .. t-1] starts at row t-base
            ub = mean[h - base : h - base + rows] + z[m] * sd[h - base : h - base + rows]
        elif m == "C2":  # window y[t-base-2 .. t-3]
            ub = mean[h - base - 2 : h - base - 2 + rows] + z[m] * sd[h - base - 2 : h - base - 2 + rows]
        else:
            lo = h - base - 4  # C2 statistics of times t-2, t-1, t start here
            m2, s2 = mean[lo : lo + rows + 2], sd[lo : lo + rows + 2]
            with np.errstate(divide="ignore", invalid="ignore"):
                c2 = (x[h - 2 :] - m2) / s2
                c2 -= 1.0
                np.maximum(c2, 0.0, out=c2)  # pmax(0, .) — np.maximum keeps NaN like R
                part = c2[:-2] + c2[1:-1]
                ub = obs + s2[2:] * (z[m] - part)
            np.maximum(ub, 0.0, out=ub)
        out[m] = (ub, _alarm(obs, ub, m == "C3" or not clean or bool(np.isnan(obs).any())))
    return out


def _setup(
    y: np.ndarray,
    methods: Sequence[str],
    range_: Any,
    control: Mapping[str, Any] | None,
) -> tuple[np.ndarray, int, float, dict[str, float]]:
    n = y.shape[0]
    name = "ears" + "/".join(methods)
    ctl = merge_control(name, DEFAULTS, control)
    base = int(number(ctl, "baseline", lo=3, integer=True))
    min_sigma = number(ctl, "minSigma", lo=0)
    z = {}
    for m in methods:
        c = dict(ctl)
        if c["alpha"] is None:
            c["alpha"] = 0.025 if m == "C3" else 0.001
        z[m] = float(special.ndtri(1.0 - number(c, "alpha", lo=0, hi=1, lo_open=True, hi_open=True)))
    max_lag = base + max(_LAG[m] for m in methods)
    rng = eval_range(range_, n, max_lag + 1)
    if rng[0] - max_lag < 1:
        raise fail(
            f"序列太短：ears{'/'.join(methods)} 在 t={rng[0]} 需要前 {max_lag} 期数据",
            f"series too short: ears{'/'.join(methods)} at t={rng[0]} needs {max_lag} earlier periods",
        )
    return rng, base, min_sigma, z


def ears_all(
    counts: np.ndarray,
    *,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
    methods: Sequence[str] = METHODS,
) -> dict[str, EwsResult]:
    """Several EARS methods over every column from one set of window statistics (alpha per R default)."""
    y, one_d = as_counts(counts)
    ncol = y.shape[1]
    rng, base, min_sigma, z = _setup(y, methods, range, control)
    span = np.arange(rng[0], rng[-1] + 1)
    ub = {m: np.empty((span.size, ncol)) for m in methods}
    al = {m: np.empty((span.size, ncol)) for m in methods}
    pad = base + 6

    def work(cols: slice) -> None:
        for r0 in np.arange(0, span.size, _ROWS):
            t0, t1 = span[r0], span[min(r0 + _ROWS, span.size) - 1]
            lo = t0 - 1 - pad  # 0-based row of the oldest value any method needs
            if lo < 0:  # short history: pad with NaN rows, which only methods that need them see
                x = np.vstack([np.full((-lo, cols.stop - cols.start), np.nan), y[:t1, cols]])
            else:
                x = y[lo:t1, cols]
            for m, (u, a) in _kernel(x, t1 - t0 + 1, base, min_sigma, z).items():
                ub[m][r0 : r0 + u.shape[0], cols] = u
                al[m][r0 : r0 + u.shape[0], cols] = a

    for_column_chunks(ncol, work)
    pick = rng - rng[0]
    whole = span.size == rng.size
    return {
        m: EwsResult(
            range=rng,
            upperbound=shape_back(ub[m] if whole else ub[m][pick], one_d),
            alarm=shape_back(al[m] if whole else al[m][pick], one_d),
        )
        for m in methods
    }


def ears(
    counts: np.ndarray,
    method: str,
    *,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
) -> EwsResult:
    """One EARS method over every column; alarm is the strict y > upperbound, NA where the bound is NA."""
    return ears_all(counts, range=range, control=control, methods=(method,))[method]


def _entry(method: str):
    def run(
        counts: np.ndarray,
        *,
        dates: Sequence[Any] | np.ndarray | None = None,
        freq: int = 52,
        range: Sequence[int] | np.ndarray | None = None,
        control: Mapping[str, Any] | None = None,
        **_: Any,
    ) -> EwsResult:
        return ears(counts, method, range=range, control=control)

    run.__name__ = f"ears{method}"
    run.__doc__ = f"EARS {method}; dates and freq are accepted for a uniform registry signature but unused."
    return run


earsC1 = _entry("C1")
earsC2 = _entry("C2")
earsC3 = _entry("C3")
