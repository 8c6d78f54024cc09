"""The region overview, the targets board and the programme pages, read from the stored results.

The programme pages are generic over the catalog's `programme` field: every programme with stored values
gets a page listing its indicators per organisation, so a programme's indicators appear once they are in
the catalog and computed, without code here naming them.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import duckdb

from hqd.indicators.scorecard import KEY_INDICATORS
from hqd.web.orgs import catalog_by_id, names, org
from hqd.web.scope import NotFound, Scope, under

PROGRAMME_NAMES = {
    "gk3": ("三级公立医院绩效考核", "tertiary hospital assessment"),
    "gk2": ("二级公立医院绩效考核", "secondary hospital assessment"),
    "drg": ("DRG 评价", "DRG measures"),
    "ews": ("传染病预警响应", "early-warning response"),
    "ccm2020": ("紧密型县域医共体（2020版）", "county medical communities (2020)"),
    "ccm2024": ("紧密型县域医共体（2024版）", "county medical communities (2024)"),
    "referral": ("双向转诊", "two-way referral"),
    "umg": ("城市医疗集团", "urban medical groups"),
    "sanming": ("三明医改", "Sanming reform"),
    "tcm": ("中医药（国考中医变体）", "TCM"),
    "centres": ("五大中心", "five treatment centres"),
    "tcp": ("千县工程", "Thousand County Project"),
}
OPEN_STATUSES = ("at_risk", "missed")


def overview(con: duckdb.DuckDBPyConnection, scope: Scope, region: str, period: str) -> dict[str, Any]:
    """Key indicators of a region, the grade distribution of its institutions, targets at risk, open signals."""
    scope.check(region)
    o = org(con, region)
    if o.kind != "region":
        raise NotFound(f"{region} 不是区划", f"{region} is not a region")
    cat = catalog_by_id()
    rows = con.execute(
        "SELECT indicator_id, numerator, denominator, value, unit, status, reason FROM indicator_values "
        "WHERE org_code = ? AND period = ? AND list_contains(?, indicator_id)",
        [region, period, list(KEY_INDICATORS)],
    ).fetchall()
    key = [
        {"indicator_id": r[0], "name_zh": cat[r[0]].name_zh, "name_en": cat[r[0]].name_en, "numerator": r[1],
         "denominator": r[2], "value": r[3], "unit": r[4], "status": r[5], "reason": r[6]}
        for r in sorted(rows, key=lambda r: KEY_INDICATORS.index(r[0])) if r[0] in cat
    ]  # fmt: skip
    sub_regions, sub_insts = under(con, region)
    insts = sorted(sub_insts & scope.institutions)
    grades = con.execute(
        "SELECT s.scheme, coalesce(s.grade, '未定级'), count(*) FROM scores s JOIN score_runs r USING (run_id) "
        "WHERE s.period = ? AND r.reference = 'region' AND list_contains(?, s.org_code) GROUP BY ALL ORDER BY ALL",
        [period, insts],
    ).fetchall()
    inside = sub_regions | sub_insts
    targets = [
        t for t in targets_board(con, scope) if t["status"] in OPEN_STATUSES and t["subject_code"] in inside
    ]
    regions_under = sorted(sub_regions & scope.regions)
    signals = con.execute(
        "SELECT status, count(*) FROM ews_signals WHERE list_contains(?, region_code) GROUP BY 1",
        [regions_under],
    ).fetchall()
    return {
        "region": {"code": o.code, "name": o.name, "level": o.level},
        "period": period,
        "institutions": len(insts),
        "key_indicators": key,
        "grades": [{"scheme": s, "grade": g, "count": n} for s, g, n in grades],
        "targets_at_risk": targets,
        "signals": dict(signals),
        "open_signals": sum(n for s, n in signals if s in ("new", "verified")),
    }


def targets_board(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[dict[str, Any]]:
    """The stored target evaluations (`hqd targets`) of the organisations in scope."""
    nm = names(con)
    rows = con.execute(
        "SELECT subject_code, item, deadline, comparator, target_value, status, latest_period, latest_value, "
        "latest_text, projection, interval_low, interval_high, p_meet, reason_zh, reason_en, evaluated_at "
        "FROM target_evaluations ORDER BY subject_code, deadline, item"
    ).fetchall()
    keys = ("subject_code", "item", "deadline", "comparator", "target_value", "status", "latest_period",
            "latest_value", "latest_text", "projection", "interval_low", "interval_high", "p_meet", "reason_zh",
            "reason_en", "evaluated_at")  # fmt: skip
    out = []
    for r in rows:
        if scope.sees(r[0]):
            d = dict(zip(keys, r, strict=True))
            d["subject_name"] = nm.get(r[0], r[0])
            out.append(d)
    return out


def target_counts(board: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(t["status"] for t in board))


def programmes(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[dict[str, Any]]:
    """Programmes of the catalog with stored values for an organisation in scope."""
    cat = catalog_by_id()
    rows = con.execute(
        "SELECT indicator_id, count(*) FROM indicator_values WHERE list_contains(?, org_code) AND status = 'ok' "
        "GROUP BY 1", [sorted(scope.institutions | scope.regions)]).fetchall()  # fmt: skip
    per: Counter[str] = Counter()
    inds: dict[str, set[str]] = {}
    for ident, n in rows:
        if ident in cat:
            per[cat[ident].programme] += n
            inds.setdefault(cat[ident].programme, set()).add(ident)
    return [
        {"programme": p, "name_zh": PROGRAMME_NAMES.get(p, (p, p))[0], "name_en": PROGRAMME_NAMES.get(p, (p, p))[1],
         "indicators": len(inds[p]), "values": per[p]}
        for p in sorted(per)
    ]  # fmt: skip


def programme(con: duckdb.DuckDBPyConnection, scope: Scope, name: str, period: str) -> dict[str, Any]:
    """Each indicator of one programme per organisation in scope, with its value and status."""
    cat = catalog_by_id()
    ids = [i for i, ind in cat.items() if ind.programme == name]
    if not ids:
        raise NotFound(f"项目 {name} 不存在", f"there is no programme {name}")
    nm = names(con)
    rows = con.execute(
        "SELECT org_code, org_level, indicator_id, value, value_text, numerator, denominator, status, reason "
        "FROM indicator_values WHERE period = ? AND list_contains(?, indicator_id) AND list_contains(?, org_code) "
        "ORDER BY CASE org_level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 ELSE 3 END, org_code",
        [period, ids, sorted(scope.institutions | scope.regions)],
    ).fetchall()
    orgs: dict[str, dict[str, Any]] = {}
    for code, level, ident, value, text, num, den, status, reason in rows:
        o = orgs.setdefault(
            code, {"org_code": code, "name": nm.get(code, code), "level": level, "values": {}}
        )
        o["values"][ident] = {"value": value, "value_text": text, "numerator": num, "denominator": den,
                              "status": status, "reason": reason}  # fmt: skip
    present = sorted({i for o in orgs.values() for i in o["values"]})
    return {
        "programme": name, "name_zh": PROGRAMME_NAMES.get(name, (name, name))[0],
        "name_en": PROGRAMME_NAMES.get(name, (name, name))[1], "period": period,
        "indicators": [{"id": i, "name_zh": cat[i].name_zh, "name_en": cat[i].name_en, "unit": cat[i].unit,
                        "tag": cat[i].tag} for i in present],
        "organisations": list(orgs.values()),
    }  # fmt: skip
