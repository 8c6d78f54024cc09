"""The data-element catalog (catalog/elements.yaml): what a `values` file may report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hqd.catalog import CatalogError, load_yaml

ELEMENT_TYPES = {"integer", "number", "percent", "text"}


@dataclass(frozen=True)
class Element:
    code: str
    name_zh: str
    name_en: str
    unit: str
    type: str
    level: str
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()
    aggregation: str | None = (
        None  # sum (a flow: months add up to the year) | last (a stock); default by unit
    )


@lru_cache(maxsize=1)
def elements() -> tuple[Element, ...]:
    raw = load_yaml("elements.yaml")["elements"]
    out = []
    seen: set[str] = set()
    for entry in raw:
        where = f"elements.yaml {entry.get('code')}"
        if entry.get("type") not in ELEMENT_TYPES:
            raise CatalogError(f"{where}: 未知类型 / unknown type {entry.get('type')}")
        if entry.get("aggregation") not in (None, "sum", "last"):
            raise CatalogError(f"{where}: aggregation 只能是 sum 或 last / aggregation must be sum or last")
        if entry["code"] in seen:
            raise CatalogError(f"{where}: 代码重复 / duplicate code")
        seen.add(entry["code"])
        out.append(Element(**{**entry, "aliases": tuple(entry.get("aliases", []))}))
    return tuple(out)


@lru_cache(maxsize=1)
def element_lookup() -> dict[str, Element]:
    """Normalised code, name or alias -> element (the same normalisation as headers)."""
    from hqd.ingest.headers import norm_header, strip_unit

    table: dict[str, Element] = {}
    for e in elements():
        for name in (e.code, e.name_zh, *e.aliases):
            key = norm_header(name)
            table.setdefault(key, e)
            table.setdefault(strip_unit(key), e)
    return table
