"""The embedded engine: DuckDB, on the warehouse file itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import sqlglot

from hqd.warehouse.bulk import insert_rows


class DuckDBEngine:
    """Runs catalog SQL on a DuckDB connection; `compile` is the identity after a sqlglot round trip check."""

    dialect = "duckdb"
    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def compile(self, sql: str) -> str:
        """Parse with sqlglot (so a catalog error shows here) and render for this engine."""
        return sqlglot.transpile(sql, read="duckdb", write=self.dialect)[0]

    def temp_table(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {self.compile(sql)}")

    def temp_view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {self.compile(sql)}")

    def temp_rows(self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
        """A temporary table of rows made in Python (catalog metadata): columns are (name, SQL type)."""
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
        insert_rows(self.con, name, [c for c, _ in columns], rows)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(self.compile(sql), params or []).fetchall()

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        self.con.execute(self.compile(sql), params or [])
