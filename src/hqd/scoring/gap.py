"""What it takes to reach the next grade (or, ungraded, the next rank): points needed, and per indicator the
change in its own unit that earns them, found by re-scoring the peer group with that one value changed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from hqd.indicators.catalog import indicator
from hqd.scoring.grade import Standing
from hqd.scoring.period import PeriodScores, ScoringError
from hqd.scoring.schemes import Part
from hqd.scoring.score import MISSING, OK, Group, Obs, Scored, score_group

EPS = 1e-6


@dataclass
class Goal:
    label: str  # e.g. "A" or "第1名 rank 1"
    grade: str | None
    rank: int | None  # the rank to reach (region) or None (national grade)
    threshold: float  # the total to reach


@dataclass
class Step:
    indicator_id: str
    name_zh: str
    unit: str
    value: float | None
    target_value: float
    change: float | None
    relative_change: float | None  # |change| / |value|
    points_gained: float
    closes: bool
    note: str = ""


@dataclass
class Gap:
    org_code: str
    scored: Scored
    goal: Goal | None
    points_needed: float | None
    steps: list[Step] = field(default_factory=list)
    note: str = ""


def _others_desc(group: Group, scored: dict[str, Scored], org: str) -> list[float]:
    return sorted((scored[m].total for m in group.members if m != org), reverse=True)


def goal_for(ps: PeriodScores, org: str) -> Goal | None:
    """The next grade (national: the total at its cut point; region: the rank its cut point allows), or,
    for an ungraded institution, the next rank."""
    s = ps.scored[org]
    st, scheme, group = s.standing, ps.scheme, ps.groups[s.peer_group]
    assert st is not None
    if st.basis == "national" and group.total_dist is not None:
        g = scheme.grade_index(st.grade)
        if g == 0:
            return None
        nxt = scheme.grades[g - 1]
        return Goal(nxt.label, nxt.label, None, group.total_dist.value_at(100.0 - nxt.max_percentile))
    others = _others_desc(group, ps.scored, org)
    if st.graded:
        for nxt in reversed(scheme.grades[: scheme.grade_index(st.grade)]):
            r = math.floor(nxt.max_percentile * st.peers / 100.0 + 1e-9)
            if 1 <= r < st.rank:
                return Goal(nxt.label, nxt.label, r, others[r - 1])
        return None
    if st.rank == 1:
        return None
    return Goal(f"第{st.rank - 1}名 / rank {st.rank - 1}", None, st.rank - 1, others[st.rank - 2])


def _reaches(goal: Goal, st: Standing, scheme_grades: list[str]) -> bool:
    if goal.rank is not None:
        return st.rank <= goal.rank
    return st.grade is not None and scheme_grades.index(st.grade) <= scheme_grades.index(goal.grade)


def _candidates(part: Part, group: Group, org: str, me: Scored, needed: float) -> tuple[list[float], str]:
    """Values to try, nearest first, and a note."""
    o = group.obs[org].get(part.id, Obs(None, MISSING))
    item = me.items[part.id]
    others = np.array([group.obs[m][part.id].value for m in group.members
                       if m != org and group.obs[m].get(part.id, Obs(None, MISSING)).status == OK], dtype=float)  # fmt: skip
    dist = group.dists.get(part.id) if part.method != "standard" else None
    if item.status == MISSING:
        if dist is not None:
            return [
                dist.value_at(50.0)
            ], "报送数据（按全国中位数估算）/ report the data (at the national median)"
        if len(others):
            return [
                float(np.median(others))
            ], "报送数据（按同组中位数估算）/ report the data (at the peer median)"
        return [], ""
    if o.status != OK or item.score is None or item.max_points <= 0:
        return [], ""
    v = float(o.value)
    if part.method == "standard":
        if item.score >= 100:
            return [], ""
        if part.direction == "monitor":
            lo, hi = part.range
            return [lo if v < lo else hi], ""
        return [part.standard], ""
    if dist is not None:
        if item.score >= 100 - EPS:
            return [], ""
        side = v - dist.value_at(50.0)
        target = item.score + (needed + EPS) * 100.0 / item.max_points
        values = [dist.value_for_score(100.0, part.direction, side)]
        if target < 100.0:
            values.insert(0, dist.value_for_score(target, part.direction, side))
        return [max(0.0, x) for x in values], ""
    if part.direction == "higher":
        better = np.unique(others[others > v])
    elif part.direction == "lower":
        better = np.unique(others[others < v])
    else:
        m = float(np.median(np.append(others, v)))
        d = abs(v - m)
        sign = 1.0 if v >= m else -1.0
        better = np.unique([m + sign * x for x in np.abs(others - m) if x < d - EPS] + [m])
    return sorted(better.tolist(), key=lambda x: abs(x - v)), ""


def _rescore(group: Group, org: str, ident: str, value: float) -> dict[str, Scored]:
    obs = {m: dict(v) for m, v in group.obs.items()}
    obs[org][ident] = Obs(value, OK)
    return score_group(replace(group, obs=obs))


def _first_reaching(group: Group, org: str, me: Scored, part: Part, values: list[float], goal: Goal,
                    grades: list[str]) -> tuple[int, float, bool]:  # fmt: skip
    """The nearest value that reaches the goal (scores rise with the change: bisection), else the farthest;
    with the points it gains and whether it reaches the goal."""
    results: dict[int, tuple[float, bool]] = {}

    def trial(i: int) -> tuple[float, bool]:
        if i not in results:
            new = _rescore(group, org, part.id, values[i])[org]
            results[i] = (new.total - me.total, _reaches(goal, new.standing, grades))
        return results[i]

    chosen = len(values) - 1
    if trial(chosen)[1]:
        lo, hi = 0, chosen
        while lo < hi:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if trial(mid)[1] else (mid + 1, hi)
        chosen = lo
    return chosen, *trial(chosen)


def gap_for(ps: PeriodScores, org: str) -> Gap:
    if org not in ps.scored:
        zh, _, en = (
            ps.unscored.get(org) or "不是该方案评分的机构 / not an institution this scheme scores"
        ).partition(" / ")
        raise ScoringError(f"{org} 未评分：{zh} / {org} is not scored: {en}")
    me = ps.scored[org]
    goal = goal_for(ps, org)
    if goal is None:
        note = "已是同组可达到的最高等级或第1名 / already at the best grade (or rank) reachable in the peer group"
        return Gap(org, me, None, None, note=note)
    needed = max(0.0, goal.threshold - me.total)
    group = ps.groups[me.peer_group]
    grades = [g.label for g in ps.scheme.grades]
    steps = []
    for part in ps.scheme.parts:
        values, note = _candidates(part, group, org, me, needed)
        if not values:
            continue
        chosen, gained, closes = _first_reaching(group, org, me, part, values, goal, grades)
        if gained <= EPS and not closes:
            continue
        cur = me.items[part.id].value
        change = values[chosen] - cur if cur is not None else None
        rel = abs(change) / abs(cur) if change is not None and cur else None
        ind = indicator(part.id)
        steps.append(
            Step(part.id, ind.name_zh, ind.unit, cur, values[chosen], change, rel, gained, closes, note)
        )
    steps.sort(
        key=lambda s: (not s.closes, s.relative_change is None, s.relative_change or 0.0, -s.points_gained)
    )
    return Gap(org, me, goal, needed, steps)
