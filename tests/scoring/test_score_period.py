"""Scoring a period from a real warehouse: peer groups, unscored institutions, a loaded national reference
and the stored results. Values of tests/scoring/region.py; expected numbers worked out in the comments."""

from __future__ import annotations

import pytest
from tests.conftest import HOSP
from tests.scoring.region import ODD, T2, T3, TCM, national_reference, region

from hqd.scoring import store
from hqd.scoring.period import ScoringError, score_period
from hqd.scoring.schemes import load_scheme


@pytest.fixture
def region_wh(seeded):
    return region(seeded)


def test_peer_groups_and_totals_against_the_region(region_wh):
    ps = score_period(region_wh.con, load_scheme("gk3"), "2024")
    # Only gk3.04 and gk3.08 have values; every other indicator is left out for everyone.
    # HOSP: gk3.04 40 (rank 1 of 2 → 100) and gk3.08 2.0 (alone → 100), 500 each → 1000.
    # T2: gk3.08 has no eligible cases, so gk3.04 carries the whole 1000; 30 is rank 2 of 2 → 0.
    # TCM is alone in its group: gk3.04 → 100 of 1000.
    assert {k: round(v.total, 6) for k, v in ps.scored.items()} == {HOSP: 1000, T2: 0, TCM: 1000}
    assert {k: v.peer_group for k, v in ps.scored.items()} == {HOSP: "general", T2: "general", TCM: "tcm"}
    assert ps.scored[T2].items["gk3.04"].max_points == pytest.approx(1000)
    assert ps.scored[HOSP].standing.rank == 1 and ps.scored[T2].standing.rank == 2
    assert ps.scored[HOSP].standing.grade is None  # 2 peers < 10
    assert "no peer group" in ps.unscored[ODD] and "no value" in ps.unscored[T3]
    assert ps.scored[HOSP].reference.startswith("region")


def test_a_loaded_national_distribution_scores_and_grades_against_the_nation(region_wh):
    national_reference(region_wh)
    ps = score_period(region_wh.con, load_scheme("gk3"), "2024", "national")
    hosp, t2 = ps.scored[HOSP], ps.scored[T2]
    # HOSP: gk3.04 40 → P70 → 350 of 500; gk3.08 has no national percentiles → region → 500. Total 850
    # = the national P95 → top 5% → A+.
    assert hosp.items["gk3.04"].basis == "national" and hosp.items["gk3.08"].basis == "region"
    assert hosp.total == pytest.approx(850)
    assert (hosp.standing.basis, hosp.standing.rank_percentile, hosp.standing.grade) == (
        "national",
        5.0,
        "A+",
    )
    # T2: 30 = P50 → 50 of 1000 → 500; below P50 the P50–P90 slope (0.2 per point) gives P30 → top 70% → C
    assert t2.total == pytest.approx(500)
    assert (t2.standing.rank_percentile, t2.standing.grade) == (pytest.approx(70), "C")
    # no reference is declared for TCM hospitals: region, and too few peers to grade
    assert ps.scored[TCM].standing.grade is None and ps.scored[TCM].reference.startswith("region")
    assert "national: 1/2" in hosp.reference


def test_a_period_that_was_not_computed_is_a_user_error(region_wh):
    with pytest.raises(ScoringError, match="run hqd compute --period 2023"):
        score_period(region_wh.con, load_scheme("gk3"), "2023")


def test_stored_scores_are_replaced_by_a_new_run(region_wh):
    ps = score_period(region_wh.con, load_scheme("gk3"), "2024")
    store.save(region_wh.con, ps)
    store.save(region_wh.con, score_period(region_wh.con, load_scheme("gk3"), "2024"))
    # 3 scored + 2 unscored institutions; 3 × 36 indicator rows
    assert region_wh.one("SELECT count(*) FROM score_runs") == 1
    assert region_wh.one("SELECT count(*) FROM scores") == 5
    assert region_wh.one("SELECT count(*) FROM score_items") == 3 * len(ps.scheme.parts)
    assert region_wh.rows("SELECT total, rank, grade FROM scores WHERE org_code = ?", [HOSP]) == [
        (1000.0, 1, None)
    ]
    lost = region_wh.one("SELECT sum(points_lost) FROM score_items WHERE org_code = ?", [T2])
    assert lost == pytest.approx(1000)
