"""Signal response timeliness as CIDARS reports it, kept as numerator and denominator for later indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from .runner import period_bounds

_SENT = """
WITH RECURSIVE area(code) AS (
    SELECT CAST($region AS VARCHAR)
    UNION
    SELECT r.region_code FROM regions r JOIN area a ON r.parent_code = a.code
),
sent AS (
    SELECT created_at,
           CASE WHEN verified_at <= $as_of THEN verified_at END AS responded_at,
           epoch(responded_at - created_at) / 3600.0 AS hours
    FROM ews_signals
    WHERE region_code IN (SELECT code FROM area)
      AND created_at >= $start AND created_at < $stop AND created_at <= $as_of
      AND ($algorithms IS NULL OR list_contains($algorithms, algorithm))
)
"""

# 24 h内响应率: numerator and denominator.
TIMELY_SQL = (
    _SENT
    + """
SELECT count(*) FILTER (WHERE hours <= $within) AS numerator,
       count(*) FILTER (WHERE responded_at IS NOT NULL
                           OR epoch($as_of - created_at) / 3600.0 > $within) AS denominator
FROM sent
"""
)

# 响应时间 median (P25–P75) in hours, with the signals sent and responded to (信号响应率).
MEDIAN_SQL = (
    _SENT
    + """
SELECT count(responded_at) AS responded, count(*) AS sent,
       median(hours) AS median_hours,
       quantile_cont(hours, 0.25) AS p25_hours,
       quantile_cont(hours, 0.75) AS p75_hours
FROM sent
"""
)


@dataclass(frozen=True)
class Timeliness:
    region: str
    period: str
    within_hours: float
    timely: int  # numerator: verified within within_hours
    due: int  # denominator: verified, or past its response window
    responded: int  # verified signals (the median's n; numerator of the response rate)
    sent: int  # signals sent in the period (denominator of the response rate)
    median_hours: float | None
    p25_hours: float | None
    p75_hours: float | None

    @property
    def timely_share(self) -> float | None:
        return self.timely / self.due if self.due else None

    @property
    def response_rate(self) -> float | None:
        return self.responded / self.sent if self.sent else None


def timeliness(
    con: duckdb.DuckDBPyConnection,
    region: str,
    period: str,
    *,
    within_hours: float = 24.0,
    algorithms: Sequence[str] | None = None,
    as_of: dt.datetime | None = None,
) -> Timeliness:
    """Timely response share and response-time median for the signals of a region sent in a period.

    Definitions (early-warning.md §10.3, from the CIDARS performance reports, 疾病监测 2016/2018):

    * A signal is *sent* at ``created_at`` (when the run stored it) and *responded to* at ``verified_at``
      (初步核实, the first decision; dismissal and confirmation always come after it).
    * **Response time (响应时间)** = verified_at − created_at, in hours, reported as the median (P25–P75) over
      the signals sent in the period that have been verified.
    * **Signal response rate (信号响应率)** = verified signals / signals sent.
    * **Timely response rate (24 h内响应率)** = signals verified within ``within_hours`` (≤, 24 h for
      temporal-model signals; pass 2 for the fixed-threshold 2 h rate and ``algorithms=["fixed"]``) / signals
      whose response is due: verified, or sent more than ``within_hours`` before ``as_of``. A signal still
      inside its response window is in neither part, so a recent period is not penalised for signals that can
      still be answered in time.

    Signals sent after ``as_of`` (default: now) do not exist yet for the computation, and verifications after
    it do not count. A region is a county or any ancestor: signals count for every region above their
    county in ``regions``. The period (2025, 2025Q3, 2025-07) selects signals by the day they were sent.
    """
    start, end = period_bounds(period)
    if as_of is None:
        as_of = con.execute("SELECT current_timestamp::TIMESTAMP").fetchall()[0][0]
    params = {
        "region": region,
        "start": dt.datetime.combine(start, dt.time()),
        "stop": dt.datetime.combine(end + dt.timedelta(days=1), dt.time()),
        "algorithms": list(algorithms) if algorithms is not None else None,
        "as_of": as_of,
    }
    timely, due = con.execute(TIMELY_SQL, {**params, "within": float(within_hours)}).fetchall()[0]
    responded, sent, median, p25, p75 = con.execute(MEDIAN_SQL, params).fetchall()[0]
    return Timeliness(region, period, float(within_hours), timely, due, responded, sent, median, p25, p75)
