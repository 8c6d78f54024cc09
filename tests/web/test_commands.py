"""`hqd serve` refuses a warehouse that is not there in one sentence, and serves one that is."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import run_hqd


def test_serve_without_a_warehouse_says_to_run_init(tmp_path):
    r = run_hqd(tmp_path / "none.duckdb", "serve", "--port", "1")
    assert r.returncode == 1 and "hqd init" in r.stderr and "Traceback" not in r.stderr


def test_serve_answers_on_127_0_0_1_and_needs_a_login(seeded):
    seeded.con.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HQD_DB": str(seeded.cfg.db_path)}
    proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        for _ in range(150):
            try:
                body = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        assert body == b'{"ok":true,"data":{"status":"up"}}'
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/me", timeout=5)
            raise AssertionError("/api/me answered without a login")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0].decode()
    assert f"http://127.0.0.1:{port}/" in out
