"""Rows whose cells do not line up with the header are quarantined by cell count and keep no cell value."""

from __future__ import annotations

from tests.conftest import DISCHARGE_HEADER, HOSP, discharge, write_xlsx

WIDTH = len(DISCHARGE_HEADER)
SECRETS = ("110101196401011234", "王小明", "13800138000")  # the identifiers discharge() writes


def stored_text(seeded) -> str:
    rows = seeded.rows("SELECT * FROM quarantine")
    return repr(rows)


def test_a_short_row_is_quarantined_with_its_cell_count_and_no_values(seeded):
    short = discharge("A2")[:-3]  # the last three cells missing
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1"), short]))
    assert (s.read, s.new, s.quarantined) == (2, 1, 1)
    assert seeded.rows("SELECT row_number, field, value, rule, row_data FROM quarantine") == [
        (3, None, None, "misaligned_row", None)
    ]
    zh, en = seeded.rows("SELECT message_zh, message_en FROM quarantine")[0]
    assert f"该行有 {WIDTH - 3} 个单元格，而表头有 {WIDTH} 列" in zh
    assert f"the row has {WIDTH - 3} cells where the header has {WIDTH} columns" in en
    assert seeded.one("SELECT count(*) FROM discharges WHERE mrn = 'A2'") == 0


def test_a_stray_comma_shifting_the_identifiers_keeps_none_of_them(seeded, tmp_path):
    shifted = ",".join(discharge("A2", 病案号="A2,副本"))  # one cell more: the identifiers move right
    path = tmp_path / "d.csv"
    path.write_text("\n".join([",".join(DISCHARGE_HEADER), ",".join(discharge("A1")), shifted]), "gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (2, 1, 1)
    assert seeded.reasons(s.import_id) == [(3, None, "misaligned_row")]
    assert f"the row has {WIDTH + 1} cells where the header has {WIDTH} columns" in seeded.one(
        "SELECT message_en FROM quarantine"
    )
    text = stored_text(seeded)
    assert not any(x in text for x in SECRETS) and "副本" not in text


def test_a_long_row_whose_extra_cells_are_empty_is_read(seeded, tmp_path):
    path = tmp_path / "d.csv"
    lines = [",".join(DISCHARGE_HEADER), ",".join(discharge("A1")) + ",,", ",".join(discharge("A2")) + ", "]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (2, 2, 0)


def test_a_header_ending_in_empty_cells_does_not_make_rows_short(seeded, tmp_path):
    path = tmp_path / "d.csv"
    lines = [",".join(DISCHARGE_HEADER) + ",,", ",".join(discharge("A1")), ",".join(discharge("A2")) + ",,"]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (2, 2, 0)


def test_a_quoted_row_with_too_few_cells_keeps_no_values(seeded):
    # The csv writer quotes the cell with a comma; a cell is missing after it.
    row = discharge("A2", 姓名="王,小明")
    del row[DISCHARGE_HEADER.index("联系电话")]
    s = seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1"), row]))
    assert (s.read, s.quarantined) == (2, 1)
    assert seeded.rows("SELECT row_number, value, row_data, rule FROM quarantine") == [
        (3, None, None, "misaligned_row")
    ]


def test_an_xlsx_row_with_cells_right_of_the_header_is_misaligned_and_a_short_one_is_not(seeded, tmp_path):
    long = [*discharge("A2"), "", "多出来的"]  # content two columns right of the header's last column
    short = discharge("A3")[:-2]  # the last two (optional) cells left empty: just empty cells in a sheet
    path = write_xlsx(tmp_path / "d.xlsx", {"Sheet1": [DISCHARGE_HEADER, discharge("A1"), long, short]})
    s = seeded.load("discharges", path)
    assert (s.read, s.new, s.quarantined) == (3, 2, 1)
    assert seeded.rows("SELECT sheet, row_number, field, value, rule, row_data FROM quarantine") == [
        ("Sheet1", 3, None, None, "misaligned_row", None)
    ]
    assert f"the row has {WIDTH + 2} cells where the header has {WIDTH} columns" in seeded.one(
        "SELECT message_en FROM quarantine"
    )
    assert not any(x in stored_text(seeded) for x in SECRETS)


def test_a_misaligned_row_of_a_wide_values_file_is_read_and_quarantined(seeded):
    rows = [
        ["机构代码", "统计期", "门诊人次"],
        [HOSP, "2024", "100"],
        [HOSP, "2023", "90", "多"],
        [HOSP, "2022"],
    ]
    s = seeded.load("values", seeded.file("v.csv", rows))
    assert (s.read, s.new, s.quarantined) == (3, 1, 2) and s.adds_up
    assert seeded.reasons(s.import_id) == [(3, None, "misaligned_row"), (4, None, "misaligned_row")]
