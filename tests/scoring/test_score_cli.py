"""`hqd score` and `hqd gap` as a user runs them, on the region of tests/scoring/region.py."""

from __future__ import annotations

import csv

import pytest
from python_calamine import CalamineWorkbook
from tests.conftest import HOSP, run_hqd
from tests.scoring.region import T2, T3, TCM, region


@pytest.fixture
def db(seeded, warehouse_env):
    region(seeded)
    seeded.con.close()
    return warehouse_env


def test_score_prints_and_exports_every_institution(db, tmp_path):
    out = tmp_path / "scores.csv"
    run = run_hqd(db, "score", "--scheme", "gk3", "--period", "2024", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert "综合医院 General hospitals (2)" in run.stdout and "1,000.00" in run.stdout
    with out.open(encoding="utf-8-sig") as fh:
        rows = {r["org_code"]: r for r in csv.DictReader(fh)}
    # HOSP 1000 (rank 1 of 2), T2 0 (rank 2): see test_score_period for the arithmetic
    assert (rows[HOSP]["total"], rows[HOSP]["rank"], rows[HOSP]["peers"]) == ("1000.0", "1", "2")
    assert (
        rows[T2]["total"],
        rows[T2]["gk3.04 value"],
        rows[T2]["gk3.04 points"],
        rows[T2]["gk3.04 lost"],
    ) == (
        "0.0",
        "30.0",
        "0.0",
        "1000.0",
    )
    assert rows[TCM]["peer_group"] == "tcm" and rows[T3]["total"] == "" and "no value" in rows[T3]["note"]
    assert rows[HOSP]["grade"] == "" and "fewer than 10" in rows[HOSP]["note"]


def test_score_to_xlsx_has_a_sheet_per_institution_and_per_indicator(db, tmp_path):
    out = tmp_path / "scores.xlsx"
    assert run_hqd(db, "score", "--scheme", "gk3", "--period", "2024", "--out", str(out)).returncode == 0
    wb = CalamineWorkbook.from_path(str(out))
    assert wb.sheet_names == ["scores", "items"]
    items = wb.get_sheet_by_name("items").to_python()
    header = items[0]
    hosp = [dict(zip(header, r, strict=True)) for r in items[1:] if r[0] == HOSP and r[3] == "gk3.08"]
    assert hosp[0]["points"] == 500 and hosp[0]["basis"] == "region"


def test_gap_names_the_goal_and_the_indicator_that_reaches_it(db):
    run = run_hqd(db, "gap", "--org", T2, "--period", "2024")
    assert run.returncode == 0, run.stderr
    # T2 (0) needs HOSP's 1000 for rank 1; gk3.04 30 → 40 ties HOSP and earns the whole 1000
    assert "第1名 / rank 1" in run.stdout and "1,000.00" in run.stdout
    line = next(x for x in run.stdout.splitlines() if "gk3.04" in x)
    assert "30.00 %" in line and "40.00 %" in line and "+10.00" in line and "是 yes" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--scheme", "gk9", "--period", "2024"], "no such scoring scheme"),
        (["score", "--scheme", "gk3", "--period", "2023"], "run hqd compute --period 2023 first"),
        (["score", "--scheme", "gk3", "--period", "24"], "period '24' is invalid"),
        (["score", "--scheme", "gk3", "--period", "2024", "--out", "x.txt"], "must be .csv or .xlsx"),
        (["score", "--scheme", "gk3", "--period", "2024", "--reference", "world"], "region or national"),
        (["gap", "--org", "12990100MB9999999Z", "--period", "2024"], "there is no institution"),
        (["gap", "--org", T3, "--period", "2024"], "is not scored"),
    ],
)
def test_user_errors_are_one_bilingual_sentence(db, args, message):
    run = run_hqd(db, *args)
    assert run.returncode == 1
    assert message in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
