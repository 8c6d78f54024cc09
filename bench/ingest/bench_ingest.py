"""bench/ingest: `hqd load` of a 1,000,000-row GBK discharge CSV against DuckDB's own read_csv of the same file.

Both run as whole processes, side by side, alternating, several times; the script prints the median wall time
of each, the ratio, and each one's peak resident memory (from wait4's rusage). The baseline reads the bytes
as latin-1 into a table with no validation: DuckDB cannot decode GBK offline (its encodings extension is a
download), so this is the cheapest read DuckDB can do of this file.

    python bench/ingest/bench_ingest.py [--rows 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from machine import describe  # noqa: E402

OUT = HERE.parent / "out" / "ingest"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def prepare(rows: int) -> tuple[Path, Path]:
    from hqd.demo import generate, write_discharges_csv

    OUT.mkdir(parents=True, exist_ok=True)
    big = OUT / f"discharges_{rows}.csv"
    if not big.exists():
        t = time.perf_counter()
        write_discharges_csv(big, rows, seed=7, encoding="gbk")
        print(
            f"generated {big.name} ({big.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.0f} s"
        )
    seeded = OUT / "seeded.duckdb"
    if not seeded.exists():
        files = generate(OUT / "region", discharges=2000)
        env = {**os.environ, "HQD_DB": str(seeded), "HQD_SECRET": "bench"}
        hqd = [sys.executable, "-m", "hqd.cli"]
        subprocess.run([*hqd, "init"], env=env, check=True, capture_output=True)
        for f in files:
            if f.kind in ("regions", "institutions"):
                subprocess.run(
                    [*hqd, "load", f.kind, str(f.path), "--json"], env=env, check=True, capture_output=True
                )
    return big, seeded


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    big, seeded = prepare(args.rows)
    work = OUT / "work.duckdb"
    raw_db = OUT / "raw.duckdb"
    hqd_times, hqd_mem, raw_times, raw_mem = [], [], [], []
    baseline = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
        "c.execute(\"CREATE TABLE raw AS SELECT * FROM read_csv(?, encoding='latin-1', header=true)\", [sys.argv[2]])"
    )
    for _ in range(args.runs):
        for p in (work, raw_db):
            for q in (p, p.with_name(p.name + ".wal")):
                q.unlink(missing_ok=True)
        shutil.copy(seeded, work)
        env = {**os.environ, "HQD_DB": str(work), "HQD_SECRET": "bench"}
        subprocess.run([sys.executable, "-m", "hqd.cli", "init"], env=env, check=True, capture_output=True)
        t, m = run([sys.executable, "-m", "hqd.cli", "load", "discharges", str(big), "--json"], env)
        hqd_times.append(t)
        hqd_mem.append(m)
        t, m = run([sys.executable, "-c", baseline, str(raw_db), str(big)], dict(os.environ))
        raw_times.append(t)
        raw_mem.append(m)
    check = subprocess.run(
        [sys.executable, "-m", "hqd.cli", "imports", "--json", "--limit", "1"],
        env={**os.environ, "HQD_DB": str(work)},
        capture_output=True,
        text=True,
    ).stdout
    h, r = statistics.median(hqd_times), statistics.median(raw_times)
    print(f"machine: {describe()}")
    print(f"file: {big.name}, {args.rows:,} rows, {big.stat().st_size / 2**20:.0f} MiB GBK")
    print(f"last hqd import: {check.strip()[:300]}")
    print("| run | median wall s | runs | peak RSS MiB |")
    print("|---|---|---|---|")
    print(
        f"| hqd load discharges | {h:.2f} | {', '.join(f'{x:.2f}' for x in hqd_times)} | {max(hqd_mem):.0f} |"
    )
    print(
        f"| DuckDB read_csv (no validation) | {r:.2f} | {', '.join(f'{x:.2f}' for x in raw_times)} | "
        f"{max(raw_mem):.0f} |"
    )
    print(
        f"ratio hqd / DuckDB = {h / r:.2f}x (target ≤ 3x); hqd peak memory {max(hqd_mem) / 1024:.2f} GiB "
        f"(target < 2 GiB)"
    )


if __name__ == "__main__":
    main()
