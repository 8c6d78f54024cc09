"""`hqd programme sanming`: the Sanming reform metrics (programmes.md §7) as one matrix — the city, its
counties and districts, then each secondary and tertiary hospital — so the revenue mix and pay of every unit
read side by side. Values are those `hqd compute` stored; `hqd explain` traces any of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from hqd.indicators.catalog import indicator
from hqd.indicators.periods import parse
from hqd.programmes.commands import programme_app
from hqd.programmes.monitoring import spec
from hqd.programmes.pages import require_computed
from hqd.scoring.commands import check_out, console, warehouse
from hqd.tabular import write_sheets

LEVEL_ORDER = {"province": 0, "city": 1, "county": 2, "institution": 3}


def matrix(con: duckdb.DuckDBPyConnection, period: str, ids: list[str]) -> tuple[list[str], list[list]]:
    rows = con.execute(f"""
        SELECT v.org_code, coalesce(i.name, r.name, v.org_code), v.org_level, v.indicator_id, v.value
        FROM indicator_values v LEFT JOIN institutions i ON i.org_code = v.org_code AND v.org_level = 'institution'
        LEFT JOIN regions r ON r.region_code = v.org_code AND v.org_level <> 'institution'
        WHERE v.period = ? AND v.status = 'ok' AND v.org_level IN ('institution', 'county', 'city', 'province')
          AND v.indicator_id IN ({', '.join('?' * len(ids))})""", [period, *ids]).fetchall()  # fmt: skip
    cells: dict[tuple[str, str, str], dict[str, float]] = {}
    for org, name, level, ident, value in rows:
        cells.setdefault((org, name, level), {})[ident] = value
    present = [i for i in ids if any(i in c for c in cells.values())]
    header = ["代码 code", "单位 name", "层级 level", *(f"{indicator(i).name_zh} {i}" for i in present)]
    body = [[org, name, level, *(c.get(i) for i in present)]
            for (org, name, level), c in sorted(cells.items(), key=lambda kv: (LEVEL_ORDER[kv[0][2]], kv[0][0]))]  # fmt: skip
    return header, body


@programme_app.command("sanming")
def sanming_cmd(
    period: Annotated[str, typer.Option(help="统计期，如 2025 / the period, e.g. 2025")],
    out: Annotated[Path | None, typer.Option(help="输出 .xlsx 或 .csv / write to a file")] = None,
) -> None:
    """三明医改监测 / Sanming reform metrics per region and per hospital: revenue mix, pay, the insurance fund."""
    check_out(out)
    with warehouse() as con:
        p = parse(period)
        ids = spec("sanming")["indicators"]
        header, body = matrix(con, p.text, ids)
        require_computed(body, p.text, "三明医改 Sanming ")
        regions = [r for r in body if r[2] != "institution"]
        table = Table("指标 indicator", *(f"{r[1]}\n{r[0]}" for r in regions),
                      title=f"三明医改监测 Sanming metrics {p.text}（各医院见 --out / hospitals in the --out file）",
                      title_justify="left")  # fmt: skip
        for j, name in enumerate(header[3:], start=3):
            table.add_row(name, *("" if r[j] is None else f"{r[j]:,.2f}" for r in regions))
        console.print(table)
        if out is not None:
            write_sheets(out, [("三明医改 sanming", header, body)])
            console.print(f"已导出到 {out} / written to {out}")
