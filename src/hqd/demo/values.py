"""Reported aggregates (统计月报, 财务年报, 满意度, region figures) in wide and long layouts."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table
from hqd.demo.episodes import Episodes
from hqd.demo.malform import Break, set_value
from hqd.demo.region import CITY, COUNTIES, DISTRICTS, Institution, RegionModel

# (name, unit, level, periodicity)
MONTHLY = (
    ("门诊人次", "人次"),
    ("急诊人次", "人次"),
    ("预约诊疗人次", "人次"),
    ("中医诊疗人次", "人次"),
    ("互联网诊疗人次", "人次"),
)
ANNUAL = (
    ("医疗收入", "万元"),
    ("门诊收入", "万元"),
    ("住院收入", "万元"),
    ("药品收入", "万元"),
    ("卫生材料收入", "万元"),
    ("检查收入", "万元"),
    ("化验收入", "万元"),
    ("人员支出", "万元"),
    ("业务支出", "万元"),
    ("能耗支出", "万元"),
    ("资产总额", "万元"),
    ("负债总额", "万元"),
    ("执业医师人数", "人"),
    ("注册护士人数", "人"),
    ("卫生技术人员数", "人"),
    ("全科医生人数", "人"),
    ("在岗职工年平均工资", "元"),
    ("派驻基层中级及以上职称医师人数", "人"),
    ("科研项目经费", "万元"),
    ("门诊患者满意度", "%"),
    ("住院患者满意度", "%"),
    ("医务人员满意度", "%"),
)
REGIONAL = (("托位数", "个"), ("居民健康素养水平", "%"))
CHILDCARE = {2023: 2700, 2024: 3250, 2025: 3630}
LITERACY = {2023: 26.8, 2024: 28.9, 2025: 30.6}
_MONTH_W = np.array([1.06, 0.84, 1.0, 0.98, 0.98, 0.97, 0.99, 1.0, 0.99, 1.0, 1.04, 1.1])


def value_elements() -> list[dict[str, str]]:
    return (
        [
            {"name": n, "unit": u, "level": "institution", "periodicity": "month", "layout": "wide"}
            for n, u in MONTHLY
        ]
        + [
            {"name": n, "unit": u, "level": "institution", "periodicity": "year", "layout": "long"}
            for n, u in ANNUAL
        ]
        + [
            {"name": n, "unit": u, "level": "region", "periodicity": "year", "layout": "wide"}
            for n, u in REGIONAL
        ]
    )


def _visits(x: Institution) -> float:
    fixed = {"T_GEN": 1.25e6, "T_UNI": 1.55e6, "T_TCM": 0.85e6, "T_MCH": 0.6e6}
    if x.kind in fixed:
        return fixed[x.kind]
    return {
        "S_GEN": x.beds * 700.0,
        "S_TCM": x.beds * 800.0,
        "P_THC": x.beds * 900.0 + 15e3,
        "P_CHC": x.beds * 1500.0 + 20e3,
        "P_VIL": 3e3 + (int(x.code[-3:-1], 36) % 50) * 100,
    }[x.kind]


def monthly_table(model: RegionModel, scale: float, rng: np.random.Generator) -> Table:
    rows: dict[str, list[str]] = {k: [] for k in ("机构代码", "机构名称", "统计期", *(n for n, _ in MONTHLY))}
    for x in model.city_institutions:
        base = _visits(x) * scale
        for year in (2024, 2025):
            growth = 1.0 if year == 2024 else 1.04
            for m in range(12):
                v = int(base * growth * _MONTH_W[m] / _MONTH_W.sum() * rng.normal(1, 0.03))
                hospital = x.kind.startswith(("T_", "S_"))
                emerg = int(v * (0.09 if hospital else 0.02)) if x.kind not in ("P_CHC", "P_VIL") else None
                booked = {"T": 0.62, "S": 0.38, "P": 0.08}[x.kind[0]] + (0.04 if year == 2025 else 0)
                tcm = {"T_TCM": 0.8, "S_TCM": 0.6 if x.category == "中医医院" else 0.5, "P_VIL": 0.35}.get(
                    x.kind, 0.28 if x.kind.startswith("P_") else 0.07
                )
                online = int(v * 0.03) if x.kind.startswith("T_") else None
                vals = [v, emerg, None if x.kind == "P_VIL" else int(v * booked), int(v * tcm), online]
                rows["机构代码"].append(x.code)
                rows["机构名称"].append(x.name)
                rows["统计期"].append(f"{year}年{m + 1}月")
                for (name, _), val in zip(MONTHLY, vals, strict=True):
                    rows[name].append("" if val is None else str(val))
    return Table({k: np.asarray(v, dtype=object) for k, v in rows.items()}, numeric={n for n, _ in MONTHLY})


def annual_table(model: RegionModel, ep: Episodes, scale: float, rng: np.random.Generator) -> Table:
    """Long layout: 机构代码, 统计期, 数据项, 数值 — finance in 万元, staff, pay and satisfaction."""
    inpatient = {}
    for i, x in enumerate(model.institutions):
        for year in (2024, 2025):
            inpatient[(x.code, year)] = ep["total"][(ep["inst"] == i) & (ep["year"] == year)].sum() / 1e6
    out: dict[str, list[str]] = {"机构代码": [], "统计期": [], "数据项": [], "数值": []}
    for x in model.city_institutions:
        if x.kind == "P_VIL":
            continue
        hospital = not x.kind.startswith("P_")
        per_visit = {"T": 380.0, "S": 220.0, "P": 95.0}[x.kind[0]]
        for year in (2023, 2024, 2025):
            ip = inpatient.get((x.code, year), inpatient[(x.code, 2024)] * 0.95)
            op = (
                _visits(x)
                * scale
                * (1.04 if year == 2025 else 0.97 if year == 2023 else 1.0)
                * per_visit
                / 1e4
            )
            income = ip + op
            v: dict[str, float | None] = {
                "医疗收入": income,
                "门诊收入": op,
                "住院收入": ip,
                "药品收入": income * (0.45 if not hospital else rng.uniform(0.25, 0.32)),
                "卫生材料收入": income * (0.05 if not hospital else rng.uniform(0.14, 0.2)),
                "检查收入": income * rng.uniform(0.08, 0.11),
                "化验收入": income * rng.uniform(0.07, 0.09),
                "人员支出": income * rng.uniform(0.36, 0.44),
                "业务支出": income * rng.uniform(0.95, 1.02),
                "能耗支出": income * rng.uniform(0.012, 0.02),
                "资产总额": x.beds * rng.uniform(80, 120) + 300,
            }
            v["负债总额"] = v["资产总额"] * rng.uniform(0.35, 0.6)
            doctors = int(x.beds * rng.uniform(0.35, 0.45)) + (6 if not hospital else 0)
            nurses = int(x.beds * rng.uniform(0.55, 0.7)) + (5 if not hospital else 0)
            v |= {
                "执业医师人数": doctors,
                "注册护士人数": nurses,
                "卫生技术人员数": int((doctors + nurses) * 1.3),
                "全科医生人数": int(rng.integers(2, 9)) if not hospital or x.county_hospital else None,
                "在岗职工年平均工资": {"T": 165000, "S": 128000, "P": 92000}[x.kind[0]]
                * rng.uniform(0.95, 1.05)
                * (1.03 ** (year - 2023)),
                "派驻基层中级及以上职称医师人数": int(rng.integers(6, 16)) if x.county_hospital else None,
                "科研项目经费": {"T_UNI": 3500.0, "T_GEN": 900.0, "T_TCM": 260.0, "T_MCH": 180.0}.get(x.kind),
                "门诊患者满意度": rng.uniform(86, 94),
                "住院患者满意度": rng.uniform(90, 96) if hospital else None,
                "医务人员满意度": rng.uniform(80, 90) if hospital else None,
            }
            for name, unit in ANNUAL:
                val = v.get(name)
                if val is None:
                    continue
                out["机构代码"].append(x.code)
                out["统计期"].append(str(year))
                out["数据项"].append(name)
                out["数值"].append(_fmt(val, unit, year, rng))
    return Table({k: np.asarray(v, dtype=object) for k, v in out.items()}, numeric={"数值"})


def _fmt(val: float, unit: str, year: int, rng: np.random.Generator) -> str:
    if unit == "%":
        return f"{val:.2f}%" if year == 2025 else f"{val:.2f}"
    if unit == "人":
        return str(int(val))
    if unit == "元":
        return f"{val:,.0f}" if rng.random() < 0.5 else f"{val:.0f}"
    return f"{val:,.2f}" if val >= 1000 and rng.random() < 0.5 else f"{val:.2f}"


def region_table(model: RegionModel) -> tuple[Table, dict]:
    areas = DISTRICTS + COUNTIES
    pops = np.array([model.population(a) for a in areas], dtype=float)
    weights = pops * np.array([1.25, 1.2, 0.9, 0.85, 0.75, 0.7])
    rows = {"区划代码": [], "统计期": [], "托位数": [], "居民健康素养水平": []}
    for year in (2023, 2024, 2025):
        total = CHILDCARE[year]
        split = np.floor(weights / weights.sum() * total).astype(int)
        split[0] += total - split.sum()
        literacy = LITERACY[year] + np.array([3.4, 2.6, -2.1, -3.0, -4.6, -5.2])
        for code, seats, lit in [(CITY, total, LITERACY[year]), *zip(areas, split, literacy, strict=True)]:
            rows["区划代码"].append(code)
            rows["统计期"].append(str(year))
            rows["托位数"].append(str(int(seats)))
            rows["居民健康素养水平"].append(f"{lit:.1f}")
    facts = {"托位数": CHILDCARE, "居民健康素养水平": LITERACY, "常住人口": model.population(CITY)}
    return Table(
        {k: np.asarray(v, dtype=object) for k, v in rows.items()}, numeric={"托位数", "居民健康素养水平"}
    ), facts


MONTHLY_BREAKS: list[Break] = [
    set_value("negative_number", "门诊人次", lambda r: "-" + r["门诊人次"], "门诊人次 {value} is negative"),
    set_value("non_numeric", "门诊人次", "待核实", "门诊人次 '{value}' is not a number"),
    set_value(
        "unknown_institution", "机构代码", "12990100MB0000000X", "机构代码 {value} is not a known institution"
    ),
    set_value("bad_period", "统计期", "2024年13月", "统计期 {value} is not a period"),
    set_value("missing_required", "统计期", "", "统计期 is empty"),
]
ANNUAL_BREAKS: list[Break] = [
    set_value("non_numeric", "数值", "约3000", "数值 '{value}' is not a number"),
    set_value(
        "unknown_institution", "机构代码", "12990100MB0000000X", "机构代码 {value} is not a known institution"
    ),
    set_value("missing_required", "数据项", "", "数据项 is empty"),
    set_value("bad_period", "统计期", "20245", "统计期 {value} is not a period"),
]
