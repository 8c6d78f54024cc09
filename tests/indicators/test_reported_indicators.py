"""The reported-value indicators (gk3_reported.yaml, gk2_reported.yaml, tcm.yaml) on a hand-made region.

One warehouse is built for the module through the real loaders: annual, quarterly and monthly values,
discharges of 2023–2025, a procedure catalogue and EMR ratings, then 2024 is computed once. Every
indicator of the three files has a row in CASES with its numerator and denominator written out by hand
from the manual's definition over the same figures (the dictionaries below), never read from the catalog
or the engine; a test fails if an indicator of those files has no row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.conftest import DISCHARGE_HEADER, HOSP, Warehouse, discharge

from hqd.indicators.catalog import indicators
from hqd.indicators.compute import compute_period

COUNTY = "12990121MB7654321Y"  # 乙县人民医院, 二级 综合医院 (seeded)
TCM3 = "12990121MB3333333C"  # 乙县中医医院, 三级 中医医院, in 990121 — the second tertiary hospital of 990100
TCM2 = "12990102MB4444444D"  # 甲区中西医结合医院, 二级 中西医结合医院, in 990102
FILES = {"indicators/gk3_reported.yaml", "indicators/gk2_reported.yaml", "indicators/tcm.yaml"}
REL = 1e-12

# ------------------------------------------------------------------------------------------ the figures
# Monthly (wide layout) for HOSP, 2024: flows that the engine must add up over the twelve months.
MONTHS = range(1, 13)
H_OUTPATIENT = {m: 100_000 + 1_000 * m for m in MONTHS}
H_EMERGENCY = {m: 9_000 + 10 * m for m in MONTHS}
H_TOTAL_VISITS = {m: H_OUTPATIENT[m] + H_EMERGENCY[m] + 2_000 for m in MONTHS}
H_BOOKED = {m: 60_000 + 500 * m for m in MONTHS}
H_WAIT = {m: H_BOOKED[m] * 15 + m for m in MONTHS}
# Quarterly stock for HOSP: the latest report (Q4) counts, not the sum.
H_PHYSICIANS = {"2024Q1": 480, "2024Q2": 485, "2024Q3": 490, "2024Q4": 500}

HOSP_2024 = {
    "医疗收入": 80_000, "门诊收入": 30_000, "住院收入": 50_000, "药品收入": 24_000, "门诊药品收入": 11_000,
    "住院药品收入": 13_000, "卫生材料收入": 12_000, "检查收入": 7_000, "化验收入": 6_000,
    "门诊收入中来自医保基金的收入": 9_000, "住院收入中来自医保基金的收入": 31_000, "总收入": 90_000,
    "人员支出": 32_000, "业务支出": 78_000, "能耗支出": 1_200, "资产总额": 150_000, "负债总额": 60_000,
    "收支结余": 4_500.5, "人才培养经费投入": 1_100, "医院当年总经费": 85_000, "科研项目经费": 900,
    "科研成果转化金额": 60, "辅助用药收入": 1_500, "重点监控高值医用耗材收入": 4_000, "特需医疗服务收入": 800,
    "注册护士人数": 1_100, "卫生技术人员数": 2_300, "高级职称卫生技术人员数": 380, "药师人数": 70,
    "实际开放床位数": 1_750, "麻醉医师人数": 30, "儿科医师人数": 40, "重症医师人数": 18, "病理医师人数": 9,
    "中医医师人数": 45, "招收进修总人数": 180, "进修并返回原医院独立工作人数": 160,
    "首次参加医师资格考试的住院医师人数": 25, "首次参加医师资格考试并通过的住院医师人数": 21,
    "门急诊下转患者人次数": 300, "住院下转患者人次数": 120, "特需医疗服务量": 20_000, "全部医疗服务量": 1_300_000,
    "大型医用设备检查人次数": 100_000, "大型医用设备检查阳性数": 68_000,
    "通过国家室间质量评价的临床检验项目数": 120, "开展优质护理服务的病房数": 40, "病房总数": 45,
    "处方总数": 900_000, "点评处方数": 27_000, "住院患者抗菌药物使用量（累计DDD数）": 7.3,
    "门诊使用药品人次数": 800_000, "门诊使用基本药物人次数": 420_000, "出院患者使用药品人次数": 45_000,
    "出院患者使用基本药物总人次数": 41_000, "采购基本药物品种数": 400, "采购药物品种总数": 1_100,
    "中标药品用量": 880_000, "同种药品用量": 1_000_000, "实际占用总床日数": 550_000,
    "门诊患者满意度": 91.5, "住院患者满意度": 94.25, "医务人员满意度": 86,
}  # fmt: skip
HOSP_TEXT_2024 = {
    "大型医用设备维修保养及质量控制管理": "已建立", "全面预算管理": "已建立", "规范设立总会计师": "已设立",
    "公共信用综合评价等级": "A",
}  # fmt: skip
HOSP_2023 = {
    "医疗收入": 72_000, "门诊收入": 27_000, "门诊药品收入": 10_200, "住院收入": 46_000, "住院药品收入": 12_500,
    "门诊人次": 950_000,
}  # fmt: skip

# COUNTY leaves out 医疗收入中来自医保基金的收入; writes 人员经费 / 医疗活动费用 / 重点监控药品收入, the names
# the 2019+ statements use for 人员支出 / 业务支出 / 辅助用药收入; reports 门诊人次 as a year total.
COUNTY_2024 = {
    "住院患者抗菌药物使用量（累计DDD数）": 6.6, "基本药物采购金额": 3_200, "中标药品采购金额": 2_100,
    "药品采购总金额": 8_000, "重点监控药品收入": 450, "药品收入": 8_500, "重点监控高值医用耗材收入": 900,
    "卫生材料收入": 3_000, "已开展且省级室间质评已覆盖的检验项目数": 90, "参加省级室间质评的检验项目数": 84,
    "省级室间质评合格的检验项目数": 79, "医疗盈余": 1_500, "医疗活动收入": 21_000, "负债总额": 9_000,
    "资产总额": 20_000, "人员经费": 7_800, "医疗活动费用": 19_500, "能耗支出": 380, "总收入": 22_000,
    "医疗收入": 20_000, "门诊收入": 8_000, "住院收入": 12_000, "检查收入": 1_600, "化验收入": 1_400,
    "门诊药品收入": 3_500, "住院药品收入": 5_000, "门诊人次": 400_000, "注册护士人数": 260, "执业医师人数": 180,
    "麻醉医师人数": 8, "儿科医师人数": 10, "重症医师人数": 5, "病理医师人数": 3, "中医医师人数": 12,
    "人才培养经费投入": 150, "医院当年总经费": 20_500, "门诊患者满意度": 90, "住院患者满意度": 93,
    "医务人员满意度": 85,
}  # fmt: skip
COUNTY_2023 = {
    "医疗收入": 18_500, "门诊收入": 7_600, "门诊人次": 390_000, "门诊药品收入": 3_400, "住院收入": 10_900,
    "住院药品收入": 4_700,
}  # fmt: skip

# TCM3 reports the TCM items and a few general ones (for the region roll-up), but not 门诊医保基金收入.
TCM3_2024 = {
    "点评中药处方数": 5_200, "中药处方总数": 130_000, "中医医师人数": 260, "执业医师人数": 400,
    "中医药科研项目经费": 180, "中医药科研成果转化金额": 15, "卫生技术人员数": 1_300,
    "以中医为主治疗的出院患者人次数": 2, "门诊处方总数": 600_000, "门诊中药处方数": 380_000,
    "门诊散装中药饮片和小包装中药饮片处方数": 200_000, "门诊使用中药饮片人次数": 240_000, "门诊人次": 750_000,
    "出院患者使用中药饮片人次数": 2, "门诊使用中医非药物疗法人次数": 160_000, "出院患者使用中医非药物疗法人次数": 1,
    "围手术期接受中医治疗的住院手术患者人次数": 1, "理法方药使用一致的出院病历数": 140, "抽查出院中医病历数": 150,
    "门诊中医医疗服务项目收入": 4_200, "门诊收入": 26_000, "住院中医医疗服务项目收入": 3_000, "住院收入": 24_000,
    "中成药收入": 3_800, "中药饮片收入": 5_200, "医疗机构中药制剂收入": 900, "药品收入": 16_000,
    "系统接受中医药知识和技能培训的护理人员数": 520, "注册护士人数": 650, "医疗收入": 50_000,
    "住院患者抗菌药物使用量（累计DDD数）": 2.1,
}  # fmt: skip
TCM3_2023 = {"医疗收入": 46_000}
# TCM2: a zero sample for 理法方药 (denominator 0), a few other items, nothing else.
TCM2_2024 = {
    "理法方药使用一致的出院病历数": 0, "抽查出院中医病历数": 0, "以中医为主治疗的出院患者人次数": 1,
    "中药饮片收入": 600, "中成药收入": 500, "药品收入": 3_000,
}  # fmt: skip

# Discharges: (org, mrn, admitted, discharged, procedure) — stays are the days between the two dates.
DISCHARGES = [
    (HOSP, "H1", "2024-03-01 08:00", "2024-03-05 10:00", "36.0601"),  # 4 days
    (HOSP, "H2", "2024-05-10 08:00", "2024-05-14 09:00", "36.0601"),  # 4
    (HOSP, "H3", "2024-07-01 08:00", "2024-07-03 09:00", ""),  # 2
    (HOSP, "H4", "2024-12-20 08:00", "2024-12-30 09:00", ""),  # 10
    (HOSP, "H5", "2024-12-28 08:00", "2025-01-03 09:00", ""),  # discharged in 2025: not in 2024
    (HOSP, "G1", "2023-06-01 08:00", "2023-06-05 09:00", ""),  # 2023
    (HOSP, "G2", "2023-11-01 08:00", "2023-11-08 09:00", ""),  # 2023
    (COUNTY, "C1", "2024-02-01 08:00", "2024-02-06 09:00", ""),  # 5
    (COUNTY, "C2", "2024-04-01 08:00", "2024-04-08 09:00", "36.0601"),  # 7
    (COUNTY, "C3", "2024-09-01 08:00", "2024-09-04 09:00", ""),  # 3
    (COUNTY, "D1", "2023-03-01 08:00", "2023-03-04 09:00", ""),  # 2023
    (COUNTY, "D2", "2023-08-01 08:00", "2023-08-06 09:00", ""),  # 2023
    (TCM3, "T1", "2024-01-10 08:00", "2024-01-20 09:00", "36.0601"),  # 10, operated
    (TCM3, "T2", "2024-06-10 08:00", "2024-06-16 09:00", "36.0601"),  # 6, operated
    (TCM3, "T3", "2024-10-10 08:00", "2024-10-12 09:00", ""),  # 2
    (TCM2, "S1", "2024-03-10 08:00", "2024-03-15 09:00", ""),  # 5
    (TCM2, "S2", "2024-08-10 08:00", "2024-08-12 09:00", "36.0601"),  # 2
]
# The discharge figures of 2024 by hand: count, Σ stay, operated (36.0601 is 介入治疗 in the catalogue).
D = {
    HOSP: {"n": 4, "los": 4 + 4 + 2 + 10, "operated": 2},
    COUNTY: {"n": 3, "los": 5 + 7 + 3, "operated": 1},
    TCM3: {"n": 3, "los": 10 + 6 + 2, "operated": 2},
    TCM2: {"n": 2, "los": 5 + 2, "operated": 1},
}
D_2023 = {HOSP: {"n": 2}, COUNTY: {"n": 2}}
RATINGS = [
    (HOSP, "电子病历系统应用水平", "4级", "2021-05-01"),
    (HOSP, "电子病历系统应用水平", "5级", "2024-11-30"),
    (HOSP, "电子病历系统应用水平", "6级", "2025-03-01"),  # after 2024: not yet
    (COUNTY, "电子病历系统应用水平", "3级", "2023-12-08"),
]


def _long(org: str, period: str, figures: dict[str, object]) -> list[list[object]]:
    return [[org, period, name, value] for name, value in figures.items()]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("reported")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HQD_DB", str(root / "hqd.duckdb"))
        mp.delenv("HQD_SECRET", raising=False)
        w = Warehouse(root).seed()
        inst = [
            ["机构代码", "机构名称", "区划代码", "机构级别", "机构类别", "实有床位数"],
            [TCM3, "乙县中医医院", "990121", "三级", "中医医院", "600"],
            [TCM2, "甲区中西医结合医院", "990102", "二级", "中西医结合医院", "200"],
        ]
        loads = [
            ("institutions", w.file("inst2.csv", inst)),
            ("codes-icd9cm3", w.file("icd9.csv", [["编码", "名称", "类别"], ["36.0601", "冠状动脉支架置入术", "介入治疗"]])),
            ("discharges", w.file("d.csv", [DISCHARGE_HEADER] + [
                discharge(mrn, 机构代码=org, 入院时间=a, 出院时间=b, 手术及操作编码1=p, 切口等级1="", 切口愈合类别1="")
                for org, mrn, a, b, p in DISCHARGES])),
            ("values", w.file("monthly.csv", [["机构代码", "统计期", "门诊人次", "急诊人次", "总诊疗人次", "预约诊疗人次",
                                               "预约后等待时间合计"]] + [
                [HOSP, f"2024-{m:02d}", H_OUTPATIENT[m], H_EMERGENCY[m], H_TOTAL_VISITS[m], H_BOOKED[m], H_WAIT[m]]
                for m in MONTHS])),
            ("values", w.file("annual.csv", [["机构代码", "统计期", "数据项", "数值"]]
                + _long(HOSP, "2024", {**HOSP_2024, **HOSP_TEXT_2024}) + _long(HOSP, "2023", HOSP_2023)
                + [[HOSP, q, "执业医师人数", n] for q, n in H_PHYSICIANS.items()]
                + _long(COUNTY, "2024", COUNTY_2024) + _long(COUNTY, "2023", COUNTY_2023)
                + _long(TCM3, "2024", TCM3_2024) + _long(TCM3, "2023", TCM3_2023)
                + _long(TCM2, "2024", TCM2_2024))),
            ("ratings", w.file("ratings.csv", [["机构代码", "项目", "等级", "评定日期"], *RATINGS])),
        ]  # fmt: skip
        for kind, path in loads:
            s = w.load(kind, path)
            assert s.quarantined == 0 and s.duplicate == 0, (kind, s.reasons)
        compute_period(w.con, "2024")
        yield w
        w.con.close()


def stored(w: Warehouse, ident: str, org: str) -> tuple | None:
    return w.con.execute(
        "SELECT numerator, denominator, value, value_text, status, reason FROM indicator_values "
        "WHERE indicator_id = ? AND org_code = ? AND period = '2024'",
        [ident, org],
    ).fetchone()


# ----------------------------------------------------------------------------- expected, by hand
H, C, T = HOSP_2024, COUNTY_2024, TCM3_2024
H_OUT = sum(H_OUTPATIENT.values())  # 门诊人次 of 2024 = the twelve months
H_PHYS = H_PHYSICIANS["2024Q4"]  # 执业医师人数 = the latest quarter


def per_visit(revenue: float, visits: float) -> float:
    """万元 per visit in yuan."""
    return revenue / visits * 10_000


def growth(now: float, before: float) -> tuple[float, float, float]:
    return now - before, before, (now - before) / before * 100


def ratio(num: float, den: float | None, scale: float = 1.0) -> tuple[float, float | None, float]:
    return num, den, (num * scale if den is None else num / den * scale)


# id -> (organisation, (numerator, denominator, value)) ; text and rating ids are in TEXTS.
CASES: dict[str, tuple[str, tuple]] = {
    # ---- tertiary, HOSP
    "gk3.01": (HOSP, ratio(H_OUT, D[HOSP]["n"])),
    "gk3.02": (HOSP, ratio(H["门急诊下转患者人次数"] + H["住院下转患者人次数"], None)),
    "gk3.07.a": (HOSP, ratio(H["特需医疗服务量"], H["全部医疗服务量"], 100)),
    "gk3.07.b": (HOSP, ratio(H["特需医疗服务收入"], H["医疗收入"], 100)),
    "gk3.11": (HOSP, ratio(H["大型医用设备检查阳性数"], H["大型医用设备检查人次数"], 100)),
    "gk3.13": (HOSP, ratio(H["通过国家室间质量评价的临床检验项目数"], None)),
    "gk3.15": (HOSP, ratio(H["开展优质护理服务的病房数"], H["病房总数"], 100)),
    "gk3.16": (HOSP, ratio(H["点评处方数"], H["处方总数"], 100)),
    # DDDs × 100 / 收治患者人天数 (= 出院人数 × 平均住院日 = Σ stay)
    "gk3.17": (HOSP, ratio(H["住院患者抗菌药物使用量（累计DDD数）"], D[HOSP]["los"], 100)),
    "gk3.18": (HOSP, ratio(H["门诊使用基本药物人次数"], H["门诊使用药品人次数"], 100)),
    "gk3.19": (HOSP, ratio(H["出院患者使用基本药物总人次数"], H["出院患者使用药品人次数"], 100)),
    "gk3.20": (HOSP, ratio(H["采购基本药物品种数"], H["采购药物品种总数"], 100)),
    "gk3.21": (HOSP, ratio(H["中标药品用量"], H["同种药品用量"], 100)),
    # 预约诊疗人次 / (总诊疗人次 − 急诊人次)
    "gk3.22": (HOSP, ratio(sum(H_BOOKED.values()), sum(H_TOTAL_VISITS.values()) - sum(H_EMERGENCY.values()), 100)),
    "gk3.23": (HOSP, ratio(sum(H_WAIT.values()), sum(H_BOOKED.values()))),
    # 占用床日 / 医师 / 365
    "gk3.25": (HOSP, (H["实际占用总床日数"], H_PHYS, H["实际占用总床日数"] / H_PHYS / 365)),
    "gk3.26": (HOSP, ratio(H["药师人数"], H["实际开放床位数"], 100)),
    "gk3.27": (HOSP, ratio(H["门诊收入"], H["医疗收入"], 100)),
    "gk3.28": (HOSP, ratio(H["门诊收入中来自医保基金的收入"], H["门诊收入"], 100)),
    "gk3.29": (HOSP, ratio(H["住院收入"], H["医疗收入"], 100)),
    "gk3.30": (HOSP, ratio(H["住院收入中来自医保基金的收入"], H["住院收入"], 100)),
    # 医疗服务收入 = 医疗收入 − 药品 − 卫生材料 − 检查 − 化验
    "gk3.31": (HOSP, ratio(H["医疗收入"] - H["药品收入"] - H["卫生材料收入"] - H["检查收入"] - H["化验收入"],
                           H["医疗收入"], 100)),
    "gk3.32": (HOSP, ratio(H["辅助用药收入"], H["药品收入"], 100)),
    "gk3.56": (HOSP, ratio(H["重点监控高值医用耗材收入"], H["卫生材料收入"], 100)),
    "gk3.33": (HOSP, ratio(H["人员支出"], H["业务支出"], 100)),
    "gk3.34": (HOSP, ratio(H["能耗支出"], H["总收入"], 10_000)),  # 元 per 万元
    "gk3.35": (HOSP, ratio(H["收支结余"], None)),
    "gk3.36": (HOSP, ratio(H["负债总额"], H["资产总额"], 100)),
    "gk3.37.base": (HOSP, ratio(H["医疗收入"], None)),
    "gk3.37": (HOSP, growth(H["医疗收入"], HOSP_2023["医疗收入"])),
    "gk3.38.base": (HOSP, ratio(H["门诊收入"], H_OUT, 10_000)),
    "gk3.38": (HOSP, growth(per_visit(H["门诊收入"], H_OUT), per_visit(27_000, 950_000))),
    "gk3.39.base": (HOSP, ratio(H["门诊药品收入"], H_OUT, 10_000)),
    "gk3.39": (HOSP, growth(per_visit(H["门诊药品收入"], H_OUT), per_visit(10_200, 950_000))),
    "gk3.40.base": (HOSP, ratio(H["住院收入"], D[HOSP]["n"], 10_000)),
    "gk3.40": (HOSP, growth(per_visit(50_000, 4), per_visit(46_000, D_2023[HOSP]["n"]))),
    "gk3.41.base": (HOSP, ratio(H["住院药品收入"], D[HOSP]["n"], 10_000)),
    "gk3.41": (HOSP, growth(per_visit(13_000, 4), per_visit(12_500, D_2023[HOSP]["n"]))),
    "gk3.44": (HOSP, ratio(H["高级职称卫生技术人员数"], H["卫生技术人员数"], 100)),
    "gk3.45.a": (HOSP, ratio(H["麻醉医师人数"], H_PHYS, 100)),
    "gk3.45.b": (HOSP, ratio(H["儿科医师人数"], H_PHYS, 100)),
    "gk3.45.c": (HOSP, ratio(H["重症医师人数"], H_PHYS, 100)),
    "gk3.45.d": (HOSP, ratio(H["病理医师人数"], H_PHYS, 100)),
    "gk3.45.e": (HOSP, ratio(H["中医医师人数"], H_PHYS, 100)),
    "gk3.46": (HOSP, ratio(H["注册护士人数"], H_PHYS)),  # 1 : x, x = nurses per physician
    "gk3.47": (HOSP, ratio(H["进修并返回原医院独立工作人数"], H["招收进修总人数"], 100)),
    "gk3.48": (HOSP, ratio(H["首次参加医师资格考试并通过的住院医师人数"], H["首次参加医师资格考试的住院医师人数"], 100)),
    "gk3.49": (HOSP, ratio(H["人才培养经费投入"], H["医院当年总经费"], 100)),
    "gk3.50": (HOSP, ratio(H["科研项目经费"], H["卫生技术人员数"], 100)),
    "gk3.51": (HOSP, ratio(H["科研成果转化金额"], H["卫生技术人员数"], 100)),
    "gk3.53": (HOSP, ratio(H["门诊患者满意度"], None)),
    "gk3.54": (HOSP, ratio(H["住院患者满意度"], None)),
    "gk3.55": (HOSP, ratio(H["医务人员满意度"], None)),
    # ---- secondary, COUNTY
    "gk2.06": (COUNTY, ratio(C["住院患者抗菌药物使用量（累计DDD数）"], D[COUNTY]["los"], 100)),
    "gk2.07": (COUNTY, ratio(C["基本药物采购金额"], C["药品采购总金额"], 100)),
    "gk2.08": (COUNTY, ratio(C["中标药品采购金额"], C["药品采购总金额"], 100)),
    "gk2.09": (COUNTY, ratio(C["重点监控药品收入"], C["药品收入"], 100)),
    "gk2.10": (COUNTY, ratio(C["重点监控高值医用耗材收入"], C["卫生材料收入"], 100)),
    "gk2.12.a": (COUNTY, ratio(C["参加省级室间质评的检验项目数"], C["已开展且省级室间质评已覆盖的检验项目数"], 100)),
    "gk2.12.b": (COUNTY, ratio(C["省级室间质评合格的检验项目数"], C["参加省级室间质评的检验项目数"], 100)),
    "gk2.14": (COUNTY, ratio(C["医疗盈余"], C["医疗活动收入"], 100)),
    "gk2.15": (COUNTY, ratio(C["负债总额"], C["资产总额"], 100)),
    "gk2.16": (COUNTY, ratio(C["人员经费"], C["医疗活动费用"], 100)),
    "gk2.17": (COUNTY, ratio(C["能耗支出"], C["总收入"], 10_000)),
    "gk2.19": (COUNTY, ratio(C["医疗收入"] - C["药品收入"] - C["卫生材料收入"] - C["检查收入"] - C["化验收入"],
                             C["医疗收入"], 100)),
    "gk2.20.base": (COUNTY, ratio(C["医疗收入"], None)),
    "gk2.20": (COUNTY, growth(C["医疗收入"], COUNTY_2023["医疗收入"])),
    "gk2.21.a.base": (COUNTY, ratio(C["门诊收入"], C["门诊人次"], 10_000)),
    "gk2.21.a": (COUNTY, growth(per_visit(8_000, 400_000), per_visit(7_600, 390_000))),
    "gk2.21.b.base": (COUNTY, ratio(C["住院收入"], D[COUNTY]["n"], 10_000)),
    "gk2.21.b": (COUNTY, growth(per_visit(12_000, 3), per_visit(10_900, D_2023[COUNTY]["n"]))),
    "gk2.22.a.base": (COUNTY, ratio(C["门诊药品收入"], C["门诊人次"], 10_000)),
    "gk2.22.a": (COUNTY, growth(per_visit(3_500, 400_000), per_visit(3_400, 390_000))),
    "gk2.22.b.base": (COUNTY, ratio(C["住院药品收入"], D[COUNTY]["n"], 10_000)),
    "gk2.22.b": (COUNTY, growth(per_visit(5_000, 3), per_visit(4_700, D_2023[COUNTY]["n"]))),
    "gk2.23": (COUNTY, ratio(C["注册护士人数"], C["执业医师人数"])),
    "gk2.24.a": (COUNTY, ratio(C["麻醉医师人数"], C["执业医师人数"], 100)),
    "gk2.24.b": (COUNTY, ratio(C["儿科医师人数"], C["执业医师人数"], 100)),
    "gk2.24.c": (COUNTY, ratio(C["重症医师人数"], C["执业医师人数"], 100)),
    "gk2.24.d": (COUNTY, ratio(C["病理医师人数"], C["执业医师人数"], 100)),
    "gk2.24.e": (COUNTY, ratio(C["中医医师人数"], C["执业医师人数"], 100)),
    "gk2.25": (COUNTY, ratio(C["人才培养经费投入"], C["医院当年总经费"], 100)),
    "gk2.27.a": (COUNTY, ratio(C["门诊患者满意度"], None)),
    "gk2.27.b": (COUNTY, ratio(C["住院患者满意度"], None)),
    "gk2.28": (COUNTY, ratio(C["医务人员满意度"], None)),
    # ---- TCM, TCM3 (三级 中医医院)
    "gk3.16.tcm": (TCM3, ratio(T["点评中药处方数"], T["中药处方总数"], 100)),
    "gk3.45.tcm": (TCM3, ratio(T["中医医师人数"], T["执业医师人数"], 100)),
    "gk3.50.tcm": (TCM3, ratio(T["中医药科研项目经费"], T["卫生技术人员数"], 100)),
    "gk3.51.tcm": (TCM3, ratio(T["中医药科研成果转化金额"], T["卫生技术人员数"], 100)),
    "tcm.tcm_led_discharge_share": (TCM3, ratio(T["以中医为主治疗的出院患者人次数"], D[TCM3]["n"], 100)),
    "tcm.outpatient_tcm_prescription_share": (TCM3, ratio(T["门诊中药处方数"], T["门诊处方总数"], 100)),
    "tcm.herbal_pieces_prescription_share": (
        TCM3, ratio(T["门诊散装中药饮片和小包装中药饮片处方数"], T["门诊处方总数"], 100)),
    "tcm.outpatient_herbal_use_rate": (TCM3, ratio(T["门诊使用中药饮片人次数"], T["门诊人次"], 100)),
    "tcm.inpatient_herbal_use_rate": (TCM3, ratio(T["出院患者使用中药饮片人次数"], D[TCM3]["n"], 100)),
    "tcm.outpatient_nondrug_therapy_share": (TCM3, ratio(T["门诊使用中医非药物疗法人次数"], T["门诊人次"], 100)),
    "tcm.inpatient_nondrug_therapy_share": (TCM3, ratio(T["出院患者使用中医非药物疗法人次数"], D[TCM3]["n"], 100)),
    # over operated discharges (手术 or 介入治疗)
    "tcm.perioperative_tcm_share": (
        TCM3, ratio(T["围手术期接受中医治疗的住院手术患者人次数"], D[TCM3]["operated"], 100)),
    "tcm.consistent_treatment_share": (TCM3, ratio(T["理法方药使用一致的出院病历数"], T["抽查出院中医病历数"], 100)),
    "tcm.outpatient_tcm_service_revenue_share": (TCM3, ratio(T["门诊中医医疗服务项目收入"], T["门诊收入"], 100)),
    "tcm.inpatient_tcm_service_revenue_share": (TCM3, ratio(T["住院中医医疗服务项目收入"], T["住院收入"], 100)),
    "tcm.tcm_drug_revenue_share": (TCM3, ratio(T["中成药收入"] + T["中药饮片收入"], T["药品收入"], 100)),
    "tcm.herbal_pieces_revenue_share": (TCM3, ratio(T["中药饮片收入"], T["药品收入"], 100)),
    "tcm.preparation_revenue_share": (TCM3, ratio(T["医疗机构中药制剂收入"], T["药品收入"], 100)),
    "tcm.nurse_tcm_training_share": (
        TCM3, ratio(T["系统接受中医药知识和技能培训的护理人员数"], T["注册护士人数"], 100)),
}  # fmt: skip
# Qualitative: id -> (organisation, stored number, stored text). Ratings are shown as their level number.
TEXTS = {
    "gk3.12": (HOSP, None, "已建立"),
    "gk3.42": (HOSP, None, "已建立"),
    "gk3.43": (HOSP, None, "已设立"),
    "gk3.52": (HOSP, None, "A"),
    "gk3.24": (HOSP, 5.0, "5级"),  # the 6级 of 2025-03 is after the period
    "gk2.11": (COUNTY, 3.0, "3级"),
}
# Missing on purpose: id -> (organisation, words the reason must contain).
MISSING = {
    "gk2.18": (COUNTY, ("医疗收入中来自医保基金的收入", "medical_fund_revenue")),
}


def test_every_indicator_of_the_three_files_has_a_case() -> None:
    ids = {i.id for i in indicators() if i.file in FILES}
    assert ids == set(CASES) | set(TEXTS) | set(MISSING)


@pytest.mark.parametrize("ident", sorted(CASES))
def test_value_equals_the_hand_computed_one(world: Warehouse, ident: str) -> None:
    org, (num, den, value) = CASES[ident]
    got = stored(world, ident, org)
    assert got is not None, f"{ident} not stored for {org}"
    assert got[4] == "ok", got
    assert got[0] == pytest.approx(num, rel=REL)
    assert (got[1] is None) if den is None else got[1] == pytest.approx(den, rel=REL)
    assert got[2] == pytest.approx(value, rel=REL)


@pytest.mark.parametrize("ident", sorted(TEXTS))
def test_qualitative_values_keep_the_reported_text(world: Warehouse, ident: str) -> None:
    org, number, text = TEXTS[ident]
    _, den, value, value_text, status, _ = stored(world, ident, org)
    assert (status, value_text, value, den) == ("ok", text, number, None)
    regions = world.one("SELECT count(*) FROM indicator_values WHERE indicator_id = ? AND org_level <> 'institution'",
                        [ident])  # fmt: skip
    assert regions == 0  # a level is not added up over a region


def test_a_missing_element_is_named_in_the_reason(world: Warehouse) -> None:
    for ident, (org, words) in MISSING.items():
        _, _, value, _, status, reason = stored(world, ident, org)
        assert (status, value) == ("missing", None)
        assert all(w in reason for w in words), reason
    # TCM2 reports none of the TCM revenue items: 门诊中医医疗服务项目收入 is named, not a generic message
    _, _, value, _, status, reason = stored(world, "tcm.outpatient_tcm_service_revenue_share", TCM2)
    assert (status, value) == ("missing", None)
    assert "门诊中医医疗服务项目收入" in reason and "outpatient_tcm_service_revenue" in reason


def test_a_zero_denominator_is_missing_not_zero(world: Warehouse) -> None:
    num, den, value, _, status, reason = stored(world, "tcm.consistent_treatment_share", TCM2)
    assert (num, den, value, status) == (0.0, 0.0, None, "missing")
    assert "分母为0" in reason


def test_tcm_hospitals_only(world: Warehouse) -> None:
    # TCM2 is a 二级 中西医结合医院: the TCM-specific ones apply, the gk3.*.tcm variants (三级) do not
    _, _, value, _, status, _ = stored(world, "tcm.tcm_led_discharge_share", TCM2)
    assert (status, value) == ("ok", pytest.approx(1 / 2 * 100, rel=REL))
    _, _, value, _, status, _ = stored(world, "tcm.tcm_drug_revenue_share", TCM2)
    assert (status, value) == ("ok", pytest.approx((500 + 600) / 3_000 * 100, rel=REL))
    assert stored(world, "gk3.45.tcm", TCM2) is None
    assert stored(world, "tcm.tcm_drug_revenue_share", HOSP) is None  # 综合医院
    assert stored(world, "gk3.27", COUNTY) is None and stored(world, "gk2.19", HOSP) is None


def test_region_is_a_ratio_of_sums_over_institutions_with_both_parts(world: Warehouse) -> None:
    city = "990100"  # holds HOSP (990102) and TCM3 (990121), the two tertiary hospitals
    num, den, value, _, status, _ = stored(world, "gk3.27", city)
    assert (num, den, status) == (30_000 + 26_000, 80_000 + 50_000, "ok")
    assert value == pytest.approx(56_000 / 130_000 * 100, rel=REL)
    assert value != pytest.approx((30_000 / 80_000 + 26_000 / 50_000) / 2 * 100)  # not the mean of ratios
    # TCM3 reports 门诊收入 but not its insurance-fund part: only HOSP counts, on both sides
    num, den, value, _, _, _ = stored(world, "gk3.28", city)
    assert (num, den) == (9_000, 30_000)
    # a value part over a discharge part: DDDs summed over both, patient-days counted from both front sheets
    num, den, value, _, _, _ = stored(world, "gk3.17", city)
    assert num == pytest.approx(7.3 + 2.1, rel=REL) and den == D[HOSP]["los"] + D[TCM3]["los"]
    assert value == pytest.approx((7.3 + 2.1) / (20 + 18) * 100, rel=REL)
    num, den, _, _, _, _ = stored(world, "gk3.01", city)
    assert (num, den) == (H_OUT + 750_000, 4 + 3)
    # the county of HOSP holds no other tertiary hospital: its value is HOSP's
    assert stored(world, "gk3.27", "990102")[:3] == stored(world, "gk3.27", HOSP)[:3]
    # 二级: COUNTY (990121) and TCM2 (990102) — TCM2 reports no 医疗盈余, so the city is COUNTY alone
    assert stored(world, "gk2.14", city)[:2] == (1_500, 21_000)


def test_growth_of_a_region_compares_its_ratios_of_sums(world: Warehouse) -> None:
    num, den, value, _, status, _ = stored(world, "gk3.37", "990100")
    now, before = 80_000 + 50_000, 72_000 + 46_000
    assert (num, den, status) == (now - before, before, "ok")
    assert value == pytest.approx((now - before) / before * 100, rel=REL)
    # TCM3 reported nothing for 2023 but 医疗收入: its 门诊次均费用增幅 is missing, naming the base
    _, _, value, _, status, reason = stored(world, "gk3.38", TCM3)
    assert (status, value) == ("missing", None) and "gk3.38.base" in reason


def test_flows_add_up_over_months_and_stocks_take_the_latest(world: Warehouse) -> None:
    assert stored(world, "gk3.01", HOSP)[0] == sum(H_OUTPATIENT.values())  # twelve monthly 门诊人次
    assert stored(world, "gk3.23", HOSP)[1] == sum(H_BOOKED.values())
    assert stored(world, "gk3.46", HOSP)[1] == 500  # 执业医师人数 of 2024Q4, not 480 + 485 + 490 + 500
    assert stored(world, "gk3.46", HOSP)[1] != sum(H_PHYSICIANS.values())


def test_a_quarter_adds_its_months_and_takes_its_own_stock(world: Warehouse) -> None:
    """2024Q2 on the same warehouse: 门诊人次 of April–June, 执业医师人数 of Q2; the year's finance is not in it."""
    compute_period(world.con, "2024Q2", only=["gk3.38.base", "gk3.46"])
    get = "SELECT numerator, denominator, status, reason FROM indicator_values WHERE indicator_id = ? " \
          "AND org_code = ? AND period = '2024Q2'"  # fmt: skip
    num, den, status, reason = world.con.execute(get, ["gk3.38.base", HOSP]).fetchone()
    assert den == H_OUTPATIENT[4] + H_OUTPATIENT[5] + H_OUTPATIENT[6]
    assert (num, status) == (None, "missing") and "outpatient_revenue" in reason  # 门诊收入 is annual only
    num, den, status, reason = world.con.execute(get, ["gk3.46", HOSP]).fetchone()
    assert den == H_PHYSICIANS["2024Q2"]
    assert (num, status) == (None, "missing") and "nurses" in reason
