"""A few lines per programme for `hqd demo`: the headline of each page, pointing at the page itself."""

from __future__ import annotations

import duckdb
from rich.console import Console

from hqd.indicators.periods import parse
from hqd.programmes.pages import num


def print_summary(con: duckdb.DuckDBPyConnection, period: str, console: Console) -> None:
    """Centres (the top region's medians and compliance), county hospitals (达标), assistance totals, ratings."""
    from hqd.programmes import assistance, centres, county_hospitals, ratings

    p = parse(period)
    console.print(f"[bold]改革项目 reform programmes · {p.text}[/bold]（详见 hqd programme centres|county-hospitals|"
                  f"assistance|ratings --period {p.text}）")  # fmt: skip
    try:
        rows = centres.page_rows(con, p.text)
    except LookupError:
        rows = []
    top = max((r["org_level"] for r in rows), key=lambda lv: {"county": 1, "city": 2, "province": 3}.get(lv, 0),
              default=None)  # fmt: skip
    for centre in centres.CENTRES.values():
        mine = [
            r
            for r in rows
            if r["centre"] == centre and r["org_level"] == top and r["compliance_pct"] is not None
        ]
        if mine:
            console.print(f"  {centre}: " + "；".join(
                f"{r['metric']} 中位数 {num(r['median'])} 分钟，≤{num(r['limit_minutes'])} 达标 {num(r['compliance_pct'])}%"
                for r in mine))  # fmt: skip
    hospitals, _ = county_hospitals.assess(p, con)
    for tier in ("基本标准", "推荐标准"):
        mine = [r for r in hospitals if r["tier"] == tier]
        if mine:
            passed = sum(1 for r in mine if r["passed"])
            console.print(f"  千县工程 {tier}达标 passed: {passed}/{len(mine)} 家县医院 county hospitals")
    projects = assistance.project_rows(con, p)
    if projects:
        days = sum(r["onsite_days"] for r in projects)
        l4 = sum(r["level4_surgeries"] for r in projects)
        firsts = sum(len(r["firsts"].split("、")) for r in projects if r["firsts"])
        console.print(
            f"  帮扶 assistance: {len(projects)} 个项目×受援单位，驻点 {days:,} 天，四级手术 {l4:,} 台，首次开展 {firsts} 项"
        )
    held = ratings.latest_levels(con, p.end)
    emr = [h for h in held if h.item == "电子病历系统应用水平" and h.ordinal is not None]
    if emr:
        console.print(f"  评级 ratings: 电子病历≥5级 {sum(1 for h in emr if h.ordinal >= 5)}/{len(emr)} 家，"
                      f"胸痛中心 {sum(1 for h in held if h.item == '胸痛中心')} 家，"
                      f"卒中中心 {sum(1 for h in held if h.item == '卒中中心')} 家")  # fmt: skip
