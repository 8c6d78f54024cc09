"""`hqd programme assistance`: paired assistance, discipline co-building and alliances (programmes.md §8) —
what each project's team did at each receiving institution in the period (expert days on site, outpatient
visits, surgeries and grade-4 surgeries, new techniques and "firsts", trainees), the receiving hospital's
own indicators in equal windows before and after the project started, and each alliance's size over time.

Every figure is a sum over `assistance` ledger rows, a count over the receiving hospital's discharges and
referrals with the catalog's own definitions (gk3.06 for the grade-4 share), or a count of `memberships`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

import duckdb
import typer
from rich.console import Console

from hqd.indicators import prepare
from hqd.indicators.catalog import indicator
from hqd.indicators.periods import Period, PeriodError, parse
from hqd.indicators.runner import _agg_sql
from hqd.programmes.pages import OutOption, PeriodOption, num, org_names, show, write_out

SUMS = ("experts", "onsite_days", "outpatient_visits", "surgeries", "level4_surgeries", "new_techniques", "trainees",
        "returned_trainees")  # fmt: skip
SUM_ZH = (
    "派驻专家人次",
    "驻点工作日",
    "门诊人次",
    "手术台次",
    "四级手术台次",
    "新技术新项目",
    "培训人次",
    "进修返岗",
)
RECIPIENTS = ["recipient_org", "recipient_name", "projects", *SUMS, "firsts"]
PROJECTS = ["project_name", "project_type", "support_org", "support_name", "recipient_org", "recipient_name",
            "specialty", "started", "rows", *SUMS, "firsts"]  # fmt: skip
EFFECT = ["project_name", "recipient_org", "recipient_name", "started", "window_months", "before_from", "before_to",
          "after_from", "after_to", "measure", "before", "after", "change", "before_parts", "after_parts"]  # fmt: skip
ALLIANCES = [
    "group_name",
    "group_type",
    "lead_org",
    "lead_name",
    "specialty",
    "as_of",
    "members",
    "outside_region",
]
ALLIANCE_TYPES = ("专科联盟", "远程医疗协作网")
MEASURES = ("出院患者四级手术比例（%）", "月均出院人次", "月均上转出县人次")
GRADE4 = "gk3.06"  # 出院患者四级手术比例: the catalog's definition, applied to the receiving hospital


def _months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, 1)


def _within(text: str, period: Period) -> Period | None:
    try:
        p = parse(text)
    except PeriodError:
        return None
    return p if period.contains(p) else None


def project_rows(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """Per project and receiving institution: the ledger's sums over the rows whose 统计期 lies in the period,
    and the project's start there (the first 统计期 of any row)."""
    names = org_names(con)
    rows = con.execute(
        f"SELECT project_name, project_type, support_org, recipient_org, specialty, period, {', '.join(SUMS)}, firsts "
        "FROM assistance ORDER BY project_name, recipient_org, period"
    ).fetchall()
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for name, kind, support, recipient, specialty, text, *vals in rows:
        try:
            p = parse(text)
        except PeriodError:
            continue
        r = out.setdefault((name, recipient), {
            "project_name": name, "project_type": kind, "support_org": support,
            "support_name": names.get(support, support), "recipient_org": recipient,
            "recipient_name": names.get(recipient, ""), "specialty": specialty, "started": p.start, "rows": 0,
            **dict.fromkeys(SUMS, 0), "firsts": []})  # fmt: skip
        r["started"] = min(r["started"], p.start)
        if not period.contains(p):
            continue
        r["rows"] += 1
        for col, v in zip(SUMS, vals[:-1], strict=True):
            r[col] += v or 0
        for first in (vals[-1] or "").replace("；", "、").split("、"):
            if first.strip() and first.strip() not in r["firsts"]:
                r["firsts"].append(first.strip())
    result = []
    for r in out.values():
        if r["rows"]:
            result.append({**r, "started": r["started"].isoformat(), "firsts": "、".join(r["firsts"])})
    return result


def recipient_rows(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per receiving institution: the sums over all its projects (and how many projects, and which firsts)."""
    out: dict[str, dict[str, Any]] = {}
    for p in projects:
        r = out.setdefault(p["recipient_org"], {"recipient_org": p["recipient_org"], "recipient_name": p["recipient_name"],
                                                "projects": 0, **dict.fromkeys(SUMS, 0), "firsts": []})  # fmt: skip
        r["projects"] += 1
        for col in SUMS:
            r[col] += p[col]
        r["firsts"] += [f for f in p["firsts"].split("、") if f and f not in r["firsts"]]
    return [
        {**r, "firsts": "、".join(r["firsts"])}
        for r in sorted(out.values(), key=lambda r: r["recipient_org"])
    ]


def _window(
    con: duckdb.DuckDBPyConnection, org: str, start: date, end: date
) -> dict[str, tuple[float, float]]:
    """The receiving hospital's own measures over [start, end): (numerator, denominator) each."""
    ind = indicator(GRADE4)
    window = Period(f"{start}..{end}", "window", start, end)
    con.execute(f"CREATE OR REPLACE TEMP VIEW discharge_facts AS {prepare.discharge_facts_sql(window)}")
    grade4, surgical, discharges = con.execute(
        f"SELECT {_agg_sql(ind.numerator)}, {_agg_sql(ind.denominator)}, count(*) FROM discharge_facts WHERE org_code = ?",
        [org],
    ).fetchone()
    county = con.execute("SELECT region_code FROM institutions WHERE org_code = ?", [org]).fetchone()
    out_county = con.execute(
        "SELECT count(*) FROM referrals r LEFT JOIN institutions i ON i.org_code = r.to_org "
        "WHERE r.from_org = ? AND r.direction = '上转' AND r.referral_date >= ? AND r.referral_date < ? "
        "AND (i.region_code IS NULL OR i.region_code <> ?)",
        [org, start, end, county[0] if county else None],
    ).fetchone()[0]
    months = (end.year - start.year) * 12 + end.month - start.month
    return dict(
        zip(
            MEASURES,
            (
                (float(grade4 or 0), float(surgical or 0)),
                (float(discharges), float(months)),
                (float(out_county), float(months)),
            ),
            strict=True,
        )
    )


def effect_rows(
    con: duckdb.DuckDBPyConnection, projects: list[dict], period: Period, months: int
) -> list[dict]:
    """Each receiving hospital's measures in the `months` before its project started and in the last `months`
    of the period (a window is left empty when it does not lie before the start / after it)."""
    out = []
    seen: set[tuple[str, str]] = set()
    if (
        projects
    ):  # the facts view joins a DRG reference; its DRG columns are unused here, so one year's will do
        con.execute(f"CREATE OR REPLACE TEMP TABLE drg_reference AS {prepare.drg_reference_sql(period)}")
    for p in projects:
        start = date.fromisoformat(p["started"])
        org = p["recipient_org"]
        if (p["project_name"], org) in seen:
            continue
        seen.add((p["project_name"], org))
        b0, b1 = _months_before(start, months), start
        a1 = period.end
        a0 = max(start, _months_before(a1, months))
        windows = {"before": (b0, b1), "after": (a0, a1)}
        got = {k: _window(con, org, *w) if w[0] < w[1] and _has_data(con, org, *w) else None
               for k, w in windows.items()}  # fmt: skip
        for measure in MEASURES:
            scale = 100.0 if "%" in measure else 1.0
            vals, parts = {}, {}
            for k, found in got.items():
                n, d = found[measure] if found else (None, None)
                vals[k] = n / d * scale if found and d else None
                parts[k] = f"{num(n)}/{num(d)}" if found else ""
            out.append({"project_name": p["project_name"], "recipient_org": org, "recipient_name": p["recipient_name"],
                        "started": p["started"], "window_months": months, "before_from": b0.isoformat(),
                        "before_to": b1.isoformat(), "after_from": a0.isoformat(), "after_to": a1.isoformat(),
                        "measure": measure, "before": vals["before"], "after": vals["after"],
                        "change": None if None in (vals["before"], vals["after"]) else vals["after"] - vals["before"],
                        "before_parts": parts["before"], "after_parts": parts["after"]})  # fmt: skip
    return out


def _has_data(con: duckdb.DuckDBPyConnection, org: str, start: date, end: date) -> bool:
    """Whether any discharge of the hospital lies in the window: a window before the data began has no value,
    not a value of 0."""
    return bool(con.execute(
        "SELECT count(*) FROM discharges WHERE org_code = ? AND discharge_time >= ? AND discharge_time < ?",
        [org, start, end]).fetchone()[0])  # fmt: skip


def alliance_rows(con: duckdb.DuckDBPyConnection, period: Period) -> list[dict[str, Any]]:
    """Each alliance's active members at the end of every year from its first member to the period, and at
    the period's end (as_of = the last day; a member counts from 加入日期 until 退出日期)."""
    names = org_names(con)
    groups = con.execute(
        f"SELECT group_name, group_type, any_value(lead_org), string_agg(DISTINCT specialty, '、'), min(join_date) "
        f"FROM memberships WHERE group_type IN ({', '.join('?' * len(ALLIANCE_TYPES))}) GROUP BY 1, 2 ORDER BY 1",
        list(ALLIANCE_TYPES),
    ).fetchall()
    out = []
    for name, kind, lead, specialty, first in groups:
        checkpoints = [
            date(y + 1, 1, 1) for y in range(first.year, period.end.year) if date(y + 1, 1, 1) <= period.end
        ]
        if period.end not in checkpoints:
            checkpoints.append(period.end)
        for as_of in checkpoints:
            members, outside = con.execute(  # active at the instant `as_of`, as the targets' stock counts
                "SELECT count(DISTINCT member), count(DISTINCT member) FILTER (WHERE member_code IS NULL) FROM memberships "
                "WHERE group_name = ? AND join_date < ? AND (leave_date IS NULL OR leave_date >= ?)",
                [name, as_of, as_of],
            ).fetchone()
            out.append({"group_name": name, "group_type": kind, "lead_org": lead, "lead_name": names.get(lead, ""),
                        "specialty": specialty or "", "as_of": (as_of - timedelta(days=1)).isoformat(),
                        "members": members, "outside_region": outside})  # fmt: skip
    return out


def print_page(
    projects: list[dict], effects: list[dict], alliances: list[dict], period: str, console: Console
) -> None:
    show(console, f"帮扶项目与受援单位 projects and receiving institutions · {period}",
         ["项目 project", "受援单位 recipient", "起始 start", *SUM_ZH, "首次开展 firsts"],
         [[f"{p['project_name']}（{p['project_type']}）", p["recipient_name"] or p["recipient_org"], p["started"],
           *(num(p[c]) for c in SUMS), p["firsts"] or "—"] for p in projects])  # fmt: skip
    show(console, f"受援单位合计 per receiving institution · {period}",
         ["受援单位 recipient", "项目数 projects", *SUM_ZH, "首次开展 firsts"],
         [[r["recipient_name"] or r["recipient_org"], num(r["projects"]), *(num(r[c]) for c in SUMS),
           r["firsts"] or "—"] for r in recipient_rows(projects)])  # fmt: skip
    show(console, "受援单位项目前后对比 the receiving hospital before and after the project started",
         ["项目 project", "受援单位 recipient", "指标 measure", "项目前 before", "项目后 after", "变化 change"],
         [[e["project_name"], e["recipient_name"], e["measure"],
           f"{num(e['before'], 2)}（{e['before_from']}–{e['before_to']}）" if e["before"] is not None else "无数据 no data",
           f"{num(e['after'], 2)}（{e['after_from']}–{e['after_to']}）" if e["after"] is not None else "无数据 no data",
           num(e["change"], 2)] for e in effects])  # fmt: skip
    by_group: dict[str, list[dict]] = {}
    for a in alliances:
        by_group.setdefault(a["group_name"], []).append(a)
    show(console, "联盟规模 alliance size over time（成员单位数 members at each date）",
         ["联盟 alliance", "牵头单位 lead", "规模 members (as of)"],
         [[g, rows[0]["lead_name"] or rows[0]["lead_org"], "  ".join(f"{r['as_of']}: {r['members']}" for r in rows)]
          for g, rows in by_group.items()])  # fmt: skip


def assistance(
    period: PeriodOption,
    out: OutOption = None,
    months: Annotated[
        int, typer.Option(help="项目前后对比的窗口月数 / months of each before/after window")
    ] = 6,
) -> None:
    """对口帮扶、学科共建与专科联盟 / Assistance projects, their effect on the receiving hospital, alliance size."""
    from hqd.scoring.commands import check_out, console, fail, warehouse

    check_out(out)
    if months < 1:
        raise fail(f"--months 须为正整数：{months} / --months must be a positive number of months")
    with warehouse() as con:
        p = parse(period)
        projects = project_rows(con, p)
        effects = effect_rows(con, projects, p, months)
        alliances = alliance_rows(con, p)
    if not projects:
        console.print(f"{p.text} 没有帮扶台账记录 / no assistance ledger rows in {p.text}")
    print_page(projects, effects, alliances, p.text, console)
    write_out(console, out, [
        ("projects", PROJECTS, ([r[c] for c in PROJECTS] for r in projects)),
        ("recipients", RECIPIENTS, ([r[c] for c in RECIPIENTS] for r in recipient_rows(projects))),
        ("before_after", EFFECT, ([r[c] for c in EFFECT] for r in effects)),
        ("alliances", ALLIANCES, ([r[c] for c in ALLIANCES] for r in alliances)),
    ])  # fmt: skip
