"""bench/indicators: the 病案首页 indicators for one year over 10,000,000 discharges, three ways.

hqd (the catalog compiled and run by the engine), hand-written DuckDB SQL for the same indicators, and
pandas; each runs in its own process on the same warehouse file, the script checks the three agree on
every numerator and denominator, and prints wall time, ratios and peak memory.

    python bench/indicators/bench_indicators.py [--discharges 10000000] [--year 2025]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from machine import describe  # noqa: E402

OUT = HERE.parent / "out" / "indicators"
IDS = [
    "gk3.03",
    "gk3.04",
    "gk3.05",
    "gk3.06",
    "gk3.08",
    "gk3.09",
    "gk3.14",
    "gk2.01",
    "gk2.02",
    "gk2.03",
    "gk2.04",
    "gk2.05",
    "gk2.13",
    "drg.groups",
    "drg.cmi",
    "drg.time_index",
    "drg.cost_index",
    "drg.low_risk_mortality",
]
IDS += [f"gk3.10.{d}.{m}" for d in ("ami", "hf", "cap_adult", "cap_child", "stroke", "copd", "hip", "knee", "cabg", "cs")
        for m in ("cases", "los", "cost", "mortality")]  # fmt: skip


def build(n: int) -> Path:
    """A warehouse with the demo region's institutions and code lists and n generated discharges."""
    from hqd.demo import generate, write_discharges_csv

    db = OUT / f"w{n}.duckdb"
    OUT.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HQD_DB": str(db), "HQD_SECRET": "bench", "HQD_MEMORY_LIMIT": "8GB"}
    hqd = [sys.executable, "-m", "hqd.cli"]
    fresh = not db.exists()
    subprocess.run([*hqd, "init"], env=env, check=True, capture_output=True)  # also upgrades an older build
    if fresh:
        for f in generate(OUT / "region", discharges=2000):
            if f.kind in ("regions", "institutions", "codes-icd9cm3", "codes-drg"):
                subprocess.run([*hqd, "load", f.kind, str(f.path), "--json"], env=env, check=True,
                               capture_output=True)  # fmt: skip
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    done = con.execute(
        "SELECT count(*) FROM imports WHERE kind = 'discharges' AND status = 'accepted'"
    ).fetchone()[0]
    con.close()
    chunk = 1_000_000
    for i in range(done * chunk, n, chunk):  # resumes an interrupted build
        part = OUT / "part.csv"
        write_discharges_csv(part, min(chunk, n - i), seed=1000 + i // chunk, encoding="gbk", serial_start=i)
        t = time.perf_counter()
        subprocess.run(
            [*hqd, "load", "discharges", str(part), "--json"], env=env, check=True, capture_output=True
        )
        print(f"loaded part {i // chunk + 1}: {time.perf_counter() - t:.0f} s", flush=True)
        part.unlink()
    con = duckdb.connect(str(db), read_only=True)
    have = con.execute("SELECT count(*) FROM discharges").fetchone()[0]
    con.close()
    if have != n:
        raise SystemExit(f"the warehouse holds {have:,} discharges, not {n:,}")
    return db


def run_child(mode: str, db: Path, year: str) -> tuple[float, float, dict]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__)), "--child", mode, "--db", str(db), "--year", year],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{mode} failed: {proc.stderr.read().decode()[-3000:]}")
    return time.perf_counter() - start, usage.ru_maxrss / 1024, json.loads(out)


def child(mode: str, db: Path, year: str) -> dict:
    if mode == "hqd-all":  # every indicator counted over discharges (single diseases, DRG, gk2 …): time only
        from hqd.config import settings
        from hqd.indicators.catalog import indicators
        from hqd.indicators.compute import compute_period
        from hqd.warehouse.connection import connect

        ids = [i.id for i in indicators() if i.numerator and i.status == "computed" and not i.growth_of
               and all(p is None or p.population == "discharges" for p in (i.numerator, i.denominator))]  # fmt: skip
        compute_period(connect(settings()), year, only=ids)
        return {"indicators": len(ids)}
    if mode == "hqd":
        from hqd.config import settings
        from hqd.indicators.compute import compute_period
        from hqd.warehouse.connection import connect

        con = connect(settings())
        compute_period(con, year, only=IDS)
        rows = con.execute(
            f"SELECT indicator_id, org_code, numerator, denominator FROM indicator_values "
            f"WHERE period = ? AND org_level = 'institution' AND indicator_id IN ({', '.join('?' * len(IDS))})",
            [year, *IDS]).fetchall()  # fmt: skip
        return {f"{i}|{o}": [n, d] for i, o, n, d in rows if n is not None or d is not None}
    if mode == "sql":
        from baseline_sql import compute as sql_compute

        return sql_compute(db, year)
    from baseline_pandas import compute as pandas_compute

    return pandas_compute(db, year)


def agree(a: dict, b: dict) -> list[str]:
    bad = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key, [None, None]), b.get(key, [None, None])
        for u, v in zip(x, y, strict=True):
            if not (
                (u in (None, 0) and v in (None, 0))
                or (u is not None and v is not None and abs(u - v) <= 1e-6 * max(1, abs(u)))
            ):
                bad.append(f"{key}: {x} vs {y}")
                break
    return bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--discharges", type=int, default=10_000_000)
    parser.add_argument("--year", default="2025")
    parser.add_argument("--child")
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        os.environ["HQD_DB"] = args.db
        os.environ.setdefault("HQD_MEMORY_LIMIT", "6GB")
        print(json.dumps(child(args.child, Path(args.db), args.year)))
        return
    db = build(args.discharges)
    results = {mode: run_child(mode, db, args.year) for mode in ("hqd", "sql", "pandas")}
    every = run_child("hqd-all", db, args.year)
    print(f"machine: {describe()}")
    print(f"{args.discharges:,} discharges; {len(IDS)} indicators: {', '.join(IDS[:18])} and the 40 单病种 measures; "
          f"year {args.year}")  # fmt: skip
    for mode in ("sql", "pandas"):
        bad = agree(results["hqd"][2], results[mode][2])
        print(
            f"hqd vs {mode}: {len(results['hqd'][2])} values, {'agree' if not bad else f'{len(bad)} differ'}"
        )
        for line in bad[:10]:
            print("   ", line)
    print("| run | wall s | peak RSS MiB |")
    print("|---|---|---|")
    for mode, (t, m, _) in results.items():
        print(f"| {mode} | {t:.1f} | {m:.0f} |")
    print(
        f"| hqd, all {every[2]['indicators']} discharge-based indicators | {every[0]:.1f} | {every[1]:.0f} |"
    )
    h, s, p = (results[m][0] for m in ("hqd", "sql", "pandas"))
    print(
        f"hqd / hand-written SQL = {h / s:.2f}x (target ≤ 1.5x); pandas / hqd = {p / h:.2f}x (target > 1); "
        f"hqd peak {results['hqd'][1] / 1024:.2f} GiB (target < 8 GiB)"
    )


if __name__ == "__main__":
    main()
