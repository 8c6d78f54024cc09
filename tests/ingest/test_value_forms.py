"""The value forms of the contract: dates, codes, numbers, empties and periods in every accepted spelling."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import DISCHARGE_HEADER, HOSP, discharge


@pytest.mark.parametrize(
    "written", ["2024-03-05", "2024/3/5", "20240305", "2024年3月5日", "45356", "2024-03-05T00:00"]
)
def test_every_date_form_reads_as_the_same_date(seeded, written):
    rows = [
        ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期"],
        ["C1", "水痘", "990102", written, "2024-03-06"],
    ]
    s = seeded.load("idr-cases", seeded.file("c.csv", rows))
    assert s.new == 1 and seeded.one("SELECT onset_date FROM idr_cases") == dt.date(2024, 3, 5)


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-05 08:30",
        "2024/3/5 8:30:00",
        "20240305 08:30",
        "2024-03-05T08:30:00",
        "2024年3月5日 08:30",
        "45356.3541666667",
    ],
)
def test_every_date_time_form_reads_as_the_same_moment(seeded, written):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 入院时间=written)]))
    assert s.new == 1
    assert seeded.one("SELECT admit_time FROM discharges") == dt.datetime(2024, 3, 5, 8, 30)


@pytest.mark.parametrize("written", ["5", "死亡", "5.死亡", "5-死亡", "５"])
def test_a_code_may_be_written_as_code_label_or_both(seeded, written):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 离院方式=written)]))
    assert s.new == 1 and seeded.one("SELECT discharge_mode FROM discharges") == "5"


@pytest.mark.parametrize(
    ("written", "expected"), [("12,000.50", 12000.5), ("１２０００.５", 12000.5), ("12000", 12000.0)]
)
def test_numbers_accept_separators_and_full_width_digits(seeded, written, expected):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 总费用=written)]))
    assert s.new == 1 and seeded.one("SELECT total_cost FROM discharges") == expected


def test_a_trailing_percent_is_stored_as_the_number(seeded):
    rows = [["区划代码", "统计期", "居民健康素养水平"], ["990100", "2024", "28.5%"]]
    s = seeded.load("values", seeded.file("v.csv", rows))
    assert s.new == 1 and seeded.one("SELECT value FROM reported_values") == 28.5


@pytest.mark.parametrize("written", ["", "NULL", "-", "/", "无"])
def test_empty_markers_in_optional_columns_mean_missing(seeded, written):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 年龄=written)]))
    assert s.new == 1 and seeded.one("SELECT age FROM discharges") is None


def test_wu_is_a_label_where_the_value_set_has_it(seeded):
    s = seeded.load(
        "discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 其他诊断入院病情1="无")])
    )
    assert s.new == 1 and seeded.one("SELECT poa FROM discharge_diagnoses") == "4"


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2024", "2024"),
        ("2024Q1", "2024Q1"),
        ("2024年第1季度", "2024Q1"),
        ("2024-03", "2024-03"),
        ("202403", "2024-03"),
        ("2024年3月", "2024-03"),
    ],
)
def test_every_period_form(seeded, written, period):
    rows = [["机构代码", "统计期", "数据项", "数值"], [HOSP, written, "门诊人次", "1,000"]]
    s = seeded.load("values", seeded.file("v.csv", rows))
    assert s.new == 1 and seeded.rows("SELECT period, value FROM reported_values") == [(period, 1000.0)]


def test_combined_incision_and_healing_cell_is_split(seeded):
    header = [h for h in DISCHARGE_HEADER if h not in ("切口等级1", "切口愈合类别1")] + ["切口愈合等级1"]
    row = [
        c
        for h, c in zip(DISCHARGE_HEADER, discharge("A1"), strict=True)
        if h not in ("切口等级1", "切口愈合类别1")
    ]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*row, "Ⅰ/丙"]]))
    assert s.new == 1
    assert seeded.rows("SELECT incision_class, healing FROM discharge_procedures") == [("2", "3")]


def test_newborn_age_in_months_is_converted_to_days(seeded):
    header = [*DISCHARGE_HEADER, "年龄不足1周岁的年龄(月)"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*discharge("A1", 年龄="0"), "2"]]))
    assert s.new == 1 and seeded.one("SELECT age_days FROM discharges") == 60


def test_length_of_stay_is_derived_from_the_dates_when_missing(seeded):
    rows = [
        [*DISCHARGE_HEADER, "实际住院(天)"],
        [*discharge("A1", 入院时间="2024-06-12 10:00", 出院时间="2024-06-15 09:00"), ""],
        [*discharge("A2", 入院时间="2024-06-12 08:00", 出院时间="2024-06-12 17:00"), ""],
        [*discharge("A3"), "7"],
    ]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert s.new == 3
    assert seeded.rows("SELECT mrn, los_days, los_derived FROM discharges ORDER BY mrn") == [
        ("A1", 3, True),
        ("A2", 1, True),
        ("A3", 7, False),
    ]


@pytest.mark.parametrize("written", ["inf", "NaN", "1e400"])
def test_infinite_or_not_a_number_values_are_refused(seeded, written):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 总费用=written)]))
    assert s.quarantined == 1 and seeded.reasons(s.import_id) == [(2, "总费用", "invalid_number")]


@pytest.mark.parametrize("written", ["30", "tr", "3.0"])
def test_text_is_kept_as_written(seeded, written):
    rows = [
        ["对象代码", "目标项", "比较", "目标值", "截止期"],
        ["990100", "居民健康素养水平", ">=", written, "2025"],
    ]
    s = seeded.load("targets", seeded.file("t.csv", rows))
    assert s.new == 1 and seeded.one("SELECT target_value FROM targets") == written
