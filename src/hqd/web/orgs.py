"""Organisations and periods as the pages name them: one lookup for names, levels and the stored periods."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hqd.indicators.catalog import Indicator, indicators
from hqd.web.scope import NotFound, Scope

LEVEL_ORDER = "CASE org_level WHEN 'institution' THEN 0 WHEN 'county' THEN 1 WHEN 'city' THEN 2 ELSE 3 END"


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    kind: str  # institution | region
    level: str  # 三级/二级/… for institutions, province/city/county for regions
    region_code: str | None  # the county of an institution, the parent of a region


def org(con: duckdb.DuckDBPyConnection, code: str) -> Org:
    row = con.execute(
        "SELECT org_code, name, 'institution', level, region_code FROM institutions WHERE org_code = ? "
        "UNION ALL SELECT region_code, name, 'region', level, parent_code FROM regions WHERE region_code = ?",
        [code, code],
    ).fetchone()
    if row is None:
        raise NotFound(f"机构或区划 {code} 不存在", f"there is no institution or region {code}")
    return Org(*row)


def visible_institutions(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Org]:
    rows = con.execute(
        "SELECT org_code, name, 'institution', level, region_code FROM institutions "
        "WHERE list_contains(?, org_code) ORDER BY CASE level WHEN '三级' THEN 0 WHEN '二级' THEN 1 ELSE 2 END, org_code",
        [sorted(scope.institutions)],
    ).fetchall()
    return [Org(*r) for r in rows]


def visible_regions(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Org]:
    rows = con.execute(
        "SELECT region_code, name, 'region', level, parent_code FROM regions WHERE list_contains(?, region_code) "
        "ORDER BY CASE level WHEN 'province' THEN 0 WHEN 'city' THEN 1 ELSE 2 END, region_code",
        [sorted(scope.regions)],
    ).fetchall()
    return [Org(*r) for r in rows]


def periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Periods with stored indicator values, years first then quarters and months, newest first."""
    rows = con.execute("SELECT DISTINCT period FROM indicator_values").fetchall()
    newest_first = sorted((p for (p,) in rows), reverse=True)
    return sorted(newest_first, key=len)  # stable: years (4 characters), then quarters (6), then months (7)


def default_period(con: duckdb.DuckDBPyConnection) -> str | None:
    years = [p for p in periods(con) if len(p) == 4]
    return years[0] if years else next(iter(periods(con)), None)


def catalog_by_id() -> dict[str, Indicator]:
    return {i.id: i for i in indicators()}


def find_indicator(ident: str) -> Indicator:
    ind = catalog_by_id().get(ident)
    if ind is None:
        raise NotFound(f"指标 {ident} 不存在", f"there is no indicator {ident}")
    return ind


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT org_code, name FROM institutions UNION ALL SELECT region_code, name FROM regions"
        ).fetchall()
    )
