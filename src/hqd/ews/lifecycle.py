"""The signal lifecycle new → verified → dismissed | confirmed, recording who decided when, for audit and timeliness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

STATUSES = ("new", "verified", "dismissed", "confirmed")
LABELS = {"new": "新信号", "verified": "已核实", "dismissed": "已排除", "confirmed": "已确认"}
# Verification (初步核实) comes first; only a verified signal can be judged an event or excluded.
TRANSITIONS = {"new": ("verified",), "verified": ("dismissed", "confirmed"), "dismissed": (), "confirmed": ()}
_DECIDED = {"verified": "verified", "dismissed": "dismissed", "confirmed": "confirmed"}
COLUMNS = (
    "signal_id",
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
    "run_id",
    "catalog_version",
    "created_at",
    "status",
    "verified_by",
    "verified_at",
    "dismissed_by",
    "dismissed_at",
    "confirmed_by",
    "confirmed_at",
)


class LifecycleError(ValueError):
    """A decision the lifecycle does not allow; the message is one Chinese + English sentence."""


@dataclass(frozen=True)
class Decision:
    signal_id: int
    from_status: str
    to_status: str
    user: str
    at: dt.datetime
    note: str | None


def decide(
    con: duckdb.DuckDBPyConnection,
    signal_id: int,
    to_status: str,
    *,
    user: str,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> Decision:
    """Move a signal to `to_status` if the lifecycle allows it, recording the decision in the audit table.

    The status is re-checked inside the UPDATE, so two people deciding at once cannot both succeed.
    """
    if to_status not in _DECIDED:
        raise LifecycleError(
            f"状态 {to_status!r} 不是可做出的决定（verified/dismissed/confirmed）；"
            f"{to_status!r} is not a decision (verified/dismissed/confirmed)"
        )
    if not user or not user.strip():
        raise LifecycleError("必须用 --user 说明是谁做出的决定；--user must name who decides")
    user = user.strip()
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute("SELECT status FROM ews_signals WHERE signal_id = ?", [signal_id]).fetchall()
        if not row:
            raise LifecycleError(f"信号 {signal_id} 不存在；signal {signal_id} does not exist")
        current = row[0][0]
        if to_status not in TRANSITIONS[current]:
            allowed = TRANSITIONS[current]
            zh_next = "、".join(LABELS[s] for s in allowed) or "无（已结案）"
            en_next = ", ".join(allowed) or "none, it is closed"
            raise LifecycleError(
                f"信号 {signal_id} 当前为{LABELS[current]}（{current}），不能改为{LABELS[to_status]}，"
                f"只能改为：{zh_next}；signal {signal_id} is {current} and cannot become {to_status} "
                f"(allowed: {en_next})"
            )
        when = at or con.execute("SELECT current_timestamp::TIMESTAMP").fetchall()[0][0]
        col = _DECIDED[to_status]
        changed = con.execute(
            f"UPDATE ews_signals SET status = ?, {col}_by = ?, {col}_at = ? WHERE signal_id = ? AND status = ?",
            [to_status, user, when, signal_id, current],
        ).fetchall()[0][0]
        if changed != 1:
            raise LifecycleError(
                f"信号 {signal_id} 的状态刚被他人修改，请重试；signal {signal_id} was just changed by someone else, retry"
            )
        con.execute(
            "INSERT INTO ews_signal_decisions VALUES (nextval('ews_decision_id_seq'), ?, ?, ?, ?, ?, ?)",
            [signal_id, current, to_status, user, when, note],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return Decision(signal_id, current, to_status, user, when, note)


def verify(con: duckdb.DuckDBPyConnection, signal_id: int, **kw: Any) -> Decision:
    """初步核实: the response that starts the signal's handling and stops its response clock."""
    return decide(con, signal_id, "verified", **kw)


def dismiss(con: duckdb.DuckDBPyConnection, signal_id: int, **kw: Any) -> Decision:
    """排除: verification found no event (a data artefact, a known cluster, ordinary variation)."""
    return decide(con, signal_id, "dismissed", **kw)


def confirm(con: duckdb.DuckDBPyConnection, signal_id: int, **kw: Any) -> Decision:
    """确认: verification judged it a (suspected) outbreak to investigate."""
    return decide(con, signal_id, "confirmed", **kw)


def list_signals(
    con: duckdb.DuckDBPyConnection,
    *,
    status: str | None = None,
    disease: str | None = None,
    region: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Signals newest time point first, as the work list a county CDC goes through."""
    if status is not None and status not in STATUSES:
        raise LifecycleError(
            f"状态 {status!r} 无效，可选 {'/'.join(STATUSES)}；status {status!r} is not one of {'/'.join(STATUSES)}"
        )
    where, params = [], []
    for col, value in (("status", status), ("disease", disease), ("region_code", region)):
        if value is not None:
            where.append(f"{col} = ?")
            params.append(value)
    sql = f"SELECT {', '.join(COLUMNS)} FROM ews_signals"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY time_point DESC, disease, region_code, rule_id"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return [dict(zip(COLUMNS, row, strict=True)) for row in con.execute(sql, params).fetchall()]


def decisions(con: duckdb.DuckDBPyConnection, signal_id: int) -> list[Decision]:
    """The audit trail of one signal, oldest first."""
    rows = con.execute(
        "SELECT signal_id, from_status, to_status, user_name, decided_at, note FROM ews_signal_decisions "
        "WHERE signal_id = ? ORDER BY decision_id",
        [signal_id],
    ).fetchall()
    return [Decision(*r) for r in rows]
