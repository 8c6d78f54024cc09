"""`hqd init` creates every canonical table through numbered migrations and is safe to repeat."""

from __future__ import annotations

import duckdb

from hqd.warehouse import migrate

CANONICAL = {
    "regions",
    "institutions",
    "discharges",
    "discharge_diagnoses",
    "discharge_procedures",
    "reported_values",
    "reported_values_history",
    "referrals",
    "centre_cases",
    "idr_cases",
    "assistance",
    "memberships",
    "ratings",
    "targets",
    "claims",
    "codes_icd10",
    "codes_icd9cm3",
    "codes_drg",
    "imports",
    "quarantine",
    "import_duplicates",
    "schema_migrations",
}


def test_migrations_are_numbered_without_gaps():
    versions = [m.version for m in migrate.available()]
    assert versions == list(range(1, len(versions) + 1))


def test_upgrade_creates_every_canonical_table_once(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert [m.version for m in migrate.upgrade(con)] == [m.version for m in migrate.available()]
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables >= CANONICAL
    assert migrate.upgrade(con) == []
    assert migrate.current_version(con) == migrate.available()[-1].version


def test_every_field_catalog_names_a_table_and_columns_that_exist(tmp_path):
    from hqd.ingest.spec import kinds, load_kind

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    migrate.upgrade(con)
    for kind in kinds():
        spec = load_kind(kind)
        columns = {
            c
            for (c,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [spec.table]
            ).fetchall()
        }
        stored = {f.column for f in spec.fields if f.stored and f.type != "element_value"}
        assert stored <= columns, (kind, stored - columns)
