"""Natural keys compare after the normalisation values get: a resend whose key differs only by surrounding
spaces, full-width characters or the case of an organisation code updates the record instead of adding one."""

from __future__ import annotations

import pytest
from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, discharge, write_xlsx

FULL = str.maketrans(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
)


def full_width(text: str) -> str:
    return text.translate(FULL)


# Spellings of the key "A123" a resend may use; the last one is UTF-8 only (no-break space).
VARIANTS = ["A123 ", " A123", full_width("A123"), full_width("A123") + "\u3000", "\u00a0A123\u00a0"]


@pytest.mark.parametrize("written", VARIANTS)
def test_a_discharge_resent_with_a_variant_key_updates_the_record(seeded, written):
    first = seeded.load("discharges", seeded.file("d1.csv", [DISCHARGE_HEADER, discharge("A123")]))
    assert first.new == 1
    resend = [
        DISCHARGE_HEADER,
        discharge(written, 机构代码=full_width(HOSP).lower(), 住院次数="１", 总费用="12000"),
    ]
    s = seeded.load("discharges", seeded.file("d2.csv", resend, encoding="utf-8"))
    assert (s.new, s.updated, s.quarantined) == (0, 1, 0)
    assert seeded.rows("SELECT org_code, mrn, admission_no, total_cost FROM discharges") == [
        (HOSP, "A123", 1, 12000.0)
    ]
    # The child rows follow the one record, not a second copy.
    assert seeded.one("SELECT count(*) FROM discharge_diagnoses") == 1


def test_a_resend_with_the_same_content_in_another_spelling_is_unchanged(seeded):
    seeded.load("discharges", seeded.file("d1.csv", [DISCHARGE_HEADER, discharge("A123")]))
    s = seeded.load(
        "discharges", seeded.file("d2.csv", [DISCHARGE_HEADER, discharge(full_width("A123") + " ")])
    )
    assert (s.new, s.updated, s.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("written", VARIANTS)
def test_a_referral_resent_with_a_variant_key_updates_the_record(seeded, written):
    header = ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期", "接收状态"]
    seeded.load(
        "referrals", seeded.file("r1.csv", [header, ["A123", CLINIC, COUNTY, "上转", "2024-03-05", "待接收"]])
    )
    resend = [header, [written, CLINIC.lower(), COUNTY, "上转", "2024-03-05", "已接收"]]
    s = seeded.load("referrals", seeded.file("r2.csv", resend, encoding="utf-8"))
    assert (s.new, s.updated, s.quarantined) == (0, 1, 0)
    assert seeded.rows("SELECT referral_id, from_org, status FROM referrals") == [("A123", CLINIC, "已接收")]


@pytest.mark.parametrize("written", VARIANTS)
def test_a_centre_case_resent_with_a_variant_key_updates_the_record(seeded, written):
    header = ["中心类型", "机构代码", "病例编号", "诊断分类", "到达医院时间", "结局"]
    seeded.load(
        "centre-cases",
        seeded.file("c1.csv", [header, ["胸痛", HOSP, "A123", "STEMI", "2024-03-01 09:00", "存活"]]),
    )
    resend = [header, ["胸痛 ", HOSP.lower() + " ", written, "STEMI", "2024-03-01 09:00", "死亡"]]
    s = seeded.load("centre-cases", seeded.file("c2.csv", resend, encoding="utf-8"))
    assert (s.new, s.updated, s.quarantined) == (0, 1, 0)
    assert seeded.rows("SELECT org_code, case_id, outcome FROM centre_cases") == [(HOSP, "A123", "死亡")]


@pytest.mark.parametrize("written", VARIANTS)
def test_an_infectious_disease_card_resent_with_a_variant_key_updates_the_record(seeded, written):
    header = ["卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期", "审核状态"]
    seeded.load(
        "idr-cases",
        seeded.file("i1.csv", [header, ["A123", "水痘", "990102", "2024-03-04", "2024-03-05", "未审核"]]),
    )
    resend = [header, [written, "水痘", "９９０１０２", "2024-03-04", "2024-03-05", "已审核"]]
    s = seeded.load("idr-cases", seeded.file("i2.csv", resend, encoding="utf-8"))
    assert (s.new, s.updated, s.quarantined) == (0, 1, 0)
    assert seeded.rows("SELECT card_id, audit_status FROM idr_cases") == [("A123", "已审核")]


def test_two_spellings_of_one_key_in_a_file_are_a_duplicate_when_the_rows_agree(seeded):
    rows = [DISCHARGE_HEADER, discharge("A123"), discharge(full_width("A123") + " ", 机构代码=HOSP.lower())]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert (s.new, s.duplicate, s.quarantined) == (1, 1, 0)
    assert seeded.one("SELECT count(*) FROM discharges") == 1


def test_two_spellings_of_one_key_in_a_file_conflict_when_the_rows_differ(seeded):
    rows = [DISCHARGE_HEADER, discharge("A123"), discharge(" A123", 总费用="20000")]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert (s.new, s.quarantined) == (0, 2)
    assert seeded.reasons(s.import_id) == [
        (2, "机构代码+病案号+住院次数", "key_conflict"),
        (3, "机构代码+病案号+住院次数", "key_conflict"),
    ]


def test_record_numbers_keep_their_case(seeded):
    """The contract declares no record number case-insensitive, so a123 and A123 are two discharges."""
    rows = [DISCHARGE_HEADER, discharge("A123"), discharge("a123")]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert s.new == 2
    assert seeded.rows("SELECT mrn FROM discharges ORDER BY mrn") == [("A123",), ("a123",)]


def test_an_empty_marker_in_a_record_number_is_still_missing(seeded):
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("ＮＵＬＬ")]))
    assert s.quarantined == 1 and seeded.reasons(s.import_id) == [(2, "病案号", "required")]


def test_a_member_written_as_a_full_width_lower_case_code_resolves_to_the_institution(seeded):
    header = ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期"]
    rows = [
        header,
        ["乙县医共体", "紧密型县域医共体", COUNTY, full_width(CLINIC).lower() + " ", "2024-01-01"],
    ]
    s = seeded.load("memberships", seeded.file("m.csv", rows))
    assert (s.new, s.quarantined) == (1, 0)
    assert seeded.one("SELECT member_code FROM memberships") == CLINIC


@pytest.mark.parametrize("written", ["A123\t", "A123\n", "\tＡ１２３\r\n"])
def test_a_record_number_ending_in_a_tab_or_line_break_in_a_workbook_updates_the_record(seeded, written):
    seeded.load("discharges", seeded.file("d1.csv", [DISCHARGE_HEADER, discharge("A123")]))
    path = write_xlsx(
        seeded.root / "d2.xlsx", {"首页": [DISCHARGE_HEADER, discharge(written, 总费用="12000")]}
    )
    s = seeded.load("discharges", path)
    assert (s.new, s.updated, s.quarantined) == (0, 1, 0)
    assert seeded.rows("SELECT mrn, total_cost FROM discharges") == [("A123", 12000.0)]


def test_a_record_number_of_only_a_tab_is_missing(seeded):
    path = write_xlsx(seeded.root / "d.xlsx", {"首页": [DISCHARGE_HEADER, discharge("\t")]})
    s = seeded.load("discharges", path)
    assert s.quarantined == 1 and seeded.reasons(s.import_id) == [(2, "病案号", "required")]


def test_a_drg_code_is_a_code_and_ignores_case(seeded):
    """DRG编码 is a code (its field says `upper: true`): a resend of "fr29" updates the group "FR29"."""
    header = ["DRG编码", "DRG名称", "权重"]
    first = seeded.load("codes-drg", seeded.file("a.csv", [header, ["FR29", "急性心肌梗死", "1.20"]]))
    again = seeded.load("codes-drg", seeded.file("b.csv", [header, [" ｆｒ29", "急性心肌梗死", "1.25"]]))
    assert (first.new, again.new, again.updated) == (1, 0, 1)
    assert seeded.rows("SELECT drg_code, weight FROM codes_drg") == [("FR29", 1.25)]
