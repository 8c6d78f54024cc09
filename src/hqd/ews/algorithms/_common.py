"""Shared plumbing (result type, bilingual errors, control merging) so every algorithm family validates alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EPS = float(np.finfo(float).eps)
FREQS = (12, 52, 365)


class EwsParameterError(ValueError):
    """Raised for invalid parameters; the message is one Chinese + English sentence for end users."""


def fail(zh: str, en: str) -> EwsParameterError:
    """Build the error in the project's 'Chinese; English' single-sentence style."""
    return EwsParameterError(f"{zh}；{en}")


@dataclass
class EwsResult:
    """Outputs for the evaluated range only; NaN marks R's NA so callers can write empty cells."""

    range: np.ndarray
    upperbound: np.ndarray
    alarm: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)


def as_counts(counts: Any) -> tuple[np.ndarray, bool]:
    """Return counts as 2-D float (n, series) plus whether the caller passed 1-D (to shape outputs back)."""
    y = np.asarray(counts, dtype=float)
    one_d = y.ndim == 1
    if one_d:
        y = y[:, None]
    if y.ndim != 2:
        raise fail("计数必须是一维或二维数组", "counts must be a 1-D or 2-D array")
    if np.any(y < 0):
        raise fail("计数不能为负数", "counts must not be negative")
    return y, one_d


def check_freq(freq: int) -> int:
    """R's surveillance only knows weekly, monthly and daily data; refuse anything else early."""
    if int(freq) not in FREQS:
        raise fail(
            f"频率 freq={freq} 不受支持（只能是 52、12 或 365）",
            f"freq={freq} is not supported (use 52, 12 or 365)",
        )
    return int(freq)


def merge_control(
    name: str, defaults: Mapping[str, Any], control: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Apply R's modifyList semantics but reject unknown keys, which R silently ignores (a typo trap)."""
    merged = dict(defaults)
    for key, value in (control or {}).items():
        if key not in defaults:
            raise fail(f"算法 {name} 不认识参数 {key}", f"algorithm {name} does not know the parameter {key}")
        merged[key] = value
    return merged


def number(
    ctl: Mapping[str, Any],
    key: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
    integer: bool = False,
) -> float:
    """Validate one numeric control entry with a message naming it, because R's errors here are cryptic."""
    raw = ctl[key]
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise fail(f"参数 {key}={raw!r} 不是数字", f"parameter {key}={raw!r} is not a number") from None
    bad = np.isnan(value)
    if integer and not bad and value != round(value):
        raise fail(f"参数 {key}={raw!r} 必须是整数", f"parameter {key}={raw!r} must be an integer")
    if lo is not None and (value < lo or (lo_open and value == lo)):
        bad = True
    if hi is not None and (value > hi or (hi_open and value == hi)):
        bad = True
    if bad:
        lo_s = "(" if lo_open else "["
        hi_s = ")" if hi_open else "]"
        span = f"{lo_s}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{hi_s}"
        raise fail(f"参数 {key}={raw!r} 超出允许范围 {span}", f"parameter {key}={raw!r} is outside {span}")
    return value


def flag(ctl: Mapping[str, Any], key: str) -> bool:
    """Accept only real booleans (or R-style strings) so 'false' never becomes truthy by accident."""
    raw = ctl[key]
    if isinstance(raw, bool | np.bool_):
        return bool(raw)
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise fail(f"参数 {key}={raw!r} 必须是 true 或 false", f"parameter {key}={raw!r} must be true or false")


def choice(ctl: Mapping[str, Any], key: str, options: Sequence[str]) -> str:
    """Validate an enumerated option the way R's match.arg would, but with a readable message."""
    raw = str(ctl[key])
    if raw not in options:
        raise fail(
            f"参数 {key}={raw!r} 只能是 {'/'.join(options)}",
            f"parameter {key}={raw!r} must be one of {'/'.join(options)}",
        )
    return raw


def limit54(ctl: Mapping[str, Any]) -> tuple[int, int]:
    """Parse the (cases, periods) pair with R's own bounds check (cases >= 0, period > 0)."""
    raw = ctl["limit54"]
    if isinstance(raw, str):
        raw = raw.split(",")
    try:
        cases, period = (float(v) for v in raw)
    except (TypeError, ValueError):
        raise fail(
            f"参数 limit54={raw!r} 必须是两个数字，如 5,4",
            f"parameter limit54={raw!r} must be two numbers such as 5,4",
        ) from None
    if not (cases >= 0 and period > 0) or period != round(period):
        raise fail(
            f"参数 limit54={raw!r} 超出范围（病例数 >= 0，周期为正整数）",
            f"parameter limit54={raw!r} is out of bounds (cases >= 0, period a positive integer)",
        )
    return cases, int(period)


def eval_range(rng: Sequence[int] | np.ndarray | None, n: int, default_start: int) -> np.ndarray:
    """1-based sorted evaluation indices; R errors on out-of-bounds indices and so do we."""
    if rng is None:
        if default_start > n:
            raise fail(
                f"序列太短：默认评估起点 {default_start} 超过长度 {n}",
                f"series too short: default range start {default_start} exceeds length {n}",
            )
        return np.arange(default_start, n + 1)
    r = np.asarray(rng)
    if r.size == 0:
        raise fail("评估范围 range 为空", "the evaluation range is empty")
    if not np.all(np.equal(np.mod(r, 1), 0)):
        raise fail("评估范围 range 必须是整数下标", "the evaluation range must contain integer indices")
    r = np.unique(r.astype(np.int64))
    if r[0] < 1 or r[-1] > n:
        raise fail(f"评估范围必须在 1..{n} 之内", f"range values must lie within 1..{n}")
    return r


def limit54_enough(y: np.ndarray, rng: np.ndarray, cases: float, period: int) -> np.ndarray:
    """sum(y[k-period+1..k]) >= cases per (k, series); NaN where the window has NA (R's sum gives NA).

    A window reaching before t=1 is clipped, as R's zero index is dropped.
    """
    c = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(np.nan_to_num(y), axis=0)])
    nan_c = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(np.isnan(y), axis=0)])
    lo = np.maximum(rng - period, 0)
    sums = c[rng] - c[lo]
    nas = (nan_c[rng] - nan_c[lo]) > 0
    out = (sums >= cases).astype(float)
    out[nas] = np.nan
    return out


def shape_back(arr: np.ndarray, one_d: bool) -> np.ndarray:
    """Give 1-D callers 1-D outputs."""
    return arr[:, 0] if one_d else arr
