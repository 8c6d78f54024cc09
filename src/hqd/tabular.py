"""Writing a table to the file an analyst asked for: .xlsx (one sheet) or .csv (UTF-8 with BOM, for Excel).

Every CSV and XLSX file hqd writes goes through here (reports use `workbook` and `write_cells`), so that
every cell passes `hqd.safe_cells.cell`: numbers stay numbers and no text cell can become a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hqd.safe_cells import cell

if TYPE_CHECKING:
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # (name, header, rows)


def workbook(out: Path) -> Workbook:
    """An xlsxwriter workbook that never turns a string into a formula or a link, whatever writes to it."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False})


def write_cells(ws: Worksheet, row: int, col: int, values: Iterable[Any], fmt: Format | None = None) -> None:
    """One row of cells from (row, col) on: numbers with write_number, text with write_string, never write()."""
    for j, value in enumerate(values):
        v = cell(value)
        if isinstance(v, str):
            if v:
                ws.write_string(row, col + j, v, fmt)
            elif fmt is not None:
                ws.write_blank(row, col + j, None, fmt)
        else:
            ws.write_number(row, col + j, v, fmt)


def csv_row(values: Iterable[Any]) -> list[int | float | str]:
    """One row of a CSV file, each value through `cell` (the csv module writes numbers as their digits)."""
    return [cell(v) for v in values]  # type: ignore[misc]


def write_table(out: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "data") -> int:
    """Write `rows` under `header`; returns the number of rows written."""
    return write_sheets(out, [(sheet, header, rows)])


def write_sheets(out: Path, sheets: Sequence[Sheet]) -> int:
    """Every sheet into one workbook, or the first sheet as CSV; returns the rows of the first sheet."""
    counts = []
    if out.suffix.lower() == ".xlsx":
        wb = workbook(out)
        bold = wb.add_format({"bold": True})
        for name, header, rows in sheets:
            ws = wb.add_worksheet(name[:31])
            write_cells(ws, 0, 0, header, bold)
            n = 0
            for n, row in enumerate(rows, start=1):
                write_cells(ws, n, 0, row)
            ws.freeze_panes(1, 0)
            counts.append(n)
        wb.close()
        return counts[0] if counts else 0
    _, header, rows = sheets[0]
    n = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(csv_row(header))
        for row in rows:
            writer.writerow(csv_row(row))
            n += 1
    return n
