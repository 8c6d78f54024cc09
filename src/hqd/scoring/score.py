"""Points per indicator and total per institution of one peer group: plain data in, plain data out.

An entry's share of the scale is scale × weight / (sum of the weights of the entries that apply to the
institution); a group's share is split equally among its parts that apply. An indicator with no eligible
cases (denominator 0) does not apply; any other missing value earns 0 points; an indicator none of the
peers has a value for is left out for the whole group.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from hqd.scoring.grade import Standing, standings
from hqd.scoring.methods import Distribution, region_scores
from hqd.scoring.schemes import Part, Scheme

OK, NA, MISSING, LEFT_OUT = "ok", "na", "missing", "left_out"


@dataclass(frozen=True)
class Obs:
    """An institution's stored value of an indicator: ok, na (no eligible cases) or missing."""

    value: float | None
    status: str
    reason: str = ""


@dataclass
class Item:
    indicator_id: str
    entry: str
    value: float | None
    status: str  # ok | na | missing | left_out
    method: str
    basis: str  # region | national | '' (not scored)
    score: float | None  # 0–100
    max_points: float
    points: float
    note: str = ""

    @property
    def lost(self) -> float:
        return self.max_points - self.points


@dataclass
class Scored:
    org_code: str
    peer_group: str
    total: float
    items: dict[str, Item]
    standing: Standing | None = None
    reference: str = ""


@dataclass
class Group:
    """The inputs of one peer group's scoring, kept so a gap can re-score with one value changed."""

    scheme: Scheme
    id: str
    members: list[str]
    obs: dict[str, dict[str, Obs]]
    dists: dict[str, Distribution] = field(default_factory=dict)
    total_dist: Distribution | None = None


def part_scores(part: Part, group: Group) -> dict[str, float]:
    """Scores 0–100 of the members that have a value: against the national distribution when one is loaded."""
    have = [m for m in group.members if group.obs[m].get(part.id, Obs(None, MISSING)).status == OK]
    values = np.array([group.obs[m][part.id].value for m in have], dtype=float)
    dist = group.dists.get(part.id)
    if dist is not None and part.method != "standard":
        return {m: dist.score(v, part.direction) for m, v in zip(have, values, strict=True)}
    if not have:
        return {}
    s = region_scores(values, part.method, part.direction, part.standard, part.range)
    return dict(zip(have, s.tolist(), strict=True))


def _shares(scheme: Scheme, status: Mapping[str, str]) -> dict[str, float]:
    """Maximum points of each part for one institution, given each part's status."""
    applicable = {e.key: [p for p in e.parts if status[p.id] in (OK, MISSING)] for e in scheme.entries}
    weight = sum(e.weight for e in scheme.entries if applicable[e.key])
    out = {p.id: 0.0 for p in scheme.parts}
    for e in scheme.entries:
        for p in applicable[e.key]:
            out[p.id] = scheme.scale * e.weight / weight / len(applicable[e.key])
    return out


def score_group(group: Group) -> dict[str, Scored]:
    """Every member's items and total, then ranks and grades within the group."""
    scheme = group.scheme
    scores = {p.id: part_scores(p, group) for p in scheme.parts}
    present = {p.id: bool(scores[p.id]) for p in scheme.parts}
    out: dict[str, Scored] = {}
    for m in group.members:
        status = {}
        for p in scheme.parts:
            o = group.obs[m].get(p.id, Obs(None, MISSING, "未计算 / not computed"))
            status[p.id] = o.status if present[p.id] else LEFT_OUT
        shares = _shares(scheme, status)
        items = {}
        for e in scheme.entries:
            for p in e.parts:
                o = group.obs[m].get(p.id, Obs(None, MISSING, "未计算 / not computed"))
                basis = "national" if p.id in group.dists and p.method != "standard" else "region"
                s = scores[p.id].get(m)
                note = {
                    NA: "无适用病例，不计分 / no eligible cases: not scored",
                    MISSING: f"缺失计0分 / missing scores 0: {o.reason}",
                    LEFT_OUT: "同组均无数据，不计分 / no peer has a value: left out",
                }.get(status[p.id], "")
                items[p.id] = Item(p.id, e.key, o.value, status[p.id], p.method,
                                   basis if status[p.id] in (OK, MISSING) else "", s,
                                   shares[p.id], shares[p.id] * (s or 0.0) / 100.0, note)  # fmt: skip
        out[m] = Scored(m, group.id, sum(i.points for i in items.values()), items)
    for m, st in standings(scheme, {m: s.total for m, s in out.items()}, group.total_dist).items():
        out[m].standing = st
        out[m].reference = _reference_text(out[m], len(group.members))
    return out


def _reference_text(s: Scored, n: int) -> str:
    scored = [i for i in s.items.values() if i.basis]
    national = sum(1 for i in scored if i.basis == "national")
    region = f"本地区同组 {n} 家 / the region's {n} peer(s)"
    if not national:
        return f"region: {region}"
    grade = "全国总分分布 / national totals" if s.standing and s.standing.basis == "national" else region
    return (f"national: {national}/{len(scored)} 项指标按全国分布 / indicators against the national "
            f"distribution, 其余 the rest: {region}; 等级 grade: {grade}")  # fmt: skip
