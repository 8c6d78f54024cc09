"""The indicator catalog (catalog/indicators/*.yaml): loading it and refusing a broken entry by name.

An indicator is data: names, source, unit, direction and its numerator and denominator as SQL over a
population (a fact table the engine prepares) or as reported data elements. This module checks every
entry when the catalog loads, parses each SQL fragment with sqlglot, and fails naming the file and id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sqlglot

from hqd.catalog import CatalogError, catalog_dir, load_yaml
from hqd.ingest.elements import elements

UNITS = {"hours": 1.0, "%": 100.0, "‰": 1000.0, "ratio": 1.0, "count": 1.0, "yuan": 1.0, "days": 1.0, "minutes": 1.0,
         "score": 1.0, "level": 1.0, "per100": 100.0, "10k_yuan": 1.0, "per10k": 10000.0}  # fmt: skip
DIRECTIONS = {"higher", "lower", "monitor"}
POPULATIONS = {
    "discharges",
    "values",
    "ratings",
    "signals",
    "claims",
    "referrals",
    "reported",
    "centre_cases",
}
ORG_LEVELS = {"institution", "county", "city", "province", "community", "medical_group"}
ID = re.compile(r"^(gk3|gk2)\.\d{2}(\.[a-z0-9]+)*(\.tcm)?$|^drg\.[a-z_]+$|^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Part:
    """A numerator or a denominator: how to count or sum it, over which population."""

    population: str
    agg: str  # count | sum | count_distinct | median | quantile | elements | text_element | rating
    expr: str = "true"  # predicate (count) or value expression (sum, count_distinct)
    where: str = "true"
    elements: tuple[tuple[str, float], ...] = ()
    item: str | None = None
    q: float | None = None  # the quantile's probability (quantile only)

    @property
    def additive(self) -> bool:
        """Counts and sums add up from institutions to regions; distinct counts and medians do not."""
        return self.agg in {"count", "sum", "elements"}


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    programme: str
    dimension: str
    unit: str
    direction: str
    definition: str
    source: dict[str, Any]
    inputs: tuple[str, ...]
    numerator: Part | None
    denominator: Part | None
    national_monitoring: bool = False
    scale: float = 1.0
    growth_of: str | None = None
    ratio_of: tuple[str, str] | None = None  # value = value(a) / value(b), both catalog indicators
    levels: tuple[str, ...] = ()  # the organisation levels it is reported for (empty: every level)
    applies_to: dict[str, list[str]] = field(default_factory=dict)
    rollup: bool = True
    tag: str = ""
    file: str = ""
    status: str = "computed"  # computed | undefined (official formula not public)
    aliases: tuple[str, ...] = ()  # other names plans use for it (a target may name it so)
    reason: str = ""

    @property
    def qualitative(self) -> bool:
        return self.numerator is not None and self.numerator.agg in {"text_element", "rating"}


def _check_sql(fragment: str, where: str) -> None:
    try:
        sqlglot.parse_one(f"SELECT {fragment}", read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise CatalogError(f"{where}: SQL 无法解析 / SQL does not parse: {fragment!r}: {exc}") from None


def _part(raw: dict[str, Any] | None, where: str, element_codes: set[str]) -> Part | None:
    if raw is None:
        return None
    population = raw.get("from", "discharges")
    if population not in POPULATIONS:
        raise CatalogError(f"{where}: 未知总体 {population} / unknown population {population}")
    if "elements" in raw:
        coefs = raw["elements"]
        if isinstance(coefs, list):
            coefs = {c: 1 for c in coefs}
        unknown = sorted(set(coefs) - element_codes)
        if unknown:
            raise CatalogError(f"{where}: 数据项不存在 {unknown} / unknown data elements {unknown}")
        return Part("values", "elements", elements=tuple((k, float(v)) for k, v in coefs.items()))
    if "text_element" in raw:
        if raw["text_element"] not in element_codes:
            raise CatalogError(f"{where}: 数据项不存在 / unknown data element {raw['text_element']}")
        return Part("values", "text_element", item=raw["text_element"])
    if "rating" in raw:
        return Part("ratings", "rating", item=raw["rating"])
    for agg, key in (
        ("count", "count_where"),
        ("sum", "sum"),
        ("count_distinct", "count_distinct"),
        ("median", "median"),
        ("quantile", "quantile"),
    ):
        if key in raw:
            fill = switches()  # rules left open by the official texts, filled in from catalog/switches.yaml
            q = raw.get("q") if agg == "quantile" else None
            if agg == "quantile" and not (isinstance(q, (int, float)) and 0 < q < 1):
                raise CatalogError(
                    f"{where}: quantile 需要 0 与 1 之间的 q / a quantile needs q between 0 and 1"
                )
            part = Part(
                population,
                agg,
                expr=str(raw[key]).format(**fill),
                where=str(raw.get("where", "true")).format(**fill),
                q=float(q) if q is not None else None,
            )
            _check_sql(part.expr, where)
            _check_sql(part.where, where)
            return part
    raise CatalogError(
        f"{where}: 分子/分母格式错误 / a part needs count_where, sum, count_distinct or elements"
    )


def _indicator(
    raw: dict[str, Any], defaults: dict[str, Any], file: str, element_codes: set[str]
) -> Indicator:
    ident = raw.get("id", "?")
    where = f"{file} {ident}"
    if not ID.match(str(ident)):
        raise CatalogError(f"{where}: 编号格式错误 / malformed indicator id")
    merged = {**defaults, **raw}
    for key in ("name_zh", "name_en", "unit", "direction", "definition"):
        if key not in merged:
            raise CatalogError(f"{where}: 缺少 {key} / missing {key}")
    if merged["unit"] not in UNITS:
        raise CatalogError(f"{where}: 未知单位 {merged['unit']} / unknown unit")
    if merged["direction"] not in DIRECTIONS:
        raise CatalogError(f"{where}: 未知方向 {merged['direction']} / unknown direction")
    status = merged.get("status", "computed")
    numerator = _part(merged.get("numerator"), f"{where} numerator", element_codes)
    denominator = _part(merged.get("denominator"), f"{where} denominator", element_codes)
    if (
        status == "computed"
        and numerator is None
        and not merged.get("growth_of")
        and not merged.get("ratio_of")
    ):
        raise CatalogError(f"{where}: 缺少分子 / missing numerator")
    return Indicator(
        id=ident, name_zh=merged["name_zh"], name_en=merged["name_en"], programme=merged.get("programme", ""),
        dimension=merged.get("dimension", ""), unit=merged["unit"], direction=merged["direction"],
        definition=merged["definition"], source=dict(merged.get("source", {})),
        inputs=tuple(merged.get("inputs", [])), numerator=numerator, denominator=denominator,
        national_monitoring=bool(merged.get("national_monitoring", False)),
        scale=float(merged.get("scale", UNITS[merged["unit"]] if denominator or merged.get("growth_of") else 1.0)),
        growth_of=merged.get("growth_of"),
        ratio_of=tuple(merged["ratio_of"]) if merged.get("ratio_of") else None,
        levels=_levels(merged.get("levels", []), where),
        applies_to=dict(merged.get("applies_to", {})),
        rollup=bool(merged.get("rollup", True)), tag=str(merged.get("tag", "")), file=file, status=status,
        reason=str(merged.get("reason", "")),
        aliases=tuple(str(a) for a in merged.get("aliases", [])),
    )  # fmt: skip


def _levels(raw: list[str], where: str) -> tuple[str, ...]:
    unknown = sorted(set(raw) - ORG_LEVELS)
    if unknown:
        raise CatalogError(f"{where}: 未知机构层级 {unknown} / unknown organisation levels {unknown}")
    return tuple(raw)


@lru_cache(maxsize=1)
def indicators() -> tuple[Indicator, ...]:
    """Every indicator of every catalog file, in file order; ids are unique."""
    element_codes = {e.code for e in elements()}
    out: list[Indicator] = []
    for path in sorted((catalog_dir() / "indicators").glob("*.yaml")):
        relative = f"indicators/{path.name}"
        raw = load_yaml(relative) or {}
        defaults = {k: v for k, v in raw.items() if k != "indicators"}
        for entry in raw.get("indicators", []):
            out.append(_indicator(entry, defaults, relative, element_codes))
    seen: set[str] = set()
    for ind in out:
        if ind.id in seen:
            raise CatalogError(f"{ind.file} {ind.id}: 编号重复 / duplicate indicator id")
        seen.add(ind.id)
    ids = {i.id for i in out}
    for ind in out:
        if ind.growth_of and ind.growth_of not in ids:
            raise CatalogError(
                f"{ind.file} {ind.id}: growth_of 指向不存在的指标 / unknown base {ind.growth_of}"
            )
        for base in ind.ratio_of or ():
            if base not in ids:
                raise CatalogError(f"{ind.file} {ind.id}: ratio_of 指向不存在的指标 / unknown base {base}")
    return tuple(out)


def indicator(ident: str) -> Indicator:
    for ind in indicators():
        if ind.id == ident:
            return ind
    raise CatalogError(f"未知指标 {ident} / unknown indicator {ident}")


def switches() -> dict[str, Any]:
    """Catalog switches for rules the official text leaves open ([?] in national-assessment.md)."""
    raw = load_yaml("switches.yaml") or {}
    return {name: entry["value"] for name, entry in raw.items()}
