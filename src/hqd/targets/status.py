"""A target's status against its deadline — met, on track, at risk, missed or no data — and the reason, bilingual.

met: the latest value up to the deadline meets the target. missed: the deadline's own period is in and
does not meet it. Before that: on track when the linear trend projected to the deadline meets it, at risk
when it does not (or when a single period gives no trend). no data: nothing to judge, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from hqd.indicators.periods import Period, PeriodError, parse
from hqd.scoring.schemes import Scheme
from hqd.targets.items import Measure, interval_level
from hqd.targets.projection import Fit, midpoint, project
from hqd.targets.scales import scales
from hqd.targets.series import Point

STATUS = {
    "met": ("已达标", "met"),
    "on_track": ("按期可达", "on track"),
    "at_risk": ("有风险", "at risk"),
    "missed": ("未达标（已到期）", "missed"),
    "no_data": ("无数据", "no data"),
}
SENSE = {">=": "higher", "<=": "lower", "=": "equal"}


@dataclass(frozen=True)
class Target:
    subject_code: str
    item: str
    comparator: str
    target_value: str
    target_number: float | None
    deadline: str
    baseline: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Goal:
    sense: str  # higher | lower | equal
    threshold: float
    text: str


@dataclass
class Evaluation:
    target: Target
    status: str
    reason_zh: str
    reason_en: str
    goal: Goal | None = None
    latest: Point | None = None
    fit: Fit | None = None
    interval: tuple[float, float] | None = None
    p_meet: float | None = None
    periods_used: int = 0


def goal_of(t: Target, m: Measure, scheme: Scheme | None) -> Goal | tuple[str, str]:
    """What meeting the target means in the measure's numbers, or (zh, en) saying why it cannot be judged."""
    if t.comparator == "前%":
        if m.kind != "rank_percentile" or t.target_number is None:
            return "“前%”只适用于数值型的国考排名百分位", "前% applies to a numeric 国考排名百分位 only"
        return Goal("lower", t.target_number, f"前{t.target_value}%")
    sense = SENSE[t.comparator]
    if m.kind == "grade":
        label = t.target_value.strip().removesuffix("级").removesuffix("等")
        if scheme is None or label not in [g.label for g in scheme.grades]:
            return (
                f"等级“{t.target_value}”不在评分方案中",
                f"grade {t.target_value} is not a grade of the scoring scheme",
            )
        if sense != "higher":
            return "国考等级目标只支持“>=”", "a grade target supports >= only"
        cut = scheme.cut(label)
        return Goal("lower", cut, f"≥ {label}（排名百分位 ≤ {cut:g}% / rank percentile ≤ {cut:g}%）")
    if m.kind == "rating":
        scale = scales().get(m.key)
        ordinal = scale.ordinal(t.target_value) if scale else None
        if ordinal is None:
            return (f"“{t.target_value}”不是{m.key}的已知等级（catalog/scales.yaml）",
                    f"{t.target_value} is not a known level of {m.key} (catalog/scales.yaml)")  # fmt: skip
        return Goal(sense, float(ordinal), f"{t.comparator} {t.target_value}")
    if t.target_number is None:
        return f"目标值“{t.target_value}”不是数值", f"the target value {t.target_value} is not a number"
    return Goal(sense, t.target_number, f"{t.comparator} {t.target_value}")


def meets(v: float, g: Goal) -> bool:
    tol = 1e-9 * max(1.0, abs(g.threshold))
    if g.sense == "higher":
        return v >= g.threshold - tol
    if g.sense == "lower":
        return v <= g.threshold + tol
    return abs(v - g.threshold) <= tol


def _no_data(t: Target, zh: str, en: str) -> Evaluation:
    return Evaluation(t, "no_data", zh, en)


def evaluate(t: Target, m: Measure | None, points: list[Point], scheme: Scheme | None = None) -> Evaluation:
    if m is None:
        return _no_data(t, f"目标项“{t.item}”无法识别：不是指标、数据项、评级项目或已知计数",
                        f"the item {t.item} is not an indicator, data element, rating item or known count")  # fmt: skip
    goal = goal_of(t, m, scheme)
    if isinstance(goal, tuple):
        return _no_data(t, *goal)
    try:
        deadline = parse(t.deadline)
        baseline = parse(t.baseline) if t.baseline else None
    except PeriodError as exc:
        return _no_data(t, *str(exc).split(" / ", 1))
    upto = [p for p in points if p.period.end <= deadline.end]
    usable = [p for p in upto if p.value is not None]
    if not usable:
        note = next((p.note for p in reversed(upto) if p.note), "")
        if note:
            return _no_data(t, *note.split(" / ", 1))
        return _no_data(t, f"截止期 {t.deadline} 前没有值", f"no value up to the deadline {t.deadline}")
    latest = usable[-1]
    ev = Evaluation(t, "", "", "", goal, latest)
    trend = [p for p in usable if baseline is None or p.period.start >= baseline.start] or usable
    ev.periods_used = len(trend)
    reached = latest.period.end >= deadline.end
    if meets(latest.value, goal):
        ev.status = "met"
        ev.reason_zh, ev.reason_en = (
            f"{latest.period.text} 已达到 {goal.text}",
            f"{latest.period.text} meets {goal.text}",
        )
        if not reached:
            _project(ev, trend, deadline, goal)
        return ev
    if reached:
        ev.status = "missed"
        ev.reason_zh = f"截止期 {t.deadline} 未达到 {goal.text}"
        ev.reason_en = f"short of {goal.text} at the deadline {t.deadline}"
        return ev
    if not _project(ev, trend, deadline, goal):
        ev.status = "at_risk"
        ev.reason_zh = f"未达到 {goal.text}，仅一期数据，无法推算趋势"
        ev.reason_en = f"short of {goal.text}, with one period only: no trend to project"
        return ev
    fit = ev.fit
    ok = (
        meets(fit.value, goal)
        if goal.sense != "equal"
        else bool(ev.interval and ev.interval[0] <= goal.threshold <= ev.interval[1])
    )
    ev.status = "on_track" if ok else "at_risk"
    span = f"[{ev.interval[0]:,.2f}, {ev.interval[1]:,.2f}]" if ev.interval else "—"
    p = f"，达标概率约 {ev.p_meet:.0%}" if ev.p_meet is not None else ""
    p_en = f", probability of meeting it about {ev.p_meet:.0%}" if ev.p_meet is not None else ""
    verb_zh, verb_en = ("可达到", "meets") if ok else ("达不到", "falls short of")
    ev.reason_zh = (f"按 {fit.n} 期线性趋势（每年 {fit.slope:+,.2f}）{t.deadline} 预计 {fit.value:,.2f}"
                    f"（{interval_level():.0%}预测区间 {span}），{verb_zh} {goal.text}{p}")  # fmt: skip
    ev.reason_en = (f"the linear trend of {fit.n} periods ({fit.slope:+,.2f} a year) projects {fit.value:,.2f} at "
                    f"{t.deadline} ({interval_level():.0%} prediction interval {span}), which {verb_en} {goal.text}{p_en}")  # fmt: skip
    return ev


def _project(ev: Evaluation, trend: list[Point], deadline: Period, goal: Goal) -> bool:
    fit = project([midpoint(p.period) for p in trend], [p.value for p in trend], midpoint(deadline))
    if fit is None:
        return False
    ev.fit = fit
    ev.interval = fit.interval(interval_level())
    at_least = fit.p_at_least(goal.threshold)
    if at_least is not None and goal.sense != "equal":
        ev.p_meet = at_least if goal.sense == "higher" else 1.0 - at_least
    return True
