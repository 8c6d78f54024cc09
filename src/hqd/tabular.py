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


def write_table(out: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "data") -> int:
    """Write `rows` under `header`; returns the number of rows written."""
    n = 0
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(out))
        ws = wb.add_worksheet(sheet[:31])
        ws.write_row(0, 0, list(header), wb.add_format({"bold": True}))
        for n, row in enumerate(rows, start=1):
            ws.write_row(n, 0, [_cell(v) for v in row])
        ws.freeze_panes(1, 0)
        wb.close()
        return n
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
            n += 1
    return n
