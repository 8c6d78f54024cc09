"""Loading behaviour: accounting, idempotence, replacement with history, dry runs, references."""

from __future__ import annotations

from python_calamine import CalamineWorkbook
from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, discharge, table_fingerprint

from hqd.ingest import quarantine


def test_every_row_read_is_stored_quarantined_or_a_duplicate(seeded):
    rows = [
        DISCHARGE_HEADER,
        discharge("A1"),
        discharge("A2"),
        discharge("A1"),
        discharge("A3", 性别="X"),
        discharge("A4"),
        discharge("A4", 年龄="70"),
        discharge("A5"),
    ]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    assert (s.read, s.new, s.updated, s.unchanged, s.quarantined, s.duplicate) == (7, 3, 0, 0, 3, 1)
    assert s.adds_up
    assert seeded.one("SELECT count(*) FROM discharges") == 3
    assert seeded.rows("SELECT row_number, duplicate_of FROM import_duplicates") == [(4, 2)]
    stored = seeded.rows(
        'SELECT "read", "new", quarantined, duplicate FROM imports WHERE import_id = ?', [s.import_id]
    )
    assert stored == [(7, 3, 3, 1)]


def test_reloading_the_same_file_changes_nothing_and_says_so(seeded):
    path = seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 离院方式="7")])
    first = seeded.load("discharges", path)
    before = table_fingerprint(seeded.con)
    second = seeded.load("discharges", path)
    after = table_fingerprint(seeded.con)
    assert (second.new, second.updated, second.unchanged, second.quarantined) == (0, 0, 1, 1)
    assert second.same_as == first.import_id and "identical" in second.message
    assert {k: v for k, v in after.items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }


def test_a_corrected_file_replaces_the_rows_it_covers_and_their_children(seeded):
    seeded.load("discharges", seeded.file("d1.csv", [DISCHARGE_HEADER, discharge("A1"), discharge("A2")]))
    fixed = discharge("A1", 其他诊断编码1="E11.900", 手术及操作编码1="", 切口等级1="", 切口愈合类别1="")
    s = seeded.load("discharges", seeded.file("d2.csv", [DISCHARGE_HEADER, fixed, discharge("A3")]))
    assert (s.new, s.updated, s.unchanged) == (1, 1, 0)
    assert seeded.rows("SELECT mrn, code FROM discharge_diagnoses ORDER BY mrn") == [
        ("A1", "E11.900"),
        ("A2", "I10.x00"),
        ("A3", "I10.x00"),
    ]
    assert seeded.rows("SELECT mrn FROM discharge_procedures ORDER BY mrn") == [("A2",), ("A3",)]
    assert seeded.one("SELECT import_id FROM discharges WHERE mrn = 'A1'") == s.import_id


def test_reported_values_keep_their_history_when_replaced(seeded):
    header = ["机构代码", "统计期", "门诊人次", "急诊人次"]
    first = seeded.load("values", seeded.file("v1.csv", [header, [HOSP, "2024-01", "1000", "100"]]))
    second = seeded.load("values", seeded.file("v2.csv", [header, [HOSP, "2024-01", "1200", "100"]]))
    assert (second.updated, second.unchanged) == (1, 1)
    assert seeded.rows("SELECT element, value FROM reported_values ORDER BY element") == [
        ("emergency_visits", 100.0),
        ("outpatient_visits", 1200.0),
    ]
    assert seeded.rows(
        "SELECT element, value, import_id, replaced_by_import FROM reported_values_history"
    ) == [("outpatient_visits", 1000.0, first.import_id, second.import_id)]


def test_each_wide_value_cell_is_one_record(seeded):
    rows = [
        ["机构代码", "统计期", "门诊人次", "急诊人次", "门诊患者满意度"],
        [HOSP, "2024", "1000", "", "95.5"],
        [COUNTY, "2024", "abc", "20", "101"],
    ]
    s = seeded.load("values", seeded.file("v.csv", rows))
    assert (s.read, s.new, s.quarantined) == (5, 3, 2)
    assert seeded.reasons(s.import_id) == [
        (3, "门诊人次", "invalid_number"),
        (3, "门诊患者满意度", "out_of_range"),
    ]


def test_a_dry_run_takes_the_same_path_and_writes_nothing(seeded):
    before = table_fingerprint(seeded.con)
    s = seeded.load(
        "discharges",
        seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 年龄="x")]),
        dry_run=True,
    )
    assert (s.read, s.new, s.quarantined, s.import_id) == (2, 1, 1, None)
    assert table_fingerprint(seeded.con) == before


def test_a_rejected_file_changes_no_data_and_is_logged(seeded):
    before = table_fingerprint(seeded.con)
    s = seeded.load("discharges", seeded.file("d.csv", [["机构代码", "病案号"], [HOSP, "A1"]]))
    assert s.status == "rejected" and s.read == 0
    after = table_fingerprint(seeded.con)
    assert {k: v for k, v in after.items() if k != "imports"} == {
        k: v for k, v in before.items() if k != "imports"
    }
    assert seeded.rows("SELECT status, message FROM imports WHERE import_id = ?", [s.import_id]) == [
        ("rejected", s.message)
    ]


def test_regions_may_name_a_parent_in_the_same_file(wh):
    rows = [
        ["区划代码", "区划名称", "上级区划代码"],
        ["880000", "另一省", ""],
        ["880100", "另一市", "880000"],
        ["880101", "孤县", "889900"],
    ]
    s = wh.load("regions", wh.file("r.csv", rows))
    assert (s.new, s.quarantined) == (2, 1)
    assert wh.rows("SELECT region_code, level FROM regions ORDER BY 1") == [
        ("880000", "province"),
        ("880100", "city"),
    ]


def test_columns_the_contract_lets_lie_outside_the_region_are_kept(seeded):
    outside = "12880100MB5555555Q"
    referrals = [
        ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"],
        ["R1", HOSP, outside, "上转", "2024-03-01"],
    ]
    assert seeded.load("referrals", seeded.file("r.csv", referrals)).new == 1
    claims = [
        [
            "结算ID",
            "参保地区划代码",
            "就医机构代码",
            "就医地区划代码",
            "医疗类别",
            "结算日期",
            "医疗费用总额",
            "医保基金支付金额",
        ],
        ["S1", "990121", outside, "880100", "住院", "2024-03-05", "1000", "600"],
    ]
    assert seeded.load("claims", seeded.file("c.csv", claims)).new == 1
    assistance = [
        ["项目名称", "项目类型", "支援单位", "受援单位代码", "统计期"],
        ["共建", "学科共建", "上海某大学附属医院", COUNTY, "2024-03"],
    ]
    assert seeded.load("assistance", seeded.file("a.csv", assistance)).new == 1


def test_alliance_members_may_be_named_and_outside_the_region_but_community_members_may_not(seeded):
    rows = [
        ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期"],
        ["心血管专科联盟", "专科联盟", HOSP, "外省某县医院", "2024-01-01"],
        ["心血管专科联盟", "专科联盟", HOSP, "乙县人民医院", "2024-01-01"],
        ["乙县医共体", "紧密型县域医共体", COUNTY, CLINIC, "2023-01-01"],
        ["乙县医共体", "紧密型县域医共体", COUNTY, "不存在的卫生院", "2023-01-01"],
    ]
    s = seeded.load("memberships", seeded.file("m.csv", rows))
    assert (s.new, s.quarantined) == (3, 1)
    assert seeded.rows("SELECT member, member_code FROM memberships ORDER BY member") == [
        (CLINIC, CLINIC),
        ("乙县人民医院", COUNTY),
        ("外省某县医院", None),
    ]
    assert seeded.reasons(s.import_id) == [(5, "成员单位", "unknown_institution")]


def test_quarantined_rows_export_with_their_reasons(seeded, tmp_path):
    rows = [
        DISCHARGE_HEADER,
        discharge("A1"),
        discharge("A2", 出院时间="2024-02-01"),
        discharge("A3", 性别="X"),
    ]
    s = seeded.load("discharges", seeded.file("d.csv", rows))
    xlsx, csv_path = tmp_path / "q.xlsx", tmp_path / "q.csv"
    assert quarantine.export(seeded.con, s.import_id, xlsx) == 2
    assert quarantine.export(seeded.con, s.import_id, csv_path) == 2
    sheet = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("隔离行 quarantine").to_python()
    header = sheet[0]
    assert header[:4] == ["工作表 sheet", "行号 row", "字段 field", "值 value"]
    assert [(r[1], r[4]) for r in sheet[1:]] == [(3.0, "discharge_before_admission"), (4.0, "invalid_code")]
    assert "病案号" in header and "姓名" not in header and "身份证号" not in header
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "“出院时间”早于“入院时间”" in text and "王小明" not in text
