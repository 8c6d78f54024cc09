"""Ratings, accreditations and key specialties — and the targets local plans set against them."""

from __future__ import annotations

import numpy as np

from hqd.demo import capability
from hqd.demo.base import Table
from hqd.demo.malform import Break, set_value
from hqd.demo.region import CITY, RegionModel

UNI, GEN, TCM, MCH = "示例医科大学附属医院", "示例市人民医院", "示例市中医医院", "示例市妇幼保健院"
# (hospital, 项目, 等级, 专科, 评定日期 — a date, or a year)
# fmt: off
_RATINGS = (
    (UNI, "电子病历系统应用水平", "4级", "", "2019-11-20"), (UNI, "电子病历系统应用水平", "5级", "", "2021-12-15"),
    (UNI, "电子病历系统应用水平", "6级", "", "2025-06-18"),
    (UNI, "互联互通标准化成熟度", "四级甲等", "", "2021-09-10"),
    (UNI, "互联互通标准化成熟度", "五级乙等", "", "2025-11-20"),
    (UNI, "智慧服务", "3级", "", "2022-10-28"), (UNI, "智慧管理", "3级", "", "2024"),
    (UNI, "胸痛中心", "通过认证(标准版)", "心血管内科", "2019-04-26"),
    (UNI, "卒中中心", "高级卒中中心", "神经内科", "2020-08-14"),
    (UNI, "国家临床重点专科", "入选", "心血管内科", "2019"),
    (UNI, "省级临床重点专科", "入选", "肿瘤科", "2021"),
    (UNI, "省级临床重点专科", "入选", "神经内科", "2022"),
    (UNI, "省级区域医疗中心", "入选", "心血管内科", "2023-05-30"),
    (UNI, "医院等级", "三级甲等", "", "2018-12-01"),
    (GEN, "电子病历系统应用水平", "4级", "", "2020-10-09"), (GEN, "电子病历系统应用水平", "5级", "", "2023-12-20"),
    (GEN, "互联互通标准化成熟度", "四级乙等", "", "2022-08-16"), (GEN, "智慧服务", "3级", "", "2023-11-03"),
    (GEN, "胸痛中心", "通过认证(标准版)", "心血管内科", "2020-06-12"),
    (GEN, "卒中中心", "防治卒中中心", "神经内科", "2021-07-09"),
    (GEN, "创伤中心", "通过认证", "急诊科", "2022-09-23"),
    (GEN, "危重孕产妇救治中心", "市级", "产科", "2019"), (GEN, "省级临床重点专科", "入选", "神经外科", "2020"),
    (GEN, "医院等级", "三级甲等", "", "2017-11-28"),
    (TCM, "电子病历系统应用水平", "4级", "", "2022-12-09"), (TCM, "省级临床重点专科", "入选", "针灸推拿科", "2021"),
    (TCM, "医院等级", "三级甲等", "", "2019-06-20"),
    (MCH, "电子病历系统应用水平", "4级", "", "2023-10-31"), (MCH, "智慧服务", "2级", "", "2024-09-27"),
    (MCH, "危重孕产妇救治中心", "市级", "产科", "2018"), (MCH, "危重新生儿救治中心", "市级", "新生儿科", "2018"),
    (MCH, "医院等级", "三级甲等", "", "2020-12-18"),
    ("东山县人民医院", "胸痛中心", "基层版", "心血管内科", "2022-05-20"),
    ("东山县人民医院", "卒中中心", "防治卒中中心", "神经内科", "2023-04-14"),
    ("西河县人民医院", "胸痛中心", "基层版", "心血管内科", "2023-09-08"),
    ("东山县人民医院", "危重孕产妇救治中心", "县级", "产科", "2019"),
    ("东山县人民医院", "危重新生儿救治中心", "县级", "新生儿科", "2019"),
)
_SECONDARY_EMR = {"东山县人民医院": "4级", "西河县人民医院": "4级", "南湖县人民医院": "3级", "北岭县人民医院": "3级",
                  "示范区人民医院": "3级", "新城区中西医结合医院": "3级", "东山县中医医院": "3级", "西河县中医医院": "3级",
                  "南湖县中医医院": "3级", "北岭县中医医院": "3级"}
# fmt: on

PLAN_CITY = "《示例市推动公立医院高质量发展实施方案（2023—2025年）》"
PLAN_UNI = "《示例医科大学附属医院“十四五”发展规划》"
PLAN_COUNTY = "《{county}紧密型县域医疗卫生共同体建设实施方案》"
PLAN_HEALTH = "《示例市“十四五”卫生健康事业发展规划》"


def build_ratings(model: RegionModel) -> Table:
    rows = list(_RATINGS)
    for name, level in _SECONDARY_EMR.items():
        rows.append((name, "电子病历系统应用水平", level, "", "2023-12-08"))
    for x in model.institutions:
        if (
            x.in_city
            and x.level in ("二级", "三级")
            and not any(r[0] == x.name and r[1] == "医院等级" for r in rows)
        ):
            rows.append((x.name, "医院等级", f"{x.level}{x.grade}", "", "2021-10-15"))
    cols = ("机构代码", "项目", "等级", "专科", "评定日期")
    data = [(model.by_name(r[0]).code, r[1], r[2], r[3], r[4]) for r in rows]
    return Table(
        {c: np.asarray([d[i] for d in data], dtype=object) for i, c in enumerate(cols)}, dates={"评定日期"}
    )


def build_targets(
    model: RegionModel, shares: dict, values_facts: dict, assist: dict, members: dict
) -> tuple[Table, list[dict]]:
    uni, gen, tcm = (model.by_name(n).code for n in (UNI, GEN, TCM))
    xh, ds = "990122", "990121"
    raw = [
        (gen, "国考等级", ">=", "A+", "2025", "2023", PLAN_CITY, None),
        (gen, "国考排名百分位", "前%", "10", "2025", "2023", PLAN_CITY, None),
        (tcm, "国考排名百分位", "前%", "20", "2025", "2023", PLAN_CITY, None),
        (
            uni,
            "电子病历系统应用水平",
            ">=",
            "6级",
            "2025",
            "2023",
            PLAN_UNI,
            ("met", "6级 awarded 2025-06-18"),
        ),
        (
            uni,
            "互联互通标准化成熟度",
            ">=",
            "五级乙等",
            "2025",
            "2023",
            PLAN_UNI,
            ("met", "五级乙等 awarded 2025-11-20"),
        ),
        (
            uni,
            "智慧服务",
            ">=",
            "4级",
            "2025",
            "2023",
            PLAN_UNI,
            ("not met", "highest 智慧服务 is 3级 (2022)"),
        ),
        (
            uni,
            "联盟成员单位数",
            ">=",
            "150",
            "2025",
            "2023",
            PLAN_UNI,
            ("met", f"{members['active_members_at_year_end'][2025]} active members at end of 2025"),
        ),
        (
            uni,
            "新技术新项目数",
            ">=",
            "60",
            "2025",
            "2024",
            PLAN_UNI,
            ("met", f"{assist['totals_by_year'][2025]['新技术新项目数']} in 2025 ledger rows it supports"),
        ),
        (
            uni,
            "培训人次",
            ">=",
            "5000",
            "2025",
            "2024",
            PLAN_UNI,
            ("not met", f"{assist['totals_by_year'][2025]['培训人次']} in 2025 ledger rows it supports"),
        ),
        (
            ds,
            "县域内住院人次占比",
            ">=",
            "90",
            "2025",
            "2023",
            PLAN_COUNTY.format(county="东山县"),
            ("met", f"designed {shares['990121'][2025] * 100:.1f}% in 2025"),
        ),
        (
            xh,
            "县域内住院人次占比",
            ">=",
            "90",
            "2025",
            "2023",
            PLAN_COUNTY.format(county="西河县"),
            ("not met", f"designed {shares['990122'][2025] * 100:.1f}% in 2025"),
        ),
        (
            CITY,
            "每千人口托位数",
            ">=",
            "4.6",
            "2025",
            "2023",
            PLAN_HEALTH,
            ("met", f"托位数 {values_facts['托位数'][2025]} for 常住人口 {model.population(CITY)}"),
        ),
        (
            CITY,
            "居民健康素养水平",
            ">=",
            "30",
            "2025",
            "2023",
            PLAN_HEALTH,
            ("met", f"{values_facts['居民健康素养水平'][2025]}% in 2025"),
        ),
    ]
    raw += capability.targets(model)
    cols = ("对象代码", "目标项", "比较", "目标值", "截止期", "基线期", "依据")
    table = Table({c: np.asarray([r[i] for r in raw], dtype=object) for i, c in enumerate(cols)})
    manifest = [
        dict(zip(cols, r[:7], strict=True))
        | {
            "expected": r[7][0] if r[7] else None,
            "evidence": r[7][1] if r[7] else "depends on the national ranking, not on demo data",
        }
        for r in raw
    ]
    return table, manifest


RATING_BREAKS: list[Break] = [
    set_value("invalid_code", "项目", "JCI认证", "项目 '{value}' is not a known rating item"),
    set_value("missing_required", "等级", "", "等级 is empty"),
]
