"""Response timeliness (early-warning.md §10.3): timely share and median response time, parts kept."""

from __future__ import annotations

import datetime as dt

import pytest

from hqd.ews.lifecycle import verify
from hqd.ews.timeliness import timeliness

H = dt.timedelta(hours=1)


def sent(wh, region: str, at: dt.datetime, algorithm: str = "mpm") -> int:
    """Store one signal sent at `at` (only the columns timeliness reads matter)."""
    sid = wh.one("SELECT nextval('ews_signal_id_seq')")
    wh.con.execute(
        "INSERT INTO ews_signals (signal_id, rule_id, disease, region_code, frequency, date_basis, window_start,"
        " time_point, observed, threshold, algorithm, parameters, run_id, catalog_version, created_at)"
        " VALUES (?, 'r', '水痘', ?, 'daily', 'onset', DATE '2025-01-01', DATE '2025-01-01' + ?::INTEGER,"
        " 3, 1, ?, '{}', 1, 'test', ?)",
        [sid, region, sid, algorithm, at],
    )
    return sid


@pytest.fixture
def signals(seeded):
    """Signals of 2025Q1 with their response times in hours (by hand):

    990102: 1, 3, 30, never (sent 03-03 08:00), 24 exactly, 1.5 (fixed); one sent in April (not Q1)
    990121: 2
    """
    d = dt.datetime(2025, 3, 1, 8, 0)
    for hours, when, region, alg in [
        (1, d, "990102", "mpm"),
        (3, d, "990102", "mpm"),
        (30, d + 24 * H, "990102", "mpm"),
        (None, d + 48 * H, "990102", "mpm"),
        (24, d + 72 * H, "990102", "mpm"),
        (1.5, d + 120 * H, "990102", "fixed"),
        (1, dt.datetime(2025, 4, 2, 8, 0), "990102", "mpm"),
        (2, d + 96 * H, "990121", "mpm"),
    ]:
        sid = sent(seeded, region, when, alg)
        if hours is not None:
            verify(seeded.con, sid, user="x", at=when + hours * H)
    return seeded


LATER = dt.datetime(2025, 6, 1)


def parts(t) -> tuple:
    return (t.timely, t.due, t.responded, t.sent, t.median_hours, t.p25_hours, t.p75_hours)


def test_county_timely_share_and_median_response_time(signals):
    t = timeliness(signals.con, "990102", "2025Q1", as_of=LATER)
    # 6 sent in Q1; 5 verified (1, 3, 30, 24, 1.5 h); 4 within 24 h (≤, so 24 h counts); all 6 are due.
    # Sorted hours 1, 1.5, 3, 24, 30: median 3, P25 at position 1 → 1.5, P75 at position 3 → 24.
    assert parts(t) == (4, 6, 5, 6, 3.0, 1.5, 24.0)
    assert t.timely_share == pytest.approx(4 / 6) and t.response_rate == pytest.approx(5 / 6)


def test_city_rolls_up_its_counties_as_sums_of_parts(signals):
    t = timeliness(signals.con, "990100", "2025Q1", as_of=LATER)
    # adds 990121's 2 h: hours 1, 1.5, 2, 3, 24, 30 → median (2+3)/2 = 2.5,
    # P25 at 1.25 → 1.5 + 0.25·0.5 = 1.625, P75 at 3.75 → 3 + 0.75·21 = 18.75
    assert parts(t) == (5, 7, 6, 7, 2.5, 1.625, 18.75)


def test_fixed_threshold_two_hour_rate(signals):
    t = timeliness(signals.con, "990102", "2025Q1", within_hours=2, algorithms=["fixed"], as_of=LATER)
    assert (t.timely, t.due, t.median_hours) == (1, 1, 1.5)


def test_signals_still_inside_their_window_are_not_yet_due(signals):
    # As of 03-03 18:00 three signals were answered (1, 3, 30 h) and one, sent 10 h earlier, can still be
    # answered in time; the signals sent after 03-03 18:00 do not exist yet.
    t = timeliness(signals.con, "990102", "2025Q1", as_of=dt.datetime(2025, 3, 3, 18, 0))
    assert (t.timely, t.due, t.responded, t.sent) == (2, 3, 3, 4)


def test_a_verification_after_as_of_does_not_count(signals):
    # As of 03-04 20:00 the signal sent 03-04 08:00 (answered after 24 h) is 12 h old and unanswered.
    t = timeliness(signals.con, "990102", "2025Q1", as_of=dt.datetime(2025, 3, 4, 20, 0))
    assert (t.timely, t.due, t.responded, t.sent) == (2, 4, 3, 5)


def test_no_signals_gives_empty_parts_not_zero_rates(signals):
    t = timeliness(signals.con, "990121", "2024", as_of=LATER)
    assert parts(t) == (0, 0, 0, 0, None, None, None)
    assert t.timely_share is None and t.response_rate is None
