"""The linear trend to a deadline and its prediction interval, against a computation by hand."""

from __future__ import annotations

import pytest

from hqd.indicators.periods import parse
from hqd.targets.projection import midpoint, project

T_95_DF1 = 6.313751514675043  # Student t 0.95 quantile, 1 degree of freedom (tables)


def test_periods_sit_at_their_midpoint_in_years():
    assert midpoint(parse("2024")) == 2024.5
    assert midpoint(parse("2025Q4")) == pytest.approx(2025 + (273 + 92 / 2) / 365)
    assert midpoint(parse("2024-01")) == pytest.approx(2024 + 15.5 / 366)


def test_least_squares_projection_and_interval_by_hand():
    # x 2023.5, 2024.5, 2025.5 (deviations −1, 0, 1; Sxx = 2), y 1, 2, 4 (mean 7/3)
    # slope = Σdx·dy / Sxx = (−1·(−4/3) + 1·(5/3)) / 2 = 1.5; at 2026.5 (dx = 2): 7/3 + 3 = 16/3
    # residuals 1/6, −1/3, 1/6 → SSE 1/6, s² = SSE/(n−2) = 1/6
    # se(new obs) = s·√(1 + 1/3 + 4/2) = √(1/6 · 10/3) = √(5/9)
    fit = project([2023.5, 2024.5, 2025.5], [1, 2, 4], 2026.5)
    assert (fit.n, fit.df) == (3, 1)
    assert fit.slope == pytest.approx(1.5)
    assert fit.value == pytest.approx(16 / 3)
    assert fit.se == pytest.approx((5 / 9) ** 0.5)
    lo, hi = fit.interval(0.9)
    half = T_95_DF1 * (5 / 9) ** 0.5
    assert (lo, hi) == (pytest.approx(16 / 3 - half), pytest.approx(16 / 3 + half))
    # P(value ≥ 16/3) is one half; above the upper 95% bound it is 5%
    assert fit.p_at_least(16 / 3) == pytest.approx(0.5)
    assert fit.p_at_least(hi) == pytest.approx(0.05)


def test_two_periods_give_a_line_but_no_interval():
    fit = project([2024.5, 2025.5], [10, 12], 2027.5)
    assert fit.value == pytest.approx(16) and fit.se is None and fit.interval(0.9) is None
    assert fit.p_at_least(15) is None


def test_one_period_gives_no_trend():
    assert project([2024.5], [10], 2025.5) is None
