"""`hqd programme county-hospitals`: the Thousand County Project (千县工程, programmes.md §4) — each county
hospital against the capability standards (share of checklist items met, what is missing, 达标 or not), which
of the five emergency centres it holds (from the ratings), and the targets set for it.

The checklist items are data elements a hospital reports (catalog/county_hospital_standards.yaml names them
and the 达标 rule); the shares here are the same ratios as the catalog indicators tcp.basic_share and
tcp.recommended_share, which targets track over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
from rich.console import Console

from hqd.catalog import CatalogError, load_yaml
from hqd.indicators import prepare
from hqd.indicators.periods import Period
from hqd.ingest.elements import elements
from hqd.programmes.pages import OutOption, PeriodOption, num, org_names, show, write_out
from hqd.programmes.ratings import latest_levels
from hqd.warehouse.bulk import insert_rows

CENTRE_ITEMS = ("胸痛中心", "卒中中心", "创伤中心", "危重孕产妇救治中心", "危重新生儿救治中心")
HOSPITALS = ["org_code", "org_name", "county_code", "county_name", "tier", "items", "reported", "met", "share_pct",
             "mandatory_missing", "passed", "not_met", "not_reported", *CENTRE_ITEMS]  # fmt: skip
ITEMS = [
    "org_code",
    "org_name",
    "tier",
    "section",
    "element",
    "item",
    "mandatory",
    "reported_value",
    "status",
]


@dataclass(frozen=True)
class Item:
    element: str
    name_zh: str
    section: str
    mandatory: bool


@dataclass(frozen=True)
class Tier:
    tier: str
    name_zh: str
    indicator: str
    items: tuple[Item, ...]


@lru_cache(maxsize=1)
def standards() -> tuple[dict[str, Any], tuple[Tier, ...]]:
    """The standards file: its settings, and the tiers with their items (element codes checked)."""
    raw = load_yaml("county_hospital_standards.yaml") or {}
    if raw.get("kind") != "county_hospital_standards":
        raise CatalogError(
            "county_hospital_standards.yaml: 缺少 kind / kind: county_hospital_standards missing"
        )
    named = {e.code: e.name_zh for e in elements()}
    tiers = []
    for t in raw.get("tiers", []):
        items = []
        for it in t.get("items", []):
            if it.get("element") not in named:
                raise CatalogError(f"county_hospital_standards.yaml {t.get('tier')}: 数据项不存在 / "
                                   f"unknown data element {it.get('element')}")  # fmt: skip
            short = named[it["element"]].split("：", 1)[-1]
            items.append(
                Item(it["element"], short, str(it.get("section", "")), bool(it.get("mandatory", False)))
            )
        tiers.append(Tier(str(t["tier"]), str(t["name_zh"]), str(t.get("indicator", "")), tuple(items)))
    return raw, tuple(tiers)


def county_hospitals(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(code, name, county) of the county hospitals the standards apply to (institutions.是否县级医院)."""
    raw, _ = standards()
    categories = (raw.get("applies_to") or {}).get("category")
    rows = con.execute(
        "SELECT org_code, name, region_code, category FROM institutions WHERE is_county_hospital ORDER BY region_code, org_code"
    ).fetchall()
    return [(o, n, r) for o, n, r, c in rows if not categories or c in categories]


def reported_items(con: duckdb.DuckDBPyConnection, period: Period) -> dict[tuple[str, str], float]:
    """(institution, element) → the value reported for the period (the latest report of a stock)."""
    con.execute("CREATE OR REPLACE TEMP TABLE element_meta (code VARCHAR, aggregation VARCHAR, unit VARCHAR)")
    insert_rows(con, "element_meta", ("code", "aggregation", "unit"), prepare.element_meta_rows())
    rows = con.execute(
        f"SELECT org_code, element, value FROM ({prepare.element_values_sql(period)}) WHERE element LIKE 'cap.%'"
    ).fetchall()
    return {(o, e): v for o, e, v in rows if v is not None}


def assess(period: Period, con: duckdb.DuckDBPyConnection) -> tuple[list[dict], list[dict]]:
    """One row per county hospital and tier, one row per checklist item."""
    raw, tiers = standards()
    min_share = float((raw.get("pass_rule") or {}).get("min_share", 100))
    got = reported_items(con, period)
    names = org_names(con)
    held = {(h.org_code, h.item): h for h in latest_levels(con, period.end) if h.item in CENTRE_ITEMS}
    hospitals, items = [], []
    for org, name, county in county_hospitals(con):
        centres = {c: (held[(org, c)].level if (org, c) in held else "") for c in CENTRE_ITEMS}
        for tier in tiers:
            met, not_met, absent, mandatory_missing = 0, [], [], []
            for it in tier.items:
                value = got.get((org, it.element))
                status = (
                    "未报送 not reported" if value is None else "达到 met" if value >= 1 else "未达到 not met"
                )
                if value is None:
                    absent.append(it.name_zh)
                elif value >= 1:
                    met += 1
                else:
                    not_met.append(it.name_zh)
                if it.mandatory and (value is None or value < 1):
                    mandatory_missing.append(it.name_zh)
                items.append({"org_code": org, "org_name": name, "tier": tier.name_zh, "section": it.section,
                              "element": it.element, "item": it.name_zh, "mandatory": it.mandatory,
                              "reported_value": value, "status": status})  # fmt: skip
            n = len(tier.items)
            reported = n - len(absent)
            share = met / n * 100 if n and reported else None
            passed = (
                None
                if reported == 0
                else (not mandatory_missing and share is not None and share >= min_share)
            )
            hospitals.append({"org_code": org, "org_name": name, "county_code": county,
                              "county_name": names.get(county, ""), "tier": tier.name_zh, "items": n,
                              "reported": reported, "met": met, "share_pct": share,
                              "mandatory_missing": "、".join(mandatory_missing), "passed": passed,
                              "not_met": "、".join(not_met), "not_reported": "、".join(absent), **centres})  # fmt: skip
    return hospitals, items


# programmes.md §5.4–5.5 ✅: every county (and city) has at least one critical maternal and one critical
# neonatal care centre; the other three centres have no coverage rule.
COVERAGE_RULE = {"危重孕产妇救治中心": 1, "危重新生儿救治中心": 1}
COVERAGE = ["county_code", "county_name", "centre", "institutions", "required", "meets"]


def county_coverage(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """Per county with a county hospital: how many of its institutions hold each centre at the period's end."""
    names = org_names(con)
    county_of = dict(con.execute("SELECT org_code, region_code FROM institutions").fetchall())
    counties = sorted({county for _, _, county in county_hospitals(con)})
    held = {(county_of.get(h.org_code), h.item, h.org_code) for h in latest_levels(con, period.end)}
    out = []
    for county in counties:
        for centre in CENTRE_ITEMS:
            n = sum(1 for c, item, _ in held if c == county and item == centre)
            required = COVERAGE_RULE.get(centre)
            out.append({"county_code": county, "county_name": names.get(county, ""), "centre": centre,
                        "institutions": n, "required": required,
                        "meets": None if required is None else n >= required})  # fmt: skip
    return out


def tcp_targets(con: duckdb.DuckDBPyConnection, subjects: set[str]) -> list[dict[str, Any]]:
    """Targets on the county hospitals (any item) and on the programme's indicators (any subject)."""
    from hqd.targets import board

    def keep(t: Any, m: Any) -> bool:
        return t.subject_code in subjects or (
            m is not None and m.kind == "indicator" and m.key.startswith("tcp.")
        )

    return board.rows(con, board.evaluate_all(con, keep=keep))


def _passed(p: bool | None) -> str:
    return "无数据 no data" if p is None else "达标 passed" if p else "未达标 not passed"


def _covered(r: dict[str, Any]) -> str:
    mark = "" if r["meets"] is None else " ✓" if r["meets"] else " ✗ 未覆盖 not covered"
    return f"{r['institutions']}{mark}"


def print_page(
    hospitals: list[dict], coverage: list[dict], targets: list[dict], period: str, console: Console
) -> None:
    raw, _ = standards()
    console.print(f"千县工程 县医院能力标准 · {period} · 条目为示例，未核实 / illustrative items, unverified (❌) — "
                  f"达标规则：必备条目全部达到且达到率≥{(raw.get('pass_rule') or {}).get('min_share', 100)}%")  # fmt: skip
    show(console, "县医院对照能力标准 county hospitals against the capability standards",
         ["医院 hospital", "标准 tier", "达到/条目 met/items", "达到率 share", "结论 result", "未达到 not met",
          "未报送 not reported"],
         [[r["org_name"], r["tier"], f"{r['met']}/{r['items']}", f"{num(r['share_pct'])}%", _passed(r["passed"]),
           r["not_met"] or "—", r["not_reported"] or "—"] for r in hospitals])  # fmt: skip
    seen: dict[str, dict] = {}
    for r in hospitals:
        seen.setdefault(r["org_code"], r)
    show(console, "急诊急救五大中心 the five emergency centres (from ratings)",
         ["医院 hospital", *CENTRE_ITEMS],
         [[r["org_name"], *(r[c] or "✗ 无 none" for c in CENTRE_ITEMS)] for r in seen.values()])  # fmt: skip
    if coverage:
        counties = sorted({r["county_code"] for r in coverage})
        show(console, "县域五大中心覆盖 centres per county（危重孕产妇、危重新生儿：每县至少1个 ✅ at least one per county）",
             ["区县 county", *CENTRE_ITEMS],
             [[next(r["county_name"] for r in coverage if r["county_code"] == c),
               *(_covered(next(r for r in coverage if r["county_code"] == c and r["centre"] == item))
                 for item in CENTRE_ITEMS)] for c in counties])  # fmt: skip
    if targets:
        from hqd.targets.board import print_board

        print_board(targets, console)


def county_hospitals_page(period: PeriodOption, out: OutOption = None) -> None:
    """千县工程：县医院能力标准、五大中心与目标 / Thousand County Project: county hospitals' standards, centres, targets."""
    from hqd.indicators.periods import parse
    from hqd.scoring.commands import check_out, console, warehouse
    from hqd.targets.board import COLUMNS as TARGET_COLUMNS

    check_out(out)
    with warehouse() as con:
        p = parse(period)
        hospitals, items = assess(p, con)
        coverage = county_coverage(con, p)
        targets = tcp_targets(con, {r["org_code"] for r in hospitals})
    if not hospitals:
        console.print(
            "没有标注为县级医院的机构（机构名录“是否县级医院”）/ no institution is marked as a county hospital"
        )
        return
    print_page(hospitals, coverage, targets, p.text, console)
    write_out(console, out, [
        ("hospitals", HOSPITALS, ([r[c] for c in HOSPITALS] for r in hospitals)),
        ("items", ITEMS, ([r[c] for c in ITEMS] for r in items)),
        ("coverage", COVERAGE, ([r[c] for c in COVERAGE] for r in coverage)),
        ("targets", TARGET_COLUMNS, ([r[c] for c in TARGET_COLUMNS] for r in targets)),
    ])  # fmt: skip
