"""Inpatient costs: a DRG-weighted total split into the 24 front-sheet items (in cents, so sums are exact)."""

from __future__ import annotations

import numpy as np

from hqd.demo import drg
from hqd.demo.casemix import CASE_TYPES
from hqd.demo.episodes import Episodes

COST_ITEMS = (
    "一般医疗服务费",
    "一般治疗操作费",
    "护理费",
    "综合医疗服务类其他费用",
    "病理诊断费",
    "实验室诊断费",
    "影像学诊断费",
    "临床诊断项目费",
    "非手术治疗项目费",
    "手术治疗费",
    "康复费",
    "中医治疗费",
    "西药费",
    "中成药费",
    "中草药费",
    "血费",
    "白蛋白类制品费",
    "球蛋白类制品费",
    "凝血因子类制品费",
    "细胞因子类制品费",
    "检查用一次性医用材料费",
    "治疗用一次性医用材料费",
    "手术用一次性医用材料费",
    "其他费",
)
# 其中 items: part of the named parent item, never added to the 24
SUB_ITEMS = {
    "临床物理治疗费": "非手术治疗项目费",
    "麻醉费": "手术治疗费",
    "手术费": "手术治疗费",
    "抗菌药物费用": "西药费",
}
_PROFILES = {
    "medical": (6, 4, 4, 1, 0.3, 12, 9, 2, 6, 0, 0.5, 0.5, 28, 5, 1, 0, 1, 0.3, 0.1, 0.2, 2, 5, 0, 1.5),
    "surgical": (4, 3, 3, 1, 2, 8, 6, 1.5, 4, 14, 0.3, 0.3, 16, 2, 0.5, 0, 1, 0.2, 0.1, 0.1, 2, 5, 22, 1),
    "interventional": (3, 2, 2, 1, 0, 7, 4, 2, 3, 10, 0, 0, 12, 2, 0.2, 0, 0.5, 0.1, 0, 0, 2, 42, 0, 1),
    "obstetric": (8, 6, 8, 1, 0.5, 10, 6, 2, 8, 12, 0, 0, 12, 2, 0.5, 0, 0.5, 0.2, 0, 0, 2, 6, 8, 2),
    "neonatal": (12, 8, 10, 1, 0, 14, 5, 3, 12, 0, 0, 0, 18, 1, 0, 0, 1.5, 1, 0, 0.5, 2, 8, 0, 2),
    "chemo": (3, 3, 2, 1, 1, 8, 6, 1, 4, 0, 0, 0, 55, 3, 0.5, 0, 1.5, 0.5, 0, 1.5, 1, 4, 0, 1),
    "rehab": (6, 4, 5, 1, 0, 6, 4, 1, 8, 0, 25, 15, 10, 4, 3, 0, 0, 0, 0, 0, 1, 3, 0, 2),
    "tcm": (6, 4, 4, 1, 0, 6, 5, 1, 5, 0, 4, 25, 8, 12, 14, 0, 0, 0, 0, 0, 1, 3, 0, 1),
}
BASE_RATE = 11_000.0  # yuan per unit of relative weight at a tertiary hospital
_LEVEL_COST = np.array([1.0, 0.68, 0.4])
_IDX = {name: i for i, name in enumerate(COST_ITEMS)}


def assign_costs(ep: Episodes, rng: np.random.Generator) -> None:
    """总费用, 自付金额, the 24 items and the 4 其中 items, all int64 cents."""
    n = len(ep["case"])
    rw = np.array([drg.weight(c) for c in ep["drg"]])
    exp_los = np.array([c.los for c in CASE_TYPES])[ep["case"]]
    kind_mult = np.select([np.isin(ep["kind"], ("T_TCM", "S_TCM")), ep["kind"] == "T_MCH"], [0.92, 0.9], 1.0)
    yuan = BASE_RATE * rw * _LEVEL_COST[ep["level"]] * kind_mult
    yuan *= np.clip(ep["los"] / exp_los, 0.2, 4.0) ** 0.5 * np.exp(rng.normal(0, 0.28, n))
    yuan *= np.where(ep["year"] == 2025, 1.02, 1.0)  # a little price drift
    total = np.maximum(np.rint(yuan * 100), 30_000).astype(np.int64)

    profile = np.array([c.profile for c in CASE_TYPES], dtype=object)[ep["case"]]
    tcm_site = np.isin(ep["kind"], ("T_TCM", "S_TCM"))
    shares = np.zeros((n, len(COST_ITEMS)))
    for name, vec in _PROFILES.items():
        m = profile == name
        shares[m] = vec
    shares[tcm_site] = 0.7 * shares[tcm_site] + 0.3 * np.array(_PROFILES["tcm"])
    shares *= rng.gamma(4.0, 0.25, shares.shape)
    surgical = ep["surgical"]
    for item in ("手术治疗费", "手术用一次性医用材料费"):
        shares[~surgical, _IDX[item]] = 0
    shares[~ep["transfused"], _IDX["血费"]] = 0
    shares[(ep["pathology"] == "") & ~surgical, _IDX["病理诊断费"]] = 0
    no_tcm = ~tcm_site & (profile != "tcm") & (profile != "rehab")
    for item in ("中医治疗费", "中草药费"):
        shares[no_tcm & (rng.random(n) < 0.85), _IDX[item]] = 0
    shares[(profile != "rehab") & (rng.random(n) < 0.8), _IDX["康复费"]] = 0
    shares /= shares.sum(axis=1, keepdims=True)
    items = np.floor(shares * total[:, None]).astype(np.int64)
    gap = total - items.sum(axis=1)
    # most records allocate every cent; a few leave part of the total outside the 24 items
    leave = rng.random(n) < 0.03
    gap_kept = np.where(leave, (gap + (total * rng.uniform(0, 0.02, n)).astype(np.int64)), 0)
    gap_kept = np.minimum(gap_kept, gap + items.max(axis=1) // 2)
    biggest = items.argmax(axis=1)
    items[np.arange(n), biggest] += gap - gap_kept
    ep["costs"] = items
    sub = {
        "临床物理治疗费": items[:, _IDX["非手术治疗项目费"]] * rng.uniform(0, 0.4, n),
        "麻醉费": items[:, _IDX["手术治疗费"]] * rng.uniform(0.12, 0.25, n),
        "手术费": items[:, _IDX["手术治疗费"]] * rng.uniform(0.6, 0.72, n),
        "抗菌药物费用": items[:, _IDX["西药费"]] * rng.uniform(0.03, 0.35, n),
    }
    ep["sub_costs"] = np.stack([np.floor(v).astype(np.int64) for v in sub.values()], axis=1)
    ep["total"] = total
    share_self = np.where(
        ep["payer"] == "7", 1.0, np.where(np.isin(ep["payer"], ("5", "9")), 0.8, rng.uniform(0.18, 0.45, n))
    )
    ep["self_pay"] = np.floor(total * share_self).astype(np.int64)
