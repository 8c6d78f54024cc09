"""Inpatient episodes, step one: which hospital, which case type, when, how old, how long — all vectorised."""

from __future__ import annotations

import numpy as np

from hqd.demo.casemix import CASE_TYPES, HOSPITAL_GROUP
from hqd.demo.region import RegionModel

Episodes = dict[str, np.ndarray]

# share of all discharges by hospital kind; within a kind, by beds (primary) or as listed
KIND_SHARE = {"T_GEN": 0.17, "T_UNI": 0.19, "T_TCM": 0.075, "T_MCH": 0.065}
DISTRICT_SECONDARY_SHARE = 0.06
COUNTY_GEN_SHARE, COUNTY_TCM_SHARE = 0.23, 0.085
PRIMARY_SHARE = {"county": 0.10, "district": 0.025}
YEAR_SHARE = {2024: 0.485, 2025: 0.515}
LEVEL = {"T_GEN": 0, "T_UNI": 0, "T_TCM": 0, "T_MCH": 0, "S_GEN": 1, "S_TCM": 1, "P_THC": 2, "P_CHC": 2}
SPRING_FESTIVAL = {2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29"}


def volume_shares(model: RegionModel) -> dict[int, float]:
    """Share of the region's discharges each institution (index into model.institutions) produces."""
    insts = model.institutions
    out: dict[int, float] = {}
    for i, inst in enumerate(insts):
        if inst.kind in KIND_SHARE:
            out[i] = KIND_SHARE[inst.kind]
    for kind, total, county in (
        ("S_GEN", COUNTY_GEN_SHARE, True),
        ("S_TCM", COUNTY_TCM_SHARE, True),
        ("S_GEN", DISTRICT_SECONDARY_SHARE * 0.6, False),
        ("S_TCM", DISTRICT_SECONDARY_SHARE * 0.4, False),
    ):
        idx = [i for i, x in enumerate(insts) if x.kind == kind and x.county_hospital == county and x.in_city]
        beds = np.array([insts[i].beds for i in idx], dtype=float)
        out.update(zip(idx, total * beds / beds.sum(), strict=True))
    for where, total in PRIMARY_SHARE.items():
        idx = [
            i
            for i, x in enumerate(insts)
            if x.kind in ("P_THC", "P_CHC")
            and x.beds > 0
            and (x.region.startswith("99012") == (where == "county"))
        ]
        beds = np.array([insts[i].beds for i in idx], dtype=float)
        out.update(zip(idx, total * beds / beds.sum(), strict=True))
    return out


def split_counts(total: int, shares: np.ndarray) -> np.ndarray:
    """Integer counts summing exactly to total (largest remainder)."""
    raw = shares / shares.sum() * total
    base = np.floor(raw).astype(np.int64)
    rest = total - base.sum()
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def allocate(model: RegionModel, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Institution index and discharge year of each of n episodes, grouped by institution then year."""
    shares = volume_shares(model)
    keys = [(i, y) for i in sorted(shares) for y in YEAR_SHARE]
    counts = split_counts(n, np.array([shares[i] * YEAR_SHARE[y] for i, y in keys]))
    inst = np.repeat(np.array([k[0] for k in keys]), counts)
    year = np.repeat(np.array([k[1] for k in keys]), counts)
    return inst, year


def _case_weights(model: RegionModel, rng: np.random.Generator) -> np.ndarray:
    """Per-institution case-type probabilities, with a small fixed tilt so hospitals differ."""
    w = np.zeros((len(model.institutions), len(CASE_TYPES)))
    for i, inst in enumerate(model.institutions):
        group = HOSPITAL_GROUP.get(inst.kind)
        if group is None:
            continue
        row = np.array([c.weight(group) for c in CASE_TYPES])
        if inst.kind == "T_UNI":
            row *= np.array([1.4 if c.profile in ("chemo", "interventional") else 1.0 for c in CASE_TYPES])
        if inst.kind == "P_CHC":
            row *= np.array([0.1 if c.key == "delivery" else 1.0 for c in CASE_TYPES])
        tilt = np.exp(rng.normal(0, 0.15, len(CASE_TYPES)))
        w[i] = row * tilt / (row * tilt).sum() if row.sum() > 0 else 0
    return w


def season_weights(profile: str, year: int) -> np.ndarray:
    """Relative admission intensity on each day of the year for a seasonal profile."""
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    doy = (days - days[0]).astype(float)

    def bump(peak: float, amp: float) -> np.ndarray:
        return amp * np.cos(2 * np.pi * (doy - peak) / 365.25)

    base = {
        "flat": 1.0,
        "winter": 1 + bump(15, 0.45),
        "flu": np.exp(bump(20, 1.2)),
        "cardio": 1 + bump(15, 0.15),
        "summer": 1 + bump(200, 0.3),
        "hfmd": np.exp(bump(150, 0.9)),
        "birth": 1 + bump(270, 0.08),
        "enteric": 1 + bump(200, 0.3) + bump(15, 0.2),
    }[profile] * np.ones(len(days))
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 0 = Monday
    base = base * np.where(weekday == 6, 0.72, np.where(weekday == 5, 0.85, 1.0))
    festival = np.datetime64(SPRING_FESTIVAL.get(year, f"{year}-02-01"))
    base = base * np.where(np.abs((days - festival).astype(int)) <= 6, 0.65, 1.0)
    return base


def draw_dates(profile_of_case: np.ndarray, year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Discharge date (datetime64[D]) for each episode by its case type's season and its year."""
    out = np.empty(len(year), dtype="datetime64[D]")
    for prof in np.unique(profile_of_case):
        for y in np.unique(year):
            m = (profile_of_case == prof) & (year == y)
            if not m.any():
                continue
            cdf = np.cumsum(season_weights(str(prof), int(y)))
            day = np.searchsorted(cdf / cdf[-1], rng.random(m.sum()))
            out[m] = np.datetime64(f"{int(y)}-01-01") + day
    return out


def _ages(cases: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """年龄 in years and, for infants, 年龄不足1周岁的年龄(天)."""
    n = len(cases)
    years = np.zeros(n)
    days = np.zeros(n, dtype=np.int64)
    for ci, ct in enumerate(CASE_TYPES):
        m = cases == ci
        k = int(m.sum())
        if not k:
            continue
        spec = ct.age
        if spec[0] == "norm":
            years[m] = np.clip(rng.normal(spec[1], spec[2], k), spec[3], spec[4])
        elif spec[0] == "exp":
            years[m] = np.minimum(spec[1] + rng.exponential(spec[2], k), spec[3])
        else:
            years[m] = 0
            days[m] = rng.integers(spec[1], spec[2] + 1, k)
    infant = (years < 1) & (days == 0)
    days[infant] = np.maximum(29, (years[infant] * 365).astype(np.int64))
    age = np.floor(years).astype(np.int64)
    days[age >= 1] = 0
    return age, days


def draw_episodes(model: RegionModel, n: int, rng: np.random.Generator) -> Episodes:
    """The skeleton of n episodes: institution, year, case type, sex, age, stay and admission/discharge times."""
    inst, year = allocate(model, n)
    cw = _case_weights(model, np.random.default_rng(7))  # the hospitals' case mix is part of the region
    case = np.empty(n, dtype=np.int64)
    for i in np.unique(inst):
        m = inst == i
        case[m] = rng.choice(len(CASE_TYPES), int(m.sum()), p=cw[i])
    season = np.array([c.season for c in CASE_TYPES])[case]
    discharge_day = draw_dates(season, year, rng)
    male = rng.random(n) < np.array([c.male for c in CASE_TYPES])[case]
    age, age_days = _ages(case, rng)
    kinds = np.array([x.kind for x in model.institutions])[inst]
    level = np.array([LEVEL.get(k, 2) for k in kinds])
    median = np.array([c.los for c in CASE_TYPES])[case] * np.array([1.0, 0.95, 0.85])[level]
    los = np.clip(np.rint(median * np.exp(rng.normal(0, 0.42, n))), 1, 120).astype(np.int64)
    emerg = rng.random(n) < np.array([c.emerg for c in CASE_TYPES])[case]
    return {
        "inst": inst,
        "year": year,
        "case": case,
        "male": male,
        "age": age,
        "age_days": age_days,
        "level": level,
        "kind": kinds,
        "los": los,
        "emerg": emerg,
        "discharge_day": discharge_day,
    }


def stamp_times(ep: Episodes, rng: np.random.Generator) -> None:
    """Admission and discharge date-times (minute resolution) from the discharge day and the stay."""
    n = len(ep["inst"])
    los = ep["los"]
    same_day = (los == 1) & (ep.get("day_surgery", np.zeros(n, bool)) | (rng.random(n) < 0.15))
    gap = np.where(same_day, 0, los)
    admit_day = ep["discharge_day"] - gap.astype("timedelta64[D]")
    adm_min = np.where(ep["emerg"], rng.integers(0, 1440, n), rng.integers(450, 690, n))
    dis_min = rng.integers(540, 1020, n)
    died = ep.get("died", np.zeros(n, bool))
    dis_min = np.where(died, rng.integers(0, 1440, n), dis_min)
    dis_min = np.where(same_day, np.maximum(dis_min, adm_min + 240), dis_min)
    dis_min = np.minimum(dis_min, 1439)
    adm_min = np.where(same_day, np.minimum(adm_min, dis_min - 60), adm_min)
    ep["admit"] = admit_day.astype("datetime64[m]") + adm_min.astype("timedelta64[m]")
    ep["discharge"] = ep["discharge_day"].astype("datetime64[m]") + dis_min.astype("timedelta64[m]")
