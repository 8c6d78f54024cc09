"""Case counts by disease × county per day or week, as dense arrays aggregated in DuckDB, never row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np

DELETED = "已删除"
_DATE_COLUMN = {"onset": "onset_date", "report": "report_date"}
_STEP = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class Counts:
    """counts[t, s]: cases of series s (diseases[s] in regions[s]) in the period ending on ends[t]."""

    frequency: str
    date_basis: str
    ends: np.ndarray  # datetime64[D]: the last day of each period (the day itself, or a week's Sunday)
    diseases: np.ndarray  # (series,) str
    regions: np.ndarray  # (series,) str
    counts: np.ndarray  # (time, series) float64, as the algorithms want

    @property
    def step(self) -> int:
        return _STEP[self.frequency]


def history_start(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The first day the warehouse covers: the earliest report date of a card that counts.

    Report date, whatever the counting basis, because reports are what was loaded: onset days before the
    first report are known only through cards reported later and would look like quiet history.
    """
    row = con.execute(
        "SELECT min(report_date) FROM idr_cases WHERE audit_status IS DISTINCT FROM ?", [DELETED]
    ).fetchone()
    return row[0] if row else None


def history_end(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The last day with reports: later days have no data yet, so evaluating them would say nothing."""
    row = con.execute(
        "SELECT max(report_date) FROM idr_cases WHERE audit_status IS DISTINCT FROM ?", [DELETED]
    ).fetchone()
    return row[0] if row else None


def period_axis(frequency: str, start: dt.date, end: dt.date) -> np.ndarray:
    """End days of the whole periods inside [start, end]: every day, or the Sundays of full Mon–Sun weeks
    (a week cut by the start of the history would be a falsely low count)."""
    first = np.datetime64(start, "D")
    last = np.datetime64(end, "D")
    if frequency == "daily":
        return np.arange(first, last + 1)
    monday = first + (-(first - np.datetime64("1970-01-05")).astype(int)) % 7
    sundays = np.arange(monday + 6, last + 1, 7)
    return sundays.astype("datetime64[D]")


def load_counts(
    con: duckdb.DuckDBPyConnection,
    *,
    frequency: str,
    date_basis: str,
    start: dt.date,
    end: dt.date,
    diseases: Sequence[str] | None = None,
) -> Counts:
    """Counts of non-deleted cards for the whole periods between start and end, zero where no card fell.

    A series exists for every (disease, county) with at least one card in the range; restricting to
    ``diseases`` keeps unmonitored diseases out of the arrays.

    Which date puts a card into a period is a rule option (``date_basis``). Onset (发病日期) is the default
    because it is when transmission shows: a cluster is tight in onset dates, while report dates spread it
    over reporting delays and add weekday, weekend and holiday artefacts (batch reporting after 春节) that
    the moving percentile would read as rises and falls. Report date (报告日期) suits the fixed threshold,
    which must signal when a card arrives even if its onset lies in a period already evaluated. The price
    of onset is that the last days are incomplete until late cards arrive: a current count can only be too
    low, never too high.
    """
    if frequency not in _STEP or date_basis not in _DATE_COLUMN:
        raise ValueError(f"frequency {frequency!r} / date_basis {date_basis!r}")
    ends = period_axis(frequency, start, end)
    step = _STEP[frequency]
    if ends.size == 0:
        empty = np.empty(0, dtype=object)
        return Counts(frequency, date_basis, ends, empty, empty, np.zeros((0, 0)))
    first_day = (ends[0] - (step - 1)).astype(object)
    col = _DATE_COLUMN[date_basis]
    filt = "" if diseases is None else "AND list_contains(?, disease)"
    params: list[object] = [first_day, DELETED, first_day, ends[-1].astype(object)]
    if diseases is not None:
        params.append(list(diseases))
    rows = con.execute(
        f"""
        WITH agg AS (
            SELECT disease, residence_code AS region_code,
                   date_diff('day', ?::DATE, {col}) // {step} AS t, count(*) AS n
            FROM idr_cases
            WHERE audit_status IS DISTINCT FROM ? AND {col} BETWEEN ? AND ? {filt}
            GROUP BY ALL
        )
        SELECT disease, region_code, t, n,
               dense_rank() OVER (ORDER BY disease, region_code) - 1 AS s
        FROM agg
        """,
        params,
    ).fetchnumpy()
    s = np.asarray(rows["s"], dtype=np.int64)
    nseries = int(s.max()) + 1 if s.size else 0
    dis = np.empty(nseries, dtype=object)
    reg = np.empty(nseries, dtype=object)
    dis[s] = np.asarray(rows["disease"], dtype=object)
    reg[s] = np.asarray(rows["region_code"], dtype=object)
    counts = np.zeros((ends.size, nseries))
    counts[np.asarray(rows["t"], dtype=np.int64), s] = np.asarray(rows["n"], dtype=float)
    return Counts(frequency, date_basis, ends, dis, reg, counts)
