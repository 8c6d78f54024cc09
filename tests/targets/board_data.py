"""A warehouse holding one target of every item kind and every status, loaded through the real loaders.

Each target's expected status is worked out in the comment beside it.
"""

from __future__ import annotations

from tests.conftest import COUNTY, HOSP, Warehouse
from tests.scoring.region import MORE, T2, put_values

CITY = "990100"  # 常住人口 3,000,000 in the regions file
PEERS = [f"12990100MB00001{i:02d}X" for i in range(1, 9)]
# Ten tertiary general hospitals with gk3.04 (the only scored indicator with values, so it decides the rank):
# 2024: T2 50, HOSP 45, peers 5…40 → HOSP rank 2 of 10 → top 20%; 2025: HOSP 55, T2 50 → rank 1 → top 10%.
GK304 = {"2024": {T2: 50.0, HOSP: 45.0}, "2025": {T2: 50.0, HOSP: 55.0}}

TARGETS = [
    # gk3.04 45 → 55: +10 a year → 65 in 2026 ≥ 60
    (HOSP, "gk3.04", ">=", "60", "2026", "2024", "on_track"),
    # top 10% in 2025 is A (≤ 10%), not A+ (≤ 5%), and 2025 is the deadline
    (HOSP, "国考等级", ">=", "A+", "2025", "2023", "missed"),
    (HOSP, "国考排名百分位", "前%", "10", "2025", "2023", "met"),
    # 20% → 10%: −10 a year → 0% in 2026 ≤ 5%
    (HOSP, "国考排名百分位", "前%", "5", "2026", "2023", "on_track"),
    # 6级 awarded 2024-11-01
    (HOSP, "电子病历系统应用水平", ">=", "6级", "2025", "2023", "met"),
    # 3级 since 2022 and 2025 is in the warehouse
    (HOSP, "智慧服务", ">=", "4级", "2025", "2023", "missed"),
    # 四级甲等 (5) flat since 2023 → 5 in 2027 < 五级乙等 (6)
    (HOSP, "互联互通", ">=", "五级乙等", "2027", "2023", "at_risk"),
    # members at each year end: 2023 2 (M1, M2); 2024 4 (+M3, M4); 2025 5 (+M5, M6, M4 left in March)
    (HOSP, "联盟成员单位数", ">=", "5", "2025", "2023", "met"),
    # 2024: 3 (by code) + 2 (by name) = 5; 2025: 4 + 4 = 8 → +3 a year → 11 in 2026 ≥ 10
    (HOSP, "新技术新项目数", ">=", "10", "2026", "2024", "on_track"),
    # 2024: 200 + 100 = 300; 2025: 250 + 150 = 400 < 500 at the deadline
    (HOSP, "培训人次", ">=", "500", "2025", "2024", "missed"),
    # 2025: 13,800 places / 2,760,000 reported residents × 1000 = 5.00 ≥ 4.5
    (CITY, "每千人口托位数", ">=", "4.5", "2025", "2023", "met"),
    # 25 → 27: +2 a year → 29 in 2026 < 30
    (CITY, "居民健康素养水平", ">=", "30", "2026", "2024", "at_risk"),
    # twelve months of 90 visits in 2024 sum to 1,080 ≥ 1,000
    (HOSP, "门诊人次", ">=", "1000", "2024", "", "met"),
    (CITY, "县域内住院人次占比", ">=", "90", "2025", "2023", "no_data"),
    # 二级: the gk2 scheme applies, and nothing of it was computed
    (COUNTY, "国考等级", ">=", "A", "2025", "2023", "no_data"),
    (CITY, "国考等级", ">=", "A", "2025", "2023", "no_data"),
]


def build(wh: Warehouse) -> Warehouse:
    wh.seed()
    more = MORE + [
        [code, f"示例市第{i}医院", "990102", "三级", "综合医院"] for i, code in enumerate(PEERS, start=10)
    ]
    assert wh.load("institutions", wh.file("more.csv", more)).quarantined == 0
    for period, special in GK304.items():
        rows = [(org, "gk3.04", v, 100.0) for org, v in special.items()]
        rows += [(org, "gk3.04", 5.0 * i, 100.0) for i, org in enumerate(PEERS, start=1)]
        put_values(wh, period, rows)
    header = ["机构代码", "项目", "等级", "评定日期"]
    ratings = [
        [HOSP, "电子病历系统应用水平", "5级", "2022-06-01"],
        [HOSP, "电子病历系统应用水平", "6级", "2024-11-01"],
        [HOSP, "智慧服务", "3级", "2022"],
        [HOSP, "互联互通标准化成熟度", "四级甲等", "2023-04-01"],
    ]
    members = [
        ["组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期", "退出日期"],
        *[["心血管专科联盟", "专科联盟", HOSP, f"外省{m}医院", j, out] for m, j, out in (
            ("M1", "2023-03-01", ""), ("M2", "2023-06-01", ""), ("M3", "2024-02-01", ""),
            ("M4", "2024-05-01", "2025-03-01"), ("M5", "2025-01-10", ""), ("M6", "2025-07-01", ""))],
    ]  # fmt: skip
    assistance = [
        ["项目名称", "项目类型", "支援单位", "受援单位代码", "统计期", "新技术新项目数", "培训人次"],
        ["帮扶乙县", "对口帮扶", HOSP, COUNTY, "2024-03", "3", "200"],
        ["学科共建", "学科共建", "示例市人民医院", COUNTY, "2024Q2", "2", "100"],
        ["帮扶乙县", "对口帮扶", HOSP, COUNTY, "2025-01", "4", "250"],
        ["学科共建", "学科共建", "示例市人民医院", COUNTY, "2025Q2", "4", "150"],
    ]
    values = [["机构代码", "统计期", "数据项", "数值"]]
    values += [[CITY, y, "托位数", v] for y, v in (("2023", 10500), ("2024", 12000), ("2025", 13800))]
    values += [[CITY, "2025", "常住人口数", 2760000]]
    values += [[CITY, y, "居民健康素养水平", v] for y, v in (("2024", "25%"), ("2025", "27%"))]
    values += [[HOSP, f"2024-{m:02d}", "门诊人次", 90] for m in range(1, 13)]
    targets = [["对象代码", "目标项", "比较", "目标值", "截止期", "基线期", "依据"]]
    targets += [[*t[:6], "《测试方案》"] for t in TARGETS]
    for kind, rows in (("ratings", [header, *ratings]), ("memberships", members), ("assistance", assistance),
                       ("values", values), ("targets", targets)):  # fmt: skip
        summary = wh.load(kind, wh.file(f"{kind}.csv", rows, encoding="utf-8"))
        assert summary.quarantined == 0 and summary.status == "accepted", (kind, summary.message)
    return wh
