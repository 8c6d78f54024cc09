"""Reports: the institution assessment report and the region monitoring report, as PDF (Chinese text that
extracts as Chinese) and Excel, from the command line; the numbers are the site's, worked out by hand."""

from __future__ import annotations

import pypdf
from python_calamine import CalamineWorkbook
from tests.conftest import COUNTY, HOSP, run_hqd


def _pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages)


def test_institution_report_pdf_renders_chinese_with_the_scorecard_and_targets(site, tmp_path):
    out = tmp_path / "机构报告.pdf"
    site.con.close()
    r = run_hqd(
        site.cfg.db_path, "report", "--org", HOSP, "--period", "2024", "--format", "pdf", "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    text = _pdf_text(out)
    assert "示例市人民医院 绩效考核报告" in text
    assert "出院患者手术占比" in text and "60.00" in text  # gk3.04 = 3 / 5 discharges operated
    assert "missed" in text and "gk3.04" in text  # the target ≥ 70 by 2024
    assert "\ufffd" not in text and "□" not in text


def test_region_report_lists_the_periods_signals_and_says_what_is_not_computed(site, tmp_path):
    out = tmp_path / "region.pdf"
    site.con.close()
    r = run_hqd(site.cfg.db_path, "report", "--region", "990100", "--period", "2024-07", "--out", str(out))
    assert r.returncode == 0, r.stderr
    text = _pdf_text(out)
    assert "示例市 2024-07 监测报告" in text
    assert "预警信号 signals (2)" in text and text.count("霍乱") >= 2  # one signal per county in July 2024
    assert "2024-07 尚未计算" in text  # only the year was computed


def test_region_report_xlsx_has_a_sheet_per_table(site, tmp_path):
    out = tmp_path / "region.xlsx"
    site.con.close()
    assert (
        run_hqd(
            site.cfg.db_path, "report", "--region", "990100", "--period", "2024", "--out", str(out)
        ).returncode
        == 0
    )
    wb = CalamineWorkbook.from_path(str(out))
    names = wb.sheet_names
    assert (
        names[0] == "概要 summary" and any("关键指标" in n for n in names) and any("目标" in n for n in names)
    )
    key = wb.get_sheet_by_name(next(n for n in names if "关键指标" in n)).to_python()
    assert ["gk3.04", "出院患者手术占比", 60.0, 3.0, 5.0] in [row[:5] for row in key]
    targets = wb.get_sheet_by_name(next(n for n in names if "目标" in n)).to_python()
    assert {(row[1], row[4]) for row in targets[1:]} == {("gk3.04", "missed"), ("gk2.01", "met")}
    assert COUNTY  # both institutions' targets lie in 示例市


def test_report_errors_are_one_sentence(site, tmp_path):
    site.con.close()
    db = site.cfg.db_path
    both = run_hqd(
        db,
        "report",
        "--org",
        HOSP,
        "--region",
        "990100",
        "--period",
        "2024",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert both.returncode == 1 and "exactly one of --org and --region" in both.stderr
    fmt = run_hqd(db, "report", "--org", HOSP, "--period", "2024", "--out", str(tmp_path / "x.doc"))
    assert fmt.returncode == 1 and "xlsx or pdf" in fmt.stderr
    missing = run_hqd(db, "report", "--org", "NOPE", "--period", "2024", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and "NOPE" in missing.stderr and "Traceback" not in missing.stderr
