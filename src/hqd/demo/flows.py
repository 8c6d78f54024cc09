"""Where patients live and how they pay — designed so each county's in-county inpatient share is exact."""

from __future__ import annotations

import numpy as np

from hqd.demo.casemix import CASE_TYPES
from hqd.demo.episodes import Episodes
from hqd.demo.region import COUNTIES, DESIGNED_SHARE, DISTRICTS, NEIGHBOUR_RESIDENCES, RegionModel

PAYERS = ("1", "2", "3", "4", "5", "6", "7", "8", "9")
CLAIM_PAYERS = ("1", "2", "3", "4", "6", "8")  # 商业保险, 全自费 and 其他 leave no 医保 settlement
_PAYER_P = {
    "district": (0.48, 0.40, 0.0, 0.01, 0.01, 0.02, 0.03, 0.01, 0.04),
    "county": (0.18, 0.55, 0.16, 0.03, 0.0, 0.01, 0.03, 0.0, 0.04),
    "outside": (0.30, 0.45, 0.0, 0.0, 0.0, 0.0, 0.15, 0.0, 0.10),
}


def _choice(
    rng: np.random.Generator, items: tuple[str, ...] | list[str], p: list[float], n: int
) -> np.ndarray:
    w = np.asarray(p, dtype=float)
    return np.asarray(items, dtype=object)[rng.choice(len(items), n, p=w / w.sum())]


def _county_catchment(ep: Episodes, inst_region: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(inst_region)
    res = inst_region.astype(object).copy()
    u = rng.random(n)
    elsewhere = list(COUNTIES + DISTRICTS)
    for county in COUNTIES:
        m = np.flatnonzero(inst_region == county)
        border = 0.045 if county == "990123" else 0.03
        others = [c for c in elsewhere if c != county]
        res[m[u[m] < 0.015]] = _choice(rng, others, [1] * len(others), int((u[m] < 0.015).sum()))
        nb = m[(u[m] >= 0.015) & (u[m] < 0.015 + border)]
        res[nb] = _choice(rng, list(NEIGHBOUR_RESIDENCES), [1, 2, 3, 1], len(nb))
    return res


def assign_residence(
    ep: Episodes, model: RegionModel, rng: np.random.Generator, designed: bool = True
) -> dict:
    """现住址区划代码 of each episode; returns the per-county design (in-county and out-of-county counts)."""
    inst_region = np.array([i.region for i in model.institutions], dtype=object)[ep["inst"]]
    res = _county_catchment(ep, inst_region, rng)
    city = np.isin(inst_region, DISTRICTS)
    profile = np.array([c.profile for c in CASE_TYPES], dtype=object)[ep["case"]]
    w = np.select(
        [
            np.isin(profile, ("chemo", "surgical", "interventional")),
            np.isin(profile, ("neonatal", "obstetric")),
        ],
        [2.5, 0.5],
        1.0,
    )
    w = w * np.array([1.0, 0.25, 0.02])[ep["level"]]
    report: dict = {}
    for year in np.unique(ep["year"]):
        yr = ep["year"] == year
        pool = np.flatnonzero(city & yr)
        need: dict[str, int] = {}
        for county in COUNTIES:
            inside = int(((inst_region == county) & (res == county) & yr).sum())
            elsewhere = int(((inst_region != county) & ~city & (res == county) & yr).sum())
            share = DESIGNED_SHARE[county][int(year)]
            out = round(inside * (1 - share) / share) if designed else int(inside * 0.15)
            need[county] = max(out - elsewhere, 0)
            report.setdefault(county, {})[int(year)] = {
                "designed": share,
                "in_county": inside,
                "out_of_county": elsewhere + need[county],
            }
        k = sum(need.values())
        keys = np.log(rng.random(len(pool))) / w[pool]
        chosen = pool[np.argpartition(-keys, k - 1)[:k]] if k else pool[:0]
        chosen = rng.permutation(chosen)
        start = 0
        for county, cnt in need.items():
            res[chosen[start : start + cnt]] = county
            start += cnt
        rest = np.setdiff1d(pool, chosen, assume_unique=True)
        u = rng.random(len(rest))
        nb_p = np.where(ep["level"][rest] == 0, 0.08, 0.015)
        own = inst_region[rest]
        other = np.where(own == DISTRICTS[0], DISTRICTS[1], DISTRICTS[0])
        res[rest] = np.where(
            u < nb_p,
            _choice(rng, list(NEIGHBOUR_RESIDENCES), [3, 2, 1, 1], len(rest)),
            np.where(u < nb_p + 0.22, other, own),
        )
    ep["residence"] = res
    return report


def assign_payer(ep: Episodes, rng: np.random.Generator) -> None:
    res = ep["residence"]
    n = len(res)
    kind = np.where(
        np.isin(res, COUNTIES), "county", np.where(np.isin(res, DISTRICTS), "district", "outside")
    )
    payer = np.empty(n, dtype=object)
    for k, p in _PAYER_P.items():
        m = kind == k
        payer[m] = _choice(rng, PAYERS, list(p), int(m.sum()))
    payer = np.where((ep["age"] < 18) & (payer == "1"), "2", payer)
    ep["payer"] = payer


def assign_receivers(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> None:
    """拟接收医疗机构代码: 医嘱转院 goes up a level, 转社区/乡镇卫生院 goes to a health centre where the patient lives."""
    insts = model.institutions
    n = len(ep["inst"])
    recv = np.full(n, "", dtype=object)
    primary: dict[str, list[str]] = {}
    for x in insts:
        if x.kind in ("P_THC", "P_CHC"):
            primary.setdefault(x.region, []).append(x.code)
    down = np.flatnonzero(ep["lyfs"] == "3")
    for i in down:
        options = primary.get(ep["residence"][i])
        if options:
            recv[i] = options[rng.integers(len(options))]
    tertiary = [x.code for x in insts if x.kind in ("T_GEN", "T_UNI")]
    outside = [x.code for x in insts if x.kind == "X_HOSP" and x.level == "三级"]
    county_lead = {x.region: x.code for x in insts if x.kind == "S_GEN" and x.county_hospital}
    inst_region = np.array([x.region for x in insts], dtype=object)[ep["inst"]]
    up = np.flatnonzero(ep["lyfs"] == "2")
    lv = ep["level"][up]
    pick_t = np.asarray(tertiary, dtype=object)[rng.integers(0, len(tertiary), len(up))]
    pick_x = np.asarray(outside, dtype=object)[rng.integers(0, len(outside), len(up))]
    lead = np.array([county_lead.get(r, "") for r in inst_region[up]], dtype=object)
    to_x = rng.random(len(up)) < 0.12
    recv[up] = np.select([lv == 0, (lv == 2) & (lead != ""), to_x], [pick_x, lead, pick_x], pick_t)
    ep["receiver"] = recv
