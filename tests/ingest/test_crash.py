"""A load killed with SIGKILL before it commits leaves the warehouse exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from tests.conftest import DISCHARGE_HEADER, discharge, table_fingerprint


@pytest.mark.slow
def test_kill_9_during_a_load_leaves_the_warehouse_unchanged(seeded, warehouse_env, tmp_path):
    seeded.load("discharges", seeded.file("d0.csv", [DISCHARGE_HEADER, discharge("A0")]))
    before = table_fingerprint(seeded.con)
    seeded.con.close()
    rows = [DISCHARGE_HEADER] + [discharge(f"B{i}") for i in range(2000)] + [discharge("A0", 年龄="70")]
    big = seeded.file("d1.csv", rows)
    marker = tmp_path / "paused"
    env = {**os.environ, "HQD_DB": str(warehouse_env), "HQD_TEST_PAUSE_BEFORE_COMMIT": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hqd.cli", "load", "discharges", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the load never reached its commit point"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    con = duckdb.connect(str(warehouse_env))
    try:
        assert table_fingerprint(con) == before
        assert con.execute("SELECT count(*) FROM discharges").fetchone()[0] == 1
    finally:
        con.close()
