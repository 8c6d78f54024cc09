"""bench/spark: the whole catalog for one year over 10,000,000 and 50,000,000 discharges, on DuckDB and on
Spark local[2], on this machine.

The data is built cheaply, not through the CSV path: the demo region (every kind of file) is generated with
100,000 discharges and loaded by `hqd load`; then its discharges, with their diagnoses and procedures, are
copied in SQL under new 病案号 (`<mrn>~<k>`) until the warehouse holds N. The copies keep the demo's
distributions (hospitals, months, case mix), so every indicator has the same work to do as on real data of
that size. Each engine runs in its own process: DuckDB computes on the warehouse file; Spark reads the
`hqd export parquet` directory (the export is timed apart) and stores into a copy of the warehouse. The
script checks that both store the same numerators, denominators and values (relative tolerance 1e-9),
and prints wall time and peak memory (resident memory of the process and its children, the JVM
included, sampled every 0.2 s).

    python bench/spark/bench_spark.py [--discharges 10000000 50000000] [--year 2025]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from machine import describe  # noqa: E402

OUT = HERE.parent / "out" / "spark"
BASE = 100_000
SPARK_CONF = {"spark.driver.memory": "12g", "spark.sql.shuffle.partitions": "16",
              "spark.driver.maxResultSize": "2g", "spark.local.dir": str(OUT / "spark-tmp")}  # fmt: skip
DUCKDB_MEMORY = "12GB"  # the same as Spark's driver (local mode: the executors run inside it)


def env_for(db: Path) -> dict[str, str]:
    return {**os.environ, "HQD_DB": str(db), "HQD_SECRET": "bench", "HQD_MEMORY_LIMIT": DUCKDB_MEMORY}


def base_warehouse() -> Path:
    """The demo region, every kind, 100,000 discharges, loaded through the real loaders (made once)."""
    db = OUT / "base.duckdb"
    if db.exists():
        return db
    from hqd.demo import generate

    OUT.mkdir(parents=True, exist_ok=True)
    hqd = [sys.executable, "-m", "hqd.cli"]
    subprocess.run([*hqd, "init"], env=env_for(db), check=True, capture_output=True)
    for f in generate(OUT / "region", discharges=BASE):
        subprocess.run([*hqd, "load", f.kind, str(f.path), "--json"], env=env_for(db), check=True,
                       capture_output=True)  # fmt: skip
    return db


def build(n: int) -> Path:
    """A copy of the base warehouse whose discharges are multiplied in SQL to exactly n."""
    import duckdb

    db = OUT / f"w{n}.duckdb"
    if db.exists():
        return db
    tmp = db.with_suffix(".building")
    shutil.copy(base_warehouse(), tmp)
    con = duckdb.connect(str(tmp))
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    base = con.execute("SELECT count(*) FROM discharges").fetchone()[0]
    copies, rest = divmod(n, base)
    con.execute(
        "CREATE TEMP TABLE src AS SELECT org_code, mrn, admission_no, row_number() OVER "
        "(ORDER BY org_code, mrn, admission_no) AS i FROM discharges"
    )
    # copies 1 … copies-1 whole, then copy `copies` of the first `rest` discharges: one statement each
    for table in ("discharges", "discharge_diagnoses", "discharge_procedures"):
        for k_range, keep in (
            (f"range(1, {copies})", "true"),
            (f"range({copies}, {copies + 1})", f"s.i <= {rest}"),
        ):
            con.execute(
                f"INSERT INTO {table} SELECT t.* REPLACE (t.mrn || '~' || CAST(r.k AS VARCHAR) AS mrn) "
                f"FROM {table} t JOIN src s ON s.org_code = t.org_code AND s.mrn = t.mrn AND "
                f"s.admission_no = t.admission_no CROSS JOIN {k_range} r(k) WHERE {keep}"
            )
        print(f"  {table} copied", flush=True)
    have = con.execute("SELECT count(*) FROM discharges").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    if have != n:
        raise SystemExit(f"built {have:,} discharges, not {n:,}")
    tmp.rename(db)
    return db


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (the JVM a PySpark process starts)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
        todo.extend(children.get(p, []))
    return total


def run_child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, peak MiB of the process tree, stdout) of one child run."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__)), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, errors = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{args[:2]} failed: {errors[-3000:]}")
    return time.perf_counter() - start, peak[0] / 2**20, out


def child(mode: str, db: Path, year: str, source: Path) -> dict:
    from hqd.warehouse.connection import connect

    con = connect()
    if mode == "export":
        from hqd.warehouse.parquet import export_parquet

        return export_parquet(con, source).tables
    from hqd.indicators.compute import compute_period

    if mode == "duckdb":
        run = compute_period(con, year)
    else:
        from hqd.engines.spark import SparkEngine, spark_session

        engine = SparkEngine(spark_session("local[2]", SPARK_CONF), source)
        run = compute_period(con, year, engine=engine)
        engine.spark.stop()
    rows = con.execute("SELECT indicator_id, org_code, org_level, numerator, denominator, value, status "
                       "FROM indicator_values WHERE run_id = ?", [run.run_id]).fetchall()  # fmt: skip
    return {"|".join(r[:3]): list(r[3:]) for r in rows}


def differ(a: dict, b: dict) -> list[str]:
    def same(x: object, y: object) -> bool:
        if isinstance(x, float) and isinstance(y, float):
            return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        return x == y

    keys = set(a) | set(b)
    return [
        k
        for k in sorted(keys)
        if not all(same(x, y) for x, y in zip(a.get(k, [0] * 4), b.get(k, [1] * 4), strict=True))
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--discharges", type=int, nargs="+", default=[10_000_000, 50_000_000])
    parser.add_argument("--year", default="2025")
    parser.add_argument("--child")
    parser.add_argument("--db")
    parser.add_argument("--source")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, Path(args.db), args.year, Path(args.source))))
        return
    print(f"machine: {describe()}; Spark {SPARK_CONF}; DuckDB memory_limit {DUCKDB_MEMORY}", flush=True)
    print("| discharges | run | wall s | peak RSS MiB |\n|---|---|---|---|", flush=True)
    for n in args.discharges:
        t = time.perf_counter()
        db = build(n)
        print(
            f"| {n:,} | build (copies in SQL, not timed against anything) | {time.perf_counter() - t:.0f} | |",
            flush=True,
        )
        source = OUT / f"parquet{n}"
        spark_db = db.with_name(f"w{n}.spark.duckdb")
        shutil.copy(db, spark_db)
        runs = {}
        for mode, target in (("duckdb", db), ("export", db), ("spark", spark_db)):
            wall, peak, out = run_child(
                ["--child", mode, "--db", str(target), "--year", args.year, "--source", str(source)],
                env_for(target),
            )
            runs[mode] = json.loads(out)
            label = {
                "duckdb": "DuckDB compute",
                "export": "hqd export parquet",
                "spark": "Spark local[2] compute",
            }
            print(f"| {n:,} | {label[mode]} | {wall:.1f} | {peak:,.0f} |", flush=True)
        bad = differ(runs["duckdb"], runs["spark"])
        print(f"{n:,}: {len(runs['duckdb']):,} values on DuckDB, {len(runs['spark']):,} on Spark: "
              f"{'identical' if not bad else f'{len(bad)} differ, e.g. {bad[:5]}'}", flush=True)  # fmt: skip
        spark_db.unlink()


if __name__ == "__main__":
    main()
