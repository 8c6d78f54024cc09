"""CIDARS fixed-threshold warning (固定阈值法, spec §10.2): signal as soon as a count reaches the threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._common import EwsResult, as_counts, eval_range, merge_control, number, shape_back

DEFAULTS: dict[str, Any] = {"threshold": 1}


def fixed(
    counts: np.ndarray,
    *,
    dates: Sequence[Any] | np.ndarray | None = None,
    freq: int = 365,
    range: Sequence[int] | np.ndarray | None = None,
    control: Mapping[str, Any] | None = None,
    **_: Any,
) -> EwsResult:
    """upperbound = threshold and alarm = count >= threshold (达到即预警), because for plague, cholera,
    SARS … a single case must signal; unlike the statistical methods the comparison is inclusive.
    NA counts give NA alarms.
    """
    y, one_d = as_counts(counts)
    n = y.shape[0]
    ctl = merge_control("fixed", DEFAULTS, control)
    thr = number(ctl, "threshold", lo=0, lo_open=True)
    rng = eval_range(range, n, 1)
    obs = y[rng - 1]
    ub = np.full(obs.shape, thr)
    with np.errstate(invalid="ignore"):
        alarm = np.where(np.isnan(obs), np.nan, (obs >= thr).astype(float))
    return EwsResult(range=rng, upperbound=shape_back(ub, one_d), alarm=shape_back(alarm, one_d))
