"""bench/web: latency of the scorecard and explorer APIs at 20 concurrent clients, on a warehouse of
10,000,000 discharges, against a real `hqd serve` process.

The warehouse is bench/indicators' (the demo region's institutions and code lists with n generated
discharges, built through `hqd load`; reused when present), upgraded and computed for the year. Each client
logs in, then requests in a loop, alternately, the scorecard of a random institution and the explorer of a
random indicator; the script prints p50 / p95 / max per API, throughput, and the server's peak memory.

    python bench/web/bench_web.py [--discharges 10000000] [--year 2025] [--clients 20] [--requests 50]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "indicators"))
from bench_indicators import build  # noqa: E402
from machine import describe  # noqa: E402

PASSWORD = "Ping-Ce#2025-load"  # follows the password policy (10+ characters, 3 classes, no user name)


def prepare(db: Path, year: str) -> None:
    """Compute every indicator for the year (once) and add the benchmark's user."""
    import duckdb

    env = {**os.environ, "HQD_DB": str(db), "HQD_SECRET": "bench", "HQD_MEMORY_LIMIT": "8GB"}
    hqd = [sys.executable, "-m", "hqd.cli"]
    subprocess.run([*hqd, "init"], env=env, check=True, capture_output=True)
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute(
        "SELECT count(*) FROM compute_runs WHERE period = ? AND indicators > 100", [year]
    ).fetchone()[0]
    users = con.execute("SELECT count(*) FROM users WHERE user_name = 'bench'").fetchone()[0]
    con.close()
    if not runs:
        t = time.perf_counter()
        subprocess.run([*hqd, "compute", "--period", year], env=env, check=True, capture_output=True)
        print(f"computed {year}: {time.perf_counter() - t:.0f} s", flush=True)
    if not users:
        subprocess.run([*hqd, "users", "add", "bench", "--role", "analyst", "--scope", "990100", "--password",
                        PASSWORD], env=env, check=True, capture_output=True)  # fmt: skip


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM"))


def client(url: str, year: str, orgs: list[str], inds: list[str], n: int, seed: int, out: dict) -> None:
    import httpx

    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=120) as c:
        assert c.post("/api/login", json={"username": "bench", "password": PASSWORD}).status_code == 200
        for i in range(n):
            if i % 2 == 0:
                api, path = "scorecard", f"/api/scorecard/{rng.choice(orgs)}?period={year}"
            else:
                api, path = "explorer", f"/api/indicators/{rng.choice(inds)}?period={year}"
            t = time.perf_counter()
            r = c.get(path)
            took = time.perf_counter() - t
            if r.status_code != 200:
                out.setdefault("errors", []).append(f"{path}: {r.status_code} {r.text[:200]}")
                continue
            out.setdefault(api, []).append(took)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--discharges", type=int, default=10_000_000)
    ap.add_argument("--year", default="2025")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=50, help="requests per client")
    args = ap.parse_args()
    print(describe(), flush=True)
    db = build(args.discharges)
    prepare(db, args.year)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    orgs = [o for (o,) in con.execute(
        "SELECT DISTINCT v.org_code FROM indicator_values v JOIN institutions i USING (org_code) "
        "WHERE v.org_level = 'institution' AND v.period = ? AND i.region_code LIKE '9901%'", [args.year]).fetchall()]  # fmt: skip
    inds = [i for (i,) in con.execute(
        "SELECT DISTINCT indicator_id FROM indicator_values WHERE period = ? AND status = 'ok'", [args.year]).fetchall()]  # fmt: skip
    discharges = con.execute("SELECT count(*) FROM discharges").fetchone()[0]
    values = con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    con.close()
    port = _port()
    env = {**os.environ, "HQD_DB": str(db), "HQD_SECRET": "bench", "HQD_MEMORY_LIMIT": "4GB"}
    server = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        warm: dict[str, list[float]] = {}
        client(url, args.year, orgs, inds, 4, 0, warm)  # first requests open the file's pages
        lat: dict[str, list[float]] = {}
        threads = [threading.Thread(target=client, args=(url, args.year, orgs, inds, args.requests, s + 1, lat))
                   for s in range(args.clients)]  # fmt: skip
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        rss = _peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = lat.pop("errors", [])
    if errors:
        raise SystemExit(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    total = sum(len(v) for v in lat.values())
    print(f"\nwarehouse: {discharges:,} discharges, {values:,} stored indicator values, {len(orgs)} institutions, "
          f"{len(inds)} indicators with values in {args.year}")  # fmt: skip
    print(f"{args.clients} concurrent clients × {args.requests} requests: {total} requests in {wall:.1f} s "
          f"({total / wall:.1f} req/s); server peak RSS {rss:,.0f} MiB")  # fmt: skip
    print("| API | requests | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    for api, xs in sorted(lat.items()):
        q = statistics.quantiles(xs, n=100, method="inclusive")
        print(f"| {api} | {len(xs)} | {q[49] * 1000:,.0f} | {q[94] * 1000:,.0f} | {max(xs) * 1000:,.0f} |")


if __name__ == "__main__":
    main()
