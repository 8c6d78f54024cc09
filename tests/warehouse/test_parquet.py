"""`hqd export parquet`: the canonical tables as Parquet partitioned by year and region, every row once."""

from __future__ import annotations

import json

import duckdb
from tests.conftest import COUNTY, DISCHARGE_HEADER, discharge, run_hqd

from hqd.warehouse.parquet import NOT_EXPORTED, export_parquet


def rows_in(out, table: str) -> int:
    return duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet')").fetchall()[0][0]


def load_two_years(seeded):
    rows = [
        discharge("A1", 出院时间="2024-03-05 10:00"),
        discharge("A2", 出院时间="2025-01-02 10:00", 入院时间="2024-12-30 08:00"),
        discharge("B1", 机构代码=COUNTY, 出院时间="2024-07-05 10:00", 入院时间="2024-07-01 08:00"),
    ]
    assert seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, *rows])).new == 3


def test_facts_are_partitioned_by_year_and_the_institutions_county(seeded, tmp_path):
    load_two_years(seeded)
    out = tmp_path / "pq"
    result = export_parquet(seeded.con, out)
    parts = sorted(
        str(p.relative_to(out / "discharges").parent) for p in (out / "discharges").rglob("*.parquet")
    )
    # HOSP lies in 990102, COUNTY in 990121
    assert parts == ["year=2024/region=990102", "year=2024/region=990121", "year=2025/region=990102"]
    # a discharge's diagnoses and procedures sit in its partition (one of each per discharge here)
    for table in ("discharge_diagnoses", "discharge_procedures"):
        got = duckdb.sql(
            f"SELECT mrn, year::VARCHAR, region::VARCHAR FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true) "
            "ORDER BY mrn"
        ).fetchall()
        assert got == [("A1", "2024", "990102"), ("A2", "2025", "990102"), ("B1", "2024", "990121")]
    assert result.tables["discharges"] == 3 and result.tables["institutions"] == 3
    manifest = json.loads((out / "hqd-export.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == result.tables
    assert manifest["partitioned_by"]["discharges"] == ["year", "region"]


def test_every_row_is_written_once_and_bookkeeping_stays_behind(seeded, tmp_path):
    load_two_years(seeded)
    out = tmp_path / "pq"
    result = export_parquet(seeded.con, out)
    for table, n in result.tables.items():
        assert rows_in(out, table) == n == seeded.one(f"SELECT count(*) FROM {table}")
    assert not NOT_EXPORTED & set(result.tables)
    assert {"imports", "quarantine", "indicator_values"} <= NOT_EXPORTED
    # an empty table is one file holding its columns
    cols = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{out}/claims/part-0.parquet')").fetchall()
    assert result.tables["claims"] == 0 and "settlement_id" in [c[0] for c in cols]


def test_a_second_export_replaces_the_first(seeded, tmp_path):
    out = tmp_path / "pq"
    export_parquet(seeded.con, out)
    load_two_years(seeded)
    export_parquet(seeded.con, out)
    assert rows_in(out, "discharges") == 3
    assert not (out / "discharges" / "part-0.parquet").exists()  # the empty file of the first export is gone


def test_the_command_says_what_it_wrote(seeded, tmp_path):
    load_two_years(seeded)
    seeded.con.close()
    proc = run_hqd(seeded.cfg.db_path, "export", "parquet", "--out", str(tmp_path / "pq"), check=True)
    assert "discharges" not in proc.stderr and "rows to" in proc.stdout
    assert (tmp_path / "pq" / "discharges" / "year=2024").is_dir()
    seeded.con = duckdb.connect(str(seeded.cfg.db_path))  # the fixture closes it
