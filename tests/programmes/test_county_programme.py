"""County communities, urban groups, referral and Sanming: every indicator against values computed here from
the hand-made records of county_data.py (programmes.md §1–3, §7)."""

from __future__ import annotations

from datetime import date
from statistics import median

import pytest
from tests.conftest import CLINIC, COUNTY, HOSP
from tests.programmes import county_data as d

from hqd.indicators.compute import compute_period
from hqd.indicators.periods import parse
from hqd.programmes import criteria


@pytest.fixture(scope="module")
def computed(tmp_path_factory, request):
    """One warehouse for the module: the data loaded and 2025 computed (2024 holds only the growth base)."""
    from tests.conftest import Warehouse

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("county")
    mp.setenv("HQD_DB", str(root / "hqd.duckdb"))
    wh = Warehouse(root)
    d.load(wh)
    compute_period(wh.con, "2025")
    yield wh
    wh.con.close()
    mp.undo()


def got(wh, ident, org, level):
    rows = wh.rows("SELECT numerator, denominator, value, status, reason FROM indicator_values "
                   "WHERE indicator_id = ? AND org_code = ? AND org_level = ? AND period = '2025'", [ident, org, level])  # fmt: skip
    assert rows, f"{ident} has no value for {org} {level}"
    return rows[0]


def total(element, orgs, need=()):
    """Σ element over the institutions that reported it (and every element in `need`)."""
    return sum(
        d.VALUES[o][element] for o in orgs if element in d.VALUES[o] and all(n in d.VALUES[o] for n in need)
    )


def in_county(county):
    return [o for o, c in d.COUNTY_OF.items() if c == county]


def in_group(group):
    return [o for o, g in d.GROUP_OF.items() if g == group]


def parts(wh, ident, org, level):
    num, den, value, status, _ = got(wh, ident, org, level)
    assert status == "ok"
    return num, den, value


# -- the county sets over reported values ----------------------------------------------------------------
@pytest.mark.parametrize(("level", "org", "members"), [
    ("county", "990121", in_county("990121")), ("community", d.COMMUNITY, in_group(d.COMMUNITY)),
    ("medical_group", d.GROUP, in_group(d.GROUP)), ("city", "990100", list(d.COUNTY_OF)),
])  # fmt: skip
def test_primary_care_visit_share_is_primary_visits_over_all_visits(computed, level, org, members):
    primary = [o for o in members if o in d.PRIMARY]
    num, den, value = parts(computed, "ccm2024.07", org, level)
    assert (num, den) == (total("total_visits", primary), total("total_visits", members))
    assert value == pytest.approx(num / den * 100)


def test_outpatient_emergency_share_counts_both_kinds_of_visit(computed):
    def visits(orgs):
        return sum(
            d.VALUES[o].get("outpatient_visits", 0) + d.VALUES[o].get("emergency_visits", 0) for o in orgs
        )

    members = in_county("990121")
    assert parts(computed, "ccm2020.02", "990121", "county")[:2] == (
        visits([o for o in members if o in d.PRIMARY]),
        visits(members),
    )


def test_tcm_shares_use_institutions_that_reported_both_parts(computed):
    members = in_county("990121")
    assert parts(computed, "ccm2024.12", "990121", "county")[:2] == (
        total("tcm_visits", members, ["total_visits"]),
        total("total_visits", members, ["tcm_visits"]),
    )
    primary = [o for o in members if o in d.PRIMARY]  # V2 reported no TCM visits: out of both parts
    assert parts(computed, "ccm2020.07", "990121", "county")[:2] == (
        total("tcm_visits", primary, ["total_visits"]),
        total("total_visits", primary, ["tcm_visits"]),
    )


def test_per_10k_residents_divides_by_the_county_population(computed):
    num, den, value = parts(computed, "ccm2024.04", "990121", "county")
    assert (num, den) == (total("seconded_physicians", in_county("990121")), d.POPULATION["990121"])
    assert value == pytest.approx(12 / 400_000 * 10_000)
    assert parts(computed, "ccm2020.08", "990121", "county")[:2] == (
        total("general_practitioners", in_county("990121")),
        d.POPULATION["990121"],
    )
    assert parts(computed, "ccm2020.10", "990121", "county")[0] == 12


def test_village_ecg_coverage_counts_unreported_villages_as_uncovered(computed):
    # V1 has a device, V2 reported none
    assert parts(computed, "ccm2024.05", "990121", "county")[:2] == (1, 2)
    assert (
        parts(computed, "ccm2024.05.a", "990121", "county")[0] == d.VALUES[COUNTY]["shared_centre_services"]
    )


def test_pay_ratio_is_primary_average_pay_over_the_lead_hospitals(computed):
    members = in_county("990121")
    primary = [o for o in members if o in d.PRIMARY]
    a = (
        total("staff_wage_total", primary, ["staff_count"])
        * 10_000
        / total("staff_count", primary, ["staff_wage_total"])
    )
    b = d.VALUES[COUNTY]["staff_wage_total"] * 10_000 / d.VALUES[COUNTY]["staff_count"]
    assert parts(computed, "ccm2024.06.a", "990121", "county")[2] == pytest.approx(a)
    assert parts(computed, "ccm2024.06.b", "990121", "county")[2] == pytest.approx(b)
    num, den, value = parts(computed, "ccm2024.06", "990121", "county")
    assert (num, den, value) == pytest.approx((a, b, a / b))


def test_chronic_management_and_health_outcomes(computed):
    primary = [o for o in in_county("990121") if o in d.PRIMARY]
    assert parts(computed, "ccm2020.04", "990121", "county")[:2] == (
        total("chronic_standard_managed", primary, ["chronic_registered"]),
        total("chronic_registered", primary, ["chronic_standard_managed"]),
    )
    cv = d.COUNTY_VALUES
    assert parts(computed, "ccm2024.13", "990121", "county")[:2] == (
        cv["chronic_managed_admissions"],
        cv["chronic_managed_people"],
    )
    assert parts(computed, "ccm2024.14", "990121", "county")[2] == cv["premature_mortality_4cd"]


def test_lead_hospital_service_revenue_share(computed):
    v = d.VALUES[COUNTY]
    service = (
        v["medical_revenue"]
        - v["drug_revenue"]
        - v["material_revenue"]
        - v["exam_revenue"]
        - v["lab_revenue"]
    )
    assert parts(computed, "ccm2020.09", "990121", "county")[:2] == (service, v["medical_revenue"])


def test_lead_hospital_grade_3_and_4_operations_share(computed):
    ops = [r[17] for r in d.DISCHARGES if r[0] == COUNTY and r[17] in d.SURGICAL]
    high = [p for p in ops if d.GRADE[p] >= 3]
    assert parts(computed, "ccm2020.05", COUNTY, "institution")[:2] == (len(high), len(ops)) == (2, 3)
    assert parts(computed, "ccm2020.05", "990121", "county")[:2] == (2, 3)
    # not a lead hospital of a community: no value stored for it
    assert not computed.rows(
        "SELECT 1 FROM indicator_values WHERE indicator_id = 'ccm2020.05' AND org_code = ?", [CLINIC]
    )


def test_county_only_indicators_have_no_institution_values(computed):
    assert not computed.rows(
        "SELECT 1 FROM indicator_values WHERE indicator_id = 'ccm2024.07' AND org_level = 'institution'"
    )


# -- referral -------------------------------------------------------------------------------------------
def refs_2025(orgs, year="2025"):
    return [r for r in d.REFERRALS if r[1] in orgs and r[5].startswith(year)]


@pytest.mark.parametrize(("org", "level", "members"), [
    (CLINIC, "institution", [CLINIC]), (HOSP, "institution", [HOSP]), ("990121", "county", in_county("990121")),
    (d.GROUP, "medical_group", in_group(d.GROUP)), ("990100", "city", list(d.COUNTY_OF)),
])  # fmt: skip
def test_referral_counts_rates_and_delay(computed, org, level, members):
    rs = refs_2025(members)
    up = [r for r in rs if r[3] == "上转"]
    down = [r for r in rs if r[3] == "下转"]
    accepted = [r for r in rs if r[4] == "已接收"]
    if up:
        assert parts(computed, "referral.up", org, level)[0] == len(up)
    if down:
        assert parts(computed, "referral.down", org, level)[0] == len(down)
    if up and down:
        assert parts(computed, "referral.down_up_ratio", org, level)[:2] == (len(down), len(up))
    assert parts(computed, "referral.acceptance", org, level)[:2] == (len(accepted), len(rs))
    days = [(date.fromisoformat(r[6]) - date.fromisoformat(r[5])).days for r in accepted]
    assert parts(computed, "referral.accept_days", org, level)[2] == median(days)
    if up:
        same = [r for r in up if d.COUNTY_OF[r[2]] == d.COUNTY_OF[r[1]]]
        assert parts(computed, "referral.up_in_county", org, level)[:2] == (len(same), len(up))


def test_down_referral_growth_compares_with_the_year_before(computed):
    now, before = len(refs_2025([HOSP])), len(refs_2025([HOSP], "2024"))
    assert (now, before) == (2, 1)
    num, den, value = parts(computed, "referral.down_growth", HOSP, "institution")
    assert (num, den, value) == (now - before, before, (now - before) / before * 100)


def test_down_referrals_of_tertiary_hospitals_from_records_and_discharges(computed):
    assert parts(computed, "referral.down_from_tertiary", HOSP, "institution")[0] == 2
    mode3 = [r for r in d.DISCHARGES if r[0] == HOSP and r[11] == "3"]
    assert parts(computed, "referral.down_discharges_tertiary", HOSP, "institution")[0] == len(mode3) == 2
    assert not computed.rows("SELECT 1 FROM indicator_values WHERE indicator_id = 'referral.down_from_tertiary' "
                             "AND org_code = ?", [COUNTY])  # fmt: skip


# -- Sanming ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("ident", "num", "den", "scale"), [
    ("sanming.drug_share", ["drug_revenue"], ["medical_revenue"], 100),
    ("sanming.material_share", ["material_revenue"], ["medical_revenue"], 100),
    ("sanming.drug_material_share", ["drug_revenue", "material_revenue"], ["medical_revenue"], 100),
    ("sanming.exam_lab_share", ["exam_revenue", "lab_revenue"], ["medical_revenue"], 100),
    ("sanming.avg_pay", ["staff_wage_total"], ["staff_count"], 10_000),
])  # fmt: skip
@pytest.mark.parametrize("org", [HOSP, COUNTY])
def test_sanming_revenue_mix_and_pay_per_hospital(computed, ident, num, den, scale, org):
    v = d.VALUES[org]
    n, m, value = parts(computed, ident, org, "institution")
    assert (n, m) == (sum(v[e] for e in num), sum(v[e] for e in den))
    assert value == pytest.approx(n / m * scale)


def test_sanming_city_value_is_a_ratio_of_sums_over_hospitals(computed):
    hospitals = [HOSP, COUNTY]  # 三级 and 二级 only
    assert parts(computed, "sanming.drug_share", "990100", "city")[:2] == (
        total("drug_revenue", hospitals),
        total("medical_revenue", hospitals),
    )


def test_materials_per_100_yuan_of_non_drug_revenue(computed):
    v = d.VALUES[HOSP]
    n, m, value = parts(computed, "sanming.material_per_100", HOSP, "institution")
    assert (n, m) == (v["material_expense"], v["medical_revenue"] - v["drug_revenue"])
    assert value == pytest.approx(n / m * 100)


def test_insurance_fund_balance_and_the_share_retained(computed):
    cv = d.COUNTY_VALUES
    balance = cv["insurance_fund_income"] - cv["insurance_fund_expense"]
    assert parts(computed, "sanming.fund_balance", "990121", "county")[2] == balance
    assert parts(computed, "sanming.fund_retained_share", "990121", "county")[:2] == (
        d.VALUES[COUNTY]["insurance_savings_retained"],
        balance,
    )


# -- urban groups --------------------------------------------------------------------------------------------
def test_group_grid_population_and_stationed_physicians(computed):
    assert parts(computed, "umg.grid_population", d.GROUP, "medical_group")[0] == 60_000
    num, den, status, reason = (
        *got(computed, "umg.seconded_per10k", d.GROUP, "medical_group")[:2],
        *got(computed, "umg.seconded_per10k", d.GROUP, "medical_group")[3:],
    )
    assert (num, den, status) == (None, 60_000, "missing") and "分子" in reason


# -- the checklist ----------------------------------------------------------------------------------------
def test_checklist_fails_on_a_partly_met_or_unreported_criterion_and_names_it(computed):
    lists = {c.set_id: c for c in criteria.evaluate(computed.con, "990121", parse("2025"))}
    c2020, c2024 = lists["ccm2020"], lists["ccm2024"]
    expected_met = sum(1 for k, v in d.CRITERIA.items() if k.startswith(("ccm_r", "ccm_m", "ccm_s", "ccm_i"))
                       and v in ("已实施", "是", "达标"))  # fmt: skip
    assert (c2020.met, len(c2020.items), c2020.verdict) == (expected_met, 11, "未达标")
    assert c2020.reasons == ["财务统一管理：部分达标"]
    assert (c2024.met, c2024.verdict, c2024.reasons) == (2, "未达标", ["服务协同联动：未报送"])


def test_checklist_passes_when_every_criterion_is_met(computed):
    computed.load("values", computed.file("fix.csv", [["区划代码", "统计期", "数据项", "数值"],
                                                     ["990121", "2025", "ccm_m2", "已实施"]]))  # fmt: skip
    lists = {c.set_id: c for c in criteria.evaluate(computed.con, "990121", parse("2025"))}
    assert lists["ccm2020"].passed and lists["ccm2020"].reasons == []
    computed.load("values", computed.file("back.csv", [["区划代码", "统计期", "数据项", "数值"],
                                                      ["990121", "2025", "ccm_m2", "部分实施"]]))  # fmt: skip
