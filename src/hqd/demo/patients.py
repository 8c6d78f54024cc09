"""People behind the episodes: readmissions of the same person, 身份证号, names, 病案号 and 住院次数."""

from __future__ import annotations

import numpy as np

from hqd.demo import ids
from hqd.demo.base import STR
from hqd.demo.episodes import Episodes
from hqd.demo.region import COUNTIES, DISTRICTS, NEIGHBOUR_RESIDENCES, RegionModel

READMIT_LINK = 0.2  # chance an eligible episode belongs to the person of the previous similar episode


def birth_dates(ep: Episodes, rng: np.random.Generator) -> np.ndarray:
    admit_day = ep["admit"].astype("datetime64[D]")
    extra = rng.integers(0, 365, len(admit_day))
    years_back = (ep["age"] * 365.2425).astype(np.int64) + extra
    birth = admit_day - np.where(ep["age"] >= 1, years_back, ep["age_days"]).astype("timedelta64[D]")
    return birth


def link_people(ep: Episodes, rng: np.random.Generator) -> np.ndarray:
    """Person index per episode: similar episodes (same residence, sex, birth year) are chained at random."""
    n = len(ep["inst"])
    birth = ep["birth"]
    by = birth.astype("datetime64[Y]").astype(np.int64)
    res_i = np.unique(ep["residence"], return_inverse=True)[1]
    eligible = ep["age"] >= 2
    order = np.lexsort((ep["admit"].astype(np.int64), by, ep["male"], res_i, ~eligible))
    same = np.zeros(n, dtype=bool)
    o_prev, o_cur = order[:-1], order[1:]
    same[o_cur] = (
        (res_i[o_prev] == res_i[o_cur])
        & (by[o_prev] == by[o_cur])
        & (ep["male"][o_prev] == ep["male"][o_cur])
        & eligible[o_prev]
        & eligible[o_cur]
        & (ep["discharge"][o_prev] < ep["admit"][o_cur])
    )
    link = same & (rng.random(n) < READMIT_LINK)
    new_person = ~link[order]
    person_sorted = np.cumsum(new_person) - 1
    person = np.empty(n, dtype=np.int64)
    person[order] = person_sorted
    return person


def build_people(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> None:
    """Sets person, birth, age, 身份证号, 姓名, 联系电话, 病案号 and 住院次数 on the episodes."""
    ep["birth"] = birth_dates(ep, rng)
    person = link_people(ep, rng)
    n_people = int(person.max()) + 1 if len(person) else 0
    first = np.full(n_people, len(person))
    np.minimum.at(first, person, np.arange(len(person)))
    head_birth = ep["birth"][first]
    ep["birth"] = head_birth[person]
    adm = ep["admit"].astype("datetime64[D]")
    years = ((adm - ep["birth"]).astype(np.int64) / 365.2425).astype(np.int64)
    ep["age"] = np.where(ep["age"] >= 1, np.maximum(years, 1), 0)
    # birthplace: mostly where people live now
    home = ep["residence"][first].astype(object)
    elsewhere = np.asarray(COUNTIES + DISTRICTS + NEIGHBOUR_RESIDENCES, dtype=object)
    moved = rng.random(n_people) < 0.1
    birthplace = np.where(moved, elsewhere[rng.integers(0, len(elsewhere), n_people)], home)
    male = ep["male"][first]
    idno = ids.id_numbers(birthplace.astype(STR), head_birth, male, rng)
    ep["person"] = person
    ep["id_no"] = idno[person]
    ep["name"] = ids.names(male, rng)[person]
    ep["phone"] = ids.phones(n_people, rng)[person]
    _record_numbers(ep, model, rng)


def _record_numbers(ep: Episodes, model: RegionModel, rng: np.random.Generator) -> None:
    """病案号 per (institution, person) in each hospital's own style; 住院次数 counts that person's stays there."""
    inst, person = ep["inst"], ep["person"]
    n = len(inst)
    pair = inst.astype(np.int64) * 10_000_000 + person
    uniq, inv = np.unique(pair, return_inverse=True)
    pair_inst = uniq // 10_000_000
    # rank of the pair within its institution, in a shuffled order
    shuffle = rng.permutation(len(uniq))
    order = np.lexsort((shuffle, pair_inst))
    start = np.r_[0, np.flatnonzero(np.diff(pair_inst[order])) + 1]
    rank = np.empty(len(uniq), dtype=np.int64)
    rank[order] = np.arange(len(uniq)) - np.repeat(start, np.diff(np.r_[start, len(uniq)]))
    width = np.array([8 if model.institutions[i].level == "三级" else 6 for i in pair_inst])
    base = np.array([300_000 + 17 * (i % 7) * 1000 for i in pair_inst])
    number = base + rank * 3 + shuffle % 3
    bah = np.where(width == 8, np.char.zfill(number.astype(str), 8), number.astype(str))
    ep["bah"] = bah.astype(STR)[inv]
    prior = np.minimum(rng.geometric(0.7, len(uniq)) - 1, 9)
    order_e = np.lexsort((ep["admit"].astype(np.int64), inv))
    start_e = np.r_[0, np.flatnonzero(np.diff(inv[order_e])) + 1]
    within = np.empty(n, dtype=np.int64)
    within[order_e] = np.arange(n) - np.repeat(start_e, np.diff(np.r_[start_e, n]))
    ep["times"] = 1 + prior[inv] + within
