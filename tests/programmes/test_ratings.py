"""Ratings and accreditations: latest levels as of a period, counts per region, targets on levels."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from tests.conftest import COUNTY, HOSP, run_hqd

from hqd.programmes.ratings import count_rows, latest_levels, latest_rows, rating_targets
from hqd.targets.scales import scales

RATINGS = [
    ["机构代码", "项目", "等级", "专科", "评定日期"],
    [HOSP, "电子病历系统应用水平", "4级", "", "2020-01-01"],
    [HOSP, "电子病历系统应用水平", "6级", "", "2024-11-01"],
    [HOSP, "电子病历系统应用水平", "7级", "", "2026-03-01"],  # after 2025: not yet held
    [HOSP, "互联互通标准化成熟度", "四级甲等", "", "2023"],
    [HOSP, "胸痛中心", "基层版", "心血管内科", "2021-05-01"],
    [HOSP, "胸痛中心", "通过认证（标准版）", "心血管内科", "2025-06-01"],  # full-width brackets: an alias
    [HOSP, "省级临床重点专科", "入选", "神经外科", "2020"],
    [HOSP, "省级临床重点专科", "入选", "心血管内科", "2021"],
    [HOSP, "智慧服务", "三星", "", "2022-01-01"],  # not a level of the 智慧服务 scale
    [COUNTY, "电子病历系统应用水平", "3级", "", "2023-06-01"],
    [COUNTY, "胸痛中心", "基层版", "心血管内科", "2023-09-08"],
    [COUNTY, "医院等级", "二级甲等", "", "2021"],
]
TARGETS = [
    ["对象代码", "目标项", "比较", "目标值", "截止期"],
    [HOSP, "胸痛中心", ">=", "通过认证(标准版)", "2025"],  # 标准版 since 2025-06 → met
    [COUNTY, "胸痛中心", ">=", "通过认证(标准版)", "2025"],  # 基层版 ranks below → missed
    [HOSP, "电子病历系统应用水平", ">=", "7级", "2025"],  # 7级 comes in 2026 → missed at the 2025 deadline
    [HOSP, "互联互通", ">=", "四级乙等", "2025"],  # 四级甲等 (5) ≥ 四级乙等 (4) → met
]
# a reported value in 2024 and 2025 puts those years in the warehouse (a rating is read at each year's end)
VALUES = [
    ["机构代码", "统计期", "数据项", "数值"],
    [HOSP, "2024", "门诊人次", "100"],
    [HOSP, "2025", "门诊人次", "110"],
]


@pytest.fixture
def rated(seeded):
    for kind, name, rows in (
        ("ratings", "r.csv", RATINGS),
        ("targets", "t.csv", TARGETS),
        ("values", "v.csv", VALUES),
    ):
        s = seeded.load(kind, seeded.file(name, rows))
        assert s.quarantined == 0, kind
    return seeded


def test_the_scales_order_levels_by_position_not_text():
    s = scales()
    assert s["互联互通标准化成熟度"].ordinal("五级乙等") > s["互联互通标准化成熟度"].ordinal("四级甲等")
    assert s["胸痛中心"].ordinal("通过认证（标准版）") > s["胸痛中心"].ordinal("基层版")
    assert (
        s["医院等级"].ordinal("三甲") > s["医院等级"].ordinal("三级乙等") > s["医院等级"].ordinal("二级甲等")
    )
    assert s["危重新生儿救治中心"].ordinal("市级") > s["危重新生儿救治中心"].ordinal("县级")


def test_latest_level_as_of_the_period_end(rated):
    held = {(h.org_code, h.item, h.specialty): h for h in latest_levels(rated.con, date(2026, 1, 1))}
    assert held[(HOSP, "电子病历系统应用水平", "")].level == "6级"
    assert held[(HOSP, "电子病历系统应用水平", "")].ordinal == 6
    assert held[(HOSP, "胸痛中心", "心血管内科")].ordinal == 2
    before = {(h.org_code, h.item): h.level for h in latest_levels(rated.con, date(2025, 1, 1))}
    assert before[(HOSP, "胸痛中心")] == "基层版"
    rows = {
        (r["org_code"], r["item"]): r
        for r in latest_rows(rated.con, latest_levels(rated.con, date(2026, 1, 1)))
    }
    assert rows[(HOSP, "智慧服务")]["ordinal"] is None and "not a level" in rows[(HOSP, "智慧服务")]["note"]
    assert rows[(HOSP, "电子病历系统应用水平")]["scale_top"] == 8


def test_counts_per_region_and_level(rated):
    counts = {(r["region_code"], r["item"], r["level"]): r
              for r in count_rows(rated.con, latest_levels(rated.con, date(2026, 1, 1)))}  # fmt: skip
    city = "990100"
    # EMR: COUNTY 3级, HOSP 6级 → at 3级 1, at or above 3级 2; at 4级 0 but 1 at or above; at 6级 1
    assert (counts[(city, "电子病历系统应用水平", "3级")]["institutions"],
            counts[(city, "电子病历系统应用水平", "3级")]["institutions_at_or_above"]) == (1, 2)  # fmt: skip
    assert counts[(city, "电子病历系统应用水平", "4级")]["institutions"] == 0
    assert counts[(city, "电子病历系统应用水平", "4级")]["institutions_at_or_above"] == 1
    assert (city, "电子病历系统应用水平", "7级") not in counts  # nobody at or above 7级
    # two key specialties of one hospital: one institution, two specialties
    spec = counts[(city, "省级临床重点专科", "入选")]
    assert (spec["institutions"], spec["specialties"]) == (1, 2)
    # the county holds only COUNTY
    assert counts[("990121", "胸痛中心", "基层版")]["institutions"] == 1
    assert ("990121", "胸痛中心", "通过认证(标准版)") not in counts
    off = counts[(city, "智慧服务", "（不在等级序列中 not on the scale）")]
    assert off["institutions"] == 1


def test_targets_on_levels_compare_positions(rated):
    status = {(r["subject_code"], r["item"]): r["status"] for r in rating_targets(rated.con)}
    assert status == {
        (HOSP, "胸痛中心"): "met",
        (COUNTY, "胸痛中心"): "missed",
        (HOSP, "电子病历系统应用水平"): "missed",
        (HOSP, "互联互通"): "met",
    }


def test_the_cli_writes_every_table(rated, tmp_path):
    out = tmp_path / "ratings.xlsx"
    rated.con.close()
    proc = run_hqd(
        rated.cfg.db_path, "programme", "ratings", "--period", "2025", "--out", str(out), check=True
    )
    assert "6级" in proc.stdout and "6/8" in proc.stdout and "目标看板" in proc.stdout
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["latest", "counts", "targets"]
    csv_out = tmp_path / "ratings.csv"
    run_hqd(rated.cfg.db_path, "programme", "ratings", "--period", "2024", "--out", str(csv_out), check=True)
    with csv_out.open(encoding="utf-8-sig") as fh:
        latest = {(r["org_code"], r["item"]): r["level"] for r in csv.DictReader(fh)}
    assert latest[(HOSP, "电子病历系统应用水平")] == "6级" and latest[(HOSP, "胸痛中心")] == "基层版"
