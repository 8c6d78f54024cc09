"""Original Farrington (1996) against surveillance::farrington outputs committed in reference/."""

from __future__ import annotations

import numpy as np
import pytest
from ews_refdata import manifest, mismatches, row_id, run_row

from hqd.ews.algorithms import REGISTRY, EwsParameterError

ROWS = manifest(("farrington",))


def test_reference_covers_date_index_and_monthly_modes() -> None:
    assert {"salmNewport", "ha", "rotaBB", "salmAllOnsetIdx"} <= {r["dataset"] for r in ROWS}
    assert len(ROWS) >= 25


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_matches_r(row: dict[str, str]) -> None:
    res, exp_ub, exp_al, _ = run_row(row)
    assert mismatches(res.upperbound, res.alarm, exp_ub, exp_al) == []


def test_below_limit54_upperbound_is_zero_not_na() -> None:
    row = next(r for r in ROWS if r["dataset"] == "salmNewport" and r["config"] == "spec7")
    res, exp_ub, _, _ = run_row(row)
    assert (exp_ub == 0).sum() > 100  # the reference itself shows the quirk
    assert np.array_equal(res.upperbound == 0, exp_ub == 0)


def test_date_and_index_selection_differ() -> None:
    by_date = next(r for r in ROWS if r["dataset"] == "salmAllOnset" and r["config"] == "l54_0_4")
    by_index = next(r for r in ROWS if r["dataset"] == "salmAllOnsetIdx" and r["config"] == "l54_0_4")
    ub_d = run_row(by_date)[0].upperbound
    ub_i = run_row(by_index)[0].upperbound
    assert np.sum(np.abs(ub_d - ub_i) > 1e-6 * np.abs(ub_i)) > 10


@pytest.mark.parametrize(
    ("control", "needle"),
    [
        ({"limit54": (5, 0)}, "limit54"),
        ({"powertrans": "3/4"}, "powertrans"),
        ({"fitFun": "glm"}, "fitFun"),
        ({"alpha": 0}, "alpha"),
        ({"thresholdMethod": "delta"}, "thresholdMethod"),
    ],
)
def test_parameter_errors(control: dict, needle: str) -> None:
    with pytest.raises(EwsParameterError, match=needle):
        REGISTRY["farrington"](np.ones(400), range=[300], control=control)
