"""`hqd compute`, `hqd indicators export` and `hqd explain` end to end, as a user runs them."""

from __future__ import annotations

import csv

from tests.conftest import HOSP, INSTITUTIONS, REGIONS, run_hqd, write_csv
from tests.indicators.frontsheet_data import DISCHARGES, DRG_CODES, HEADER, PROC_CODES


def test_compute_export_and_explain(tmp_path):
    db = tmp_path / "w.duckdb"
    assert run_hqd(db, "init").returncode == 0
    for kind, rows in (("regions", REGIONS), ("institutions", INSTITUTIONS), ("codes-icd9cm3", PROC_CODES),
                       ("codes-drg", DRG_CODES), ("discharges", [HEADER, *DISCHARGES])):  # fmt: skip
        assert run_hqd(db, "load", kind, str(write_csv(tmp_path / f"{kind}.csv", rows))).returncode == 0
    run = run_hqd(db, "compute", "--period", "2024")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "v.csv"
    exported = run_hqd(
        db, "indicators", "export", "--period", "2024", "--programme", "gk3", "--out", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [
        "indicator_id",
        "org_code",
        "period",
        "numerator",
        "denominator",
        "value",
        "unit",
    ]
    gk304 = {r["org_code"]: r for r in rows if r["indicator_id"] == "gk3.04"}
    assert (gk304[HOSP]["numerator"], gk304[HOSP]["denominator"]) == ("6.0", "9.0")
    assert "990102" in gk304  # the county appears with its region code
    assert all(r["indicator_id"].startswith("gk3.") for r in rows)

    records = tmp_path / "r.csv"
    explained = run_hqd(db, "explain", "gk3.04", "--org", HOSP, "--period", "2024", "--out", str(records))
    assert explained.returncode == 0, explained.stderr
    assert "出院患者手术占比" in explained.stdout and "matches the stored value" in explained.stdout
    with records.open(encoding="utf-8-sig") as fh:
        traced = list(csv.DictReader(fh))
    assert sorted(r["mrn"] for r in traced if r["in_numerator"] == "True") == [
        "A1",
        "A2",
        "A3",
        "A5",
        "A6",
        "A9",
    ]
    assert len(traced) == 9

    bad = run_hqd(db, "compute", "--period", "2024-13")
    assert bad.returncode == 1 and "2024-13" in bad.stderr and "Traceback" not in bad.stderr
    none = run_hqd(db, "explain", "gk3.04", "--org", HOSP, "--period", "2022")
    assert none.returncode == 1 and "hqd compute" in none.stderr
