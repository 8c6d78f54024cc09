"""对口帮扶 / 学科共建 / 专科联盟 / 托管 / 远程医疗 activity ledger, one row per team per month or quarter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hqd.demo.base import Table
from hqd.demo.malform import Break, set_value
from hqd.demo.region import RegionModel

UNI = "示例医科大学附属医院"
# 支援单位 示例医科大学附属医院: totals of its projects, fixed so the targets' outcome is known in advance
UNI_TOTALS = {2024: {"新技术新项目数": 47, "培训人次": 4120}, 2025: {"新技术新项目数": 66, "培训人次": 4680}}


@dataclass(frozen=True)
class Project:
    name: str
    kind: str
    helper: str  # institution name
    helped: tuple[str, ...]
    specialty: str
    period: str  # month | month_compact | quarter | quarter_cn
    start: str = "2024-01"
    helper_by_name: bool = False
    surgical: bool = True


PROJECTS = (
    Project(
        "示例医科大学附属医院—南湖县人民医院对口帮扶",
        "对口帮扶",
        UNI,
        ("南湖县人民医院",),
        "心血管内科",
        "month",
        start="2024-07",  # a half-year before the project, for the before/after page
    ),
    Project(
        "示例医科大学附属医院—北岭县人民医院对口帮扶",
        "对口帮扶",
        UNI,
        ("北岭县人民医院",),
        "普通外科",
        "month",
        start="2024-07",  # a half-year before the project, for the before/after page
    ),
    Project(
        "示例市人民医院—西河县人民医院对口帮扶",
        "对口帮扶",
        "示例市人民医院",
        ("西河县人民医院",),
        "神经内科",
        "month_compact",
        surgical=False,
    ),
    Project(
        "示例市中医医院—北岭县中医医院对口帮扶",
        "对口帮扶",
        "示例市中医医院",
        ("北岭县中医医院",),
        "针灸推拿科",
        "month",
        surgical=False,
    ),
    Project(
        "临江医科大学第一附属医院—示例市人民医院神经外科学科共建",
        "学科共建",
        "临江医科大学第一附属医院",
        ("示例市人民医院",),
        "神经外科",
        "quarter",
    ),
    Project(
        "远川大学附属第一医院—示例医科大学附属医院肿瘤科学科共建",
        "学科共建",
        "远川大学附属第一医院",
        (UNI,),
        "肿瘤科",
        "quarter_cn",
        helper_by_name=True,
    ),
    Project(
        "示例医科大学附属医院心血管专科联盟",
        "专科联盟",
        UNI,
        ("东山县人民医院", "西河县人民医院"),
        "心血管内科",
        "month",
    ),
    Project(
        "示例医科大学附属医院远程医疗协作网",
        "远程医疗",
        UNI,
        ("南湖县人民医院", "北岭县人民医院"),
        "远程会诊",
        "month",
        surgical=False,
    ),
    Project(
        "示例医科大学附属医院托管新城区中西医结合医院",
        "托管",
        UNI,
        ("新城区中西医结合医院",),
        "综合管理",
        "month",
        start="2024-07",
    ),
    Project(
        "东山县医共体总院下沉帮扶",
        "医联体内帮扶",
        "东山县人民医院",
        ("东山县城关镇中心卫生院", "东山县青龙镇卫生院", "东山县白石镇卫生院"),
        "全科医学科",
        "month",
        surgical=False,
    ),
    Project(
        "西河县医共体总院下沉帮扶",
        "医联体内帮扶",
        "西河县人民医院",
        ("西河县城关镇中心卫生院", "西河县长乐镇卫生院"),
        "全科医学科",
        "month",
        surgical=False,
    ),
)
FIRSTS = {
    "心血管内科": ("首例冠状动脉支架植入术", "首例经桡动脉冠状动脉造影", "首例临时起搏器植入术"),
    "普通外科": ("首例腹腔镜胆囊切除术", "首例腹腔镜疝修补术", "首例腹腔镜阑尾切除术"),
    "神经外科": ("首例神经内镜下脑出血清除术", "首例颅内动脉瘤夹闭术"),
    "肿瘤科": ("首例CT引导下肺穿刺活检", "首例PICC置管", "首例肿瘤多学科会诊"),
}


def _periods(p: Project) -> list[tuple[int, str]]:
    out = []
    y0, m0 = int(p.start[:4]), int(p.start[5:])
    for year in (2024, 2025):
        if p.period.startswith("quarter"):
            for q in range(1, 5):
                if (year, q * 3) >= (y0, m0):
                    out.append((year, f"{year}Q{q}" if p.period == "quarter" else f"{year}年第{q}季度"))
        else:
            for m in range(1, 13):
                if (year, m) >= (y0, m0):
                    out.append((year, f"{year}-{m:02d}" if p.period == "month" else f"{year}{m:02d}"))
    return out


def build_assistance(model: RegionModel, rng: np.random.Generator) -> tuple[Table, dict]:
    rows: list[dict[str, object]] = []
    for p in PROJECTS:
        helper = p.helper if p.helper_by_name else model.by_name(p.helper).code
        for year, period in _periods(p):
            scale = 3 if p.period.startswith("quarter") else 1
            for helped in p.helped:
                experts = int(rng.integers(1, 5))
                days = experts * int(rng.integers(16, 23)) * scale
                surgeries = int(rng.poisson(days * 0.45)) if p.surgical else 0
                new_tech = int(rng.poisson(0.5 * scale))
                first = ""
                if new_tech and p.specialty in FIRSTS and rng.random() < 0.4:
                    first = FIRSTS[p.specialty][int(rng.integers(len(FIRSTS[p.specialty])))]
                rows.append(
                    {
                        "项目名称": p.name,
                        "项目类型": p.kind,
                        "支援单位": helper,
                        "受援单位代码": model.by_name(helped).code,
                        "专科": p.specialty,
                        "统计期": period,
                        "派驻专家人数": experts,
                        "驻点工作日": days,
                        "门诊人次": int(rng.poisson(days * (18 if p.kind != "远程医疗" else 6))),
                        "手术台次": surgeries,
                        "四级手术台次": int(rng.binomial(surgeries, 0.18)),
                        "新技术新项目数": new_tech,
                        "首次开展技术": first,
                        "培训人次": int(rng.poisson(45 * scale)),
                        "进修返岗人数": int(rng.integers(0, 3)),
                        "_year": year,
                        "_uni": helper == model.by_name(UNI).code,
                    }
                )
    # the research hospital's totals are part of the design
    for year, totals in UNI_TOTALS.items():
        idx = [i for i, r in enumerate(rows) if r["_uni"] and r["_year"] == year]
        for item, total in totals.items():
            split = rng.multinomial(total, np.full(len(idx), 1 / len(idx)))
            for i, v in zip(idx, split, strict=True):
                rows[i][item] = int(v)
    for r in rows:
        if r["新技术新项目数"] == 0:
            r["首次开展技术"] = ""
    cols = [k for k in rows[0] if not k.startswith("_")]
    table = Table(
        {k: np.asarray([str(r[k]) for r in rows], dtype=object) for k in cols},
        numeric={
            "派驻专家人数",
            "驻点工作日",
            "门诊人次",
            "手术台次",
            "四级手术台次",
            "新技术新项目数",
            "培训人次",
            "进修返岗人数",
        },
    )
    facts = {
        "support_unit": model.by_name(UNI).code,
        "support_unit_name": UNI,
        "totals_by_year": UNI_TOTALS,
        "definition": "sum over rows whose 支援单位 is the research hospital, by the year of 统计期",
    }
    return table, facts


BREAKS: list[Break] = [
    set_value("negative_number", "手术台次", "-2", "手术台次 is negative (-2)"),
    set_value("missing_required", "受援单位代码", "", "受援单位代码 is empty"),
    set_value("invalid_code", "项目类型", "帮扶", "项目类型 '{value}' is not an allowed type"),
    set_value("bad_period", "统计期", "2024-13", "统计期 {value} is not a period"),
]
