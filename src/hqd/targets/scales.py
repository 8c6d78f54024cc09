"""Ordered rating scales (catalog/scales.yaml), so 6级 ≥ 5级 and 五级乙等 > 四级甲等 compare by position."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hqd.catalog import CatalogError, load_yaml
from hqd.ingest.headers import norm_header


@dataclass(frozen=True)
class Scale:
    item: str
    name_en: str
    levels: tuple[tuple[int, str, tuple[str, ...]], ...]  # (ordinal, label, aliases), lowest first

    def ordinal(self, text: str) -> int | None:
        """The position of a level written as its label or an alias (spaces and full-width forms ignored)."""
        key = norm_header(text)
        for ordinal, label, aliases in self.levels:
            if key in {norm_header(x) for x in (label, *aliases)}:
                return ordinal
        return None

    def label(self, ordinal: float) -> str:
        for o, label, _ in self.levels:
            if o == ordinal:
                return label
        return f"{ordinal:g}"


@lru_cache(maxsize=1)
def scales() -> dict[str, Scale]:
    raw = load_yaml("scales.yaml") or {}
    out: dict[str, Scale] = {}
    for entry in raw.get("scales", []):
        item = str(entry.get("item", "?"))
        levels = tuple((int(lv["ordinal"]), str(lv["label"]), tuple(str(a) for a in lv.get("aliases", [])))
                       for lv in entry.get("levels", []))  # fmt: skip
        ordinals = [lv[0] for lv in levels]
        if not levels or ordinals != sorted(set(ordinals)):
            raise CatalogError(
                f"scales.yaml {item}: 等级须按序号严格递增 / levels must have strictly increasing ordinals"
            )
        if item in out:
            raise CatalogError(f"scales.yaml {item}: 评级项目重复 / item listed twice")
        out[item] = Scale(item, str(entry.get("name_en", item)), levels)
    return out
