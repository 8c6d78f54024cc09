"""`hqd compute --engine spark`: the catalog on a Spark session over Parquet, stored like a DuckDB compute.

The values are computed on Spark and stored into the warehouse by the same code path as a DuckDB compute
(`compute_period`), so no indicator is written twice; `--out DIR` also writes the run's values as Parquet
(`DIR/indicator_values/period=P/`) for a province's own data lake.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from hqd.indicators.compute import compute_period
from hqd.indicators.runner import RunResult


class EngineUnavailable(RuntimeError):
    """Spark cannot start here (pyspark or Java missing) or the source is not an export; said in one sentence."""


def parse_conf(pairs: list[str]) -> dict[str, str]:
    """`--conf key=value` options (as spark-submit takes them) into a dict; a malformed one is named."""
    conf = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise EngineUnavailable(f"--conf 须为 key=value：{pair!r} / --conf must be key=value: {pair!r}")
        conf[key.strip()] = value.strip()
    return conf


def spark_engine(source: str, master: str, conf: dict[str, str]):
    """A SparkEngine over an export directory (a local path, or a cluster's hdfs://, s3a:// … URI), or
    EngineUnavailable saying why not. A local directory is checked before Spark starts."""
    from hqd.warehouse.parquet import read_manifest

    if "://" not in source:
        try:
            read_manifest(Path(source))
        except FileNotFoundError as exc:
            raise EngineUnavailable(str(exc)) from None
    try:
        from hqd.engines.spark import SparkEngine, spark_session
    except ImportError:
        raise EngineUnavailable(
            "未安装 pyspark，请运行 make setup / pyspark is not installed; run `make setup`"
        ) from None
    try:
        session = spark_session(master, conf)
    except Exception as exc:  # the JVM failed to start: Java missing or a bad master URL
        raise EngineUnavailable(
            f"无法启动 Spark（{master}）：{str(exc).splitlines()[0]} / Spark could not start on {master}: "
            "is Java 17 installed (openjdk-17-jre-headless) and the master reachable?"
        ) from None
    try:
        return SparkEngine(session, source)
    except FileNotFoundError as exc:
        session.stop()
        raise EngineUnavailable(str(exc)) from None


def compute_on_spark(
    con: duckdb.DuckDBPyConnection,
    periods: list[str],
    source: str,
    master: str = "local[2]",
    conf: dict[str, str] | None = None,
    only: list[str] | None = None,
) -> list[RunResult]:
    """Compute each period on one Spark session and store the values into the warehouse `con`."""
    engine = spark_engine(source, master, conf or {})
    try:
        return [compute_period(con, p, only=only, engine=engine) for p in periods]
    finally:
        engine.spark.stop()


def write_values_parquet(con: duckdb.DuckDBPyConnection, run: RunResult, out: Path) -> Path:
    """The values of one compute run as Parquet, one directory per period (replacing an earlier one)."""
    target = out / "indicator_values" / f"period={run.period}"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "part-0.parquet"
    con.execute(
        f"COPY (SELECT * EXCLUDE (period) FROM indicator_values WHERE run_id = {int(run.run_id or 0)}) "
        f"TO '{str(path).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)"
    )
    return path
