"""Every CSV and XLSX file hqd writes is safe to open in a spreadsheet: a text cell that could start a formula
(`=`, `+`, `-`, `@`, tab, carriage return) is written with a single quote in front, no XLSX cell is a
formula, and numbers stay numbers. One test per writer; each reads the real file back."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from tests.conftest import DISCHARGE_HEADER, HOSP, INSTITUTIONS, discharge, run_hqd
from tests.exported import PAYLOADS, PLAIN, assert_csv_safe, assert_xlsx_safe, csv_rows
from tests.scoring.region import region

from hqd.safe_cells import cell, safe_text

# --- the rule itself ------------------------------------------------------------------------------------


def test_text_that_could_start_a_formula_gets_a_quote_and_other_text_does_not():
    for raw, safe in PAYLOADS.items():
        assert safe_text(raw) == safe
    assert safe_text("  =1+1") == "'  =1+1"  # leading spaces are looked through
    assert safe_text("＝1+1") == "'＝1+1"  # the full-width forms a Chinese input method types
    assert safe_text("-") == "-"  # the missing mark alone is no expression
    assert safe_text("-3.5") == "'-3.5"  # text, even if it looks like a number
    assert [safe_text(x) for x in ("I21.900", "a=b", "", PLAIN, "—")] == ["I21.900", "a=b", "", PLAIN, "—"]


def test_numbers_of_the_data_model_stay_numbers():
    assert [cell(x) for x in (-3.5, -2, 0, Decimal("-12.50"), True, None, float("nan"))] == [
        -3.5, -2, 0, Decimal("-12.50"), "True", "", ""]  # fmt: skip
    assert isinstance(cell(-2), int) and isinstance(cell(-3.5), float)


# --- the shared writer ----------------------------------------------------------------------------------

ROW = [*PAYLOADS, PLAIN, -3.5, 42, Decimal("-12.50"), None]
SAFE_ROW = [*PAYLOADS.values(), PLAIN]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_write_table_neutralises_text_and_keeps_numbers(tmp_path, suffix):
    from hqd.tabular import write_table

    out = tmp_path / f"t{suffix}"
    header = ["=1+1 header", "b"]
    assert write_table(out, header, [ROW, ROW]) == 2
    if suffix == ".csv":
        rows = csv_rows(out)
        assert rows[0] == ["'=1+1 header", "b"]
        assert rows[1] == [*SAFE_ROW, "-3.5", "42", "-12.50", ""]  # numbers written as digits, no quote
        assert_csv_safe(rows)
    else:
        rows = assert_xlsx_safe(out)["data"]
        assert rows[0][:2] == ["'=1+1 header", "b"]
        assert rows[1] == [*SAFE_ROW, -3.5, 42, -12.5]  # the empty last cell is not written


# --- each writer over real data -------------------------------------------------------------------------


def test_quarantine_export_has_no_formula(seeded, tmp_path):
    """Rows quarantined for payloads in a code, a number and a date cell, and a payload column header."""
    from hqd.ingest.quarantine import export

    header = [*DISCHARGE_HEADER, "=cmd|' /C calc'!A0"]
    bad = [
        [*discharge("Q1", **{"离院方式": '=HYPERLINK("http://x","y")'}), "+1+1"],
        [*discharge("Q2", **{"总费用": "-2+3"}), "@SUM(A1)"],
        [*discharge("Q3", **{"入院时间": "@SUM(A1)"}), "-2+3"],
    ]
    s = seeded.load("discharges", seeded.file("q.csv", [header, *bad]))
    assert s.quarantined == 3, s
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"q{suffix}"
        assert export(seeded.con, s.import_id, out) >= 3
        if suffix == ".csv":
            rows = csv_rows(out)
            assert_csv_safe(rows)
        else:
            rows = assert_xlsx_safe(out)["隔离行 quarantine"]
        values = {r[3] for r in rows[1:]}  # 值 value
        assert {PAYLOADS['=HYPERLINK("http://x","y")'], "'-2+3", "'@SUM(A1)"} <= values
        assert rows[0][1] == "行号 row" and all(
            isinstance(r[1], (int, float)) or r[1].isdigit() for r in rows[1:]
        )


def test_xlsx_report_has_no_formula_and_keeps_numbers(tmp_path):
    from hqd.reports.content import Report
    from hqd.reports.xlsx import render_xlsx

    r = Report("=标题", "=title", "@subject", "2024")
    r.facts = [("+fact", "-2+3")]
    r.bars = [("=bar", ["=a", "-"], [-1.5, 2.0])]
    r.tables = [("table", ["=h", "n"], [[p, -4.25] for p in PAYLOADS])]
    out = tmp_path / "report.xlsx"
    render_xlsx(r, out)
    sheets = assert_xlsx_safe(out)
    summary, chart, table = sheets.values()
    assert summary[0][0] == "'=标题" and summary[3][:2] == ["'+fact", "'-2+3"]
    assert chart[1:] == [["'=a", -1.5], ["-", 2.0]]
    assert table[1:] == [[safe, -4.25] for safe in PAYLOADS.values()]


def test_indicator_export_has_no_formula(seeded, warehouse_env, tmp_path):
    """A stored value whose organisation code is a payload (as a tampered warehouse could hold)."""
    seeded.con.execute(
        "INSERT INTO indicator_values VALUES (1, 'gk3.04', ?, 'institution', '2024', -1, 4, -25.0, NULL, '%',"
        " 'ok', NULL, NULL, 'test')",
        ['=HYPERLINK("http://x","y")'],
    )
    seeded.con.close()
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"v{suffix}"
        run_hqd(warehouse_env, "indicators", "export", "--period", "2024", "--out", str(out), check=True)
        rows = csv_rows(out) if suffix == ".csv" else assert_xlsx_safe(out)["indicators"]
        assert_csv_safe(rows)
        expected = ["gk3.04", PAYLOADS['=HYPERLINK("http://x","y")'], "2024", -1, 4, -25.0, "%"]
        if suffix == ".csv":
            expected = ["gk3.04", expected[1], "2024", "-1.0", "4.0", "-25.0", "%"]
        assert rows[1] == expected


def test_score_export_has_no_formula(seeded, warehouse_env, tmp_path):
    """An institution whose name is a payload, scored and exported."""
    region(seeded)
    renamed = [INSTITUTIONS[0], [HOSP, '=HYPERLINK("http://x","y")', *INSTITUTIONS[1][2:]]]
    assert seeded.load("institutions", seeded.file("renamed.csv", renamed)).quarantined == 0
    seeded.con.close()
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"s{suffix}"
        run_hqd(warehouse_env, "score", "--scheme", "gk3", "--period", "2024", "--out", str(out), check=True)
        if suffix == ".csv":
            rows = csv_rows(out)
            assert_csv_safe(rows)
            hosp = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[0] == HOSP)
            assert (hosp["name"], hosp["total"]) == (PAYLOADS['=HYPERLINK("http://x","y")'], "1000.0")
        else:
            sheets = assert_xlsx_safe(out)
            for name in ("scores", "items"):
                head, *body = sheets[name]
                hosp = next(dict(zip(head, r, strict=True)) for r in body if r[0] == HOSP)
                assert hosp["name"] == PAYLOADS['=HYPERLINK("http://x","y")']
            scores = dict(
                zip(sheets["scores"][0], next(r for r in sheets["scores"] if r[0] == HOSP), strict=True)
            )
            assert scores["total"] == 1000.0


def test_targets_board_export_has_no_formula(tmp_path):
    from hqd.targets.board import COLUMNS, write

    row = {c: "" for c in COLUMNS} | {"subject_code": HOSP, "subject_name": "=HYPERLINK(\"http://x\",\"y\")",
                                       "item": "@SUM(A1)", "target_value": -5.0, "latest_value": 3,
                                       "reason_zh": "+1+1", "reason_en": "-2+3"}  # fmt: skip
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"b{suffix}"
        write([row], out)
        rows = csv_rows(out) if suffix == ".csv" else assert_xlsx_safe(out)["targets"]
        assert_csv_safe(rows)
        got = dict(zip(rows[0], rows[1], strict=True))
        assert (got["subject_name"], got["item"], got["reason_zh"], got["reason_en"]) == (
            PAYLOADS['=HYPERLINK("http://x","y")'], "'@SUM(A1)", "'+1+1", "'-2+3")  # fmt: skip
        assert (got["target_value"], got["latest_value"]) == (
            ("-5.0", "3") if suffix == ".csv" else (-5.0, 3)
        )


def test_programme_page_export_has_no_formula(tmp_path):
    from rich.console import Console

    from hqd.programmes.pages import write_out

    sheets = [("one", ["=h", "n"], [[p, -1.5] for p in PAYLOADS]), ("two", ["x"], [["@two"]])]
    out = tmp_path / "page.xlsx"
    write_out(Console(file=io.StringIO()), out, sheets)
    got = assert_xlsx_safe(out)
    assert got["one"] == [["'=h", "n"], *([safe, -1.5] for safe in PAYLOADS.values())]
    assert got["two"] == [["x"], ["'@two"]]
    write_out(Console(file=io.StringIO()), tmp_path / "page.csv", sheets)
    rows = csv_rows(tmp_path / "page.csv")
    assert_csv_safe(rows)
    assert rows[1:] == [[safe, "-1.5"] for safe in PAYLOADS.values()]


def test_ews_detect_output_has_no_formula(tmp_path):
    from hqd.ews.detect_file import detect

    src = tmp_path / "in.csv"
    lines = ["series,t,date,count"]
    names = ['"=HYPERLINK(""http://x"",""y"")"', "@s"]
    for name in names:
        lines += [f"{name},{t},-w{t},{t % 3}" for t in range(1, 9)]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    detect(src, out, "earsC1", 52)
    rows = csv_rows(out)
    assert_csv_safe(rows)
    assert {r[0] for r in rows[1:]} == {PAYLOADS['=HYPERLINK("http://x","y")'], "'@s"}
    assert {r[2] for r in rows[1:]} <= {f"'-w{t}" for t in range(1, 9)}
    assert all(float(r[3]) >= 0 for r in rows[1:])  # counts are numbers, written as given
