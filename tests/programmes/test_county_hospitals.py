"""千县工程: county hospitals against the capability standards, their centres and their targets."""

from __future__ import annotations

import pytest
from tests.conftest import CLINIC, COUNTY, HOSP, run_hqd

from hqd.indicators.catalog import indicator
from hqd.indicators.compute import compute_period
from hqd.indicators.periods import parse
from hqd.ingest.elements import elements
from hqd.programmes.county_hospitals import assess, county_coverage, standards

TCM = "12990121MB7654322Z"  # 乙县中医医院: a county hospital the (general-hospital) standards leave out
INSTITUTIONS = [
    ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别", "是否县级医院"],
    [HOSP, "示例市人民医院", "990102", "三级", "综合医院", "否"],
    [COUNTY, "乙县人民医院", "990121", "二级", "综合医院", "是"],
    [TCM, "乙县中医医院", "990121", "二级", "中医医院", "是"],
    [CLINIC, "乙县某镇卫生院", "990121", "一级", "乡镇卫生院", "否"],
]
NAMES = {e.code: e.name_zh for e in elements()}
BASIC = [e.code for e in elements() if e.code.startswith("cap.basic.")]
REC = [e.code for e in elements() if e.code.startswith("cap.rec.")]
# 2024: every basic item met, recommended 2 of 10.
# 2025: pathology not met (a mandatory item), rehabilitation not reported → 8 of 10 met, not 达标; the
#       indicator is missing (an item is unreported); recommended 3 of 10 → 30%.
REPORTS = {
    "2024": {**dict.fromkeys(BASIC, 1), **dict.fromkeys(REC, 0), REC[0]: 1, REC[1]: 1},
    "2025": {**{c: 1 for c in BASIC if c != "cap.basic.dept_rehab"}, "cap.basic.dept_pathology": 0,
             **dict.fromkeys(REC, 0), REC[0]: 1, REC[1]: 1, REC[2]: 1},
}  # fmt: skip


@pytest.fixture
def assessed(seeded):
    assert seeded.load("institutions", seeded.file("i.csv", INSTITUTIONS)).quarantined == 0
    rows = [["机构代码", "统计期", "数据项", "数值"]]
    rows += [[COUNTY, y, NAMES[c], str(v)] for y, items in REPORTS.items() for c, v in items.items()]
    assert seeded.load("values", seeded.file("v.csv", rows)).quarantined == 0
    ratings = [
        ["机构代码", "项目", "等级", "专科", "评定日期"],
        [COUNTY, "胸痛中心", "基层版", "心血管内科", "2023-09-08"],
        [CLINIC, "危重孕产妇救治中心", "县级", "产科", "2024"],
    ]
    assert seeded.load("ratings", seeded.file("r.csv", ratings)).quarantined == 0
    targets = [
        ["对象代码", "目标项", "比较", "目标值", "截止期"],
        [COUNTY, "tcp.recommended_share", ">=", "100", "2025"],
    ]
    assert seeded.load("targets", seeded.file("t.csv", targets)).quarantined == 0
    for year in ("2024", "2025"):
        compute_period(seeded.con, year, only=["tcp.basic_share", "tcp.recommended_share"])
    return seeded


def by_tier(wh, period):
    hospitals, items = assess(parse(period), wh.con)
    return {r["tier"]: r for r in hospitals if r["org_code"] == COUNTY}, hospitals, items


def test_share_met_what_is_missing_and_the_verdict(assessed):
    tiers, hospitals, items = by_tier(assessed, "2025")
    basic = tiers["基本标准"]
    assert (basic["met"], basic["reported"], basic["share_pct"]) == (8, 9, 80)
    assert basic["not_met"] == "设置病理科" and basic["not_reported"] == "设置康复医学科"
    assert basic["mandatory_missing"] == "设置病理科" and basic["passed"] is False
    assert tiers["推荐标准"]["share_pct"] == 30 and tiers["推荐标准"]["passed"] is False
    assert {r["org_code"] for r in hospitals} == {COUNTY}  # the TCM county hospital is outside the standards
    statuses = {r["element"]: r["status"] for r in items if r["tier"] == "基本标准"}
    assert statuses["cap.basic.dept_rehab"].startswith("未报送") and statuses["cap.basic.eq_ct"].startswith(
        "达到"
    )
    tiers24, _, _ = by_tier(assessed, "2024")
    assert tiers24["基本标准"]["passed"] is True and tiers24["推荐标准"]["met"] == 2


def test_the_centres_come_from_the_ratings(assessed):
    tiers, _, _ = by_tier(assessed, "2025")
    assert tiers["基本标准"]["胸痛中心"] == "基层版" and tiers["基本标准"]["卒中中心"] == ""


def test_each_county_needs_a_maternal_and_a_neonatal_centre(assessed):
    # 乙县: the clinic's maternal centre covers the county; no institution there holds a neonatal centre
    got = {
        r["centre"]: r for r in county_coverage(assessed.con, parse("2025")) if r["county_code"] == "990121"
    }
    assert (got["危重孕产妇救治中心"]["institutions"], got["危重孕产妇救治中心"]["meets"]) == (1, True)
    assert (got["危重新生儿救治中心"]["institutions"], got["危重新生儿救治中心"]["meets"]) == (0, False)
    assert (got["胸痛中心"]["institutions"], got["胸痛中心"]["meets"]) == (1, None)  # no coverage rule


def test_the_indicators_match_the_page_and_name_what_is_missing(assessed):
    rows = dict(((i, p), (v, r)) for i, p, v, r in assessed.rows(
        "SELECT indicator_id, period, value, reason FROM indicator_values WHERE org_code = ?", [COUNTY]))  # fmt: skip
    assert rows[("tcp.basic_share", "2024")][0] == 100
    assert rows[("tcp.recommended_share", "2024")][0] == 20
    assert rows[("tcp.recommended_share", "2025")][0] == 30
    value, reason = rows[("tcp.basic_share", "2025")]
    assert value is None and "设置康复医学科" in reason
    stored = {
        o
        for (o,) in assessed.rows(
            "SELECT DISTINCT org_code FROM indicator_values WHERE indicator_id LIKE 'tcp.%'"
        )
    }
    assert stored == {COUNTY}  # applies to the general county hospitals only, no regions


def test_the_indicators_and_the_standards_list_the_same_items():
    _, tiers = standards()
    for tier in tiers:
        ind = indicator(tier.indicator)
        assert [c for c, _ in ind.numerator.elements] == [i.element for i in tier.items]
        assert ind.scale == pytest.approx(100 / len(tier.items))


def test_the_cli_shows_the_programme_targets(assessed, tmp_path):
    assessed.con.close()
    out = tmp_path / "county.xlsx"
    proc = run_hqd(assessed.cfg.db_path, "programme", "county-hospitals", "--period", "2025", "--out", str(out),
                   check=True)  # fmt: skip
    assert "未达标 not passed" in proc.stdout and "设置病理科" in proc.stdout
    assert "tcp.recommended_share" in proc.stdout and "missed" in proc.stdout
    assert out.exists()
