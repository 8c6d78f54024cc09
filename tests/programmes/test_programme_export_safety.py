"""A programme page's export (here `hqd programme ratings --out`) carries no formula: the levels and specialties
of a ratings file are free text a hospital sends."""

from __future__ import annotations

from tests.conftest import HOSP, run_hqd
from tests.exported import PAYLOADS, assert_csv_safe, assert_xlsx_safe, csv_rows

LINK = '=HYPERLINK("http://x","y")'
RATINGS = [
    ["机构代码", "项目", "等级", "专科", "评定日期"],
    [HOSP, "省级临床重点专科", LINK, "@SUM(A1)", "2024-05-01"],
    [HOSP, "医院等级", "-2+3", "", "2023"],
]
VALUES = [["机构代码", "统计期", "数据项", "数值"], [HOSP, "2024", "门诊人次", "100"]]


def test_ratings_page_export_quotes_free_text_and_has_no_formula(seeded, tmp_path):
    for kind, rows in (("ratings", RATINGS), ("values", VALUES)):
        assert seeded.load(kind, seeded.file(f"{kind}.csv", rows)).quarantined == 0, kind
    seeded.con.close()
    xlsx = tmp_path / "ratings.xlsx"
    run_hqd(seeded.cfg.db_path, "programme", "ratings", "--period", "2024", "--out", str(xlsx), check=True)
    sheets = assert_xlsx_safe(xlsx)
    head, *body = sheets["latest"]
    latest = [dict(zip(head, r, strict=True)) for r in body]
    assert {(r["level"], r["specialty"]) for r in latest} == {(PAYLOADS[LINK], "'@SUM(A1)"), ("'-2+3", "")}
    out = tmp_path / "ratings.csv"
    run_hqd(seeded.cfg.db_path, "programme", "ratings", "--period", "2024", "--out", str(out), check=True)
    rows = csv_rows(out)
    assert_csv_safe(rows)
    level = rows[0].index("level")
    assert {r[level] for r in rows[1:]} == {PAYLOADS[LINK], "'-2+3"}
