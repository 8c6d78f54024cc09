"""`hqd ews run`: every rule over a period's case counts, each alarm stored once so re-runs never duplicate work."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from hqd.catalog import catalog_version
from hqd.warehouse.crashpoint import pause_before_commit

from . import counts as cnt
from .algorithms import REGISTRY, EwsParameterError
from .algorithms._dates import minus_years
from .rules import Rule, default_path, load_rules

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4])|-(\d{2}))?$")
_EARS_LAG = {"earsC1": 0, "earsC2": 2, "earsC3": 4}


class PeriodError(ValueError):
    """A period string a user typed is not a year, quarter or month."""


class RunError(RuntimeError):
    """A rule failed while running; the message names the rule."""


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of `2025`, `2025Q3` or `2025-07`."""
    m = _PERIOD.match(period.strip())
    month = int(m[3]) if m and m[3] else None
    if not m or (month is not None and not 1 <= month <= 12):
        raise PeriodError(
            f"期间 {period!r} 无法识别，请写作 2025、2025Q3 或 2025-07；"
            f"period {period!r} is not a year, quarter or month such as 2025, 2025Q3 or 2025-07"
        )
    year = int(m[1])
    if m[2]:
        first = 3 * int(m[2]) - 2
        last = first + 2
    elif month is not None:
        first = last = month
    else:
        first, last = 1, 12
    start = dt.date(year, first, 1)
    end = dt.date(year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


@dataclass
class RunSummary:
    run_id: int
    period: str
    start: dt.date
    end: dt.date
    rules: int = 0
    series: int = 0
    evaluations: int = 0
    alarms: int = 0
    new_signals: int = 0
    by_disease: list[tuple[str, int, int]] = field(default_factory=list)  # disease, alarms, new signals
    by_rule: dict[str, tuple[int, int, int]] = field(
        default_factory=dict
    )  # rule: series, evaluations, alarms


@dataclass
class _Alarms:
    columns: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _ALARM_COLUMNS})
    series: int = 0
    evaluations: int = 0
    by_rule: dict[str, tuple[int, int, int]] = field(default_factory=dict)


_ALARM_COLUMNS = (
    "rule_id",
    "disease",
    "region_code",
    "frequency",
    "date_basis",
    "window_start",
    "time_point",
    "observed",
    "threshold",
    "algorithm",
    "parameters",
)


def run_period(
    con: duckdb.DuckDBPyConnection,
    period: str,
    *,
    rules_path: Path | None = None,
    user: str | None = None,
) -> RunSummary:
    """Run every rule over the period in one transaction and store the new signals; returns the summary.

    Every time point inside the period is evaluated with the history before it (the algorithms look back
    only), using the cards in the warehouse now: a re-run after late reports sees them, and a signal already
    stored for a (rule, disease, county, time point) is left as it is, decisions included, so a county CDC
    can re-run a period (late cards, a new rule) without duplicating its work list. Days after the last
    report in the warehouse are not evaluated: they have no data yet.
    """
    period = period.strip()
    start, end = period_bounds(period)
    rules = load_rules(rules_path)
    path = str(rules_path or default_path())
    con.execute("BEGIN TRANSACTION")
    try:
        run_id, now = con.execute(
            "SELECT nextval('ews_run_id_seq')::INTEGER, current_timestamp::TIMESTAMP"
        ).fetchone()
        con.execute(
            "INSERT INTO ews_runs (run_id, period, period_start, period_end, started_at, user_name, rules_file,"
            " catalog_version, rules) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, period, start, end, now, user or getpass.getuser(), path, catalog_version(), len(rules)],
        )
        summary = RunSummary(run_id, period, start, end, rules=len(rules))
        alarms = _Alarms()
        first, last = cnt.history_start(con), cnt.history_end(con)
        if first is not None and last is not None and start <= last:
            stop = min(end, last)
            groups: dict[tuple[str, str], list[Rule]] = {}
            for rule in rules:
                groups.setdefault((rule.frequency, rule.date_basis), []).append(rule)
            for (frequency, basis), members in groups.items():
                diseases = sorted({d for r in members for d in r.diseases})
                counts = cnt.load_counts(
                    con, frequency=frequency, date_basis=basis, start=first, end=stop, diseases=diseases
                )
                points = np.flatnonzero(counts.ends >= np.datetime64(start, "D"))
                for rule in members:
                    _evaluate(rule, counts, points, alarms)
        summary.series, summary.evaluations = alarms.series, alarms.evaluations
        summary.by_rule = alarms.by_rule
        summary.alarms = len(alarms.columns["rule_id"])
        _quiet(con, alarms, {r.id: r.quiet_days for r in rules})
        summary.new_signals = _store(con, alarms, run_id, now)
        new_by = dict(
            con.execute(
                "SELECT disease, count(*) FROM ews_signals WHERE run_id = ? GROUP BY 1", [run_id]
            ).fetchall()
        )
        per = Counter(alarms.columns["disease"])
        summary.by_disease = sorted(
            ((d, n, int(new_by.get(d, 0))) for d, n in per.items()), key=lambda x: -x[1]
        )
        con.execute(
            "UPDATE ews_runs SET finished_at = current_timestamp::TIMESTAMP, series = ?, evaluations = ?,"
            " alarms = ?, new_signals = ? WHERE run_id = ?",
            [summary.series, summary.evaluations, summary.alarms, summary.new_signals, run_id],
        )
        pause_before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return summary


def _evaluate(rule: Rule, counts: cnt.Counts, points: np.ndarray, out: _Alarms) -> None:
    """Alarms of one rule at the given 0-based time points, stepping the years down where history is short."""
    cols = np.flatnonzero(np.isin(counts.diseases, rule.diseases))
    if cols.size == 0 or points.size == 0:
        return
    out.series += int(cols.size)
    before = (out.evaluations, len(out.columns["rule_id"]))
    y = counts.counts[:, cols]
    days = counts.ends.astype(np.int64)
    years_seq: list[int | None] = (
        list(range(rule.years, (rule.min_years or rule.years) - 1, -1)) if rule.years else [None]
    )
    pending = points
    for years in years_seq:
        control = rule.parameters if years is None else rule.with_years(years)
        pts = pending[_has_history(rule, control, days, pending, counts.step)]
        if pts.size == 0:
            continue
        try:
            res = REGISTRY[rule.algorithm](
                y, dates=counts.ends, freq=rule.freq, range=pts + 1, control=control
            )
        except (EwsParameterError, ValueError, FloatingPointError) as exc:
            raise RunError(f"规则 {rule.id} 运行失败：{exc}；rule {rule.id} failed: {exc}") from None
        alarm = np.asarray(res.alarm, dtype=float).reshape(pts.size, cols.size)
        upper = np.asarray(res.upperbound, dtype=float).reshape(pts.size, cols.size)
        # mpm has no history check of its own here: a point it could not evaluate (NaN) tries fewer years
        done = ~np.isnan(upper).all(axis=1) if rule.algorithm == "mpm" else np.ones(pts.size, dtype=bool)
        out.evaluations += int((~np.isnan(alarm)).sum())
        _collect(rule, control, counts, cols, y, pts, alarm, upper, out)
        pending = np.setdiff1d(pending, pts[done])
        if pending.size == 0:
            break
    out.by_rule[rule.id] = (
        int(cols.size),
        out.evaluations - before[0],
        len(out.columns["rule_id"]) - before[1],
    )


def _has_history(
    rule: Rule, control: dict[str, Any], days: np.ndarray, pts: np.ndarray, step: int
) -> np.ndarray:
    """Which points the algorithm can evaluate: reference periods b years back (farrington*) or the EARS
    baseline must lie inside the history; mpm reports missing history itself (NaN threshold)."""
    if rule.algorithm in ("farrington", "farringtonFlexible"):
        b, w = int(control.get("b", 5)), int(control.get("w", 3))
        margin = (w + 1) * step + 3  # the ±w reference window, and ±3 days to the nearest same weekday
        return np.array([minus_years(int(days[k]), b) - margin >= days[0] for k in pts], dtype=bool)
    if rule.algorithm in _EARS_LAG:
        baseline = int(control.get("baseline", 7))
        return pts >= baseline + _EARS_LAG[rule.algorithm]
    return np.ones(pts.size, dtype=bool)


def _collect(
    rule: Rule,
    control: dict[str, Any],
    counts: cnt.Counts,
    cols: np.ndarray,
    y: np.ndarray,
    pts: np.ndarray,
    alarm: np.ndarray,
    upper: np.ndarray,
    out: _Alarms,
) -> None:
    """Append one row per alarm with the count the algorithm compared (mpm: the obsDays-period sum)."""
    width = int(control.get("obsDays", 7)) if rule.algorithm == "mpm" else 1
    csum = np.vstack([np.zeros((1, y.shape[1])), np.cumsum(y, axis=0)])
    observed = csum[pts + 1] - csum[np.maximum(pts + 1 - width, 0)]
    ti, si = np.nonzero(alarm == 1)
    if ti.size == 0:
        return
    ends = counts.ends[pts[ti]]
    params = json.dumps(control, ensure_ascii=False, sort_keys=True)
    c = out.columns
    c["rule_id"] += [rule.id] * ti.size
    c["disease"] += list(counts.diseases[cols[si]])
    c["region_code"] += list(counts.regions[cols[si]])
    c["frequency"] += [rule.frequency] * ti.size
    c["date_basis"] += [rule.date_basis] * ti.size
    c["window_start"] += list(ends - (width * counts.step - 1))
    c["time_point"] += list(ends)
    c["observed"] += list(observed[ti, si])
    c["threshold"] += list(upper[ti, si])
    c["algorithm"] += [rule.algorithm] * ti.size
    c["parameters"] += [params] * ti.size


def _quiet(con: duckdb.DuckDBPyConnection, alarms: _Alarms, quiet_days: dict[str, int]) -> None:
    """Keep one signal per episode: an alarm within `quiet_days` after a signal of the same rule, disease and
    county (stored earlier or kept in this run) continues that signal's episode and is not stored again.

    The moving percentile method sums a 7-day window, so one rise alarms on up to 7 days running; a county
    CDC verifies it once (an hqd choice, set per rule as quiet_days; 0 keeps every alarm).
    """
    c = alarms.columns
    if not c["rule_id"] or not any(quiet_days.values()):
        return
    existing: dict[tuple[str, str, str], list[dt.date]] = {}
    for rule, disease, region, t in con.execute(
        "SELECT rule_id, disease, region_code, time_point FROM ews_signals ORDER BY time_point"
    ).fetchall():
        existing.setdefault((rule, disease, region), []).append(t)
    order = sorted(range(len(c["rule_id"])), key=lambda i: (c["rule_id"][i], c["disease"][i], c["region_code"][i],
                                                          c["time_point"][i]))  # fmt: skip
    keep = []
    kept: dict[tuple[str, str, str], list[dt.date]] = {}
    for i in order:
        key = (c["rule_id"][i], c["disease"][i], c["region_code"][i])
        quiet = quiet_days.get(key[0], 0)
        t = np.datetime64(c["time_point"][i], "D").item()
        last = max((x for x in existing.get(key, []) + kept.get(key, []) if x < t), default=None)
        if quiet and last is not None and (t - last).days <= quiet:
            continue
        keep.append(i)
        kept.setdefault(key, []).append(t)
    keep.sort()
    for k in c:
        c[k] = [c[k][i] for i in keep]


def _store(con: duckdb.DuckDBPyConnection, alarms: _Alarms, run_id: int, now: dt.datetime) -> int:
    """Insert the alarms not stored yet; the anti-join on the signal key is what makes re-runs idempotent."""
    c = alarms.columns
    if not c["rule_id"]:
        return 0
    table = pa.table(
        {
            **{k: pa.array(c[k], pa.string()) for k in ("rule_id", "disease", "region_code")},
            **{
                k: pa.array(c[k], pa.string()) for k in ("frequency", "date_basis", "algorithm", "parameters")
            },
            "window_start": pa.array(np.asarray(c["window_start"], dtype="datetime64[D]"), pa.date32()),
            "time_point": pa.array(np.asarray(c["time_point"], dtype="datetime64[D]"), pa.date32()),
            "observed": pa.array(np.asarray(c["observed"], dtype=float)),
            "threshold": pa.array(np.asarray(c["threshold"], dtype=float), from_pandas=True),
        }
    )
    con.register("ews_new_alarms", table)
    try:
        before = con.execute("SELECT count(*) FROM ews_signals").fetchall()[0][0]
        con.execute(
            """
            INSERT INTO ews_signals (signal_id, rule_id, disease, region_code, frequency, date_basis,
                window_start, time_point, observed, threshold, algorithm, parameters, run_id,
                catalog_version, created_at, status)
            SELECT nextval('ews_signal_id_seq'), a.rule_id, a.disease, a.region_code, a.frequency,
                   a.date_basis, a.window_start, a.time_point, a.observed, a.threshold, a.algorithm,
                   a.parameters, ?, ?, ?, 'new'
            FROM (SELECT * FROM ews_new_alarms ORDER BY time_point, rule_id, disease, region_code) a
            WHERE NOT EXISTS (
                SELECT 1 FROM ews_signals s
                WHERE s.rule_id = a.rule_id AND s.disease = a.disease
                  AND s.region_code = a.region_code AND s.time_point = a.time_point)
            """,
            [run_id, catalog_version(), now],
        )
        return int(con.execute("SELECT count(*) FROM ews_signals").fetchall()[0][0] - before)
    finally:
        con.unregister("ews_new_alarms")
