"""County medical community indicators from insurance settlements (programmes.md §1.4, 2024 set 8–11)."""

from __future__ import annotations

import pytest
from tests.conftest import CLINIC, COUNTY

from hqd.indicators.compute import compute_period

HEADER = ["结算ID", "参保地区划代码", "就医机构代码", "就医地区划代码", "机构类型", "医疗类别", "结算日期", "医疗费用总额",
          "医保基金支付金额"]  # fmt: skip
# (insured county, provider, provider county, type, care, total, fund)
CLAIMS = [
    ("990121", COUNTY, "990121", "医院", "住院", 8000, 5000),  # in county
    ("990121", COUNTY, "990121", "医院", "住院", 6000, 4000),  # in county
    ("990121", CLINIC, "990121", "基层医疗卫生机构", "住院", 2000, 1500),  # in county, primary care
    ("990121", "12990100MB1234567X", "990102", "医院", "住院", 20000, 12000),  # treated in the city district
    ("990121", "PROVINCEHOSP000001", "880100", "医院", "住院", 30000, 15000),  # outside the city
    ("990121", CLINIC, "990121", "基层医疗卫生机构", "门诊", 300, 200),  # outpatient, primary, in county
    ("990121", "PHARMACY0000000001", "990121", "药店", "购药", 500, 400),  # pharmacy: out of indicator 8
    ("990102", "12990100MB1234567X", "990102", "医院", "住院", 9000, 6000),  # another county's insured
]


@pytest.fixture
def computed(seeded):
    rows = [[f"S{i}", *c[:5], "2025-06-01", str(c[5]), str(c[6])] for i, c in enumerate(CLAIMS)]
    assert seeded.load("claims", seeded.file("c.csv", [HEADER, *rows])).quarantined == 0
    compute_period(seeded.con, "2025", only=["ccm2024.08", "ccm2024.09", "ccm2024.10", "ccm2024.11"])
    return seeded


def got(wh, ident, org):
    return wh.rows("SELECT numerator, denominator, value FROM indicator_values WHERE indicator_id = ? AND org_code = ?",
                   [ident, org])[0]  # fmt: skip


def mine(county, where):
    return [c for c in CLAIMS if c[0] == county and where(c)]


def test_in_county_inpatient_share_counts_stays_outside_the_county(computed):
    inpatient = mine("990121", lambda c: c[4] == "住院")
    inside = [c for c in inpatient if c[2] == "990121"]
    assert got(computed, "ccm2024.11", "990121")[:2] == (len(inside), len(inpatient)) == (3, 5)
    # the city: ratio of sums over both counties' insured (990102's one stay is in its own county)
    assert got(computed, "ccm2024.11", "990100")[:2] == (4, 6)


def test_fund_shares_leave_pharmacies_out(computed):
    not_pharmacy = mine("990121", lambda c: c[3] != "药店")
    in_county = [c for c in not_pharmacy if c[2] == "990121"]
    assert got(computed, "ccm2024.08", "990121")[:2] == (
        sum(c[6] for c in in_county),
        sum(c[6] for c in not_pharmacy),
    )
    primary = [c for c in in_county if c[3] == "基层医疗卫生机构"]
    assert got(computed, "ccm2024.09", "990121")[:2] == (
        sum(c[6] for c in primary),
        sum(c[6] for c in in_county),
    )


def test_in_county_inpatient_cost_per_stay(computed):
    stays = mine("990121", lambda c: c[4] == "住院" and c[2] == "990121")
    num, den, value = got(computed, "ccm2024.10", "990121")
    assert (num, den) == (sum(c[5] for c in stays), len(stays)) and value == pytest.approx(16000 / 3)


def test_a_plan_may_name_the_indicator_by_its_short_name():
    from hqd.targets.items import resolve

    assert resolve("县域内住院人次占比").key == "ccm2024.11"
