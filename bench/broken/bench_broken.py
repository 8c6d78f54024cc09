"""The full broken-file suite (issue 24, item 7): every defect of every kind, two seeded draws each (1,000+
files), each loaded through the real loader into a copy of a small prepared warehouse; prints the counts.

    .venv/bin/python bench/broken/bench_broken.py [--repeats 2] [--verbose]

The sample in tests/ingest/test_broken_files.py runs the same generator and checker on ~40 of these files.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", default=None, help="only the files cut from this seed, e.g. values-wide")
    parser.add_argument("--verbose", action="store_true", help="print every file that fails a check")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hqd-broken-") as tmp:
        root = Path(tmp)
        os.environ["HQD_DB"] = str(root / "base.duckdb")
        os.environ.pop("HQD_SECRET", None)
        from tests.ingest.broken_files import Bench, Totals, demo_seeds, generate_broken, run

        started = time.monotonic()
        seeds, reference = demo_seeds(root / "demo")
        files = generate_broken(seeds, root, repeats=args.repeats)
        files = [f for f in files if args.seed is None or f.seed == args.seed]
        bench = Bench(root, reference)
        print(
            f"{len(files):,} broken files from {len(seeds)} valid seeds ({', '.join(s.name for s in seeds)})"
        )
        failing: Counter[str] = Counter()
        done = [0]
        partial = Totals()  # printed every 100 files: a cut-short run still says what it measured

        def note(o) -> None:  # type: ignore[no-untyped-def]
            done[0] += 1
            partial.add(o)
            if o.crashed or o.accounting or o.rows_lost or o.short_stored or o.key_duplicates or o.no_field:
                failing[o.category] += 1
                if args.verbose:
                    print(f"  {o}", flush=True)
            if done[0] % 100 == 0:
                so_far = ", ".join(f"{k} {v}" for k, v in partial.counts().items())
                print(
                    f"  … {done[0]:,} files checked ({time.monotonic() - started:.0f} s): {so_far}",
                    flush=True,
                )

        totals = run(files, bench, note)
        print(totals.report())
        print("files failing a check, by category: " + (", ".join(f"{k} {v}" for k, v in failing.most_common())
                                                         or "none"))  # fmt: skip
        crashes = Counter(o.error.split("\n")[0][:90] for o in totals.outcomes if o.crashed)
        for err, n in crashes.most_common(8):
            print(f"  crash ×{n}: {err}")
        print(f"time: {time.monotonic() - started:.0f} s")
