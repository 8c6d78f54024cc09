"""EARS C1/C2/C3 against surveillance::earsC outputs committed in reference/, plus hand-checked quirks."""

from __future__ import annotations

import numpy as np
import pytest
from ews_refdata import manifest, mismatches, row_id, run_row

from hqd.ews.algorithms import REGISTRY, EwsParameterError

ROWS = manifest(("earsC1", "earsC2", "earsC3"))
Z001 = 3.090232306167813  # qnorm(1 - 0.001) in R


def test_reference_covers_every_method_and_dataset() -> None:
    assert {r["algorithm"] for r in ROWS} == {"earsC1", "earsC2", "earsC3"}
    assert len({r["dataset"] for r in ROWS}) >= 5


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_matches_r(row: dict[str, str]) -> None:
    res, exp_ub, exp_al, _ = run_row(row)
    assert mismatches(res.upperbound, res.alarm, exp_ub, exp_al) == []


def test_c3_reference_has_na_rows_on_sparse_data() -> None:
    # guards the comparison above against a reference file without any NA to compare
    row = next(r for r in ROWS if r["dataset"] == "salmNewport" and r["config"] == "C3_a001")
    _, exp_ub, _, _ = run_row(row)
    assert np.isnan(exp_ub).sum() > 50


def test_c1_by_hand() -> None:
    y = np.array([1, 2, 3, 4, 5, 6, 7, 20.0])
    res = REGISTRY["earsC1"](y, control={"alpha": 0.001})
    window = np.arange(1, 8.0)  # mean 4, sample sd sqrt(28/6)
    assert res.range.tolist() == [8]
    assert res.upperbound[0] == pytest.approx(4 + Z001 * np.sqrt(28 / 6), rel=1e-12)
    assert res.alarm[0] == 1.0
    assert window.mean() == 4


def test_c1_constant_window_uses_strict_comparison() -> None:
    y = np.array([2, 2, 2, 2, 2, 2, 2, 2, 3.0])
    res = REGISTRY["earsC1"](y, range=[8, 9], control={"alpha": 0.001})
    assert res.upperbound.tolist() == [2.0, 2.0]
    assert res.alarm.tolist() == [0.0, 1.0]


def test_c3_uses_observed_count_and_nan_on_zero_sd() -> None:
    # all-zero history: C2 = 0/0 = NaN for lags, so R gives NA, not 0
    y = np.zeros(14)
    res = REGISTRY["earsC3"](y, range=[12, 13, 14], control={"alpha": 0.001})
    assert np.isnan(res.upperbound).all() and np.isnan(res.alarm).all()


def test_c3_formula_by_hand() -> None:
    y = np.array([1, 3, 2, 4, 1, 3, 2, 5, 2, 9, 8, 3.0])  # B = 7, t = 12 (1-based)

    def stats(u: int) -> tuple[float, float]:  # window y[u-9 .. u-3] (1-based)
        w = y[u - 10 : u - 3]
        return float(w.mean()), float(w.std(ddof=1))

    c2 = {u: (y[u - 1] - stats(u)[0]) / stats(u)[1] for u in (10, 11)}
    expected = y[11] + stats(12)[1] * (Z001 - (max(0, c2[10] - 1) + max(0, c2[11] - 1)))
    res = REGISTRY["earsC3"](y, range=[12], control={"alpha": 0.001})
    assert res.upperbound[0] == pytest.approx(max(0.0, expected), rel=1e-12)


def test_nan_in_window_gives_na() -> None:
    y = np.array([1, 2, np.nan, 4, 5, 6, 7, 8, 9.0])
    res = REGISTRY["earsC1"](y, range=[8, 9])
    assert np.isnan(res.upperbound).tolist() == [True, True]


@pytest.mark.parametrize(
    ("name", "control", "rng", "needle"),
    [
        ("earsC1", {"baseline": 2}, None, "baseline"),
        ("earsC1", {"minSigma": -1}, None, "minSigma"),
        ("earsC2", {"alpha": 1.5}, None, "alpha"),
        ("earsC2", {}, [5], "too short"),
        ("earsC1", {"noPeriods": 3}, None, "noPeriods"),
    ],
)
def test_parameter_errors_are_bilingual(name: str, control: dict, rng: list[int] | None, needle: str) -> None:
    with pytest.raises(EwsParameterError) as err:
        REGISTRY[name](np.arange(20.0), range=rng, control=control)
    msg = str(err.value)
    assert needle in msg and "；" in msg and any("\u4e00" <= ch <= "\u9fff" for ch in msg)
