"""The institution scorecard and the indicator explorer: stored values with trend and peer position.

Everything is read from the stored results (indicator_values, scores, score_items); the gap to the next
grade is the scoring stage's own `gap_for`, so the page shows the numbers `hqd score` and `hqd gap` print.
"""

from __future__ import annotations

import statistics
from typing import Any

import duckdb

from hqd.indicators.catalog import Indicator
from hqd.web.orgs import catalog_by_id, find_indicator, names, org
from hqd.web.scope import Forbidden, Scope

PEER_LEVEL_SQL = """
    SELECT v.indicator_id, v.org_code, v.value FROM indicator_values v
    LEFT JOIN institutions i ON i.org_code = v.org_code LEFT JOIN regions r ON r.region_code = v.org_code
    WHERE v.period = ? AND v.value IS NOT NULL AND v.org_level = ? AND coalesce(i.level, r.level) = ?
"""


def _position(ind: Indicator, own: float | None, values: list[float]) -> dict[str, Any]:
    """Rank 1 = best by the indicator's direction; quartiles of the peers; no rank for 'monitor' indicators."""
    out: dict[str, Any] = {"peers": len(values), "rank": None, "p25": None, "p50": None, "p75": None}
    if len(values) >= 2:
        q = statistics.quantiles(values, n=4, method="inclusive")
        out.update(p25=q[0], p50=q[1], p75=q[2])
    if own is not None and ind.direction in ("higher", "lower") and values:
        better = sum(1 for v in values if (v > own if ind.direction == "higher" else v < own))
        out["rank"] = better + 1
    return out


def scorecard(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, period: str) -> dict[str, Any]:
    """An organisation's indicators for a period with trend and peer position, and its score, grade and gap."""
    scope.check(code)
    o = org(con, code)
    cat = catalog_by_id()
    rows = con.execute(
        "SELECT indicator_id, org_level, numerator, denominator, value, value_text, unit, status, reason, note "
        "FROM indicator_values WHERE org_code = ? AND period = ? ORDER BY indicator_id",
        [code, period],
    ).fetchall()
    level = rows[0][1] if rows else ("institution" if o.kind == "institution" else o.level)
    peers: dict[str, list[float]] = {}
    for ident, _peer, value in con.execute(PEER_LEVEL_SQL, [period, level, o.level]).fetchall():
        peers.setdefault(ident, []).append(value)
    trend: dict[str, list[tuple[str, float | None]]] = {}
    for ident, p, value in con.execute(
        "SELECT indicator_id, period, value FROM indicator_values WHERE org_code = ? AND length(period) = ? "
        "ORDER BY period", [code, len(period)]).fetchall():  # fmt: skip
        trend.setdefault(ident, []).append((p, value))
    items = []
    for ident, _lvl, num, den, value, text, unit, status, reason, note in rows:
        ind = cat.get(ident)
        if ind is None:
            continue
        items.append({
            "indicator_id": ident, "name_zh": ind.name_zh, "name_en": ind.name_en, "programme": ind.programme,
            "dimension": ind.dimension, "direction": ind.direction, "unit": unit, "numerator": num,
            "denominator": den, "value": value, "value_text": text, "status": status, "reason": reason,
            "note": note, "trend": [{"period": p, "value": v} for p, v in trend.get(ident, [])],
            "position": _position(ind, value, peers.get(ident, [])),
        })  # fmt: skip
    return {
        "org": {
            "code": o.code,
            "name": o.name,
            "kind": o.kind,
            "level": o.level,
            "region_code": o.region_code,
        },
        "period": period,
        "indicators": items,
        "score": score_of(con, code, period),
    }


def score_of(con: duckdb.DuckDBPyConnection, code: str, period: str) -> dict[str, Any] | None:
    """The stored score (region reference preferred, then national) with its points lost per indicator."""
    row = con.execute(
        "SELECT s.run_id, s.scheme, r.reference, s.peer_group, s.peers, s.total, s.rank, s.rank_percentile, "
        "s.grade, s.grade_basis, s.reference, s.note FROM scores s JOIN score_runs r USING (run_id) "
        "WHERE s.org_code = ? AND s.period = ? ORDER BY r.reference = 'region' DESC, s.run_id DESC LIMIT 1",
        [code, period],
    ).fetchone()
    if row is None:
        return None
    keys = ("run_id", "scheme", "mode", "peer_group", "peers", "total", "rank", "rank_percentile", "grade",
            "grade_basis", "reference", "note")  # fmt: skip
    out = dict(zip(keys, row, strict=True))
    out["items"] = [
        dict(zip(("indicator_id", "entry", "value", "status", "score", "max_points", "points", "points_lost"), r,
                 strict=True))
        for r in con.execute(
            "SELECT indicator_id, entry, value, status, score, max_points, points, points_lost FROM score_items "
            "WHERE run_id = ? AND org_code = ? ORDER BY points_lost DESC, indicator_id", [row[0], code]).fetchall()
    ]  # fmt: skip
    return out


def gap_of(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, period: str) -> dict[str, Any] | None:
    """The points to the next grade and the per-indicator changes that earn them (`hqd gap`'s numbers)."""
    from hqd.scoring.gap import gap_for
    from hqd.scoring.period import ScoringError, score_period
    from hqd.scoring.schemes import load_scheme

    scope.check(code)
    stored = score_of(con, code, period)
    if stored is None or stored["total"] is None:
        return None
    try:
        g = gap_for(score_period(con, load_scheme(stored["scheme"]), period, stored["mode"]), code)
    except (ScoringError, LookupError, KeyError):
        return None
    return {
        "goal": g.goal.label if g.goal else None,
        "threshold": g.goal.threshold if g.goal else None,
        "points_needed": g.points_needed,
        "note": g.note,
        "steps": [
            {"indicator_id": s.indicator_id, "name_zh": s.name_zh, "unit": s.unit, "value": s.value,
             "target_value": s.target_value, "change": s.change, "relative_change": s.relative_change,
             "points_gained": s.points_gained, "closes": s.closes, "note": s.note}
            for s in g.steps
        ],
    }  # fmt: skip


def explorer(
    con: duckdb.DuckDBPyConnection, scope: Scope, ident: str, period: str, level: str
) -> dict[str, Any]:
    """One indicator across organisations of a level (named when visible, anonymised otherwise) and time."""
    ind = find_indicator(ident)
    if level not in ("institution", "county", "city", "province"):
        raise Forbidden("层级无效", f"level {level} is not institution, county, city or province")
    if scope.hospital and level != "institution":
        raise Forbidden(
            "医院用户只能查看本院及匿名的同级分布",
            "a hospital user sees its own institution and anonymised peers",
        )
    rows = con.execute(
        "SELECT org_code, numerator, denominator, value, value_text, status, reason FROM indicator_values "
        "WHERE indicator_id = ? AND period = ? AND org_level = ? ORDER BY value DESC NULLS LAST, org_code",
        [ident, period, level],
    ).fetchall()
    nm = names(con)
    named, anonymous = [], []
    for code, num, den, value, text, status, reason in rows:
        if scope.sees(code):
            named.append({"org_code": code, "name": nm.get(code, code), "numerator": num, "denominator": den,
                          "value": value, "value_text": text, "status": status, "reason": reason})  # fmt: skip
        elif value is not None:
            anonymous.append(value)
    series = con.execute(
        "SELECT org_code, period, value FROM indicator_values WHERE indicator_id = ? AND length(period) = ? "
        "AND list_contains(?, org_code) ORDER BY period, org_code",
        [ident, len(period), [r["org_code"] for r in named]],
    ).fetchall()
    by_org: dict[str, list[dict[str, Any]]] = {}
    for code, p, value in series:
        by_org.setdefault(code, []).append({"period": p, "value": value})
    return {
        "indicator": {"id": ind.id, "name_zh": ind.name_zh, "name_en": ind.name_en, "unit": ind.unit,
                      "direction": ind.direction, "definition": ind.definition, "programme": ind.programme},
        "period": period, "level": level, "values": named,
        "peer_distribution": sorted(anonymous) if scope.hospital else [],
        "series": by_org,
    }  # fmt: skip
