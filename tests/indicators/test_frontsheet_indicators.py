"""The 病案首页 indicators on hand-made data; every expected number is worked out in the comments."""

from __future__ import annotations

import pytest
from tests.conftest import COUNTY, HOSP
from tests.indicators.frontsheet_data import load

from hqd.indicators.compute import compute_period


def values(seeded, org: str, level: str = "institution") -> dict[str, tuple]:
    rows = seeded.rows(
        "SELECT indicator_id, numerator, denominator, value, status, reason FROM indicator_values "
        "WHERE org_code = ? AND org_level = ? AND period = '2024'",
        [org, level],
    )
    return {r[0]: r[1:] for r in rows}


@pytest.fixture
def computed(seeded):
    load(seeded)
    compute_period(seeded.con, "2024")
    return seeded


# HOSP discharged A1–A9 in 2024 (A10 left in 2023).
# Surgery (手术 or 介入治疗 in the catalogue): A1 介入, A2, A3, A5, A6, A9 = 6; A4 (诊断性) and A7 (治疗性) not.
@pytest.mark.parametrize(
    ("ident", "num", "den"),
    [
        ("gk3.04", 6, 9),  # operated / all discharges
        ("gk3.05", 2, 6),  # minimally invasive per the catalogue: A1 36.0601, A2 47.0100
        ("gk3.06", 3, 6),  # level 4 per the catalogue: A1, A5, A9 (the hospital's own 手术级别 is not used)
        (
            "gk3.08",
            2,
            5,
        ),  # operated minus obstetric A6 = A1 A2 A3 A5 A9; complications with 入院病情 4: A2 T81.4, A9 I26
        ("gk3.09", 1, 4),  # class-I incisions: A2, A3, A5, A9; healed 丙: A3
        (
            "gk3.03",
            1,
            5,
        ),  # elective = operated and not admitted via emergency: A2 A3 A5 A6 A9; day surgery: A2
        ("gk3.14", 1, 1),  # low-risk DRG XX1 (codes-drg 是否低风险组 = 是): A8, who died
    ],
)
def test_tertiary_frontsheet_indicator(computed, ident, num, den):
    got = values(computed, HOSP)[ident]
    assert got[:2] == (num, den)
    assert got[2] == pytest.approx(num / den * 100)
    assert got[3] == "ok"


def test_case_mix_index_is_weights_over_grouped_cases(computed):
    # Grouped HOSP cases with weights: A1 FR1 2.0, A2 GD2 1.0, A5 IC2 3.0, A8 XX1 0.5, A9 IC2 3.0 -> 9.5 / 5
    num, den, value, status, _ = values(computed, HOSP)["drg.cmi"]
    assert (num, den, status) == (9.5, 5, "ok") and value == pytest.approx(1.9)
    note = computed.one(
        "SELECT note FROM indicator_values WHERE indicator_id = 'drg.cmi' AND org_code = ?", [HOSP]
    )
    assert "codes-drg" in note


def test_time_and_cost_indices_compare_each_case_with_its_drg_reference(computed):
    # Reference (all grouped 2024 cases in the region): FR1 A1 (8 d, 50000) and B2 (9 d, 20000);
    # GD2 A2 (1 d, 8000) and B1 (5 d, 7000); IC2 A5 (12 d, 60000) and A9 (14 d, 70000); XX1 A8 (2 d, 2000).
    ref_los = {"FR1": 8.5, "GD2": 3.0, "IC2": 13.0, "XX1": 2.0}
    ref_cost = {"FR1": 35000.0, "GD2": 7500.0, "IC2": 65000.0, "XX1": 2000.0}
    cases = [("FR1", 8, 50000), ("GD2", 1, 8000), ("IC2", 12, 60000), ("XX1", 2, 2000), ("IC2", 14, 70000)]
    time_num = sum(los / ref_los[g] for g, los, _ in cases)
    cost_num = sum(c / ref_cost[g] for g, _, c in cases)
    v = values(computed, HOSP)
    assert v["drg.time_index"][0] == pytest.approx(time_num) and v["drg.time_index"][1] == 5
    assert v["drg.cost_index"][0] == pytest.approx(cost_num) and v["drg.cost_index"][2] == pytest.approx(
        cost_num / 5
    )


def test_drg_groups_of_a_region_are_counted_not_summed(computed):
    # HOSP covers FR1 GD2 IC2 XX1 (4), COUNTY covers GD2 FR1 (2); the city covers 4 distinct DRGs, not 6.
    assert values(computed, HOSP)["drg.groups"][2] == 4
    assert values(computed, COUNTY)["drg.groups"][2] == 2
    assert values(computed, "990100", "city")["drg.groups"][2] == 4


def test_secondary_indicators_apply_to_secondary_hospitals(computed):
    v = values(computed, COUNTY)
    assert v["gk2.01"][:2] == (1, 2)  # B1 operated of B1 B2
    assert v["gk2.03"][:2] == (1, 1)  # 47.0100 is level 3 in the catalogue
    assert v["gk2.13"][:3] == (14, 2, 7.0)  # (5 + 9) days / 2 discharges
    assert "gk3.04" not in v and "gk2.01" not in values(computed, HOSP)


def test_region_values_are_ratios_of_sums_over_the_institutions_in_scope(computed):
    # gk3 applies to tertiary hospitals: the county 990102 holds HOSP only, so its gk3.04 equals HOSP's.
    assert values(computed, "990102", "county")["gk3.04"][:2] == (6, 9)
    # drg.cmi applies to all: city = (9.5 + GD2 1.0 + FR1 2.0) / (5 + 2)
    num, den, value, *_ = values(computed, "990100", "city")["drg.cmi"]
    assert (num, den) == (12.5, 7) and value == pytest.approx(12.5 / 7)


def test_single_disease_measures(computed):
    v = values(computed, HOSP)
    assert v["gk3.10.ami.cases"][2] == 1  # A1, principal I21.900
    assert v["gk3.10.ami.los"][:3] == (8, 1, 8.0)
    assert v["gk3.10.ami.cost"][2] == 50000.0
    assert v["gk3.10.hip.mortality"][:2] == (1, 2)  # principal procedure 81.51: A5 (died) and A9


def test_a_zero_denominator_is_missing_not_zero(computed):
    _num, den, value, status, reason = values(computed, COUNTY)["gk2.05"]  # no low-risk cases at the county
    assert (den, value, status) == (0, None, "missing") and "denominator is 0" in reason


def test_an_institution_without_discharges_is_missing_with_the_reason(computed):
    v = computed.rows("SELECT status, reason FROM indicator_values WHERE indicator_id = 'drg.cmi' "
                      "AND org_code = '12990121MB0000011A'")  # fmt: skip
    assert v == [("missing", "本期无病案首页数据 / no discharges loaded for this period")]


def test_without_the_procedure_catalogue_procedure_indicators_are_missing(seeded):
    from tests.indicators.frontsheet_data import DISCHARGES, HEADER

    seeded.load("discharges", seeded.file("d.csv", [HEADER, *DISCHARGES]))
    compute_period(seeded.con, "2024")
    _num, _den, _value, status, reason = values(seeded, HOSP)["gk3.04"]
    assert status == "missing" and "codes-icd9cm3" in reason
    assert values(seeded, HOSP)["drg.groups"][3] == "ok"  # needs no procedure catalogue


def test_months_and_quarters_select_discharges_by_discharge_time(seeded):
    load(seeded)
    compute_period(seeded.con, "2024-05", only=["gk3.04"])
    compute_period(seeded.con, "2024Q1", only=["gk3.04"])
    got = dict(seeded.rows("SELECT period, status FROM indicator_values WHERE indicator_id = 'gk3.04' AND org_code = ?",
                           [HOSP]))  # fmt: skip
    assert got == {"2024-05": "ok", "2024Q1": "missing"}  # all of A1–A9 left in May 2024
    assert seeded.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = 'gk3.04' "
                       "AND org_code = ? AND period = '2024-05'", [HOSP]) == [(6, 9)]  # fmt: skip
