"""Points, totals, ranks and grades of a peer group, against numbers worked out by hand (tests/scoring/hand.py)."""

from __future__ import annotations

import pytest
from tests.scoring.hand import LOS, MORT, OBS, TOTALS, group, ok, scheme

from hqd.scoring.grade import rank_totals
from hqd.scoring.methods import distribution
from hqd.scoring.score import MISSING, Obs, score_group


def test_totals_match_the_hand_computation():
    out = score_group(group())
    assert {m: s.total for m, s in out.items()} == pytest.approx(TOTALS)


def test_points_and_points_lost_per_indicator():
    out = score_group(group())
    a, b, c = out["A"].items, out["B"].items, out["C"].items
    assert (a["gk3.04"].points, a["gk3.04"].lost) == pytest.approx((500, 0))
    assert (a["gk3.08"].points, a["gk3.08"].lost) == pytest.approx((125, 125))
    assert (c["gk3.04"].points, c["gk3.04"].lost) == pytest.approx((1000 / 3, 500 / 3))
    # a missing value scores 0 and loses its whole share
    assert (c["gk3.08"].status, c["gk3.08"].points, c["gk3.08"].lost) == ("missing", 0, 250)
    # no eligible cases: the part does not apply and its group share moves to the other part
    assert (b[MORT].status, b[MORT].max_points, b[MORT].lost) == ("na", 0, 0)
    assert b[LOS].max_points == pytest.approx(250)
    assert a[LOS].max_points == pytest.approx(125)


def test_every_institution_is_scored_out_of_the_same_scale():
    for s in score_group(group()).values():
        assert sum(i.max_points for i in s.items.values()) == pytest.approx(1000)
        assert s.total == pytest.approx(sum(i.points for i in s.items.values()))


def test_ranks_and_the_small_group_rule():
    out = score_group(group())  # 4 peers < min_peers 10: ranked, not graded
    assert {m: s.standing.rank for m, s in out.items()} == {"B": 1, "A": 2, "C": 3, "D": 4}
    assert all(s.standing.grade is None and "fewer than 10" in s.standing.note for s in out.values())
    assert out["A"].standing.rank_percentile == 50.0


def test_grades_by_rank_percentile_when_the_group_is_large_enough():
    out = score_group(group(scheme(min_peers=1)))
    # p = rank/4: B 25% → B+ (≤40), A 50% → B (≤60), C 75% → C (≤80), D 100% → D
    assert {m: s.standing.grade for m, s in out.items()} == {"B": "B+", "A": "B", "C": "C", "D": "D"}


def test_equal_totals_share_the_better_rank():
    assert rank_totals({"x": 700.0, "y": 650.0, "z": 700.0000000001, "w": 600.0}) == {
        "x": 1,
        "z": 1,
        "y": 3,
        "w": 4,
    }


def test_an_indicator_no_peer_has_is_left_out_for_the_whole_group():
    obs = {m: {**v, "gk3.08": Obs(None, MISSING, "未报送")} for m, v in OBS.items()}
    out = score_group(group(obs=obs))
    # weights 2 and 1 remain: gk3.04 gets 1000·2/3, the group 1000/3 (A: 1000/6 per part)
    a = out["A"].items
    assert a["gk3.08"].status == "left_out" and a["gk3.08"].max_points == 0
    assert a["gk3.04"].max_points == pytest.approx(2000 / 3)
    assert out["A"].total == pytest.approx(2000 / 3 + 1000 / 6 * 0.5 + 1000 / 6)


def test_an_entry_with_no_applicable_part_passes_its_weight_to_the_others():
    obs = {m: dict(v) for m, v in OBS.items()}
    obs["D"][MORT] = Obs(None, "na")
    obs["D"][LOS] = Obs(None, "na")
    d = score_group(group(obs=obs))["D"]
    # D keeps gk3.04 (weight 2) and gk3.08 (weight 1): 666.67 and 333.33, both scoring 0
    assert d.items["gk3.04"].max_points == pytest.approx(2000 / 3)
    assert d.items["gk3.08"].max_points == pytest.approx(1000 / 3)
    assert d.total == pytest.approx(0)


def test_national_distributions_replace_the_peer_ranking_and_say_so():
    # gk3.04: A 40 → P70 → 350 of 500; gk3.08 (lower): P10 0.5, P50 1.5, P90 3.5; A 2.0 → P60 → 40 → 100 of 250
    dists = {
        "gk3.04": distribution({10: 10.0, 50: 30.0, 90: 50.0}),
        "gk3.08": distribution({10: 0.5, 50: 1.5, 90: 3.5}),
    }
    out = score_group(group(dists=dists))
    a = out["A"].items
    assert a["gk3.04"].score == pytest.approx(70.0) and a["gk3.04"].basis == "national"
    assert a["gk3.08"].score == pytest.approx(40.0)
    assert a[LOS].basis == "region"  # no national distribution loaded for it
    assert out["A"].total == pytest.approx(350 + 100 + 62.5 + 125)
    assert out["A"].reference.startswith("national: 2/4")


def test_a_national_total_distribution_grades_against_the_nation():
    # A = 812.5; totals P90 800, P95 850 → position 90 + 12.5·5/50 = 91.25 → top 8.75% → A (≤10%)
    total = distribution({50: 600.0, 90: 800.0, 95: 850.0, 99: 950.0})
    out = score_group(group(total_dist=total))
    st = out["A"].standing
    assert (st.basis, st.rank_percentile, st.grade) == ("national", pytest.approx(8.75), "A")
    assert out["D"].standing.grade == "D"  # 166.67 lies far below P50: position clipped to 0, top 100%


def test_standard_scoring_from_a_scheme_entry():
    s = scheme(indicators=[{"id": "gk3.04", "weight": 1, "method": "standard", "standard": 30}])
    out = score_group(group(s, {"A": {"gk3.04": ok(40)}, "B": {"gk3.04": ok(30)}, "D": {"gk3.04": ok(10)}}))
    assert {m: x.total for m, x in out.items()} == {"A": 1000, "B": 1000, "D": 0}
