"""Deciding what each parsed row becomes, and writing it: new, updated, unchanged, duplicate or conflict.

Rows of one file that share a natural key are duplicates when identical and all quarantined when they
differ. The survivors are compared with the warehouse by key and content hash: only new and changed rows
are written, and a replaced reported value moves to the history table first.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hqd.ingest.parse import BOOKKEEPING, q
from hqd.ingest.spec import KindSpec


@dataclass
class Outcome:
    new: int
    updated: int
    unchanged: int
    duplicate: int
    conflicts: int


def _key_eq(spec: KindSpec, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{q(k)} = {right}.{q(k)}" for k in spec.key)


def _keys(spec: KindSpec, prefix: str = "") -> str:
    return ", ".join(f"{prefix}{q(k)}" for k in spec.key)


def classify(con: duckdb.DuckDBPyConnection, spec: KindSpec, multi_part: bool) -> Outcome:
    """Split the clean rows into conflicts, duplicates and candidates; diff candidates with the warehouse."""
    keys = _keys(spec)
    con.execute(f"""
        CREATE TEMP TABLE key_stats AS
        SELECT {keys}, count(DISTINCT _hash) AS hashes FROM parsed WHERE len(_issues) = 0 GROUP BY ALL
    """)
    label = "coalesce(o._sheet || '!', '') || o._row" if multi_part else "CAST(o._row AS VARCHAR)"
    con.execute(f"""
        CREATE TEMP TABLE conflicts AS
        SELECT p.rowid AS _rec, p._part, p._sheet, p._row, {_keys(spec, "p.")},
               string_agg(DISTINCT {label}, ', ') FILTER (WHERE o.rowid <> p.rowid) AS others
        FROM parsed p JOIN key_stats s ON {_key_eq(spec, "p", "s")} AND s.hashes > 1
        JOIN parsed o ON {_key_eq(spec, "o", "p")} AND len(o._issues) = 0
        WHERE len(p._issues) = 0
        GROUP BY ALL
    """)
    con.execute(f"""
        CREATE TEMP TABLE ranked AS
        SELECT p.rowid AS _rec, p._part, p._row, p._sheet, p._hash, {_keys(spec, "p.")},
               row_number() OVER (PARTITION BY {_keys(spec, "p.")} ORDER BY p._part, p._row) AS rn,
               first_value(p._row) OVER (PARTITION BY {_keys(spec, "p.")} ORDER BY p._part, p._row) AS first_row
        FROM parsed p JOIN key_stats s ON {_key_eq(spec, "p", "s")} AND s.hashes = 1
        WHERE len(p._issues) = 0
    """)
    table = spec.table
    con.execute(f"""
        CREATE TEMP TABLE verdict AS
        SELECT r._rec, r._part, r._row, r._hash, {_keys(spec, "r.")},
               CASE WHEN t._hash IS NULL THEN 'new' WHEN t._hash = r._hash THEN 'unchanged' ELSE 'updated' END
                   AS verdict
        FROM ranked r LEFT JOIN (SELECT {keys}, row_hash AS _hash FROM {table}) t ON {_key_eq(spec, "r", "t")}
        WHERE r.rn = 1
    """)
    counts = dict(con.execute("SELECT verdict, count(*) FROM verdict GROUP BY verdict").fetchall())
    duplicate = con.execute("SELECT count(*) FROM ranked WHERE rn > 1").fetchone()[0]
    conflicts = con.execute("SELECT count(*) FROM conflicts").fetchone()[0]
    return Outcome(
        counts.get("new", 0), counts.get("updated", 0), counts.get("unchanged", 0), duplicate, conflicts
    )


def write(con: duckdb.DuckDBPyConnection, spec: KindSpec, import_id: int, columns: list[str]) -> None:
    """Replace the updated rows (keeping history where the kind asks) and insert the new ones."""
    table = spec.table
    # Joined, not copied: at a million rows a copy of the parsed rows costs more than joining twice.
    to_write = (
        "(SELECT p.* FROM parsed p JOIN verdict v ON p.rowid = v._rec WHERE v.verdict IN ('new', 'updated'))"
    )
    updated = f"(SELECT {_keys(spec)} FROM verdict WHERE verdict = 'updated')"
    if spec.history_table:
        stored = [c for c in _columns(con, table)]
        con.execute(f"""
            INSERT INTO {spec.history_table} BY NAME
            SELECT {", ".join("t." + q(c) for c in stored if c != "row_hash")},
                   {import_id} AS replaced_by_import, current_timestamp::TIMESTAMP AS replaced_at
            FROM {table} t JOIN {updated} u ON {_key_eq(spec, "t", "u")}
        """)
    con.execute(f"DELETE FROM {table} t USING {updated} u WHERE {_key_eq(spec, 't', 'u')}")
    for rep in spec.repeats:
        con.execute(f"DELETE FROM {rep.table} t USING {updated} u WHERE {_key_eq(spec, 't', 'u')}")
    names = ", ".join(q(c) for c in columns)
    con.execute(f"""
        INSERT INTO {table} ({names}, import_id, row_hash)
        SELECT {names}, {import_id}, _hash FROM {to_write}
    """)
    for g, rep in enumerate(spec.repeats):
        child_cols = [c for c in _columns(con, rep.table) if c not in set(spec.key) | {"import_id"}]
        con.execute(f"""
            INSERT INTO {rep.table} ({_keys(spec)}, {", ".join(q(c) for c in child_cols)}, import_id)
            SELECT {_keys(spec)}, {", ".join("c." + q(c) for c in child_cols)}, {import_id}
            FROM (SELECT {_keys(spec)}, unnest(_r{g}) AS c FROM {to_write})
        """)


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return list(column_types(con, table))


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The warehouse table's columns and types (temporary tables of the same name are ignored)."""
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' "
            "AND database_name = current_database() ORDER BY column_index",
            [table],
        ).fetchall()
    )


def stored_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [c for c in column_types(con, table) if c not in BOOKKEEPING]
