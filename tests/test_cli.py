"""The command line end to end, as a script or cron job uses it: real processes, exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import DISCHARGE_HEADER, INSTITUTIONS, REGIONS, discharge, run_hqd, write_csv

from hqd.ingest.summary import JSON_KEYS


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    run_hqd(path, "init", check=True)
    run_hqd(path, "load", "regions", str(write_csv(tmp_path / "r.csv", REGIONS)), check=True)
    run_hqd(path, "load", "institutions", str(write_csv(tmp_path / "i.csv", INSTITUTIONS)), check=True)
    return path


def test_init_creates_then_reports_up_to_date(tmp_path):
    path = tmp_path / "x.duckdb"
    first = run_hqd(path, "init", check=True)
    second = run_hqd(path, "init", check=True)
    assert "upgraded" in first.stdout and "up to date" in second.stdout


def test_load_prints_one_json_object_per_file_with_exactly_the_contract_keys(db, tmp_path):
    good = write_csv(tmp_path / "a.csv", [DISCHARGE_HEADER, discharge("A1"), discharge("A2", 离院方式="7")])
    bad = write_csv(tmp_path / "b.csv", [["x", "y"], ["1", "2"]])
    proc = run_hqd(db, "load", "discharges", str(good), str(bad), "--json")
    assert proc.returncode == 1
    objects = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [tuple(o) for o in objects] == [JSON_KEYS, JSON_KEYS]
    assert objects[0] | {"message": None, "import_id": None} == {
        "file": "a.csv",
        "kind": "discharges",
        "import_id": None,
        "status": "accepted",
        "message": None,
        "read": 2,
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "quarantined": 1,
        "duplicate": 0,
    }
    assert objects[1]["status"] == "rejected" and "b.csv" in objects[1]["message"]
    assert "Traceback" not in proc.stderr


def test_an_accepted_load_exits_0_and_prints_grouped_reasons(db, tmp_path):
    rows = [DISCHARGE_HEADER] + [discharge(f"A{i}", 离院方式="7") for i in range(3)] + [discharge("B1")]
    proc = run_hqd(db, "load", "discharges", str(write_csv(tmp_path / "a.csv", rows)))
    assert proc.returncode == 0
    assert "invalid_code 离院方式: 3 行 rows (2, 3, 4)" in proc.stdout


def test_a_missing_file_or_unknown_kind_fails_with_one_sentence(db, tmp_path):
    missing = run_hqd(db, "load", "discharges", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "does not exist" in missing.stderr + missing.stdout
    unknown = run_hqd(db, "load", "nonsense", str(tmp_path / "nope.csv"))
    assert unknown.returncode == 1 and "unknown kind" in unknown.stderr and "Traceback" not in unknown.stderr


def test_commands_on_a_missing_warehouse_ask_for_init(tmp_path):
    proc = run_hqd(tmp_path / "none.duckdb", "imports")
    assert proc.returncode == 1 and "hqd init" in proc.stderr and "Traceback" not in proc.stderr


def test_dry_run_writes_nothing(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [DISCHARGE_HEADER, discharge("A1")])
    proc = run_hqd(db, "load", "discharges", str(path), "--dry-run", "--json", check=True)
    assert json.loads(proc.stdout)["new"] == 1
    again = run_hqd(db, "load", "discharges", str(path), "--json", check=True)
    assert json.loads(again.stdout)["new"] == 1


def test_imports_lists_and_quarantine_exports(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [DISCHARGE_HEADER, discharge("A1", 年龄="abc")])
    load = json.loads(run_hqd(db, "load", "discharges", str(path), "--json", check=True).stdout)
    listing = [json.loads(x) for x in run_hqd(db, "imports", "--json", check=True).stdout.splitlines()]
    assert listing[0]["import_id"] == load["import_id"] and listing[0]["quarantined"] == 1
    out = tmp_path / "q.csv"
    run_hqd(db, "quarantine", "--import", str(load["import_id"]), "--out", str(out), check=True)
    assert "invalid_integer" in out.read_text(encoding="utf-8-sig")
    wrong = run_hqd(db, "quarantine", "--import", "999", "--out", str(out))
    assert wrong.returncode == 1 and "999" in wrong.stderr
