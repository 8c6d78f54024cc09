"""What counties, communities, groups and hospitals report for the county-community, urban-group and Sanming
pages (programmes.md §1–2, §7): staff and pay, shared-centre volume, village ECG devices, chronic-disease
management, grid populations, the insurance fund and the 评判标准 checklist.

The four counties are drawn apart on purpose: 东山县 passes every criterion, 西河县 has one partly met,
南湖县 has the insurance-budget criterion not met (and is the county well below the 90 % in-county line),
北岭县 has not reported one criterion, so the checklist shows each kind of reason.
"""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table
from hqd.demo.region import COUNTIES, RegionModel

YEARS = (2024, 2025)
_WAGE = {"T": 165_000.0, "S": 128_000.0, "P": 92_000.0}
_ECG_COVERAGE = {"990121": 0.95, "990122": 0.8, "990123": 0.55, "990124": 0.7}
CRITERIA = ("ccm_r1", "ccm_r2", "ccm_r3", "ccm_m1", "ccm_m2", "ccm_m3", "ccm_m4", "ccm_s1", "ccm_s2", "ccm_i1",
            "ccm_i2", "ccm_q1", "ccm_q2", "ccm_q3")  # fmt: skip
CRITERIA_EXCEPTIONS = {
    "990122": {"ccm_m2": "部分实施"},
    "990123": {"ccm_i1": "未实施", "ccm_q1": "部分实施"},
    "990124": {"ccm_q3": None},  # not reported
}
ELEMENT_NAMES = {
    "staff_count": "在岗职工人数",
    "staff_wage_total": "在岗职工工资总额",
    "material_expense": "卫生材料支出",
    "shared_centre_services": "影像心电共享中心服务人次",
    "ecg_devices": "心电设备数",
    "chronic_registered": "登记高血压糖尿病患者数",
    "chronic_standard_managed": "规范管理高血压糖尿病患者数",
    "grid_population": "网格责任常住人口",
    "insurance_savings_retained": "医保基金结余留用金额",
    "chronic_managed_people": "慢性病健康管理人数",
    "chronic_managed_admissions": "慢性病健康管理人群住院人次",
    "premature_mortality_4cd": "四类慢性病过早死亡率",
    "insurance_fund_income": "医保基金收入",
    "insurance_fund_expense": "医保基金支出",
}


def _long(rows: list[tuple[str, str, str, str]], key: str) -> Table:
    cols = (key, "统计期", "数据项", "数值")
    return Table({c: np.asarray([r[i] for r in rows], dtype=object) for i, c in enumerate(cols)})


def county_tables(model: RegionModel, rng: np.random.Generator) -> tuple[Table, Table]:
    """(institution values, county values), long layout, for 2024 and 2025."""
    inst: list[tuple[str, str, str, str]] = []
    region: list[tuple[str, str, str, str]] = []
    balance: dict[tuple[str, int], float] = {}
    for year in YEARS:
        growth = 1.04 ** (year - 2024)
        for county in COUNTIES:
            pop = model.population(county)
            income = pop * rng.uniform(0.22, 0.28) * growth  # 万元: about 2,500 yuan per resident
            expense = income * rng.uniform(0.9, 0.97)
            balance[(county, year)] = income - expense
            managed = int(pop * rng.uniform(0.1, 0.14))
            figures = {
                "chronic_managed_people": str(managed),
                "chronic_managed_admissions": str(int(managed * rng.uniform(0.12, 0.22))),
                "premature_mortality_4cd": f"{rng.uniform(14.5, 19.0):.2f}",
                "insurance_fund_income": f"{income:.2f}",
                "insurance_fund_expense": f"{expense:.2f}",
            }
            for code, val in figures.items():
                region.append((county, str(year), ELEMENT_NAMES[code], val))
            exceptions = CRITERIA_EXCEPTIONS.get(county, {})
            for code in CRITERIA:
                status = exceptions.get(code, "已实施")
                if status is not None:
                    region.append((county, str(year), code, status))
    for x in model.city_institutions:
        tier = x.kind[0]
        village = x.kind == "P_VIL"
        for year in YEARS:
            growth = 1.03 ** (year - 2024)
            v: dict[str, float | None] = {}
            staff = 3 if village else int(x.beds * 1.3) + 6
            wage = 45_000.0 if village else _WAGE.get(tier, 92_000.0)
            v["staff_count"] = staff
            v["staff_wage_total"] = staff * wage * rng.uniform(0.95, 1.05) * growth / 1e4
            if tier in ("T", "S"):
                v["material_expense"] = x.beds * rng.uniform(8, 14) * growth
            if x.lead and x.community:
                v["shared_centre_services"] = int(rng.uniform(15_000, 40_000) * growth)
                county_balance = balance.get((x.region, year))
                if county_balance is not None:
                    v["insurance_savings_retained"] = county_balance * rng.uniform(0.1, 0.4)
            if village:
                covered = rng.random() < _ECG_COVERAGE.get(x.region, 0.8)
                v["ecg_devices"] = 1 if covered else 0
            elif x.kind in ("P_THC", "P_CHC"):
                v["ecg_devices"] = 2
                registered = x.beds * 30 + 500
                v["chronic_registered"] = registered
                v["chronic_standard_managed"] = int(registered * rng.uniform(0.6, 0.8))
            if x.group and not x.lead:
                v["grid_population"] = int(rng.uniform(12_000, 26_000))
            for code, val in v.items():
                if val is None:
                    continue
                text = str(int(val)) if isinstance(val, int) else f"{val:.2f}"
                inst.append((x.code, str(year), ELEMENT_NAMES[code], text))
    return _long(inst, "机构代码"), _long(region, "区划代码")
