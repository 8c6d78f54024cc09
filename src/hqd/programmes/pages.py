"""What every programme page shares: the period and output options, reading stored indicator values, and
printing or writing one table (a page shows numbers stored by `hqd compute` or read from the registries,
so each one traces back to records; nothing is recomputed for display)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from hqd.tabular import Sheet, write_sheets

PeriodOption = Annotated[str, typer.Option(help="统计期 / period, e.g. 2025, 2025Q2, 2025-06")]
OutOption = Annotated[
    Path | None, typer.Option(help="输出 .csv 或 .xlsx / write the page's table(s) to a file")
]


@dataclass(frozen=True)
class Stored:
    """One stored indicator value (indicator_values), as a page reads it."""

    numerator: float | None
    denominator: float | None
    value: float | None
    text: str | None
    status: str
    reason: str | None


def stored_values(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], period: str
) -> dict[tuple[str, str, str], Stored]:
    """(indicator id, org code, org level) → the value `hqd compute` stored for the period."""
    if not ids:
        return {}
    rows = con.execute(
        f"SELECT indicator_id, org_code, org_level, numerator, denominator, value, value_text, status, reason "
        f"FROM indicator_values WHERE period = ? AND indicator_id IN ({', '.join('?' * len(ids))})",
        [period, *ids],
    ).fetchall()
    return {(r[0], r[1], r[2]): Stored(*r[3:]) for r in rows}


def require_computed(found: dict, period: str, what: str) -> None:
    """A page of computed indicators needs `hqd compute` to have run for the period."""
    if not found:
        raise LookupError(
            f"没有 {period} 的{what}指标值，请先运行 hqd compute --period {period} / no {what} values are stored "
            f"for {period}; run hqd compute --period {period} first"
        )


def org_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT org_code, name FROM institutions UNION ALL SELECT region_code, name FROM regions"
    ).fetchall()
    return dict(rows)


LEVEL_ZH = {"institution": "机构", "county": "区县", "city": "市", "province": "省"}
LEVEL_ORDER = {"institution": 0, "county": 1, "city": 2, "province": 3}


def num(x: float | None, digits: int = 1) -> str:
    """A number for the terminal: — when missing, no decimals for whole numbers."""
    if x is None:
        return "—"
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def show(console: Console, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, title_justify="left")
    for col in header:
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*("" if x is None else str(x) for x in r))
    console.print(table)


def write_out(console: Console, out: Path | None, sheets: Sequence[Sheet]) -> None:
    """The page's tables into one workbook (.xlsx, a sheet each) or the first one as CSV."""
    if out is None:
        return
    materialised = [(name, header, list(rows)) for name, header, rows in sheets]
    n = write_sheets(out, materialised)
    extra = (
        ""
        if out.suffix.lower() == ".xlsx" or len(materialised) == 1
        else "（CSV 只含第一张表 / CSV holds the first table）"
    )
    console.print(f"已导出 {n} 行到 {out}{extra} / wrote {n} row(s) to {out}")
