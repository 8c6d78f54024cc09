"""A small scheme and peer group whose scores are worked out by hand in the comments (shared by the tests).

Scheme (scale 1000): gk3.04 weight 2, gk3.08 weight 1, group gk3.10 weight 1 of ami.mortality and ami.los.
Shares: 1000·2/4 = 500, 1000·1/4 = 250, group 250 → 125 per part.

        gk3.04 (higher)  gk3.08 (lower)   ami.mortality (lower)  ami.los (monitor)
  A     40               2.0              5                      8
  B     30               1.0              no cases (den 0)       9
  C     30               not reported     5                      12
  D     10               3.0              0                      7

gk3.04: ranks A1 B2 C2 D4 of 4 → 100, 66.67, 66.67, 0 → 500, 333.33, 333.33, 0
gk3.08: of A, B, D: B1 A2 D3 → 100, 50, 0 → B 250, A 125, D 0; C missing → 0 (loses 250)
ami.mortality: of A, C, D: D1, A and C tie 2 → 100, 50, 50 → D 125, A 62.5, C 62.5; B has no cases, so
  B's group share 250 goes wholly to ami.los
ami.los: median 8.5; distances A .5 B .5 C 3.5 D 1.5 → ranks A1 B1 D3 C4 → 100, 100, 33.33, 0
  → A 125, B 250 (whole group share), D 41.67, C 0

Totals: A 500 + 125 + 62.5 + 125 = 812.5; B 333.33 + 250 + 250 = 833.33;
        C 333.33 + 0 + 62.5 + 0 = 395.83; D 0 + 0 + 125 + 41.67 = 166.67
Ranks: B 1, A 2, C 3, D 4.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from hqd.catalog import catalog_dir
from hqd.scoring.schemes import Scheme, parse_scheme
from hqd.scoring.score import MISSING, NA, OK, Group, Obs

BASE = yaml.safe_load((catalog_dir() / "schemes" / "gk3.yaml").read_text(encoding="utf-8"))
MORT, LOS = "gk3.10.ami.mortality", "gk3.10.ami.los"


def scheme(min_peers: int = 10, **over: Any) -> Scheme:
    raw = copy.deepcopy(BASE)
    raw["indicators"] = [
        {"id": "gk3.04", "weight": 2},
        {"id": "gk3.08", "weight": 1},
        {"group": "gk3.10", "name_zh": "单病种", "weight": 1, "parts": [MORT, LOS]},
    ]
    raw["grading"]["min_peers"] = min_peers
    raw.update(over)
    return parse_scheme(raw, "schemes/hand.yaml")


def ok(v: float) -> Obs:
    return Obs(v, OK)


OBS = {
    "A": {"gk3.04": ok(40), "gk3.08": ok(2.0), MORT: ok(5), LOS: ok(8)},
    "B": {"gk3.04": ok(30), "gk3.08": ok(1.0), MORT: Obs(None, NA, "分母为0"), LOS: ok(9)},
    "C": {"gk3.04": ok(30), "gk3.08": Obs(None, MISSING, "未报送"), MORT: ok(5), LOS: ok(12)},
    "D": {"gk3.04": ok(10), "gk3.08": ok(3.0), MORT: ok(0), LOS: ok(7)},
}
TOTALS = {"A": 812.5, "B": 2500 / 3, "C": 1000 / 3 + 62.5, "D": 125 + 125 / 3}


def group(s: Scheme | None = None, obs: dict | None = None, **kw: Any) -> Group:
    obs = copy.deepcopy(obs or OBS)
    return Group(s or scheme(), "general", sorted(obs), obs, **kw)
