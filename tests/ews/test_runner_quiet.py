"""quiet_days: the alarms of one episode give one signal, in one run or across runs."""

from __future__ import annotations

from tests.ews.test_counts import load_cards
from tests.ews.test_runner import rules_file

from hqd.ews.runner import run_period

QUIET = """
rules:
  - id: fixed-quiet
    algorithm: fixed
    frequency: daily
    date_basis: report
    quiet_days: 3
    parameters: {threshold: 1}
    diseases: [霍乱]
    source: test
"""

# Cases reported on July 1, 2, 4, 8, 9 and 20 in one county: alarms on each of those days.
DAYS = ["2024-07-01", "2024-07-02", "2024-07-04", "2024-07-08", "2024-07-09", "2024-07-20"]


def kept(days: list[str], quiet: int) -> list[str]:
    """Plain re-statement: keep an alarm unless the last kept one is at most `quiet` days before it."""
    import datetime as dt

    out: list[dt.date] = []
    for d in sorted(dt.date.fromisoformat(x) for x in days):
        if out and (d - out[-1]).days <= quiet:
            continue
        out.append(d)
    return [d.isoformat() for d in out]


def stored(seeded) -> list[str]:
    return [r[0] for r in seeded.rows("SELECT time_point::VARCHAR FROM ews_signals ORDER BY time_point")]


def test_an_episode_gives_one_signal_per_quiet_window(seeded, tmp_path):
    load_cards(seeded, [("霍乱", "990102", d, d, "已审核") for d in DAYS])
    s = run_period(seeded.con, "2024-07", rules_path=rules_file(tmp_path, QUIET))
    assert stored(seeded) == kept(DAYS, 3) == ["2024-07-01", "2024-07-08", "2024-07-20"]
    assert s.alarms == 6 and s.new_signals == 3


def test_quiet_windows_reach_back_to_signals_of_earlier_runs(seeded, tmp_path):
    load_cards(
        seeded, [("霍乱", "990102", d, d, "已审核") for d in ["2024-06-29", "2024-07-01", "2024-07-05"]]
    )
    path = rules_file(tmp_path, QUIET)
    run_period(seeded.con, "2024-06", rules_path=path)
    run_period(seeded.con, "2024-07", rules_path=path)
    assert stored(seeded) == ["2024-06-29", "2024-07-05"]  # 07-01 is 2 days after 06-29's signal
    run_period(seeded.con, "2024-07", rules_path=path)
    assert stored(seeded) == ["2024-06-29", "2024-07-05"]  # a re-run adds nothing
