"""`hqd export parquet`: the warehouse's canonical tables as Parquet, the layout Spark reads.

Fact tables are partitioned Hive-style by year and region (`discharges/year=2024/region=330102/…`), so a
province's data splits into files a cluster reads in parallel and a year's compute skips the other years.
A discharge's diagnoses and procedures sit in the partition of their discharge. Small tables (regions,
institutions, code lists, ratings …) are one file each. Ingest bookkeeping (imports, quarantine) and
computed outputs (indicator values, scores, EWS runs) are not canonical data and stay in the warehouse;
EWS signals are, because the response-time indicators count them.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from hqd.catalog import catalog_version
from hqd.warehouse import migrate

# Tables that are not canonical data: ingest bookkeeping and the outputs computed from the data.
NOT_EXPORTED = {
    "imports", "quarantine", "import_duplicates", "reported_values_history", "schema_migrations",
    "compute_runs", "indicator_values", "score_runs", "scores", "score_items", "target_evaluations",
    "ews_runs", "ews_signal_decisions",
}  # fmt: skip

# table -> (FROM clause with the table as t, year expression, region expression). A table not named here is
# written as one file.
_INST = "LEFT JOIN institutions i ON i.org_code = t.org_code"
_OF_DISCHARGE = (
    "{table} t LEFT JOIN discharges d ON d.org_code = t.org_code AND d.mrn = t.mrn AND "
    "d.admission_no = t.admission_no " + _INST
)
PARTITIONED: dict[str, tuple[str, str, str]] = {
    "discharges": (f"discharges t {_INST}", "year(t.discharge_time)", "i.region_code"),
    "discharge_diagnoses": (_OF_DISCHARGE.format(table="discharge_diagnoses"), "year(d.discharge_time)", "i.region_code"),
    "discharge_procedures": (_OF_DISCHARGE.format(table="discharge_procedures"), "year(d.discharge_time)", "i.region_code"),
    "reported_values": (f"reported_values t {_INST}", "left(t.period, 4)", "coalesce(i.region_code, t.org_code)"),
    "claims": ("claims t", "year(t.settle_date)", "t.insured_region"),
    "referrals": ("referrals t LEFT JOIN institutions i ON i.org_code = t.from_org", "year(t.referral_date)", "i.region_code"),
    "centre_cases": (f"centre_cases t {_INST}", "year(t.door_time)", "i.region_code"),
    "idr_cases": ("idr_cases t", "year(t.report_date)", "t.residence_code"),
    "ews_signals": ("ews_signals t", "year(t.created_at)", "t.region_code"),
}  # fmt: skip

# Not starting with "_" or ".": Spark and Hadoop skip such files as hidden when reading by URI.
MANIFEST = "hqd-export.json"


@dataclass
class ExportResult:
    out: Path
    tables: dict[str, int]  # table -> rows written


def canonical_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every base table of the warehouse except bookkeeping and outputs (new tables are exported as they come)."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
    ]
    return [n for n in names if n not in NOT_EXPORTED]


def write_table(
    con: duckdb.DuckDBPyConnection, table: str, target: Path, where: str = "true", prefix: str = "part-"
) -> int:
    """Write the rows of `table` matching `where` under `target`: partitioned by year and region when the
    table is a fact table and has such rows, else one file (an empty table still gets one, so its columns
    are known to the reader). Files are named `<prefix><i>.parquet`, so writers with different prefixes can
    add to the same partitions. Returns the rows written."""
    n = con.execute(f"SELECT count(*) FROM {table} t WHERE {where}").fetchone()[0]
    target.mkdir(parents=True, exist_ok=True)
    spec = PARTITIONED.get(table)
    if spec is None or n == 0:
        con.execute(
            f"COPY (SELECT * FROM {table} t WHERE {where}) TO '{_q(target / f'{prefix}0.parquet')}' (FORMAT parquet)"
        )
        return n
    source, year, region = spec
    con.execute(
        f"COPY (SELECT t.*, CAST({year} AS VARCHAR) AS year, coalesce({region}, 'unknown') AS region "
        f"FROM {source} WHERE {where}) TO '{_q(target)}' "
        f"(FORMAT parquet, PARTITION_BY (year, region), OVERWRITE_OR_IGNORE, FILENAME_PATTERN '{prefix}{{i}}')"
    )
    return n


def export_parquet(con: duckdb.DuckDBPyConnection, out: Path) -> ExportResult:
    """Write every canonical table under `out` (replacing an earlier export there) and a manifest."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for table in canonical_tables(con):
        target = out / table
        if target.exists():
            shutil.rmtree(target)
        counts[table] = write_table(con, table, target)
    manifest = {
        "exported_at": datetime.now().isoformat(timespec="seconds"),
        "schema_version": migrate.current_version(con),
        "catalog_version": catalog_version(),
        "partitioned_by": {t: ["year", "region"] for t in counts if t in PARTITIONED and counts[t]},
        "rows": counts,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return ExportResult(out, counts)


def read_manifest(source: Path) -> dict:
    """The manifest of an export directory; a directory without one is refused by name."""
    path = source / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(
            f"{source} 不是 hqd export parquet 的输出目录（缺少 {MANIFEST}） / {source} is not an "
            f"`hqd export parquet` directory (no {MANIFEST})"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _q(path: Path) -> str:
    return str(path).replace("'", "''")
