"""R 4.x qnbinom / qpois (Cornish–Fisher start + discrete search) so integer thresholds match R exactly.

scipy's nbinom.ppf differs at exact ties (R fuzzes p by 8ε for left continuity) and hangs on the
enormous means (≥1e17) that the `muan` method produces for degenerate fits; this search does not.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

EPS = float(np.finfo(float).eps)
_Y_LARGE = 4096.0
_INC_F = 1.0 / 64.0
_I_SHRINK = 8.0
_REL_TOL = 1e-15


def _search(y: float, z: float, p: float, cdf: Callable[[float], float], incr: float) -> tuple[float, float]:
    """R's do_search (lower tail, not log): walk left while F(y-incr) >= p, else right until F(y) >= p."""
    if z >= p:
        while True:
            newz = cdf(y - incr) if y > 0 else -1.0
            if y == 0 or math.isnan(newz) or newz < p:
                return y, z
            y = max(0.0, y - incr)
            z = newz
    while True:
        y += incr
        z = cdf(y)
        if math.isnan(z) or z >= p:
            return y, z


def _discrete_quantile(
    p: float, mu: float, sigma: float, gamma: float, cdf: Callable[[float], float]
) -> float:
    """q_DISCRETE_BODY of R's nmath/qDiscrete_search.h for lower-tail, non-log p."""
    zq = float(special.ndtri(p))
    y = float(np.rint(mu + sigma * (zq + gamma * (zq * zq - 1.0) / 6.0)))
    y = 0.0 if y <= 0 else y
    z = cdf(y)
    p = p * (1.0 - 8.0 * EPS)
    if y < _Y_LARGE:
        return _search(y, z, p, cdf, 1.0)[0]
    incr = math.floor(y * _INC_F)
    while True:
        old = incr
        y, z = _search(y, z, p, cdf, incr)
        incr = max(1.0, math.floor(incr / _I_SHRINK))
        if not (old > 1 and incr > y * _REL_TOL):
            return y


def _boundaries(p: float) -> float | None:
    """R_Q_P01_boundaries(p, 0, Inf) for the lower tail."""
    if math.isnan(p) or p < 0 or p > 1:
        return math.nan
    if p == 0:
        return 0.0
    if p == 1:
        return math.inf
    return None


def qnbinom(p: float, size: float, prob: float) -> float:
    """Smallest x with pnbinom(x; size, prob) >= p(1-8ε), as R 4.x computes it."""
    if any(math.isnan(v) for v in (p, size, prob)):
        return math.nan
    if prob <= 0 or prob > 1 or size < 0:
        return math.nan
    if prob == 0 and size == 0:
        return 0.0
    edge = _boundaries(p)
    if edge is not None:
        return edge
    if prob == 1 or size == 0:
        return 0.0
    if math.isinf(size):
        return math.nan
    q = 1.0 / prob
    pp = (1.0 - prob) * q
    mu = size * pp
    sigma = math.sqrt(size * pp * q)
    gamma = (q + pp) / sigma

    def cdf(x: float) -> float:
        return 0.0 if x < 0 else float(special.betainc(size, math.floor(x + 1e-7) + 1.0, prob))

    return _discrete_quantile(p, mu, sigma, gamma, cdf)


def qpois(p: float, lam: float) -> float:
    """Smallest x with ppois(x; lam) >= p(1-8ε), as R 4.x computes it."""
    if math.isnan(p) or math.isnan(lam) or lam < 0 or math.isinf(lam):
        return math.nan
    if lam == 0:
        return 0.0
    edge = _boundaries(p)
    if edge is not None:
        return edge
    sigma = math.sqrt(lam)

    def cdf(x: float) -> float:
        return 0.0 if x < 0 else float(special.pdtr(math.floor(x + 1e-7), lam))

    return _discrete_quantile(p, lam, sigma, 1.0 / sigma, cdf)
