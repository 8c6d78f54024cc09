"""kill -9 during a compute, a scoring run, an early-warning run and a dashboard upload leaves the warehouse
exactly as it was, and the next run of the same operation succeeds (issue 24, item 6; a load: test_crash.py).

Each operation is killed at three seeded random moments within its measured duration and once at the pause
hook just before its COMMIT (HQD_TEST_PAUSE_BEFORE_COMMIT); the next run is tried after the pause kill and the
last timed kill (every kill in bench/crash/bench_crash.py, which does 20 per operation).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import DISCHARGE_HEADER, Warehouse, discharge, write_csv
from tests.crash_harness import Campaign, Operation, campaign, cli_operation, upload_operation
from tests.web.site import PASSWORD, build

KILLS = 1  # plus the kill at the pause hook; bench/crash does 20 per operation


def prepared_site(root: Path) -> tuple[Path, dict[str, str], Path]:
    """The dashboard tests' hand-made site (region, discharges, computed 2024, targets, early-warning
    signals, users) built through the real code; returns the warehouse file, the admin's session headers
    (cookie and CSRF token) and a 2,000-row discharges file to upload."""
    root.mkdir(parents=True, exist_ok=True)
    db = root / "hqd.duckdb"
    saved = {k: os.environ.get(k) for k in ("HQD_DB", "HQD_SECRET")}
    os.environ["HQD_DB"] = str(db)
    os.environ.pop("HQD_SECRET", None)
    try:
        w = Warehouse(root)
        build(w, root)
        w.con.close()
        from hqd.web.app import create_app

        with TestClient(create_app(), base_url="http://127.0.0.1") as client:
            r = client.post("/api/login", json={"username": "admin", "password": PASSWORD})
            assert r.status_code == 200, r.text
            session = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
                       "X-CSRF-Token": r.json()["data"]["csrf_token"]}  # fmt: skip
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    upload = write_csv(root / "upload.csv", [DISCHARGE_HEADER] + [discharge(f"U{i}") for i in range(2000)])
    return db, session, upload


def operations(session: dict[str, str], upload: Path) -> list[Operation]:
    return [
        cli_operation("compute", "compute", "--period", "2024"),
        cli_operation("score", "score", "--scheme", "gk3", "--period", "2024"),
        cli_operation("ews run", "ews", "run", "--period", "2024"),
        upload_operation(session, "discharges", upload),
    ]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[Path, list[Operation]]]:
    root = tmp_path_factory.mktemp("crash_site")
    db, session, upload = prepared_site(root)
    yield db, operations(session, upload)


def _check(result: Campaign) -> None:
    assert len(result.trials) == KILLS + 1
    for t in result.trials:
        assert t.killed, f"{result.operation} {t.how}: the operation was never caught running"
        assert t.opens, t.note
        assert t.unchanged, f"{result.operation} killed {t.how} changed {t.changed_tables}"
        assert t.rerun_ok and t.rerun_counts_ok, t.note


@pytest.mark.slow
@pytest.mark.parametrize("index", range(4), ids=["compute", "score", "ews-run", "upload"])
def test_kill_9_leaves_the_warehouse_unchanged_and_the_next_run_succeeds(site, index, tmp_path):
    base, ops = site
    result = campaign(ops[index], base, tmp_path, kills=KILLS, seed=2400 + index, rerun_every=False)
    print(result.line())
    _check(result)


def test_a_compute_whose_insert_fails_rolls_back_and_leaves_the_connection_usable(seeded):
    """A failure inside the compute's transaction (here: its run id already taken in compute_runs) must undo
    the deleted values and end the transaction, so a long-lived connection (the dashboard's) keeps working."""
    from hqd.indicators.compute import compute_period

    seeded.load("discharges", seeded.file("d.csv", [DISCHARGE_HEADER, discharge("A1"), discharge("A2")]))
    first = compute_period(seeded.con, "2024")
    before = seeded.rows("SELECT * FROM indicator_values ORDER BY ALL")
    runs = seeded.rows("SELECT run_id FROM compute_runs")
    taken = seeded.one("SELECT nextval('compute_run_seq')") + 1  # the id the next compute will draw
    seeded.con.execute(
        "INSERT INTO compute_runs VALUES (?, '2099', 'x', 'x', now(), now(), 0, 0, '{}')", [taken]
    )
    with pytest.raises(Exception, match=r"(?i)constraint|duplicate"):
        compute_period(seeded.con, "2024")
    assert seeded.rows("SELECT * FROM indicator_values ORDER BY ALL") == before
    assert seeded.rows("SELECT run_id FROM compute_runs WHERE period = '2024'") == runs == [(first.run_id,)]
