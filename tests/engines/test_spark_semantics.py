"""What the compiled SQL computes on a real Spark session equals what DuckDB computes, and both equal the
values worked out by hand, for each function the compile step rewrites. The rows reach Spark as Parquet
written by DuckDB, as an export does (timestamps without a time zone stay as written)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from hqd.engines.duckdb import DuckDBEngine
from hqd.engines.spark import SparkEngine
from hqd.warehouse.parquet import export_parquet

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]  # one worker holds the Spark session

# (n, a, b, v, p)
ROWS = [
    (1, datetime(2025, 1, 1, 10, 59), datetime(2025, 1, 1, 11, 1), 1.0, "2025-01"),
    (2, datetime(2025, 1, 1, 10, 0), datetime(2025, 1, 2, 9, 30), None, "2025-03"),
    (2, datetime(2025, 1, 1, 0, 0), datetime(2025, 1, 1, 0, 0, 30), 3.0, "2025-02"),
    (3, datetime(2025, 6, 30, 23, 0), datetime(2025, 7, 1, 1, 0), 4.0, "2025-01"),
]


@pytest.fixture(scope="module")
def engines(spark, tmp_path_factory: pytest.TempPathFactory) -> tuple[DuckDBEngine, SparkEngine]:
    path = tmp_path_factory.mktemp("semantics") / "t.parquet"
    con = duckdb.connect()
    con.execute("CREATE TABLE t (n INTEGER, a TIMESTAMP, b TIMESTAMP, v DOUBLE, p VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", ROWS)
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    engine = SparkEngine(spark)
    spark.read.parquet(str(path)).createOrReplaceTempView("t")
    return DuckDBEngine(con), engine


def on_both(engines: tuple[DuckDBEngine, SparkEngine], sql: str) -> list[tuple]:
    on_duckdb, on_spark = (e.rows(sql) for e in engines)
    assert on_duckdb == on_spark
    return on_duckdb


def test_hours_between_timestamps(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    # 2 minutes, 23.5 hours, 30 seconds, 2 hours
    assert on_both(engines, "SELECT epoch(b - a) / 3600.0 FROM t ORDER BY a") == [
        (30 / 3600,), (23.5,), (2 / 60,), (2.0,)
    ]  # fmt: skip


def test_hour_boundaries_crossed_as_duckdb_counts_them(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    # 00:00:00→00:00:30 crosses none; 10:00→09:30 the next day 23; 10:59→11:01 one; 23:00→01:00 two
    assert on_both(engines, "SELECT date_diff('hour', a, b) FROM t ORDER BY a") == [(0,), (23,), (1,), (2,)]
    assert on_both(engines, "SELECT date_diff('day', a, b) FROM t ORDER BY a") == [(0,), (1,), (0,), (1,)]


def test_aggregates(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    (row,) = on_both(
        engines,
        "SELECT arg_max(v, p), list_sort(list(DISTINCT n)), median(v), quantile_cont(v, 0.25), "
        "count_if(v > 1), count(DISTINCT n), sum(n) / count(*), 1 / 2 FROM t",
    )
    # arg_max: the latest p with a value ('2025-03' has none) is '2025-02' → 3.0; v without NULL is
    # [1, 3, 4]: median 3, first quartile at position 0.5 → 1 + 0.5 × (3 − 1) = 2; sum(n) 8 over 4 rows
    assert row == (3.0, [1, 2, 3], 3.0, 2.0, 2, 3, 2.0, 0.5)


def test_parameters_are_bound_on_both(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    assert [e.rows("SELECT count(*) FROM t WHERE p = ?", ["2025-01"]) for e in engines] == [[(2,)], [(2,)]]


def test_rows_made_in_python_become_a_table_on_both(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    for e in engines:
        e.temp_rows("meta", (("code", "VARCHAR"), ("weight", "DOUBLE")), [("a", 1.5), ("b", None)])
    assert on_both(engines, "SELECT code, weight FROM meta ORDER BY code") == [("a", 1.5), ("b", None)]


def test_cached_tables_and_views_are_replaced(engines: tuple[DuckDBEngine, SparkEngine]) -> None:
    for sql in ("SELECT 1 AS x", "SELECT 2 AS x"):
        for e in engines:
            e.temp_table("c", sql)
            e.temp_view("w", "SELECT x + 1 AS y FROM c")
    assert on_both(engines, "SELECT x, (SELECT y FROM w) FROM c") == [(2, 3)]


def test_a_directory_that_is_not_an_export_is_refused_by_name(spark, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not an `hqd export parquet` directory"):
        SparkEngine(spark, tmp_path)


def test_an_export_is_read_by_uri_as_on_a_cluster(spark, seeded, tmp_path: Path) -> None:
    """hdfs:// and s3a:// exports are read through Spark itself; file:// takes the same path here."""
    export_parquet(seeded.con, tmp_path / "pq")
    engine = SparkEngine(spark, f"file://{tmp_path / 'pq'}")
    assert engine.rows("SELECT count(*), count(DISTINCT parent_code) FROM regions") == [
        (4, 2)
    ]  # 示例省 has no parent; 示例市 and its two districts have 2 between them
    with pytest.raises(FileNotFoundError, match="not an `hqd export parquet` directory"):
        SparkEngine(spark, f"file://{tmp_path}/nothing")
