"""Reading exported CSV and XLSX files back, and telling whether any cell could run as a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

# What an attacker puts in a cell, and what the file must hold instead (worked out by hand from OWASP's rule)
PAYLOADS = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
}
PLAIN = "王小明 ok"  # ordinary text stays as it is


def csv_rows(path: Path | bytes) -> list[list[str]]:
    text = (path if isinstance(path, bytes) else path.read_bytes()).decode("utf-8-sig")  # keep a lone \r
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_sheets(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def formulas(path: Path) -> list[str]:
    """Every <f> (formula) element of every sheet of the workbook, read from the zip itself."""
    with zipfile.ZipFile(path) as z:
        return [
            m.group(0)
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for m in re.finditer(r"<f[ >].*?</f>|<f/>", z.read(name).decode("utf-8"))
        ]


def unsafe(cells: list[object]) -> list[object]:
    """The text cells that a spreadsheet could read as a formula (a lone '-' is the missing mark)."""
    return [c for c in cells if isinstance(c, str) and c[:1] in "=+-@\t\r" and c not in ("", "-")]


def flat(rows: list[list[object]]) -> list[object]:
    return [c for r in rows for c in r]


def number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(rows: list[list[str]]) -> None:
    """No text cell could start a formula; a cell such as -1.5 is a number, written as its digits."""
    assert [c for c in unsafe(flat(rows)) if not number(c)] == []


def assert_xlsx_safe(path: Path) -> dict[str, list[list[object]]]:
    assert formulas(path) == []
    sheets = xlsx_sheets(path)
    assert unsafe([c for rows in sheets.values() for c in flat(rows)]) == []
    return sheets
