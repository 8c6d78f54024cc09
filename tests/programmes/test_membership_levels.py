"""Who counts for a 医共体 in a period: the memberships file's dates decide, over the institution file."""

from __future__ import annotations

from tests.conftest import CLINIC, COUNTY
from tests.programmes import county_data as d

from hqd.indicators.compute import compute_period

HEADER = ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期", "退出日期"]


def test_a_member_that_left_before_the_period_no_longer_counts(wh):
    d.load(wh)
    rows = [[d.COMMUNITY, "紧密型县域医共体", COUNTY, code, "2020-01-01", left]
            for code, left in ((COUNTY, ""), (CLINIC, ""), (d.V1, ""), (d.V2, "2024-12-31"))]  # fmt: skip
    assert wh.load("memberships", wh.file("m.csv", [HEADER, *rows])).quarantined == 0
    compute_period(wh.con, "2025", only=["ccm2024.05", "ccm2024.07"])
    value = wh.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = 'ccm2024.05' "
                    "AND org_code = ? AND org_level = 'community'", [d.COMMUNITY])  # fmt: skip
    assert value == [
        (1, 1)
    ]  # V2 left in 2024: only V1 (which has an ECG device) is a village of the community
    # the county still counts both villages: membership of the community does not change the county
    county = wh.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = 'ccm2024.05' "
                     "AND org_code = '990121' AND org_level = 'county'")  # fmt: skip
    assert county == [(1, 2)]
    members = [COUNTY, CLINIC, d.V1]
    primary = sum(d.VALUES[o]["total_visits"] for o in members if o in d.PRIMARY)
    share = wh.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = 'ccm2024.07' "
                    "AND org_code = ? AND org_level = 'community'", [d.COMMUNITY])  # fmt: skip
    assert share == [(primary, sum(d.VALUES[o]["total_visits"] for o in members))]
