"""Reported aggregates (统计月报, 财务年报, 绩效考核填报, 满意度, region figures) in wide and long layouts."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import Table
from hqd.demo.costs import COST_ITEMS
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
    ("总诊疗人次", "人次"),
    ("预约后等待时间合计", "分钟"),
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
    # hospitals (二级, 三级) only: the finance, bed and staff figures the performance assessment reads
    ("门诊药品收入", "万元"),
    ("住院药品收入", "万元"),
    ("门诊收入中来自医保基金的收入", "万元"),
    ("住院收入中来自医保基金的收入", "万元"),
    ("医疗收入中来自医保基金的收入", "万元"),
    ("总收入", "万元"),
    ("收支结余", "万元"),
    ("医疗活动收入", "万元"),
    ("医疗盈余", "万元"),
    ("人才培养经费投入", "万元"),
    ("医院当年总经费", "万元"),
    ("重点监控药品收入", "万元"),  # the 2022+ name of 辅助用药收入 (same data element)
    ("重点监控高值医用耗材收入", "万元"),
    ("特需医疗服务收入", "万元"),
    ("科研成果转化金额", "万元"),
    ("门诊中医医疗服务项目收入", "万元"),
    ("住院中医医疗服务项目收入", "万元"),
    ("中成药收入", "万元"),
    ("中药饮片收入", "万元"),
    ("医疗机构中药制剂收入", "万元"),
    ("中医药科研项目经费", "万元"),
    ("中医药科研成果转化金额", "万元"),
    ("实际占用总床日数", "床日"),
    ("实际开放床位数", "张"),
    ("高级职称卫生技术人员数", "人"),
    ("药师人数", "人"),
    ("麻醉医师人数", "人"),
    ("儿科医师人数", "人"),
    ("重症医师人数", "人"),
    ("病理医师人数", "人"),
    ("中医医师人数", "人"),
    ("系统接受中医药知识和技能培训的护理人员数", "人"),
    ("招收进修总人数", "人"),
    ("进修并返回原医院独立工作人数", "人"),
    ("首次参加医师资格考试的住院医师人数", "人"),
    ("首次参加医师资格考试并通过的住院医师人数", "人"),
)
# 绩效考核填报: what hospitals fill in on the national platform (long layout, annual, hospitals only);
# the qualitative items are text.
REPORTED = (
    ("门急诊下转患者人次数", "人次"),
    ("住院下转患者人次数", "人次"),
    ("特需医疗服务量", "人次"),
    ("全部医疗服务量", "人次"),
    ("大型医用设备检查人次数", "人次"),
    ("大型医用设备检查阳性数", "人次"),
    ("通过国家室间质量评价的临床检验项目数", "个"),
    ("开展优质护理服务的病房数", "个"),
    ("病房总数", "个"),
    ("处方总数", "张"),
    ("点评处方数", "张"),
    ("住院患者抗菌药物使用量（累计DDD数）", "DDD"),
    ("门诊使用药品人次数", "人次"),
    ("门诊使用基本药物人次数", "人次"),
    ("出院患者使用药品人次数", "人次"),
    ("出院患者使用基本药物总人次数", "人次"),
    ("采购基本药物品种数", "种"),
    ("采购药物品种总数", "种"),
    ("中标药品用量", "最小制剂单位"),
    ("同种药品用量", "最小制剂单位"),
    ("基本药物采购金额", "万元"),
    ("中标药品采购金额", "万元"),
    ("药品采购总金额", "万元"),
    ("已开展且省级室间质评已覆盖的检验项目数", "个"),
    ("参加省级室间质评的检验项目数", "个"),
    ("省级室间质评合格的检验项目数", "个"),
    ("以中医为主治疗的出院患者人次数", "人次"),
    ("门诊处方总数", "张"),
    ("门诊中药处方数", "张"),
    ("门诊散装中药饮片和小包装中药饮片处方数", "张"),
    ("中药处方总数", "张"),
    ("点评中药处方数", "张"),
    ("门诊使用中药饮片人次数", "人次"),
    ("出院患者使用中药饮片人次数", "人次"),
    ("门诊使用中医非药物疗法人次数", "人次"),
    ("出院患者使用中医非药物疗法人次数", "人次"),
    ("围手术期接受中医治疗的住院手术患者人次数", "人次"),
    ("理法方药使用一致的出院病历数", "份"),
    ("抽查出院中医病历数", "份"),
    ("大型医用设备维修保养及质量控制管理", "定性"),
    ("全面预算管理", "定性"),
    ("规范设立总会计师", "定性"),
    ("公共信用综合评价等级", "等级"),
)
# One secondary hospital leaves a few items out in every year, so "missing, with the element named" shows.
NOT_REPORTED = {
    "北岭县人民医院": (
        "住院患者抗菌药物使用量（累计DDD数）",
        "医疗收入中来自医保基金的收入",
        "重点监控高值医用耗材收入",
    )
}
_COUNTS = {"人", "人次", "张", "床日", "个", "种", "份"}
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
            {"name": n, "unit": u, "level": "institution", "periodicity": "year", "layout": "long"}
            for n, u in REPORTED
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
                n_booked = None if x.kind == "P_VIL" else int(v * booked)
                # 总诊疗人次 = 门诊 + 急诊 + 出诊/家庭医疗等 (about 2 %); waits only where appointments are timed
                total = v + (emerg or 0) + int(v * 0.02)
                wait = None
                if hospital and n_booked:  # minutes per booked visit: by level, ± a few by hospital
                    per = {"T": 16.0, "S": 11.0}[x.kind[0]] + int(x.code[-3:-1], 36) % 7 - 3
                    wait = round(n_booked * per * (0.94 if year == 2025 else 1.0), 1)
                vals = [v, emerg, n_booked, int(v * tcm), online, total, wait]
                rows["机构代码"].append(x.code)
                rows["机构名称"].append(x.name)
                rows["统计期"].append(f"{year}年{m + 1}月")
                for (name, _), val in zip(MONTHLY, vals, strict=True):
                    rows[name].append("" if val is None else str(val))
    return Table({k: np.asarray(v, dtype=object) for k, v in rows.items()}, numeric={n for n, _ in MONTHLY})


def _inpatient_figures(model: RegionModel, ep: Episodes) -> dict[tuple[str, int], dict[str, float]]:
    """Per (institution, year): discharges, Σ stay, operated, and inpatient revenue and drug cost in 万元 (the
    front sheets' totals are cents). 2023 has no front sheets: 96 % of 2024's activity, 95 % of its money."""
    drug = [i for i, c in enumerate(COST_ITEMS) if c in ("西药费", "中成药费", "中草药费")]
    herbal, patent = COST_ITEMS.index("中草药费"), COST_ITEMS.index("中成药费")
    out: dict[tuple[str, int], dict[str, float]] = {}
    for i, x in enumerate(model.institutions):
        for year in (2024, 2025):
            m = (ep["inst"] == i) & (ep["year"] == year)
            out[(x.code, year)] = {
                "discharges": float(m.sum()),
                "los": float(ep["los"][m].sum()),
                "operated": float(ep["surgical"][m].sum()),
                "revenue": ep["total"][m].sum() / 1e6,
                "drug": ep["costs"][m][:, drug].sum() / 1e6,
                "herbal": ep["costs"][m][:, herbal].sum() / 1e6,
                "patent": ep["costs"][m][:, patent].sum() / 1e6,
            }
        out[(x.code, 2023)] = {
            k: v * (0.96 if k in ("discharges", "los", "operated") else 0.95)
            for k, v in out[(x.code, 2024)].items()
        }
    return out


def annual_tables(
    model: RegionModel, ep: Episodes, scale: float, rng: np.random.Generator
) -> tuple[Table, Table, dict]:
    """Long layout (机构代码, 统计期, 数据项, 数值): the 财务年报 with staff, pay and satisfaction (finance in 万元),
    and the hospitals' 绩效考核填报 (counts, procurement, TCM items and the qualitative items as text).
    Relations hold: 医疗收入 = 门诊收入 + 住院收入, 药品收入 = 门诊药品收入 + 住院药品收入, 医保基金 parts add up,
    医疗盈余 = 医疗活动收入 − 业务支出 (医疗活动费用); the inpatient figures follow the discharges written."""
    ipf = _inpatient_figures(model, ep)
    fin: dict[str, list[str]] = {"机构代码": [], "统计期": [], "数据项": [], "数值": []}
    rep: dict[str, list[str]] = {"机构代码": [], "统计期": [], "数据项": [], "数值": []}
    for x in model.city_institutions:
        if x.kind == "P_VIL":
            continue
        hospital = not x.kind.startswith("P_")
        per_visit = {"T": 380.0, "S": 220.0, "P": 95.0}[x.kind[0]]
        for year in (2023, 2024, 2025):
            f = ipf[(x.code, year)]
            ip = f["revenue"]
            visits = _visits(x) * scale * (1.04 if year == 2025 else 0.97 if year == 2023 else 1.0)
            op = visits * per_visit / 1e4
            income = ip + op
            v: dict[str, float | str | None] = {
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
            if hospital:
                _hospital_finance(v, x, f, visits, rng)
                _hospital_reported(v, x, f, visits, year, rng)
            skip = NOT_REPORTED.get(x.name, ())
            for table, names in ((fin, ANNUAL), (rep, REPORTED)):
                for name, unit in names:
                    val = v.get(name)
                    if val is None or name in skip:
                        continue
                    table["机构代码"].append(x.code)
                    table["统计期"].append(str(year))
                    table["数据项"].append(name)
                    table["数值"].append(val if isinstance(val, str) else _fmt(val, unit, year, rng))
    facts = {
        "not_reported": [
            {
                "institution": model.by_name(n).code,
                "name": n,
                "elements": list(items),
                "years": [2023, 2024, 2025],
            }
            for n, items in NOT_REPORTED.items()
        ]
    }
    return (
        Table({k: np.asarray(c, dtype=object) for k, c in fin.items()}, numeric={"数值"}),
        Table({k: np.asarray(c, dtype=object) for k, c in rep.items()}),
        facts,
    )


def _hospital_finance(
    v: dict, x: Institution, f: dict[str, float], visits: float, rng: np.random.Generator
) -> None:
    """The assessment's finance, bed and staff items of a 二级/三级 hospital, consistent with the 财务年报 above."""
    op, ip, income = v["门诊收入"], v["住院收入"], v["医疗收入"]
    tertiary, tcm = x.kind.startswith("T_"), x.kind in ("T_TCM", "S_TCM")
    # the drug revenue is the front sheets' drug cost plus an outpatient share of 门诊收入
    v["住院药品收入"] = f["drug"]
    v["门诊药品收入"] = op * rng.uniform(0.36, 0.46)
    v["药品收入"] = v["住院药品收入"] + v["门诊药品收入"]
    v["门诊收入中来自医保基金的收入"] = op * rng.uniform(0.22, 0.36)
    v["住院收入中来自医保基金的收入"] = ip * rng.uniform(0.55, 0.68)
    v["医疗收入中来自医保基金的收入"] = v["门诊收入中来自医保基金的收入"] + v["住院收入中来自医保基金的收入"]
    v["总收入"] = income * rng.uniform(1.08, 1.15)  # + 财政补助、科教项目、其他收入
    v["收支结余"] = v["总收入"] - v["业务支出"] * rng.uniform(1.0, 1.03)
    v["医疗活动收入"] = income * rng.uniform(1.04, 1.08)  # + 财政基本拨款 for 医疗活动
    v["医疗盈余"] = v["医疗活动收入"] - v["业务支出"]
    v["医院当年总经费"] = v["业务支出"] * rng.uniform(1.05, 1.1)
    v["人才培养经费投入"] = v["医院当年总经费"] * rng.uniform(0.006, 0.02 if tertiary else 0.01)
    v["重点监控药品收入"] = v["药品收入"] * rng.uniform(0.03, 0.08)
    v["重点监控高值医用耗材收入"] = v["卫生材料收入"] * rng.uniform(0.25, 0.45)
    if tertiary:
        v["特需医疗服务收入"] = income * rng.uniform(0.004, 0.015)
        transfer = {"T_UNI": 420.0, "T_GEN": 60.0, "T_TCM": 25.0, "T_MCH": 12.0}[x.kind]
        v["科研成果转化金额"] = transfer * rng.uniform(0.8, 1.2)
    if tcm:
        v["门诊中医医疗服务项目收入"] = op * rng.uniform(0.12, 0.2)
        v["住院中医医疗服务项目收入"] = ip * rng.uniform(0.08, 0.15)
        v["中药饮片收入"] = f["herbal"] + v["门诊药品收入"] * rng.uniform(0.2, 0.3)
        v["中成药收入"] = f["patent"] + v["门诊药品收入"] * rng.uniform(0.15, 0.25)
        v["医疗机构中药制剂收入"] = v["中成药收入"] * rng.uniform(0.1, 0.3)  # part of 中成药
        if tertiary:
            v["中医药科研项目经费"] = v["科研项目经费"] * rng.uniform(0.6, 0.8)
            v["中医药科研成果转化金额"] = v["科研成果转化金额"] * rng.uniform(0.5, 0.8)
    doctors, nurses = v["执业医师人数"], v["注册护士人数"]
    # 占用床日 = the discharges' stays + patients still in hospital at the year's end
    v["实际占用总床日数"] = f["los"] * rng.uniform(1.0, 1.03)
    v["实际开放床位数"] = x.beds * rng.uniform(0.95, 1.05)
    senior = rng.uniform(0.13, 0.2) if tertiary else rng.uniform(0.06, 0.11)
    v["高级职称卫生技术人员数"] = v["卫生技术人员数"] * senior
    v["药师人数"] = x.beds * rng.uniform(0.035, 0.05)
    v["麻醉医师人数"] = doctors * rng.uniform(0.04, 0.06)
    v["儿科医师人数"] = doctors * (rng.uniform(0.18, 0.25) if x.kind == "T_MCH" else rng.uniform(0.04, 0.07))
    v["重症医师人数"] = doctors * rng.uniform(0.02, 0.04)
    v["病理医师人数"] = doctors * rng.uniform(0.01, 0.02)
    v["中医医师人数"] = doctors * (rng.uniform(0.55, 0.7) if tcm else rng.uniform(0.04, 0.08))
    if tcm:
        v["系统接受中医药知识和技能培训的护理人员数"] = nurses * rng.uniform(0.6, 0.85)
    if tertiary:
        trainees = {"T_UNI": 320, "T_GEN": 180, "T_TCM": 90, "T_MCH": 60}[x.kind] * rng.uniform(0.85, 1.15)
        takers = max(doctors * rng.uniform(0.03, 0.05), 5)
        v["招收进修总人数"] = trainees
        v["进修并返回原医院独立工作人数"] = trainees * rng.uniform(0.8, 0.95)
        v["首次参加医师资格考试的住院医师人数"] = takers
        v["首次参加医师资格考试并通过的住院医师人数"] = takers * rng.uniform(0.7, 0.9)


def _hospital_reported(
    v: dict, x: Institution, f: dict[str, float], visits: float, year: int, rng: np.random.Generator
) -> None:
    """The 绩效考核填报 items of a 二级/三级 hospital (counts follow its visits and discharges)."""
    tertiary, tcm = x.kind.startswith("T_"), x.kind in ("T_TCM", "S_TCM")
    n, los = f["discharges"], f["los"]
    density = rng.uniform(34, 44) if tertiary else rng.uniform(38, 50)  # DDDs per 100 patient-days
    v["住院患者抗菌药物使用量（累计DDD数）"] = density * los / 100
    if tertiary:
        mch = x.kind == "T_MCH"  # the 妇幼保健院 catches up: its qualitative items change over the years
        v |= {
            "门急诊下转患者人次数": visits * rng.uniform(0.002, 0.005),
            "住院下转患者人次数": n * rng.uniform(0.01, 0.03),
            "全部医疗服务量": visits * 1.1 + n,
            "大型医用设备检查人次数": visits * rng.uniform(0.07, 0.11),
            "通过国家室间质量评价的临床检验项目数": rng.integers(80, 160),
            "病房总数": x.beds / 40,
            "处方总数": visits * rng.uniform(0.7, 0.8),
            "门诊使用药品人次数": visits * rng.uniform(0.6, 0.7),
            "出院患者使用药品人次数": n * rng.uniform(0.95, 0.99),
            "采购药物品种总数": rng.integers(900, 1400),
            "同种药品用量": visits * rng.uniform(1.5, 2.5),
            "大型医用设备维修保养及质量控制管理": "部分建立" if mch and year == 2023 else "已建立",
            "全面预算管理": "已建立",
            "规范设立总会计师": "未设立" if mch and year < 2025 else "已设立",
            "公共信用综合评价等级": "B" if mch and year == 2023 else "A",
        }
        v["特需医疗服务量"] = v["全部医疗服务量"] * rng.uniform(0.008, 0.025)
        v["大型医用设备检查阳性数"] = v["大型医用设备检查人次数"] * rng.uniform(0.6, 0.78)
        v["开展优质护理服务的病房数"] = v["病房总数"] * rng.uniform(0.85, 1.0)
        v["点评处方数"] = v["处方总数"] * rng.uniform(0.01, 0.05)
        v["门诊使用基本药物人次数"] = v["门诊使用药品人次数"] * rng.uniform(0.45, 0.6)
        v["出院患者使用基本药物总人次数"] = v["出院患者使用药品人次数"] * rng.uniform(0.85, 0.95)
        v["采购基本药物品种数"] = v["采购药物品种总数"] * rng.uniform(0.3, 0.4)
        v["中标药品用量"] = v["同种药品用量"] * rng.uniform(0.75, 0.92)
    else:
        v["药品采购总金额"] = v["药品收入"] * rng.uniform(0.88, 0.97)
        v["基本药物采购金额"] = v["药品采购总金额"] * rng.uniform(0.35, 0.5)
        v["中标药品采购金额"] = v["药品采购总金额"] * rng.uniform(0.2, 0.35)
        covered = rng.integers(60, 110)
        taking_part = covered * rng.uniform(0.85, 1.0)
        v["已开展且省级室间质评已覆盖的检验项目数"] = covered
        v["参加省级室间质评的检验项目数"] = taking_part
        v["省级室间质评合格的检验项目数"] = taking_part * rng.uniform(0.88, 0.98)
    if tcm:
        v["以中医为主治疗的出院患者人次数"] = n * rng.uniform(0.45, 0.65)
        v["门诊处方总数"] = visits * rng.uniform(0.75, 0.85)
        v["门诊中药处方数"] = v["门诊处方总数"] * rng.uniform(0.55, 0.7)
        v["门诊散装中药饮片和小包装中药饮片处方数"] = v["门诊处方总数"] * rng.uniform(0.25, 0.4)
        v["中药处方总数"] = v["门诊中药处方数"] * rng.uniform(1.1, 1.2)
        v["点评中药处方数"] = v["中药处方总数"] * rng.uniform(0.02, 0.06)
        v["门诊使用中药饮片人次数"] = visits * rng.uniform(0.25, 0.4)
        v["出院患者使用中药饮片人次数"] = n * rng.uniform(0.6, 0.85)
        v["门诊使用中医非药物疗法人次数"] = visits * rng.uniform(0.15, 0.3)
        v["出院患者使用中医非药物疗法人次数"] = n * rng.uniform(0.5, 0.8)
        v["围手术期接受中医治疗的住院手术患者人次数"] = f["operated"] * rng.uniform(0.3, 0.6)
        v["抽查出院中医病历数"] = rng.integers(100, 200)
        v["理法方药使用一致的出院病历数"] = v["抽查出院中医病历数"] * rng.uniform(0.85, 0.97)


def _fmt(val: float, unit: str, year: int, rng: np.random.Generator) -> str:
    if unit == "%":
        return f"{val:.2f}%" if year == 2025 else f"{val:.2f}"
    if unit in _COUNTS:
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
# The 绩效考核填报 file holds text items (qualitative levels), which are valid values of their text elements,
# so it gets no "not a number" break.
REPORTED_BREAKS: list[Break] = [b for b in ANNUAL_BREAKS if b.kind != "non_numeric"]
