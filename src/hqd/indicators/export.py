"""Writing computed indicator values to CSV or XLSX with the contract's columns."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

COLUMNS = ["indicator_id", "org_code", "period", "numerator", "denominator", "value", "unit"]


def export_values(
    con: duckdb.DuckDBPyConnection, period: str, out: Path, programme: str | None = None
) -> int:
    from hqd.indicators.catalog import indicators

    ids = [i.id for i in indicators() if programme is None or i.programme == programme]
    rows = con.execute(
        f"""SELECT indicator_id, org_code, period, numerator, denominator, value, unit
            FROM indicator_values WHERE period = ? AND indicator_id IN ({", ".join("?" * len(ids))})
            ORDER BY indicator_id, CASE org_level WHEN 'institution' THEN 0 WHEN 'county' THEN 1
                     WHEN 'city' THEN 2 ELSE 3 END, org_code""",
        [period, *ids],
    ).fetchall()
    if out.suffix.lower() == ".xlsx":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(out))
        ws = wb.add_worksheet("indicators")
        ws.write_row(0, 0, COLUMNS)
        for r, row in enumerate(rows, start=1):
            ws.write_row(r, 0, ["" if v is None else v for v in row])
        wb.close()
    else:
        with out.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
    return len(rows)
