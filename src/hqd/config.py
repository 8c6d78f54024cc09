"""Settings read once from the environment, so every command finds the same warehouse and secret."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the warehouse lives and how much memory DuckDB may use."""

    db_path: Path
    memory_limit: str
    threads: int | None

    @property
    def secret_path(self) -> Path:
        """The pseudonymisation secret sits beside the warehouse, never inside it."""
        return self.db_path.with_name(self.db_path.name + ".secret")


def settings() -> Settings:
    threads = os.environ.get("HQD_THREADS")
    return Settings(
        db_path=Path(os.environ.get("HQD_DB", "hqd.duckdb")),
        memory_limit=os.environ.get("HQD_MEMORY_LIMIT", "1GB"),
        threads=int(threads) if threads else None,
    )
