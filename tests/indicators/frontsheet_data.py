"""A small hand-made region for the 病案首页 indicators: every row and the reason it is there."""

from __future__ import annotations

from tests.conftest import COUNTY, HOSP

PROC_CODES = [
    ["编码", "名称", "类别", "手术级别", "是否微创"],
    ["36.0601", "经皮冠状动脉支架置入术", "介入治疗", "4", "是"],
    ["47.0100", "腹腔镜阑尾切除术", "手术", "3", "是"],
    ["47.0900", "阑尾切除术", "手术", "2", "否"],
    ["81.5100", "全髋关节置换", "手术", "4", "否"],
    ["74.1000", "子宫下段剖宫产术", "手术", "2", "否"],
    ["88.5600", "冠状动脉造影", "诊断性操作", "", "否"],
    ["99.1000", "血栓溶解药注射", "治疗性操作", "", "否"],
]
DRG_CODES = [
    ["DRG编码", "DRG名称", "权重", "是否低风险组"],
    ["FR1", "急性心肌梗死", "2.0", "否"],
    ["GD2", "阑尾切除术", "1.0", "否"],
    ["IC2", "髋关节置换", "3.0", "否"],
    ["XX1", "低风险组示例", "0.5", "是"],
]
HEADER = ["机构代码", "病案号", "住院次数", "性别", "年龄", "年龄不足1周岁的年龄(天)", "入院途径", "入院时间", "出院时间",
          "实际住院(天)", "主要诊断编码", "离院方式", "总费用", "DRG编码", "是否日间手术",
          "其他诊断编码1", "其他诊断入院病情1",
          "手术及操作编码1", "切口等级1", "切口愈合类别1", "手术及操作编码2", "切口等级2", "切口愈合类别2"]  # fmt: skip


def row(org, mrn, *, dx="K35.800", age="40", days="", route="2", adm="2024-05-06", out="2024-05-10", los="4", mode="1", cost="10000",
        drg="", day="否", odx="", poa="", p1="", i1="", h1="", p2="", i2="", h2=""):  # fmt: skip
    return [
        org,
        mrn,
        "1",
        "1",
        age,
        days,
        route,
        adm,
        out,
        los,
        dx,
        mode,
        cost,
        drg,
        day,
        odx,
        poa,
        p1,
        i1,
        h1,
        p2,
        i2,
        h2,
    ]


# (mrn, why it is here)
DISCHARGES = [
    row(
        HOSP,
        "A1",
        dx="I21.900",
        route="1",
        p1="36.0601",
        odx="I10.x00",
        poa="1",
        drg="FR1",
        los="8",
        cost="50000",
    ),
    row(
        HOSP,
        "A2",
        p1="47.0100",
        i1="2",
        h1="1",
        odx="T81.400",
        poa="4",
        drg="GD2",
        day="是",
        los="1",
        cost="8000",
    ),
    row(HOSP, "A3", p1="47.0900", i1="2", h1="3", los="6", cost="9000"),  # class-I incision healed 丙: an SSI
    row(HOSP, "A4", p1="88.5600", los="3", cost="6000"),  # a diagnostic procedure only: not surgery
    row(
        HOSP,
        "A5",
        dx="M16.900",
        p1="81.5100",
        i1="2",
        h1="1",
        odx="J18.900",
        poa="1",
        mode="5",
        drg="IC2",
        los="12",
        cost="60000",
    ),  # died; J18 present on admission is no complication
    row(
        HOSP, "A6", dx="O82.000", p1="74.1000", i1="3", h1="1", odx="T81.000", poa="4", los="5", cost="12000"
    ),  # obstetric
    row(HOSP, "A7", dx="P59.900", age="0", days="10", p1="99.1000", los="4", cost="3000"),  # newborn
    row(HOSP, "A8", dx="J06.900", mode="5", drg="XX1", los="2", cost="2000"),  # death in a low-risk DRG
    row(
        HOSP,
        "A9",
        dx="M16.900",
        p1="81.5100",
        i1="2",
        h1="1",
        p2="88.5600",
        odx="I26.900",
        poa="4",
        drg="IC2",
        los="14",
        cost="70000",
    ),  # two procedures, one post-operative pulmonary embolism
    row(
        HOSP, "A10", adm="2023-12-20", out="2023-12-31", p1="47.0100", drg="GD2"
    ),  # discharged in 2023: outside the period
    row(COUNTY, "B1", p1="47.0100", i1="2", h1="1", drg="GD2", los="5", cost="7000"),
    row(COUNTY, "B2", dx="J18.900", drg="FR1", los="9", cost="20000"),
]


def load(seeded) -> None:
    for kind, name, rows in (("codes-icd9cm3", "p.csv", PROC_CODES), ("codes-drg", "g.csv", DRG_CODES),
                             ("discharges", "d.csv", [HEADER, *DISCHARGES])):  # fmt: skip
        s = seeded.load(kind, seeded.file(name, rows))
        assert s.quarantined == 0 and s.status == "accepted", s.reasons
