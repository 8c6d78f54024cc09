"""The end of `hqd demo` (web.demo.finish_demo): users, stored scores, signals and reports, and a second
run adds nothing."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from tests.conftest import HOSP

from hqd.web.demo import finish_demo
from hqd.web.orgs import default_period, periods


def test_finish_demo_creates_logins_scores_and_reports_once(site, tmp_path):
    out = tmp_path / "demo-data"
    console = Console(file=StringIO())
    logins = finish_demo(site.con, out, ["2024"], console)
    assert [(u, role) for u, _, role in logins] == [("admin", "admin"), ("analyst", "analyst 990100"),
                                                    ("hospital", f"hospital {HOSP}")]  # fmt: skip
    assert site.one("SELECT count(*) FROM score_runs WHERE period = '2024'") == 2  # gk3 and gk2
    assert site.one("SELECT count(*) FROM compute_runs WHERE period = '2024-03'") == 1  # the last month
    assert periods(site.con) == ["2024", "2024-03"] and default_period(site.con) == "2024"  # years first
    reports = sorted(p.name for p in (out / "reports").iterdir())
    assert reports == ["地区监测报告_990100_2024-03.pdf", "地区监测报告_990100_2024-03.xlsx",
                       f"机构考核报告_{HOSP}_2024.pdf"]  # fmt: skip
    before = {t: site.one(f"SELECT count(*) FROM {t}") for t in ("users", "ews_signals", "scores")}
    finish_demo(site.con, out, ["2024"], console)
    assert {t: site.one(f"SELECT count(*) FROM {t}") for t in before} == before
