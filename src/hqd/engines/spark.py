"""The province-scale engine: Apache Spark over the Parquet export, running the same catalog SQL.

The catalog is written once in DuckDB's dialect; `compile` lets sqlglot transpile it to Spark SQL and then
rewrites, on the syntax tree, the few functions whose Spark translation would mean something else
(so the catalog is never forked per engine):

- `list(DISTINCT x)` becomes `collect_set(x)` (sqlglot gives `collect_list(DISTINCT …)`);
- `quantile_cont(x, q)` and `median(x)` become Spark's exact `percentile(x, q)` (linear interpolation, as
  DuckDB's; sqlglot's `percentile_cont(x, q)` does not exist as a function in Spark);
- `epoch(a - b)` (seconds between two timestamps) becomes a difference of `unix_micros` (sqlglot's
  `unix_timestamp(a - b)` does not run), and `date_diff('hour', a, b)` counts unit boundaries crossed,
  as DuckDB does, where Spark's `datediff(HOUR, …)` counts whole units elapsed;
- `arg_max(x, k)` skips rows whose x is NULL, as DuckDB's does (Spark's `max_by` returns that NULL);
- `a / b` is floating-point division, as in DuckDB (Spark divides two decimals as a decimal);
- `count_if`, `count(DISTINCT …)`, `sum`, `bool_or`, `any_value`, `GROUP BY ALL`, grouping sets and
  `?` parameters carry over as they are.

Canonical tables are temporary views over the Parquet directories of `hqd export parquet` (or of the staged
ingest); prepared populations are cached temporary views, so each is computed once per period.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from hqd.warehouse.parquet import MANIFEST, read_manifest

# Spark types for the columns of rows handed over from Python (temp_rows).
_SPARK_TYPES = {
    "VARCHAR": "STRING",
    "DOUBLE": "DOUBLE",
    "BIGINT": "BIGINT",
    "INTEGER": "INT",
    "BOOLEAN": "BOOLEAN",
}

# The settings a session needs for hqd, whatever the cluster: timestamps are read as written (no time
# zone shift), partition values stay text (region codes are codes, not numbers).
SESSION_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


def spark_session(master: str = "local[2]", conf: dict[str, str] | None = None):
    """A SparkSession for hqd. `conf` adds to (and overrides) spark-defaults.conf and HQD_SPARK_* defaults:
    on a cluster a user sets executor memory and cores there or with `--conf`."""
    from pyspark.sql import SparkSession

    settings = {
        "spark.driver.memory": os.environ.get("HQD_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.shuffle.partitions": os.environ.get("HQD_SPARK_SHUFFLE_PARTITIONS", "8"),
        **SESSION_CONF,
        **(conf or {}),
    }
    builder = SparkSession.builder.master(master).appName("hqd")
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _epoch_seconds(node: exp.Expression) -> exp.Expression:
    """Seconds since 1970 (or between two timestamps, for `epoch(a - b)`) as DOUBLE, like DuckDB's epoch."""

    def micros(e: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="unix_micros", expressions=[exp.cast(e, "TIMESTAMP")])

    if isinstance(node, exp.Sub):
        diff: exp.Expression = exp.Sub(this=micros(node.this), expression=micros(node.expression))
    else:
        diff = micros(node)
    return exp.Div(this=exp.cast(exp.Paren(this=diff), "DOUBLE"), expression=exp.Literal.number(1000000))


_UNIT_MICROS = {"second": 10**6, "minute": 60 * 10**6, "hour": 3600 * 10**6, "day": 86400 * 10**6}


def _date_diff(unit: str, start: exp.Expression, end: exp.Expression) -> exp.Expression:
    """DuckDB's date_diff: the number of unit boundaries between start and end."""
    step = _UNIT_MICROS.get(unit.lower())
    if step is None:  # months, years …: Spark's own function counts the same calendar boundaries
        return exp.Anonymous(this="datediff", expressions=[exp.var(unit.upper()), start, end])

    def trunc(e: exp.Expression) -> exp.Expression:
        return exp.Anonymous(
            this="unix_micros",
            expressions=[
                exp.Anonymous(
                    this="date_trunc", expressions=[exp.Literal.string(unit), exp.cast(e, "TIMESTAMP")]
                )
            ],
        )

    return exp.IntDiv(
        this=exp.Paren(this=exp.Sub(this=trunc(end), expression=trunc(start))),
        expression=exp.Literal.number(step),
    )


def _rewrite(node: exp.Expression) -> exp.Expression:
    """DuckDB functions whose sqlglot translation to Spark would not run or would mean something else.

    A replaced node's children are not visited again by `transform`, so the parts kept are rewritten here."""

    def sub(e: exp.Expression) -> exp.Expression:
        return e.transform(_rewrite)

    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Distinct):
        return exp.Anonymous(this="collect_set", expressions=[sub(e) for e in node.this.expressions])
    if isinstance(node, exp.Median):
        return exp.Anonymous(this="percentile", expressions=[sub(node.this), exp.Literal.number("0.5")])
    if (
        isinstance(node, (exp.PercentileCont, exp.Quantile))
        and node.args.get("quantile", node.args.get("expression")) is not None
    ):
        q = node.args.get("quantile", node.args.get("expression"))
        return exp.Anonymous(this="percentile", expressions=[sub(node.this), sub(q)])
    if isinstance(node, exp.Anonymous) and node.name.lower() == "epoch" and node.expressions:
        return _epoch_seconds(sub(node.expressions[0]))
    if isinstance(node, exp.TimeToUnix):
        return _epoch_seconds(sub(node.this))
    if isinstance(node, (exp.DateDiff, exp.TimestampDiff)):
        unit = node.args.get("unit")
        name = unit.name if unit is not None else "day"
        return _date_diff(name, sub(node.expression), sub(node.this))
    if isinstance(node, exp.ArgMax):
        value, key = sub(node.this), sub(node.expression)
        guarded = exp.Case(
            ifs=[exp.If(this=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())), true=key)]
        )
        return exp.ArgMax(this=value, expression=guarded)
    if isinstance(node, exp.Div):
        return exp.Div(this=exp.cast(sub(node.this), "DOUBLE"), expression=sub(node.expression))
    return node


def to_spark(sql: str) -> str:
    """Transpile one DuckDB statement to Spark SQL, with the rewrites above."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_rewrite).sql(dialect="spark")


class SparkEngine:
    """The engine interface of DuckDBEngine (compile, temp_table, temp_view, temp_rows, rows, execute) on Spark."""

    dialect = "spark"
    name = "spark"

    def __init__(self, spark, source: str | Path | None = None) -> None:
        self.spark = spark
        self.source = source
        self.tables: list[str] = []
        if source is not None:
            self.register_parquet(source)

    def _manifest(self, source: str) -> dict:
        """The export's manifest: read here when the path is local, through Spark when it is a cluster's
        (hdfs://, s3a://, …), which this machine may not see."""
        if "://" not in source:
            return read_manifest(Path(source))
        try:
            text = self.spark.read.text(f"{source}/{MANIFEST}", wholetext=True).first()[0]
        except Exception:  # Spark's AnalysisException: the path does not exist
            raise FileNotFoundError(
                f"{source} 不是 hqd export parquet 的输出目录（缺少 {MANIFEST}） / {source} is not an "
                f"`hqd export parquet` directory (no {MANIFEST})"
            ) from None
        return json.loads(text)

    def register_parquet(self, source: str | Path) -> None:
        """A temporary view per table directory of an export (or a staged ingest)."""
        root = str(source).rstrip("/")
        for table in self._manifest(root)["rows"]:
            path = f"{root}/{table}"
            if "://" not in root and not Path(path).is_dir():
                raise FileNotFoundError(
                    f"{path} 不存在（清单中有表 {table}） / {path} is missing (the manifest lists {table})"
                )
            self.spark.read.option("basePath", path).parquet(path).createOrReplaceTempView(table)
            self.tables.append(table)

    def compile(self, sql: str) -> str:
        return to_spark(sql)

    def _drop(self, name: str) -> None:
        if self.spark.catalog.tableExists(name):
            self.spark.catalog.dropTempView(name)  # uncaches it too

    def temp_table(self, name: str, sql: str) -> None:
        """A cached view: computed once, on first use, and kept in executor memory (spilling to disk)."""
        self._drop(name)
        frame = self.spark.sql(self.compile(sql))
        frame.persist()
        frame.createOrReplaceTempView(name)

    def temp_view(self, name: str, sql: str) -> None:
        self._drop(name)
        self.spark.sql(self.compile(sql)).createOrReplaceTempView(name)

    def temp_rows(self, name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
        """A small table of rows made in Python (catalog metadata), as a view over SQL literals: no Python
        worker runs on the executors, so a cluster's nodes need no hqd installed."""
        self._drop(name)
        typed = ", ".join(f"CAST(c{i} AS {_SPARK_TYPES[t]}) AS `{c}`" for i, (c, t) in enumerate(columns))
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        if rows:
            values = ", ".join("(" + ", ".join(exp.convert(v).sql("spark") for v in r) + ")" for r in rows)
            sql = f"SELECT {typed} FROM VALUES {values} AS t({names})"
        else:
            nulls = ", ".join(f"NULL AS c{i}" for i in range(len(columns)))
            sql = f"SELECT {typed} FROM (SELECT {nulls}) WHERE false"
        self.spark.sql(sql).createOrReplaceTempView(name)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        frame = (
            self.spark.sql(self.compile(sql), args=list(params))
            if params
            else self.spark.sql(self.compile(sql))
        )
        return [tuple(r) for r in frame.collect()]

    def execute(self, sql: str, params: list[Any] | None = None) -> None:
        self.rows(sql, params)
