"""`hqd compute --period P`: run the catalog for a period and store numerator, denominator and value.

Growth indicators (次均费用增幅 …) compare their base indicator with the same period a year earlier,
computed here the same way. A new compute of a period replaces that period's values; compute_runs keeps
the log (catalog version, engine, which DRG weights were used).
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from hqd.catalog import catalog_version
from hqd.engines import Engine
from hqd.engines.duckdb import DuckDBEngine
from hqd.indicators.catalog import Indicator, indicator, indicators
from hqd.indicators.periods import parse
from hqd.indicators.runner import Computation, RunResult, Value, finalise
from hqd.warehouse.bulk import insert_rows
from hqd.warehouse.crashpoint import pause_before_commit

VALUE_COLUMNS = ("run_id", "indicator_id", "org_code", "org_level", "period", "numerator", "denominator", "value",
                 "value_text", "unit", "status", "reason", "note", "catalog_version")  # fmt: skip
REGION_ONLY = {"signals", "claims"}  # populations that concern regions, not institutions


def _growth(ind: Indicator, now: Computation, before: Computation) -> None:
    base = indicator(ind.growth_of)
    for key, v in now.values[base.id].items():
        _, _, cur, _, status_now, _ = finalise(base, v, True, now.loaded)
        prev_v = before.values[base.id].get(key)
        g = now.values[ind.id].setdefault(key, Value())
        if prev_v is None:
            g.reason = f"上年同期无数据（{before.period.text}）/ no value for {before.period.text}"
            continue
        _, _, prev, _, status_prev, _ = finalise(base, prev_v, True, before.loaded)
        if status_now != "ok" or status_prev != "ok":
            g.reason = f"{base.id} 本期或上年同期缺失 / {base.id} is missing in one of the two periods"
            continue
        g.numerator, g.denominator = cur - prev, prev


def _ratio(ind: Indicator, comp: Computation) -> None:
    """A ratio of two indicators (基层人均收入 / 牵头医院人均收入): both values shown as its parts."""
    first, second = (indicator(i) for i in ind.ratio_of)
    for key, v in comp.values[first.id].items():
        _, _, a, _, status_a, reason_a = finalise(first, v, True, comp.loaded)
        _, _, b, _, status_b, reason_b = finalise(
            second, comp.values[second.id].get(key, Value()), True, comp.loaded
        )
        r = comp.values[ind.id].setdefault(key, Value())
        if status_a != "ok" or status_b != "ok":
            which = first.id if status_a != "ok" else second.id
            r.reason = f"{which} 缺失 / {which} is missing: {reason_a if status_a != 'ok' else reason_b}"
            continue
        r.numerator, r.denominator = a, b


def _organisations(comp: Computation, ind: Indicator) -> list[tuple[str, str]]:
    """Who an indicator is stored for: its institutions and, when it rolls up, the regions and the
    医共体/医疗集团; an indicator's `levels` narrows that (a county indicator has no institution values)."""
    base = indicator(ind.growth_of) if ind.growth_of else indicator(ind.ratio_of[0]) if ind.ratio_of else ind
    parts = [p for p in (base.numerator, base.denominator) if p is not None]
    if parts and all(p.population in REGION_ONLY for p in parts):
        orgs = comp.regions()
    else:
        orgs = [(org, "institution") for org in comp.institutions(ind)]
        if ind.rollup and not ind.qualitative:
            orgs += comp.regions() + comp.groups()
    return [o for o in orgs if not ind.levels or o[1] in ind.levels]


def compute_period(
    con: duckdb.DuckDBPyConnection,
    period_text: str,
    only: list[str] | None = None,
    engine: Engine | None = None,
) -> RunResult:
    """Compute on `engine` (default: DuckDB on the warehouse itself) and store into the warehouse `con`."""
    period = parse(period_text)
    engine = engine or DuckDBEngine(con)
    selected = [i for i in indicators() if only is None or i.id in only]
    growth = [i for i in selected if i.growth_of]
    ratios = [i for i in selected if i.ratio_of]
    bases = [i for i in indicators() if i.id in {g.growth_of for g in growth}]
    ratio_bases = [i for i in indicators() if i.id in {b for r in ratios for b in r.ratio_of}]
    now = Computation(engine, period)
    now.prepare()
    now.compute(selected + [b for b in bases + ratio_bases if b not in selected])
    for ind in ratios:
        _ratio(ind, now)
    if growth:
        before = Computation(engine, period.previous())
        before.prepare()  # replaces the period's temporary tables; `now` keeps what it needs in memory
        before.compute(bases)
        for ind in growth:
            _growth(ind, now, before)
    version = catalog_version()
    started = datetime.now()
    rows = []
    for ind in selected:
        for org, level in _organisations(now, ind):
            v = now.values[ind.id].get((org, level), Value())
            has = (
                now.discharges_by_org.get(org, 0) > 0
                if level == "institution"
                else (org, level) in now.values[ind.id]
            )
            num, den, value, text, status, reason = finalise(ind, v, has, now.loaded)
            rows.append((ind.id, org, level, period.text, num, den, value, text, ind.unit, status, reason,
                         _note(ind, now), version))  # fmt: skip
    # One transaction: the old values of the period go only if the new ones and the run log are stored;
    # any failure (or a crash before COMMIT) leaves the period's values as they were.
    con.execute("BEGIN TRANSACTION")
    try:
        run_id = con.execute("SELECT nextval('compute_run_seq')").fetchone()[0]
        ids = [i.id for i in selected]
        con.execute(
            f"DELETE FROM indicator_values WHERE period = ? AND indicator_id IN ({', '.join('?' * len(ids))})",
            [period.text, *ids],
        )
        insert_rows(con, "indicator_values", VALUE_COLUMNS, [(run_id, *r) for r in rows])
        con.execute(
            "INSERT INTO compute_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                period.text,
                engine.name,
                version,
                started,
                datetime.now(),
                len(selected),
                len(rows),
                json.dumps(now.notes, ensure_ascii=False),
            ],
        )
        pause_before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return RunResult(run_id, period.text, len(rows), now.notes)


def _note(ind: Indicator, comp: Computation) -> str | None:
    if ind.id.startswith("drg.") or "rw" in (ind.numerator.expr if ind.numerator else ""):
        weights = "、".join(f"{k}:{v}" for k, v in comp.notes.get("drg_weights", {}).items())
        return f"DRG权重来源 weights: {weights}" if weights else None
    return None
