"""`hqd programme referrals`: the referral flows between institutions as an origin–destination matrix.

Rows are referring institutions (转出机构), columns receiving ones (转入机构, which may lie outside the region
and are then shown by code); each cell counts the period's referrals by 转诊日期, up and down apart, so the
commission sees where patients go and whether they come back down.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from hqd.indicators.periods import Period, parse
from hqd.programmes.commands import programme_app
from hqd.scoring.commands import check_out, console, warehouse
from hqd.tabular import write_sheets

FLOW_HEADER = ("转出机构代码 from", "转出机构 from name", "转入机构代码 to", "转入机构 to name", "方向 direction",
               "人次 referrals", "已接收 accepted", "同县 same county")  # fmt: skip


def flows(con: duckdb.DuckDBPyConnection, period: Period, region: str | None) -> list[tuple]:
    """(from, from name, to, to name, direction, referrals, accepted, same county), largest flows first."""
    scope = ""
    params: list = [period.start, period.end]
    if region:
        scope = "AND (i.region_code = ? OR r.parent_code = ? OR p.parent_code = ?)"
        params += [region] * 3
    return con.execute(f"""
        SELECT f.from_org, i.name, f.to_org, coalesce(t.name, '（区域外 outside）'), f.direction, count(*),
               count_if(f.status = '已接收'), coalesce(any_value(t.region_code = i.region_code), false)
        FROM referrals f JOIN institutions i ON i.org_code = f.from_org
        LEFT JOIN institutions t ON t.org_code = f.to_org
        LEFT JOIN regions r ON r.region_code = i.region_code LEFT JOIN regions p ON p.region_code = r.parent_code
        WHERE f.referral_date >= ? AND f.referral_date < ? {scope}
        GROUP BY f.from_org, i.name, f.to_org, t.name, f.direction
        ORDER BY 6 DESC, 1, 3""", params).fetchall()  # fmt: skip


def matrix(rows: list[tuple]) -> tuple[list[str], list[list]]:
    """The OD matrix: one row per origin, one column per destination, cells = referrals in both directions."""
    cells: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[str, str] = {}
    for frm, fname, to, tname, _, n, _, _ in rows:
        cells[frm][to] += n
        names[frm], names[to] = fname, tname
    dests = sorted(
        {to for row in cells.values() for to in row},
        key=lambda c: (-sum(r.get(c, 0) for r in cells.values()), c),
    )
    header = ["转出 \\ 转入", *(f"{names[d]} {d}" for d in dests), "合计 total"]
    body = [
        [f"{names[o]} {o}", *(cells[o].get(d, 0) for d in dests), sum(cells[o].values())]
        for o in sorted(cells)
    ]
    return header, body


@programme_app.command("referrals")
def referrals_cmd(
    period: Annotated[str, typer.Option(help="统计期，如 2025 / the period, e.g. 2025")],
    region: Annotated[
        str | None, typer.Option(help="只看这个区划内的转出机构 / origins in this region")
    ] = None,
    top: Annotated[int, typer.Option(help="终端显示的最大流向数 / flows shown in the terminal")] = 20,
    out: Annotated[
        Path | None, typer.Option(help="输出 .xlsx（明细+矩阵）或 .csv（明细）/ write to a file")
    ] = None,
) -> None:
    """双向转诊流向 / Two-way referral flows: an origin–destination matrix of institutions, up and down apart."""
    check_out(out)
    with warehouse() as con:
        p = parse(period)
        rows = flows(con, p, region)
        if not rows:
            raise LookupError(f"{p.text} 没有转诊记录 / no referrals in {p.text}")
        up = sum(r[5] for r in rows if r[4] == "上转")
        down = sum(r[5] for r in rows if r[4] == "下转")
        console.print(f"{p.text} 转诊 referrals: {sum(r[5] for r in rows):,} · 上转 up {up:,} · 下转 down {down:,} · "
                      f"流向 flows {len(rows):,}")  # fmt: skip
        table = Table(
            *FLOW_HEADER, title=f"最大的 {min(top, len(rows))} 个流向 largest flows", title_justify="left"
        )
        for r in rows[:top]:
            table.add_row(*(("是" if x else "否") if isinstance(x, bool) else str(x) for x in r))
        console.print(table)
        if out is not None:
            header, body = matrix(rows)
            if out.suffix.lower() == ".xlsx":
                write_sheets(out, [("流向明细 flows", FLOW_HEADER, rows), ("OD矩阵 matrix", header, body)])
            else:
                write_sheets(out, [("flows", FLOW_HEADER, rows)])
            console.print(f"已导出到 {out} / written to {out}")
