"""医共体 / 医疗集团 / 专科联盟 / 远程医疗协作网 membership lists, the alliance growing to ~150 units."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table
from hqd.demo.formats import Style, fmt_date
from hqd.demo.malform import Break, duplicate, set_value
from hqd.demo.region import COUNTIES, RegionModel

ALLIANCE = "示例医科大学附属医院心血管专科联盟"
# members active at each year end (joined on or before 31 Dec and not left by then)
ALLIANCE_ACTIVE = {2021: 42, 2022: 78, 2023: 104, 2024: 131, 2025: 152}
ALLIANCE_EXITS = {2023: 2, 2024: 2, 2025: 2}
_PREFECTURES = ("临江市", "青峰市", "远川市", "白鹤市", "金岭市", "望海市")
_COUNTY_NAMES = (
    "云岭县",
    "白水县",
    "金川县",
    "清河县",
    "长宁县",
    "安平县",
    "永宁县",
    "凤台县",
    "宁远县",
    "兴安县",
    "龙门县",
    "高平县",
    "桐柏县",
    "江口县",
    "青川县",
    "宜阳县",
    "德安县",
    "新丰县",
    "武宁县",
    "泰和县",
    "万安县",
    "石城县",
    "宁都县",
    "柳城县",
    "松阳县",
    "平乐县",
    "清水县",
    "永和县",
    "安宁县",
    "太和县",
    "兴隆县",
    "福山县",
    "青石县",
    "白云县",
    "红河县",
    "临川县",
)
_SUFFIXES = ("人民医院", "中医医院", "第二人民医院", "妇幼保健院")


def _outside_names(k: int) -> list[str]:
    names = []
    for i, county in enumerate(_COUNTY_NAMES):
        pref = _PREFECTURES[i % len(_PREFECTURES)]
        for suffix in _SUFFIXES:
            names.append(f"{pref}{county}{suffix}")
    for pref in _PREFECTURES:
        names.append(f"{pref}中心医院")
        names.append(f"{pref}第一人民医院")
    if k > len(names):
        raise ValueError("not enough alliance member names")
    return names[:k]


def _alliance(model: RegionModel, rng: np.random.Generator) -> list[dict[str, str]]:
    lead = model.by_name("示例医科大学附属医院")
    inside = [
        x.code
        for x in model.institutions
        if x.in_city and (x.kind in ("S_GEN", "S_TCM") or x.name.endswith("中心卫生院"))
    ]
    joined_per_year: dict[int, int] = {}
    prev = 0
    for year, active in ALLIANCE_ACTIVE.items():
        exits = ALLIANCE_EXITS.get(year, 0)
        joined_per_year[year] = active - prev + exits
        prev = active
    total = sum(joined_per_year.values())
    members = list(inside) + _outside_names(total - len(inside))
    order = rng.permutation(len(members))
    members = [members[i] for i in order]
    rows, start = [], 0
    for year, k in joined_per_year.items():
        for m in members[start : start + k]:
            day = np.datetime64(f"{year}-01-01") + int(rng.integers(0, 365))
            rows.append({"成员单位": m, "加入日期": day, "退出日期": np.datetime64("NaT"), "_year": year})
        start += k
    for year, k in ALLIANCE_EXITS.items():
        earlier = [r for r in rows if r["_year"] < year and np.isnat(r["退出日期"])]
        for j in rng.choice(len(earlier), k, replace=False):
            earlier[j]["退出日期"] = np.datetime64(f"{year}-01-01") + int(rng.integers(0, 365))
    for r in rows:
        r.update(
            {"组织名称": ALLIANCE, "组织类型": "专科联盟", "牵头单位代码": lead.code, "专科": "心血管内科"}
        )
    return rows


def build_memberships(model: RegionModel, rng: np.random.Generator) -> tuple[Table, dict]:
    rows: list[dict] = []
    for county in COUNTIES:
        cname = model.region_name(county)
        lead = model.by_name(f"{cname}人民医院")
        for x in model.institutions:
            if x.community == f"{cname}医共体" and x.code != lead.code:
                late = x.kind == "P_VIL" or rng.random() < 0.15
                day = np.datetime64("2022-01-01") if late else np.datetime64("2021-06-30")
                rows.append(
                    {
                        "组织名称": f"{cname}医共体",
                        "组织类型": "紧密型县域医共体",
                        "牵头单位代码": lead.code,
                        "成员单位": x.code,
                        "加入日期": day,
                        "退出日期": np.datetime64("NaT"),
                        "专科": "",
                    }
                )
    for gname, lead_name, day in (
        ("示例市人民医院医疗集团", "示例市人民医院", "2022-03-01"),
        ("示例医科大学附属医院医疗集团", "示例医科大学附属医院", "2023-01-01"),
    ):
        lead = model.by_name(lead_name)
        for x in model.institutions:
            if x.group == gname and x.code != lead.code:
                rows.append(
                    {
                        "组织名称": gname,
                        "组织类型": "城市医疗集团",
                        "牵头单位代码": lead.code,
                        "成员单位": x.code,
                        "加入日期": np.datetime64(day),
                        "退出日期": np.datetime64("NaT"),
                        "专科": "",
                    }
                )
    rows += _alliance(model, rng)
    uni = model.by_name("示例医科大学附属医院")
    for x in model.institutions:
        if x.in_city and ((x.kind == "S_GEN" and x.county_hospital) or x.name.endswith("中心卫生院")):
            rows.append(
                {
                    "组织名称": "示例医科大学附属医院远程医疗协作网",
                    "组织类型": "远程医疗协作网",
                    "牵头单位代码": uni.code,
                    "成员单位": x.code,
                    "加入日期": np.datetime64("2022-09-01"),
                    "退出日期": np.datetime64("NaT"),
                    "专科": "远程会诊",
                }
            )
    style = Style(dates="slash", seconds=False)
    cols = ("组织名称", "组织类型", "牵头单位代码", "成员单位", "加入日期", "退出日期", "专科")
    table = Table(
        {
            c: (
                fmt_date(np.array([r[c] for r in rows], dtype="datetime64[D]"), style)
                if c.endswith("日期")
                else np.asarray([r[c] for r in rows], dtype=object)
            )
            for c in cols
        },
        dates={"加入日期", "退出日期"},
    )
    facts = {
        "alliance": ALLIANCE,
        "lead": uni.code,
        "active_members_at_year_end": ALLIANCE_ACTIVE,
        "definition": "members with 加入日期 <= 31 Dec of the year and no 退出日期 on or before it",
        "members_outside_region_given_by_name": True,
    }
    return table, facts


BREAKS: list[Break] = [
    set_value("missing_required", "成员单位", "", "成员单位 is empty"),
    set_value("bad_date", "加入日期", "2023/6/31", "加入日期 {value} is not a date"),
    set_value("invalid_code", "组织类型", "医联体", "组织类型 '{value}' is not an allowed type"),
    duplicate(),
]
