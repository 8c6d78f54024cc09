"""Engines behind one small interface (after ibis): the catalog's SQL is written once, in DuckDB's dialect,
and sqlglot translates it for the engine that runs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Engine(Protocol):
    """What the indicator runner needs of an engine: DuckDBEngine and SparkEngine both provide it."""

    name: str
    dialect: str

    def compile(self, sql: str) -> str: ...

    def temp_table(self, name: str, sql: str) -> None: ...

    def temp_view(self, name: str, sql: str) -> None: ...

    def temp_rows(
        self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
    ) -> None: ...

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]: ...

    def execute(self, sql: str, params: list[Any] | None = None) -> None: ...
