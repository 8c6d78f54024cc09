"""Inpatient episodes, step two: diagnoses, procedures, complications, DRG, outcome — coherent with each other."""

from __future__ import annotations

import numpy as np

from hqd.demo import drg
from hqd.demo.casemix import (
    CASE_TYPES,
    CHEMO_TUMOURS,
    COMPLICATIONS,
    EXTERNAL_CAUSES,
    EXTRA_DIAGNOSTICS,
    POOLS,
)
from hqd.demo.codes import ICD9
from hqd.demo.episodes import Episodes

DX_SLOTS, PROC_SLOTS = 10, 7
# 切口等级 (interface codes: 1 = 0类, 2 = Ⅰ类, 3 = Ⅱ类, 4 = Ⅲ类) for 手术 codes; default Ⅰ类
INCISION = {
    "28.2x00": 3,
    "28.3x00": 3,
    "32.4100": 3,
    "43.7x00": 3,
    "45.7300": 3,
    "48.6300": 3,
    "17.3300": 3,
    "51.2200": 3,
    "51.2300": 3,
    "47.0100": 3,
    "47.0900": 3,
    "74.1x00": 3,
    "66.6200": 3,
    "68.4100": 3,
    "68.2900": 3,
    "73.6x00": 3,
    "75.6900": 3,
    "55.0400": 3,
    "56.0x00": 1,
    "60.2900": 1,
    "86.2200": 4,
}
ANAESTHESIA = {
    "74.1x00": "椎管内麻醉",
    "60.2900": "椎管内麻醉",
    "53.0400": "椎管内麻醉",
    "13.4100": "表面麻醉",
    "13.7000": "表面麻醉",
    "73.6x00": "局部麻醉",
    "75.6900": "局部麻醉",
    "79.3200": "神经阻滞麻醉",
    "86.2200": "局部麻醉",
    "81.5200": "椎管内麻醉",
}
HEAL_P = {1: (0.995, 0.004, 0.001), 2: (0.989, 0.006, 0.005), 3: (0.965, 0.022, 0.013), 4: (0.88, 0.07, 0.05)}


def _pick(rng: np.random.Generator, n: int, items: list, weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(items, dtype=object)[rng.choice(len(items), n, p=w / w.sum())]


def principal(ep: Episodes, rng: np.random.Generator) -> None:
    n = len(ep["case"])
    dx = np.empty(n, dtype=object)
    med = np.empty(n, dtype=object)
    pkg = np.full(n, -1)
    for ci, ct in enumerate(CASE_TYPES):
        m = np.flatnonzero(ep["case"] == ci)
        if not len(m):
            continue
        j = rng.choice(len(ct.dx), len(m), p=np.array([d[1] for d in ct.dx]))
        dx[m] = np.array([d[0] for d in ct.dx], dtype=object)[j]
        med[m] = np.array([d[2] for d in ct.dx], dtype=object)[j]
        if ct.packages:
            probs = np.array([[p[1], p[2], p[3]] for p in ct.packages])  # package x level
            tcm = np.isin(ep["kind"][m], ("T_TCM", "S_TCM"))
            pr = probs[:, ep["level"][m]].T * np.where(tcm, 0.6, 1.0)[:, None]
            cum = np.cumsum(pr, axis=1)
            u = rng.random(len(m))
            choice = (u[:, None] >= cum).sum(axis=1)
            pkg[m] = np.where(choice < len(ct.packages), choice, -1)
    ep["dx"], ep["adrg_med"], ep["pkg"] = dx, med, pkg


def procedures(ep: Episodes, rng: np.random.Generator) -> None:
    n = len(ep["case"])
    procs = np.full((n, PROC_SLOTS), "", dtype=object)
    adrg = ep["adrg_med"].copy()
    for ci, ct in enumerate(CASE_TYPES):
        for pi, (codes, *_rest, surg_adrg) in enumerate(ct.packages):
            m = (ep["case"] == ci) & (ep["pkg"] == pi)
            for s, code in enumerate(codes):
                procs[m, s] = code
            if surg_adrg:
                adrg[m] = surg_adrg
    used = (procs != "").sum(axis=1)
    surgical = np.array(
        [[c != "" and ICD9[c][1] in ("手术", "介入治疗") for c in row] for row in procs[:, :2]]
    )
    is_surg = surgical.any(axis=1)
    transfuse = (is_surg & (ep["level"] == 0) & (rng.random(n) < 0.06)) | (
        (ep["dx"] == "K92.200") & (rng.random(n) < 0.25)
    )
    transfuse &= ~(procs == "99.0400").any(axis=1)
    for extra, mask in (
        ("99.0400", transfuse),
        ("", rng.random(n) < np.array([0.35, 0.25, 0.1])[ep["level"]]),
        ("", rng.random(n) < 0.08),
    ):
        slot = np.minimum(used, PROC_SLOTS - 1)
        codes = np.full(n, extra, dtype=object) if extra else _pick(rng, n, list(EXTRA_DIAGNOSTICS), [1] * 5)
        ok = mask & (used < PROC_SLOTS) & (ep["level"] < 2 if not extra else True)
        ok &= ~(procs == codes[:, None]).any(axis=1)
        procs[ok, slot[ok]] = codes[ok]
        used = used + ok
    ep["procs"], ep["adrg"], ep["surgical"], ep["transfused"] = (
        procs,
        adrg,
        is_surg,
        (procs == "99.0400").any(1),
    )
    ct_day = np.array([c.day_surgery for c in CASE_TYPES])[ep["case"]]
    ds = ct_day & is_surg & (rng.random(n) < np.array([0.45, 0.25, 0.0])[ep["level"]])
    ep["day_surgery"] = ds
    ep["los"] = np.where(ds, 1, ep["los"])


def other_diagnoses(ep: Episodes, rng: np.random.Generator) -> None:
    """其他诊断 with 入院病情, post-operative complications (入院病情 = 4) and the severity they imply."""
    n = len(ep["case"])
    dx = np.full((n, DX_SLOTS), "", dtype=object)
    poa = np.full((n, DX_SLOTS), "", dtype=object)
    cc = np.zeros(n, dtype=np.int64)
    age = ep["age"]
    lam = np.select([age < 1, age < 18, age < 50, age < 70], [0.6, 0.3, 0.8, 2.0], 3.1) + 0.4 * (
        ep["level"] == 0
    )
    k = np.minimum(rng.poisson(lam), DX_SLOTS - 3)
    pool_of = np.array([c.pool for c in CASE_TYPES], dtype=object)[ep["case"]]
    for name, pool in POOLS.items():
        m = np.flatnonzero(pool_of == name)
        if not len(m):
            continue
        codes = [p[0] for p in pool]
        level = dict((p[0], p[2]) for p in pool)
        w = np.array([p[1] for p in pool])
        draws = np.array(codes, dtype=object)[rng.choice(len(codes), (len(m), DX_SLOTS - 3), p=w / w.sum())]
        for s in range(DX_SLOTS - 3):
            take = (s < k[m]) & ~(dx[m] == draws[:, s][:, None]).any(axis=1)
            rows = m[take]
            slot = (dx[rows] != "").sum(axis=1)
            dx[rows, slot] = draws[take, s]
            cc[rows] = np.maximum(cc[rows], np.array([level[c] for c in draws[take, s]], dtype=np.int64))
    # the tumour behind a 化疗/放疗 admission
    onco = np.isin(ep["dx"], ("Z51.100", "Z51.000"))
    tum = _pick(rng, n, list(CHEMO_TUMOURS), [3, 1.5, 1.5, 1, 2, 1, 0.8, 0.6])
    tum = np.where(ep["male"] & np.isin(tum, ("C50.900", "C53.900")), "C34.900", tum)
    tum = np.where(~ep["male"] & (tum == "C61.x00"), "C18.900", tum)
    _insert(dx, onco, tum)
    ep["tumour"] = np.where(onco, tum, "")
    # complications after surgery (not obstetric or neonatal)
    obst = np.array([d[0] in "OP" for d in ep["dx"]])
    level4 = np.array([any(c and ICD9[c][2] == 4 for c in row) for row in ep["procs"][:, :2]])
    p = (
        0.011
        * np.where(level4, 2.2, 1.0)
        * np.where(age >= 70, 1.5, 1.0)
        * np.where(ep["level"] == 0, 1.1, 0.8)
    )
    comp = ep["surgical"] & ~obst & (rng.random(n) < p)
    comp_code = _pick(rng, n, [c for c, _ in COMPLICATIONS], [w for _, w in COMPLICATIONS])
    thyroid = (ep["procs"][:, 0] == "06.4x00") & (rng.random(n) < 0.05)
    joint = np.isin(ep["procs"][:, 0], ("81.5100", "81.5400")) & (rng.random(n) < 0.004)
    comp_code = np.where(thyroid, "E89.000", np.where(joint, "T84.500", comp_code))
    comp |= thyroid | joint
    comp_code = np.where(comp, comp_code, "")
    slot = _insert(dx, comp, comp_code)
    ep["complication"] = comp_code
    cc = np.where(comp, 2, cc)
    # hospital-acquired pneumonia in medical stroke / fracture patients: 入院病情 = 4 but not a surgical case
    hap = np.isin(ep["dx"], ("I63.900", "I63.500", "S72.000")) & ~ep["surgical"] & (rng.random(n) < 0.02)
    hap &= ~(dx == "J18.900").any(axis=1)
    hslot = _insert(dx, hap, np.full(n, "J18.900", dtype=object))
    filled = dx != ""
    poa[filled] = _pick(rng, int(filled.sum()), ["1", "2", "3"], [0.92, 0.04, 0.04])
    poa[comp, slot[comp]] = "4"
    poa[hap, hslot[hap]] = "4"
    ep["other_dx"], ep["other_poa"] = dx, poa
    ep["main_poa"] = _pick(rng, n, ["1", "2", "3"], [0.95, 0.04, 0.01])
    ep["severity"] = np.select([cc == 2, cc == 1], [1, 3], 5)
    ep["drg"] = drg.group_codes(ep["adrg"], ep["severity"])


def _insert(dx: np.ndarray, mask: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Put codes into the first free diagnosis slot of the masked rows; returns the slot used."""
    slot = np.minimum((dx != "").sum(axis=1), dx.shape[1] - 1)
    dx[mask, slot[mask]] = codes[mask]
    return slot


def outcome(ep: Episodes, rng: np.random.Generator) -> None:
    """Death, 离院方式 and 拟接收医疗机构, 入院途径, ICU days and the 31-day readmission plan."""
    n = len(ep["case"])
    mort = np.array([c.mort for c in CASE_TYPES])[ep["case"]]
    p = mort * np.array([1.0, 0.9, 0.6])[ep["level"]] * np.where(ep["age"] >= 80, 1.8, 1.0)
    p = p * np.where(ep["severity"] == 1, 2.5, 1.0)
    p = np.where(np.isin(ep["drg"], list(drg.LOW_RISK)), 0.0002, p)
    died = rng.random(n) < np.minimum(p, 0.6)
    ep["died"] = died
    ep["los"] = np.where(died, np.maximum(1, (ep["los"] * 0.7).astype(np.int64)), ep["los"])
    severe = np.isin(
        [c.key for c in CASE_TYPES],
        [
            "ami",
            "ich",
            "stroke",
            "sepsis",
            "tbi",
            "lung_ca",
            "gastric_ca",
            "crc",
            "liver_ca",
            "nrds",
            "preterm_lbw",
            "hip_fx",
        ],
    )[ep["case"]]
    rehab = np.isin(
        [c.key for c in CASE_TYPES], ["stroke", "hip_fx", "stroke_rehab", "ich", "copd", "knee_oa"]
    )[ep["case"]]
    up = np.select([ep["level"] == 2, ep["level"] == 1], [0.03 + 0.1 * severe, 0.005 + 0.05 * severe], 0.004)
    down = np.select([ep["level"] == 0, ep["level"] == 1], [0.02 + 0.1 * rehab, 0.01 + 0.05 * rehab], 0.0)
    down = down * np.where(ep["year"] == 2025, 1.1, 1.0)  # the tiered-care push: more 下转 each year
    u = rng.random(n)
    lyfs = np.select(
        [died, u < up, u < up + down, u < up + down + 0.025, u < up + down + 0.03],
        ["5", "2", "3", "4", "9"],
        "1",
    )
    ep["lyfs"] = lyfs
    route = np.where(ep["emerg"], "1", "2")
    transfer_in = (ep["level"] < 2) & (rng.random(n) < np.where(ep["level"] == 0, 0.04, 0.02))
    ep["route"] = np.where(transfer_in, "3", np.where(rng.random(n) < 0.003, "9", route))
    icu_p = np.where(severe, 0.25, 0.01) * np.array([1.0, 0.5, 0.0])[ep["level"]]
    icu = rng.random(n) < np.where(died, 0.5, icu_p)
    ep["icu_days"] = np.where(icu, np.minimum(ep["los"], rng.integers(1, 8, n)), 0)
    plan = np.where(np.isin(ep["dx"], ("Z51.100", "Z51.000")), rng.random(n) < 0.9, rng.random(n) < 0.02)
    ep["readmit_plan"] = np.where(plan, "2", "1")
    injury = np.array([c.injury for c in CASE_TYPES])[ep["case"]]
    ext = np.where(
        ep["age"] >= 60,
        _pick(rng, n, list(EXTERNAL_CAUSES), [4, 4, 1, 1, 1]),
        _pick(rng, n, list(EXTERNAL_CAUSES), [1, 2, 4, 2, 1]),
    )
    ep["external"] = np.where(injury, ext, "")
    path = np.array([c.pathology or "" for c in CASE_TYPES], dtype=object)[ep["case"]]
    ep["pathology"] = np.where((path != "") & (ep["pkg"] >= 0), path, "")


def surgery_details(ep: Episodes, rng: np.random.Generator) -> None:
    """Per procedure slot: entered 手术级别, 切口等级, 切口愈合类别, 麻醉方式 and the date-time."""
    procs = ep["procs"]
    n = len(procs)
    shape = procs.shape
    level = np.full(shape, "", dtype=object)
    incision = np.full(shape, "", dtype=object)
    heal = np.full(shape, "", dtype=object)
    anaes = np.full(shape, "", dtype=object)
    when = np.full(shape, np.datetime64("NaT"), dtype="datetime64[m]")
    ssi = np.isin(ep["complication"], ("T81.400", "T84.500"))
    span = (ep["discharge"] - ep["admit"]).astype(np.int64)
    for s in range(shape[1]):
        col = procs[:, s]
        has = col != ""
        if not has.any():
            continue
        cat = np.array([ICD9[c][1] if c else "" for c in col], dtype=object)
        lv = np.array([ICD9[c][2] or 0 if c else 0 for c in col])
        surg = np.isin(cat, ("手术", "介入治疗"))
        drift = surg & (rng.random(n) < 0.04)
        entered = np.clip(lv + np.where(drift, rng.choice([-1, 1], n), 0), 1, 4)
        level[surg, s] = entered[surg].astype(str).astype(object)
        op = cat == "手术"
        inc = np.array([INCISION.get(c, 2) for c in col])
        inc = np.where((col == "47.0100") | (col == "47.0900"), np.where(ep["dx"] == "K35.300", 4, 3), inc)
        incision[op, s] = inc[op].astype(str).astype(object)
        u = rng.random(n)
        h = np.select(
            [
                u < np.array([HEAL_P[i][0] for i in inc]),
                u < np.array([HEAL_P[i][0] + HEAL_P[i][1] for i in inc]),
            ],
            ["1", "2"],
            "3",
        )
        h = np.where(ssi & (s == 0), "3", h)
        heal[op, s] = h[op]
        an = np.array([ANAESTHESIA.get(c, "全身麻醉") for c in col], dtype=object)
        anaes[op, s] = an[op]
        anaes[(cat == "介入治疗") & has, s] = "局部麻醉"
        frac = np.where(s == 0, rng.uniform(0.05, 0.45, n), rng.uniform(0.0, 0.9, n))
        rough = ep["admit"] + (frac * span).astype("timedelta64[m]")
        daytime = rough.astype("datetime64[D]") + rng.integers(480, 1080, n).astype("timedelta64[m]")
        daytime = np.minimum(np.maximum(daytime, ep["admit"]), ep["discharge"])
        when[has, s] = daytime[has]
    ep["proc_level"], ep["incision"], ep["heal"], ep["anaesthesia"], ep["proc_time"] = (
        level,
        incision,
        heal,
        anaes,
        when,
    )
