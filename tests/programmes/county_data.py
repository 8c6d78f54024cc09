"""A hand-made county with a medical community and a city district with an urban medical group: every
record the county-community, group, referral and Sanming tests count, kept as plain Python data so the
expected values are computed here, independently of the SQL."""

from __future__ import annotations

from tests.conftest import CLINIC, COUNTY, HOSP
from tests.indicators.frontsheet_data import HEADER as DISCHARGE_HEADER
from tests.indicators.frontsheet_data import PROC_CODES, row

V1, V2, CHC = "12990121MB0000021B", "12990121MB0000031C", "12990102MB0000041D"
COMMUNITY, GROUP = "乙县医共体", "甲区医疗集团"
INSTITUTIONS = [
    ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别", "实有床位数", "所属医共体", "所属医疗集团", "是否牵头单位", "是否县级医院"],
    [HOSP, "示例市人民医院", "990102", "三级", "综合医院", "1200", "", GROUP, "是", "否"],
    [CHC, "甲区某社区卫生服务中心", "990102", "一级", "社区卫生服务中心", "20", "", GROUP, "否", "否"],
    [COUNTY, "乙县人民医院", "990121", "二级", "综合医院", "500", COMMUNITY, "", "是", "是"],
    [CLINIC, "乙县某镇卫生院", "990121", "一级", "乡镇卫生院", "40", COMMUNITY, "", "否", "否"],
    [V1, "乙县甲村卫生室", "990121", "未定级", "村卫生室", "0", COMMUNITY, "", "否", "否"],
    [V2, "乙县乙村卫生室", "990121", "未定级", "村卫生室", "0", COMMUNITY, "", "否", "否"],
]  # fmt: skip
PRIMARY = {CLINIC, V1, V2, CHC}
LEADS = {HOSP, COUNTY}
COUNTY_OF = {HOSP: "990102", CHC: "990102", COUNTY: "990121", CLINIC: "990121", V1: "990121", V2: "990121"}
GROUP_OF = {HOSP: GROUP, CHC: GROUP, COUNTY: COMMUNITY, CLINIC: COMMUNITY, V1: COMMUNITY, V2: COMMUNITY}
POPULATION = {"990102": 500_000, "990121": 400_000}

# institution -> element -> value (2025)
VALUES: dict[str, dict[str, float]] = {
    COUNTY: {"total_visits": 100_000, "tcm_visits": 8_000, "outpatient_visits": 90_000, "emergency_visits": 8_000,
             "seconded_physicians": 12, "staff_count": 500, "staff_wage_total": 6_000, "medical_revenue": 50_000,
             "drug_revenue": 15_000, "material_revenue": 8_000, "exam_revenue": 5_000, "lab_revenue": 4_000,
             "material_expense": 7_000, "shared_centre_services": 20_000, "general_practitioners": 5,
             "insurance_savings_retained": 3_000},
    CLINIC: {"total_visits": 60_000, "tcm_visits": 18_000, "outpatient_visits": 58_000, "emergency_visits": 1_000,
             "staff_count": 60, "staff_wage_total": 540, "chronic_registered": 2_000,
             "chronic_standard_managed": 1_500, "ecg_devices": 2, "general_practitioners": 8},
    V1: {"total_visits": 3_000, "tcm_visits": 1_200, "outpatient_visits": 3_000, "ecg_devices": 1, "staff_count": 2,
         "staff_wage_total": 9},
    V2: {"total_visits": 2_000, "outpatient_visits": 2_000},
    HOSP: {"total_visits": 800_000, "tcm_visits": 40_000, "outpatient_visits": 700_000, "emergency_visits": 80_000,
           "medical_revenue": 200_000, "drug_revenue": 60_000, "material_revenue": 30_000, "exam_revenue": 20_000,
           "lab_revenue": 15_000, "material_expense": 25_000, "staff_count": 3_000, "staff_wage_total": 54_000},
    CHC: {"total_visits": 90_000, "tcm_visits": 20_000, "outpatient_visits": 88_000, "chronic_registered": 3_000,
          "chronic_standard_managed": 2_400, "grid_population": 60_000, "staff_count": 40, "staff_wage_total": 400},
}  # fmt: skip
COUNTY_VALUES = {"chronic_managed_people": 40_000, "chronic_managed_admissions": 6_000, "premature_mortality_4cd": 16.5,
                 "insurance_fund_income": 100_000, "insurance_fund_expense": 92_000}  # fmt: skip
CRITERIA = {"ccm_r1": "已实施", "ccm_r2": "已实施", "ccm_r3": "是", "ccm_m1": "已实施", "ccm_m2": "部分实施",
            "ccm_m3": "已实施", "ccm_m4": "达标", "ccm_s1": "已实施", "ccm_s2": "已实施", "ccm_i1": "已实施",
            "ccm_i2": "已实施", "ccm_q1": "已实施", "ccm_q2": "已实施"}  # ccm_q3 not reported  # fmt: skip

# (id, from, to, direction, status, referral date, accept date)
REFERRALS = [
    ("R0", HOSP, CHC, "下转", "已接收", "2024-05-01", "2024-05-02"),
    ("R1", CLINIC, COUNTY, "上转", "已接收", "2025-03-01", "2025-03-03"),
    ("R2", CLINIC, HOSP, "上转", "拒收", "2025-03-05", ""),
    ("R3", COUNTY, CLINIC, "下转", "已接收", "2025-04-01", "2025-04-02"),
    ("R4", HOSP, CHC, "下转", "已接收", "2025-05-01", "2025-05-04"),
    ("R5", HOSP, CHC, "下转", "待接收", "2025-06-01", ""),
    ("R6", CHC, HOSP, "上转", "已接收", "2025-07-01", "2025-07-01"),
    ("R7", CLINIC, COUNTY, "上转", "已接收", "2025-08-01", "2025-08-05"),
]
REFERRAL_HEADER = ["转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "接收状态", "转诊日期", "接收日期"]

# discharges: the lead hospital's operations by grade (36.0601 grade 4, 47.0100 grade 3, 47.0900 grade 2) and the
# tertiary hospital's 离院方式 3 (referred down on discharge)
DISCHARGES = [
    row(COUNTY, "L1", p1="36.0601", i1="0", h1="9", adm="2025-05-01", out="2025-05-05"),
    row(COUNTY, "L2", p1="47.0100", i1="2", h1="1", adm="2025-05-01", out="2025-05-05"),
    row(COUNTY, "L3", p1="47.0900", i1="2", h1="1", adm="2025-05-01", out="2025-05-05"),
    row(COUNTY, "L4", adm="2025-05-01", out="2025-05-05"),
    row(HOSP, "H1", mode="3", adm="2025-05-01", out="2025-05-05"),
    row(HOSP, "H2", mode="3", adm="2025-06-01", out="2025-06-05"),
    row(HOSP, "H3", mode="1", adm="2025-06-01", out="2025-06-05"),
]
GRADE = {"36.0601": 4, "47.0100": 3, "47.0900": 2}
SURGICAL = {"36.0601", "47.0100", "47.0900"}


def load(wh) -> None:
    """The region of the conftest, these institutions, their 2025 values, referrals, codes and discharges."""
    from tests.conftest import REGIONS

    long = [["机构代码", "统计期", "数据项", "数值"]]
    long += [[org, "2025", code, str(v)] for org, vals in VALUES.items() for code, v in vals.items()]
    region = [["区划代码", "统计期", "数据项", "数值"]]
    region += [["990121", "2025", code, str(v)] for code, v in {**COUNTY_VALUES, **CRITERIA}.items()]
    refs = [REFERRAL_HEADER, *[list(r) for r in REFERRALS]]
    for kind, name, rows in (("regions", "r.csv", REGIONS), ("institutions", "i.csv", INSTITUTIONS),
                             ("values", "v.csv", long), ("values", "rv.csv", region), ("referrals", "f.csv", refs),
                             ("codes-icd9cm3", "p.csv", PROC_CODES),
                             ("discharges", "d.csv", [DISCHARGE_HEADER, *DISCHARGES])):  # fmt: skip
        summary = wh.load(kind, wh.file(name, rows))
        assert summary.quarantined == 0 and summary.status == "accepted", (kind, summary.reasons)
