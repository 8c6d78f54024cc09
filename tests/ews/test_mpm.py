"""Moving percentile method (spec §10.1) against a plain-Python transcription over tiny arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hqd.ews.algorithms import REGISTRY, EwsParameterError
from hqd.ews.algorithms.mpm import order_statistics


def percentile_type7(values: list[float], pct: float) -> float:
    """R quantile type 7 written out: h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])."""
    xs = sorted(values)
    h = (len(xs) - 1) * pct / 100
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def window(y: list[float], end: int, obs: int) -> float:
    """Sum of y over the obs periods ending at 1-based index end."""
    return sum(y[end - obs : end])


def test_index_mode_by_hand() -> None:
    # freq 12 (index shift 12/year), obsDays 2, years 2, halfPeriods 1 → 6 baseline sums per point.
    y = [float((t * 7) % 5) for t in range(1, 31)]
    res = REGISTRY["mpm"](
        np.array(y), freq=12, control={"obsDays": 2, "years": 2, "halfPeriods": 1, "percentile": 60}
    )
    assert res.range.tolist() == [28, 29, 30]  # 12*2 + 2*(1+1) = 28 is the first with full history
    for i, d in enumerate(res.range):
        base = [window(y, d - 12 * yy + 2 * j, 2) for yy in (1, 2) for j in (-1, 0, 1)]
        thr = percentile_type7(base, 60)
        assert res.upperbound[i] == pytest.approx(thr, abs=1e-12)
        assert res.alarm[i] == float(window(y, d, 2) > thr)
    # by hand, d = 28: y cycles 2,4,1,3,0; 2-period sums ending at 14,16,18 (1 year back) and 2,4,6
    # (2 years back) are 4,2,5,6,4,2 → sorted 2,2,4,4,5,6, h = 5*0.6 = 3 → P60 = 4; current 4+1 = 5 > 4
    assert [window(y, e, 2) for e in (14, 16, 18, 2, 4, 6)] == [4.0, 2.0, 5.0, 6.0, 4.0, 2.0]
    assert res.upperbound[0] == 4.0 and res.alarm[0] == 1.0


def test_daily_dates_leap_day_maps_to_feb_28() -> None:
    start = dt.date(2023, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(456)]  # to 2024-03-31
    rng = np.random.default_rng(7)
    y = rng.poisson(2.0, len(days)).astype(float)
    dates = np.array(days, dtype="datetime64[D]")
    targets = [days.index(dt.date(2024, 2, 29)) + 1, days.index(dt.date(2024, 3, 1)) + 1]
    res = REGISTRY["mpm"](y, dates=dates, freq=365, range=targets, control={"years": 1, "percentile": 80})
    for i, d in enumerate(targets):
        back = dt.date(2023, 2, 28) if i == 0 else dt.date(2023, 3, 1)
        e = days.index(back) + 1
        base = [window(list(y), e + 7 * j, 7) for j in (-2, -1, 0, 1, 2)]
        assert res.upperbound[i] == pytest.approx(percentile_type7(base, 80), abs=1e-12)
        assert res.alarm[i] == float(window(list(y), d, 7) > percentile_type7(base, 80))


def test_inclusive_and_zero_counts() -> None:
    y = np.zeros(40)
    ctl = {"obsDays": 1, "years": 1, "halfPeriods": 1, "percentile": 50}
    strict = REGISTRY["mpm"](y, freq=12, range=[40], control=ctl)
    incl = REGISTRY["mpm"](y, freq=12, range=[40], control={**ctl, "inclusive": True})
    assert strict.upperbound[0] == 0 and strict.alarm[0] == 0 and incl.alarm[0] == 0  # 0 >= 0 but no case
    y[39], y[26:29] = 2.0, 2.0  # current 2 vs baseline {2,2,2}
    assert REGISTRY["mpm"](y, freq=12, range=[40], control=ctl).alarm[0] == 0
    assert REGISTRY["mpm"](y, freq=12, range=[40], control={**ctl, "inclusive": True}).alarm[0] == 1


def test_missing_history_gives_na() -> None:
    y = np.ones(40)
    y[27] = np.nan  # inside the baseline of t = 40 (1 year back = 28)
    res = REGISTRY["mpm"](y, freq=12, range=[39, 40], control={"obsDays": 1, "years": 1, "halfPeriods": 1})
    assert np.isnan(res.upperbound).tolist() == [True, True]
    short = REGISTRY["mpm"](np.ones(40), freq=12, range=[5], control={"obsDays": 1, "years": 1})
    assert np.isnan(short.upperbound[0]) and np.isnan(short.alarm[0])


def test_two_dimensional_series_are_independent() -> None:
    rng = np.random.default_rng(3)
    y = rng.poisson(3.0, (60, 4)).astype(float)
    ctl = {"obsDays": 3, "years": 2, "halfPeriods": 2, "percentile": 70}
    both = REGISTRY["mpm"](y, freq=12, control=ctl)
    for j in range(4):
        one = REGISTRY["mpm"](y[:, j], freq=12, control=ctl)
        assert np.array_equal(one.upperbound, both.upperbound[:, j])


@pytest.mark.parametrize("k", [(0,), (7,), (14,), (4, 5)])
def test_selection_network_matches_sort(k: tuple[int, ...]) -> None:
    lanes = list(np.random.default_rng(5).integers(0, 9, (15, 1000)).astype(float))
    got = order_statistics(lanes, k)
    ref = np.sort(np.array(lanes), axis=0)
    for kk, g in zip(k, got, strict=True):
        assert np.array_equal(g, ref[kk])


@pytest.mark.parametrize(
    "control", [{"percentile": 120}, {"obsDays": 0}, {"inclusive": "maybe"}, {"alpha": 0.1}]
)
def test_parameter_errors(control: dict) -> None:
    with pytest.raises(EwsParameterError):
        REGISTRY["mpm"](np.ones(2000), control=control)


@pytest.mark.parametrize("n", [1, 3, 6])
def test_a_series_shorter_than_one_window_is_all_missing(n: int) -> None:
    # a few days of cards (a new county, a new disease) must not fail a run: no window is complete
    dates = np.array([np.datetime64("2024-07-01") + i for i in range(n)])
    res = REGISTRY["mpm"](np.ones(n), dates=dates, freq=365)
    assert np.isnan(res.upperbound).all() and np.isnan(res.alarm).all()
