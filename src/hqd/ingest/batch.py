"""Loading a list of files in order (the demo, a monthly delivery), with totals that must add up."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from hqd.ingest.load import load_file
from hqd.ingest.summary import Summary


@dataclass
class BatchResult:
    summaries: list[Summary]

    @property
    def all_add_up(self) -> bool:
        return all(s.adds_up for s in self.summaries)

    @property
    def rejected(self) -> list[Summary]:
        return [s for s in self.summaries if s.status == "rejected"]

    def totals(self) -> dict[str, int]:
        keys = ("read", "new", "updated", "unchanged", "quarantined", "duplicate")
        return {k: sum(getattr(s, k) for s in self.summaries) for k in keys}


def load_many(
    con: duckdb.DuckDBPyConnection,
    files: Iterable[tuple[str, Path]],
    *,
    secret: bytes,
    on_summary: Callable[[Summary], None] | None = None,
) -> BatchResult:
    summaries = []
    for kind, path in files:
        summary = load_file(con, kind, path, secret=secret)
        summaries.append(summary)
        if on_summary:
            on_summary(summary)
    return BatchResult(summaries)
