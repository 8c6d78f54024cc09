"""Without a loaded DRG list, weights, reference values and risk levels come from the region's own cases."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from tests.conftest import HOSP
from tests.indicators.frontsheet_data import HEADER, row

from hqd.indicators.compute import compute_period

# (drg, cost, los, died) — five DRGs; AA1 has an outlier cost, DD1 has no deaths.
CASES = [
    ("AA1", 1000, 3, False),
    ("AA1", 1100, 3, False),
    ("AA1", 900, 4, False),
    ("AA1", 1000, 2, True),
    ("AA1", 50000, 30, False),  # beyond Q3 + 1.5 IQR: left out of AA1's mean cost for the weight
    ("BB1", 4000, 6, True),
    ("BB1", 4200, 7, False),
    ("BB1", 3800, 5, False),
    ("CC1", 9000, 10, True),
    ("CC1", 11000, 12, True),
    ("CC1", 10000, 11, False),
    ("DD1", 500, 1, False),
    ("DD1", 700, 2, False),
    ("EE1", 2000, 4, True),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
    ("EE1", 2000, 4, False),
]


def expected_reference():
    by: dict[str, list] = {}
    for g, cost, los, died in CASES:
        by.setdefault(g, []).append((cost, los, died))
    trimmed = {}
    for g, cs in by.items():
        costs = np.array([c for c, _, _ in cs], dtype=float)
        q1, q3 = np.quantile(costs, 0.25), np.quantile(costs, 0.75)  # linear interpolation, as quantile_cont
        keep = costs[(costs >= q1 - 1.5 * (q3 - q1)) & (costs <= q3 + 1.5 * (q3 - q1))]
        trimmed[g] = keep.mean()
    overall = sum(trimmed[g] * len(by[g]) for g in by) / sum(len(v) for v in by.values())
    weights = {g: trimmed[g] / overall for g in by}
    mortality = {g: sum(d for _, _, d in cs) / len(cs) for g, cs in by.items()}
    logs = {g: math.log(m) for g, m in mortality.items() if m > 0}
    mu, sd = statistics.mean(logs.values()), statistics.stdev(logs.values())
    risk = {g: 0 if mortality[g] == 0 else (1 if (logs[g] - mu) / sd < -1 else 2 if (logs[g] - mu) / sd < 0
            else 3 if (logs[g] - mu) / sd < 1 else 4) for g in by}  # fmt: skip
    return by, weights, risk


@pytest.fixture
def computed(seeded):
    rows = [row(HOSP, f"C{i}", drg=g, cost=str(c), los=str(los), mode="5" if died else "1")
            for i, (g, c, los, died) in enumerate(CASES)]  # fmt: skip
    assert seeded.load("discharges", seeded.file("d.csv", [HEADER, *rows])).quarantined == 0
    compute_period(seeded.con, "2024")
    return seeded


def test_derived_weights_give_the_case_mix_index(computed):
    by, weights, _ = expected_reference()
    num, den, value, note = computed.rows(
        "SELECT numerator, denominator, value, note FROM indicator_values WHERE indicator_id = 'drg.cmi' "
        "AND org_code = ?", [HOSP])[0]  # fmt: skip
    expected = sum(weights[g] * len(cs) for g, cs in by.items())
    assert (
        num == pytest.approx(expected) and den == len(CASES) and value == pytest.approx(expected / len(CASES))
    )
    assert "derived" in note


def test_derived_risk_levels_pick_the_low_risk_groups(computed):
    by, _, risk = expected_reference()
    low = [g for g, level in risk.items() if level == 1]
    assert low, "the data set must contain a low-risk group"
    deaths = sum(d for g in low for _, _, d in by[g])
    cases = sum(len(by[g]) for g in low)
    num, den = computed.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = "
                             "'drg.low_risk_mortality' AND org_code = ?", [HOSP])[0]  # fmt: skip
    assert (num, den) == (deaths, cases)
    mid = [g for g, level in risk.items() if level == 2]
    num2, den2 = computed.rows("SELECT numerator, denominator FROM indicator_values WHERE indicator_id = "
                               "'drg.mid_low_risk_mortality' AND org_code = ?", [HOSP])[0]  # fmt: skip
    assert (num2, den2) == (sum(d for g in mid for _, _, d in by[g]), sum(len(by[g]) for g in mid))
