"""双向转诊 records: the transfers the front sheets imply, plus outpatient and examination referrals."""

from __future__ import annotations

import numpy as np

from hqd.demo.base import STR, Table
from hqd.demo.episodes import Episodes
from hqd.demo.formats import Style, fmt_date
from hqd.demo.malform import Break, duplicate, key_conflict, set_value, swap
from hqd.demo.region import COUNTIES, DISTRICTS, RegionModel

STATUS = ("已接收", "拒收", "待接收")


def _rank(kind: str) -> int:
    return 0 if kind.startswith(("T_", "X_")) else 1 if kind.startswith("S_") else 2


def build_referrals(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
    insts = model.institutions
    code = np.array([x.code for x in insts], dtype=object)
    rank_of_code = {x.code: _rank(x.kind) for x in insts}
    parts: list[dict[str, np.ndarray]] = []
    # inpatient transfers written on the front sheet (离院方式 2/3 with a receiving institution)
    m = np.flatnonzero(np.isin(ep["lyfs"], ("2", "3")) & (ep["receiver"] != ""))
    src = code[ep["inst"][m]]
    dst = ep["receiver"][m]
    r_src = np.array([rank_of_code[c] for c in src])
    r_dst = np.array([rank_of_code[c] for c in dst])
    parts.append(
        {
            "person": ep["id_no"][m],
            "from": src,
            "to": dst,
            "dir": np.select([r_dst < r_src, r_dst > r_src], ["上转", "下转"], "平转").astype(object),
            "cat": np.full(len(m), "住院", dtype=object),
            "day": ep["discharge"][m].astype("datetime64[D]"),
            "dx": ep["dx"][m],
        }
    )
    # admissions that came in from another institution (入院途径 = 3): the sender is where the patient lives
    senders: dict[str, list[str]] = {}
    for x in insts:
        if x.in_city and x.kind in ("S_GEN", "P_THC", "P_CHC", "S_TCM"):
            senders.setdefault(x.region, []).append(x.code)
    m = np.flatnonzero((ep["route"] == "3") & np.isin(ep["residence"], COUNTIES + DISTRICTS))
    pick = np.array([senders[r][rng.integers(len(senders[r]))] for r in ep["residence"][m]], dtype=object)
    to = code[ep["inst"][m]]
    ok = pick != to
    m, pick, to = m[ok], pick[ok], to[ok]
    parts.append(
        {
            "person": ep["id_no"][m],
            "from": pick,
            "to": to,
            "dir": np.where(
                np.array([rank_of_code[c] for c in pick]) > ep["level"][m], "上转", "平转"
            ).astype(object),
            "cat": np.full(len(m), "住院", dtype=object),
            "day": ep["admit"][m].astype("datetime64[D]") - rng.integers(0, 2, len(m)),
            "dx": ep["dx"][m],
        }
    )
    parts.append(_outpatient(ep, model, rng))
    refs = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.argsort(refs["day"], kind="stable")
    refs = {k: v[order] for k, v in refs.items()}
    n = len(order)
    last = np.datetime64("2025-12-31")
    recent = refs["day"] > last - 10
    status = np.asarray(STATUS, dtype=object)[rng.choice(3, n, p=[0.93, 0.025, 0.045])]
    status = np.where(recent & (rng.random(n) < 0.6), "待接收", status)
    refs["status"] = status
    lag = rng.geometric(0.6, n) - 1
    refs["received"] = np.where(status == "已接收", refs["day"] + lag, np.datetime64("NaT"))
    ymd = np.char.replace(np.datetime_as_string(refs["day"]), "-", "")
    refs["id"] = np.strings.add(
        np.strings.add("ZZ", ymd.astype(STR)), np.char.zfill((np.arange(n) + 1).astype(str), 6).astype(STR)
    )
    return refs


def _outpatient(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """门诊/检查 referrals: 基层 → county hospital or tertiary, and tertiary → 社区 for follow-up."""
    insts = model.institutions
    n = max(40, int(0.06 * len(ep["inst"])))
    who = rng.integers(0, len(ep["inst"]), n)
    res = ep["residence"][who]
    in_city = np.isin(res, COUNTIES + DISTRICTS)
    who, res = who[in_city], res[in_city]
    n = len(who)
    prim = {
        r: [x.code for x in insts if x.region == r and x.kind in ("P_THC", "P_CHC")]
        for r in COUNTIES + DISTRICTS
    }
    lead = {x.region: x.code for x in insts if x.kind == "S_GEN" and x.county_hospital}
    tert = [x.code for x in insts if x.kind in ("T_GEN", "T_UNI", "T_MCH")]
    outside = [x.code for x in insts if x.kind == "X_HOSP" and x.level == "三级"]
    year = np.where(rng.random(n) < 0.46, 2024, 2025)
    day = np.array([np.datetime64("2024-01-01"), np.datetime64("2025-01-01")])[year - 2024] + rng.integers(
        0, 365, n
    )
    base = np.array([prim[r][rng.integers(len(prim[r]))] for r in res], dtype=object)
    higher = np.array([lead.get(r) or tert[rng.integers(len(tert))] for r in res], dtype=object)
    higher = np.where(
        rng.random(n) < 0.3, np.asarray(tert, dtype=object)[rng.integers(0, len(tert), n)], higher
    )
    u = rng.random(n)
    down = u < np.where(year == 2025, 0.27, 0.22)
    lateral = u > 0.97
    src = np.where(down, higher, base)
    dst = np.where(down, base, higher)
    dst = np.where(lateral, np.asarray(outside, dtype=object)[rng.integers(0, len(outside), n)], dst)
    src = np.where(lateral, np.asarray(tert, dtype=object)[rng.integers(0, len(tert), n)], src)
    direction = np.select([lateral, down], ["平转", "下转"], "上转").astype(object)
    cat = np.where(rng.random(n) < 0.3, "检查", "门诊").astype(object)
    dx = np.asarray(
        ["I10.x00", "E11.900", "I25.103", "J44.900", "K29.500", "M17.900", "I63.900", "N18.900"], dtype=object
    )[rng.integers(0, 8, n)]
    return {
        "person": ep["id_no"][who],
        "from": src,
        "to": dst,
        "dir": direction,
        "cat": cat,
        "day": day,
        "dx": dx,
    }


def referral_table(refs: dict[str, np.ndarray], idx: np.ndarray, style: Style) -> Table:
    g = {k: v[idx] for k, v in refs.items()}
    return Table(
        {
            "转诊单号": g["id"],
            "身份证号": g["person"],
            "转出机构代码": g["from"],
            "转入机构代码": g["to"],
            "转诊方向": g["dir"],
            "转诊类别": g["cat"],
            "转诊日期": fmt_date(g["day"], style),
            "接收状态": g["status"],
            "接收日期": fmt_date(g["received"], style),
            "诊断编码": g["dx"],
        },
        dates={"转诊日期", "接收日期"},
    )


BREAKS: list[Break] = [
    swap("received_before_referral", "接收日期", "转诊日期", "接收日期 {a} is before 转诊日期 {b}"),
    set_value("invalid_code", "转诊方向", "上传", "转诊方向 '{value}' is not 上转/下转/平转"),
    set_value("missing_required", "转出机构代码", "", "转出机构代码 is empty"),
    set_value("bad_date", "转诊日期", "2025-02-29", "转诊日期 {value} is not a date"),
    duplicate(),
    key_conflict("接收状态", lambda v, rng: "拒收" if v != "拒收" else "已接收", "转诊单号"),
]
