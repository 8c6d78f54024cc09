"""A monitoring-set page (county communities, urban groups): for one unit the indicators its spec lists, each
with its stored value, its threshold (local or national) and a status, and the verification mark shown on every row."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hqd.catalog import CatalogError, load_yaml
from hqd.indicators.catalog import indicator
from hqd.indicators.periods import Period
from hqd.programmes.thresholds import judge, threshold

HEADER = ("单位代码 unit", "单位 name", "指标集 set", "维度 dimension", "编号 id", "指标 indicator", "值 value",
          "单位 unit", "分子 numerator", "分母 denominator", "阈值 threshold", "阈值依据 threshold source",
          "状态 status", "核实 verification", "说明 note", "医共体值 community values")  # fmt: skip


@dataclass
class Row:
    unit_code: str
    unit_name: str
    set_name: str
    dimension: str
    ident: str
    name: str
    value: float | str | None
    unit: str
    numerator: float | None
    denominator: float | None
    threshold: str
    source: str
    status: str
    verification: str
    note: str
    parts_of: str = ""  # the same indicator for the unit's communities, when it has them

    def cells(self) -> tuple:
        return (self.unit_code, self.unit_name, self.set_name, self.dimension, self.ident, self.name,
                self.value, self.unit, self.numerator, self.denominator, self.threshold, self.source,
                self.status, self.verification, self.note, self.parts_of)  # fmt: skip


def spec(page: str) -> dict:
    raw = load_yaml("programmes/county.yaml") or {}
    if page not in raw:
        raise CatalogError(f"programmes/county.yaml: 缺少页面 {page} / no page {page}")
    return raw[page]


def stored(con: duckdb.DuckDBPyConnection, org: str, level: str, period: Period) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT indicator_id, numerator, denominator, value, value_text, status, reason FROM indicator_values "
        "WHERE org_code = ? AND org_level = ? AND period = ?",
        [org, level, period.text],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def require_computed(con: duckdb.DuckDBPyConnection, period: Period, ids: list[str]) -> None:
    n = con.execute(
        f"SELECT count(*) FROM indicator_values WHERE period = ? AND indicator_id IN ({', '.join('?' * len(ids))})",
        [period.text, *ids],
    ).fetchone()[0]
    if not n:
        raise LookupError(f"{period.text} 尚未计算这些指标，请先运行 hqd compute --period {period.text} / "
                          f"nothing computed for {period.text}; run hqd compute --period {period.text} first")  # fmt: skip


def indicator_rows(
    con: duckdb.DuckDBPyConnection, unit: tuple[str, str, str], period: Period, ids: list[str],
    thresholds: dict, subjects: list[str], set_name: str, dimension: str, within: list[tuple[str, str]] = (),
) -> list[Row]:  # fmt: skip
    """One row per indicator for the unit; `within` names sub-units (a county's communities) whose values of
    the same indicator are shown beside it."""
    code, level, name = unit
    values = stored(con, code, level, period)
    inner = [(sub, stored(con, sub, sub_level, period)) for sub, sub_level in within]
    out = []
    for ident in ids:
        ind = indicator(ident)
        num, den, value, text, status, reason = values.get(
            ident, (None,) * 5 + ("该层级不计算 / not computed at this level",)
        )
        limit = threshold(con, ind, subjects, period.year, thresholds.get(ident))
        verdict = judge(value if status == "ok" else None, limit)
        verification = f"{ind.tag}；阈值 {limit.verification}" if limit else ind.tag
        out.append(Row(code, name, set_name, dimension, ident, ind.name_zh, value if value is not None else text,
                       ind.unit, num, den, limit.text if limit else "", limit.source if limit else "", verdict,
                       verification,
                       reason or "",
                       "；".join(f"{sub}: {v[ident][2]:,.2f}" for sub, v in inner
                                if ident in v and v[ident][2] is not None)))  # fmt: skip
    return out
