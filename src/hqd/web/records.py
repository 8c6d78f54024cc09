"""The records behind a value (its numerator or denominator), paged or exported: `explain`'s selection,
scope-checked. A hospital user may open its own records only; an analyst those of any institution or region
in scope."""

from __future__ import annotations

import itertools
from pathlib import Path

from hqd.indicators.catalog import Indicator
from hqd.indicators.explain import records_all, records_page
from hqd.tabular import write_table
from hqd.web.orgs import find_indicator, org
from hqd.web.scope import NotFound
from hqd.web.session import Ctx

EXCEL_ROWS = 1_048_575  # under the header row


def _check(ctx: Ctx, ident: str, code: str, period: str) -> Indicator:
    ind = find_indicator(ident)
    ctx.scope.check(code)
    org(ctx.con, code)
    exists = ctx.con.execute(
        "SELECT 1 FROM indicator_values WHERE indicator_id = ? AND org_code = ? AND period = ?",
        [ident, code, period],
    ).fetchone()
    if exists is None:
        raise NotFound(
            f"{ident} 在 {code} {period} 没有计算值", f"no computed value for {ident} at {code} in {period}"
        )
    return ind


def records(ctx: Ctx, ident: str, code: str, period: str, part: str, limit: int, offset: int
            ) -> tuple[list[str], list[tuple], int]:  # fmt: skip
    ind = _check(ctx, ident, code, period)
    with ctx.db.prepared(period) as con:
        return records_page(con, ind, code, period, part, limit, offset)


def export_records(ctx: Ctx, ident: str, code: str, period: str, part: str, out: Path) -> int:
    """Every record of a part to .csv or .xlsx, streamed in batches; returns the rows written."""
    ind = _check(ctx, ident, code, period)
    with ctx.db.prepared(period) as con:
        header, rows = records_all(con, ind, code, period, part)
        if out.suffix == ".xlsx":
            rows = itertools.islice(rows, EXCEL_ROWS)
        return write_table(out, header, rows, sheet="records")
