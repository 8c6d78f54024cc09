"""五大中心 registry cases with realistic timestamps (D2W, DNT, DIDO, ISS …) and some left blank."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from hqd.demo.base import Table
from hqd.demo.formats import Style, fmt_datetime, fmt_int
from hqd.demo.malform import Break, duplicate, key_conflict, set_value
from hqd.demo.region import RegionModel

TIMES = (
    "发病时间",
    "首次医疗接触时间",
    "到达医院时间",
    "首份心电图时间",
    "导丝通过时间",
    "溶栓开始时间",
    "头颅影像完成时间",
    "股动脉穿刺时间",
    "急诊手术开始时间",
    "转出时间",
    "出院时间",
)
CENTRES = ("胸痛", "卒中", "创伤", "危重孕产妇", "危重新生儿")
# (centre, hospital name, cases per year at the default scale, capability: "pci" / "basic")
VOLUMES = (
    ("胸痛", "示例医科大学附属医院", 650, "pci"),
    ("胸痛", "示例市人民医院", 520, "pci"),
    ("胸痛", "东山县人民医院", 180, "basic"),
    ("胸痛", "西河县人民医院", 140, "basic"),
    ("卒中", "示例医科大学附属医院", 800, "pci"),
    ("卒中", "示例市人民医院", 700, "pci"),
    ("卒中", "东山县人民医院", 260, "basic"),
    ("创伤", "示例市人民医院", 450, "pci"),
    ("创伤", "示例医科大学附属医院", 300, "pci"),
    ("危重孕产妇", "示例市妇幼保健院", 160, "pci"),
    ("危重孕产妇", "示例市人民医院", 60, "pci"),
    ("危重新生儿", "示例市妇幼保健院", 420, "pci"),
    ("危重新生儿", "示例医科大学附属医院", 120, "pci"),
)
NAT = np.datetime64("NaT", "s")


def _ln(rng: np.random.Generator, median_min: float | np.ndarray, sigma: float, n: int) -> np.ndarray:
    return (np.exp(rng.normal(np.log(median_min), sigma, n)) * 60).astype("timedelta64[s]")


def _cases(centre: str, cap: str, n: int, year: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    door = np.datetime64(f"{year}-01-01T00:00:00") + rng.integers(0, 365 * 86400, n).astype("timedelta64[s]")
    t = {k: np.full(n, NAT) for k in TIMES}
    t["到达医院时间"] = door
    ways = {
        "胸痛": (0.5, 0.3, 0.15, 0.05),
        "卒中": (0.55, 0.33, 0.1, 0.02),
        "创伤": (0.2, 0.6, 0.2, 0.0),
        "危重孕产妇": (0.4, 0.15, 0.45, 0.0),
        "危重新生儿": (0.0, 0.05, 0.4, 0.55),
    }[centre]
    way = np.asarray(["自行来院", "120", "转院", "院内发病"], dtype=object)[rng.choice(4, n, p=ways)]
    onset_gap = {
        "胸痛": (150, 0.8),
        "卒中": (180, 1.0),
        "创伤": (55, 0.6),
        "危重孕产妇": (300, 0.9),
        "危重新生儿": (200, 1.0),
    }[centre]
    t["发病时间"] = door - np.where(way == "院内发病", _ln(rng, 5, 0.3, n), _ln(rng, *onset_gap, n))
    fmc = np.select(
        [way == "120", way == "转院", way == "自行来院"],
        [door - _ln(rng, 35, 0.3, n), door - _ln(rng, 120, 0.35, n), door + _ln(rng, 3, 0.4, n)],
        t["发病时间"] + _ln(rng, 3, 0.3, n),
    )
    t["首次医疗接触时间"] = np.maximum(fmc, t["发病时间"] + np.timedelta64(60, "s"))
    iss = np.zeros(n, dtype=np.int64)
    died_p = np.full(n, 0.005)
    transfer = np.zeros(n, dtype=bool)
    if centre == "胸痛":
        dx = np.asarray(["STEMI", "NSTEMI", "UA", "主动脉夹层", "肺栓塞"], dtype=object)[
            rng.choice(5, n, p=[0.32, 0.27, 0.31, 0.05, 0.05])
        ]
        t["首份心电图时间"] = np.maximum(door, t["首次医疗接触时间"]) + _ln(rng, 6, 0.5, n)
        stemi = dx == "STEMI"
        if cap == "pci":
            pci = stemi & (rng.random(n) < 0.86)
            d2w = _ln(rng, np.where(way == "转院", 62.0, 80.0), 0.35, n)
            late = (dx == "NSTEMI") & (rng.random(n) < 0.3)
            wire = door + np.where(late, _ln(rng, 18 * 60, 0.5, n), d2w)
            puncture = np.maximum(wire - _ln(rng, 14, 0.3, n), door + np.timedelta64(60, "s"))
            t["导丝通过时间"] = np.where(pci | late, wire, NAT)
            t["股动脉穿刺时间"] = np.where(pci | late, np.minimum(puncture, wire), NAT)
            surg = (dx == "主动脉夹层") & (rng.random(n) < 0.4)
            t["急诊手术开始时间"] = np.where(surg, door + _ln(rng, 240, 0.4, n), NAT)
        else:
            lysis = stemi & (rng.random(n) < 0.45)
            t["溶栓开始时间"] = np.where(lysis, door + _ln(rng, 32, 0.4, n), NAT)
            transfer = (stemi | (dx == "主动脉夹层")) & (rng.random(n) < 0.7)
            dido = np.where(lysis, _ln(rng, 75, 0.4, n), _ln(rng, 48, 0.45, n))
            t["转出时间"] = np.where(transfer, door + dido, NAT)
        died_p = np.select([stemi, dx == "主动脉夹层", dx == "肺栓塞"], [0.045, 0.1, 0.05], 0.004)
    elif centre == "卒中":
        dx = np.asarray(["缺血性卒中", "出血性卒中", "TIA"], dtype=object)[
            rng.choice(3, n, p=[0.72, 0.18, 0.1])
        ]
        t["头颅影像完成时间"] = door + _ln(rng, 22, 0.5, n)
        window = (door - t["发病时间"]) < np.timedelta64(4 * 3600, "s")
        lysis = (dx == "缺血性卒中") & window & (rng.random(n) < 0.45)
        dnt = {"pci": 46.0, "basic": 58.0}[cap]
        t["溶栓开始时间"] = np.where(lysis, door + _ln(rng, dnt, 0.4, n), NAT)
        evt = (dx == "缺血性卒中") & (rng.random(n) < (0.12 if cap == "pci" else 0.0))
        t["股动脉穿刺时间"] = np.where(evt, door + _ln(rng, 95, 0.35, n), NAT)
        surg = (dx == "出血性卒中") & (rng.random(n) < (0.2 if cap == "pci" else 0.05))
        t["急诊手术开始时间"] = np.where(surg, door + _ln(rng, 180, 0.4, n), NAT)
        if cap == "basic":
            transfer = (dx != "TIA") & (rng.random(n) < 0.1)
            t["转出时间"] = np.where(transfer, door + _ln(rng, 80, 0.4, n), NAT)
        died_p = np.select([dx == "出血性卒中", dx == "缺血性卒中"], [0.1, 0.02], 0.0)
    elif centre == "创伤":
        dx = np.full(n, "严重创伤", dtype=object)
        ais = rng.choice(6, (n, 3), p=[0.05, 0.15, 0.33, 0.3, 0.13, 0.04])
        iss = np.maximum((ais**2).sum(axis=1), 9)
        t["头颅影像完成时间"] = door + _ln(rng, 25, 0.5, n)
        surg = rng.random(n) < 0.35
        t["急诊手术开始时间"] = np.where(surg, door + _ln(rng, 100, 0.45, n), NAT)
        died_p = np.select([iss >= 41, iss >= 25, iss >= 16], [0.5, 0.2, 0.06], 0.01)
    elif centre == "危重孕产妇":
        dx = np.full(n, "危重孕产妇", dtype=object)
        surg = rng.random(n) < 0.55
        t["急诊手术开始时间"] = np.where(surg, door + _ln(rng, 45, 0.5, n), NAT)
        died_p = np.full(n, 0.004)
        transfer = rng.random(n) < 0.003
    else:
        dx = np.full(n, "危重新生儿", dtype=object)
        died_p = np.full(n, 0.025)
        transfer = rng.random(n) < 0.01
    died = ~transfer & (rng.random(n) < died_p)
    outcome = np.select([transfer, died], ["转院", "死亡"], "存活").astype(object)
    t["转出时间"] = np.where(transfer & np.isnat(t["转出时间"]), door + _ln(rng, 90, 0.5, n), t["转出时间"])
    stay = np.where(died, _ln(rng, 2 * 1440, 1.0, n), _ln(rng, 8 * 1440, 0.4, n))
    last = np.nanmax(np.stack([v.astype("datetime64[s]").astype(np.int64) for v in t.values()]), axis=0)
    t["出院时间"] = np.where(transfer, t["转出时间"], last.astype("datetime64[s]") + stay)
    # some timestamps were never recorded
    for k in ("发病时间", "首次医疗接触时间", "首份心电图时间", "头颅影像完成时间"):
        t[k] = np.where(rng.random(n) < 0.04, NAT, t[k])
    return {"dx": dx, "way": way, "iss": iss, "outcome": outcome, **t}


def build_centre_cases(model: RegionModel, scale: float, rng: np.random.Generator) -> dict[str, Table]:
    style = Style()
    sheets: dict[str, Table] = {}
    for centre in CENTRES:
        cols: dict[str, list] = {}
        for c, hospital, volume, cap in VOLUMES:
            if c != centre:
                continue
            inst = model.by_name(hospital)
            for year in (2024, 2025):
                n = max(20, round(volume * scale * (1.0 if year == 2024 else 1.08)))
                cases = _cases(centre, cap, n, year, rng)
                order = np.argsort(cases["到达医院时间"])
                cases = {k: v[order] for k, v in cases.items()}
                block = {
                    "中心类型": np.full(n, centre, dtype=object),
                    "机构代码": np.full(n, inst.code, dtype=object),
                    "病例编号": np.asarray(
                        [f"{centre[:1]}{year}{i + 1:05d}" for i in range(n)], dtype=object
                    ),
                    "诊断分类": cases["dx"],
                    "来院方式": cases["way"],
                }
                for k in TIMES:
                    block[k] = fmt_datetime(
                        cases[k].astype("datetime64[m]"), style, seconds=rng.integers(0, 60, n)
                    )
                block["损伤严重度评分"] = np.where(cases["iss"] > 0, fmt_int(cases["iss"]), "")
                block["结局"] = cases["outcome"]
                for k, v in block.items():
                    cols.setdefault(k, []).append(np.asarray(v))
        order_cols = (
            "中心类型",
            "机构代码",
            "病例编号",
            "诊断分类",
            "来院方式",
            *TIMES[:-1],
            "损伤严重度评分",
            "结局",
            "出院时间",
        )
        sheets[centre] = Table(
            {k: np.concatenate(cols[k]) for k in order_cols}, numeric={"损伤严重度评分"}, dates=set(TIMES)
        )
    return sheets


def _before_door(row: dict[str, str], rng: np.random.Generator) -> tuple[dict[str, str], str] | None:
    door = row.get("到达医院时间", "")
    for col in (
        "首份心电图时间",
        "头颅影像完成时间",
        "导丝通过时间",
        "溶栓开始时间",
        "急诊手术开始时间",
        "出院时间",
    ):
        if row.get(col) and door:
            when = datetime.strptime(door, "%Y-%m-%d %H:%M:%S") - timedelta(minutes=int(rng.integers(8, 40)))
            new = dict(row)
            new[col] = when.strftime("%Y-%m-%d %H:%M:%S")
            return new, f"{col} {new[col]} is before 到达医院时间 {door}"
    return None


BREAKS: list[Break] = [
    Break("time_before_door", "到达医院时间", _before_door),
    set_value("bad_date", "到达医院时间", "2024-02-30 10:15:00", "到达医院时间 {value} is not a date-time"),
    set_value("invalid_code", "中心类型", "心衰", "中心类型 '{value}' is not one of the five centres"),
    set_value("missing_required", "到达医院时间", "", "到达医院时间 is empty"),
    duplicate(),
    key_conflict("结局", lambda v, rng: "其他" if v != "其他" else "存活", "机构代码+中心类型+病例编号"),
]
