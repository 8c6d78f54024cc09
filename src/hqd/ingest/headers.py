"""Matching the headers users write to the canonical columns of a kind.

Matching ignores surrounding spaces, full-width forms (（）：), letter case and a trailing unit in brackets
(总费用(元) matches 总费用), as the contract asks; an exact match (unit included) wins over a match without
the unit, so 年龄不足1周岁的年龄(月) is told apart from 年龄不足1周岁的年龄(天).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from hqd.ingest.elements import Element, element_lookup
from hqd.ingest.spec import Field, KindSpec

_UNIT = re.compile(r"\([^()]*\)$")


def norm_header(text: object) -> str:
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = re.sub(r"\s+", "", s).strip(":").upper()
    return s


def strip_unit(normalised: str) -> str:
    return _UNIT.sub("", normalised)


@dataclass(frozen=True)
class Slot:
    """A place a file column can fill: a field, a numbered field of a repeat group, a split or an element."""

    name: str
    field: Field | None
    label: str  # the canonical Chinese header, for messages when the file's own header is unknown
    scale: float | None = None
    repeat: int | None = None  # index of the repeat group
    n: int | None = None  # the slot number within the repeat group
    split_into: tuple[str, ...] = ()
    split_sep: str = "/"
    element: Element | None = None


@dataclass
class HeaderMap:
    """Which file column fills which slot, and what is left over."""

    headers: list[str]
    columns: dict[str, int] = field(default_factory=dict)  # slot name -> column index
    slots: dict[str, Slot] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    layout: str = "rows"

    @property
    def matched(self) -> int:
        return len(self.columns)

    def header(self, slot: str) -> str:
        return self.headers[self.columns[slot]] if slot in self.columns else self.slots[slot].label


def repeat_slot(group: int, n: int, column: str) -> str:
    return f"r{group}_{n}_{column}"


def _candidates(spec: KindSpec) -> list[tuple[str, Slot, int]]:
    """Every (normalised name, slot, priority) a header can match; lower priority wins a tie."""
    found: list[tuple[str, Slot, int]] = []
    for f in spec.fields:
        for priority, alias in enumerate(f.names):
            found.append((norm_header(alias.name), Slot(f.column, f, f.header, alias.scale), priority))
    for g, rep in enumerate(spec.repeats):
        for n in range(1, rep.max + 1):
            for f in rep.fields:
                label = f.header.replace("{n}", str(n))
                for priority, alias in enumerate(f.names):
                    name = norm_header(alias.name.replace("{n}", str(n)))
                    slot = Slot(repeat_slot(g, n, f.column), f, label, alias.scale, repeat=g, n=n)
                    found.append((name, slot, priority))
            for s_i, split in enumerate(rep.splits):
                label = split.header.replace("{n}", str(n))
                for priority, name in enumerate((split.header, *split.aliases)):
                    slot = Slot(
                        f"r{g}_{n}__split{s_i}",
                        None,
                        label,
                        repeat=g,
                        n=n,
                        split_into=split.into,
                        split_sep=split.sep,
                    )
                    found.append((norm_header(name.replace("{n}", str(n))), slot, priority))
    return found


def build_map(spec: KindSpec, headers: list[object]) -> HeaderMap:
    texts = ["" if h is None else str(h).strip() for h in headers]
    exact: dict[str, tuple[Slot, int]] = {}
    loose: dict[str, tuple[Slot, int]] = {}
    for name, slot, priority in _candidates(spec):
        exact.setdefault(name, (slot, priority))
        loose.setdefault(strip_unit(name), (slot, priority))
    hm = HeaderMap(headers=texts)
    best: dict[str, tuple[int, int]] = {}  # slot -> (priority, column)
    unmatched: list[int] = []
    for i, text in enumerate(texts):
        if not text:
            continue
        key = norm_header(text)
        hit = exact.get(key) or loose.get(strip_unit(key))
        if hit is None:
            unmatched.append(i)
            continue
        slot, priority = hit
        if slot.name not in best or priority < best[slot.name][0]:
            if slot.name in best:
                unmatched.append(best[slot.name][1])
            best[slot.name] = (priority, i)
            hm.slots[slot.name] = slot
        else:
            unmatched.append(i)
    hm.columns = {name: col for name, (_, col) in best.items()}
    if spec.layout == "values":
        _map_values_layout(spec, hm, unmatched)
    else:
        hm.extra = [texts[i] for i in sorted(unmatched)]
    hm.missing_required = [
        f.header
        for f in spec.fields
        if f.required and f.column not in hm.columns and not (f.long_only and hm.layout == "wide")
    ]
    return hm


def _map_values_layout(spec: KindSpec, hm: HeaderMap, unmatched: list[int]) -> None:
    """Long files carry 数据项/数值 columns; wide files carry one column per data element."""
    long_columns = [f.column for f in spec.fields if f.long_only]
    if all(c in hm.columns for c in long_columns):
        hm.layout = "long"
        hm.extra = [hm.headers[i] for i in sorted(unmatched)]
        return
    hm.layout = "wide"
    for c in long_columns:  # a lone 数据项 or 数值 column in a wide file is just an extra column
        if c in hm.columns:
            unmatched.append(hm.columns.pop(c))
            hm.slots.pop(c)
    lookup = element_lookup()
    extra = []
    for i in sorted(unmatched):
        key = norm_header(hm.headers[i])
        element = lookup.get(key) or lookup.get(strip_unit(key))
        if element is None:
            extra.append(hm.headers[i])
            continue
        name = f"el__{element.code}"
        if name not in hm.columns:
            hm.columns[name] = i
            hm.slots[name] = Slot(name, None, element.name_zh, element=element)
        else:
            extra.append(hm.headers[i])
    hm.extra = extra


def minimum_match(spec: KindSpec) -> int:
    """A row is a header row of this kind when it names at least this many fields."""
    return min(2, len(spec.fields))
