"""`hqd ews run`: rules over stored cards give the signals a plain re-computation expects, once each."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from tests.ews.test_counts import Card, load_cards
from typer.testing import CliRunner

from hqd.ews.commands import ews_app
from hqd.ews.runner import PeriodError, period_bounds, run_period

FIXED = """
rules:
  - id: fixed-test
    algorithm: fixed
    frequency: daily
    date_basis: report
    parameters: {threshold: 1}
    diseases: [霍乱]
    source: test
"""


def rules_file(tmp_path: Path, text: str, name: str = "rules.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def signals(wh) -> list[tuple]:
    return wh.rows(
        "SELECT rule_id, disease, region_code, window_start::VARCHAR, time_point::VARCHAR, observed, threshold,"
        " run_id FROM ews_signals ORDER BY time_point, region_code"
    )


FIXED_CARDS: list[Card] = [
    ("霍乱", "990102", "2024-06-28", "2024-07-02", "已审核"),
    ("霍乱", "990121", "2024-07-05", "2024-07-05", "已审核"),
    ("霍乱", "990121", "2024-07-04", "2024-07-05", "未审核"),
    ("霍乱", "990102", "2024-07-10", "2024-07-10", "已删除"),
    ("霍乱", "990121", "2024-06-30", "2024-06-30", "已审核"),  # before the period
    ("水痘", "990102", "2024-07-03", "2024-07-03", "已审核"),  # no rule for it
]


def test_fixed_rule_signals_each_day_with_a_case_by_report_date(seeded, tmp_path):
    load_cards(seeded, FIXED_CARDS)
    s = run_period(seeded.con, "2024-07", rules_path=rules_file(tmp_path, FIXED), user="tester")
    assert signals(seeded) == [
        ("fixed-test", "霍乱", "990102", "2024-07-02", "2024-07-02", 1.0, 1.0, s.run_id),
        ("fixed-test", "霍乱", "990121", "2024-07-05", "2024-07-05", 2.0, 1.0, s.run_id),
    ]
    # 2 series × 5 days: the last counted report is 07-05 (the deleted 07-10 card does not extend it)
    assert (s.alarms, s.new_signals, s.by_rule) == (2, 2, {"fixed-test": (2, 10, 2)})
    assert s.by_disease == [("霍乱", 2, 2)]


def test_rerunning_a_period_adds_no_signal_but_logs_the_run(seeded, tmp_path):
    load_cards(seeded, FIXED_CARDS)
    path = rules_file(tmp_path, FIXED)
    first = run_period(seeded.con, "2024-07", rules_path=path)
    before = signals(seeded)
    second = run_period(seeded.con, "2024Q3", rules_path=path)
    assert signals(seeded) == before  # still raised by the first run
    assert (second.alarms, second.new_signals) == (2, 0) and second.by_disease == [("霍乱", 2, 0)]
    runs = seeded.rows("SELECT run_id, period, alarms, new_signals FROM ews_runs ORDER BY run_id")
    assert runs == [(first.run_id, "2024-07", 2, 2), (second.run_id, "2024Q3", 2, 0)]


def test_a_late_card_adds_only_its_own_signal_on_rerun(seeded, tmp_path):
    load_cards(seeded, FIXED_CARDS)
    path = rules_file(tmp_path, FIXED)
    run_period(seeded.con, "2024-07", rules_path=path)
    load_cards(seeded, [("霍乱", "990102", "2024-07-08", "2024-07-09", "已审核")], name="late.csv")
    again = run_period(seeded.con, "2024-07", rules_path=path)
    assert again.new_signals == 1
    assert [r[4] for r in signals(seeded)] == ["2024-07-02", "2024-07-05", "2024-07-09"]


def test_run_records_period_rules_file_and_catalog_version(seeded, tmp_path):
    load_cards(seeded, FIXED_CARDS)
    path = rules_file(tmp_path, FIXED)
    s = run_period(seeded.con, "2024Q3", rules_path=path, user="王医生")
    row = seeded.rows(
        "SELECT period_start, period_end, user_name, rules_file, length(catalog_version), rules, series,"
        " finished_at >= started_at FROM ews_runs WHERE run_id = ?",
        [s.run_id],
    )
    assert row == [(dt.date(2024, 7, 1), dt.date(2024, 9, 30), "王医生", str(path), 12, 1, 2, True)]
    version = seeded.one("SELECT catalog_version FROM ews_runs WHERE run_id = ?", [s.run_id])
    stored = seeded.rows("SELECT DISTINCT catalog_version, algorithm, parameters FROM ews_signals")
    assert stored == [(version, "fixed", '{"threshold": 1}')]


WEEKLY = """
rules:
  - id: weekly-3
    algorithm: fixed
    frequency: weekly
    parameters: {threshold: 3}
    diseases: [手足口病]
    source: test
"""


def test_weekly_rule_counts_monday_to_sunday_and_signals_on_the_sunday(seeded, tmp_path):
    cards: list[Card] = [("手足口病", "990102", "2024-06-30", "2024-06-30", "已审核")] * 5  # week ends 06-30
    cards += [("手足口病", "990102", d, d, "已审核") for d in ("2024-07-01", "2024-07-03", "2024-07-07")]
    cards += [("手足口病", "990102", d, d, "已审核") for d in ("2024-07-08", "2024-07-14")]
    cards += [("手足口病", "990121", "2024-07-31", "2024-08-01", "已审核")] * 3  # week ends 08-04
    load_cards(seeded, cards)
    run_period(seeded.con, "2024-07", rules_path=rules_file(tmp_path, WEEKLY))
    assert [r[2:6] for r in signals(seeded)] == [("990102", "2024-07-01", "2024-07-07", 3.0)]
    run_period(seeded.con, "2024-08", rules_path=rules_file(tmp_path, WEEKLY))
    assert len(signals(seeded)) == 1  # reports end on Thu 08-01: the week to 08-04 is not over yet
    load_cards(seeded, [("水痘", "990121", "2024-08-05", "2024-08-05", "已审核")], name="later.csv")
    run_period(seeded.con, "2024-08", rules_path=rules_file(tmp_path, WEEKLY))
    assert [r[2:6] for r in signals(seeded)][1:] == [("990121", "2024-07-29", "2024-08-04", 3.0)]


MPM = """
rules:
  - id: mpm-test
    algorithm: mpm
    frequency: daily
    parameters: {obsDays: 7, years: 3, halfPeriods: 2, percentile: %s}
    %s
    diseases: [水痘]
    source: test
"""


def mpm_cards() -> list[Card]:
    """990102: one case every Monday since 2021-01-04 plus an extra one on Wed 2024-03-13;
    990121: a fixed pseudo-random 0–2 cases a day, so the percentile interpolates between unequal sums."""
    rng = np.random.default_rng(7)
    first, last = dt.date(2021, 1, 4), dt.date(2024, 3, 31)
    cards: list[Card] = []
    d = first
    while d <= last:
        iso = d.isoformat()
        if d.weekday() == 0:
            cards.append(("水痘", "990102", iso, iso, "已审核"))
        cards += [("水痘", "990121", iso, iso, "已审核")] * int(rng.choice([0, 0, 0, 1, 2]))
        d += dt.timedelta(days=1)
    cards.append(("水痘", "990102", "2024-03-13", "2024-03-13", "已审核"))
    return cards


def reference_mpm(cards: list[Card], county: str, period: str, years: int, pct: float) -> list[tuple]:
    """Plain Python moving percentile over the card list: 7-day sums, 3 × 5 past windows, linear percentile."""
    onsets = [dt.date.fromisoformat(c[2]) for c in cards if c[1] == county]
    start_history = min(dt.date.fromisoformat(c[3]) for c in cards)
    last_history = max(dt.date.fromisoformat(c[3]) for c in cards)

    def window(end: dt.date) -> int:
        return sum(end - dt.timedelta(days=6) <= o <= end for o in onsets)

    out = []
    first, last = period_bounds(period)
    d = first
    while d <= min(last, last_history):
        ends = []
        for y in range(1, years + 1):
            back = (
                d.replace(year=d.year - y)
                if (d.month, d.day) != (2, 29)
                else d.replace(year=d.year - y, day=28)
            )
            ends += [back + dt.timedelta(days=7 * j) for j in range(-2, 3)]
        if min(ends) - dt.timedelta(days=6) >= start_history:
            base = sorted(window(e) for e in ends)
            pos = (len(base) - 1) * pct / 100
            lo = int(pos)
            hi = min(lo + 1, len(base) - 1)
            threshold = base[lo] + (base[hi] - base[lo]) * (pos - lo)
            current = window(d)
            if current > threshold:
                out.append(
                    (county, (d - dt.timedelta(days=6)).isoformat(), d.isoformat(), float(current), threshold)
                )
        d += dt.timedelta(days=1)
    return out


@pytest.fixture
def mpm_warehouse(seeded):
    cards = mpm_cards()
    load_cards(seeded, cards)
    return seeded, cards


@pytest.mark.parametrize("pct", [50, 75])
def test_mpm_signals_equal_a_plain_recomputation(mpm_warehouse, tmp_path, pct):
    wh, cards = mpm_warehouse
    run_period(wh.con, "2024-03", rules_path=rules_file(tmp_path, MPM % (pct, "")))
    got = [(r[2], r[3], r[4], r[5], pytest.approx(r[6])) for r in signals(wh)]
    want = sorted(
        reference_mpm(cards, "990102", "2024-03", 3, pct) + reference_mpm(cards, "990121", "2024-03", 3, pct),
        key=lambda r: (r[2], r[0]),
    )
    assert got == want and len(want) > 7
    # By hand for 990102: every past 7-day sum is 1, so the threshold is 1; the extra case on 03-13
    # makes the sums 2 for the seven windows ending 03-13 … 03-19, and only those signal.
    assert [r[2] for r in want if r[0] == "990102"] == [f"2024-03-{d}" for d in range(13, 20)]


def test_short_history_steps_down_to_min_years_and_records_it(mpm_warehouse, tmp_path):
    wh, cards = mpm_warehouse
    strict = run_period(wh.con, "2023-03", rules_path=rules_file(tmp_path, MPM % (50, ""), "a.yaml"))
    assert (strict.evaluations, strict.alarms) == (0, 0)  # 2020 is not in the warehouse
    fallback = run_period(
        wh.con, "2023-03", rules_path=rules_file(tmp_path, MPM % (50, "min_years: 2"), "b.yaml")
    )
    want = sorted(
        reference_mpm(cards, "990102", "2023-03", 2, 50) + reference_mpm(cards, "990121", "2023-03", 2, 50),
        key=lambda r: (r[2], r[0]),
    )
    assert [(r[2], r[3], r[4], r[5], pytest.approx(r[6])) for r in signals(wh)] == want and want
    assert fallback.evaluations == 2 * 31
    params = {json.loads(p)["years"] for (p,) in wh.rows("SELECT DISTINCT parameters FROM ews_signals")}
    assert params == {2}


def test_period_bounds_accept_year_quarter_month_and_reject_others():
    assert period_bounds("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert period_bounds("2024Q1") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    for bad in ("2024Q5", "2024-13", "2024-2", "24", "2024H1"):
        with pytest.raises(PeriodError, match=r"period .* is not a year, quarter or month"):
            period_bounds(bad)


def test_cli_run_prints_signals_per_disease(seeded, tmp_path):
    load_cards(seeded, FIXED_CARDS)
    result = CliRunner().invoke(
        ews_app, ["run", "--period", "2024-07", "--rules", str(rules_file(tmp_path, FIXED))]
    )
    assert result.exit_code == 0, result.output
    assert "2 alarms, 2 new signals" in result.output and "霍乱\t2\t2" in result.output


def test_cli_run_rejects_a_bad_period_in_one_sentence(seeded, tmp_path):
    result = CliRunner().invoke(ews_app, ["run", "--period", "2024Q9"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "期间 '2024Q9' 无法识别" in result.output and "not a year, quarter or month" in result.output


def null_alarm_bound(percentile: float) -> float:
    """Largest chance that an MPM rule alarms without an outbreak.

    With no outbreak the current 7-day sum is exchangeable with its n baseline sums, so it exceeds the
    k-th smallest of them with probability (n - k + 1) / (n + 1); the linear percentile lies at or above
    the k = floor((n - 1)·P) + 1-th one. Ties only lower the chance (the comparison is strict). n is 15
    (3 years) or 10 (2 years, the short-history fallback); take the larger bound.
    """
    p = percentile / 100
    return max((n - int((n - 1) * p)) / (n + 1) for n in (10, 15))


@pytest.mark.slow
def test_demo_outbreaks_are_all_caught_with_few_false_signals(wh, tmp_path):
    from hqd.demo import generate
    from hqd.ews.rules import load_rules
    from hqd.ingest.batch import load_many

    files = generate(tmp_path / "demo", discharges=5000)
    wanted = [(f.kind, f.path) for f in files if f.kind in ("regions", "institutions", "idr-cases")]
    assert not load_many(wh.con, wanted, secret=wh.secret).rejected
    outbreaks = json.loads((tmp_path / "demo" / "manifest.json").read_text(encoding="utf-8"))["outbreaks"]
    years = sorted({o["start"][:4] for o in outbreaks} | {o["end"][:4] for o in outbreaks})
    runs = [run_period(wh.con, y) for y in years]
    rows = wh.rows(
        "SELECT rule_id, disease, region_code, date_basis, window_start, time_point FROM ews_signals"
    )

    def hits(o: dict, r: tuple) -> bool:
        """A signal for the outbreak's disease and county whose counted window covers an outbreak day
        (report-date rules: reported within 7 days after the last onset)."""
        start, end = dt.date.fromisoformat(o["start"]), dt.date.fromisoformat(o["end"])
        if (r[1], r[2]) != (o["disease"], o["county"]):
            return False
        if r[3] == "report":
            return start <= r[5] <= end + dt.timedelta(days=7)
        return r[4] <= end and r[5] >= start

    caught = [o for o in outbreaks if any(hits(o, r) for r in rows)]
    false = [r for r in rows if not any(hits(o, r) for o in outbreaks)]
    by_rule = {rule.id: rule for rule in load_rules()}
    false_by_rule = {rid: sum(r[0] == rid for r in false) for rid in by_rule}
    evaluations = {rid: sum(run.by_rule.get(rid, (0, 0, 0))[1] for run in runs) for rid in by_rule}
    print(
        f"\noutbreaks caught {len(caught)}/{len(outbreaks)}; signals {len(rows)}, false {len(false)};"
        f" false by rule {false_by_rule}; evaluations {evaluations}"
    )
    assert len(caught) == len(outbreaks) == 4
    # Fixed threshold: the demo's only class-A card is the injected cholera case.
    assert false_by_rule["fixed-single-case"] == 0
    # MPM: at most the exchangeability bound of each rule's percentile, with 25% room for the demo's
    # year-to-year drift (±8% incidence) that makes a year look higher than its baseline years.
    for rid, rule in by_rule.items():
        if rule.algorithm == "mpm":
            bound = 1.25 * null_alarm_bound(rule.parameters["percentile"]) * evaluations[rid]
            assert false_by_rule[rid] <= bound, (rid, false_by_rule[rid], bound)
    # Farrington flexible: one-sided α = 1% per week and series; allow 3α for the model's misfit to
    # the demo's gamma-distributed weekly noise.
    flexible = by_rule["flexible-weekly"]
    assert evaluations["flexible-weekly"] > 1000
    assert (
        false_by_rule["flexible-weekly"] <= 3 * flexible.parameters["alpha"] * evaluations["flexible-weekly"]
    )
