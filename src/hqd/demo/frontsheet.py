"""病案首页 files: episodes as front-sheet columns under the standard headers, interface codes or other aliases."""

from __future__ import annotations

import re

import numpy as np

from hqd.demo.base import STR, Table, fill
from hqd.demo.casemix import CASE_TYPES
from hqd.demo.codes import ICD9, ICD10
from hqd.demo.costs import COST_ITEMS, SUB_ITEMS
from hqd.demo.episodes import Episodes
from hqd.demo.formats import Style, arrow_int, fmt_code, fmt_date, fmt_datetime, fmt_money, nullify
from hqd.demo.region import RegionModel

_PROC_NAMES = {k: v[0] for k, v in ICD9.items()}

SEX = {"1": "男", "2": "女"}
PAYER = {
    "1": "城镇职工基本医疗保险",
    "2": "城镇居民基本医疗保险",
    "3": "新型农村合作医疗",
    "4": "贫困救助",
    "5": "商业医疗保险",
    "6": "全公费",
    "7": "全自费",
    "8": "其他社会保险",
    "9": "其他",
}
ROUTE = {"1": "急诊", "2": "门诊", "3": "其他医疗机构转入", "9": "其他"}
POA = {"1": "有", "2": "临床未确定", "3": "情况不明", "4": "无"}
DISCHARGE = {
    "1": "医嘱离院",
    "2": "医嘱转院",
    "3": "医嘱转社区卫生服务机构/乡镇卫生院",
    "4": "非医嘱离院",
    "5": "死亡",
    "9": "其他",
}
OP_LEVEL = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
INCISION = {"1": "0类", "2": "Ⅰ类", "3": "Ⅱ类", "4": "Ⅲ类"}
HEALING = {"1": "甲", "2": "乙", "3": "丙", "9": "其他"}
PLAN = {"1": "无", "2": "有"}
TCM_DEPT = {
    "呼吸内科": "肺病科",
    "心血管内科": "心病科",
    "神经内科": "脑病科",
    "消化内科": "脾胃病科",
    "骨科": "骨伤科",
}
REQUIRED = (
    "机构代码",
    "病案号",
    "住院次数",
    "性别",
    "入院途径",
    "入院时间",
    "出院时间",
    "主要诊断编码",
    "离院方式",
    "总费用",
)

_NUMBERED = {  # canonical template -> (interface code template, alias template)
    "其他诊断编码{n}": ("JBDM{n}", "其他诊断{n}疾病编码"),
    "其他诊断入院病情{n}": ("RYBQ{n}", "入院病情{n}"),
    "手术及操作编码{n}": ("SSJCZBM{n}", "手术操作编码{n}"),
    "手术及操作名称{n}": ("SSJCZMC{n}", "手术及操作名称{n}"),
    "手术及操作日期{n}": ("SSJCZRQ{n}", "手术及操作日期{n}"),
    "手术级别{n}": ("SSJB{n}", "手术级别{n}"),
    "切口等级{n}": ("QKDJ{n}", "切口等级{n}"),
    "切口愈合类别{n}": ("QKYHLB{n}", "愈合等级{n}"),
    "麻醉方式{n}": ("MZFS{n}", "麻醉方式{n}"),
}
_SINGLE = {  # canonical -> (interface code, alias)
    "机构代码": ("ZZJGDM", "组织机构代码"),
    "医疗机构名称": ("JGMC", "医疗机构名称"),
    "病案号": ("BAH", "病案号"),
    "住院次数": ("ZYCS", "第几次住院"),
    "姓名": ("XM", "姓名"),
    "性别": ("XB", "性别"),
    "出生日期": ("CSRQ", "出生日期"),
    "年龄": ("NL", "年龄(岁)"),
    "年龄不足1周岁的年龄(天)": ("BZYZS_NL", "年龄不足1周岁的年龄（天）"),
    "新生儿出生体重(克)": ("XSETZ", "新生儿出生体重（克）"),
    "身份证号": ("SFZH", "身份证件号码"),
    "现住址区划代码": ("现住址编码", "常住地区划代码"),
    "医疗付费方式": ("YLFKFS", "医疗付费方式"),
    "入院途径": ("RYTJ", "入院途径"),
    "入院时间": ("RYSJ", "入院时间"),
    "入院科别": ("RYKB", "入院科别"),
    "出院时间": ("CYSJ", "出院时间"),
    "出院科别": ("CYKB", "出院科别"),
    "实际住院(天)": ("SJZY", "实际住院天数"),
    "主要诊断编码": ("JBDM", "出院主要诊断编码"),
    "主要诊断名称": ("ZYZD", "出院主要诊断"),
    "主要诊断入院病情": ("RYBQ", "主要诊断入院病情"),
    "损伤中毒外部原因编码": ("H23", "损伤中毒外部原因编码"),
    "病理诊断编码": ("JBMM", "病理诊断编码"),
    "是否日间手术": ("日间手术标志", "日间手术标志"),
    "离院方式": ("LYFS", "离院方式"),
    "拟接收医疗机构代码": ("转入机构代码", "转入机构代码"),
    "出院31天内再住院计划": ("ZZYJH", "是否有出院31天内再住院计划"),
    "入住ICU天数": ("重症监护天数", "重症监护天数"),
    "DRG编码": ("DRG", "DRG组"),
    "总费用": ("ZFY", "总费用(元)"),
    "自付金额": ("ZFJE", "自付金额(元)"),
}
NUMERIC = {
    "住院次数",
    "年龄",
    "年龄不足1周岁的年龄(天)",
    "新生儿出生体重(克)",
    "实际住院(天)",
    "入住ICU天数",
    "总费用",
    "自付金额",
    *COST_ITEMS,
    *SUB_ITEMS,
}


def header_name(canonical: str, dialect: str) -> str:
    """The header a file of the given dialect (std / iface / alias) uses for a canonical column."""
    if dialect == "std":
        return canonical
    pick = 0 if dialect == "iface" else 1
    if canonical in _SINGLE:
        return _SINGLE[canonical][pick]
    m = re.fullmatch(r"(\D+?)(\d+)", canonical)
    if m:
        for template, alts in _NUMBERED.items():
            if template.format(n="") == m.group(1):
                return alts[pick].format(n=m.group(2))
    return canonical


def departments(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> None:
    dept = np.array([c.dept for c in CASE_TYPES], dtype=object)[ep["case"]]
    profile = np.array([c.profile for c in CASE_TYPES], dtype=object)[ep["case"]]
    tcm = np.isin(ep["kind"], ("T_TCM", "S_TCM"))
    dept = np.where(tcm, np.array([TCM_DEPT.get(d, d) for d in dept], dtype=object), dept)
    primary = ep["level"] == 2
    dept = np.where(primary, np.where(np.isin(profile, ("tcm", "rehab")), "中医科", "全科医疗科"), dept)
    ep["dept_out"] = dept
    via_icu = (ep["icu_days"] > 0) & (rng.random(len(dept)) < 0.5)
    ep["dept_in"] = np.where(via_icu, "重症医学科", dept)
    bw = np.zeros(len(dept), dtype=np.int64)
    for ci, ct in enumerate(CASE_TYPES):
        if ct.birth_weight:
            m = ep["case"] == ci
            bw[m] = rng.integers(ct.birth_weight[0], ct.birth_weight[1] + 1, int(m.sum()))
    ep["birth_weight"] = bw


def frontsheet_table(
    ep: Episodes,
    idx: np.ndarray,
    model: RegionModel,
    style: Style,
    *,
    dx_slots: int = 10,
    proc_slots: int = 7,
    combined_incision: bool = False,
) -> Table:
    """A front-sheet table (canonical headers) of the episodes idx, in the given value style."""
    n = len(idx)
    insts = model.institutions
    codes = np.array([x.code for x in insts], dtype=object)
    names = np.array([x.name for x in insts], dtype=object)

    def g(key: str) -> np.ndarray:
        return ep[key][idx]

    age = g("age")
    c: dict[str, np.ndarray] = {
        "机构代码": codes[g("inst")],
        "医疗机构名称": names[g("inst")],
        "病案号": g("bah"),
        "住院次数": arrow_int(g("times")),
        "姓名": g("name"),
        "性别": _sex(g("male"), style),
        "出生日期": fmt_date(g("birth"), style),
        "年龄": arrow_int(age),
        "年龄不足1周岁的年龄(天)": nullify(np.where(age == 0, g("age_days").astype(str), ""), style),
        "新生儿出生体重(克)": nullify(
            np.where(g("birth_weight") > 0, g("birth_weight").astype(str), ""), style
        ),
        "身份证号": g("id_no"),
        "联系电话": g("phone"),
        "现住址区划代码": g("residence"),
        "医疗付费方式": fmt_code(g("payer"), PAYER, style),
        "入院途径": fmt_code(g("route"), ROUTE, style, sep="-"),
        "入院时间": fmt_datetime(g("admit"), style),
        "入院科别": g("dept_in"),
        "出院时间": fmt_datetime(g("discharge"), style),
        "出院科别": g("dept_out"),
        "实际住院(天)": arrow_int(g("los")),
        "主要诊断编码": g("dx"),
        "主要诊断名称": map_values(g("dx"), ICD10),
        "主要诊断入院病情": _label_only(g("main_poa"), POA, style),
    }
    odx, opoa = g("other_dx"), g("other_poa")
    for s in range(dx_slots):
        c[f"其他诊断编码{s + 1}"] = nullify(odx[:, s], style)
        c[f"其他诊断入院病情{s + 1}"] = _label_only(opoa[:, s], POA, style)
    c["损伤中毒外部原因编码"] = nullify(g("external"), style)
    c["病理诊断编码"] = nullify(g("pathology"), style)
    procs, lv, inc, heal = g("procs"), g("proc_level"), g("incision"), g("heal")
    anaes, when = g("anaesthesia"), g("proc_time")
    for s in range(proc_slots):
        k = s + 1
        c[f"手术及操作编码{k}"] = nullify(procs[:, s], style)
        c[f"手术及操作名称{k}"] = nullify(map_values(procs[:, s], _PROC_NAMES, ""), style)
        c[f"手术及操作日期{k}"] = fmt_datetime(when[:, s], Style(style.dates, style.seconds, null=style.null))
        c[f"手术级别{k}"] = _label_only(lv[:, s], OP_LEVEL, style)
        if combined_incision:
            roman = map_values(inc[:, s], {"1": "0", "2": "Ⅰ", "3": "Ⅱ", "4": "Ⅲ"}, "")
            both = np.where(
                roman != "",
                np.strings.add(np.strings.add(roman, "/"), map_values(heal[:, s], HEALING, "")),
                "",
            )
            c[f"切口愈合等级{k}"] = nullify(both, style)
        else:
            c[f"切口等级{k}"] = _label_only(inc[:, s], INCISION, style)
            c[f"切口愈合类别{k}"] = _label_only(heal[:, s], HEALING, style)
        c[f"麻醉方式{k}"] = nullify(anaes[:, s], style)
    c["是否日间手术"] = np.where(g("day_surgery"), "是", "否")
    c["离院方式"] = fmt_code(g("lyfs"), DISCHARGE, style)
    c["拟接收医疗机构代码"] = nullify(g("receiver"), style)
    c["出院31天内再住院计划"] = _label_only(g("readmit_plan"), PLAN, style)
    c["入住ICU天数"] = arrow_int(g("icu_days"))
    c["DRG编码"] = g("drg")
    c["总费用"] = fmt_money(g("total"), style)
    c["自付金额"] = fmt_money(g("self_pay"), style)
    costs, subs = g("costs"), g("sub_costs")
    parents = {p: [s for s, q in SUB_ITEMS.items() if q == p] for p in set(SUB_ITEMS.values())}
    sub_index = {s: i for i, s in enumerate(SUB_ITEMS)}
    for i, item in enumerate(COST_ITEMS):
        c[item] = fmt_money(costs[:, i], style)
        for sub in parents.get(item, []):
            c[sub] = fmt_money(subs[:, sub_index[sub]], style)
    dates = {"出生日期", "入院时间", "出院时间", *(f"手术及操作日期{k + 1}" for k in range(proc_slots))}
    table = Table({k: v if len(v) == n else fill(n, "") for k, v in c.items()}, set(NUMERIC), dates)
    return table


def map_values(values: np.ndarray, mapping: dict, default: str | None = None) -> np.ndarray:
    """Vectorised dict lookup (unique values first, so large columns stay fast)."""
    uniq, inv = np.unique(np.asarray(values).astype(STR), return_inverse=True)
    out = [mapping.get(str(u), str(u) if default is None else default) for u in uniq]
    return np.asarray(out, dtype=STR)[inv]


def _sex(male: np.ndarray, style: Style) -> np.ndarray:
    if style.labels:
        return np.where(male, "男", "女").astype(STR)
    return np.where(male, "1", "2").astype(STR)


def _label_only(codes: np.ndarray, labels: dict[str, str], style: Style) -> np.ndarray:
    """Code columns a labelled export writes as the label alone (入院病情 有/无, 切口 Ⅰ类, 愈合 甲 …)."""
    if style.labels:
        codes = map_values(codes, labels)
    return nullify(codes, style)


def rename_for(table: Table, dialect: str) -> tuple[Table, dict[str, str]]:
    mapping = {k: header_name(k, dialect) for k in table.header}
    return table.rename(mapping), mapping
