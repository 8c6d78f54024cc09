"""The value forms of the contract: dates, codes, numbers, empties and periods in every accepted spelling."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import COUNTY, DISCHARGE_HEADER, HOSP, discharge, write_xlsx


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


@pytest.mark.parametrize(
    "written", ["inf", "-inf", "Infinity", "NaN", "1e400", "1e309", "1_000", "1,00,0", "12,34", "1.0_5"]
)
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


@pytest.mark.parametrize("written", ["1_000", "1e309", "NaN", "inf", "1,00,0"])
def test_a_whole_number_in_a_form_the_contract_does_not_list_is_refused(seeded, written):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 住院次数=written)]))
    assert (s.new, s.quarantined) == (0, 1)
    assert seeded.reasons(s.import_id) == [(2, "住院次数", "invalid_integer")]


@pytest.mark.parametrize(
    ("written", "expected"), [("1,234,567.5", 1234567.5), ("1.5e4", 15000.0), ("+12,000", 12000.0)]
)
def test_well_grouped_separators_and_spreadsheet_exponents_are_numbers(seeded, written, expected):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1", 总费用=written)]))
    assert s.new == 1 and seeded.one("SELECT total_cost FROM discharges") == expected


@pytest.mark.parametrize("written", ["1_000", "1e309", "NaN", "inf"])
def test_a_reported_value_in_a_form_the_contract_does_not_list_is_refused(seeded, written):
    rows = [["机构代码", "统计期", "门诊人次", "医疗收入"], [HOSP, "2024", written, "100"]]
    s = seeded.load("values", seeded.file("v.csv", rows))
    assert (s.new, s.quarantined) == (1, 1)
    assert seeded.reasons(s.import_id) == [(2, "门诊人次", "invalid_number")]
    assert seeded.rows("SELECT element FROM reported_values") == [("medical_revenue",)]


FULL_DIGITS = str.maketrans("0123456789,.%-", "０１２３４５６７８９，．％－")
WIDE = ["机构代码", "统计期", "门诊人次", "医疗收入", "门诊患者满意度"]
CELLS = ["12,345", "-0.5", "1234.56", "95.5%", "88"]


def _wide_and_long(cells: list[str]) -> tuple[list[list[str]], list[list[str]]]:
    wide = [WIDE, [HOSP, "2024Q1", *cells[2:]], [COUNTY, "2024Q1", cells[0], cells[1], cells[4]]]
    long = [["机构代码", "统计期", "数据项", "数值"]]
    long += [[HOSP, "2024Q1", e, c] for e, c in zip(WIDE[2:], cells[2:], strict=True)]
    long += [[COUNTY, "2024Q1", e, c] for e, c in zip(WIDE[2:], [cells[0], cells[1], cells[4]], strict=True)]
    return wide, long


@pytest.mark.parametrize("layout", ["wide", "long"])
@pytest.mark.parametrize("file_type", ["csv", "xlsx"])
def test_full_width_digits_read_as_ascii_in_wide_and_long_values_files(seeded, layout, file_type):
    # By hand: 门诊人次 is a whole number (1234.56 is not), 医疗收入 may not be negative, 满意度 is 0-100.
    expected = [
        ("12990100MB1234567X", "medical_revenue", 95.5),
        ("12990100MB1234567X", "outpatient_satisfaction", 88.0),
        ("12990121MB7654321Y", "outpatient_satisfaction", 88.0),
        ("12990121MB7654321Y", "outpatient_visits", 12345.0),
    ]
    summaries = []
    for spelling, cells in (("ascii", CELLS), ("full", [c.translate(FULL_DIGITS) for c in CELLS])):
        rows = dict(zip(("wide", "long"), _wide_and_long(cells), strict=True))[layout]
        path = (
            seeded.file(f"{spelling}.csv", rows, encoding="utf-8")
            if file_type == "csv"
            else write_xlsx(seeded.root / f"{spelling}.xlsx", {"数据": rows})
        )
        s = seeded.load("values", path)
        summaries.append((s.new, s.updated, s.unchanged, s.quarantined))
        assert sorted(r[2] for r in seeded.reasons(s.import_id)) == ["invalid_integer", "out_of_range"]
        assert seeded.rows("SELECT org_code, element, value FROM reported_values ORDER BY 1, 2") == expected
    # The full-width file holds the same values: every row it shares with the ASCII one is unchanged.
    assert summaries == [(4, 0, 0, 2), (0, 0, 4, 2)]
