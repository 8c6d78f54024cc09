"""Original Farrington (1996) as surveillance::farrington / algo.farrington computes it (spec §4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from . import _dates
from ._common import (
    EPS,
    EwsResult,
    as_counts,
    check_freq,
    choice,
    eval_range,
    fail,
    flag,
    limit54,
    limit54_enough,
    merge_control,
    number,
    shape_back,
)
from .glm import fit_reweighted, glm_fit, pad_batch, pearson, predict_link, pvalue, single_thread_blas, subset

DEFAULTS: dict[str, Any] = {
    "b": 5,
    "w": 3,
    "reweight": True,
    "alpha": 0.05,
    "trend": True,
    "limit54": (5, 4),
    "powertrans": "2/3",
    "fitFun": "algo.farrington.fitGLM.fast",
}
POWERTRANS = ("2/3", "1/2", "none")


def delta_threshold(
    mu0: np.ndarray, se_fit: np.ndarray, phi: np.ndarray, powertrans: str, z: float
) -> np.ndarray:
    """Upper end of the power-transformed interval, with R's sort(na.last=FALSE) quirk on NaN ends."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = phi + se_fit**2 / mu0
        if powertrans == "none":
            se, e = np.sqrt(mu0 * tau), 1.0
        elif powertrans == "1/2":
            se, e = np.sqrt(0.25 * tau), 0.5
        else:
            se, e = np.sqrt(4.0 / 9.0 * np.power(mu0, 1.0 / 3.0) * tau), 2.0 / 3.0
        lower = np.power(np.power(mu0, e) - z * se, 1.0 / e)
        upper = np.power(np.power(mu0, e) + z * se, 1.0 / e)
    # sort(c(lower, upper), na.last = FALSE)[2]: a NaN end goes first, so [2] is the other one.
    return np.where(np.isnan(upper), lower, np.where(np.isnan(lower), upper, np.maximum(lower, upper)))


def reference_index(k: int, n: int, freq: int, b: int, w: int) -> np.ndarray:
    """Index-mode reference weeks k - freq*i + d (oldest year first), dropping indices < 1 as R does."""
    j = np.array([k - freq * i + d for i in range(b, 0, -1) for d in range(-w, w + 1)])
    return j[j >= 1]


def reference_dates(t0: int, freq: int, b: int, w: int, pos: Mapping[int, int]) -> np.ndarray:
    """refvalIdxByDate: same period of past years by calendar, snapped to t0's weekday/day of month."""
    days = []
    for i in range(1, b + 1):
        ref = _dates.minus_years(t0, i)
        for d in range(-w, w + 1):
            if freq == 52:
                c = ref + 7 * d
                fwd = (_dates.weekday(t0) - _dates.weekday(c)) % 7
                bwd = (_dates.weekday(c) - _dates.weekday(t0)) % 7
                c = c + (fwd if fwd < bwd else -bwd)
            elif freq == 12:
                c = _dates.minus_months(ref, -d)
                c = c - (_dates.day_of_month(c) - _dates.day_of_month(t0))
            else:
                c = ref + d
            days.append(c)
    return np.array([pos[c] for c in days if c in pos], dtype=np.int64)


def _validate(ctl: dict[str, Any]) -> tuple[int, int, float, bool, bool, tuple[float, int], str]:
    b = int(number(ctl, "b", lo=1, integer=True))
    w = int(number(ctl, "w", lo=0, integer=True))
    alpha = number(ctl, "alpha", lo=0, hi=1, lo_open=True, hi_open=True)
    choice(ctl, "fitFun", ("algo.farrington.fitGLM.fast",))
    return (
        b,
        w,
        alpha,
        flag(ctl, "reweight"),
        flag(ctl, "trend"),
        limit54(ctl),
        choice(ctl, "powertrans", POWERTRANS),
    )


def farrington(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 52,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
) -> EwsResult:
    """Farrington et al. (1996) with surveillance's 'fast' fit; upperbound 0 (not NA) when < limit54 cases."""
    with single_thread_blas():
        return _farrington_impl(counts, dates=dates, freq=freq, range=range, control=control)


def _farrington_impl(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 52,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
) -> EwsResult:
    """Implementation; see the public wrapper."""
    y, one_d = as_counts(counts)
    n, ncol = y.shape
    freq = check_freq(freq)
    ctl = merge_control("farrington", DEFAULTS, control)
    b, w, alpha, reweight, trend, (l54c, l54p), powertrans = _validate(ctl)
    rng = eval_range(range, n, freq * b - w)
    days = None if dates is None else _dates.to_days(np.asarray(dates))
    pos = {} if days is None else {int(d): i + 1 for i, d in reversed(list(enumerate(days)))}
    refs = []
    for k in rng:
        j = (
            reference_index(int(k), n, freq, b, w)
            if days is None
            else reference_dates(int(days[k - 1]), freq, b, w, pos)
        )
        if j.size == 0:
            raise fail(f"时间点 {k} 没有可用的参考期", f"time point {k} has no reference periods")
        refs.append(j)
    members = [(c, ri, refs[ri]) for c in np.arange(ncol) for ri in np.arange(rng.size)]
    xs = [np.column_stack([np.ones(j.size), j.astype(float)]) for _, _, j in members]
    ys = [y[j - 1, c] for c, _, j in members]
    if any(np.isnan(v).any() for v in ys):
        raise fail(
            "参考期内有缺失计数，farrington 无法拟合",
            "farrington cannot fit reference periods with missing counts",
        )
    x2, yy, valid, _ = pad_batch(xs, ys)
    kk = np.array([float(rng[ri]) for _, ri, _ in members])
    ymax = np.array([v.max() for v in ys])
    n_mem = len(members)
    keep = np.zeros(n_mem, dtype=bool)
    mu0 = np.full(n_mem, np.nan)
    se_link = np.full(n_mem, np.nan)
    phi = np.full(n_mem, np.nan)
    if trend:
        m1 = glm_fit(x2, yy, valid.astype(float))
        t_idx = np.flatnonzero(m1.converged)
        if t_idx.size:
            mt, phi_t = fit_reweighted(
                x2[t_idx], yy[t_idx], valid[t_idx], 1.0, reweight, first=subset(m1, t_idx)
            )
            pv = pvalue(mt, 1, pearson(mt, mt.w_work))
            mu_hat = np.maximum(np.exp(mt.beta[:, 0] + mt.beta[:, 1] * kk[t_idx]), EPS)
            ok = (b >= 3) & (pv < 0.05) & (mu_hat <= ymax[t_idx])
            sel = t_idx[ok]
            keep[sel] = True
            x0 = np.column_stack([np.ones(sel.size), kk[sel]])
            mt_ok = subset(mt, np.flatnonzero(ok))
            eta0, se_link[sel] = predict_link(mt_ok, x0, phi_t[ok])
            mu0[sel] = np.maximum(np.exp(eta0), EPS)
            phi[sel] = phi_t[ok]
    rest = np.flatnonzero(~keep)
    if rest.size:
        mn, phi_n = fit_reweighted(x2[rest][:, :, :1], yy[rest], valid[rest], 1.0, reweight)
        eta0, se_link[rest] = predict_link(mn, np.ones((rest.size, 1)), phi_n)
        mu0[rest] = np.maximum(np.exp(eta0), EPS)
        phi[rest] = phi_n
    upper = delta_threshold(mu0, se_link * mu0, phi, powertrans, float(special.ndtri(1.0 - alpha / 2.0)))
    enough = limit54_enough(y, rng, l54c, l54p)
    ub = np.full((rng.size, ncol), np.nan)
    trend_flag = np.zeros((rng.size, ncol))
    expected = np.zeros((rng.size, ncol))
    for m_i, (c, ri, _) in enumerate(members):
        ub[ri, c], trend_flag[ri, c], expected[ri, c] = upper[m_i], keep[m_i], mu0[m_i]
    obs = y[rng - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(enough == 1, (obs - expected) / (ub - expected), 0.0)
    alarm = np.where(np.isnan(score), np.nan, (score > 1).astype(float))
    ub = np.where(enough == 1, ub, 0.0)
    ub[np.isnan(enough)] = np.nan
    alarm[np.isnan(enough)] = np.nan
    return EwsResult(
        range=rng,
        upperbound=shape_back(ub, one_d),
        alarm=shape_back(alarm, one_d),
        extra={"expected": shape_back(expected, one_d), "trend": shape_back(trend_flag, one_d)},
    )
