"""The per-indicator scoring methods on values small enough to rank by hand."""

from __future__ import annotations

import numpy as np
import pytest

from hqd.scoring.methods import (
    distribution,
    median_distance,
    percentile_rank,
    ranks,
    region_scores,
    standard,
)


def test_ties_share_the_better_rank():
    # sorted 1, 3, 3, 5 -> ranks 1, 2, 2, 4
    assert ranks(np.array([5.0, 3.0, 3.0, 1.0])).tolist() == [4, 2, 2, 1]


def test_ratios_equal_in_value_tie_even_when_computed_differently():
    assert ranks(np.array([1 / 3 * 100, 2 / 6 * 100, 50.0])).tolist() == [1, 1, 3]


def test_percentile_rank_higher_is_better_with_a_tie():
    # 30 rank 1, 20 and 20 rank 2, 10 rank 4; N = 4: s = 100·(1 − (r−1)/3)
    s = percentile_rank(np.array([30.0, 20.0, 20.0, 10.0]), "higher")
    assert s.tolist() == pytest.approx([100.0, 200 / 3, 200 / 3, 0.0])


def test_percentile_rank_lower_is_better():
    # 0.5 best, 2.0 worst of three: 100, 50, 0
    s = percentile_rank(np.array([2.0, 0.5, 1.0]), "lower")
    assert s.tolist() == pytest.approx([0.0, 100.0, 50.0])


def test_a_group_of_one_scores_100():
    assert percentile_rank(np.array([7.0]), "higher").tolist() == [100.0]
    assert median_distance(np.array([7.0])).tolist() == [100.0]


def test_monitor_scores_the_distance_from_the_peer_median():
    # median of 4, 6, 8, 20 is 7; distances 3, 1, 1, 13 -> ranks 3, 1, 1, 4 -> 33.3, 100, 100, 0
    s = median_distance(np.array([4.0, 6.0, 8.0, 20.0]))
    assert s.tolist() == pytest.approx([100 / 3, 100.0, 100.0, 0.0])
    assert region_scores(np.array([4.0, 6.0, 8.0, 20.0]), "median_distance", "monitor").tolist() == s.tolist()


def test_standard_scoring_is_all_or_nothing():
    v = np.array([89.9, 90.0, 95.0])
    assert standard(v, "higher", 90.0, None).tolist() == [0.0, 100.0, 100.0]
    assert standard(v, "lower", 90.0, None).tolist() == [100.0, 100.0, 0.0]
    assert standard(v, "monitor", None, (90.0, 94.0)).tolist() == [0.0, 100.0, 0.0]


def test_position_in_a_reference_distribution_interpolates_and_extends():
    d = distribution({10: 10.0, 50: 30.0, 90: 50.0})
    # between P50 (30) and P90 (50): 50 + (40 − 30)·40/20 = 70
    assert d.position(40.0) == (70.0, 70.0)
    # beyond P90 the last segment continues: 90 + 10·2 = 110, clipped to 100
    assert d.position(60.0) == (100.0, 100.0)
    # below P10 the first segment continues: 10 − (10 − 7)·2 = 4
    assert d.position(7.0) == pytest.approx((4.0, 4.0))
    assert d.score(40.0, "higher") == 70.0
    assert d.score(40.0, "lower") == 30.0
    # monitor: 100 − 2·|70 − 50| = 60
    assert d.score(40.0, "monitor") == 60.0


def test_equal_percentiles_give_the_value_the_better_end():
    # many hospitals at 0 deaths: P10 = P25 = 0
    d = distribution({10: 0.0, 25: 0.0, 50: 1.0, 90: 3.0})
    assert d.position(0.0) == (10.0, 25.0)
    assert d.score(0.0, "lower") == 90.0  # 100 − 10
    assert d.score(0.0, "higher") == 25.0


def test_value_at_is_the_inverse_of_position():
    d = distribution({10: 10.0, 50: 30.0, 90: 50.0})
    assert d.value_at(70.0) == pytest.approx(40.0)
    assert d.value_at(95.0) == pytest.approx(52.5)  # 50 + 5·20/40
    assert d.value_at(5.0) == pytest.approx(7.5)  # 10 − 5·20/40
    # a lower-is-better value scoring 80 sits at P20: 10 + 10·20/40 = 15
    assert d.value_for_score(80.0, "lower", 0.0) == pytest.approx(15.0)
    # a monitor value scoring 80 on the high side sits at P60: 30 + 10·20/40 = 35
    assert d.value_for_score(80.0, "monitor", 1.0) == pytest.approx(35.0)


def test_a_distribution_needs_two_points_that_do_not_fall():
    assert distribution({50: 3.0}) is None
    assert distribution({10: 5.0, 50: 4.0}) is None
    assert distribution({10: 4.0, 50: 4.0}) is not None
