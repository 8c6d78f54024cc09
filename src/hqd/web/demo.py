"""The end of `hqd demo`: early-warning runs, stored scores, the demo's dashboard users and two reports, so the
dashboard opens on a region with grades, signals and targets to look at."""

from __future__ import annotations

from pathlib import Path

import duckdb
from rich.console import Console

DEMO_REGION = "990100"  # 示例市
# (user, password, role, scope): invented logins for the demo warehouse only, printed by `make demo`
# (they follow the password policy: 10+ characters, three character classes, not containing the user name)
DEMO_USERS = [
    ("admin", "Demo-Guanli-2025", "admin", None),
    ("analyst", "Demo-Fenxi-2025", "analyst", DEMO_REGION),
]
HOSPITAL_USER = ("hospital", "Demo-Yiyuan-2025", "hospital")


def finish_demo(
    con: duckdb.DuckDBPyConnection, out: Path, years: list[str], console: Console
) -> list[tuple[str, str, str]]:
    from hqd.ews.runner import run_period
    from hqd.indicators.compute import compute_period
    from hqd.reports import build_report
    from hqd.scoring import store
    from hqd.scoring.period import score_period
    from hqd.scoring.schemes import load_scheme
    from hqd.web.users import add_user

    for year in years:
        s = run_period(con, year, user="demo")
        console.print(f"预警 early warning {year}: {s.new_signals} 个新信号 new signals (run {s.run_id})")
    if not years:
        return []
    last = years[-1]
    for scheme in ("gk3", "gk2"):
        run = store.save(con, score_period(con, load_scheme(scheme), last, "region"))
        console.print(f"已评分 scored {scheme} {last} (run {run})")
    month = con.execute("SELECT strftime(max(discharge_time), '%Y-%m') FROM discharges").fetchone()[0]
    if month:
        r = compute_period(con, month)
        console.print(f"已计算 computed {month}: {r.stored:,} 个指标值 values (run {r.run_id})")
    hospital = con.execute(
        "SELECT org_code FROM institutions WHERE level = '三级' AND region_code LIKE '9901%' ORDER BY org_code LIMIT 1"
    ).fetchone()
    users = list(DEMO_USERS) + ([(*HOSPITAL_USER, hospital[0])] if hospital else [])
    logins = []
    for name, password, role, scope in users:
        if not con.execute("SELECT 1 FROM users WHERE user_name = ?", [name]).fetchone():
            add_user(con, name, role, scope, password, display_name=None)
        logins.append((name, password, f"{role}{' ' + scope if scope else ''}"))
    reports = out / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    if hospital:
        build_report(con, "org", hospital[0], last, "pdf", reports / f"机构考核报告_{hospital[0]}_{last}.pdf")
    if month:
        build_report(
            con, "region", DEMO_REGION, month, "pdf", reports / f"地区监测报告_{DEMO_REGION}_{month}.pdf"
        )
        build_report(
            con, "region", DEMO_REGION, month, "xlsx", reports / f"地区监测报告_{DEMO_REGION}_{month}.xlsx"
        )
    console.print(f"报告 reports: {reports}/")
    return logins
