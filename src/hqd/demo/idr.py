"""传染病报告卡 2022–2025: seasonal notifiable-disease baselines per county plus a few injected outbreaks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hqd.demo import ids
from hqd.demo.base import STR, Table
from hqd.demo.episodes import season_weights
from hqd.demo.formats import Style, fmt_date
from hqd.demo.malform import Break, duplicate, key_conflict, set_value, swap
from hqd.demo.region import COUNTIES, DISTRICTS, RegionModel

IDR_YEARS = (2022, 2023, 2024, 2025)


@dataclass(frozen=True)
class Disease:
    name: str
    rate: float  # reported cases per 100,000 per year
    season: str
    age: tuple[float, float, float, float]  # (share children, child mean, adult mean, adult sd)
    male: float
    classes: tuple[tuple[str, float], ...]


DISEASES = (
    Disease("流行性感冒", 520, "flu", (0.55, 6, 45, 20), 0.52, (("确诊病例", 0.55), ("临床诊断病例", 0.45))),
    Disease("手足口病", 120, "hfmd", (1.0, 2.5, 30, 5), 0.58, (("临床诊断病例", 0.85), ("确诊病例", 0.15))),
    Disease(
        "其他感染性腹泻病",
        90,
        "enteric",
        (0.45, 1.5, 40, 18),
        0.54,
        (("临床诊断病例", 0.9), ("确诊病例", 0.1)),
    ),
    Disease(
        "细菌性和阿米巴性痢疾",
        3,
        "summer",
        (0.3, 5, 45, 18),
        0.55,
        (("临床诊断病例", 0.7), ("确诊病例", 0.3)),
    ),
    Disease(
        "肺结核",
        42,
        "flat",
        (0.03, 14, 52, 17),
        0.7,
        (("确诊病例", 0.45), ("临床诊断病例", 0.5), ("疑似病例", 0.05)),
    ),
    Disease("水痘", 55, "winter", (0.85, 8, 25, 8), 0.53, (("临床诊断病例", 0.95), ("确诊病例", 0.05))),
    Disease("流行性腮腺炎", 8, "hfmd", (0.9, 8, 25, 8), 0.6, (("临床诊断病例", 1.0),)),
    Disease("猩红热", 5, "winter", (0.97, 7, 25, 5), 0.56, (("临床诊断病例", 0.8), ("确诊病例", 0.2))),
    Disease("登革热", 0.4, "summer", (0.05, 10, 38, 12), 0.55, (("确诊病例", 0.9), ("疑似病例", 0.1))),
    Disease("霍乱", 0.0, "summer", (0.0, 5, 45, 15), 0.5, (("确诊病例", 1.0),)),
)


@dataclass(frozen=True)
class Outbreak:
    disease: str
    county: str
    start: str
    end: str
    extra: int


OUTBREAKS = (
    Outbreak("其他感染性腹泻病", "990123", "2024-08-19", "2024-08-31", 36),
    Outbreak("水痘", "990103", "2024-11-04", "2024-11-24", 25),
    Outbreak("手足口病", "990122", "2025-05-12", "2025-06-08", 48),
    Outbreak("霍乱", "990121", "2025-07-23", "2025-07-23", 1),
)
YEAR_FACTOR = {2022: 0.92, 2023: 1.05, 2024: 1.0, 2025: 1.03}


def _daily_counts(
    model: RegionModel, rng: np.random.Generator
) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(disease, county, days, counts) — negative-binomial-like weekly noise around a seasonal mean."""
    out = []
    for d in DISEASES:
        if d.rate == 0:
            continue
        for county in DISTRICTS + COUNTIES:
            pop = model.population(county)
            days_all, counts_all = [], []
            for year in IDR_YEARS:
                days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
                w = season_weights(d.season, year)
                lam = d.rate * pop / 1e5 * YEAR_FACTOR[year] * w / w.sum()
                week = (days - days[0]).astype(int) // 7
                noise = rng.gamma(6.0, 1 / 6.0, week.max() + 1)[week]
                days_all.append(days)
                counts_all.append(rng.poisson(lam * noise))
            out.append((d.name, county, np.concatenate(days_all), np.concatenate(counts_all)))
    return out


def _outbreak_days(o: Outbreak, rng: np.random.Generator) -> np.ndarray:
    start, end = np.datetime64(o.start), np.datetime64(o.end)
    span = int((end - start).astype(int))
    if span == 0:
        return np.full(o.extra, start)
    offset = np.rint(rng.triangular(0, span * 0.35, span, o.extra)).astype(int)
    return start + offset


def build_cards(model: RegionModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One row per report card, with the injected outbreak cases flagged."""
    disease, county, onset, outbreak = [], [], [], []
    for name, c, days, counts in _daily_counts(model, rng):
        disease.append(np.full(counts.sum(), name, dtype=object))
        county.append(np.full(counts.sum(), c, dtype=object))
        onset.append(np.repeat(days, counts))
        outbreak.append(np.zeros(counts.sum(), dtype=bool))
    for o in OUTBREAKS:
        disease.append(np.full(o.extra, o.disease, dtype=object))
        county.append(np.full(o.extra, o.county, dtype=object))
        onset.append(_outbreak_days(o, rng))
        outbreak.append(np.ones(o.extra, dtype=bool))
    cards = {
        "disease": np.concatenate(disease),
        "county": np.concatenate(county),
        "onset": np.concatenate(onset),
        "outbreak": np.concatenate(outbreak),
    }
    n = len(cards["onset"])
    age = np.zeros(n)
    male = np.zeros(n, dtype=bool)
    cls = np.empty(n, dtype=object)
    for d in DISEASES:
        m = cards["disease"] == d.name
        k = int(m.sum())
        child = rng.random(k) < d.age[0]
        age[m] = np.where(child, rng.gamma(2.0, d.age[1] / 2.0, k), rng.normal(d.age[2], d.age[3], k))
        male[m] = rng.random(k) < d.male
        cls[m] = np.asarray([c for c, _ in d.classes], dtype=object)[
            rng.choice(len(d.classes), k, p=[p for _, p in d.classes])
        ]
    hfmd_cluster = cards["outbreak"] & (cards["disease"] == "手足口病")
    age[hfmd_cluster] = rng.uniform(1, 6, int(hfmd_cluster.sum()))
    cards["age"] = np.clip(np.floor(age), 0, 95).astype(np.int64)
    cards["male"], cards["class"] = male, cls
    cards["diagnosed"] = cards["onset"] + (rng.geometric(0.5, n) - 1)
    cards["reported"] = cards["diagnosed"] + (rng.random(n) < 0.3).astype(np.int64)
    last = np.datetime64(f"{IDR_YEARS[-1]}-12-31")  # the export ends on 31 Dec
    cards["reported"] = np.minimum(cards["reported"], last)
    cards["diagnosed"] = np.minimum(cards["diagnosed"], cards["reported"])
    births = cards["onset"] - (cards["age"] * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    cards["id_no"] = ids.id_numbers(cards["county"].astype(STR), births, male, rng)
    cards["unit"] = _reporting_units(model, cards["county"], cards["disease"], rng)
    status = np.where(rng.random(n) < 0.01, "未审核", "已审核").astype(object)
    status = np.where(cards["reported"] >= np.datetime64("2025-12-20"), "未审核", status)
    cards["status"] = status
    return _with_deleted(cards, rng)


def _reporting_units(
    model: RegionModel, county: np.ndarray, disease: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    units = np.empty(len(county), dtype=object)
    tertiary = [x.code for x in model.institutions if x.kind in ("T_GEN", "T_UNI", "T_MCH")]
    for c in DISTRICTS + COUNTIES:
        m = county == c
        local = [
            x.code for x in model.institutions if x.region == c and x.kind in ("S_GEN", "P_THC", "P_CHC")
        ]
        lead = [x.code for x in model.institutions if x.region == c and x.kind == "S_GEN"]
        pool = np.asarray(tertiary + lead * 6 + local, dtype=object)
        units[m] = pool[rng.integers(0, len(pool), int(m.sum()))]
    return units


def _with_deleted(cards: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Duplicate reports later 已删除 by the county CDC: extra cards, excluded from counts."""
    n = len(cards["onset"])
    dup = np.flatnonzero((rng.random(n) < 0.015) & ~cards["outbreak"])
    extra = {k: v[dup] for k, v in cards.items()}
    extra["status"] = np.full(len(dup), "已删除", dtype=object)
    extra["reported"] = np.minimum(
        extra["reported"] + rng.integers(0, 3, len(dup)), np.datetime64(f"{IDR_YEARS[-1]}-12-31")
    )
    cards = {k: np.concatenate([cards[k], extra[k]]) for k in cards}
    order = np.lexsort((cards["county"].astype(str), cards["reported"]))
    cards = {k: v[order] for k, v in cards.items()}
    total = len(order)
    ymd = np.char.replace(np.datetime_as_string(cards["reported"]), "-", "")
    serial = np.char.zfill((np.arange(total) + 1).astype(str), 6)
    cards["card"] = np.strings.add(
        np.strings.add(cards["county"].astype(STR), ymd.astype(STR)), serial.astype(STR)
    )
    return cards


def cards_table(cards: dict[str, np.ndarray], idx: np.ndarray, style: Style) -> Table:
    g = {k: v[idx] for k, v in cards.items()}
    return Table(
        {
            "卡片编号": g["card"],
            "疾病名称": g["disease"],
            "病例分类": g["class"],
            "身份证号": g["id_no"],
            "性别": np.where(g["male"], "男", "女"),
            "年龄": g["age"],
            "现住址区划代码": g["county"],
            "报告单位代码": g["unit"],
            "发病日期": fmt_date(g["onset"], style),
            "诊断日期": fmt_date(g["diagnosed"], style),
            "报告日期": fmt_date(g["reported"], style),
            "审核状态": g["status"],
        },
        numeric={"年龄"},
        dates={"发病日期", "诊断日期", "报告日期"},
    )


ALIASES_2025 = {
    "卡片编号": "报告卡编号",
    "疾病名称": "病种",
    "现住址区划代码": "现住地址国标",
    "报告单位代码": "报告单位",
    "报告日期": "填卡日期",
    "审核状态": "卡片状态",
}
BREAKS: list[Break] = [
    swap("report_before_onset", "报告日期", "发病日期", "报告日期 {a} is before 发病日期 {b}"),
    set_value("bad_date", "发病日期", "2023-02-29", "发病日期 {value} is not a date"),
    set_value("unknown_region", "现住址区划代码", "990199", "现住址区划代码 {value} is not a known region"),
    set_value("missing_required", "疾病名称", "", "疾病名称 is empty"),
    set_value("invalid_code", "审核状态", "作废", "审核状态 '{value}' is not 已审核/未审核/已删除"),
    duplicate(),
    key_conflict("年龄", lambda v, rng: str(int(v) + 1 + int(rng.integers(0, 3))), "卡片编号"),
]


def outbreak_manifest(model: RegionModel) -> list[dict]:
    return [
        {
            "disease": o.disease,
            "county": o.county,
            "county_name": model.region_name(o.county),
            "start": o.start,
            "end": o.end,
            "extra_cases": o.extra,
            "date_basis": "发病日期",
            "note": "extra cases on top of the seasonal baseline; deleted cards never include them",
        }
        for o in OUTBREAKS
    ]
