"""Writing scores to CSV (one row per institution) or XLSX (that sheet, plus one row per indicator), for checking by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hqd.scoring.period import PeriodScores
from hqd.scoring.store import institution_rows
from hqd.tabular import write_sheets

HEAD = ["org_code", "name", "category", "peer_group", "peers", "reference", "total", "rank", "rank_percentile",
        "grade", "grade_basis", "note"]  # fmt: skip
ITEMS = ["org_code", "name", "peer_group", "indicator_id", "entry", "value", "status", "method", "basis", "score",
         "max_points", "points", "points_lost", "note"]  # fmt: skip


def _r(x: Any) -> Any:
    return round(x, 6) if isinstance(x, float) else ("" if x is None else x)


def wide_rows(ps: PeriodScores) -> tuple[list[str], list[list[Any]]]:
    """Header and rows: the institution columns, then value, points and points lost of each indicator."""
    parts = [p.id for p in ps.scheme.parts]
    header = [*HEAD, *(f"{p} {k}" for p in parts for k in ("value", "points", "lost"))]
    rows = []
    for r in institution_rows(ps):
        row = [_r(r[c]) for c in HEAD]
        s = r["scored"]
        for p in parts:
            i = s.items[p] if s else None
            row += [_r(i.value), _r(i.points), _r(i.lost)] if i else ["", "", ""]
        rows.append(row)
    return header, rows


def item_rows(ps: PeriodScores) -> list[list[Any]]:
    rows = []
    for s in ps.ordered():
        name = ps.institutions[s.org_code].name
        for i in s.items.values():
            rows.append([_r(x) for x in (s.org_code, name, s.peer_group, i.indicator_id, i.entry, i.value, i.status,
                                         i.method, i.basis, i.score, i.max_points, i.points, i.lost, i.note)])  # fmt: skip
    return rows


def write(ps: PeriodScores, out: Path) -> int:
    header, rows = wide_rows(ps)
    write_sheets(out, [("scores", header, rows), ("items", ITEMS, item_rows(ps))])
    return len(rows)
