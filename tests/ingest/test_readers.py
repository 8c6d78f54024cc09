"""Every reader and encoding the contract accepts, and the row numbers users see."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import DISCHARGE_HEADER, HOSP, discharge, write_xlsx


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_loads_and_is_recorded(seeded, encoding):
    rows = [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 主要诊断编码="J18.900")]
    s = seeded.load("discharges", seeded.file("d.csv", rows, encoding=encoding))
    assert (s.status, s.new, s.quarantined) == ("accepted", 2, 0)
    expected = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gbk": "GBK", "gb18030": "GBK"}[encoding]
    assert s.encoding == expected
    assert seeded.one("SELECT encoding FROM imports WHERE import_id = ?", [s.import_id]) == expected


def test_gb18030_only_characters_are_decoded_as_gb18030(seeded):
    # 𠀀 (U+20000) exists in GB18030 but not in GBK.
    rows = [
        ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别"],
        ["12990121MB0000099Z", "𠀀镇卫生院", "990121", "一级", "乡镇卫生院"],
    ]
    s = seeded.load("institutions", seeded.file("i.csv", rows, encoding="gb18030"))
    assert s.encoding == "GB18030" and s.new == 1
    assert seeded.one("SELECT name FROM institutions WHERE org_code = '12990121MB0000099Z'") == "𠀀镇卫生院"


def test_undecodable_file_is_rejected_naming_the_byte_offset(seeded, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("机构代码,病案号\n".encode("gbk") + b"\x81\x20\xff\xfe\n")
    s = seeded.load("discharges", path)
    assert s.status == "rejected"
    assert "bad.csv" in s.message and "GB18030" in s.message and "字节" in s.message and "offset" in s.message
    assert seeded.one("SELECT status FROM imports WHERE import_id = ?", [s.import_id]) == "rejected"


def test_tab_separated_txt_is_read(seeded):
    rows = [DISCHARGE_HEADER, discharge("A1")]
    s = seeded.load("discharges", seeded.file("d.txt", rows, delimiter="\t"))
    assert (s.file_type, s.new) == ("tsv", 1)


def test_row_numbers_count_the_lines_users_see_with_blank_lines_and_a_title(seeded, tmp_path):
    lines = [
        "2024年出院病人明细",  # a title above the header
        "",
        ",".join(DISCHARGE_HEADER),  # line 3
        ",".join(discharge("A1")),  # line 4
        "",  # line 5, blank
        "",  # line 6, blank
        ",".join(discharge("A2", 离院方式="7")),  # line 7: bad
        ",".join(discharge("A3")),
    ]
    path = tmp_path / "d.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (3, 2, 1)
    assert seeded.reasons(s.import_id) == [(7, "离院方式", "invalid_code")]
    assert s.sheets[0]["header_row"] == 3


def test_row_numbers_survive_quoted_cells_that_span_lines(seeded, tmp_path):
    head = ",".join(DISCHARGE_HEADER)
    good = discharge("A1")
    multi = discharge("A2")
    multi[DISCHARGE_HEADER.index("姓名")] = '"王\n小明"'
    bad = discharge("A3", 离院方式="7")
    text = "\n".join([head, ",".join(good), ",".join(multi), ",".join(bad)]) + "\n"
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (3, 2, 1)
    assert seeded.reasons(s.import_id) == [(5, "离院方式", "invalid_code")]


def test_xlsx_reads_every_matching_sheet_and_skips_the_others(seeded, tmp_path):
    path = write_xlsx(
        tmp_path / "d.xlsx",
        {
            "说明": [["本表为2024年出院病人"], ["填报单位：示例市人民医院"]],
            "一季度": [["2024年一季度"], DISCHARGE_HEADER, discharge("A1"), discharge("A2", 离院方式="死亡")],
            "二季度": [
                DISCHARGE_HEADER,
                discharge(
                    "A3", 入院时间=dt.datetime(2024, 4, 1, 8, 0), 出院时间=dt.datetime(2024, 4, 3, 9, 30)
                ),
                discharge("A4", 年龄="abc"),
            ],
        },
    )
    s = seeded.load("discharges", path)
    assert (s.file_type, s.read, s.new, s.quarantined) == ("xlsx", 4, 3, 1)
    assert seeded.rows(
        "SELECT sheet, row_number, rule FROM quarantine WHERE import_id = ?", [s.import_id]
    ) == [("二季度", 3, "invalid_integer")]
    assert [x["sheet"] for x in s.sheets if x.get("skipped")] == ["说明"]
    assert seeded.one("SELECT discharge_mode FROM discharges WHERE mrn = 'A2'") == "5"
    assert str(seeded.one("SELECT discharge_time FROM discharges WHERE mrn = 'A3'")) == "2024-04-03 09:30:00"


def test_xlsx_numbers_keep_their_text_form(seeded, tmp_path):
    row = discharge("A1", 住院次数=2, 性别=1, 年龄=60, 总费用=10000.5, 离院方式=1)
    path = write_xlsx(tmp_path / "d.xlsx", {"Sheet1": [DISCHARGE_HEADER, row]})
    s = seeded.load("discharges", path)
    assert s.new == 1
    assert seeded.rows("SELECT admission_no, sex, total_cost, discharge_mode FROM discharges") == [
        (2, "1", 10000.5, "1")
    ]


def test_file_without_a_header_row_for_the_kind_is_rejected(seeded):
    s = seeded.load("discharges", seeded.file("x.csv", [["a", "b"], ["1", "2"]]))
    assert s.status == "rejected" and "x.csv" in s.message and "住院病案首页" in s.message


def test_file_missing_a_required_column_is_rejected_naming_it(seeded):
    header = [h for h in DISCHARGE_HEADER if h != "离院方式"]
    row = [c for h, c in zip(DISCHARGE_HEADER, discharge("A1"), strict=True) if h != "离院方式"]
    s = seeded.load("discharges", seeded.file("x.csv", [header, row]))
    assert s.status == "rejected" and "离院方式" in s.message and "x.csv" in s.message
    assert seeded.one("SELECT count(*) FROM discharges") == 0


def test_unsupported_file_type_is_rejected(seeded, tmp_path):
    path = tmp_path / "d.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    s = seeded.load("discharges", path)
    assert s.status == "rejected" and ".xls" in s.message


def test_hospital_code_is_matched_case_insensitively_in_interface_headers(seeded):
    header = ["zzjgdm", "BAH", "ZYCS", "XB", "RYTJ", "RYSJ", "CYSJ", "JBDM", "LYFS", "ZFY"]
    row = [HOSP, "A1", "1", "1", "2", "2024-03-01", "2024-03-03", "I21.900", "1", "100"]
    s = seeded.load("discharges", seeded.file("d.csv", [header, row]))
    assert s.new == 1


def test_a_large_file_is_decoded_in_parallel_ranges_with_the_same_row_numbers(seeded, tmp_path, monkeypatch):
    import hqd.ingest.encoding as encoding

    monkeypatch.setattr(encoding, "PARALLEL_MIN_BYTES", 0)  # force two ranges on a small file
    lines = [",".join(DISCHARGE_HEADER)]
    expected_bad = []
    for i in range(1, 301):
        if i % 50 == 0:
            lines.append("")  # blank lines shift the rows after them
        row = discharge(f"A{i}", 离院方式="7" if i % 37 == 0 else "1")
        if i % 61 == 0:
            row[DISCHARGE_HEADER.index("姓名")] = '"王\n小明"'  # a quoted cell spanning two lines
        lines.append(",".join(row))
        if i % 37 == 0:
            expected_bad.append(
                len("\n".join(lines).split("\n")) - row[DISCHARGE_HEADER.index("姓名")].count("\n")
            )
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (300, 300 - len(expected_bad), len(expected_bad))
    assert [r for r, _, _ in seeded.reasons(s.import_id)] == expected_bad
