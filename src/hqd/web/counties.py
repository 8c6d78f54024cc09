"""The county-community pages of the dashboard: for each county the user may see, the 评判标准 checklist with
its reasons and every monitoring indicator against its threshold — the same rows `hqd programme county`
prints, from the same functions."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import duckdb

from hqd.indicators.periods import parse
from hqd.programmes.county import communities, counties, county_ids, county_page
from hqd.programmes.monitoring import spec
from hqd.programmes.pages import stored_values
from hqd.web.scope import Scope


def county_pages(con: duckdb.DuckDBPyConnection, scope: Scope, period: str) -> list[dict[str, Any]]:
    p = parse(period)
    values = stored_values(con, county_ids(spec("county")), p.text)
    out = []
    for code, name in counties(con, p):
        if not scope.sees(code):
            continue
        rows, checklists = county_page(con, values, (code, name), p)
        out.append({
            "code": code, "name": name, "period": p.text,
            "communities": [{"name": g, "lead": lead, "members": n} for g, lead, n in communities(con, code, p)],
            "checklists": [{"set": c.set_id, "name": c.name_zh, "verdict": c.verdict, "met": c.met,
                            "total": len(c.items), "reasons": c.reasons, "verification": c.verification}
                           for c in checklists],
            "rows": [asdict(r) for r in rows],
        })  # fmt: skip
    return out
