"""The Spark compile step: the catalog's DuckDB SQL becomes Spark SQL that means the same thing.

These check the text sqlglot and the rewrites produce (a reviewable diff when sqlglot changes); what the
text computes on a real Spark session is checked in test_spark_semantics.py.
"""

from __future__ import annotations

import pytest

from hqd.engines.spark import to_spark

CASES = [
    # sqlglot's collect_list(DISTINCT …) becomes collect_set
    (
        "SELECT list(DISTINCT CASE WHEN x THEN y END) FROM t",
        "SELECT COLLECT_SET(CASE WHEN x THEN y END) FROM t",
    ),
    # medians and continuous quantiles: Spark's exact percentile (linear interpolation like DuckDB's)
    ("SELECT median(h) FROM t", "SELECT PERCENTILE(h, 0.5) FROM t"),
    ("SELECT quantile_cont(c, 0.25) FROM t", "SELECT PERCENTILE(c, 0.25) FROM t"),
    ("SELECT quantile_cont(c, [0.25, 0.75]) FROM t", "SELECT PERCENTILE(c, ARRAY(0.25, 0.75)) FROM t"),
    # seconds between two timestamps
    (
        "SELECT epoch(b - a) FROM t",
        "SELECT CAST((UNIX_MICROS(CAST(b AS TIMESTAMP)) - UNIX_MICROS(CAST(a AS TIMESTAMP))) AS DOUBLE) / 1000000 FROM t",
    ),
    # hour boundaries crossed, as DuckDB counts them
    (
        "SELECT date_diff('hour', a, b) FROM t",
        "SELECT (UNIX_MICROS(DATE_TRUNC('HOUR', CAST(b AS TIMESTAMP))) - UNIX_MICROS(DATE_TRUNC('HOUR', "
        "CAST(a AS TIMESTAMP)))) DIV 3600000000 FROM t",
    ),
    # arg_max skips NULL values as DuckDB's does
    ("SELECT arg_max(v, p) FROM t", "SELECT MAX_BY(v, CASE WHEN NOT v IS NULL THEN p END) FROM t"),
    # division is floating-point, also of two decimals
    ("SELECT deaths * 1.0 / cases FROM t", "SELECT CAST(deaths * 1.0 AS DOUBLE) / cases FROM t"),
    # carried over as they are
    (
        "SELECT count_if(a AND b), count(DISTINCT d) FROM t GROUP BY ALL",
        "SELECT COUNT_IF(a AND b), COUNT(DISTINCT d) FROM t GROUP BY ALL",
    ),
    ("SELECT x FROM t WHERE e = ?", "SELECT x FROM t WHERE e = ?"),
    (
        "SELECT * FROM t WHERE ts >= TIMESTAMP '2024-01-01 00:00:00'",
        "SELECT * FROM t WHERE ts >= CAST('2024-01-01 00:00:00' AS TIMESTAMP_NTZ)",
    ),
]


@pytest.mark.parametrize(("duckdb_sql", "spark_sql"), CASES)
def test_duckdb_sql_compiles_to_spark_sql_with_the_same_meaning(duckdb_sql: str, spark_sql: str) -> None:
    assert to_spark(duckdb_sql) == spark_sql


def test_rewrites_reach_inside_other_rewrites() -> None:
    """A median of a division inside a list: every level is rewritten, not only the outermost."""
    assert to_spark("SELECT median(CASE WHEN v THEN epoch(b - a) / 3600.0 END) FROM t") == (
        "SELECT PERCENTILE(CASE WHEN v THEN CAST(CAST((UNIX_MICROS(CAST(b AS TIMESTAMP)) - "
        "UNIX_MICROS(CAST(a AS TIMESTAMP))) AS DOUBLE) / 1000000 AS DOUBLE) / 3600.0 END, 0.5) FROM t"
    )
