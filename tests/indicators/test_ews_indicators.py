"""Signal response timeliness as indicators: 24-hour verification share, response rate, median hours."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

import pytest

from hqd.indicators.compute import compute_period

SENT = datetime(2025, 3, 1, 9, 0)
# (county, hours to verification or None when not verified yet)
SIGNALS = [("990102", 2.0), ("990102", 30.0), ("990102", None), ("990121", 12.0), ("990121", 24.0)]


@pytest.fixture
def computed(seeded):
    for i, (county, hours) in enumerate(SIGNALS, start=1):
        verified = SENT + timedelta(hours=hours) if hours is not None else None
        seeded.con.execute(
            "INSERT INTO ews_signals (signal_id, rule_id, disease, region_code, frequency, date_basis, window_start, "
            "time_point, observed, threshold, algorithm, parameters, run_id, catalog_version, created_at, status, "
            "verified_by, verified_at) VALUES (?, 'r', '水痘', ?, 'daily', 'onset', DATE '2025-02-22', ?, 5, 2, 'mpm', "
            "'{}', 1, 'x', ?, ?, ?, ?)",
            [i, county, datetime(2025, 3, 1).date() + timedelta(days=i), SENT, "verified" if verified else "new",
             "张三" if verified else None, verified],
        )  # fmt: skip
    compute_period(seeded.con, "2025", only=["ews.verified_within_24h", "ews.response_rate",
                                              "ews.median_hours_to_verify", "ews.signals"])  # fmt: skip
    return seeded


def value(wh, ident, org):
    return wh.rows("SELECT numerator, denominator, value, status FROM indicator_values WHERE indicator_id = ? "
                   "AND org_code = ?", [ident, org])[0]  # fmt: skip


def test_share_verified_within_24_hours_counts_unverified_signals_in_the_denominator(computed):
    assert value(computed, "ews.verified_within_24h", "990102")[:2] == (
        1,
        3,
    )  # 2 h yes, 30 h no, unverified no
    assert value(computed, "ews.verified_within_24h", "990121")[:2] == (2, 2)  # 12 h and exactly 24 h
    num, den, v, _ = value(computed, "ews.verified_within_24h", "990100")  # the city: ratio of sums
    assert (num, den) == (3, 5) and v == pytest.approx(60.0)


def test_response_rate_and_median_hours(computed):
    assert value(computed, "ews.response_rate", "990100")[:2] == (4, 5)
    city_median = statistics.median([h for _, h in SIGNALS if h is not None])
    assert value(computed, "ews.median_hours_to_verify", "990100")[2] == pytest.approx(city_median)
    assert value(computed, "ews.median_hours_to_verify", "990102")[2] == pytest.approx(
        statistics.median([2.0, 30.0])
    )
    assert value(computed, "ews.signals", "990121")[2] == 2


def test_signal_indicators_are_for_regions_only(computed):
    levels = {lvl for (lvl,) in computed.rows(
        "SELECT DISTINCT org_level FROM indicator_values WHERE indicator_id = 'ews.signals'")}  # fmt: skip
    assert levels == {"county", "city", "province"}
