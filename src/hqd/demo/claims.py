"""医保结算: every insured discharge settled, plus out-of-city stays, outpatient and pharmacy settlements."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import STR, Table
from hqd.demo.episodes import Episodes
from hqd.demo.flows import CLAIM_PAYERS
from hqd.demo.formats import Style, fmt_date, fmt_money
from hqd.demo.ids import uscc
from hqd.demo.malform import Break, duplicate, key_conflict, money_like, number, set_value
from hqd.demo.region import COUNTIES, DESIGNED_SHARE, DISTRICTS, RegionModel

OUT_OF_CITY_SHARE = 0.25  # of a county's out-of-county inpatient settlements, the part outside the city
HEADERS_2025 = {
    "结算ID": "结算流水号",
    "身份证号": "参保人证件号码",
    "参保地区划代码": "参保地",
    "就医机构代码": "定点医药机构编码",
    "就医地区划代码": "就医地",
    "机构类型": "定点机构类型",
    "医疗类别": "就诊类型",
    "入院日期": "就诊日期",
    "医疗费用总额": "总费用",
    "医保基金支付金额": "统筹基金支付",
    "个人自付金额": "个人负担",
}
PHARMACIES = [
    (r, f"{n}大药房有限公司{b}店")
    for r, n, b in (
        ("990102", "示例市康民", "中山路"),
        ("990102", "示例市康民", "滨江"),
        ("990102", "示例市仁和堂", "解放路"),
        ("990103", "示例市仁和堂", "高新"),
        ("990103", "示例市百姓", "龙湖"),
        ("990121", "东山县益康", "城关"),
        ("990121", "东山县益康", "青龙"),
        ("990122", "西河县同济", "城关"),
        ("990122", "西河县同济", "长乐"),
        ("990123", "南湖县惠民", "城关"),
        ("990123", "南湖县惠民", "望江"),
        ("990124", "北岭县健民", "城关"),
    )
]


def plan_insurance(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> dict:
    """Decide 参保地 of each discharge and the out-of-city stays so the claims basis hits the designed share.

    Some county residents treated out of county in the city are insured as employees where they work (a
    district); out-of-city stays are added for the rest of the gap. Sets ep["insured"] and ep["payer"].
    """
    inst_region = np.array([x.region for x in model.institutions], dtype=object)[ep["inst"]]
    insured = ep["residence"].astype(object).copy()
    claimed = np.isin(ep["payer"], CLAIM_PAYERS)
    plan: dict = {}
    for year in (2024, 2025):
        yr = (ep["year"] == year) & claimed
        for county in COUNTIES:
            mine = yr & (insured == county)
            a = int((mine & (inst_region == county)).sum())
            away = np.flatnonzero(mine & (inst_region != county))
            share = DESIGNED_SHARE[county][year]
            target = round(a * (1 - share) / share)
            c = round(OUT_OF_CITY_SHARE * target)
            k = len(away) + c - target
            if k < 0:
                c, k = target - len(away), 0
            adults = away[(ep["age"][away] >= 18) & np.isin(inst_region[away], DISTRICTS)]
            k = min(k, len(adults))
            moved = rng.choice(adults, k, replace=False) if k else adults[:0]
            insured[moved] = inst_region[moved]
            ep["payer"][moved] = "1"
            plan.setdefault(county, {})[year] = {
                "in_county": a,
                "out_in_city": len(away) - k,
                "out_of_city": c,
                "reinsured_in_district": k,
            }
    ep["insured"] = insured
    return plan


def _ids(prefix: np.ndarray, day: np.ndarray, serial: np.ndarray) -> np.ndarray:
    ymd = np.char.replace(np.datetime_as_string(day.astype("datetime64[D]")), "-", "")
    return np.strings.add(
        np.strings.add(prefix.astype(STR), ymd.astype(STR)), np.char.zfill(serial.astype(str), 8).astype(STR)
    )


def build_claims(
    ep: Episodes, model: RegionModel, plan: dict, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """All settlements as value columns (money in cents, dates datetime64)."""
    insts = model.institutions
    code = np.array([x.code for x in insts], dtype=object)
    region = np.array([x.region for x in insts], dtype=object)
    itype = np.array(["基层医疗卫生机构" if x.kind.startswith("P_") else "医院" for x in insts], dtype=object)
    parts: list[dict[str, np.ndarray]] = []
    # 1. inpatient settlements of discharges
    m = np.flatnonzero(np.isin(ep["payer"], CLAIM_PAYERS))
    total = ep["total"][m]
    parts.append(
        {
            "person": ep["id_no"][m],
            "insured": ep["insured"][m],
            "inst": code[ep["inst"][m]],
            "where": region[ep["inst"][m]],
            "itype": itype[ep["inst"][m]],
            "cat": np.full(len(m), "住院"),
            "start": ep["admit"][m].astype("datetime64[D]"),
            "day": ep["discharge"][m].astype("datetime64[D]"),
            "total": total,
            "fund": total - ep["self_pay"][m],
        }
    )
    # 2. county residents' stays outside the city (the insurer is the only one who sees them)
    outside = [i for i, x in enumerate(insts) if x.kind == "X_HOSP"]
    for county, years in plan.items():
        pool = np.flatnonzero((ep["residence"] == county) & (ep["age"] >= 18))
        for year, p in years.items():
            c = p["out_of_city"]
            if not c or not len(pool):
                continue
            who = rng.choice(pool, c)
            w = np.array(
                [0.4 if insts[i].region == "990321" and county == "990123" else 0.2 for i in outside]
            )
            where = np.asarray(outside)[rng.choice(len(outside), c, p=w / w.sum())]
            day = np.datetime64(f"{year}-01-01") + rng.integers(0, 365, c)
            stay = rng.integers(3, 21, c)
            cost = np.rint(np.exp(rng.normal(np.log(26_000), 0.6, c)) * 100).astype(np.int64)
            parts.append(
                {
                    "person": ep["id_no"][who],
                    "insured": np.full(c, county, dtype=object),
                    "inst": code[where],
                    "where": region[where],
                    "itype": np.full(c, "医院", dtype=object),
                    "cat": np.full(c, "住院"),
                    "start": day - stay,
                    "day": day,
                    "total": cost,
                    "fund": (cost * rng.uniform(0.5, 0.68, c)).astype(np.int64),
                }
            )
    # 3. outpatient, emergency and chronic-disease outpatient settlements; 4. pharmacy purchases
    parts.append(_outpatient(ep, model, int(0.8 * len(ep["inst"])), rng))
    parts.append(_pharmacy(ep, int(0.25 * len(ep["inst"])), rng))
    claims = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(claims["day"], kind="stable")
    claims = {k: v[order] for k, v in claims.items()}
    serial = np.arange(len(order)) + 1
    prefix = np.where(np.isin(claims["insured"], COUNTIES + DISTRICTS), claims["insured"], "990100")
    claims["id"] = _ids(prefix, claims["day"], serial)
    return claims


def _outpatient(ep: Episodes, model: RegionModel, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    insts = model.institutions
    who = rng.integers(0, len(ep["inst"]), n)
    insured = ep["insured"][who]
    local = {
        r: [i for i, x in enumerate(insts) if x.region == r and x.kind != "P_VIL"]
        for r in COUNTIES + DISTRICTS
    }
    tertiary = [i for i, x in enumerate(insts) if x.kind.startswith("T_")]
    outside = [i for i, x in enumerate(insts) if x.kind == "X_HOSP"]
    u = rng.random(n)
    inst = np.asarray(tertiary)[rng.integers(0, len(tertiary), n)]
    for r, options in local.items():
        m = (insured == r) & (u < 0.78)
        inst[m] = np.asarray(options)[rng.integers(0, len(options), int(m.sum()))]
    far = u > 0.96
    inst[far] = np.asarray(outside)[rng.integers(0, len(outside), int(far.sum()))]
    cat = np.asarray(["门诊", "急诊", "门诊慢特病"], dtype=object)[rng.choice(3, n, p=[0.75, 0.1, 0.15])]
    primary = np.array([insts[i].kind.startswith("P_") for i in inst])
    median = np.select([cat == "急诊", cat == "门诊慢特病", primary], [420.0, 650.0, 85.0], 190.0)
    total = np.rint(np.exp(rng.normal(np.log(median), 0.7)) * 100).astype(np.int64)
    fund = (total * np.where(cat == "门诊慢特病", rng.uniform(0.6, 0.8, n), rng.uniform(0.3, 0.6, n))).astype(
        np.int64
    )
    year = np.where(rng.random(n) < 0.485, 2024, 2025)
    day = np.array([np.datetime64(f"{y}-01-01") for y in (2024, 2025)])[year - 2024] + rng.integers(0, 365, n)
    return {
        "person": ep["id_no"][who],
        "insured": insured,
        "inst": np.array([insts[i].code for i in inst], dtype=object),
        "where": np.array([insts[i].region for i in inst], dtype=object),
        "itype": np.where(primary, "基层医疗卫生机构", "医院").astype(object),
        "cat": cat,
        "start": day,
        "day": day,
        "total": total,
        "fund": fund,
    }


def _pharmacy(ep: Episodes, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    who = rng.integers(0, len(ep["inst"]), n)
    shop = rng.integers(0, len(PHARMACIES), n)
    codes = np.array([uscc(r, name, kind="91") for r, name in PHARMACIES], dtype=object)
    total = np.rint(np.exp(rng.normal(np.log(120), 0.8, n)) * 100).astype(np.int64)
    year = np.where(rng.random(n) < 0.485, 2024, 2025)
    day = np.array([np.datetime64(f"{y}-01-01") for y in (2024, 2025)])[year - 2024] + rng.integers(0, 365, n)
    return {
        "person": ep["id_no"][who],
        "insured": ep["insured"][who],
        "inst": codes[shop],
        "where": np.array([r for r, _ in PHARMACIES], dtype=object)[shop],
        "itype": np.full(n, "药店", dtype=object),
        "cat": np.full(n, "购药", dtype=object),
        "start": day,
        "day": day,
        "total": total,
        "fund": (total * rng.uniform(0.3, 0.7, n)).astype(np.int64),
    }


def claims_table(claims: dict[str, np.ndarray], idx: np.ndarray, style: Style) -> Table:
    g = {k: v[idx] for k, v in claims.items()}
    return Table(
        {
            "结算ID": g["id"],
            "身份证号": g["person"],
            "参保地区划代码": g["insured"],
            "就医机构代码": g["inst"],
            "就医地区划代码": g["where"],
            "机构类型": g["itype"],
            "医疗类别": g["cat"],
            "入院日期": fmt_date(g["start"], style),
            "结算日期": fmt_date(g["day"], style),
            "医疗费用总额": fmt_money(g["total"], style),
            "医保基金支付金额": fmt_money(g["fund"], style),
            "个人自付金额": fmt_money(g["total"] - g["fund"], style),
        },
        numeric={"医疗费用总额", "医保基金支付金额", "个人自付金额"},
        dates={"入院日期", "结算日期"},
    )


BREAKS: list[Break] = [
    set_value(
        "fund_exceeds_total",
        "医保基金支付金额",
        lambda r: money_like(r["医疗费用总额"], number(r["医疗费用总额"]) * 1.2 + 5),
        "医保基金支付金额 {value} exceeds 医疗费用总额",
    ),
    set_value("unknown_region", "参保地区划代码", "990125", "参保地区划代码 {value} is not a known region"),
    set_value("bad_date", "结算日期", "2024-02-30", "结算日期 {value} is not a date"),
    set_value("missing_required", "就医机构代码", "", "就医机构代码 is empty"),
    set_value(
        "negative_number",
        "医疗费用总额",
        lambda r: "-" + r["医疗费用总额"],
        "医疗费用总额 {value} is negative",
    ),
    set_value("invalid_code", "医疗类别", "体检", "医疗类别 '{value}' is not a valid category"),
    duplicate(),
    key_conflict("医疗费用总额", lambda v, rng: money_like(v, number(v) + 88), "结算ID"),
]
