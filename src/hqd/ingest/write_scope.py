"""Write scope: the organisations whose rows one load may write, checked per row inside the load transaction.

What a user may write is what they may read (hqd.web.scope resolves both from the same hierarchy): a
hospital user writes the rows of its own institution; an analyst the rows of its region, of every region
under it and of the institutions in them. The operator's command line and admins load without a scope
(None). Each kind's field map names the field(s) that identify a row's owner (`owner:`); a kind that names
none — regions, institutions, memberships and the code lists, which define the hierarchy the scope is read
from or national standards — is loaded without a scope only, so no scoped user can re-parent a region or an
institution and widen its own scope.

A row whose owner lies outside the scope is quarantined (rule out_of_scope), and so is a row that would
replace a stored row whose owner lies outside it (rule out_of_scope_stored: the key of referrals, claims and
infectious-disease cards does not contain the owner, so a foreign row could otherwise be overwritten).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import duckdb

from hqd.ingest.parse import q
from hqd.ingest.spec import KindSpec
from hqd.ingest.valuesets import sql_str

# The regions under a region, itself included ($1: the region); shared with the read scope (hqd.web.scope).
REGIONS_UNDER = """
    WITH RECURSIVE under(code) AS (
        SELECT region_code FROM regions WHERE region_code = $1
        UNION SELECT r.region_code FROM regions r JOIN under u ON r.parent_code = u.code
    ) SELECT DISTINCT code FROM under
"""
# Which scope entries an owner field may name: institutions, regions or either.
_ALLOWED = {"org_code": "NOT is_region", "region_code": "is_region", "org_or_region": "true"}


@dataclass(frozen=True)
class WriteScope:
    """One institution (a hospital user) or one region with everything under it (an analyst)."""

    level: Literal["institution", "region"]
    code: str

    @classmethod
    def institution(cls, code: str) -> WriteScope:
        return cls("institution", code)

    @classmethod
    def region(cls, code: str) -> WriteScope:
        return cls("region", code)


def admins_only(spec: KindSpec) -> bool:
    """A kind without an owner field defines the hierarchy or a national standard: loaded without a scope."""
    return not spec.owner


def create_scope_table(con: duckdb.DuckDBPyConnection, scope: WriteScope) -> None:
    """hqd_write_scope(code, is_region): the codes the scope may write, read inside the load's transaction."""
    con.execute("CREATE OR REPLACE TEMP TABLE hqd_write_scope (code VARCHAR, is_region BOOLEAN)")
    if scope.level == "institution":
        con.execute("INSERT INTO hqd_write_scope VALUES (?, false)", [scope.code])
        return
    con.execute(f"INSERT INTO hqd_write_scope SELECT code, true FROM ({REGIONS_UNDER})", [scope.code])
    con.execute("""
        INSERT INTO hqd_write_scope SELECT DISTINCT org_code, false FROM institutions
        WHERE region_code IN (SELECT code FROM hqd_write_scope WHERE is_region)
    """)


def mark_out_of_scope(con: duckdb.DuckDBPyConnection, spec: KindSpec, scope: WriteScope) -> int:
    """Add an out-of-scope reason to every parsed row the scope may not write; returns how many rows.

    Runs over the `parsed` temp table before rows are classified, so such rows are quarantined and counted
    like any other reason; their cells are kept as parsed (identifiers are hashed or dropped by then).
    """
    create_scope_table(con, scope)
    hint = sql_str(scope.code)
    reasons: list[tuple[str, str, str, str]] = []  # (condition, value, rule, field label)
    for column in spec.owner:
        field = spec.field(column)
        allowed = f"(SELECT code FROM hqd_write_scope WHERE {_ALLOWED[field.type]})"
        label = sql_str(field.header)
        for value, rule in ((f"p.{q(column)}", "out_of_scope"), (f"t.{q(column)}", "out_of_scope_stored")):
            if rule == "out_of_scope_stored" and column in spec.key:
                continue  # the key holds the owner: a stored row of the same key has the same owner
            reasons.append((f"{value} IS NOT NULL AND {value} NOT IN {allowed}", value, rule, label))
    stored_join = ""
    if any(column not in spec.key for column in spec.owner):
        keys = ", ".join(q(k) for k in spec.key)
        owners = ", ".join(q(c) for c in spec.owner if c not in spec.key)
        on = " AND ".join(f"t.{q(k)} = p.{q(k)}" for k in spec.key)
        stored_join = f"LEFT JOIN (SELECT {keys}, {owners} FROM {spec.table}) t ON {on}"
    # A flag column per reason: DuckDB binds the subqueries in a projection, not inside the issue list.
    flags = ", ".join(
        f"coalesce({cond}, false) AS _f{i}, CAST({value} AS VARCHAR) AS _v{i}"
        for i, (cond, value, _, _) in enumerate(reasons)
    )
    items = ", ".join(
        f"CASE WHEN _f{i} THEN hqd_issue({label}, _v{i}, '{rule}', NULL, {hint}, NULL, NULL) END"
        for i, (_, _, rule, label) in enumerate(reasons)
    )
    any_flag = " OR ".join(f"_f{i}" for i in range(len(reasons)))
    present = _parsed_columns(con)
    cells = ", ".join(
        f"{sql_str(f.header)}, p.{q(f.column)}"
        for f in spec.fields
        if f.stored and f.type != "id_hash" and f.column in present
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE out_of_scope AS
        SELECT o._rec, list_filter([{items}], lambda x: x IS NOT NULL) AS _more,
               CAST(json_object({cells}) AS VARCHAR) AS _data
        FROM (SELECT p.rowid AS _rec, {flags} FROM parsed p {stored_join}) o
        JOIN parsed p ON p.rowid = o._rec
        WHERE {any_flag}
    """)  # the cells are rendered for the rows out of scope only
    con.execute("""
        UPDATE parsed SET _issues = list_concat(parsed._issues, o._more), _hash = NULL,
               _row_data = coalesce(parsed._row_data, o._data)
        FROM out_of_scope o WHERE parsed.rowid = o._rec
    """)
    return con.execute("SELECT count(*) FROM out_of_scope").fetchone()[0]


def _parsed_columns(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'parsed' AND database_name = 'temp'"
    ).fetchall()
    return {c for (c,) in rows}
