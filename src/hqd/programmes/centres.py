"""`hqd programme centres`: the five treatment centres' quality and time metrics (programmes.md §5) per
centre, institution and region — median and interquartile range, compliance with the limit, how many cases
lacked a timestamp, and the rates (reperfusion, mortality).

The numbers are the catalog indicators of catalog/indicators/centres_*.yaml as `hqd compute` stored them;
`hqd explain ID --org CODE --period P` lists the cases behind any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import duckdb
from rich.console import Console

from hqd.indicators.catalog import indicators
from hqd.programmes.pages import (
    LEVEL_ORDER,
    LEVEL_ZH,
    OutOption,
    PeriodOption,
    Stored,
    num,
    org_names,
    require_computed,
    show,
    stored_values,
    write_out,
)

CENTRES = {
    "chest_pain": "胸痛中心",
    "stroke": "卒中中心",
    "trauma": "创伤中心",
    "maternal": "危重孕产妇救治中心",
    "neonatal": "危重新生儿救治中心",
}
STATS = ("median", "p25", "p75", "compliance", "completeness")
COLUMNS = ["centre", "org_code", "org_name", "org_level", "metric_id", "metric", "tag", "unit", "eligible",
           "with_times", "missing_times", "completeness_pct", "median", "p25", "p75", "limit_minutes",
           "within_limit", "compliance_pct", "numerator", "denominator", "value"]  # fmt: skip
_LIMIT = re.compile(r"≤(\d+(?:\.\d+)?)分钟")


@dataclass
class Metric:
    """A time metric (its five statistics) or a single rate/count of one centre, in catalog order."""

    centre: str
    key: str
    name_zh: str
    unit: str
    tag: str
    ids: dict[str, str] = field(default_factory=dict)  # statistic → indicator id; {"value": id} for a rate
    limit: float | None = None

    @property
    def timed(self) -> bool:
        return "median" in self.ids


def metrics() -> list[Metric]:
    """The centre metrics of the catalog, grouped from their ids: <centre>.<metric>[.<statistic>]."""
    out: dict[tuple[str, str], Metric] = {}
    for ind in indicators():
        centre, _, rest = ind.id.partition(".")
        if ind.programme != "centres" or centre not in CENTRES:
            continue
        key, _, stat = rest.rpartition(".")
        if stat not in STATS:
            key, stat = rest, "value"
        m = out.setdefault((centre, key), Metric(centre, key, ind.name_zh.split("：")[0], ind.unit, ind.tag))
        m.ids[stat] = ind.id
        if stat == "median":
            m.unit, m.tag = "minutes", ind.tag
        if stat == "compliance" and (hit := _LIMIT.search(ind.name_zh)):
            m.limit, m.tag = float(hit[1]), ind.tag
    return list(out.values())


def _ok(v: Stored | None) -> Stored | None:
    return v if v is not None and v.status == "ok" else None


def page_rows(con: duckdb.DuckDBPyConnection, period: str) -> list[dict[str, Any]]:
    """One row per centre metric and organisation that had cases of the centre in the period."""
    ms = metrics()
    values = stored_values(con, [i for m in ms for i in m.ids.values()], period)
    require_computed(values, period, "五大中心 five-centre ")
    names = org_names(con)
    rows: list[dict[str, Any]] = []
    for centre, centre_zh in CENTRES.items():
        cases = {(org, lvl): v for (ident, org, lvl), v in values.items()
                 if ident == f"{centre}.cases" and v.value}  # fmt: skip
        orgs = sorted(cases, key=lambda k: (LEVEL_ORDER.get(k[1], 9), k[0]))
        for m in (m for m in ms if m.centre == centre):
            for org, lvl in orgs:
                got = {stat: values.get((ident, org, lvl)) for stat, ident in m.ids.items()}
                row: dict[str, Any] = dict.fromkeys(COLUMNS)
                row.update(centre=centre_zh, org_code=org, org_name=names.get(org, ""), org_level=lvl,
                           metric_id=f"{centre}.{m.key}", metric=m.name_zh, tag=m.tag, unit=m.unit)  # fmt: skip
                if m.timed:
                    comp, within = got.get("completeness"), _ok(got.get("compliance"))
                    if comp is not None and comp.denominator is not None:
                        row.update(eligible=comp.denominator, with_times=comp.numerator,
                                   missing_times=comp.denominator - (comp.numerator or 0),
                                   completeness_pct=comp.value)  # fmt: skip
                    for stat in ("median", "p25", "p75"):
                        row[stat] = v.value if (v := _ok(got.get(stat))) else None
                    row["limit_minutes"] = m.limit
                    if within is not None:
                        row.update(within_limit=within.numerator, compliance_pct=within.value)
                else:
                    v = got.get("value")
                    if v is not None:
                        row.update(numerator=v.numerator, denominator=v.denominator,
                                   value=v.value if v.status == "ok" else None)  # fmt: skip
                rows.append(row)
    return rows


def _terminal_row(r: dict[str, Any]) -> list[str]:
    who = r["org_name"] or r["org_code"]
    if r["org_level"] != "institution":
        who += f"（{LEVEL_ZH.get(r['org_level'], r['org_level'])}合计）"
    tag = "未核实 unverified" if str(r["tag"]).startswith("unverified") else str(r["tag"]).split(" ")[0]
    if r["median"] is not None or r["eligible"] is not None:
        n = f"{num(r['eligible'])}（缺时间 {num(r['missing_times'])}）" if r["eligible"] is not None else "—"
        dist = f"{num(r['median'])} [{num(r['p25'])}–{num(r['p75'])}]" if r["median"] is not None else "—"
        compliance = (f"{num(r['compliance_pct'])}%（≤{num(r['limit_minutes'])}分钟）"
                      if r["compliance_pct"] is not None else "")  # fmt: skip
        return [who, r["metric"], n, dist, compliance, "", tag]
    unit = "%" if r["unit"] == "%" else ""
    shown = "—" if r["value"] is None else f"{num(r['value'])}{unit}"
    if r["denominator"] is not None:
        shown += f"（{num(r['numerator'])}/{num(r['denominator'])}）"
    return [who, r["metric"], "", "", "", shown, tag]


def print_page(rows: list[dict[str, Any]], period: str, console: Console) -> None:
    header = ["对象 org", "指标 metric", "病例 cases", "中位数 [P25–P75] 分钟", "达标率 compliance", "值 value",
              "依据 tag"]  # fmt: skip
    for centre in CENTRES.values():
        # the terminal keeps institutions and the city; --out has every level (county, province too)
        mine = [r for r in rows if r["centre"] == centre and r["org_level"] in ("institution", "city")
                and r["eligible"] != 0 and r["denominator"] != 0]  # fmt: skip
        if mine:
            show(console, f"{centre} · {period}", header, [_terminal_row(r) for r in mine])
        else:
            console.print(f"{centre} · {period}: 本期无病例 / no cases in this period")


def centres(period: PeriodOption, out: OutOption = None) -> None:
    """五大中心质量与时效指标 / The five centres' time and quality metrics per centre and institution."""
    from hqd.indicators.periods import parse
    from hqd.scoring.commands import check_out, console, warehouse

    check_out(out)
    with warehouse() as con:
        p = parse(period).text
        rows = page_rows(con, p)
    print_page(rows, p, console)
    write_out(console, out, [("centres", COLUMNS, ([r[c] for c in COLUMNS] for r in rows))])
