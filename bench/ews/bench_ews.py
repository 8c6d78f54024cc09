"""Benchmark of the early-warning algorithms: hqd vs R surveillance, and a national-scale daily run.

Part 1 runs the same farringtonFlexible settings (spec §7) on the same data (salmNewport, 16 series
× last 52 weeks) in R (timed inside R with system.time around the call only) and in hqd (timed around
the call only) and prints the ratio; skipped with a message when Rscript or surveillance is missing.
Part 2 pushes 3,000 counties × 40 diseases of synthetic daily counts (seeded Poisson) through EARS
C1/C2/C3 and the moving percentile method, in a child process so that its peak RSS is its own.

    python bench/ews/bench_ews.py [--repeats 5] [--skip-r] [--counties 3000] [--diseases 40]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:  # runnable without installing the package
    sys.path.insert(0, str(ROOT / "src"))

from hqd.ews.algorithms import REGISTRY  # noqa: E402
from hqd.ews.algorithms.ears import ears_all  # noqa: E402

DATA = ROOT / "tests" / "ews" / "reference" / "data" / "salmNewport.csv"
FLEX = {
    "b": 5,
    "w": 3,
    "noPeriods": 10,
    "populationOffset": False,
    "weightsThreshold": 2.58,
    "pastWeeksNotIncluded": 26,
    "pThresholdTrend": 1,
    "trend": True,
    "thresholdMethod": "nbPlugin",
    "alpha": 0.01,
}
R_CODE = r"""
suppressPackageStartupMessages(library(surveillance))
data(salmNewport); n <- nrow(observed(salmNewport)); rng <- (n - 51):n
ctl <- list(range = rng, b = 5, w = 3, noPeriods = 10, populationOffset = FALSE, weightsThreshold = 2.58,
            pastWeeksNotIncluded = 26, pThresholdTrend = 1, trend = TRUE, thresholdMethod = "nbPlugin",
            alpha = 0.01)
times <- c(); ears <- c()
for (i in seq_len(REPEATS)) {
  times <- c(times, system.time(res <- suppressWarnings(farringtonFlexible(salmNewport, control = ctl)))[["elapsed"]])
}
for (i in seq_len(REPEATS)) {
  ears <- c(ears, system.time(earsC(salmNewport, control = list(range = rng, method = "C1", alpha = 0.001)))[["elapsed"]])
}
cat(sprintf('{"flexible": [%s], "earsC1": [%s], "alarms": %d, "version": "%s / surveillance %s"}\n',
            paste(times, collapse = ","), paste(ears, collapse = ","), sum(alarms(res), na.rm = TRUE),
            R.version.string, packageVersion("surveillance")))
"""


def load_salm() -> tuple[np.ndarray, np.ndarray]:
    """salmNewport as (counts (528, 16), dates) from the committed reference input."""
    import csv

    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    names = list(dict.fromkeys(r["series"] for r in rows))
    n = len(rows) // len(names)
    counts = np.zeros((n, len(names)))
    dates = np.empty(n, dtype="datetime64[D]")
    for r in rows:
        counts[int(r["t"]) - 1, names.index(r["series"])] = float(r["count"])
        dates[int(r["t"]) - 1] = np.datetime64(r["date"])
    return counts, dates


def bench_r(repeats: int) -> dict | None:
    """Median R times, or None when R or surveillance is unavailable."""
    if shutil.which("Rscript") is None:
        print("R: Rscript not found — skipping the R half (apt-get install r-base-core r-cran-surveillance)")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as fh:
        fh.write(R_CODE.replace("REPEATS", str(repeats)))
    try:
        proc = subprocess.run(["Rscript", fh.name], capture_output=True, text=True, timeout=1800, check=False)
    finally:
        os.unlink(fh.name)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("{")), None)
    if proc.returncode != 0 or line is None:
        print(f"R: surveillance run failed — skipping the R half\n{proc.stderr[-500:]}")
        return None
    return json.loads(line)


def bench_hqd(repeats: int) -> dict:
    """Median hqd times for the same calls (data loading excluded)."""
    counts, dates = load_salm()
    rng = np.arange(counts.shape[0] - 51, counts.shape[0] + 1)
    flex, ears = [], []
    res = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = REGISTRY["farringtonFlexible"](counts, dates=dates, freq=52, range=rng, control=FLEX)
        flex.append(time.perf_counter() - t0)
    for _ in range(repeats):
        t0 = time.perf_counter()
        REGISTRY["earsC1"](counts, range=rng, control={"alpha": 0.001})
        ears.append(time.perf_counter() - t0)
    return {"flexible": flex, "earsC1": ears, "alarms": int(np.nansum(res.alarm))}


def scale_child(counties: int, diseases: int, years: int, batch: int, seed: int) -> dict:
    """Runs inside the child: generate county batches, time each algorithm call, report peak RSS."""
    eval_days = 365 * years + years // 4
    history = 3 * 365 + 1 + 21  # MPM: 3 years back plus 2 adjacent 7-day periods and the window itself
    n_days = history + eval_days
    dates = np.arange(np.datetime64("2021-01-01") - history, np.datetime64("2021-01-01") + eval_days)
    rng_eval = np.arange(history + 1, n_days + 1)
    gen = np.random.default_rng(seed)
    day = np.arange(n_days)
    season = 1.0 + 0.5 * np.sin(2 * np.pi * day / 365.25)
    times = {"earsC1+C2+C3": 0.0, "mpm": 0.0}
    alarms = {"earsC1": 0, "earsC2": 0, "earsC3": 0, "mpm": 0}
    gen_time = 0.0
    for c0 in range(0, counties, batch):
        nc = min(batch, counties - c0)
        t0 = time.perf_counter()
        base = gen.gamma(0.6, 1.0, nc * diseases)  # skewed disease/county means, many sparse series
        counts = gen.poisson(season[:, None] * base[None, :]).astype(np.float64)
        gen_time += time.perf_counter() - t0
        t0 = time.perf_counter()  # C1, C2, C3 share their window statistics: one call, three results
        both = ears_all(counts, range=rng_eval, control={"alpha": 0.001})
        times["earsC1+C2+C3"] += time.perf_counter() - t0
        for m, res in both.items():
            alarms[f"ears{m}"] += int(np.nansum(res.alarm))
        del both
        t0 = time.perf_counter()
        res = REGISTRY["mpm"](counts, dates=dates, freq=365, range=rng_eval, control={"percentile": 50})
        times["mpm"] += time.perf_counter() - t0
        alarms["mpm"] += int(np.nansum(res.alarm))
        del counts, res
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "series": counties * diseases,
        "days": n_days,
        "eval_days": eval_days,
        "times": times,
        "total": sum(times.values()),
        "generation": gen_time,
        "alarms": alarms,
        "peak_rss": peak,
    }


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        "?",
    )
    free = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "free": free,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-r", action="store_true")
    ap.add_argument("--counties", type=int, default=3000)
    ap.add_argument("--diseases", type=int, default=40)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--batch", type=int, default=250, help="counties per batch")
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(scale_child(a.counties, a.diseases, a.years, a.batch, a.seed)))
        return 0
    print(json.dumps(machine(), ensure_ascii=False, indent=1))
    hq = bench_hqd(a.repeats)
    r = None if a.skip_r else bench_r(a.repeats)
    med = statistics.median
    print(
        f"hqd farringtonFlexible (salmNewport 16×52, §7 nbPlugin): median {med(hq['flexible']):.3f} s "
        f"(min {min(hq['flexible']):.3f}, max {max(hq['flexible']):.3f}); alarms {hq['alarms']}"
    )
    print(f"hqd earsC1 same data: median {med(hq['earsC1']) * 1e3:.2f} ms")
    if r is not None:
        print(
            f"R   farringtonFlexible: median {med(r['flexible']):.3f} s (min {min(r['flexible']):.3f}, "
            f"max {max(r['flexible']):.3f}); alarms {r['alarms']}; {r['version']}"
        )
        print(f"R   earsC1: median {med(r['earsC1']) * 1e3:.1f} ms")
        print(
            f"ratio R/hqd farringtonFlexible = {med(r['flexible']) / med(hq['flexible']):.1f}x (target >= 10x)"
        )
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--counties",
        str(a.counties),
        "--diseases",
        str(a.diseases),
        "--years",
        str(a.years),
        "--batch",
        str(a.batch),
        "--seed",
        str(a.seed),
    ]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    wall = time.perf_counter() - t0
    s = json.loads(out.strip().splitlines()[-1])
    print(
        f"scale: {s['series']:,} series × {s['days']} days ({s['eval_days']} evaluated), "
        f"algorithms {s['total']:.2f} s (target < 10 s): "
        + ", ".join(f"{k} {v:.2f} s" for k, v in s["times"].items())
        + f"; data generation {s['generation']:.1f} s; child wall {wall:.1f} s; "
        f"peak RSS {s['peak_rss'] / 2**30:.2f} GiB (target < 4 GiB); alarms {s['alarms']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
