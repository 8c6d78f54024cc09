"""A monitoring-set page (county communities, urban groups): for one unit the indicators its spec lists, each
with its stored value, its threshold (local or national) and a status, and the verification mark shown on every row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from hqd.catalog import CatalogError, load_yaml
from hqd.indicators.catalog import indicator
from hqd.indicators.periods import Period
from hqd.programmes.pages import Stored, require_computed, stored_values
from hqd.programmes.thresholds import judge, threshold

NOT_HERE = Stored(None, None, None, None, "missing", "该层级不计算 / not computed at this level")

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


def page_values(
    con: duckdb.DuckDBPyConnection, period: Period, ids: Sequence[str]
) -> dict[tuple[str, str, str], Stored]:
    """Every stored value of a page's indicators for the period, read once for all its units; a period
    `hqd compute` has not run for is refused."""
    values = stored_values(con, list(dict.fromkeys(ids)), period.text)
    require_computed(values, period.text, "")
    return values


def indicator_rows(
    con: duckdb.DuckDBPyConnection, values: dict[tuple[str, str, str], Stored], unit: tuple[str, str, str],
    period: Period, ids: list[str], thresholds: dict, subjects: list[str], set_name: str, dimension: str,
    within: Sequence[tuple[str, str]] = (),
) -> list[Row]:  # fmt: skip
    """One row per indicator for the unit (values from `page_values`); `within` names sub-units (a county's
    communities) whose values of the same indicator are shown beside it."""
    code, level, name = unit
    out = []
    for ident in ids:
        ind = indicator(ident)
        v = values.get((ident, code, level), NOT_HERE)
        limit = threshold(con, ind, subjects, period.year, thresholds.get(ident))
        verdict = judge(v.value if v.status == "ok" else None, limit)
        verification = f"{ind.tag}；阈值 {limit.verification}" if limit else ind.tag
        beside = [(sub, values.get((ident, sub, sub_level))) for sub, sub_level in within]
        out.append(Row(code, name, set_name, dimension, ident, ind.name_zh, v.value if v.value is not None else v.text,
                       ind.unit, v.numerator, v.denominator, limit.text if limit else "",
                       limit.source if limit else "", verdict, verification, v.reason or "",
                       "；".join(f"{sub}: {s.value:,.2f}" for sub, s in beside if s is not None and s.value is not None)))  # fmt: skip
    return out
