"""What a report says, gathered from the same functions as the pages, so a report and a page never differ.

An institution's assessment report: scorecard, score and grade, gap to the next grade, its targets.
A region's monitoring report: its key indicators, the institutions' ranking, targets, and the period's signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from hqd.indicators.periods import parse
from hqd.web import board, scorecard
from hqd.web.orgs import names, org
from hqd.web.scope import NotFound, Scope, scope_of, under
from hqd.web.users import User


@dataclass
class Report:
    title_zh: str
    title_en: str
    subject: str
    period: str
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) shown on top
    tables: list[tuple[str, list[str], list[list[Any]]]] = field(
        default_factory=list
    )  # (title, header, rows)
    bars: list[tuple[str, list[str], list[float]]] = field(default_factory=list)  # (title, labels, values)


def admin_scope(con: duckdb.DuckDBPyConnection) -> Scope:
    """The scope of the command line: whoever runs `hqd report` on the warehouse file sees all of it."""
    return scope_of(con, User("cli", "admin", None))


def _num(x: Any) -> Any:
    return round(x, 4) if isinstance(x, float) else x


def org_report(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, period: str) -> Report:
    sc = scorecard.scorecard(con, scope, code, period)
    o = sc["org"]
    if o["kind"] != "institution":
        raise NotFound(f"{code} 不是机构", f"{code} is not an institution; use --region")
    r = Report(f"{o['name']} 绩效考核报告", "Institution assessment report", f"{o['name']} {code}", period)
    s = sc["score"]
    if s:
        r.facts += [("评分方案 scheme", s["scheme"]), ("总分 total", _fmt(s["total"])), ("等级 grade", s["grade"] or "—"),
                    ("名次 rank", f"{s['rank'] or '—'}/{s['peers'] or '—'}"), ("比较对象 reference", s["reference"] or "")]  # fmt: skip
        gap = scorecard.gap_of(con, scope, code, period)
        if gap and gap["goal"]:
            r.facts.append(("距下一等级 gap", f"{gap['goal']}：还差 {_fmt(gap['points_needed'])} 分 points"))
            r.tables.append(("逐项改进 per indicator (one changed)", ["指标 indicator", "名称 name", "现值 now", "目标值 to", "得分 +points"],
                             [[g["indicator_id"], g["name_zh"], _num(g["value"]), _num(g["target_value"]), _num(g["points_gained"])]
                              for g in gap["steps"][:15]]))  # fmt: skip
        lost = [i for i in s["items"] if i["points_lost"] > 0][:12]
        r.bars.append(
            (
                "失分最多的指标 points lost",
                [i["indicator_id"] for i in lost],
                [i["points_lost"] for i in lost],
            )
        )
    else:
        r.facts.append(("评分 score", "该期尚未评分 not scored (hqd score)"))
    r.tables.append(("指标 indicators", ["指标 indicator", "名称 name", "值 value", "分子 num", "分母 den", "同级位次 rank", "同级中位数 P50"],
                     [[i["indicator_id"], i["name_zh"], i["value_text"] or _num(i["value"]), _num(i["numerator"]),
                       _num(i["denominator"]), f"{i['position']['rank']}/{i['position']['peers']}" if i["position"]["rank"] else "",
                       _num(i["position"]["p50"])] for i in sc["indicators"] if i["status"] == "ok"]))  # fmt: skip
    _targets(con, scope, r, {code})
    return r


def region_report(con: duckdb.DuckDBPyConnection, scope: Scope, code: str, period: str) -> Report:
    ov = board.overview(con, scope, code, period)
    reg = ov["region"]
    r = Report(
        f"{reg['name']} {period} 监测报告", "Region monitoring report", f"{reg['name']} {code}", period
    )
    r.facts += [("机构数 institutions", str(ov["institutions"])), ("待处理信号 open signals", str(ov["open_signals"])),
                ("有风险/未达标目标 targets at risk or missed", str(len(ov["targets_at_risk"])))]  # fmt: skip
    if not ov["key_indicators"]:
        r.facts.append(("指标 indicators", f"{period} 尚未计算 not computed (hqd compute --period {period})"))
    r.tables.append(("关键指标 key indicators", ["指标 indicator", "名称 name", "值 value", "分子 num", "分母 den"],
                     [[k["indicator_id"], k["name_zh"], _num(k["value"]), _num(k["numerator"]), _num(k["denominator"])]
                      for k in ov["key_indicators"]]))  # fmt: skip
    _, insts = under(con, code)
    nm = names(con)
    ranking = con.execute(
        "SELECT s.scheme, s.peer_group, s.rank, s.peers, s.org_code, s.total, s.grade FROM scores s "
        "JOIN score_runs r USING (run_id) WHERE s.period = ? AND r.reference = 'region' AND s.total IS NOT NULL "
        "AND list_contains(?, s.org_code) ORDER BY s.scheme, s.peer_group, s.rank",
        [_year(period), sorted(insts & scope.institutions)],
    ).fetchall()
    r.tables.append((f"排名 ranking ({_year(period)})", ["方案 scheme", "同组 group", "名次 rank", "机构 institution", "总分 total", "等级 grade"],
                     [[s, g, f"{k}/{n}", nm.get(o, o), _num(t), gr or "—"] for s, g, k, n, o, t, gr in ranking]))  # fmt: skip
    top = [x for x in ranking if x[0] == "gk3"][:12]
    if top:
        r.bars.append(("国考总分 gk3 total", [nm.get(x[4], x[4])[:10] for x in top], [x[5] for x in top]))
    _targets(con, scope, r, insts | {code})
    p = parse(period)
    regions, _ = under(con, code)
    sig = con.execute(
        "SELECT time_point, disease, region_code, rule_id, observed, threshold, status FROM ews_signals "
        "WHERE time_point >= ? AND time_point < ? AND list_contains(?, region_code) ORDER BY time_point, disease",
        [p.start, p.end, sorted(regions & scope.regions)],
    ).fetchall()
    r.tables.append((f"预警信号 signals ({len(sig)})", ["日期 date", "疾病 disease", "县区 county", "规则 rule", "观察 observed", "阈值 threshold", "状态 status"],
                     [[str(a), b, nm.get(c, c), d, _num(e), _num(f), g] for a, b, c, d, e, f, g in sig[:200]]))  # fmt: skip
    by_disease: dict[str, int] = {}
    for row in sig:
        by_disease[row[1]] = by_disease.get(row[1], 0) + 1
    if by_disease:
        r.bars.append(
            ("各病种信号数 signals by disease", list(by_disease), [float(v) for v in by_disease.values()])
        )
    return r


def _targets(con: duckdb.DuckDBPyConnection, scope: Scope, r: Report, subjects: set[str]) -> None:
    rows = [t for t in board.targets_board(con, scope) if t["subject_code"] in subjects]
    r.tables.append(("目标 targets", ["对象 subject", "目标项 item", "目标 target", "截止 deadline", "状态 status", "最新 latest", "说明 reason"],
                     [[t["subject_name"], t["item"], f"{t['comparator']} {t['target_value']}", t["deadline"], t["status"],
                       t["latest_text"] or "", t["reason_zh"]] for t in rows]))  # fmt: skip


def _year(period: str) -> str:
    return str(parse(period).year)


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def subject_exists(con: duckdb.DuckDBPyConnection, code: str) -> None:
    org(con, code)
