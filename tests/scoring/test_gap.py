"""The gap to the next grade or rank, on the hand-scored group of tests/scoring/hand.py (totals A 812.5,
B 833.33, C 395.83, D 166.67) and on one institution against a national distribution."""

from __future__ import annotations

import pytest
from tests.scoring.hand import LOS, MORT, group, ok, scheme

from hqd.scoring.gap import gap_for
from hqd.scoring.methods import distribution
from hqd.scoring.period import Institution, PeriodScores, ScoringError
from hqd.scoring.score import score_group


def period_scores(g) -> PeriodScores:
    insts = {m: Institution(m, f"医院{m}", "三级", "综合医院", "general") for m in g.members}
    ps = PeriodScores(g.scheme, "2024", "region", insts)
    ps.groups[g.id] = g
    ps.scored = score_group(g)
    return ps


def test_ungraded_the_goal_is_the_next_rank():
    gap = gap_for(period_scores(group()), "C")
    assert gap.goal.rank == 2 and gap.goal.grade is None
    assert gap.points_needed == pytest.approx(812.5 - 395.8333333, abs=1e-6)


def test_per_indicator_change_and_points_for_an_institution_that_cannot_close_the_gap_with_one_indicator():
    gap = gap_for(period_scores(group()), "C")
    steps = {s.indicator_id: s for s in gap.steps}
    # gk3.04: 30 → 40 ties A at rank 1: C +166.67 (B falls to rank 3 and loses as much); C 562.5 < A 812.5
    s = steps["gk3.04"]
    assert (s.target_value, s.change, s.relative_change) == (40, 10, pytest.approx(1 / 3))
    assert (s.points_gained, s.closes) == (pytest.approx(500 / 3), False)
    # gk3.08 not reported: reporting the peers' median 2.0 ties A at rank 2 of 4: 66.67% of 250
    s = steps["gk3.08"]
    assert (s.value, s.target_value, s.change) == (None, 2.0, None)
    assert s.points_gained == pytest.approx(500 / 3) and "median" in s.note
    # ami.mortality: 5 → 0 ties D at rank 1: +62.5
    assert steps[MORT].target_value == 0 and steps[MORT].points_gained == pytest.approx(62.5)
    # ami.los: 12 → 8.5 (the median): new median 8.25, C's distance .25 ties A at rank 1: +125
    assert steps[LOS].target_value == 8.5 and steps[LOS].points_gained == pytest.approx(125)
    # ordered by the relative change: los 3.5/12, gk3.04 10/30, mortality 5/5, then the unreported one
    assert [s.indicator_id for s in gap.steps] == [LOS, "gk3.04", MORT, "gk3.08"]
    assert not any(s.closes for s in gap.steps)


def test_the_smallest_change_that_reaches_the_goal_comes_first():
    gap = gap_for(period_scores(group()), "A")  # A 812.5 needs 20.83 to reach B's 833.33
    assert gap.goal.rank == 1 and gap.points_needed == pytest.approx(2500 / 3 - 812.5)
    # gk3.08 2.0 → 1.0 ties B: +125; ami.mortality 5 → 0 ties D: +62.5; gk3.04 is already best;
    # ami.los is already tied best (moving to the median earns nothing) so it is not listed
    assert [(s.indicator_id, s.target_value, s.closes) for s in gap.steps] == [
        ("gk3.08", 1.0, True),
        (MORT, 0.0, True),
    ]
    assert gap.steps[0].relative_change == pytest.approx(0.5)
    assert gap.steps[0].points_gained == pytest.approx(125)


def test_graded_the_goal_is_the_next_grade_and_the_rank_its_cut_point_allows():
    ps = period_scores(group(scheme(min_peers=1)))
    # D is rank 4 of 4 (100%, grade D); C needs p ≤ 80% → rank ≤ floor(3.2) = 3 → C's total 395.83
    gap = gap_for(ps, "D")
    assert (gap.goal.grade, gap.goal.rank) == ("C", 3)
    assert gap.points_needed == pytest.approx(395.8333333 - 166.6666667, abs=1e-6)
    # A (50%, B) → B+ needs p ≤ 40% → rank ≤ floor(1.6) = 1
    assert (gap_for(ps, "A").goal.grade, gap_for(ps, "A").goal.rank) == ("B+", 1)


def test_the_best_institution_has_no_next_step():
    gap = gap_for(period_scores(group()), "B")
    assert gap.goal is None and gap.steps == [] and "already" in gap.note


def test_against_a_national_distribution_the_change_is_read_off_the_percentiles():
    # X alone, weights 1 and 1: gk3.04 40 → P70 → 350 of 500; gk3.08 1.0 → P30 → 70 → 350 of 500.
    # Total 700 → position 50 + 100·40/200 = 70 → top 30% → B+.
    # B++ needs top 20% → the total at P80: 600 + 30·200/40 = 750 → 50 points more.
    s = scheme(min_peers=1, indicators=[{"id": "gk3.04", "weight": 1}, {"id": "gk3.08", "weight": 1}])
    dists = {
        "gk3.04": distribution({10: 10.0, 50: 30.0, 90: 50.0}),
        "gk3.08": distribution({10: 0.5, 50: 1.5, 90: 3.5}),
    }
    total = distribution({10: 400.0, 50: 600.0, 90: 800.0, 95: 850.0, 99: 950.0})
    g = group(s, {"X": {"gk3.04": ok(40), "gk3.08": ok(1.0)}}, dists=dists, total_dist=total)
    gap = gap_for(period_scores(g), "X")
    assert gap.scored.total == pytest.approx(700)
    assert gap.scored.standing.grade == "B+"
    assert gap.goal.grade == "B++" and gap.points_needed == pytest.approx(50)
    # 50 points on a 500-point indicator = 10 score points: gk3.04 to P80 = 30 + 30·20/40 = 45;
    # gk3.08 to P20 = 0.5 + 10·1/40 = 0.75
    assert [s.indicator_id for s in gap.steps] == ["gk3.04", "gk3.08"]
    assert gap.steps[0].target_value == pytest.approx(45, abs=1e-5)
    assert gap.steps[0].relative_change == pytest.approx(0.125, abs=1e-6)
    assert gap.steps[1].target_value == pytest.approx(0.75, abs=1e-6)
    assert all(s.closes and s.points_gained == pytest.approx(50, abs=1e-5) for s in gap.steps)


def test_an_institution_that_is_not_scored_is_a_user_error():
    ps = period_scores(group())
    ps.unscored["Z"] = "2024 无任何计分指标的值 / no value of any scored indicator in 2024"
    with pytest.raises(ScoringError, match="Z is not scored: no value"):
        gap_for(ps, "Z")
