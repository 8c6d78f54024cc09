"""Scoring a period from the warehouse: stored indicator values, peer groups and loaded reference distributions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from hqd.indicators.periods import parse
from hqd.scoring.methods import Distribution, distribution
from hqd.scoring.schemes import Scheme
from hqd.scoring.score import MISSING, NA, OK, Group, Obs, Scored, score_group


class ScoringError(ValueError):
    """A user-facing problem (nothing computed, unknown institution): one sentence, Chinese and English."""


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    level: str
    category: str
    peer_group: str | None


@dataclass
class PeriodScores:
    scheme: Scheme
    period: str
    mode: str  # region | national
    institutions: dict[str, Institution]
    groups: dict[str, Group] = field(default_factory=dict)
    scored: dict[str, Scored] = field(default_factory=dict)
    unscored: dict[str, str] = field(default_factory=dict)  # org -> reason

    def ordered(self) -> list[Scored]:
        """Peer group by peer group (scheme order), best first."""
        order = {g.id: i for i, g in enumerate(self.scheme.peer_groups)}
        return sorted(
            self.scored.values(), key=lambda s: (order[s.peer_group], -round(s.total, 6), s.org_code)
        )


def _obs(row: tuple) -> Obs:
    value, status, denominator, reason = row
    if status == "ok":
        return Obs(float(value), OK)
    if denominator is not None and float(denominator) == 0:
        return Obs(None, NA, reason or "")
    return Obs(None, MISSING, reason or "")


def reference_distributions(
    con: duckdb.DuckDBPyConnection, scheme: Scheme, group: str, period: str
) -> tuple[dict[str, Distribution], Distribution | None]:
    """Per-indicator and total-score distributions reported by the group's reference organisation."""
    org = scheme.reference.orgs.get(group)
    if org is None:
        return {}, None
    rows = con.execute(
        "SELECT element, value FROM reported_values WHERE org_code = ? AND period = ? AND element LIKE 'ref.%' "
        "AND value IS NOT NULL",
        [org, period],
    ).fetchall()
    points: dict[str, dict[int, float]] = {}
    for element, value in rows:
        m = re.fullmatch(r"ref\.(.+)\.p(\d{1,3})", element)
        if m:
            points.setdefault(m[1], {})[int(m[2])] = float(value)
    dists = {p.id: d for p in scheme.parts if (d := distribution(points.get(p.id, {}))) is not None}
    return dists, distribution(points.get(f"{scheme.id}.total", {}))


def institutions(con: duckdb.DuckDBPyConnection, scheme: Scheme) -> dict[str, Institution]:
    levels = list(scheme.levels)
    rows = con.execute(
        f"SELECT org_code, name, level, category FROM institutions WHERE level IN ({', '.join('?' * len(levels))}) "
        "ORDER BY org_code",
        levels,
    ).fetchall()
    return {
        r[0]: Institution(r[0], r[1], r[2], r[3], g.id if (g := scheme.peer_group(r[3])) else None)
        for r in rows
    }


def score_period(
    con: duckdb.DuckDBPyConnection, scheme: Scheme, period: str, mode: str | None = None
) -> PeriodScores:
    """Score every institution a scheme applies to for one computed period."""
    period = parse(period).text
    mode = mode or scheme.reference.default
    if not con.execute("SELECT count(*) FROM indicator_values WHERE period = ?", [period]).fetchone()[0]:
        raise ScoringError(
            f"{period} 没有已计算的指标值，请先运行 hqd compute --period {period} / "
            f"nothing computed for {period}; run hqd compute --period {period} first"
        )
    insts = institutions(con, scheme)
    ids = [p.id for p in scheme.parts]
    rows = con.execute(
        f"SELECT org_code, indicator_id, value, status, denominator, reason FROM indicator_values "
        f"WHERE period = ? AND org_level = 'institution' AND indicator_id IN ({', '.join('?' * len(ids))})",
        [period, *ids],
    ).fetchall()
    obs: dict[str, dict[str, Obs]] = {}
    for org, ident, *rest in rows:
        obs.setdefault(org, {})[ident] = _obs(tuple(rest))
    result = PeriodScores(scheme, period, mode, insts)
    members: dict[str, list[str]] = {}
    for code, inst in insts.items():
        if inst.peer_group is None:
            result.unscored[code] = (
                f"机构类别“{inst.category}”不属于任何同组 / category {inst.category} is in no peer group"
            )
        elif not any(o.status == OK for o in obs.get(code, {}).values()):
            result.unscored[code] = (
                f"{period} 无任何计分指标的值 / no value of any scored indicator in {period}"
            )
        else:
            members.setdefault(inst.peer_group, []).append(code)
    for gid, codes in members.items():
        dists, total = reference_distributions(con, scheme, gid, period) if mode == "national" else ({}, None)
        group = Group(scheme, gid, codes, {c: obs.get(c, {}) for c in codes}, dists, total)
        result.groups[gid] = group
        result.scored.update(score_group(group))
    return result
