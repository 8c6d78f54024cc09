"""`hqd stage`: a province's files (many hospitals × months) validated in parallel into Parquet staging.

A province sends thousands of files; loading them one transaction after another into one DuckDB file
would take a day and one machine's disk. Staging runs the same loader (`load_file`: the same reading,
validation, quarantine and accounting, read = new + updated + unchanged + quarantined + duplicate) on
each file in its own process, against its own scratch warehouse that holds the reference data (regions,
institutions, code lists) from the main warehouse, and writes what the file stored as Parquet
partitioned by year and region, the layout `hqd export parquet` writes and `hqd compute --engine spark`
reads. Each file's import record and quarantined rows are staged beside the data (`_imports/`,
`_quarantine/`), under import ids that follow the main warehouse's.

A natural key sent in two files (a hospital's corrected resend) is kept from the later import only, as
`hqd load` would update it: when the staging is finished the partitions concerned are rewritten without
the older rows, and the summary counts them per file as replaced.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from hqd.ingest.spec import load_kind
from hqd.ingest.summary import Reason, Summary
from hqd.warehouse import migrate
from hqd.warehouse.parquet import MANIFEST, PARTITIONED, canonical_tables, write_table

# Reference data every file is checked against; staged as they are in the main warehouse.
REFERENCE = ("regions", "institutions", "codes_icd10", "codes_icd9cm3", "codes_drg")


@dataclass
class StageResult:
    out: Path
    summaries: list[Summary]
    replaced: dict[int, int] = field(default_factory=dict)  # import id -> rows a later import replaced

    @property
    def all_add_up(self) -> bool:
        return all(s.adds_up for s in self.summaries)


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _worker(kind: str, path: str, import_id: int, reference: str, out: str, secret: bytes) -> dict:
    """One file in its own scratch warehouse: load it, then stage what it stored. Runs in a child process."""
    from hqd.config import Settings
    from hqd.ingest.load import load_file
    from hqd.warehouse.connection import connect

    work = Path(out) / "_work"
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"import-{import_id}.duckdb"
    db.unlink(missing_ok=True)
    con = connect(Settings(db_path=db, memory_limit=os.environ.get("HQD_MEMORY_LIMIT", "1GB"), threads=1))
    try:
        migrate.upgrade(con)
        for table in REFERENCE:
            con.execute(
                f"INSERT INTO {table} SELECT * FROM read_parquet('{_q(Path(reference) / table)}/*.parquet')"
            )
        # import ids follow the main warehouse's, so every staged row points at its own import
        con.execute(f"DROP SEQUENCE import_id_seq; CREATE SEQUENCE import_id_seq START {import_id}")
        summary = load_file(con, kind, Path(path), secret=secret)
        spec = load_kind(kind)
        if summary.status == "accepted" and summary.import_id is not None:
            mine = f"t.import_id = {summary.import_id}"
            for table in (spec.table, *(r.table for r in spec.repeats)):
                # a table this file stored nothing in gets no file (partitions and loose files cannot mix)
                if con.execute(f"SELECT count(*) FROM {table} t WHERE {mine}").fetchone()[0]:
                    write_table(con, table, Path(out) / table, mine, prefix=f"import-{summary.import_id}-")
        for table in ("imports", "quarantine"):
            target = Path(out) / f"_{table}" / f"import-{summary.import_id}.parquet"
            target.parent.mkdir(exist_ok=True)
            con.execute(f"COPY (SELECT * FROM {table}) TO '{_q(target)}' (FORMAT parquet)")
        return asdict(summary)
    finally:
        con.close()
        db.unlink(missing_ok=True)
        Path(str(db) + ".wal").unlink(missing_ok=True)


def _next_import_id(con: duckdb.DuckDBPyConnection, out: Path) -> int:
    """After the main warehouse's imports and any staged before into the same directory."""
    highest = con.execute("SELECT coalesce(max(import_id), 0) FROM imports").fetchone()[0]
    staged = list((out / "_imports").glob("*.parquet"))
    if staged:
        files = ", ".join(f"'{_q(p)}'" for p in staged)
        highest = max(
            highest,
            duckdb.sql(f"SELECT coalesce(max(import_id), 0) FROM read_parquet([{files}])").fetchall()[0][0],
        )
    return highest + 1


def stage_files(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    files: list[Path],
    out: Path,
    *,
    secret: bytes,
    jobs: int = 2,
    on_summary: Callable[[Summary], None] | None = None,
) -> StageResult:
    """Stage `files` of one kind under `out`, `jobs` files at a time; the main warehouse `con` gives the
    reference data and the import ids and is not written."""
    out.mkdir(parents=True, exist_ok=True)
    reference = out / "_reference"
    for table in REFERENCE:  # the reference data as of this staging: also what Spark joins with
        for target in (reference / table, out / table):
            shutil.rmtree(target, ignore_errors=True)
            write_table(con, table, target)
    first = _next_import_id(con, out)
    summaries = []
    # spawned, not forked: the parent holds DuckDB's threads, which a fork would copy mid-state
    with ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = [
            pool.submit(_worker, kind, str(path), first + i, str(reference), str(out), secret)
            for i, path in enumerate(files)
        ]
        for future in as_completed(futures):
            raw = future.result()
            summary = Summary(**{**raw, "reasons": [Reason(**r) for r in raw["reasons"]]})
            summaries.append(summary)
            if on_summary:
                on_summary(summary)
    shutil.rmtree(out / "_work", ignore_errors=True)
    summaries.sort(key=lambda s: s.import_id or 0)
    replaced = _keep_latest(out, kind)
    _write_manifest(con, out)
    return StageResult(out, summaries, replaced)


def _keep_latest(out: Path, kind: str) -> dict[int, int]:
    """Rows whose key a later import also staged are dropped (with their child rows), partition by partition."""
    spec = load_kind(kind)
    table_dir = out / spec.table
    if not any(table_dir.rglob("import-*.parquet")):
        return {}
    keys = ", ".join(spec.key)
    glob = f"{_q(table_dir)}/**/*.parquet"
    older = duckdb.sql(
        f"SELECT {keys}, import_id FROM read_parquet('{glob}', hive_partitioning = true) "
        f"QUALIFY import_id < max(import_id) OVER (PARTITION BY {keys})"
    ).to_arrow_table()
    if older.num_rows == 0:
        return {}
    counts = {}
    scratch = duckdb.connect()
    scratch.register("older", older)
    for r in scratch.execute("SELECT import_id, count(*) FROM older GROUP BY ALL").fetchall():
        counts[int(r[0])] = int(r[1])
    for table in (spec.table, *(r.table for r in spec.repeats)):
        for part in sorted({p.parent for p in (out / table).rglob("import-*.parquet")}):
            files = sorted(part.glob("*.parquet"))
            listing = ", ".join(f"'{_q(p)}'" for p in files)
            keep = f"NOT EXISTS (SELECT 1 FROM older o WHERE {' AND '.join(f'o.{k} = t.{k}' for k in spec.key)} AND o.import_id = t.import_id)"
            fresh = part / "merged.tmp"
            scratch.execute(
                f"COPY (SELECT * FROM read_parquet([{listing}], hive_partitioning = false) t WHERE {keep}) TO '{_q(fresh)}' (FORMAT parquet)"
            )
            for p in files:
                p.unlink()
            fresh.rename(part / "import-merged.parquet")
    scratch.close()
    return counts


def _write_manifest(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    """The manifest Spark reads: every canonical table, an empty file with its columns where none is staged."""
    rows = {}
    for table in canonical_tables(con):
        target = out / table
        if not any(target.rglob("*.parquet")):
            write_table(con, table, target, "false")
        rows[table] = duckdb.sql(
            f"SELECT count(*) FROM read_parquet('{_q(target)}/**/*.parquet')"
        ).fetchall()[0][0]
    manifest = {
        "staged": True,
        "schema_version": migrate.current_version(con),
        "partitioned_by": {t: ["year", "region"] for t in rows if t in PARTITIONED},
        "rows": rows,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
