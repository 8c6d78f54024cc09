"""A small hand-made site for the dashboard tests: the conftest region, seven discharges, one target, two
early-warning signals and a user of every role and scope. Every expected number is worked out here by hand.

Region 990100 示例市 has counties 990102 甲区 (HOSP, tertiary) and 990121 乙县 (COUNTY, secondary; CLINIC).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import CLINIC, COUNTY, DISCHARGE_HEADER, HOSP, Warehouse, discharge
from tests.ews.test_counts import load_cards
from tests.ews.test_runner import FIXED, FIXED_CARDS, rules_file
from tests.indicators.frontsheet_data import PROC_CODES

from hqd.ews.runner import run_period
from hqd.indicators.compute import compute_period
from hqd.targets.board import evaluate_all, rows, save
from hqd.web.users import add_user

PASSWORD = "correct-horse-9"
# user name → (role, scope)
USERS = {
    "admin": ("admin", None),
    "city": ("analyst", "990100"),  # sees both counties and all three institutions
    "county": ("analyst", "990121"),  # sees 乙县, COUNTY and CLINIC, not HOSP
    "hosp": ("hospital", HOSP),
    "countyhosp": ("hospital", COUNTY),
}
# what each user may see by name
SEES = {
    "admin": {HOSP, COUNTY, CLINIC, "990000", "990100", "990102", "990121"},
    "city": {HOSP, COUNTY, CLINIC, "990100", "990102", "990121"},
    "county": {COUNTY, CLINIC, "990121"},
    "hosp": {HOSP},
    "countyhosp": {COUNTY},
}

# HOSP: three of five discharges have a 手术 or 介入治疗 code (36.0601 介入, 47.0900 手术, 81.5100 手术);
# 88.5600 is a 诊断性操作 and H4 has none → gk3.04 = 3 / 5 = 60 %.
# COUNTY: one of two (47.0100 手术) → gk2.01 = 1 / 2 = 50 %.
SURGERY = {
    "H1": "36.0601",
    "H2": "47.0900",
    "H3": "88.5600",
    "H4": "",
    "H5": "81.5100",
    "C1": "47.0100",
    "C2": "",
}
OPERATED_HOSP = ["H1", "H2", "H5"]


def _row(mrn: str) -> list[object]:
    org = HOSP if mrn.startswith("H") else COUNTY
    code = SURGERY[mrn]
    return discharge(mrn, **{"机构代码": org, "手术及操作编码1": code, "切口等级1": "2" if code else "",
                             "切口愈合类别1": "1" if code else ""})  # fmt: skip


def build(wh: Warehouse, tmp: Path) -> Warehouse:
    wh.seed()
    assert wh.load("codes-icd9cm3", wh.file("proc.csv", PROC_CODES)).quarantined == 0
    s = wh.load("discharges", wh.file("dis.csv", [DISCHARGE_HEADER] + [_row(m) for m in SURGERY]))
    assert s.status == "accepted" and s.quarantined == 0, s
    targets = [["对象代码", "目标项", "比较", "目标值", "截止期"], [HOSP, "gk3.04", ">=", "70", "2024"],
               [COUNTY, "gk2.01", ">=", "40", "2024"]]  # fmt: skip
    assert wh.load("targets", wh.file("targets.csv", targets)).quarantined == 0
    compute_period(wh.con, "2024")
    save(wh.con, rows(wh.con, evaluate_all(wh.con)), None)
    load_cards(wh, FIXED_CARDS)
    run_period(wh.con, "2024-07", rules_path=rules_file(tmp, FIXED), user="tester")
    for name, (role, scope) in USERS.items():
        add_user(wh.con, name, role, scope, PASSWORD)
    return wh


def signal_ids(wh: Warehouse) -> dict[str, int]:
    """The signal of each county: 990102 (2024-07-02) and 990121 (2024-07-05)."""
    return dict(wh.rows("SELECT region_code, signal_id FROM ews_signals"))


# Tables every request may write (the audit log, sessions, login counters): left out of "nothing changed".
BOOKKEEPING = frozenset({"audit_log", "sessions", "login_failures", "login_state"})
