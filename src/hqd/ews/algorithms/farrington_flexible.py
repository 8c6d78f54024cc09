"""Noufaily et al. (2013) improved Farrington exactly as surveillance::farringtonFlexible (spec §5)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import cache
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
from .farrington import POWERTRANS, delta_threshold
from .glm import (
    GlmFit,
    fit_reweighted,
    glm_fit,
    pad_batch,
    pearson,
    predict_link,
    pvalue,
    single_thread_blas,
    subset,
    tvalue,
)
from .quantiles import qnbinom, qpois

DEFAULTS: dict[str, Any] = {
    "b": 5,
    "w": 3,
    "reweight": True,
    "weightsThreshold": 2.58,
    "alpha": 0.05,
    "trend": True,
    "pThresholdTrend": 0.05,
    "limit54": (5, 4),
    "powertrans": "2/3",
    "fitFun": "algo.farrington.fitGLM.flexible",
    "populationOffset": False,
    "noPeriods": 1,
    "pastWeeksNotIncluded": None,
    "thresholdMethod": "delta",
}
METHODS = ("delta", "nbPlugin", "muan")


def _colon(a: int, b: int) -> np.ndarray:
    """R's a:b, which counts *down* when b < a (blocks() relies on this for zero-length blocks)."""
    return np.arange(a, b + 1) if b >= a else np.arange(a, b - 1, -1)


def reference_centres(k: int, freq: int, b: int, days: np.ndarray | None) -> list[int]:
    """algo.farrington.referencetimepoints: k and the same period 1..b years back (dates or indices)."""
    if days is None:
        return [k - freq * i for i in np.arange(b + 1)]
    t0 = int(days[k - 1])
    out = []
    for i in np.arange(b + 1):
        d = _dates.minus_years(t0, int(i))
        if freq == 52:
            a = d - (_dates.weekday(d) - _dates.weekday(t0))
            bb = a + (-7 if a > d else 7)
            d = bb if abs(a - d) > abs(bb - d) else a
        out.append(d)
    return out


def blocks(n: int, k: int, ref: list[int], w: int, p: int) -> np.ndarray:
    """surveillance's blocks(): labels p on the b+1 windows and 1..p-1 on the gaps between them."""
    offs, labs = _pattern(tuple(k - r for r in ref), w, p)
    f = np.full(n, np.nan)
    f[k - 1 + offs] = labs
    return f


@cache
def _pattern(rel: tuple[int, ...], w: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """blocks() relative to k (offsets <= 0 and labels); cached since only the year lengths vary."""
    span = rel[-1] + w + 1
    f = np.full(span, np.nan)  # f[i] is time k - span + 1 + i
    at = span - 1  # position of k
    f[at - w : at + 1] = p
    for i in np.arange(1, len(rel)):
        rw = at - rel[i]
        f[rw - w : rw + w + 1] = p
        if p != 1:
            period = (at - rel[i - 1]) - 2 * w - 1 - rw
            if period < p - (2 * w + 1):
                raise fail(
                    "noPeriods 过大，参考期之间放不下这么多因子水平",
                    "noPeriods is too big: the factor levels do not fit between reference windows",
                )
            lengths = np.full(p - 1, period // (p - 1))
            lengths[: period % (p - 1)] += 1
            cum = np.concatenate([[0], np.cumsum(lengths)])
            for j in np.arange(1, p):
                f[_colon(rw + w + 1 + cum[j - 1], rw + w + 1 + cum[j] - 1)] = j
    keep = np.flatnonzero(~np.isnan(f))
    return keep - at, f[keep]


def _validate(ctl: dict[str, Any]) -> dict[str, Any]:
    out = {
        "b": int(number(ctl, "b", lo=1, integer=True)),
        "w": int(number(ctl, "w", lo=0, integer=True)),
        "alpha": number(ctl, "alpha", lo=0, hi=1, lo_open=True, hi_open=True),
        "weightsThreshold": number(ctl, "weightsThreshold", lo=0),
        "pThresholdTrend": number(ctl, "pThresholdTrend", lo=0, hi=1),
        "noPeriods": int(number(ctl, "noPeriods", lo=1, integer=True)),
        "reweight": flag(ctl, "reweight"),
        "trend": flag(ctl, "trend"),
        "populationOffset": flag(ctl, "populationOffset"),
        "limit54": limit54(ctl),
        "powertrans": choice(ctl, "powertrans", POWERTRANS),
        "thresholdMethod": choice(ctl, "thresholdMethod", METHODS),
    }
    choice(ctl, "fitFun", ("algo.farrington.fitGLM.flexible",))
    pw = ctl["pastWeeksNotIncluded"]
    out["pw"] = out["w"] if pw is None else int(number(ctl, "pastWeeksNotIncluded", lo=0, integer=True))
    return out


def _member(
    y: np.ndarray,
    pop: np.ndarray | None,
    days: np.ndarray | None,
    k: int,
    o: dict[str, Any],
    freq: int,
    pos: dict[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """algo.farrington.data.glm for one (series, k): design with all columns, x0, response, offsets."""
    n, w, p = y.size, o["w"], o["noPeriods"]
    centres = reference_centres(k, freq, o["b"], days)
    if days is None:
        ok = all(1 <= c <= n for c in centres)
        ref = centres
    else:
        ok = all(c in pos for c in centres)
        ref = sorted((pos[c] for c in centres if c in pos), reverse=True)
    if not ok or ref[-1] - w < 1:
        raise fail(
            f"时间点 {k} 的部分参考期不存在，请减小 b 或推迟评估范围",
            f"some reference time points for t={k} do not exist; decrease b or postpone the range",
        )
    f = blocks(n, k, ref, w, p)
    f[max(k - o["pw"], 1) - 1 : k] = np.nan
    idx = np.flatnonzero(~np.isnan(f)) + 1
    wt = idx.astype(float) if days is None else (days[idx - 1] - days[idx[0] - 1]) / float(days[1] - days[0])
    resp = y[idx - 1]
    keep = ~np.isnan(resp)
    idx, wt, resp, lab = idx[keep], wt[keep], resp[keep], f[idx - 1][keep]
    wt0 = float(k) if days is None else (days[k - 1] - days[idx[0] - 1]) / float(days[1] - days[0])
    cols = [np.ones(idx.size), wt]
    x0 = [1.0, wt0]
    if p != 1:
        levels = np.unique(lab)[1:]
        cols.append(np.equal.outer(lab, levels).astype(float))
        x0 += list((levels == p).astype(float))
    off = np.log(pop[idx - 1]) if o["populationOffset"] and pop is not None else np.zeros(idx.size)
    off0 = float(np.log(pop[k - 1])) if o["populationOffset"] and pop is not None else 0.0
    return np.column_stack([cols[0], cols[1], *cols[2:]]), np.array(x0), resp, off, off0


def _disp_star(m: GlmFit, reweight: bool) -> np.ndarray:
    """Dispersion seen by summary/predict after R overwrites model$weights with the prior weights."""
    return pearson(m, m.w_prior if reweight else m.w_work)


def _fit_group(
    x: np.ndarray,
    yy: np.ndarray,
    valid: np.ndarray,
    off: np.ndarray,
    o: dict[str, Any],
    first: GlmFit | None = None,
) -> tuple[GlmFit, np.ndarray, np.ndarray]:
    """Reweighted fit for converged members; returns model, floored phi and disp*."""
    m, phi = fit_reweighted(x, yy, valid, o["weightsThreshold"], o["reweight"], off, first=first)
    return m, phi, _disp_star(m, o["reweight"])


def farringtonFlexible(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 52,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
    population: np.ndarray | None = None,
) -> EwsResult:
    """Noufaily's variant; upperbound NA (not 0) below limit54, NA/NA where the GLM cannot converge."""
    with single_thread_blas():
        return _farringtonFlexible_impl(
            counts, dates=dates, freq=freq, range=range, control=control, population=population
        )


def _farringtonFlexible_impl(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 52,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
    population: np.ndarray | None = None,
) -> EwsResult:
    """Implementation; see the public wrapper."""
    y, one_d = as_counts(counts)
    n, ncol = y.shape
    freq = check_freq(freq)
    o = _validate(merge_control("farringtonFlexible", DEFAULTS, control))
    pop = (
        None if population is None else np.broadcast_to(np.asarray(population, float).reshape(n, -1), y.shape)
    )
    if o["populationOffset"] and pop is None:
        raise fail("populationOffset=true 需要人口数据", "populationOffset=true needs population data")
    rng = eval_range(range, n, freq * o["b"] + o["w"] + 1)
    days = None if dates is None else _dates.to_days(np.asarray(dates))
    pos = {} if days is None else {int(d): i + 1 for i, d in reversed(list(enumerate(days)))}
    groups: dict[int, list[int]] = defaultdict(list)
    mem = []
    for c in np.arange(ncol):
        for ri, k in enumerate(rng):
            mem.append(
                (c, ri, *_member(y[:, c], None if pop is None else pop[:, c], days, int(k), o, freq, pos))
            )
            groups[mem[-1][2].shape[1]].append(len(mem) - 1)
    nm = len(mem)
    eta0 = np.full(nm, np.nan)
    se = np.full(nm, np.nan)
    phi = np.full(nm, np.nan)
    tstat = np.full(nm, np.nan)
    trend_kept = np.zeros(nm, dtype=bool)
    fitted = np.zeros(nm, dtype=bool)
    for ids in groups.values():
        ids_a = np.array(ids)
        x, yy, valid, off = pad_batch(
            [mem[i][2] for i in ids], [mem[i][4] for i in ids], [mem[i][5] for i in ids]
        )
        x0 = np.array([mem[i][3] for i in ids])
        off0 = np.array([mem[i][6] for i in ids])
        ymax = np.array([mem[i][4].max() for i in ids])
        notrend = np.ones(len(ids), dtype=bool)
        if o["trend"]:
            m1 = glm_fit(x, yy, valid.astype(float), off)
            t = np.flatnonzero(m1.converged)
            if t.size:
                mt, ph, dstar = _fit_group(x[t], yy[t], valid[t], off[t], o, first=subset(m1, t))
                pv = pvalue(mt, 1, dstar)
                pred = np.maximum(np.exp(np.sum(x0[t] * mt.beta, axis=1) + off0[t]), EPS)
                ok = (o["b"] >= 3) & (pv < o["pThresholdTrend"]) & (pred <= ymax[t])
                tstat[ids_a[t]] = tvalue(mt, 1, dstar)
                sel = np.flatnonzero(ok)
                e0, s0 = predict_link(subset(mt, sel), x0[t[sel]], dstar[sel], off0[t[sel]])
                g = ids_a[t[sel]]
                eta0[g], se[g], phi[g], trend_kept[g], fitted[g] = e0, s0, ph[sel], True, True
                notrend[t[sel]] = False
        r = np.flatnonzero(notrend)
        if r.size:
            xr = np.delete(x[r], 1, axis=2)
            m0 = glm_fit(xr, yy[r], valid[r].astype(float), off[r])
            cv = np.flatnonzero(m0.converged)
            if cv.size:
                mn, ph, dstar = _fit_group(
                    xr[cv], yy[r[cv]], valid[r[cv]], off[r[cv]], o, first=subset(m0, cv)
                )
                e0, s0 = predict_link(mn, np.delete(x0[r[cv]], 1, axis=1), dstar, off0[r[cv]])
                g = ids_a[r[cv]]
                eta0[g], se[g], phi[g], fitted[g] = e0, s0, ph, True
    return _finish(y, rng, mem, eta0, se, phi, trend_kept, tstat, ~fitted, o, one_d)


def _finish(
    y: np.ndarray,
    rng: np.ndarray,
    mem: list[tuple[Any, ...]],
    eta0: np.ndarray,
    se: np.ndarray,
    phi: np.ndarray,
    trend_kept: np.ndarray,
    tstat: np.ndarray,
    null: np.ndarray,
    o: dict[str, Any],
    one_d: bool,
) -> EwsResult:
    """Thresholds (delta / nbPlugin / muan), limit54 and alarms per member, laid out as (range, series)."""
    alpha, method = o["alpha"], o["thresholdMethod"]
    zq = float(special.ndtri(1.0 - alpha))
    if method == "delta":
        fit = np.maximum(np.exp(eta0), EPS)
        upper = delta_threshold(fit, se * fit, phi, o["powertrans"], zq)
        expected = fit
    else:
        fit = eta0
        with np.errstate(over="ignore", invalid="ignore"):
            mu_q = np.exp(eta0) if method == "nbPlugin" else np.exp(eta0 + zq * se)
        upper = np.full(eta0.size, np.nan)
        for i in np.flatnonzero(~null):
            mq = float(mu_q[i])
            if np.isinf(mq):
                continue
            upper[i] = (
                qnbinom(1.0 - alpha, mq / (phi[i] - 1.0), 1.0 / phi[i])
                if phi[i] > 1
                else qpois(1.0 - alpha, mq)
            )
        expected = np.exp(eta0)
    nr, ncol = rng.size, y.shape[1]
    shape = (nr, ncol)
    ub, fitm, nullm = np.full(shape, np.nan), np.full(shape, np.nan), np.zeros(shape, dtype=bool)
    extra = {key: np.full(shape, np.nan) for key in ("expected", "phi", "trend", "tstat")}
    for i, m in enumerate(mem):
        c, ri = m[0], m[1]
        ub[ri, c], fitm[ri, c], nullm[ri, c] = upper[i], fit[i], null[i]
        extra["expected"][ri, c], extra["phi"][ri, c] = expected[i], phi[i]
        extra["trend"][ri, c], extra["tstat"][ri, c] = float(trend_kept[i]), tstat[i]
    obs = y[rng - 1]
    enough = limit54_enough(y, rng, *o["limit54"])
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(enough == 1, (obs - fitm) / (ub - fitm), np.nan)
    alarm = ((~np.isnan(score)) & (score > 1) & (obs != 0)).astype(float)
    ub = np.where(enough == 1, ub, np.nan)
    alarm[nullm] = np.nan
    ub[nullm] = np.nan
    return EwsResult(
        range=rng,
        upperbound=shape_back(ub, one_d),
        alarm=shape_back(alarm, one_d),
        extra={key: shape_back(v, one_d) for key, v in extra.items()},
    )
