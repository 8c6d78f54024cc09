"""kill -9 at 20 points of each writing operation beyond a load (issue 24, item 6): a compute, a scoring run,
an early-warning run and an upload to a running `hqd serve`. Per operation: one complete run on a copy of a
small prepared warehouse (its duration and the row counts it leaves), 19 kills at seeded random moments within
that duration and one at the pause hook just before COMMIT, each on a fresh copy; after each kill the warehouse
must open with every table unchanged (row count and hash of the sorted rows), and the next run of the same
operation must succeed and leave the row counts of a complete run.

    .venv/bin/python bench/crash/bench_crash.py [--kills 19] [--only compute]

The test-suite version (tests/test_crash_safety.py) does three random kills and the pause kill per operation.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--kills", type=int, default=19, help="random kills per operation (plus the pause kill)"
    )
    parser.add_argument("--only", default=None, help="compute | score | ews run | upload (discharges)")
    args = parser.parse_args()
    from tests.crash_harness import campaign
    from tests.test_crash_safety import operations, prepared_site

    failed = False
    with tempfile.TemporaryDirectory(prefix="hqd-crash-") as tmp:
        root = Path(tmp)
        started = time.monotonic()
        db, session, upload = prepared_site(root / "site")
        for index, op in enumerate(operations(session, upload)):
            if args.only and not op.name.startswith(args.only):
                continue
            result = campaign(op, db, root / f"op{index}", kills=args.kills, seed=2400 + index)
            print(result.line(), flush=True)
            for t in result.trials:
                if not t.ok:
                    failed = True
                    print(f"  killed {t.how}: killed={t.killed} opens={t.opens} changed={t.changed_tables} "
                          f"rerun={t.rerun_ok} {t.note}", flush=True)  # fmt: skip
        print(f"time: {time.monotonic() - started:.0f} s")
    sys.exit(1 if failed else 0)
