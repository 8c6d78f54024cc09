"""`hqd explain`: an indicator's definition and source, its stored value, and the records behind it.

The records are selected with the same catalog SQL the computation used, over the same prepared
population, so the counts shown must equal the stored numerator and denominator; explain says whether
they do.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
from rich.console import Console
from rich.table import Table

from hqd.engines.duckdb import DuckDBEngine
from hqd.indicators.catalog import Indicator, Part, indicator
from hqd.indicators.periods import parse
from hqd.indicators.runner import ROW_POPULATIONS, Computation, applies_sql
from hqd.tabular import write_table

# The columns that identify a record of each row population, in the order shown and exported.
RECORD_COLUMNS = {
    "discharges": "f.org_code, f.mrn, f.admission_no, f.discharge_time, f.principal_dx, f.drg_code, f.los_days, "
                  "f.total_cost, f.discharge_mode",
    "referrals": "o.referral_id, o.org_code, o.to_org, o.direction, o.service_type, o.status, o.accept_days",
    "claims": "o.settlement_id, o.county_code, o.provider_code, o.provider_region, o.provider_type, o.care_type, "
              "o.total_cost, o.fund_paid",
    "reported": "o.org_code, o.county_code, o.level, o.category",
    "centre_cases": "f.org_code, f.centre_type, f.case_id, f.dx_category, f.arrival_mode, f.door_time, f.outcome",
}  # fmt: skip


def _org_filter(org: str) -> str:
    return (f"(o.org_code = '{org}' OR o.county_code = '{org}' OR o.city_code = '{org}' OR o.province_code = '{org}'"
            f" OR o.org_code IN (SELECT org_code FROM org_groups WHERE group_code = '{org}'))")  # fmt: skip


def _flag(part: Part | None, population: str) -> str:
    if part is None or part.population != population:
        return "NULL"
    if part.agg == "count":
        return f"coalesce(({part.where}) AND ({part.expr}), false)"
    return f"CASE WHEN {part.where} THEN {part.expr} END"


def population_of(ind: Indicator) -> str | None:
    for part in (ind.numerator, ind.denominator):
        if part is not None and part.population in RECORD_COLUMNS:
            return part.population
    return None


def population_records(engine: DuckDBEngine, ind: Indicator, org: str) -> tuple[list[str], list[tuple]]:
    """The records of a row population behind one value, each with what it adds to the numerator and the
    denominator (the same SQL as the computation, so the totals must equal the stored parts)."""
    population = population_of(ind)
    if population is None:
        return [], []
    source, _, scoped = ROW_POPULATIONS[population]
    columns = RECORD_COLUMNS[population]
    first = columns.split(", ")[0]
    sql = f"""
        SELECT {columns}, {_flag(ind.numerator, population)} AS in_numerator,
               {_flag(ind.denominator, population)} AS in_denominator
        FROM {source}
        WHERE {_org_filter(org)} AND {applies_sql(ind) if scoped else "true"}
        ORDER BY {first}
    """
    rows = [r for r in engine.rows(sql) if _counted(r[-2]) or _counted(r[-1])]
    return [c.split(".")[-1] for c in columns.split(", ")] + ["in_numerator", "in_denominator"], rows


def part_total(part: Part | None, cells: list[object]) -> float | None:
    """A part recomputed from the listed records: a count, a sum, or the median/quantile of the values."""
    if part is None:
        return None
    if part.agg == "count":
        return float(sum(1 for c in cells if c is True))
    values = [float(c) for c in cells if c is not None and not isinstance(c, bool)]
    if part.agg in ("median", "quantile"):
        return float(np.quantile(values, 0.5 if part.agg == "median" else part.q)) if values else None
    return float(sum(values))


def _counted(x: object) -> bool:
    return x is not None and x is not False


def value_records(
    engine: DuckDBEngine, ind: Indicator, org: str, period: str
) -> tuple[list[str], list[tuple]]:
    codes = [c for p in (ind.numerator, ind.denominator) if p is not None for c, _ in p.elements]
    if ind.numerator is not None and ind.numerator.agg == "text_element":
        codes.append(ind.numerator.item)
    if not codes:
        return [], []
    sub = ", ".join(f"'{p}'" for p in parse(period).sub_periods())
    sql = f"""
        SELECT v.element, v.org_code, v.period, v.value, v.value_text, v.import_id
        FROM reported_values v LEFT JOIN org_levels o ON o.org_code = v.org_code
        WHERE v.element IN ({", ".join(f"'{c}'" for c in codes)}) AND v.period IN ({sub})
          AND (v.org_code = '{org}' OR {_org_filter(org)})
        ORDER BY v.element, v.org_code, v.period
    """
    return ["element", "org_code", "period", "value", "value_text", "import_id"], engine.rows(sql)


def explain_value(con: duckdb.DuckDBPyConnection, ident: str, org: str, period: str, console: Console,
                  out: Path | None = None, limit: int = 20) -> None:  # fmt: skip
    ind = indicator(ident)
    p = parse(period)
    console.print(f"[bold]{ind.id} {ind.name_zh}[/bold] / {ind.name_en}")
    console.print(f"定义 definition: {ind.definition}")
    src = ind.source
    console.print(f"来源 source: {src.get('document', '')} 第{src.get('number', '-')}项 · 依据等级 tag {ind.tag or '-'} · "
                  f"单位 unit {ind.unit} · 方向 direction {ind.direction} · 目录文件 {ind.file}")  # fmt: skip
    stored = con.execute(
        "SELECT numerator, denominator, value, value_text, status, reason, note, org_level FROM indicator_values "
        "WHERE indicator_id = ? AND org_code = ? AND period = ?", [ident, org, p.text]).fetchone()  # fmt: skip
    if stored is None:
        raise LookupError(f"{ident} 在 {org} {p.text} 没有计算值，请先运行 hqd compute --period {p.text} / "
                          f"no computed value for {ident} at {org} in {p.text}; run hqd compute first")  # fmt: skip
    num, den, value, text, status, reason, note, level = stored
    console.print(f"{level} {org} {p.text}: 分子 numerator {num} · 分母 denominator {den} · 值 value "
                  f"{value if value is not None else text} · {status}{' — ' + reason if reason else ''}"
                  f"{' · ' + note if note else ''}")  # fmt: skip
    engine = DuckDBEngine(con)
    Computation(engine, p).prepare()
    header, rows = population_records(engine, ind, org)
    if rows:
        population = population_of(ind)
        mine = [part if part is not None and part.population == population else None
                for part in (ind.numerator, ind.denominator)]  # fmt: skip
        n_num = part_total(mine[0], [r[-2] for r in rows])
        n_den = part_total(mine[1], [r[-1] for r in rows])
        check = "✓ 与存储值一致 matches the stored value" if _close(n_num, num) and _close(n_den, den) else \
            "✗ 与存储值不一致 does not match the stored value"  # fmt: skip
        console.print(f"记录 records ({population_of(ind)}): {len(rows):,}; 分子合计 numerator total {n_num}, "
                      f"分母合计 denominator total {n_den} — {check}")  # fmt: skip
    else:
        header, rows = value_records(engine, ind, org, p.text)
        if rows:
            console.print(f"报表数据 reported values: {len(rows):,} 行 rows")
    _show(console, header, rows[:limit])
    if out is not None and rows:
        write_table(out, header, rows, sheet="records")
        console.print(f"全部记录已写入 {out} / all records written to {out}")


def _close(a: float | None, b: float | None) -> bool:
    if b is None:
        return a in (None, 0)
    return a is not None and abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _show(console: Console, header: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = Table(*header)
    for r in rows:
        table.add_row(*("" if x is None else str(x) for x in r))
    console.print(table)


def _part_selection(ind: Indicator, org: str, part: str) -> tuple[str, str, str] | None:
    """(record columns, flag, FROM … WHERE …) of the records counted in a part, or None when the part is not
    over a row population (reported data elements are listed by `_part_values`)."""
    chosen = ind.numerator if part == "numerator" else ind.denominator
    if chosen is None or chosen.population not in RECORD_COLUMNS:
        return None
    source, _, scoped = ROW_POPULATIONS[chosen.population]
    flag = _flag(chosen, chosen.population)
    scope = applies_sql(ind) if scoped else "true"
    where = f"{_org_filter(org)} AND {scope} AND ({flag}) IS NOT NULL AND ({flag}) IS DISTINCT FROM false"
    return RECORD_COLUMNS[chosen.population], flag, f"FROM {source} WHERE {where}"


def _part_values(
    engine: DuckDBEngine, ind: Indicator, org: str, period: str, part: str
) -> tuple[list[str], list[tuple]]:
    chosen = ind.numerator if part == "numerator" else ind.denominator
    if chosen is None:
        return [], []
    codes = [c for c, _ in chosen.elements] + (
        [chosen.item] if chosen.agg == "text_element" and chosen.item else []
    )
    header, rows = value_records(engine, ind, org, period)
    return header, [r for r in rows if r[0] in codes]


def _header(columns: str) -> list[str]:
    return [c.split(".")[-1] for c in columns.split(", ")] + ["counted"]


def records_page(
    con: duckdb.DuckDBPyConnection, ind: Indicator, org: str, period: str, part: str, limit: int, offset: int
) -> tuple[list[str], list[tuple], int]:
    """One page of the records counted in a part (numerator or denominator), with the total count; the same
    selection as `explain`, filtered and paged in SQL so a dashboard can page through millions of rows.
    The connection must have the period prepared (`Computation(engine, period).prepare()`)."""
    engine = DuckDBEngine(con)
    selection = _part_selection(ind, org, part)
    if selection is None:
        header, rows = _part_values(engine, ind, org, period, part)
        return header, rows[offset : offset + limit], len(rows)
    columns, flag, base = selection
    total = engine.rows(f"SELECT count(*) {base}")[0][0]
    rows = engine.rows(
        f"SELECT {columns}, {flag} AS counted {base} ORDER BY {columns} LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return _header(columns), rows, total


def records_all(
    con: duckdb.DuckDBPyConnection, ind: Indicator, org: str, period: str, part: str, batch: int = 50_000
) -> tuple[list[str], Iterator[tuple]]:
    """Every record of a part, fetched in batches so an export of a million rows never sits in memory whole."""
    engine = DuckDBEngine(con)
    selection = _part_selection(ind, org, part)
    if selection is None:
        header, rows = _part_values(engine, ind, org, period, part)
        return header, iter(rows)
    columns, flag, base = selection
    cursor = con.execute(engine.compile(f"SELECT {columns}, {flag} AS counted {base} ORDER BY {columns}"))

    def rows() -> Iterator[tuple]:
        while chunk := cursor.fetchmany(batch):
            yield from chunk

    return _header(columns), rows()
