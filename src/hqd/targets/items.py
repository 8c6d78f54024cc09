"""What a target's 目标项 measures: an indicator, the assessment grade or rank, a rating, a registry count,
a derived region value or a data element (catalog/schemes/target_items.yaml says how, and in which order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from hqd.catalog import CatalogError, load_yaml
from hqd.indicators.catalog import indicators
from hqd.ingest.elements import element_lookup, elements
from hqd.ingest.headers import norm_header
from hqd.ingest.valuesets import valuesets

KINDS = ("indicator", "grade", "rank_percentile", "rating", "count", "derived", "element")


@dataclass(frozen=True)
class Measure:
    kind: str  # one of KINDS
    key: str  # indicator id, rating item, count or derived item, element code
    name_zh: str
    unit: str
    spec: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@lru_cache(maxsize=1)
def definitions() -> dict[str, Any]:
    raw = load_yaml("schemes/target_items.yaml") or {}
    if raw.get("kind") != "target_items":
        raise CatalogError("schemes/target_items.yaml: 缺少 kind: target_items / kind: target_items missing")
    for entry in raw.get("counts", []):
        if entry.get("table") not in ("memberships", "assistance") or not (
            "stock" in entry or "flow" in entry
        ):
            raise CatalogError(f"schemes/target_items.yaml {entry.get('item')}: 计数需 table 与 stock 或 flow / "
                               "a count needs a registry table and a stock or a flow")  # fmt: skip
    codes = {e.code for e in elements()}
    for entry in raw.get("derived", []):
        for key in ("numerator", "denominator"):
            if entry.get(key) not in codes:
                raise CatalogError(f"schemes/target_items.yaml {entry.get('item')}: 数据项不存在 {entry.get(key)} / "
                                   f"unknown data element {entry.get(key)}")  # fmt: skip
    return raw


def _names(entry: dict[str, Any]) -> set[str]:
    return {norm_header(x) for x in (entry["item"], *entry.get("aliases", []))}


def interval_level() -> float:
    return float((definitions().get("projection") or {}).get("interval", 0.9))


def resolve(item: str) -> Measure | None:
    """The measure a 目标项 names, or None when it names nothing hqd knows."""
    key = norm_header(item)
    by_id = {i.id: i for i in indicators()}
    if item.strip() in by_id:
        ind = by_id[item.strip()]
        return Measure("indicator", ind.id, ind.name_zh, ind.unit)
    raw = definitions()
    for kind, entry in (raw.get("assessment") or {}).items():
        if key in _names(entry):
            return Measure(kind, kind, entry["item"], "%" if kind == "rank_percentile" else "grade")
    forms = {norm_header(k): v for k, v in valuesets()["rating_item"].forms().items()}
    if key in forms:
        return Measure("rating", forms[key], forms[key], "level")
    for kind in ("counts", "derived"):
        for entry in raw.get(kind) or []:
            if key in _names(entry):
                return Measure(
                    kind.rstrip("s"), entry["item"], entry["item"], str(entry.get("unit", "")), entry
                )
    element = element_lookup().get(key)
    if element is not None:
        return Measure("element", element.code, element.name_zh, element.unit)
    named = [i for i in indicators() if key in {norm_header(n) for n in (i.name_zh, *i.aliases)}]
    if len(named) == 1:
        return Measure("indicator", named[0].id, named[0].name_zh, named[0].unit)
    return None
