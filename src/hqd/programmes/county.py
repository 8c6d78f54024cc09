"""`hqd programme county` and `hqd programme group`: one page per county (both monitoring sets and the
评判标准 checklist) and one per urban medical group (its members, their grid populations and its indicators).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.table import Table

from hqd.indicators.periods import Period, parse
from hqd.programmes import criteria
from hqd.programmes.commands import programme_app
from hqd.programmes.monitoring import HEADER, Row, indicator_rows, page_values, spec
from hqd.programmes.pages import stored_values
from hqd.scoring.commands import check_out, console, warehouse
from hqd.tabular import write_sheets

CRITERIA_HEADER = ("区县代码 county", "区县 name", "评判标准 checklist", "维度 dimension", "标准 criterion",
                   "填报 reported", "状态 status", "县结论 county verdict", "核实 verification")  # fmt: skip
STATUS_STYLE = {"达标": "green", "未达标": "red", "无数据": "yellow", "监测": "dim"}


def group_units(
    con: duckdb.DuckDBPyConnection, period: Period, level: str
) -> list[tuple[str, str, str, int]]:
    """(group, lead institution, county, members) of every 医共体 (`community`) or 城市医疗集团
    (`medical_group`) with members in the period, by the membership rule the compute uses
    (prepare.org_groups_sql); the lead is the memberships file's 牵头单位, else the institution flagged so."""
    from hqd.indicators.prepare import org_groups_sql

    return con.execute(f"""
        WITH g AS ({org_groups_sql(period)}),
        leads AS (SELECT DISTINCT group_name, lead_org FROM memberships)
        SELECT g.group_code, coalesce(max(l.name), max(CASE WHEN i.is_lead THEN i.name END), ''),
               mode(i.region_code), count(DISTINCT g.org_code)
        FROM g JOIN institutions i USING (org_code)
        LEFT JOIN leads m ON m.group_name = g.group_code LEFT JOIN institutions l ON l.org_code = m.lead_org
        WHERE g.group_level = ?
        GROUP BY 1 ORDER BY 1""", [level]).fetchall()  # fmt: skip


def counties(con: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[str, str]]:
    """Counties with a 紧密型县域医共体 in the period."""
    codes = sorted({county for _, _, county, _ in group_units(con, period, "community")})
    names = dict(con.execute("SELECT region_code, name FROM regions").fetchall())
    return [(c, names.get(c, c)) for c in codes]


def communities(con: duckdb.DuckDBPyConnection, county: str, period: Period) -> list[tuple[str, str, int]]:
    """(community, lead institution name, members) of one county."""
    return [(g, lead, n) for g, lead, c, n in group_units(con, period, "community") if c == county]


def county_ids(page: dict) -> list[str]:
    return [i for s in page["sets"] for d in s["dimensions"] for i in d.get("indicators", [])]


def county_page(
    con: duckdb.DuckDBPyConnection, values: dict, county: tuple[str, str], period: Period
) -> tuple[list[Row], list[criteria.Checklist]]:
    """The county's rows (qualitative dimensions from its checklist, then every indicator against its
    threshold, its communities' values beside) and the checklists they came from; `values` from page_values."""
    page = spec("county")
    code, name = county
    groups = communities(con, code, period)
    checklists = criteria.evaluate(con, code, period)
    by_set = {c.set_id: c for c in checklists}
    rows: list[Row] = []
    for s in page["sets"]:
        set_name = f"{s['id']} {s['name_zh']}"
        checklist = by_set.get(s.get("criteria", ""))
        for dim in s["dimensions"]:
            if "criteria" in dim and checklist is not None:
                chosen = [c for c in checklist.items if c.element in dim["criteria"]]
                met = sum(1 for c in chosen if c.status == "met")
                rows.append(Row(code, name, set_name, dim["name"], "、".join(dim["criteria"]),
                                "评判标准（定性）qualitative criteria", f"{met}/{len(chosen)}", "count", met,
                                len(chosen), f"= {len(chosen)}", "有明确的制度安排并已组织实施",
                                "达标" if met == len(chosen) else "未达标", s.get("verification", ""),
                                "；".join(f"{c.name_zh}：{criteria.LABEL[c.status]}" for c in chosen
                                         if c.status != "met")))  # fmt: skip
            rows += indicator_rows(con, values, (code, "county", name), period, dim.get("indicators", []),
                                   page.get("thresholds", {}), [code] + [g for g, _, _ in groups], set_name,
                                   dim["name"], [(g, "community") for g, _, _ in groups])  # fmt: skip
    return rows, checklists


def criteria_rows(county: tuple[str, str], checklists: list[criteria.Checklist]) -> list[tuple]:
    return [(county[0], county[1], cl.name_zh, c.dimension, c.name_zh, c.reported or "", criteria.LABEL[c.status],
             cl.verdict, cl.verification) for cl in checklists for c in cl.items]  # fmt: skip


def _write(out: Path | None, sheets: list, last: tuple, rows: list[Row], name: str) -> None:
    """One sheet per unit plus `last` in a workbook; every unit's rows in one table as CSV."""
    if out is None:
        return
    if out.suffix.lower() == ".xlsx":
        write_sheets(out, [*sheets, last])
    else:
        write_sheets(out, [(name, HEADER, [r.cells() for r in rows])])
    console.print(f"已导出到 {out} / written to {out}")


def _print_rows(title: str, rows: list[Row]) -> None:
    table = Table(
        "指标集/维度", "编号", "指标", "值", "阈值", "状态", "核实", title=title, title_justify="left"
    )
    for r in rows:
        value = r.value if isinstance(r.value, str) or r.value is None else f"{r.value:,.2f}"
        style = STATUS_STYLE.get(r.status, "")
        marks = "".join(dict.fromkeys(ch for ch in r.verification if ch in "✅🟡❌")) or r.verification[:16]
        note = marks + (f" {r.note}" if r.note and r.status == "无数据" else "")
        table.add_row(f"{r.set_name.split()[0]}/{r.dimension}", r.ident, r.name, "" if value is None else str(value),
                      r.threshold, f"[{style}]{r.status}[/{style}]" if style else r.status, note)  # fmt: skip
    console.print(table)


@programme_app.command("county")
def county_cmd(
    period: Annotated[str, typer.Option(help="统计期，如 2025 / the period, e.g. 2025")],
    county: Annotated[str | None, typer.Option(help="只看这个区县 / only this county code")] = None,
    out: Annotated[Path | None, typer.Option(help="输出 .xlsx（每县一页）或 .csv / write to a file")] = None,
) -> None:
    """紧密型县域医共体：每县一页 / Tight county medical communities: one page per county, both monitoring sets,
    each indicator against its threshold, and the 评判标准 checklist with the reasons a county is not 达标."""
    check_out(out)
    with warehouse() as con:
        p = parse(period)
        values = page_values(con, p, county_ids(spec("county")))
        units = [c for c in counties(con, p) if county is None or c[0] == county]
        if not units:
            raise LookupError(
                f"没有找到含医共体的区县 {county or ''} / no county with a medical community found"
            )
        sheets, all_rows, all_crit = [], [], []
        for unit in units:
            rows, checklists = county_page(con, values, unit, p)
            groups = "、".join(f"{g}（牵头 {lead}，成员 {n}）" for g, lead, n in communities(con, unit[0], p))
            console.rule(f"{unit[1]}（{unit[0]}）· {p.text}")
            console.print(f"医共体 communities: {groups}")
            for cl in checklists:
                colour = "green" if cl.passed else "red"
                why = "；".join(cl.reasons)
                console.print(f"评判 {cl.name_zh}: [{colour}]{cl.verdict}[/{colour}] ({cl.met}/{len(cl.items)})"
                              f"{' — ' + why if why else ''} · {cl.verification}")  # fmt: skip
            _print_rows(f"{unit[1]} 监测指标 monitoring indicators", rows)
            sheets.append((f"{unit[1]}{unit[0]}", HEADER, [r.cells() for r in rows]))
            all_rows += rows
            all_crit += criteria_rows(unit, checklists)
        _write(out, sheets, ("评判标准 criteria", CRITERIA_HEADER, all_crit), all_rows, "county")


def medical_groups(con: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[str, str]]:
    """(group, lead institution) of every 城市医疗集团 with members in the period."""
    return [(g, lead) for g, lead, _, _ in group_units(con, period, "medical_group")]


def group_members(con: duckdb.DuckDBPyConnection, group: str, period: Period) -> list[tuple]:
    """Grid responsibility: each member, its role, and the resident population of the grid it serves."""
    from hqd.indicators.prepare import org_groups_sql

    subs = period.sub_periods()
    return con.execute(f"""
        WITH g AS ({org_groups_sql(period)}),
        pop AS (SELECT org_code, arg_max(value, period) AS grid FROM reported_values
                WHERE element = 'grid_population' AND period IN ({', '.join('?' * len(subs))}) GROUP BY org_code)
        SELECT i.org_code, i.name,
               CASE WHEN i.org_code IN (SELECT lead_org FROM memberships WHERE group_name = ?) OR i.is_lead
                    THEN '牵头单位' ELSE '成员单位' END, i.category, i.region_code,
               pop.grid
        FROM g JOIN institutions i USING (org_code) LEFT JOIN pop USING (org_code)
        WHERE g.group_code = ? AND g.group_level = 'medical_group'
        ORDER BY 3 DESC, i.org_code""", [*subs, group, group]).fetchall()  # fmt: skip


MEMBER_HEADER = ("集团 group", "机构代码 code", "机构 name", "角色 role", "类别 category", "区划 region",
                 "网格责任常住人口 grid population")  # fmt: skip


@programme_app.command("group")
def group_cmd(
    period: Annotated[str, typer.Option(help="统计期，如 2025 / the period, e.g. 2025")],
    out: Annotated[Path | None, typer.Option(help="输出 .xlsx 或 .csv / write to a file")] = None,
) -> None:
    """城市医疗集团：每集团一页 / Urban medical groups: members and grid responsibility, and the group's
    indicators (hqd-derived, not official)."""
    check_out(out)
    with warehouse() as con:
        p = parse(period)
        page = spec("group")
        values = page_values(con, p, page["indicators"])
        groups = medical_groups(con, p)
        if not groups:
            raise LookupError("没有城市医疗集团成员数据 / no urban medical group members are loaded")
        sheets, all_rows, members = [], [], []
        for grp, lead in groups:
            rows = indicator_rows(con, values, (grp, "medical_group", grp), p, page["indicators"],
                                  page.get("thresholds", {}), [grp], "城市医疗集团", "集团 group")  # fmt: skip
            for r in rows:
                r.verification = f"{r.verification}；{page['verification']}"
            mem = group_members(con, grp, p)
            console.rule(f"{grp} · 牵头 {lead} · {p.text}")
            covered = sum(m[5] or 0 for m in mem)
            console.print(f"成员 members: {len(mem)} · 网格责任常住人口合计 grid population {covered:,.0f}")
            _print_rows(f"{grp} 监测指标（hqd-derived, not official）", rows)
            sheets.append((grp, HEADER, [r.cells() for r in rows]))
            all_rows += rows
            members += [(grp, *m) for m in mem]
        _write(out, sheets, ("网格责任 grid", MEMBER_HEADER, members), all_rows, "group")


def print_county_summary(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """The demo's view: each county's in-county inpatient share against 90 % and its checklist verdicts."""
    page = spec("county")
    table = Table("区县 county", "参保人县域内住院人次占比 in-county share", "阈值 threshold", "状态 status",
                  "评判标准 checklists", title=f"紧密型县域医共体 {period.text}（hqd programme county --period "
                  f"{period.text} 查看全部指标）", title_justify="left")  # fmt: skip
    values = stored_values(con, ["ccm2024.11"], period.text)
    for code, name in counties(con, period):
        (row,) = indicator_rows(con, values, (code, "county", name), period, ["ccm2024.11"],
                                page.get("thresholds", {}), [code], "", "")  # fmt: skip
        verdicts = "；".join(f"{c.set_id} {c.verdict}" + (f"（{'；'.join(c.reasons)}）" if c.reasons else "")
                             for c in criteria.evaluate(con, code, period))  # fmt: skip
        share = "" if not isinstance(row.value, float) else f"{row.value:.1f}%"
        style = STATUS_STYLE.get(row.status, "")
        table.add_row(f"{name} {code}", share, row.threshold, f"[{style}]{row.status}[/{style}]", verdicts)
    console.print(table)
