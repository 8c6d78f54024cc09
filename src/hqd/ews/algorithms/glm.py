"""Batched clone of R's glm.fit (quasi-Poisson, log link) so Farrington thresholds match R to rounding.

Why not statsmodels: R's answer on sparse windows (a block of zeros, diverging coefficients) depends
on *where R stops iterating* (start mu = y + 0.1, deviance rule 1e-8, maxit 25, eps floors), which
statsmodels does not reproduce; and one fit per time point through statsmodels costs ~1 ms, too slow
for the ≥10× target.  Here K independent fits (all time points of a series or of many series) run
as stacked numpy arrays: padded rows carry prior weight 0, which R's glm.fit also drops from the
fit and from the residual degrees of freedom.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy import special

from ._common import EPS

try:  # optional: multi-threaded OpenBLAS is 2-3x *slower* on thousands of tiny QRs
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None

try:  # numpy's in-place Householder kernel: np.linalg.qr would copy every stack first
    from numpy.linalg import _umath_linalg

    _QR_RAW = _umath_linalg.qr_r_raw
except (ImportError, AttributeError):  # pragma: no cover
    _QR_RAW = None

MAXIT = 25
EPSILON = 1e-8


@dataclass
class GlmFit:
    """The parts of an R glm object that summary.glm / predict.glm / lm.influence read."""

    beta: np.ndarray  # (K, p)
    mu: np.ndarray  # (K, n) final fitted values
    eta: np.ndarray  # (K, n) final linear predictor (offset included)
    w_work: np.ndarray  # (K, n) working weights of the last iteration
    w_prior: np.ndarray  # (K, n)
    q: np.ndarray  # (K, n, p) thin Q of sqrt(W) X, last iteration
    rinv: np.ndarray  # (K, p, p) inverse of R
    resid: np.ndarray  # (K, n) working residuals (y - mu) / mu.eta
    df: np.ndarray  # (K,) residual degrees of freedom
    converged: np.ndarray  # (K,) bool
    y: np.ndarray  # (K, n)


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run batched small-matrix LAPACK single-threaded (no-op if threadpoolctl is absent)."""
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _qr_r(a: np.ndarray, p: int) -> np.ndarray:
    """Upper p rows of the Householder R of each stacked matrix; may overwrite `a` (scratch)."""
    if _QR_RAW is None:
        return np.linalg.qr(a, mode="r")
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        _QR_RAW(a, signature="d->d")
    return a[:, :p, :]


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Poisson deviance exactly as R's dev.resids (y log(y/mu) taken as 0 at y = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ylog = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0)
    return np.sum(2.0 * w * (ylog - (y - mu)), axis=-1)


def glm_fit(
    x: np.ndarray,
    y: np.ndarray,
    w_prior: np.ndarray | None = None,
    offset: np.ndarray | None = None,
    need_q: bool = True,
) -> GlmFit:
    """Fit K quasi-Poisson GLMs with R's IRLS; members stop individually, exactly when R would.

    Each iteration QR-factorises [sqrt(W) X | sqrt(W) z] in R-only mode (Q^T z is the last column of
    R, as in LINPACK's dqrls), which is ~5x cheaper than forming Q; Q is formed once at the end from
    the last iteration's weights, giving the same factorisation R stores in its glm object
    (only when leverages are needed: `need_q`).
    """
    k, n, p = x.shape
    w_prior = np.ones((k, n)) if w_prior is None else w_prior
    offset = np.zeros((k, n)) if offset is None else offset
    y = np.where(w_prior > 0, y, 0.0)
    mu = y + 0.1
    eta = np.log(mu)
    mu = np.maximum(np.exp(eta), EPS)
    beta = np.zeros((k, p))
    w_work = np.zeros((k, n))
    converged = np.zeros(k, dtype=bool)
    active = np.arange(k)
    xt = np.ascontiguousarray(x.transpose(0, 2, 1))  # (K, p, n): columns contiguous, i.e. Fortran matrices
    xa, ya, wa, oa, eta_a, mu_a = xt, y, w_prior, offset, eta, mu
    dev_old = _deviance(ya, mu_a, wa)
    aug_t = np.empty((k, p + 1, n))
    live = np.ones(k, dtype=bool)
    for _ in range(MAXIT):
        d = np.maximum(np.exp(eta_a), EPS)
        z = (eta_a - oa) + (ya - mu_a) / d
        ww = wa * d * d / mu_a
        sw = np.sqrt(ww)
        aug_t = aug_t[: active.size]
        np.multiply(xa, sw[:, None, :], out=aug_t[:, :p, :])
        np.multiply(sw, z, out=aug_t[:, p, :])
        raug = _qr_r(aug_t.transpose(0, 2, 1), p + 1)
        ba = np.linalg.solve(np.triu(raug[:, :p, :p]), raug[:, :p, p:])[:, :, 0]
        eta_a = np.einsum("kpn,kp->kn", xa, ba) + oa
        mu_a = np.maximum(np.exp(eta_a), EPS)
        dev = _deviance(ya, mu_a, wa)
        upd = active[live]  # members that already stopped keep the state of their last iteration
        beta[upd], eta[upd], mu[upd], w_work[upd] = ba[live], eta_a[live], mu_a[live], ww[live]
        done = live & (np.abs(dev - dev_old) / (np.abs(dev) + 0.1) < EPSILON)
        converged[active[done]] = True
        live &= ~done
        if not live.any():
            break
        if live.sum() < 0.7 * live.size:  # compacting copies every array: only worth it now and then
            active, xa, ya, wa, oa = active[live], xa[live], ya[live], wa[live], oa[live]
            eta_a, mu_a, dev = eta_a[live], mu_a[live], dev[live]
            live = live[live]
        dev_old = dev
    a = np.sqrt(w_work)[:, :, None] * x
    q, r = np.linalg.qr(a) if need_q else (np.zeros((k, n, 0)), np.linalg.qr(a, mode="r"))
    resid = (y - mu) / np.maximum(np.exp(eta), EPS)
    df = np.sum(w_prior > 0, axis=1) - p
    return GlmFit(
        beta=beta,
        mu=mu,
        eta=eta,
        w_work=w_work,
        w_prior=w_prior,
        q=q,
        rinv=np.linalg.inv(r),
        resid=resid,
        df=df.astype(float),
        converged=converged,
        y=y,
    )


def pearson(fit: GlmFit, weights: np.ndarray) -> np.ndarray:
    """summary.glm's dispersion sum(w r^2)/df over rows with w > 0; NaN when df <= 0 (R gives NaN/Inf)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.sum(np.where(weights > 0, weights * fit.resid**2, 0.0), axis=1)
        return np.where(fit.df > 0, num / fit.df, np.nan)


def phi_floor(disp: np.ndarray) -> np.ndarray:
    """max(dispersion, 1) as R's max() does it: NaN propagates."""
    return np.where(np.isnan(disp), np.nan, np.maximum(disp, 1.0))


def hat_values(fit: GlmFit) -> np.ndarray:
    """Leverages from the stored QR, with lm.influence's snap to 1 near 1."""
    h = np.sum(fit.q**2, axis=2)
    return np.where(h > 1.0 - 10.0 * EPS, 1.0, h)


def anscombe(fit: GlmFit, phi: np.ndarray) -> np.ndarray:
    """surveillance's anscombe.residuals: (3/2)(y^(2/3) mu^(-1/6) - mu^(1/2)) / sqrt(phi (1 - h))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.5 * (np.power(fit.y, 2.0 / 3.0) * np.power(fit.mu, -1.0 / 6.0) - np.sqrt(fit.mu))
        return a / np.sqrt(phi[:, None] * (1.0 - hat_values(fit)))


def assign_weights(s: np.ndarray, threshold: float, valid: np.ndarray) -> np.ndarray:
    """algo.farrington.assign.weights: down-weight residuals above the threshold; padded rows stay 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        big = s > threshold
        inv2 = np.where(big, s**-2.0, 1.0)
        gamma = np.sum(valid, axis=1) / np.sum(np.where(valid, inv2, 0.0), axis=1)
        om = gamma[:, None] * inv2
    return np.where(valid, om, 0.0)


def fit_reweighted(
    x: np.ndarray,
    y: np.ndarray,
    valid: np.ndarray,
    threshold: float,
    reweight: bool,
    offset: np.ndarray | None = None,
    first: GlmFit | None = None,
) -> tuple[GlmFit, np.ndarray]:
    """Fit, then refit once with Anscombe weights (convergence of the refit is not checked, as in R)."""
    w0 = valid.astype(float)
    m = first if first is not None else glm_fit(x, y, w0, offset)
    phi = phi_floor(pearson(m, m.w_work))
    if not reweight:
        return m, phi
    om = assign_weights(anscombe(m, phi), threshold, valid)
    m = glm_fit(x, y, om, offset, need_q=False)
    return m, phi_floor(pearson(m, m.w_work))


def cov_diag(fit: GlmFit, j: int) -> np.ndarray:
    """Diagonal element j of cov.unscaled = (R^T R)^-1."""
    return np.sum(fit.rinv[:, j, :] ** 2, axis=1)


def pvalue(fit: GlmFit, j: int, disp: np.ndarray) -> np.ndarray:
    """summary.glm's two-sided t-test p-value for coefficient j (quasi family → t with df)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = fit.beta[:, j] / np.sqrt(cov_diag(fit, j) * disp)
        return 2.0 * special.stdtr(fit.df, -np.abs(tval))


def tvalue(fit: GlmFit, j: int, disp: np.ndarray) -> np.ndarray:
    """The t statistic itself, used to flag knife-edge trend decisions."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return fit.beta[:, j] / np.sqrt(cov_diag(fit, j) * disp)


def predict_link(
    fit: GlmFit, x0: np.ndarray, disp: np.ndarray, offset0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """predict.glm on the link scale: eta0 and its standard error scaled by disp."""
    eta0 = np.sum(x0 * fit.beta, axis=1)
    if offset0 is not None:
        eta0 = eta0 + offset0
    v = np.einsum("kp,kpq->kq", x0, fit.rinv)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.sum(v**2, axis=1) * disp)
    return eta0, se


def pad_batch(
    xs: list[np.ndarray], ys: list[np.ndarray], offs: list[np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stack ragged designs (same column count) into (K, n_max, p) with a validity mask for padding."""
    k = len(xs)
    n = max(x.shape[0] for x in xs)
    p = xs[0].shape[1]
    x = np.zeros((k, n, p))
    y = np.zeros((k, n))
    off = np.zeros((k, n))
    valid = np.zeros((k, n), dtype=bool)
    for i, (xi, yi) in enumerate(zip(xs, ys, strict=True)):
        m = xi.shape[0]
        x[i, :m], y[i, :m], valid[i, :m] = xi, yi, True
        if offs is not None:
            off[i, :m] = offs[i]
    return x, y, valid, off


def subset(fit: GlmFit, idx: np.ndarray) -> GlmFit:
    """Select batch members, keeping every per-member array aligned."""
    return GlmFit(**{f: (getattr(fit, f)[idx]) for f in fit.__dataclass_fields__})
