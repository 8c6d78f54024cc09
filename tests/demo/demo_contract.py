"""An independent reading of the input-file contract: which rows of a demo file a loader must quarantine.

Written from data-formats.md alone (not from the generator), so the generator's manifest can be checked
against what its files actually contain.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml
from python_calamine import CalamineWorkbook

EMPTY = {"", "NULL", "-", "/", "无"}
COST_ITEMS = (
    "一般医疗服务费",
    "一般治疗操作费",
    "护理费",
    "综合医疗服务类其他费用",
    "病理诊断费",
    "实验室诊断费",
    "影像学诊断费",
    "临床诊断项目费",
    "非手术治疗项目费",
    "手术治疗费",
    "康复费",
    "中医治疗费",
    "西药费",
    "中成药费",
    "中草药费",
    "血费",
    "白蛋白类制品费",
    "球蛋白类制品费",
    "凝血因子类制品费",
    "细胞因子类制品费",
    "检查用一次性医用材料费",
    "治疗用一次性医用材料费",
    "手术用一次性医用材料费",
    "其他费",
)


@dataclass
class Spec:
    aliases: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    codes: dict[str, set[str]] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()  # must be numbers >= 0 when present
    institutions: tuple[str, ...] = ()  # must be known institution codes
    regions: tuple[str, ...] = ()  # must be known region codes
    periods: tuple[str, ...] = ()
    key: tuple[str, ...] = ()


LYFS = {
    "1": "医嘱离院",
    "2": "医嘱转院",
    "3": "医嘱转社区卫生服务机构/乡镇卫生院",
    "4": "非医嘱离院",
    "5": "死亡",
    "9": "其他",
}
# fmt: off
SPECS: dict[str, Spec] = {
    "regions": Spec({"区划代码": ("行政区划代码", "地区编码"), "区划名称": ("名称", "地区名称")}, ("区划代码", "区划名称")),
    "institutions": Spec({"机构代码": ("医疗机构代码", "组织机构代码", "统一社会信用代码"), "机构名称": ("医疗机构名称", "单位名称"),
                          "区划代码": ("所在区划代码", "所属区县代码"), "机构级别": ("医院级别", "级别"),
                          "机构类别": ("机构类型", "类别")}, ("机构代码", "机构名称", "区划代码", "机构级别", "机构类别")),
    "codes-icd10": Spec({"编码": (), "名称": ()}, ("编码", "名称")),
    "codes-icd9cm3": Spec({"编码": (), "名称": (), "类别": ()}, ("编码", "名称", "类别"),
                          {"类别": {"手术", "介入治疗", "治疗性操作", "诊断性操作"}}),
    "codes-drg": Spec({"DRG编码": (), "DRG名称": ()}, ("DRG编码", "DRG名称")),
    "discharges": Spec(
        {"机构代码": ("组织机构代码", "医疗机构代码", "ZZJGDM", "USERNAME"), "病案号": ("BAH",),
         "住院次数": ("第几次住院", "ZYCS"), "性别": ("XB",), "入院途径": ("RYTJ",), "入院时间": ("RYSJ",),
         "出院时间": ("CYSJ",), "主要诊断编码": ("出院主要诊断编码", "JBDM", "ZYZD_JBBM"), "离院方式": ("LYFS",),
         "总费用": ("ZFY",), **{c: () for c in COST_ITEMS}},
        ("机构代码", "病案号", "住院次数", "性别", "入院途径", "入院时间", "出院时间", "主要诊断编码", "离院方式", "总费用"),
        {"性别": {"1": "男", "2": "女", "0": "未知", "9": "未说明"},
         "入院途径": {"1": "急诊", "2": "门诊", "3": "其他医疗机构转入", "9": "其他"}, "离院方式": LYFS},
        dates=("入院时间", "出院时间"), numbers=("总费用", *COST_ITEMS), institutions=("机构代码",),
        key=("机构代码", "病案号", "住院次数")),
    "claims": Spec(
        {"结算ID": ("结算流水号", "清单流水号"), "参保地区划代码": ("参保地",),
         "就医机构代码": ("定点医药机构编码", "医疗机构代码"), "就医地区划代码": ("就医地",), "医疗类别": ("就诊类型",),
         "结算日期": ("出院日期",), "入院日期": ("就诊日期",), "医疗费用总额": ("总费用",),
         "医保基金支付金额": ("统筹基金支付", "基金支付总额")},
        ("结算ID", "参保地区划代码", "就医机构代码", "就医地区划代码", "医疗类别", "结算日期", "医疗费用总额", "医保基金支付金额"),
        {"医疗类别": {c: c for c in ("门诊", "急诊", "住院", "购药", "门诊慢特病")}},
        dates=("入院日期", "结算日期"), numbers=("医疗费用总额", "医保基金支付金额"),
        regions=("参保地区划代码", "就医地区划代码"), key=("结算ID",)),
    "referrals": Spec(
        {"转诊单号": ("转诊编号",), "转出机构代码": ("转出机构",), "转入机构代码": ("接收机构代码", "转入机构"),
         "转诊方向": ("转诊类型",), "转诊日期": ("转出日期",), "接收状态": ("状态",), "接收日期": ()},
        ("转诊单号", "转出机构代码", "转入机构代码", "转诊方向", "转诊日期"),
        {"转诊方向": {c: c for c in ("上转", "下转", "平转")},
         "接收状态": {c: c for c in ("已接收", "拒收", "待接收")}},
        dates=("转诊日期", "接收日期"), key=("转诊单号",)),
    "centre-cases": Spec(
        {"中心类型": ("中心",), "机构代码": (), "病例编号": ("登记号",), "诊断分类": ("诊断",),
         "到达医院时间": ("到院时间", "入门时间")},
        ("中心类型", "机构代码", "病例编号", "诊断分类", "到达医院时间"),
        {"中心类型": {c: c for c in ("胸痛", "卒中", "创伤", "危重孕产妇", "危重新生儿")}},
        dates=("到达医院时间",), institutions=("机构代码",), key=("机构代码", "中心类型", "病例编号")),
    "idr-cases": Spec(
        {"卡片编号": ("报告卡编号",), "疾病名称": ("病种", "疾病"), "现住址区划代码": ("现住地址国标",), "发病日期": (),
         "报告日期": ("填卡日期",), "审核状态": ("卡片状态",)},
        ("卡片编号", "疾病名称", "现住址区划代码", "发病日期", "报告日期"),
        {"审核状态": {c: c for c in ("已审核", "未审核", "已删除")}}, dates=("发病日期", "报告日期"),
        regions=("现住址区划代码",), key=("卡片编号",)),
    "assistance": Spec(
        {"项目名称": (), "项目类型": (), "支援单位": ("帮扶单位", "派出单位"), "受援单位代码": ("受援机构代码",), "统计期": (),
         "手术台次": (), "新技术新项目数": (), "培训人次": ("带教人次",)},
        ("项目名称", "项目类型", "支援单位", "受援单位代码", "统计期"),
        {"项目类型": {c: c for c in ("对口帮扶", "学科共建", "专科联盟", "托管", "远程医疗", "医联体内帮扶")}},
        numbers=("手术台次", "新技术新项目数", "培训人次"), institutions=("受援单位代码",), periods=("统计期",)),
    "memberships": Spec(
        {"组织名称": ("联盟名称", "医共体名称"), "组织类型": (), "牵头单位代码": (), "成员单位": ("成员单位代码", "成员单位名称"),
         "加入日期": ()}, ("组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期"),
        {"组织类型": {c: c for c in ("紧密型县域医共体", "城市医疗集团", "专科联盟", "远程医疗协作网")}},
        dates=("加入日期",)),
    "ratings": Spec({"机构代码": (), "项目": ("评级类型",), "等级": ("级别", "结果"), "评定日期": ("认证日期", "年度")},
                    ("机构代码", "项目", "等级", "评定日期"), institutions=("机构代码",)),
    "targets": Spec({"对象代码": ("机构代码", "区划代码"), "目标项": ("指标",), "比较": (), "目标值": (), "截止期": ("期限",)},
                    ("对象代码", "目标项", "比较", "目标值", "截止期"), {"比较": {c: c for c in (">=", "<=", "=", "前%")}}),
}
# fmt: on


def norm_header(h: object) -> str:
    s = str(h).strip().replace("（", "(").replace("）", ")").replace("：", ":").replace(" ", "")
    return re.sub(r"\([^()]*\)$", "", s)


def cell(v: object) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return "" if v is None else str(v).strip()


_DATE = re.compile(
    r"^(\d{4})(?:-(\d{1,2})-(\d{1,2})|/(\d{1,2})/(\d{1,2})|(\d{2})(\d{2})|年(\d{1,2})月(\d{1,2})日)"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


def parse_date(s: str) -> dt.datetime | None:
    m = _DATE.match(s)
    if not m:
        return None
    g = m.groups()
    y = int(g[0])
    mo, d = next((int(a), int(b)) for a, b in ((g[1], g[2]), (g[3], g[4]), (g[5], g[6]), (g[7], g[8])) if a)
    try:
        return dt.datetime(y, mo, d, int(g[9] or 0), int(g[10] or 0), int(g[11] or 0))
    except ValueError:
        return None


def parse_number(s: str) -> float | None:
    try:
        return float(s.replace(",", "").rstrip("%"))
    except ValueError:
        return None


_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|年第([1-4])季度|-(\d{2})|(\d{2})|年(\d{1,2})月)?$")


def valid_period(s: str) -> bool:
    m = _PERIOD.match(s)
    if not m:
        return False
    month = m.group(4) or m.group(5) or m.group(6)
    return month is None or 1 <= int(month) <= 12


def code_ok(value: str, allowed: dict[str, str] | set[str]) -> bool:
    labels = allowed if isinstance(allowed, dict) else {c: c for c in allowed}
    if value in labels or value in labels.values():
        return True
    m = re.match(r"^(\w+)[.\-](.+)$", value)
    return bool(m and m.group(1) in labels and labels[m.group(1)] == m.group(2))


def read_sheets(path: Path) -> list[tuple[str | None, int, list[str], list[list[str]]]]:
    """(sheet, excel row of the header, header, rows) for a CSV/TXT or each sheet of an XLSX."""
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        out = []
        for name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(name)
            rows = [[cell(v) for v in r] for r in sheet.to_python()]
            if rows:
                out.append((name, sheet.start[0] + 1, rows[0], rows[1:]))
        return out
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gbk"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AssertionError(f"{path} decodes in neither UTF-8 nor GBK")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t" if path.suffix == ".txt" else ","))
    return [(None, 1, rows[0], [[c.strip() for c in r] for r in rows[1:]])]


def check_rows(
    kind: str,
    header: list[str],
    rows: list[list[str]],
    known_inst: set[str],
    known_regions: set[str],
    other: dict[int, str] | None = None,
) -> dict[int, str]:
    """Index (0-based, data rows) -> first reason the row cannot be stored."""
    spec = SPECS[kind]
    names = [norm_header(h) for h in header]
    col: dict[str, int] = {}
    for canonical, aliases in spec.aliases.items():
        for name in (canonical, *aliases):
            if norm_header(name) in names:
                col[canonical] = names.index(norm_header(name))
                break
    missing = [c for c in spec.required if c not in col]
    if missing:
        return {i: f"file lacks {missing}" for i in range(len(rows))} if kind != "values" else {}
    bad: dict[int, str] = {}
    seen_rows: set[tuple[str, ...]] = set()
    seen_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
    for i, r in enumerate(rows):
        if not any(r):
            continue
        get = {c: (r[j] if j < len(r) else "") for c, j in col.items()}
        reason = (other or {}).get(i) or _row_reason(kind, spec, get, known_inst, known_regions)
        row_t = tuple(r)
        if reason is None and row_t in seen_rows:
            reason = "duplicate"
        if reason is None and spec.key:
            k = tuple(get[c] for c in spec.key)
            if k in seen_keys and seen_keys[k] != row_t:
                reason = "key conflict"
        if reason:
            bad[i] = reason
        else:
            seen_rows.add(row_t)
            if spec.key:
                seen_keys.setdefault(tuple(get[c] for c in spec.key), row_t)
    return bad


def _row_reason(kind: str, spec: Spec, get: dict[str, str], inst: set[str], regions: set[str]) -> str | None:
    for c in spec.required:
        if get[c] in ("",) or (get[c] in EMPTY and c not in ("比较",)):
            return f"{c} missing"
    for c, allowed in spec.codes.items():
        if c in get and get[c] not in EMPTY and not code_ok(get[c], allowed):
            return f"{c} invalid code"
    for c in spec.dates:
        if c in get and get[c] not in EMPTY and parse_date(get[c]) is None:
            return f"{c} bad date"
    for c in spec.numbers:
        if c in get and get[c] not in EMPTY:
            v = parse_number(get[c])
            if v is None or v < 0:
                return f"{c} not a number >= 0"
    for c in spec.institutions:
        if get[c] not in inst:
            return f"{c} unknown institution"
    for c in spec.regions:
        if get[c] not in regions:
            return f"{c} unknown region"
    for c in spec.periods:
        if not valid_period(get[c]):
            return f"{c} bad period"
    return RULES.get(kind, lambda g: None)(get)


def _discharge_rules(g: dict[str, str]) -> str | None:
    n = parse_number(g["住院次数"])
    if n is None or n < 1 or not float(n).is_integer():
        return "住院次数 must be an integer >= 1"
    if parse_date(g["出院时间"]) < parse_date(g["入院时间"]):
        return "出院时间 before 入院时间"
    items = sum(parse_number(g[c]) for c in COST_ITEMS if g.get(c, "") not in EMPTY)
    if items > parse_number(g["总费用"]) + 1:
        return "cost items exceed 总费用"
    return None


def _claim_rules(g: dict[str, str]) -> str | None:
    if parse_number(g["医保基金支付金额"]) > parse_number(g["医疗费用总额"]):
        return "医保基金 above 总额"
    return None


def _referral_rules(g: dict[str, str]) -> str | None:
    if g["接收日期"] not in EMPTY and parse_date(g["接收日期"]) < parse_date(g["转诊日期"]):
        return "接收日期 before 转诊日期"
    return None


def _idr_rules(g: dict[str, str]) -> str | None:
    if parse_date(g["报告日期"]) < parse_date(g["发病日期"]):
        return "报告日期 before 发病日期"
    return None


RULES = {
    "discharges": _discharge_rules,
    "claims": _claim_rules,
    "referrals": _referral_rules,
    "idr-cases": _idr_rules,
}
CENTRE_TIMES = (
    "发病时间",
    "首次医疗接触时间",
    "首份心电图时间",
    "导丝通过时间",
    "溶栓开始时间",
    "头颅影像完成时间",
    "股动脉穿刺时间",
    "急诊手术开始时间",
    "转出时间",
    "出院时间",
)


def centre_time_reasons(header: list[str], rows: list[list[str]]) -> dict[int, str]:
    """The five-centre time rule: every time on/after 发病时间, none but 发病/FMC before 到达医院时间."""
    names = [norm_header(h) for h in header]
    out = {}
    for i, r in enumerate(rows):
        t = {
            n: parse_date(v)
            for n, v in zip(names, r, strict=False)
            if n in (*CENTRE_TIMES, "到达医院时间") and v
        }
        door, onset = t.get("到达医院时间"), t.get("发病时间")
        for name, when in t.items():
            if when is None:
                continue
            if onset and when < onset:
                out[i] = f"{name} before 发病时间"
            if door and name not in ("发病时间", "首次医疗接触时间") and when < door:
                out[i] = f"{name} before 到达医院时间"
    return out


@cache
def text_elements() -> frozenset[str]:
    """Names, aliases and codes of the catalog's text elements (qualitative levels): data-formats.md §4 lets
    the catalog define each element's value type, and a text element's value is any text."""
    raw = yaml.safe_load((Path(__file__).parents[2] / "src/hqd/catalog/elements.yaml").read_text("utf-8"))
    return frozenset(
        norm_header(n)
        for e in raw["elements"]
        if e["type"] == "text"
        for n in (e["code"], e["name_zh"], *e.get("aliases", []))
    )


def values_reasons(
    header: list[str], rows: list[list[str]], inst: set[str], regions: set[str]
) -> dict[int, str]:
    """Wide or long values: a known organisation, a valid period, numeric values (text for text elements)."""
    names = [norm_header(h) for h in header]
    org = names.index("机构代码") if "机构代码" in names else names.index("区划代码")
    known = inst if names[org] == "机构代码" else regions
    per = names.index("统计期")
    long = "数据项" in names
    out = {}
    for i, r in enumerate(rows):
        if r[org] not in known:
            out[i] = "unknown organisation"
        elif not valid_period(r[per]):
            out[i] = "bad period"
        elif long and not r[names.index("数据项")]:
            out[i] = "数据项 missing"
        else:
            texts = text_elements()
            if long:
                numeric = norm_header(r[names.index("数据项")]) not in texts
                cells = [r[names.index("数值")]] if numeric else []
            else:
                skip = {"机构名称", *texts}
                cells = [v for j, v in enumerate(r) if j > per and names[j] not in skip]
            for v in cells:
                if v not in EMPTY and (parse_number(v) is None or parse_number(v) < 0):
                    out[i] = "value not a number >= 0"
    return out


def flagged_rows(kind: str, path: Path, inst: set[str], regions: set[str]) -> set[tuple[str | None, int]]:
    """(sheet, row as the user sees it) of every row the contract says cannot be stored."""
    out: set[tuple[str | None, int]] = set()
    for sheet, header_row, header, rows in read_sheets(path):
        if kind == "values":
            bad = values_reasons(header, rows, inst, regions)
        else:
            names = {norm_header(h) for h in header}
            spec = SPECS[kind]
            if not all(
                any(norm_header(a) in names for a in (c, *spec.aliases.get(c, ()))) for c in spec.required
            ):
                continue  # a sheet that is not data of this kind (e.g. 说明)
            other = centre_time_reasons(header, rows) if kind == "centre-cases" else None
            bad = check_rows(kind, header, rows, inst, regions, other)
        out |= {(sheet, header_row + 1 + i) for i in bad}
    return out
