"""The fictional 示例市: its counties, neighbours and institutions — fixed, so codes are stable across seeds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hqd.demo.ids import uscc

PROVINCE = "990000"
CITY = "990100"
DISTRICTS = ("990102", "990103")
COUNTIES = ("990121", "990122", "990123", "990124")

# designed 县域内住院人次占比 per county and year (one above 90 %, one just below, one well below)
DESIGNED_SHARE: dict[str, dict[int, float]] = {
    "990121": {2024: 0.918, 2025: 0.925},
    "990122": {2024: 0.876, 2025: 0.885},
    "990123": {2024: 0.742, 2025: 0.753},
    "990124": {2024: 0.832, 2025: 0.840},
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    parent: str | None
    population: int | None
    in_city: bool


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    region: str
    level: str  # 三级 / 二级 / 一级 / 未定级
    grade: str  # 甲等 / 乙等 / 丙等 / 未定等
    category: str
    public: bool
    beds: int
    community: str | None  # 所属医共体
    group: str | None  # 所属医疗集团
    lead: bool
    county_hospital: bool
    kind: str  # T_GEN T_UNI T_TCM T_MCH S_GEN S_TCM P_THC P_CHC P_VIL X_HOSP
    in_city: bool

    @property
    def short(self) -> str:
        return self.name


REGIONS: tuple[Region, ...] = (
    Region(PROVINCE, "示例省", None, None, False),
    Region(CITY, "示例市", PROVINCE, 772_000, True),
    Region("990102", "示范区", CITY, 241_000, True),
    Region("990103", "新城区", CITY, 198_000, True),
    Region("990121", "东山县", CITY, 131_000, True),
    Region("990122", "西河县", CITY, 93_000, True),
    Region("990123", "南湖县", CITY, 63_000, True),
    Region("990124", "北岭县", CITY, 46_000, True),
    Region("990200", "临江市", PROVINCE, None, False),
    Region("990202", "江城区", "990200", None, False),
    Region("990300", "青峰市", PROVINCE, None, False),
    Region("990302", "城北区", "990300", None, False),
    Region("990321", "石门县", "990300", None, False),
    Region("980000", "远川省", None, None, False),
    Region("980100", "远川市", "980000", None, False),
    Region("980102", "中心区", "980100", None, False),
)
NEIGHBOUR_RESIDENCES = ("990202", "990302", "990321", "980102")

_DISTRICT_CHC = {
    "990102": [
        "中山",
        "人民路",
        "解放",
        "滨江",
        "朝阳",
        "文昌",
        "东风",
        "建设",
        "和平",
        "光明",
        "新华",
        "胜利",
        "育才",
    ],
    "990103": ["迎宾", "高新", "金桥", "龙湖", "湖滨", "科创", "翠湖", "景园", "锦绣", "凤栖"],
}
_TOWNS = {
    "990103": ["柳营镇", "铁山镇", "三河镇", "马场镇", "白鹭镇"],
    "990121": [
        "城关镇",
        "青龙镇",
        "白石镇",
        "柳塘镇",
        "桃源镇",
        "梅岭镇",
        "金沙镇",
        "双河镇",
        "马鞍镇",
        "龙泉镇",
        "清溪乡",
        "黄坪乡",
        "石桥镇",
        "新田乡",
        "平安镇",
        "永丰乡",
    ],
    "990122": [
        "城关镇",
        "长乐镇",
        "太平镇",
        "大坪乡",
        "高桥镇",
        "沙湾镇",
        "铁炉乡",
        "杨柳镇",
        "松林镇",
        "竹园乡",
        "枫林镇",
        "荷塘镇",
        "凤凰镇",
        "翠屏乡",
    ],
    "990123": [
        "城关镇",
        "望江镇",
        "红岩镇",
        "南湾镇",
        "莲花镇",
        "渔港镇",
        "芦洲乡",
        "湖心镇",
        "白沙镇",
        "菱角乡",
        "鹤鸣镇",
        "港口镇",
    ],
    "990124": [
        "城关镇",
        "岭南镇",
        "雪峰镇",
        "松岭乡",
        "石垭乡",
        "云台镇",
        "紫荆镇",
        "鹰嘴乡",
        "青杠乡",
        "峰口镇",
    ],
}
_VILLAGES = {
    "990121": ["青龙镇张家村", "白石镇李家坪村", "柳塘镇下湾村", "桃源镇杏花村", "梅岭镇高山村"],
    "990122": ["长乐镇王庄村", "太平镇石门村", "高桥镇河口村", "沙湾镇芦苇村"],
    "990123": ["望江镇江心村", "红岩镇岩前村", "莲花镇荷叶村", "白沙镇沙洲村"],
    "990124": ["岭南镇岭下村", "雪峰镇峰顶村", "云台镇台前村"],
}
_COUNTY_BEDS = {"990121": (800, 350), "990122": (650, 300), "990123": (480, 220), "990124": (380, 160)}


def _bed_size(name: str, lo: int, hi: int) -> int:
    import zlib

    return lo + zlib.crc32(name.encode("utf-8")) % (hi - lo + 1)


# fmt: off
def _hospitals() -> list[Institution]:
    rn = {r.code: r.name for r in REGIONS}
    g1, g2 = "示例市人民医院医疗集团", "示例医科大学附属医院医疗集团"
    out = [
        Institution(uscc("990100", "示例市人民医院"), "示例市人民医院", "990102", "三级", "甲等", "综合医院",
                    True, 1800, None, g1, True, False, "T_GEN", True),
        Institution(uscc("990100", "示例医科大学附属医院"), "示例医科大学附属医院", "990103", "三级", "甲等",
                    "综合医院", True, 2200, None, g2, True, False, "T_UNI", True),
        Institution(uscc("990100", "示例市中医医院"), "示例市中医医院", "990102", "三级", "甲等", "中医医院",
                    True, 900, None, None, False, False, "T_TCM", True),
        Institution(uscc("990100", "示例市妇幼保健院"), "示例市妇幼保健院", "990103", "三级", "甲等", "妇幼保健院",
                    True, 500, None, None, False, False, "T_MCH", True),
        Institution(uscc("990102", "示范区人民医院"), "示范区人民医院", "990102", "二级", "甲等", "综合医院",
                    True, 400, None, g1, False, False, "S_GEN", True),
        Institution(uscc("990103", "新城区中西医结合医院"), "新城区中西医结合医院", "990103", "二级", "乙等",
                    "中西医结合医院", True, 260, None, g2, False, False, "S_TCM", True),
    ]
    for county in COUNTIES:
        cname = rn[county]
        community = f"{cname}医共体"
        beds_gen, beds_tcm = _COUNTY_BEDS[county]
        grade = "乙等" if county == "990124" else "甲等"
        out.append(Institution(uscc(county, f"{cname}人民医院"), f"{cname}人民医院", county, "二级", grade,
                               "综合医院", True, beds_gen, community, None, True, True, "S_GEN", True))
        out.append(Institution(uscc(county, f"{cname}中医医院"), f"{cname}中医医院", county, "二级", "甲等",
                               "中医医院", True, beds_tcm, community, None, False, True, "S_TCM", True))
    return out


def _primary() -> list[Institution]:
    rn = {r.code: r.name for r in REGIONS}
    out: list[Institution] = []
    groups = {"990102": "示例市人民医院医疗集团", "990103": "示例医科大学附属医院医疗集团"}
    for district, streets in _DISTRICT_CHC.items():
        for s in streets:
            name = f"{rn[district]}{s}街道社区卫生服务中心"
            out.append(Institution(uscc(district, name), name, district, "一级", "未定等", "社区卫生服务中心", True,
                                   _bed_size(name, 10, 45), None, groups[district], False, False, "P_CHC", True))
    for county, towns in _TOWNS.items():
        community = f"{rn[county]}医共体" if county in COUNTIES else None
        group = groups.get(county)
        for i, t in enumerate(towns):
            name = f"{rn[county]}{t}{'中心卫生院' if i == 0 else '卫生院'}"
            beds = _bed_size(name, 80, 140) if i == 0 else _bed_size(name, 25, 90)
            grade = "甲等" if i == 0 else "乙等" if i % 3 else "未定等"
            out.append(Institution(uscc(county, name), name, county, "一级", grade, "乡镇卫生院", True, beds,
                                   community, group, False, False, "P_THC", True))
    for county, villages in _VILLAGES.items():
        for v in villages:
            name = f"{rn[county]}{v}卫生室"
            out.append(Institution(uscc(county, name, kind="52"), name, county, "未定级", "未定等", "村卫生室",
                                   False, 0, f"{rn[county]}医共体", None, False, False, "P_VIL", True))
    return out


def _outside() -> list[Institution]:
    rows = [
        ("示例省人民医院", "990202", "三级", "甲等", 3500),
        ("临江医科大学第一附属医院", "990202", "三级", "甲等", 4200),
        ("青峰市中心医院", "990302", "三级", "乙等", 1500),
        ("石门县人民医院", "990321", "二级", "甲等", 500),
        ("远川大学附属第一医院", "980102", "三级", "甲等", 5000),
    ]
    return [
        Institution(uscc(region[:4] + "00", name), name, region, level, grade, "综合医院", True, beds, None, None,
                    False, region == "990321", "X_HOSP", False)
        for name, region, level, grade, beds in rows
    ]
# fmt: on


@dataclass(frozen=True)
class RegionModel:
    regions: tuple[Region, ...]
    institutions: tuple[Institution, ...]

    def by_kind(self, *kinds: str) -> list[Institution]:
        return [i for i in self.institutions if i.kind in kinds]

    def by_code(self, code: str) -> Institution:
        return next(i for i in self.institutions if i.code == code)

    def by_name(self, name: str) -> Institution:
        return next(i for i in self.institutions if i.name == name)

    def region_name(self, code: str) -> str:
        return next(r.name for r in self.regions if r.code == code)

    @property
    def city_institutions(self) -> list[Institution]:
        return [i for i in self.institutions if i.in_city]

    def population(self, code: str) -> int:
        return next(r.population or 0 for r in self.regions if r.code == code)


@cache
def build_region() -> RegionModel:
    insts = _hospitals() + _primary() + _outside()
    codes = [i.code for i in insts]
    if len(set(codes)) != len(codes):
        raise AssertionError("institution codes collide")
    return RegionModel(REGIONS, tuple(insts))
