"""`hqd stage`: files validated in parallel into Parquet staging, with the accounting `hqd load` gives."""

from __future__ import annotations

import json

import duckdb
from tests.conftest import COUNTY, DISCHARGE_HEADER, discharge, run_hqd

from hqd.ingest.stage import stage_files


def parquet(out, table: str, columns: str = "count(*)") -> list[tuple]:
    return duckdb.sql(
        f"SELECT {columns} FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true)"
    ).fetchall()


def test_files_are_staged_in_parallel_with_their_accounting_and_a_resend_replaces(seeded, tmp_path):
    first = seeded.file("一月.csv", [DISCHARGE_HEADER,
        discharge("A1"), discharge("A2", 总费用="8000"), discharge("B1", 机构代码=COUNTY),
        discharge("Q1", 入院时间="2024-03-09 08:00", 出院时间="2024-03-05 10:00")])  # fmt: skip
    resend = seeded.file("一月_更正.csv", [DISCHARGE_HEADER,
        discharge("A2", 总费用="9000", 其他诊断编码1="E11.900"), discharge("C1")])  # fmt: skip
    out = tmp_path / "staging"
    result = stage_files(seeded.con, "discharges", [first, resend], out, secret=seeded.secret, jobs=2)

    a, b = result.summaries  # in import order
    assert (a.file, a.read, a.new, a.quarantined) == ("一月.csv", 4, 3, 1)  # Q1 leaves before it arrives
    assert (b.file, b.read, b.new, b.quarantined) == ("一月_更正.csv", 2, 2, 0)
    assert result.all_add_up and b.import_id == a.import_id + 1
    assert result.replaced == {a.import_id: 1}  # A2 of the first file
    assert sorted(parquet(out, "discharges", "mrn, total_cost, import_id")) == [
        ("A1", 10000.0, a.import_id), ("A2", 9000.0, b.import_id),
        ("B1", 10000.0, a.import_id), ("C1", 10000.0, b.import_id)]  # fmt: skip
    # A2's diagnosis is the resend's; B1 lies in the county's partition
    assert parquet(out, "discharge_diagnoses", "code") and ("E11.900",) in parquet(
        out, "discharge_diagnoses", "code"
    )
    assert ("I10.x00", "A2") not in parquet(out, "discharge_diagnoses", "code, mrn")
    assert parquet(out, "discharges", "region::VARCHAR").count(("990121",)) == 1
    # the import records and the quarantined row are staged beside the data
    imports = duckdb.sql(
        f"SELECT file_name, \"read\" FROM read_parquet('{out}/_imports/*.parquet') ORDER BY 1"
    )
    assert imports.fetchall() == [("一月.csv", 4), ("一月_更正.csv", 2)]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}/_quarantine/*.parquet')").fetchall() == [
        (1,)
    ]
    # the reference data is staged for Spark, and the main warehouse is not written
    manifest = json.loads((out / "hqd-export.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["discharges"] == 4 and manifest["rows"]["institutions"] == 3
    assert manifest["rows"]["claims"] == 0
    assert seeded.one("SELECT count(*) FROM discharges") == 0
    assert seeded.one("SELECT count(*) FROM imports WHERE kind = 'discharges'") == 0


def test_a_rejected_file_makes_the_command_fail_and_the_others_are_staged(seeded, tmp_path):
    good = seeded.file("good.csv", [DISCHARGE_HEADER, discharge("A1")])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    seeded.con.close()
    proc = run_hqd(
        seeded.cfg.db_path, "stage", "discharges", str(good), str(bad), "--out", str(tmp_path / "s")
    )
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert parquet(tmp_path / "s", "discharges") == [(1,)]
    seeded.con = duckdb.connect(str(seeded.cfg.db_path))  # the fixture closes it
