"""`hqd compute --engine spark` from the command line: values stored like a DuckDB compute, user errors in
one sentence."""

from __future__ import annotations

import duckdb
import pytest
from tests.conftest import COUNTY, DISCHARGE_HEADER, discharge, run_hqd


@pytest.fixture
def db(seeded, tmp_path):
    rows = [discharge("A1", 出院时间="2025-03-05 10:00", 入院时间="2025-03-01 08:00"),
            discharge("A2", 出院时间="2025-04-05 10:00", 入院时间="2025-04-01 08:00", 离院方式="5"),
            discharge("B1", 机构代码=COUNTY, 出院时间="2025-05-05 10:00", 入院时间="2025-05-01 08:00")]  # fmt: skip
    assert seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, *rows])).new == 3
    seeded.con.close()
    yield seeded.cfg.db_path
    seeded.con = duckdb.connect(str(seeded.cfg.db_path))  # the fixture closes it


@pytest.mark.slow
def test_spark_compute_stores_values_and_writes_parquet(db, tmp_path):
    run_hqd(db, "export", "parquet", "--out", str(tmp_path / "pq"), check=True)
    proc = run_hqd(db, "compute", "--period", "2025", "--indicator", "gk2.13", "--engine", "spark", "--source",
                   str(tmp_path / "pq"), "--conf", "spark.sql.shuffle.partitions=2", "--out", str(tmp_path / "values"),
                   check=True)  # fmt: skip
    assert "spark" in proc.stdout
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT engine FROM compute_runs").fetchall() == [("spark",)]
    stored = con.execute("SELECT org_code, org_level, numerator, denominator, value, status FROM indicator_values "
                         "WHERE status = 'ok' ORDER BY 1").fetchall()  # fmt: skip
    con.close()
    # 平均住院日 applies to secondary hospitals: only 乙县人民医院's B1, 2025-05-01 08:00 to 05-05 10:00 = 4 days,
    # for the hospital, its county, the city and the province
    assert stored == [
        (COUNTY, "institution", 4.0, 1.0, 4.0, "ok"),
        ("990000", "province", 4.0, 1.0, 4.0, "ok"),
        ("990100", "city", 4.0, 1.0, 4.0, "ok"),
        ("990121", "county", 4.0, 1.0, 4.0, "ok"),
    ]
    written = duckdb.sql(
        f"SELECT org_code, org_level, numerator, denominator, value, status FROM read_parquet('{tmp_path}/values/**/*.parquet') "
        "WHERE status = 'ok' ORDER BY 1").fetchall()  # fmt: skip
    assert written == stored


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engine", "spark"], "needs --source DIR"),
        (["--engine", "spark", "--source", "{tmp}"], "is not an `hqd export parquet` directory"),
        (["--engine", "presto"], "--engine must be duckdb or spark"),
        (["--engine", "spark", "--source", "{tmp}", "--conf", "nonsense"], "--conf must be key=value"),
    ],
)
def test_user_errors_are_one_sentence(db, tmp_path, args, message):
    proc = run_hqd(db, "compute", "--period", "2025", *[a.format(tmp=tmp_path) for a in args])
    assert proc.returncode == 1 and message in proc.stderr and "Traceback" not in proc.stderr
