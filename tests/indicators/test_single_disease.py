"""单病种 (gk3.10): every disease and measure, each against rules re-written here in plain Python."""

from __future__ import annotations

import pytest
from tests.conftest import HOSP
from tests.indicators.frontsheet_data import HEADER, PROC_CODES, row

from hqd.indicators.compute import compute_period

# (principal dx, principal procedure, age, los, cost, died)
CASES = [
    ("I21.900", "", 70, 8, 50000, True),
    ("I21.000", "", 60, 6, 40000, False),
    ("I50.900", "", 80, 9, 20000, False),
    ("I11.000", "", 75, 7, 15000, True),
    ("J18.900", "", 40, 7, 9000, False),
    ("J15.900", "", 5, 5, 6000, False),
    ("J18.000", "", 17, 4, 5000, False),
    ("I63.900", "", 68, 12, 30000, True),
    ("J44.100", "", 72, 10, 12000, False),
    ("M16.900", "81.5100", 66, 14, 70000, False),
    ("S72.000", "81.5200", 81, 16, 65000, True),
    ("M17.900", "81.5400", 64, 13, 60000, False),
    ("I25.100", "36.1000", 63, 20, 150000, False),
    ("O82.000", "74.1000", 29, 5, 12000, False),
    ("K35.800", "", 30, 4, 8000, False),  # belongs to none
]


def disease(dx: str, proc: str, age: int) -> set[str]:
    """The vendor rules of national-assessment.md §1.3, written out independently."""
    out = set()
    if dx.startswith("I21"):
        out.add("ami")
    if dx[:5] in ("I11.0", "I13.0", "I13.2") or dx.startswith("I50"):
        out.add("hf")
    if dx[:3] in ("J13", "J14", "J15", "J18"):
        out.add("cap_adult" if age >= 18 else "cap_child")
    if dx.startswith("I63"):
        out.add("stroke")
    if dx[:5] in ("J44.0", "J44.1", "J44.9"):
        out.add("copd")
    if proc[:5] in ("81.51", "81.52"):
        out.add("hip")
    if proc[:5] == "81.54":
        out.add("knee")
    if proc[:4] == "36.1":
        out.add("cabg")
    if proc[:4] in ("74.0", "74.1", "74.2"):
        out.add("cs")
    return out


DISEASES = ["ami", "hf", "cap_adult", "cap_child", "stroke", "copd", "hip", "knee", "cabg", "cs"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from tests.conftest import Warehouse

    root = tmp_path_factory.mktemp("sd")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(root / "w.duckdb"))
        wh = Warehouse(root).seed()
    extra = [["81.5200", "部分髋关节置换", "手术", "4", "否"], ["81.5400", "全膝关节置换", "手术", "4", "否"],
             ["36.1000", "冠状动脉旁路移植", "手术", "4", "否"]]  # fmt: skip
    codes = [*PROC_CODES, *extra]
    wh.load("codes-icd9cm3", wh.file("p.csv", codes))
    rows = [row(HOSP, f"S{i}", dx=dx, p1=proc, age=str(age), los=str(los), cost=str(cost), mode="5" if died else "1")
            for i, (dx, proc, age, los, cost, died) in enumerate(CASES)]  # fmt: skip
    assert wh.load("discharges", wh.file("d.csv", [HEADER, *rows])).quarantined == 0
    compute_period(wh.con, "2024")
    got = {r[0]: r[1:] for r in wh.rows(
        "SELECT indicator_id, numerator, denominator, value FROM indicator_values WHERE org_code = ? "
        "AND indicator_id LIKE 'gk3.10.%'", [HOSP])}  # fmt: skip
    wh.con.close()
    return got


@pytest.mark.parametrize("code", DISEASES)
def test_each_single_disease_measure(stored, code):
    cases = [c for c in CASES if code in disease(c[0], c[1], c[2])]
    n = len(cases)
    assert n > 0
    assert stored[f"gk3.10.{code}.cases"][0] == n
    assert stored[f"gk3.10.{code}.los"][:2] == (sum(c[3] for c in cases), n)
    assert stored[f"gk3.10.{code}.cost"][2] == pytest.approx(sum(c[4] for c in cases) / n)
    deaths = sum(c[5] for c in cases)
    assert stored[f"gk3.10.{code}.mortality"][:2] == (deaths, n)
    assert stored[f"gk3.10.{code}.mortality"][2] == pytest.approx(deaths / n * 100)
