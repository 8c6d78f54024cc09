"""Fixed-threshold (single-case) warning, spec §10.2, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.ews.algorithms import REGISTRY, EwsParameterError


def test_single_case_signals() -> None:
    res = REGISTRY["fixed"](np.array([0, 0, 1, 0, 3, np.nan]))
    assert res.range.tolist() == [1, 2, 3, 4, 5, 6]
    assert res.upperbound.tolist() == [1.0] * 6
    assert res.alarm[:5].tolist() == [0, 0, 1, 0, 1] and np.isnan(res.alarm[5])


def test_other_threshold_and_range() -> None:
    y = np.array([[0, 5], [2, 1], [3, 3]], dtype=float)
    res = REGISTRY["fixed"](y, range=[2, 3], control={"threshold": 3})
    assert res.alarm.tolist() == [[0, 0], [1, 1]]


@pytest.mark.parametrize("control", [{"threshold": 0}, {"threshold": "x"}, {"alpha": 0.1}])
def test_parameter_errors(control: dict) -> None:
    with pytest.raises(EwsParameterError):
        REGISTRY["fixed"](np.ones(3), control=control)
