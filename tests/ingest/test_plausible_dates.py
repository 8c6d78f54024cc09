"""Dates outside the plausible window (default 1900-01-01 to a year from today) and events dated in the future
are quarantined, naming the field; the window is a setting."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import DISCHARGE_HEADER, discharge

IDR_HEADER = ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "诊断日期", "报告日期"]


def card(onset: str = "2024-03-04", diagnosis: str = "2024-03-05", report: str = "2024-03-05") -> list[str]:
    return ["C1", "水痘", "990102", onset, diagnosis, report]


@pytest.mark.parametrize("written", ["1800-01-01", "1899-12-31", "9999-12-31", "99991231", "9999年12月31日"])
def test_a_birth_date_outside_the_window_is_quarantined(seeded, written):
    header = [*DISCHARGE_HEADER, "出生日期"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*discharge("A1"), written]]))
    assert (s.new, s.quarantined) == (0, 1)
    assert seeded.reasons(s.import_id) == [(2, "出生日期", "implausible_date")]
    assert seeded.one("SELECT count(*) FROM discharges") == 0


def test_the_first_day_of_the_window_is_plausible(seeded):
    header = [*DISCHARGE_HEADER, "出生日期"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*discharge("A1"), "1900-01-01"]]))
    assert s.new == 1 and seeded.one("SELECT birth_date FROM discharges") == dt.date(1900, 1, 1)


def test_a_discharge_in_year_9999_is_quarantined_for_both_reasons(seeded):
    row = discharge("A1", 出院时间="9999-12-31 10:00")
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert s.quarantined == 1
    assert seeded.reasons(s.import_id) == [
        (2, "出院时间", "future_date"),
        (2, "出院时间", "implausible_date"),
    ]


def test_an_admission_in_1800_is_quarantined(seeded):
    row = discharge("A1", 入院时间="1800-01-01 08:00")
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert seeded.reasons(s.import_id) == [(2, "入院时间", "implausible_date")]


def test_a_discharge_dated_tomorrow_is_quarantined(seeded):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    row = discharge("A1", 出院时间=f"{tomorrow} 23:00")
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert (s.new, s.quarantined) == (0, 1)
    assert seeded.reasons(s.import_id) == [(2, "出院时间", "future_date")]
    message = seeded.one("SELECT message_en FROM quarantine WHERE import_id = ?", [s.import_id])
    assert "出院时间" in message and str(tomorrow) in message


def test_an_admission_after_now_is_quarantined(seeded):
    later = dt.datetime.now() + dt.timedelta(days=2)
    row = discharge(
        "A1", 入院时间=f"{later:%Y-%m-%d %H:%M}", 出院时间=f"{later + dt.timedelta(days=1):%Y-%m-%d %H:%M}"
    )
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert sorted(seeded.reasons(s.import_id)) == [
        (2, "入院时间", "future_date"),
        (2, "出院时间", "future_date"),
    ]


def test_a_discharge_earlier_today_is_stored(seeded):
    earlier = dt.datetime.now() - dt.timedelta(hours=2)
    row = discharge(
        "A1",
        入院时间=f"{earlier - dt.timedelta(days=3):%Y-%m-%d %H:%M}",
        出院时间=f"{earlier:%Y-%m-%d %H:%M}",
    )
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, row]))
    assert s.new == 1 and s.quarantined == 0


def test_a_report_card_dated_in_the_future_is_quarantined(seeded):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    s = seeded.load("idr-cases", seeded.file("c.csv", [IDR_HEADER, card(report=str(tomorrow))]))
    assert seeded.reasons(s.import_id) == [(2, "报告日期", "future_date")]


def test_a_report_card_dated_today_is_stored(seeded):
    today = str(dt.date.today())
    s = seeded.load("idr-cases", seeded.file("c.csv", [IDR_HEADER, card(today, today, today)]))
    assert s.new == 1


def test_a_referral_accepted_in_the_future_is_quarantined(seeded):
    header = ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期", "接收日期"]
    from tests.conftest import CLINIC, COUNTY

    later = str(dt.date.today() + dt.timedelta(days=10))
    s = seeded.load(
        "referrals", seeded.file("r.csv", [header, ["R1", CLINIC, COUNTY, "上转", "2024-03-05", later]])
    )
    assert seeded.reasons(s.import_id) == [(2, "接收日期", "future_date")]


def test_a_plan_dated_next_month_is_plausible(seeded):
    """Dates that may lie ahead (a membership's end, a rating) pass up to a year from today."""
    header = ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期", "退出日期"]
    from tests.conftest import CLINIC, COUNTY

    soon, far = dt.date.today() + dt.timedelta(days=30), dt.date.today() + dt.timedelta(days=400)
    rows = [
        header,
        ["乙县医共体", "紧密型县域医共体", COUNTY, CLINIC, "2024-01-01", str(soon)],
        ["乙县医共体", "紧密型县域医共体", COUNTY, COUNTY, "2024-01-01", str(far)],
    ]
    s = seeded.load("memberships", seeded.file("m.csv", rows))
    assert s.new == 1 and seeded.reasons(s.import_id) == [(3, "退出日期", "implausible_date")]


def test_the_window_is_a_setting(seeded, monkeypatch):
    monkeypatch.setenv("HQD_DATE_MIN", "2000-01-01")
    monkeypatch.setenv("HQD_DATE_MAX_DAYS_AHEAD", "0")
    header = [*DISCHARGE_HEADER, "出生日期"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*discharge("A1"), "1999-12-31"]]))
    assert seeded.reasons(s.import_id) == [(2, "出生日期", "implausible_date")]
    message = seeded.one("SELECT message_en FROM quarantine WHERE import_id = ?", [s.import_id])
    assert "2000-01-01" in message and str(dt.date.today()) in message
    s = seeded.load("discharges", seeded.file("d2.csv", [header, [*discharge("A2"), "2000-01-01"]]))
    assert s.new == 1


def test_a_wider_window_admits_old_dates(seeded, monkeypatch):
    monkeypatch.setenv("HQD_DATE_MIN", "1800-01-01")
    header = [*DISCHARGE_HEADER, "出生日期"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, [*discharge("A1"), "1850-06-01"]]))
    assert s.new == 1


def test_a_window_setting_that_is_no_date_is_refused_with_a_sentence(monkeypatch):
    from hqd.config import SettingError, settings

    monkeypatch.setenv("HQD_DATE_MIN", "someday")
    with pytest.raises(SettingError, match="HQD_DATE_MIN"):
        settings()
