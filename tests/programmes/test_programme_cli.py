"""`hqd programme county | group | referrals` as a user runs them: pages, a local threshold, the OD matrix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from tests.conftest import Warehouse, run_hqd
from tests.programmes import county_data as d


@pytest.fixture(scope="module")
def computed_file(tmp_path_factory) -> Path:
    """The county data loaded and 2025 computed once for the module (as a user would, through the CLI)."""
    root = tmp_path_factory.mktemp("programme_cli")
    db = root / "hqd.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(db))
        mp.delenv("HQD_SECRET", raising=False)
        w = Warehouse(root)
        d.load(w)
        w.con.close()
        run_hqd(db, "compute", "--period", "2025", check=True)
    return db


@pytest.fixture
def loaded(computed_file: Path, warehouse_env: Path) -> Path:
    """A private copy for one test (some tests load more files)."""
    shutil.copy(computed_file, warehouse_env)
    shutil.copy(computed_file.with_name(computed_file.name + ".secret"),
                warehouse_env.with_name(warehouse_env.name + ".secret"))  # fmt: skip
    return warehouse_env


def test_county_page_shows_each_indicator_its_threshold_and_the_checklist_reasons(loaded, tmp_path):
    out = tmp_path / "county.xlsx"
    proc = run_hqd(loaded, "programme", "county", "--period", "2025", "--out", str(out), check=True)
    assert "乙县（990121）" in proc.stdout
    assert "未达标 (10/11) — 财务统一管理：部分达标" in proc.stdout
    assert "服务协同联动：未报送" in proc.stdout
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["乙县990121", "评判标准 criteria"]
    rows = book.get_sheet_by_name("乙县990121").to_python()
    by_id = {r[4]: r for r in rows[1:]}
    share = by_id["ccm2024.07"]  # 基层诊疗人次占比 against the national 65 %
    primary = sum(d.VALUES[o]["total_visits"] for o in (d.CLINIC, d.V1, d.V2))
    assert share[6] == pytest.approx(primary / (primary + d.VALUES[d.COUNTY]["total_visits"]) * 100)
    assert (share[10], share[12]) == (">= 65", "未达标" if share[6] < 65 else "达标")
    assert "unverified" in by_id["ccm2024.11"][13]
    assert by_id["ccm2024.11"][12] == "无数据"  # no settlements loaded


def test_a_regions_own_target_overrides_the_national_threshold(loaded):
    targets = [["对象代码", "目标项", "比较", "目标值", "截止期", "依据"],
               ["990121", "基层诊疗量占比", ">=", "55", "2025", "《乙县医共体建设实施方案》"]]  # fmt: skip
    path = loaded.parent / "t.csv"
    from tests.conftest import write_csv

    write_csv(path, targets)
    run_hqd(loaded, "load", "targets", str(path), check=True)
    out = loaded.parent / "c.csv"
    run_hqd(loaded, "programme", "county", "--period", "2025", "--out", str(out), check=True)
    text = out.read_text(encoding="utf-8-sig")
    line = next(x for x in text.splitlines() if ",ccm2024.07," in x)
    assert ">= 55" in line and "乙县医共体建设实施方案" in line and "达标" in line


def test_group_page_lists_members_with_their_grid_population(loaded, tmp_path):
    out = tmp_path / "group.xlsx"
    proc = run_hqd(loaded, "programme", "group", "--period", "2025", "--out", str(out), check=True)
    assert "甲区医疗集团 · 牵头 示例市人民医院" in proc.stdout
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("网格责任 grid").to_python()
    members = {r[1]: (r[3], r[6]) for r in grid[1:]}
    assert members[d.HOSP][0] == "牵头单位"
    assert members[d.CHC] == ("成员单位", d.VALUES[d.CHC]["grid_population"])


def test_referral_od_matrix_adds_up_to_the_periods_referrals(loaded, tmp_path):
    out = tmp_path / "od.xlsx"
    proc = run_hqd(loaded, "programme", "referrals", "--period", "2025", "--out", str(out), check=True)
    this_year = [r for r in d.REFERRALS if r[5].startswith("2025")]
    assert f"转诊 referrals: {len(this_year)}" in proc.stdout
    matrix = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("OD矩阵 matrix").to_python()
    assert sum(r[-1] for r in matrix[1:]) == len(this_year)
    header = matrix[0]
    clinic_row = next(r for r in matrix[1:] if r[0].endswith(d.CLINIC))
    to_county = header.index(next(h for h in header if h.endswith(d.COUNTY)))
    assert clinic_row[to_county] == sum(1 for r in this_year if r[1] == d.CLINIC and r[2] == d.COUNTY)


def test_a_page_before_compute_says_to_compute_first(wh, warehouse_env):
    d.load(wh)
    wh.con.close()
    proc = run_hqd(warehouse_env, "programme", "county", "--period", "2025")
    assert proc.returncode == 1 and "hqd compute --period 2025" in proc.stderr


def test_sanming_matrix_has_each_hospital_and_region(loaded, tmp_path):
    out = tmp_path / "sanming.xlsx"
    proc = run_hqd(loaded, "programme", "sanming", "--period", "2025", "--out", str(out), check=True)
    assert "药占比 sanming.drug_share" in proc.stdout
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("三明医改 sanming").to_python()
    col = rows[0].index("药占比 sanming.drug_share")
    by_org = {r[0]: r[col] for r in rows[1:]}
    v = d.VALUES[d.HOSP]
    assert by_org[d.HOSP] == pytest.approx(v["drug_revenue"] / v["medical_revenue"] * 100)
    assert d.CHC not in by_org  # a community health centre is not a Sanming hospital


@pytest.mark.parametrize(("ident", "org", "population"), [
    ("referral.down", "990100", "referrals"), ("ccm2024.07", d.COMMUNITY, "reported"),
    ("ccm2024.07", d.GROUP, "reported"),
])  # fmt: skip
def test_explain_traces_programme_values_to_their_records(loaded, ident, org, population):
    proc = run_hqd(loaded, "explain", ident, "--org", org, "--period", "2025", check=True)
    assert f"records ({population})" in proc.stdout and "✓" in proc.stdout
