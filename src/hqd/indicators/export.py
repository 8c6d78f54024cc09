"""Writing computed indicator values to CSV or XLSX with the contract's columns."""

from __future__ import annotations

from pathlib import Path

import duckdb

from hqd.tabular import write_table

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
    return write_table(out, COLUMNS, rows, sheet="indicators")
