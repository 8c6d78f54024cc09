"""EARS C1/C2/C3 as surveillance::earsC computes them (spec §2), vectorised across series for scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from ._blocks import for_column_chunks
from ._common import EwsResult, as_counts, eval_range, fail, merge_control, number, shape_back

DEFAULTS: dict[str, Any] = {"alpha": None, "baseline": 7, "minSigma": 0.0}
_LAG = {"C1": 0, "C2": 2, "C3": 4}
_CHUNK_CELLS = 1 << 16  # rows × series per block: temporaries stay in cache for the 10^8-cell scale run


def rolling_mean_sd(
    y: np.ndarray, width: int, first_end: int, last_end: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample SD of y[..., e-width+1 .. e] (time on the LAST axis, 0-based) for e = first_end..last_end.

    Integer-valued counts use exact integer sums (cumulative sums are exact below 2^53), which
    equals R's two-pass result to the last bit or so and keeps a constant window's SD exactly 0.
    Other data fall back to the two-pass formula on a strided view.  NaN anywhere in a window → NaN.
    """
    seg = y[:, first_end - width + 1 : last_end + 1]
    nan = np.isnan(seg)
    has_nan = bool(nan.any())
    clean = np.where(nan, 0.0, seg) if has_nan else seg
    zero = np.zeros((seg.shape[0], 1))
    c1 = np.concatenate([zero, np.cumsum(clean, axis=1)], axis=1)
    c2 = np.concatenate([zero, np.cumsum(clean * clean, axis=1)], axis=1)
    integral = float(np.max(c2[:, -1], initial=0.0)) * width < 2.0**52 and bool(
        np.all(clean == np.floor(clean))
    )
    if integral:
        s1 = c1[:, width:] - c1[:, :-width]
        s2 = c2[:, width:] - c2[:, :-width]
        mean = s1 / width
        sd = np.sqrt(np.maximum(width * s2 - s1 * s1, 0.0) / (width * (width - 1.0)))
    else:
        win = np.lib.stride_tricks.sliding_window_view(clean, width, axis=1)
        mean = win.mean(axis=2)
        sd = win.std(axis=2, ddof=1)
    if has_nan:
        cn = np.concatenate([np.zeros((seg.shape[0], 1)), np.cumsum(nan, axis=1)], axis=1)
        bad = (cn[:, width:] - cn[:, :-width]) > 0
        mean[bad] = np.nan
        sd[bad] = np.nan
    return mean, sd


def _rmax0(x: np.ndarray) -> np.ndarray:
    """pmax(0, x) keeping NaN, unlike Python's max."""
    return np.where(np.isnan(x), np.nan, np.maximum(x, 0.0))


def _block(y: np.ndarray, rng: np.ndarray, method: str, base: int, min_sigma: float, z: float) -> np.ndarray:
    """Upper bounds (series, range) for a contiguous range; y is (series, time)."""
    if method == "C1":
        m, s = rolling_mean_sd(y, base, rng[0] - 2, rng[-1] - 2)
        return m + z * np.maximum(s, min_sigma)
    first = rng[0] - 2 if method == "C3" else rng[0]
    m, s = rolling_mean_sd(y, base, first - 4, rng[-1] - 4)
    s = np.maximum(s, min_sigma)
    if method == "C2":
        return m + z * s
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = (y[:, first - 1 : rng[-1]] - m) / s
        p2 = _rmax0(c2[:, :-2] - 1.0)
        p1 = _rmax0(c2[:, 1:-1] - 1.0)
        return _rmax0(y[:, rng[0] - 1 : rng[-1]] + s[:, 2:] * (z - (p2 + p1)))


def ears(
    counts: np.ndarray,
    method: str,
    *,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
) -> EwsResult:
    """One EARS method over every column; alarm is the strict y > upperbound, NA where the bound is NA."""
    y, one_d = as_counts(counts)
    n, ncol = y.shape
    ctl = merge_control(f"ears{method}", DEFAULTS, control)
    base = int(number(ctl, "baseline", lo=3, integer=True))
    min_sigma = number(ctl, "minSigma", lo=0)
    if ctl["alpha"] is None:
        ctl["alpha"] = 0.025 if method == "C3" else 0.001
    alpha = number(ctl, "alpha", lo=0, hi=1, lo_open=True, hi_open=True)
    max_lag = base + _LAG[method]
    rng = eval_range(range, n, max_lag + 1)
    if rng[0] - max_lag < 1:
        raise fail(
            f"序列太短：ears{method} 在 t={rng[0]} 需要前 {max_lag} 期数据",
            f"series too short: ears{method} at t={rng[0]} needs {max_lag} earlier periods",
        )
    z = float(special.ndtri(1.0 - alpha))
    span = np.arange(rng[0], rng[-1] + 1)
    ub = np.empty((span.size, ncol))
    alarm = np.empty((span.size, ncol))
    lo = span[0] - max_lag - 1  # first needed row, 0-based
    step = max(1, _CHUNK_CELLS // (span[-1] - lo))

    def work(cols: slice) -> None:
        for c0 in np.arange(cols.start, cols.stop, step):
            cc = slice(c0, min(c0 + step, cols.stop))
            yt = np.ascontiguousarray(y[lo : span[-1], cc].T)  # (series, time): contiguous along time
            u = _block(yt, span - lo, method, base, min_sigma, z)
            obs = yt[:, span[0] - 1 - lo :]
            with np.errstate(invalid="ignore"):
                al = np.where(np.isnan(u) | np.isnan(obs), np.nan, obs > u)
            ub[:, cc] = u.T
            alarm[:, cc] = al.T

    for_column_chunks(ncol, work)
    if span.size != rng.size:
        ub, alarm = ub[rng - rng[0]], alarm[rng - rng[0]]
    return EwsResult(range=rng, upperbound=shape_back(ub, one_d), alarm=shape_back(alarm, one_d))


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
