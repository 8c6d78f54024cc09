"""kill -9 at random points of a writing operation, shared by tests/test_crash_safety.py and bench/crash/.

Every writing operation of hqd (a load, a compute, a scoring run, an early-warning run, an upload through
the dashboard) is one transaction. A trial copies a prepared warehouse, starts the operation as a real
process (`hqd …`, or `hqd serve` receiving an upload over HTTP), kills it with SIGKILL — after a random delay
within the operation's measured duration, or at the pause hook just before COMMIT — and then checks, with
plain SQL and Python of its own:
  * the warehouse opens;
  * every table is unchanged (row count and a SHA-256 of its rows sorted, per table);
  * the next run of the same operation succeeds and leaves the row counts a complete run leaves.
A time-based trial whose operation had already committed when the kill came (it finished, or the warehouse
after the kill holds exactly the row counts of a complete run while the process was still exiting or
answering) is not a kill: its delay is halved and the trial repeated (up to four times); a trial that never
caught the operation running is reported as such, never counted as "unchanged".
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

Fingerprint = dict[str, tuple[int, str]]
# Written by any request of a logged-in user (the session's last use, login counters), not by the operation
# under test: a killed upload may have touched its session before the load began.
SESSION_TABLES = frozenset({"sessions", "login_state", "login_failures"})


def fingerprint(db: Path) -> Fingerprint:
    """Row count and SHA-256 of the sorted rows of every table of the warehouse file `db` (opened read-write,
    as hqd opens it, so an interrupted transaction's log is replayed or discarded first)."""
    con = duckdb.connect(str(db))
    try:
        out = {}
        names = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary "
            "AND database_name = current_database() ORDER BY 1, 2"
        ).fetchall()
        for schema, name in names:
            if name in SESSION_TABLES:
                continue
            rows = con.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
            lines = sorted(repr(r) for r in rows)
            out[f"{schema}.{name}"] = (len(rows), hashlib.sha256("\n".join(lines).encode()).hexdigest())
        return out
    finally:
        con.close()


def counts(fp: Fingerprint) -> dict[str, int]:
    return {name: n for name, (n, _) in fp.items()}


def copy_warehouse(base: Path, to_dir: Path) -> Path:
    """A private copy of the warehouse file `base` and its secret in `to_dir`."""
    to_dir.mkdir(parents=True, exist_ok=True)
    db = to_dir / base.name
    shutil.copy(base, db)
    shutil.copy(base.with_name(base.name + ".secret"), db.with_name(db.name + ".secret"))
    return db


def hqd_env(db: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "HQD_DB": str(db), "COLUMNS": "200", **extra}
    env.pop("HQD_SECRET", None)
    return env


@dataclass
class Operation:
    """One writing operation: `start` launches it against `db` as a process and returns (process, finished);
    `finished()` tells whether the operation itself (not the process) completed."""

    name: str
    start: Callable[[Path, dict[str, str]], tuple[subprocess.Popen, Callable[[], bool]]]
    stop: Callable[[subprocess.Popen], None] = lambda proc: None


def cli_operation(name: str, *args: str) -> Operation:
    def start(db: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, Callable[[], bool]]:
        proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", *args], env=hqd_env(db, **extra),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip

        def finished() -> bool:
            return proc.poll() == 0

        return proc, finished

    return Operation(name, start)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _multipart(fields: dict[str, str], file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload_operation(session: dict[str, str], kind: str, upload: Path) -> Operation:
    """`hqd serve` on the warehouse, then one upload by HTTP with the `session` headers (its cookie and CSRF
    token); the operation is the
    upload: the process is started and ready (answering /api/health) before the clock of a trial starts."""

    def start(db: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, Callable[[], bool]]:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "hqd.cli", "serve", "--port", str(port)],
                                env=hqd_env(db, **extra), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hqd serve did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
        body, ctype = _multipart({"kind": kind}, "file", upload.name, upload.read_bytes())
        answer: dict[str, object] = {}

        def send() -> None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
                conn.request("POST", "/api/imports", body=body,
                             headers={"Content-Type": ctype, **session})  # fmt: skip
                resp = conn.getresponse()
                answer["status"] = resp.status
                answer["body"] = json.loads(resp.read() or b"{}")
            except (OSError, http.client.HTTPException, ValueError) as exc:  # the server was killed
                answer["error"] = repr(exc)

        sender = threading.Thread(target=send, daemon=True)
        proc.t0 = time.monotonic()  # type: ignore[attr-defined]
        sender.start()
        proc.sender = sender  # type: ignore[attr-defined]

        def finished() -> bool:
            sender.join(timeout=0)
            return answer.get("status") == 200 and answer["body"].get("data", {}).get("status") == "accepted"

        return proc, finished

    def stop(proc: subprocess.Popen) -> None:
        proc.sender.join(timeout=300)  # type: ignore[attr-defined]
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)

    return Operation(f"upload ({kind})", start, stop)


def run_to_end(op: Operation, db: Path) -> tuple[bool, float, str]:
    """Run the operation to its end; (succeeded, seconds from start to end, stderr tail)."""
    started = time.monotonic()
    proc, finished = op.start(db, {})
    if hasattr(proc, "sender"):
        proc.sender.join(timeout=300)  # the upload's answer came
    else:
        proc.wait(timeout=600)
    took = time.monotonic() - getattr(proc, "t0", started)  # an upload: from the request on
    ok = finished()
    op.stop(proc)
    return ok, took, proc.stderr.read().decode()[-2000:]


@dataclass
class Trial:
    operation: str
    how: str  # "pause" or "after 1.23 s"
    killed: bool  # the operation was still running when SIGKILL came
    opens: bool
    unchanged: bool
    changed_tables: list[str]
    rerun_ok: bool
    rerun_counts_ok: bool
    note: str = ""
    rerun: bool = True  # whether the next run was tried after this kill

    @property
    def ok(self) -> bool:
        return self.killed and self.opens and self.unchanged and self.rerun_ok and self.rerun_counts_ok


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def trial(
    op: Operation,
    base: Path,
    work: Path,
    reference: dict[str, int],
    *,
    delay: float | None,
    rerun: bool = True,
) -> Trial:
    """One kill of `op` on a copy of `base` in `work`: at the pause hook (delay None) or after `delay`
    seconds; then the checks (the rerun only when `rerun`). `reference` is the row count of every table after
    a complete run."""
    how = "pause before COMMIT" if delay is None else f"after {delay:.2f} s"
    for _attempt in range(4):
        shutil.rmtree(work, ignore_errors=True)
        db = copy_warehouse(base, work)
        before = fingerprint(db)
        extra = {}
        if delay is None:
            marker = work / "paused"
            extra = {"HQD_TEST_PAUSE_BEFORE_COMMIT": str(marker), "HQD_TEST_PAUSE_SECONDS": "120"}
        proc, finished = op.start(db, extra)
        if delay is None:
            deadline = time.monotonic() + 300
            while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            killed = marker.exists() and proc.poll() is None
        else:
            time.sleep(delay)
            killed = proc.poll() is None and not finished()
        _kill(proc)
        if hasattr(proc, "sender"):
            proc.sender.join(timeout=30)  # type: ignore[attr-defined]
        try:
            after = fingerprint(db)
            opens = True
        except duckdb.Error as exc:
            return Trial(op.name, how, killed, False, False, [], False, False, f"does not open: {exc}")
        # Committed before the kill came: the process was still alive (exiting, or the server still
        # answering) but the operation was over, and the warehouse holds what a complete run leaves. Not a
        # kill of the operation: try earlier.
        committed = after != before and counts(after) == reference
        if delay is not None and ((not killed and finished()) or committed):
            delay /= 2
            how = f"after {delay:.2f} s"
            continue
        break
    changed = sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))
    if not rerun:
        return Trial(op.name, how, killed, opens, not changed, changed, True, True, "not rerun", rerun=False)
    ok, _took, err = run_to_end(op, db)
    rerun_counts = counts(fingerprint(db)) if ok else {}
    # a rerun may legitimately add log rows of its own kind; the tables must hold what a complete run leaves
    counts_ok = ok and rerun_counts == reference
    note = "" if ok else f"rerun failed: {err}"
    if ok and not counts_ok:
        diff = {k: (rerun_counts.get(k), reference.get(k)) for k in set(rerun_counts) | set(reference)
                if rerun_counts.get(k) != reference.get(k)}  # fmt: skip
        note = f"row counts after the rerun differ from a complete run: {diff}"
    return Trial(op.name, how, killed, opens, not changed, changed, ok, counts_ok, note)


@dataclass
class Campaign:
    operation: str
    duration: float
    trials: list[Trial] = field(default_factory=list)

    def line(self) -> str:
        kills = [t for t in self.trials if t.killed]
        good = sum(t.ok for t in self.trials)
        missed = len(self.trials) - len(kills)
        extra = f"; {missed} never caught running" if missed else ""
        reruns = sum(t.rerun for t in self.trials)
        return (
            f"{self.operation}: {good} of {len(self.trials)} unchanged"
            f" (next run tried after {reruns}, succeeded after {sum(t.rerun and t.rerun_ok for t in self.trials)})"
            f" · complete run {self.duration:.1f} s{extra}"
        )


def campaign(
    op: Operation,
    base: Path,
    work: Path,
    *,
    kills: int,
    seed: int,
    pause: bool = True,
    rerun_every: bool = True,
) -> Campaign:
    """A complete run on a copy (its duration and resulting row counts), then `kills` time-based kills at
    seeded random delays within that duration, plus one at the pause hook before COMMIT when `pause`.
    Without `rerun_every` the next run is tried only after the last time-based kill and the pause kill
    (the test-suite version, to keep its time down); the benchmark reruns after every kill."""
    ok, took, err = run_to_end(op, copy_warehouse(base, work / "reference"))
    if not ok:
        raise RuntimeError(f"{op.name} fails on the prepared warehouse: {err}")
    reference = counts(fingerprint(work / "reference" / base.name))
    result = Campaign(op.name, took)
    rng = random.Random(seed)
    delays: list[float | None] = [rng.uniform(0.05, 0.95) * took for _ in range(kills)]
    if pause:
        delays.append(None)
    for i, delay in enumerate(delays):
        rerun = rerun_every or delay is None or i == kills - 1
        result.trials.append(trial(op, base, work / f"trial{i}", reference, delay=delay, rerun=rerun))
    return result
