"""Deliberately broken rows: copies of good rows with one defect each, inserted among them and recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hqd.demo.base import Malformed, Table, to_arrow

RATE = 0.005
Row = dict[str, str]


@dataclass(frozen=True)
class Break:
    """One kind of defect: how to turn a good row into a broken one (returns None if it cannot)."""

    kind: str
    column: str | None
    make: Callable[[Row, np.random.Generator], tuple[Row, str] | None]
    after_template: bool = False  # duplicates and key conflicts come after the row they copy


def count_for(n: int, rate: float = RATE) -> int:
    return round(n * rate) if n >= 40 else 0


def set_value(kind: str, column: str, value: str | Callable[[Row], str], detail: str) -> Break:
    def make(row: Row, rng: np.random.Generator) -> tuple[Row, str] | None:
        new = dict(row)
        if column not in new:
            return None
        new[column] = value(row) if callable(value) else value
        return new, detail.format(value=new[column], old=row[column])

    return Break(kind, column, make)


def swap(kind: str, a: str, b: str, detail: str) -> Break:
    def make(row: Row, rng: np.random.Generator) -> tuple[Row, str] | None:
        if not row.get(a) or not row.get(b) or row[a] == row[b]:
            return None
        new = dict(row)
        new[a], new[b] = row[b], row[a]
        return new, detail.format(a=new[a], b=new[b])

    return Break(kind, a, make)


def duplicate() -> Break:
    return Break("duplicate_row", None, lambda row, rng: (dict(row), "exact copy of an earlier row"), True)


def key_conflict(column: str, change: Callable[[str, np.random.Generator], str], key: str) -> Break:
    def make(row: Row, rng: np.random.Generator) -> tuple[Row, str] | None:
        new = dict(row)
        new[column] = change(row[column], rng)
        if new[column] == row[column]:
            return None
        return new, f"same {key} as an earlier row, {column} differs ({row[column]} → {new[column]})"

    return Break("key_conflict", column, make, True)


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def money_like(template: str, value: float) -> str:
    return f"{value:,.2f}" if "," in template else f"{value:.2f}"


def inject(
    table: Table,
    breaks: list[Break],
    count: int,
    rng: np.random.Generator,
    *,
    file: str,
    sheet: str | None = None,
    header_row: int = 1,
    rename: dict[str, str] | None = None,
    protect: np.ndarray | None = None,
) -> tuple[Table, list[Malformed]]:
    """Insert count broken copies of random good rows; returns the new table and what was broken where.

    protect marks rows that must never be the original of a key conflict: a loader may quarantine both rows
    of a conflict, so rows that carry ground truth (outbreak cards, in-county stays …) are kept out of them.
    """
    n = len(table)
    if count <= 0 or n == 0 or not breaks:
        return table, []
    templates = rng.choice(n, min(count * 4, n), replace=False)
    start = int(rng.integers(len(breaks)))
    made: list[tuple[int, Row, Break, str]] = []
    for t in templates.tolist():
        if len(made) == count:
            break
        brk = breaks[(start + len(made)) % len(breaks)]
        if brk.kind == "key_conflict" and protect is not None and protect[t]:
            continue
        out = brk.make(table.row(t), rng)
        if out is None:
            continue
        made.append((t, out[0], brk, out[1]))
    k = len(made)
    cols = {
        name: pa.concat_arrays([to_arrow(col), pa.array([m[1][name] for m in made], type=pa.string())])
        for name, col in table.columns.items()
    }
    # where each row lands: originals keep their order, each copy goes somewhere after (or anywhere before) it
    pos = np.arange(n, dtype=float)
    extra = np.array(
        [
            rng.uniform(t + 0.5, n + 0.5) if brk.after_template else rng.uniform(-0.5, n + 0.5)
            for t, _row, brk, _d in made
        ]
    )
    order = np.argsort(np.concatenate([pos, extra]), kind="stable")
    final_row = np.empty(n + k, dtype=np.int64)
    final_row[order] = np.arange(n + k) + header_row + 1
    take = pa.array(order)
    result = Table({name: col.take(take) for name, col in cols.items()}, set(table.numeric), set(table.dates))
    rename = rename or {}
    notes = []
    for j, (t, _row, brk, detail) in enumerate(made):
        notes.append(
            Malformed(
                file=file,
                sheet=sheet,
                row=int(final_row[n + j]),
                kind=brk.kind,
                column=rename.get(brk.column, brk.column) if brk.column else None,
                detail=detail,
                related_row=int(final_row[t]) if brk.after_template else None,
            )
        )
    notes.sort(key=lambda m: m.row)
    return result, notes


def insert_row(
    table: Table,
    row: Row,
    position: int,
    *,
    kind: str,
    column: str | None,
    detail: str,
    file: str,
    sheet: str | None = None,
    header_row: int = 1,
) -> tuple[Table, Malformed]:
    """Insert one hand-made broken row (not a copy of another) at a given data position."""
    cols = {
        name: np.insert(np.asarray(table.column_list(name), dtype=object), position, row.get(name, ""))
        for name in table.columns
    }
    note = Malformed(
        file=file, sheet=sheet, row=header_row + 1 + position, kind=kind, column=column, detail=detail
    )
    return Table(cols, set(table.numeric), set(table.dates)), note
