"""Assistance projects: the team's work per receiving institution, the hospital before and after, alliances."""

from __future__ import annotations

import csv

import pytest
from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, discharge, run_hqd
from tests.indicators.frontsheet_data import PROC_CODES

from hqd.indicators.periods import parse
from hqd.programmes.assistance import alliance_rows, effect_rows, project_rows, recipient_rows

P1, P2 = "示例市人民医院—乙县人民医院对口帮扶", "远方大学附属医院—乙县人民医院学科共建"
LEDGER = [
    ["项目名称", "项目类型", "支援单位", "受援单位代码", "专科", "统计期", "驻点工作日", "手术台次", "四级手术台次",
     "新技术新项目数", "首次开展技术", "培训人次"],
    [P1, "对口帮扶", HOSP, COUNTY, "普通外科", "2024-07", "20", "5", "1", "1", "首例A", "10"],  # 2024: outside 2025
    [P1, "对口帮扶", HOSP, COUNTY, "普通外科", "2025-01", "22", "6", "2", "2", "首例B", "12"],
    [P1, "对口帮扶", HOSP, COUNTY, "普通外科", "2025Q2", "60", "15", "3", "0", "首例B、首例C", "30"],
    [P1, "对口帮扶", HOSP, COUNTY, "普通外科", "2026-01", "18", "4", "1", "1", "", "9"],  # after 2025
    [P2, "学科共建", "远方大学附属医院", COUNTY, "肿瘤科", "2025-03", "10", "", "", "", "", ""],
]  # fmt: skip
# P1 in 2025: rows 2025-01 and 2025Q2 → days 22 + 60 = 82, surgeries 6 + 15 = 21, grade-4 2 + 3 = 5,
# new techniques 2, trainees 42, firsts 首例B、首例C (each once); the project started 2024-07.

# COUNTY's discharges: 81.5100 is a grade-4 operation, 47.0900 a grade-2 one (PROC_CODES).
# Before P1 (3 months: 2024-04 … 2024-06): a grade-4 and a grade-2 operation → 50%, 2 / 3 a month.
# Last 3 months of 2025: two grade-4 operations and one stay without one → 100%, 3 / 3 = 1 a month.
DISCHARGES = [
    ("B1", "2024-05-01", "2024-05-05", "81.5100"),
    ("B2", "2024-06-01", "2024-06-05", "47.0900"),
    ("A1", "2025-10-01", "2025-10-05", "81.5100"),
    ("A2", "2025-11-01", "2025-11-05", "81.5100"),
    ("A3", "2025-12-01", "2025-12-05", ""),
]
# Up-referrals from COUNTY out of its county (to HOSP, in 990102): 1 before, 2 after; one to CLINIC (same county)
# and one down-referral do not count.
REFERRALS = [
    ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"],
    ["R1", COUNTY, HOSP, "上转", "2024-05-10"],
    ["R2", COUNTY, HOSP, "上转", "2025-10-10"],
    ["R3", COUNTY, HOSP, "上转", "2025-11-10"],
    ["R4", COUNTY, CLINIC, "上转", "2025-11-11"],
    ["R5", COUNTY, CLINIC, "下转", "2025-11-12"],
]
# Alliance size at each year end: 2023: COUNTY; 2024: + CLINIC; 2025: CLINIC left in June, an outside hospital
# joined → 2 (1 outside). The county community is not an alliance.
MEMBERS = [
    ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期", "退出日期", "专科"],
    ["甲市心血管专科联盟", "专科联盟", HOSP, COUNTY, "2023-05-01", "", "心血管内科"],
    ["甲市心血管专科联盟", "专科联盟", HOSP, CLINIC, "2024-03-01", "2025-06-30", "心血管内科"],
    ["甲市心血管专科联盟", "专科联盟", HOSP, "外省某医院", "2025-02-01", "", "心血管内科"],
    ["乙县医共体", "紧密型县域医共体", COUNTY, CLINIC, "2023-01-01", "", ""],
]


@pytest.fixture
def ledger(seeded):
    loads = [
        ("codes-icd9cm3", "p.csv", PROC_CODES),
        ("assistance", "a.csv", LEDGER),
        ("referrals", "r.csv", REFERRALS),
        ("memberships", "m.csv", MEMBERS),
        ("discharges", "d.csv", [DISCHARGE_HEADER] + [
            discharge(mrn, 机构代码=COUNTY, 入院时间=a, 出院时间=o, 手术及操作编码1=code, 切口等级1="" if not code else "2")
            for mrn, a, o, code in DISCHARGES]),
    ]  # fmt: skip
    for kind, name, rows in loads:
        s = seeded.load(kind, seeded.file(name, rows))
        assert s.quarantined == 0, (kind, seeded.reasons(s.import_id))
    return seeded


def test_the_team_work_sums_the_rows_of_the_period(ledger):
    rows = {r["project_name"]: r for r in project_rows(ledger.con, parse("2025"))}
    p1 = rows[P1]
    assert (p1["rows"], p1["onsite_days"], p1["surgeries"], p1["level4_surgeries"]) == (2, 82, 21, 5)
    assert (p1["new_techniques"], p1["trainees"], p1["firsts"], p1["started"]) == (
        2,
        42,
        "首例B、首例C",
        "2024-07-01",
    )
    assert rows[P2]["support_name"] == "远方大学附属医院" and rows[P2]["onsite_days"] == 10
    assert P1 in {r["project_name"] for r in project_rows(ledger.con, parse("2024"))}
    assert project_rows(ledger.con, parse("2023")) == []


def test_the_receiving_institution_adds_up_its_projects(ledger):
    (county,) = recipient_rows(project_rows(ledger.con, parse("2025")))
    # P1's 82 days and P2's 10 (2025-03); P2 reports no surgeries (empty cells count 0)
    assert (county["recipient_org"], county["projects"], county["onsite_days"], county["surgeries"]) == (
        COUNTY,
        2,
        92,
        21,
    )
    assert county["firsts"] == "首例B、首例C"


def test_the_receiving_hospital_before_and_after(ledger):
    p = parse("2025")
    projects = [r for r in project_rows(ledger.con, p) if r["project_name"] == P1]
    got = {e["measure"]: e for e in effect_rows(ledger.con, projects, p, 3)}
    grade4 = got["出院患者四级手术比例（%）"]
    assert (grade4["before"], grade4["after"], grade4["change"]) == (50, 100, 50)
    assert (grade4["before_from"], grade4["before_to"], grade4["after_from"]) == (
        "2024-04-01",
        "2024-07-01",
        "2025-10-01",
    )
    assert got["月均出院人次"]["before"] == pytest.approx(2 / 3) and got["月均出院人次"]["after"] == 1
    assert got["月均上转出县人次"]["before"] == pytest.approx(1 / 3)
    assert got["月均上转出县人次"]["after"] == pytest.approx(2 / 3)


def test_a_window_without_discharges_has_no_value_rather_than_zero(ledger):
    p = parse("2025")
    projects = [r for r in project_rows(ledger.con, p) if r["project_name"] == P2]  # started 2025-03
    got = {e["measure"]: e for e in effect_rows(ledger.con, projects, p, 3)}
    assert got["月均出院人次"]["before"] is None and got["月均出院人次"]["change"] is None


def test_alliance_size_over_time(ledger):
    sizes = [
        (r["group_name"], r["as_of"], r["members"], r["outside_region"])
        for r in alliance_rows(ledger.con, parse("2025"))
    ]
    assert sizes == [
        ("甲市心血管专科联盟", "2023-12-31", 1, 0),
        ("甲市心血管专科联盟", "2024-12-31", 2, 0),
        ("甲市心血管专科联盟", "2025-12-31", 2, 1),
    ]


def test_the_cli_prints_the_three_tables(ledger, tmp_path):
    ledger.con.close()
    out = tmp_path / "assistance.csv"
    proc = run_hqd(ledger.cfg.db_path, "programme", "assistance", "--period", "2025", "--months", "3",
                   "--out", str(out), check=True)  # fmt: skip
    assert "帮扶项目与受援单位" in proc.stdout and "项目前后对比" in proc.stdout and "联盟规模" in proc.stdout
    assert "CSV 只含第一张表" in proc.stdout
    with out.open(encoding="utf-8-sig") as fh:
        written = {r["project_name"]: r for r in csv.DictReader(fh)}
    assert written[P1]["firsts"] == "首例B、首例C" and written[P1]["onsite_days"] == "82"
    bad = run_hqd(ledger.cfg.db_path, "programme", "assistance", "--period", "2025", "--months", "0")
    assert bad.returncode == 1 and "--months" in bad.stderr
