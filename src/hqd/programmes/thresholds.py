"""A programme indicator's threshold: the region's own plan when it loaded one, else the national default.

Local targets come from the targets kind (对象代码 = the county or group, 目标项 = the indicator's id, name or
alias). Of several, the one with the nearest deadline on or after the period counts, else the latest.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hqd.indicators.catalog import Indicator

OPS = {">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t, "=": lambda v, t: abs(v - t) < 1e-9}


@dataclass(frozen=True)
class Threshold:
    op: str
    value: float
    source: str
    verification: str
    local: bool

    @property
    def text(self) -> str:
        return f"{self.op} {self.value:g}"


def threshold(
    con: duckdb.DuckDBPyConnection, ind: Indicator, subjects: list[str], year: int, national: dict | None
) -> Threshold | None:
    names = [ind.id, ind.name_zh, *ind.aliases]
    rows = con.execute(
        f"SELECT comparator, target_number, deadline, coalesce(source, '') FROM targets "
        f"WHERE subject_code IN ({', '.join('?' * len(subjects))}) AND item IN ({', '.join('?' * len(names))}) "
        "AND comparator IN ('>=', '<=', '=') AND target_number IS NOT NULL",
        [*subjects, *names],
    ).fetchall() if subjects else []  # fmt: skip
    if rows:
        later = [r for r in rows if int(str(r[2])[:4]) >= year]
        op, value, deadline, source = (
            min(later, key=lambda r: str(r[2])) if later else max(rows, key=lambda r: str(r[2]))
        )
        return Threshold(op, float(value), f"本地目标（截止{deadline}）{source}", "本地方案 local plan", True)
    if national:
        return Threshold(str(national["op"]), float(national["value"]), str(national.get("source", "")),
                         str(national.get("verification", "")), False)  # fmt: skip
    return None


def judge(value: float | None, limit: Threshold | None) -> str:
    """达标 / 未达标 against a threshold; 监测 when there is none; 无数据 when the value is missing."""
    if value is None:
        return "无数据"
    if limit is None:
        return "监测"
    return "达标" if OPS[limit.op](value, limit.value) else "未达标"
