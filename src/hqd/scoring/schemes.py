"""Scoring schemes (catalog/schemes/*.yaml) loaded and checked, so a broken entry fails naming file and entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from hqd.catalog import CatalogError, catalog_dir
from hqd.indicators.catalog import indicators

METHODS = {"percentile_rank", "median_distance", "standard"}
MODES = {"region", "national"}


@dataclass(frozen=True)
class Part:
    """One scored indicator: how its value becomes 0–100."""

    id: str
    direction: str  # higher | lower | monitor (from the indicator catalog)
    method: str
    standard: float | None = None
    range: tuple[float, float] | None = None


@dataclass(frozen=True)
class Entry:
    """An official indicator (one part) or a group of parts sharing one weight (e.g. 单病种 gk3.10)."""

    key: str
    name_zh: str
    weight: float
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class PeerGroup:
    id: str
    name_zh: str
    name_en: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Grade:
    label: str
    max_percentile: float
    basis: str


@dataclass(frozen=True)
class Reference:
    default: str
    orgs: dict[str, str]
    percentiles: tuple[int, ...]
    total_percentiles: tuple[int, ...]


@dataclass(frozen=True)
class Scheme:
    id: str
    name_zh: str
    name_en: str
    file: str
    levels: tuple[str, ...]
    scale: float
    entries: tuple[Entry, ...]
    peer_groups: tuple[PeerGroup, ...]
    grades: tuple[Grade, ...]
    min_peers: int
    reference: Reference
    methods: dict[str, str] = field(default_factory=dict)

    @property
    def parts(self) -> tuple[Part, ...]:
        return tuple(p for e in self.entries for p in e.parts)

    def peer_group(self, category: str) -> PeerGroup | None:
        return next((g for g in self.peer_groups if category in g.categories), None)

    def grade_for(self, percentile: float) -> str:
        """The grade of a rank percentile (0–100, smaller is better)."""
        for g in self.grades:
            if percentile <= g.max_percentile + 1e-9:
                return g.label
        return self.grades[-1].label

    def grade_index(self, label: str) -> int:
        return [g.label for g in self.grades].index(label)

    def cut(self, label: str) -> float:
        return self.grades[self.grade_index(label)].max_percentile


def _fail(where: str, zh: str, en: str) -> CatalogError:
    return CatalogError(f"{where}: {zh} / {en}")


def _part(
    raw: Any, where: str, methods: dict[str, str], known: dict[str, Any], levels: tuple[str, ...]
) -> Part:
    spec = {"id": raw} if isinstance(raw, str) else dict(raw)
    ident = str(spec.get("id", "?"))
    where = f"{where} {ident}"
    ind = known.get(ident)
    if ind is None:
        raise _fail(where, "指标目录中没有该指标", "the indicator catalog has no such indicator")
    if ind.status != "computed":
        raise _fail(
            where, "该指标的官方算法未公开，不能计分", "the indicator is undefined and cannot be scored"
        )
    allowed = ind.applies_to.get("level")
    if allowed and not set(levels) <= set(allowed):
        raise _fail(where, f"该指标只适用于 {allowed}", f"the indicator applies to {allowed} only")
    method = spec.get("method", methods[ind.direction])
    if method not in METHODS:
        raise _fail(where, f"未知计分方法 {method}", f"unknown method {method}")
    standard = spec.get("standard")
    rng = spec.get("range")
    if method == "standard":
        if ind.direction == "monitor" and (not isinstance(rng, list) or len(rng) != 2):
            raise _fail(where, "监测比较指标的达标计分需要 range: [下限, 上限]", "standard scoring of a monitor indicator needs range: [lo, hi]")  # fmt: skip
        if ind.direction != "monitor" and not isinstance(standard, int | float):
            raise _fail(where, "达标计分需要数值 standard", "standard scoring needs a numeric standard")
    return Part(ident, ind.direction, method, float(standard) if standard is not None else None,
                (float(rng[0]), float(rng[1])) if rng else None)  # fmt: skip


def _entries(
    raw: dict[str, Any], where: str, methods: dict[str, str], levels: tuple[str, ...]
) -> tuple[Entry, ...]:
    known = {i.id: i for i in indicators()}
    out: list[Entry] = []
    for entry in raw.get("indicators") or []:
        weight = entry.get("weight")
        key = entry.get("group") or entry.get("id")
        if not isinstance(weight, int | float) or weight <= 0:
            raise _fail(f"{where} {key}", "权重须为正数", "weight must be a positive number")
        if "group" in entry:
            parts = tuple(_part(p, where, methods, known, levels) for p in entry.get("parts") or [])
            if not parts:
                raise _fail(f"{where} {key}", "分组没有 parts", "a group needs parts")
            name = str(entry.get("name_zh", key))
        else:
            parts = (_part(entry, where, methods, known, levels),)
            name = known[parts[0].id].name_zh
        out.append(Entry(str(key), name, float(weight), parts))
    ids = [p.id for e in out for p in e.parts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise _fail(where, f"指标重复 {dupes}", f"indicators listed twice: {dupes}")
    if not out:
        raise _fail(where, "没有计分指标", "the scheme scores no indicator")
    return tuple(out)


def _grades(raw: dict[str, Any], where: str) -> tuple[tuple[Grade, ...], int]:
    grading = raw.get("grading") or {}
    grades = tuple(Grade(str(g["grade"]), float(g["max_percentile"]), str(g.get("basis", "")))
                   for g in grading.get("grades") or [])  # fmt: skip
    cuts = [g.max_percentile for g in grades]
    if not grades or cuts != sorted(set(cuts)) or cuts[-1] != 100:
        raise _fail(f"{where} grading", "等级分界须严格递增且最后一级为100", "grade cut points must increase strictly and end at 100")  # fmt: skip
    min_peers = grading.get("min_peers", 1)
    if not isinstance(min_peers, int) or min_peers < 1:
        raise _fail(f"{where} grading.min_peers", "须为正整数", "must be a positive integer")
    return grades, min_peers


def _reference(raw: dict[str, Any], where: str, groups: tuple[PeerGroup, ...]) -> Reference:
    ref = raw.get("reference") or {}
    default = ref.get("default", "region")
    if default not in MODES:
        raise _fail(f"{where} reference.default", f"须为 {sorted(MODES)}", f"must be one of {sorted(MODES)}")
    orgs = {str(k): str(v) for k, v in (ref.get("orgs") or {}).items()}
    unknown = sorted(set(orgs) - {g.id for g in groups})
    if unknown:
        raise _fail(f"{where} reference.orgs", f"未知同组 {unknown}", f"unknown peer groups {unknown}")
    bad = sorted(v for v in orgs.values() if not re.fullmatch(r"[0-9]{6}", v))
    if bad:
        raise _fail(f"{where} reference.orgs", f"参考机构须为6位区划代码 {bad}", f"reference codes must be 6-digit region codes {bad}")  # fmt: skip
    pcts = tuple(int(p) for p in ref.get("percentiles") or [])
    totals = tuple(int(p) for p in ref.get("total_percentiles") or [])
    if any(not 0 <= p <= 100 for p in pcts + totals):
        raise _fail(f"{where} reference", "百分位须在0–100之间", "percentiles must lie in 0–100")
    return Reference(default, orgs, pcts, totals)


def parse_scheme(raw: Any, file: str) -> Scheme:
    """A scheme from its parsed YAML; `file` names it in every error."""
    if not isinstance(raw, dict) or raw.get("kind") != "scoring":
        raise _fail(
            file, "不是评分方案（缺少 kind: scoring）", "not a scoring scheme (kind: scoring missing)"
        )
    for key in ("id", "name_zh", "name_en", "scale", "applies_to", "peer_groups", "methods"):
        if key not in raw:
            raise _fail(file, f"缺少 {key}", f"missing {key}")
    methods = {d: str(raw["methods"].get(d, "")) for d in ("higher", "lower", "monitor")}
    bad = sorted(m for m in methods.values() if m not in METHODS)
    if bad:
        raise _fail(f"{file} methods", f"未知计分方法 {bad}", f"unknown methods {bad}")
    levels = tuple(raw["applies_to"].get("level") or [])
    groups = tuple(PeerGroup(str(g["id"]), str(g["name_zh"]), str(g.get("name_en", g["id"])),
                             tuple(g.get("categories") or [])) for g in raw["peer_groups"])  # fmt: skip
    cats = [c for g in groups for c in g.categories]
    if len(cats) != len(set(cats)):
        raise _fail(
            f"{file} peer_groups", "机构类别重复出现在多个同组", "a category is in more than one peer group"
        )
    grades, min_peers = _grades(raw, file)
    return Scheme(
        id=str(raw["id"]), name_zh=str(raw["name_zh"]), name_en=str(raw["name_en"]), file=file,
        levels=levels, scale=float(raw["scale"]), entries=_entries(raw, file, methods, levels),
        peer_groups=groups, grades=grades, min_peers=min_peers, reference=_reference(raw, file, groups),
        methods=methods,
    )  # fmt: skip


def _read(path: Path, file: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(file, f"不是有效的 YAML：{exc}", "not valid YAML") from None


def scheme_names() -> list[str]:
    """The schemes shipped in the catalog (files declaring kind: scoring)."""
    root = catalog_dir() / "schemes"
    return sorted(p.stem for p in root.glob("*.yaml") if (_read(p, p.name) or {}).get("kind") == "scoring")


@lru_cache(maxsize=16)
def load_scheme(name: str) -> Scheme:
    """A catalog scheme by id (gk3, gk2) or a scheme file of the user's own (path ending .yaml)."""
    if name.endswith((".yaml", ".yml")):
        path = Path(name)
        if not path.is_file():
            raise _fail(name, "评分方案文件不存在", "the scheme file does not exist")
        return parse_scheme(_read(path, name), name)
    path = catalog_dir() / "schemes" / f"{name}.yaml"
    if not path.is_file() or name not in scheme_names():
        raise _fail(name, f"没有这个评分方案，可用：{'、'.join(scheme_names())}",
                    f"no such scoring scheme; available: {', '.join(scheme_names())}")  # fmt: skip
    return parse_scheme(_read(path, f"schemes/{name}.yaml"), f"schemes/{name}.yaml")


def scheme_for_level(level: str) -> Scheme | None:
    """The catalog scheme that applies to institutions of a level (三级 → gk3)."""
    return next((s for s in (load_scheme(n) for n in scheme_names()) if level in s.levels), None)
