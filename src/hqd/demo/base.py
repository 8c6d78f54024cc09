"""Shared vocabulary of the demo generator: the file record, malformed-row notes and string tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

YEARS = (2024, 2025)
STR = np.dtypes.StringDType()
DEFAULT_SEED = 20240101
DEFAULT_DISCHARGES = 200_000

KINDS = (
    "regions",
    "institutions",
    "codes-icd10",
    "codes-icd9cm3",
    "codes-drg",
    "discharges",
    "values",
    "referrals",
    "centre-cases",
    "idr-cases",
    "assistance",
    "memberships",
    "ratings",
    "targets",
    "claims",
)


@dataclass(frozen=True)
class DemoFile:
    """One written file: what kind it is, where it is, and how many rows were broken on purpose."""

    kind: str
    path: Path
    malformed_rows: int


@dataclass(frozen=True)
class Malformed:
    """A deliberately broken row, addressed as a user sees it (CSV line / Excel row, header = 1)."""

    file: str
    sheet: str | None
    row: int
    kind: str
    column: str | None
    detail: str
    related_row: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "kind": self.kind,
            "column": self.column,
            "detail": self.detail,
            "related_row": self.related_row,
        }


def strs(values: object) -> np.ndarray | pa.Array:
    """Any array-like as a numpy StringDType array (pyarrow string arrays are kept as they are)."""
    if isinstance(values, pa.Array):
        return values
    arr = np.asarray(values)
    if arr.dtype == object:  # Python strings go straight to Arrow (cheaper than a numpy string cast)
        return pa.array(arr, type=pa.string())
    if arr.dtype == STR:
        return arr
    return arr.astype(STR)


@dataclass
class Table:
    """Ordered, equal-length string columns — the unit the malformer and every writer work on."""

    columns: dict[str, np.ndarray]
    numeric: set[str] = field(default_factory=set)  # written as numbers in XLSX
    dates: set[str] = field(default_factory=set)  # written as Excel dates when the sheet asks for it

    def __post_init__(self) -> None:
        self.columns = {k: strs(v) for k, v in self.columns.items()}
        lengths = {len(v) for v in self.columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of unequal length: {lengths}")

    @property
    def header(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def row(self, i: int) -> dict[str, str]:
        return {k: v[i].as_py() if isinstance(v, pa.Array) else str(v[i]) for k, v in self.columns.items()}

    def column_list(self, name: str) -> list[str]:
        v = self.columns[name]
        return v.to_pylist() if isinstance(v, pa.Array) else v.tolist()

    def take(self, index: np.ndarray) -> Table:
        return Table(
            {
                k: v.take(pa.array(index)) if isinstance(v, pa.Array) else v[index]
                for k, v in self.columns.items()
            },
            set(self.numeric),
            set(self.dates),
        )

    def rename(self, mapping: dict[str, str]) -> Table:
        return Table(
            {mapping.get(k, k): v for k, v in self.columns.items()},
            {mapping.get(k, k) for k in self.numeric},
            {mapping.get(k, k) for k in self.dates},
        )


def fill(n: int, value: str) -> np.ndarray:
    return np.full(n, value, dtype=STR)


def lookup(table: list[str] | tuple[str, ...], index: np.ndarray) -> np.ndarray:
    """Strings picked from a small table by integer index (the fast path for codes and labels)."""
    return np.asarray(table, dtype=STR)[np.asarray(index)]


def to_arrow(col: np.ndarray | pa.Array) -> pa.Array:
    return col if isinstance(col, pa.Array) else pa.array(col, type=pa.string())
