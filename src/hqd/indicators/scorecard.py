"""A short scorecard per tertiary hospital: the first thing `make demo` shows after computing."""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

KEY_INDICATORS = ("gk3.04", "gk3.05", "gk3.06", "gk3.08", "gk3.09", "gk3.14", "drg.cmi", "drg.groups",
                  "drg.time_index", "drg.cost_index", "gk3.27", "gk3.31", "gk3.33", "gk3.36", "gk3.38")  # fmt: skip


def print_scorecards(con: duckdb.DuckDBPyConnection, period: str, console: Console) -> None:
    hospitals = con.execute(
        "SELECT org_code, name FROM institutions WHERE level = '三级' AND org_code IN (SELECT org_code FROM "
        "indicator_values WHERE period = ? AND status = 'ok') ORDER BY org_code", [period]).fetchall()  # fmt: skip
    for org, name in hospitals:
        table = Table(title=f"{name} {org} · {period}", title_justify="left")
        for col in ("指标 indicator", "名称 name", "值 value", "分子/分母 num/den", "说明 note"):
            table.add_column(col, overflow="fold")
        rows = con.execute(
            f"""SELECT v.indicator_id, v.value, v.numerator, v.denominator, v.status, v.reason, v.unit
                FROM indicator_values v WHERE v.org_code = ? AND v.period = ?
                AND v.indicator_id IN ({", ".join("?" * len(KEY_INDICATORS))})""",
            [org, period, *KEY_INDICATORS],
        ).fetchall()
        from hqd.indicators.catalog import indicator

        for ident, value, num, den, status, reason, unit in sorted(
            rows, key=lambda r: KEY_INDICATORS.index(r[0])
        ):
            shown = (
                f"{value:,.2f} {unit if unit not in ('ratio', 'count') else ''}" if value is not None else "—"
            )
            parts = f"{_n(num)} / {_n(den)}" if den is not None else _n(num)
            note = "" if status == "ok" else (reason or status).split(" / ")[0]
            table.add_row(ident, indicator(ident).name_zh, shown, parts, note)
        console.print(table)


def _n(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"
