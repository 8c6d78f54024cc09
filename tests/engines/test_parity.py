"""Parity: every indicator computed on DuckDB and on Spark from the same data gives the same numerator,
denominator and value, for every institution and region.

The data is the demo region (generated, loaded through the real loaders, exported with `hqd export
parquet`), once as generated and once with what the demo does not exercise: DRG weights and risk levels
derived from the region's own costs and deaths (quantile_cont, ln, stddev) and early-warning signals
with response times (epoch arithmetic, median). Counts and texts must be equal; sums of floating-point
numbers may be added in another order on Spark, so numbers are compared with a relative tolerance of
1e-9 (a difference in any counted record shows at 1e-6 or more at this size).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from tests.conftest import Warehouse

from hqd.demo import generate
from hqd.engines.spark import SparkEngine
from hqd.indicators.catalog import indicators
from hqd.indicators.compute import compute_period
from hqd.warehouse.parquet import export_parquet

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]  # one worker holds the Spark session

COLUMNS = "numerator, denominator, value, value_text, unit, status, reason, note"
REL = 1e-9


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("parity")
    files = generate(root / "data", seed=20240101, discharges=5_000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(root / "hqd.duckdb"))
        mp.delenv("HQD_SECRET", raising=False)
        w = Warehouse(root)
        for f in files:
            assert w.load(f.kind, f.path).adds_up
        yield w
        w.con.close()


def values(w: Warehouse, period: str) -> dict[tuple[str, str, str], tuple]:
    return {
        (ind, org, level): rest
        for ind, org, level, *rest in w.rows(
            f"SELECT indicator_id, org_code, org_level, {COLUMNS} FROM indicator_values WHERE period = ?",
            [period],
        )
    }


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=REL, abs_tol=1e-12)
    return a == b


def both_engines(w: Warehouse, spark: object, period: str, export: Path) -> tuple[dict, dict]:
    compute_period(w.con, period)
    on_duckdb = values(w, period)
    export_parquet(w.con, export)
    run = compute_period(w.con, period, engine=SparkEngine(spark, export))
    assert w.one("SELECT engine FROM compute_runs WHERE run_id = ?", [run.run_id]) == "spark"
    return on_duckdb, values(w, period)


def assert_parity(on_duckdb: dict, on_spark: dict, min_ok: int) -> None:
    assert on_duckdb.keys() == on_spark.keys()
    differ = [
        (key, on_duckdb[key], on_spark[key])
        for key in sorted(on_duckdb)
        if not all(same(a, b) for a, b in zip(on_duckdb[key], on_spark[key], strict=True))
    ]
    assert differ == []
    # every indicator of the catalog is compared, and enough of them have values to mean something
    assert {k[0] for k in on_duckdb} == {i.id for i in indicators()}
    assert len({k[0] for k, v in on_duckdb.items() if v[5] == "ok"}) >= min_ok


# A year (every kind the demo reports) and a quarter (the demo's reported values are yearly, so fewer
# indicators have values there: those over discharges, claims and the monthly reports).
@pytest.mark.parametrize(("period", "min_ok"), [("2025", 140), ("2024Q3", 60)])
def test_the_demo_region_computes_identically_on_both_engines(demo, spark, tmp_path, period, min_ok):
    assert_parity(*both_engines(demo, spark, period, tmp_path / "export"), min_ok=min_ok)


def test_derived_drg_weights_and_signal_response_times_agree(demo, spark, tmp_path):
    """Weights for every other DRG and all risk levels derived from the region's data; signals with
    response times of hours and minutes, some never verified."""
    w = demo
    w.con.execute(
        "UPDATE codes_drg SET weight = CASE WHEN hash(drg_code) % 2 = 0 THEN NULL ELSE weight END, low_risk = NULL"
    )
    counties = [r[0] for r in w.rows("SELECT DISTINCT region_code FROM institutions ORDER BY 1")]
    sent = datetime(2025, 2, 1, 8, 30)
    for i in range(40):
        minutes = (i * 397) % (60 * 50)  # 0 to 50 hours
        verified = sent + timedelta(days=i, minutes=minutes) if i % 5 else None
        w.con.execute(
            "INSERT INTO ews_signals (signal_id, rule_id, disease, region_code, frequency, date_basis, window_start, "
            "time_point, observed, threshold, algorithm, parameters, run_id, catalog_version, created_at, status, "
            "verified_by, verified_at) VALUES (?, 'r', '水痘', ?, 'daily', 'onset', ?, ?, 5, 2, 'mpm', '{}', 1, 'x', "
            "?, ?, ?, ?)",
            [1000 + i, counties[i % len(counties)], (sent + timedelta(days=i - 7)).date(),
             (sent + timedelta(days=i)).date(), sent + timedelta(days=i), "verified" if verified else "new",
             "张三" if verified else None, verified],
        )  # fmt: skip
    on_duckdb, on_spark = both_engines(w, spark, "2025", tmp_path / "export")
    assert_parity(on_duckdb, on_spark, min_ok=140)
    notes = w.rows("SELECT notes FROM compute_runs ORDER BY run_id DESC LIMIT 1")[0][0]
    assert "derived" in notes  # the derived weights and risk levels were exercised
    medians = [v for k, v in on_spark.items() if k[0] == "ews.median_hours_to_verify" and v[5] == "ok"]
    assert medians
