"""Early warning on the dashboard: the signal work list in scope, a signal's series with its threshold line,
and the verify / dismiss / confirm decisions through the lifecycle module (the same path as `hqd ews`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import numpy as np

from hqd.ews import counts as cnt
from hqd.ews import lifecycle
from hqd.ews.algorithms import REGISTRY
from hqd.ews.rules import FREQUENCIES
from hqd.web.orgs import names
from hqd.web.scope import Forbidden, NotFound, Scope

WINDOW_DAYS = 120  # days of history shown before a signal's time point
AFTER_DAYS = 28


def _check(scope: Scope) -> None:
    if scope.hospital:
        raise Forbidden("医院用户不处理预警信号", "hospital users do not handle early-warning signals")


def signals(con: duckdb.DuckDBPyConnection, scope: Scope, status: str | None = None,
            disease: str | None = None, limit: int = 500) -> list[dict[str, Any]]:  # fmt: skip
    """The signals of the counties in scope, newest first (the county CDC's work list)."""
    _check(scope)
    nm = names(con)
    out = []
    for s in lifecycle.list_signals(con, status=status, disease=disease):
        if s["region_code"] in scope.regions:
            s["region_name"] = nm.get(s["region_code"], s["region_code"])
            out.append(s)
            if len(out) >= limit:
                break
    return out


def signal(con: duckdb.DuckDBPyConnection, scope: Scope, signal_id: int) -> dict[str, Any]:
    _check(scope)
    row = con.execute(
        f"SELECT {', '.join(lifecycle.COLUMNS)} FROM ews_signals WHERE signal_id = ?", [signal_id]
    ).fetchone()
    if row is None:
        raise NotFound(f"信号 {signal_id} 不存在", f"there is no signal {signal_id}")
    s = dict(zip(lifecycle.COLUMNS, row, strict=True))
    if s["region_code"] not in scope.regions:
        raise Forbidden(f"信号 {signal_id} 不在您的辖区", f"signal {signal_id} lies outside your scope")
    s["region_name"] = names(con).get(s["region_code"], s["region_code"])
    s["decisions"] = [
        {"from": d.from_status, "to": d.to_status, "user": d.user, "at": d.at, "note": d.note}
        for d in lifecycle.decisions(con, signal_id)
    ]
    return s


def series(con: duckdb.DuckDBPyConnection, scope: Scope, signal_id: int) -> dict[str, Any]:
    """The counts of the signal's disease and county around it, with the rule's threshold at every point
    (the algorithm re-run with the stored parameters) and the series' signals marked."""
    s = signal(con, scope, signal_id)
    first = cnt.history_start(con)
    tp: dt.date = s["time_point"]
    stop = min(tp + dt.timedelta(days=AFTER_DAYS), cnt.history_end(con) or tp)
    counts = cnt.load_counts(con, frequency=s["frequency"], date_basis=s["date_basis"], start=first or tp,
                             end=stop, diseases=[s["disease"]])  # fmt: skip
    col = [i for i, r in enumerate(counts.regions) if r == s["region_code"]]
    if not col:
        return {"signal": s, "points": []}
    y = counts.counts[:, col]
    show = np.flatnonzero(counts.ends >= np.datetime64(tp - dt.timedelta(days=WINDOW_DAYS), "D"))
    upper = np.full(show.size, np.nan)
    observed = y[show, 0]
    if show.size and s["algorithm"] in REGISTRY:
        control = json.loads(s["parameters"])
        freq = FREQUENCIES[s["frequency"]]
        res = REGISTRY[s["algorithm"]](y, dates=counts.ends, freq=freq, range=show + 1, control=control)
        upper = np.asarray(res.upperbound, dtype=float).reshape(-1)
        if s["algorithm"] == "mpm":  # the MPM compares the sum over its observation window
            width = int(control.get("obsDays", 7))
            csum = np.concatenate([[0.0], np.cumsum(y[:, 0])])
            observed = csum[show + 1] - csum[np.maximum(show + 1 - width, 0)]
    marks = {
        d: sid for sid, d in con.execute(
            "SELECT signal_id, time_point FROM ews_signals WHERE rule_id = ? AND disease = ? AND region_code = ?",
            [s["rule_id"], s["disease"], s["region_code"]]).fetchall()
    }  # fmt: skip
    points = []
    for k, t in enumerate(show):
        day = counts.ends[t].astype(dt.date)
        u = float(upper[k]) if k < upper.size and not np.isnan(upper[k]) else None
        points.append(
            {"date": day, "observed": float(observed[k]), "threshold": u, "signal_id": marks.get(day)}
        )
    return {"signal": s, "points": points}


def decide(con: duckdb.DuckDBPyConnection, scope: Scope, signal_id: int, decision: str, note: str | None
           ) -> lifecycle.Decision:  # fmt: skip
    """Verify, dismiss or confirm a signal in scope, as the logged-in user."""
    signal(con, scope, signal_id)
    to = {"verify": "verified", "dismiss": "dismissed", "confirm": "confirmed"}.get(decision)
    if to is None:
        raise NotFound(f"决定 {decision} 无效", f"{decision} is not verify, dismiss or confirm")
    return lifecycle.decide(con, signal_id, to, user=scope.user.name, note=note)
