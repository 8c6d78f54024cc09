"""Writing a table to the file an analyst asked for: .xlsx (one sheet) or .csv (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]  # (name, header, rows)


def write_table(out: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "data") -> int:
    """Write `rows` under `header`; returns the number of rows written."""
    return write_sheets(out, [(sheet, header, rows)])


def write_sheets(out: Path, sheets: Sequence[Sheet]) -> int:
    """Every sheet into one workbook, or the first sheet as CSV; returns the rows of the first sheet."""
    counts = []
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(out))
        bold = wb.add_format({"bold": True})
        for name, header, rows in sheets:
            ws = wb.add_worksheet(name[:31])
            ws.write_row(0, 0, list(header), bold)
            n = 0
            for n, row in enumerate(rows, start=1):
                ws.write_row(n, 0, [_cell(v) for v in row])
            ws.freeze_panes(1, 0)
            counts.append(n)
        wb.close()
        return counts[0] if counts else 0
    _, header, rows = sheets[0]
    n = 0
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            n += 1
    return n
