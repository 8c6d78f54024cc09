"""The records behind a value (its numerator or denominator), paged: `explain`'s selection, scope-checked.

A hospital user may open its own records only; an analyst those of any institution or region in scope.
"""

from __future__ import annotations

from hqd.indicators.explain import records_page
from hqd.web.orgs import find_indicator, org
from hqd.web.scope import NotFound
from hqd.web.session import Ctx


def records(ctx: Ctx, ident: str, code: str, period: str, part: str, limit: int, offset: int
            ) -> tuple[list[str], list[tuple], int]:  # fmt: skip
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
    with ctx.db.prepared(period) as con:
        return records_page(con, ind, code, period, part, limit, offset)
