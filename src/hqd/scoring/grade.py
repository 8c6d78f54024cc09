"""Ranks, rank percentiles and grades of total scores within a peer group, or against a national distribution."""

from __future__ import annotations

from dataclasses import dataclass

from hqd.scoring.methods import Distribution
from hqd.scoring.schemes import Scheme

TOTAL_DECIMALS = 6  # totals equal to 6 decimals share a rank


def rank_totals(totals: dict[str, float]) -> dict[str, int]:
    """Rank 1 = the highest total; equal totals share the better rank (1, 2, 2, 4)."""
    rounded = {k: round(v, TOTAL_DECIMALS) for k, v in totals.items()}
    return {k: 1 + sum(1 for o in rounded.values() if o > v) for k, v in rounded.items()}


@dataclass
class Standing:
    rank: int
    peers: int
    rank_percentile: float | None  # 0–100, smaller is better
    grade: str | None
    basis: str  # region | national
    note: str = ""

    @property
    def graded(self) -> bool:
        return self.grade is not None


def national_percentile(total: float, dist: Distribution) -> float:
    """Share of the national peer group scoring above `total` (ties count in the hospital's favour)."""
    return 100.0 - dist.position(total)[1]


def standings(
    scheme: Scheme, totals: dict[str, float], total_dist: Distribution | None
) -> dict[str, Standing]:
    """The standing of every institution of one peer group."""
    ranks = rank_totals(totals)
    n = len(totals)
    out = {}
    for org, total in totals.items():
        if total_dist is not None:
            pct = national_percentile(total, total_dist)
            out[org] = Standing(ranks[org], n, pct, scheme.grade_for(pct), "national",
                                "按全国总分分布估计 / estimated against the national distribution of totals")  # fmt: skip
        elif n >= scheme.min_peers:
            pct = ranks[org] / n * 100.0
            out[org] = Standing(ranks[org], n, pct, scheme.grade_for(pct), "region")
        else:
            out[org] = Standing(
                ranks[org], n, ranks[org] / n * 100.0, None, "region",
                f"同组仅 {n} 家（少于 {scheme.min_peers} 家），不评等级 / only {n} peer(s) "
                f"(fewer than {scheme.min_peers}): no grade",
            )  # fmt: skip
    return out
