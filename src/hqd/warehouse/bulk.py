"""Inserting many Python rows at once: through Arrow, because DuckDB's executemany costs ~1 ms a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa


def insert_rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT the rows into `table` (columns in the given order); values are cast to the table's types."""
    if not rows:
        return
    data = pa.table({f"c{i}": pa.array([r[i] for r in rows]) for i in range(len(columns))})
    name = f"__hqd_rows_{id(data)}"
    con.register(name, data)
    try:
        targets = ", ".join(f'"{c}"' for c in columns)
        sources = ", ".join(f"c{i}" for i in range(len(columns)))
        con.execute(f"INSERT INTO {table} ({targets}) SELECT {sources} FROM {name}")
    finally:
        con.unregister(name)
