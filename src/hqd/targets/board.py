"""The targets board: every loaded target evaluated, printed, stored (target_evaluations) and exported."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hqd.catalog import catalog_version
from hqd.indicators.periods import PeriodError, parse
from hqd.tabular import write_table
from hqd.targets.items import Measure, resolve
from hqd.targets.series import Reader
from hqd.targets.status import STATUS, Evaluation, Target, evaluate

COLOUR = {"met": "green", "on_track": "cyan", "at_risk": "yellow", "missed": "red", "no_data": "dim"}
COLUMNS = ["subject_code", "subject_name", "item", "comparator", "target_value", "deadline", "baseline", "source",
           "status", "status_zh", "latest_period", "latest_value", "latest_text", "projection", "interval_low",
           "interval_high", "p_meet", "periods_used", "reason_zh", "reason_en"]  # fmt: skip


def load_targets(con: duckdb.DuckDBPyConnection, subject: str | None = None) -> list[Target]:
    rows = con.execute(
        "SELECT subject_code, item, comparator, target_value, target_number, deadline, baseline, source FROM targets "
        "WHERE ? IS NULL OR subject_code = ? ORDER BY subject_code, deadline, item",
        [subject, subject],
    ).fetchall()
    return [Target(*r) for r in rows]


def evaluate_all(
    con: duckdb.DuckDBPyConnection,
    subject: str | None = None,
    keep: Callable[[Target, Measure | None], bool] | None = None,
) -> list[Evaluation]:
    """Every loaded target (or those `keep` accepts, e.g. a programme page's own) against its deadline."""
    reader = Reader(con)
    out = []
    for t in load_targets(con, subject):
        m = resolve(t.item)
        if keep is not None and not keep(t, m):
            continue
        try:
            kind = parse(t.deadline).kind
        except PeriodError:
            kind = "year"
        points = reader.series(m, t.subject_code, kind) if m else []
        scheme = reader.scheme_for(t.subject_code) if m and m.kind in ("grade", "rank_percentile") else None
        if m and m.kind in ("grade", "rank_percentile") and scheme is None:
            out.append(Evaluation(t, "no_data", "对象不是适用评分方案的机构", "the subject is not an institution a scoring scheme applies to"))  # fmt: skip
            continue
        out.append(evaluate(t, m, points, scheme))
    return out


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT org_code, name FROM institutions UNION ALL SELECT region_code, name FROM regions"
    ).fetchall()
    return dict(rows)


def rows(con: duckdb.DuckDBPyConnection, evals: list[Evaluation]) -> list[dict[str, Any]]:
    known = names(con)
    out = []
    for e in evals:
        t = e.target
        out.append({
            "subject_code": t.subject_code, "subject_name": known.get(t.subject_code, ""), "item": t.item,
            "comparator": t.comparator, "target_value": t.target_value, "deadline": t.deadline,
            "baseline": t.baseline, "source": t.source, "status": e.status, "status_zh": STATUS[e.status][0],
            "latest_period": e.latest.period.text if e.latest else None,
            "latest_value": e.latest.value if e.latest else None, "latest_text": e.latest.text if e.latest else None,
            "projection": e.fit.value if e.fit else None, "interval_low": e.interval[0] if e.interval else None,
            "interval_high": e.interval[1] if e.interval else None, "p_meet": e.p_meet,
            "periods_used": e.periods_used, "reason_zh": e.reason_zh, "reason_en": e.reason_en,
        })  # fmt: skip
    return out


def save(con: duckdb.DuckDBPyConnection, table: list[dict[str, Any]], subject: str | None) -> None:
    now, version = datetime.now(), catalog_version()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM target_evaluations WHERE ? IS NULL OR subject_code = ?", [subject, subject])
        for r in table:
            con.execute(
                f"INSERT INTO target_evaluations VALUES ({', '.join('?' * 18)})",
                [r["subject_code"], r["item"], r["deadline"], r["comparator"], r["target_value"], r["status"],
                 r["latest_period"], r["latest_value"], r["latest_text"], r["projection"], r["interval_low"],
                 r["interval_high"], r["p_meet"], r["periods_used"], r["reason_zh"], r["reason_en"], now, version],
            )  # fmt: skip
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def write(table: list[dict[str, Any]], out: Path) -> None:
    write_table(out, COLUMNS, ([r[c] for c in COLUMNS] for r in table), sheet="targets")


def print_board(table: list[dict[str, Any]], console: Console) -> None:
    board = Table(title="目标看板 targets board", title_justify="left")
    for col in (
        "对象 subject",
        "目标 target",
        "最新 latest",
        "预测 projection",
        "状态 status",
        "原因 reason",
    ):
        board.add_column(col)
    for r in table:
        latest = f"{r['latest_period']}: {r['latest_text']}" if r["latest_period"] else "—"
        proj = "—" if r["projection"] is None else f"{r['projection']:,.2f}"
        if r["interval_low"] is not None:
            proj += f" [{r['interval_low']:,.2f}, {r['interval_high']:,.2f}]"
        board.add_row(
            Text(r["subject_name"] or r["subject_code"]),
            Text(f"{r['item']} {r['comparator']} {r['target_value']}（{r['deadline']}）"),
            Text(latest),
            Text(proj),
            Text(f"{r['status_zh']} {STATUS[r['status']][1]}", style=COLOUR[r["status"]]),
            Text(f"{r['reason_zh']} / {r['reason_en']}"),
        )
    console.print(board)
    counts = {s: sum(1 for r in table if r["status"] == s) for s in STATUS}
    console.print("  ".join(f"{STATUS[s][0]} {STATUS[s][1]}: {n}" for s, n in counts.items()))


def show_board(
    con: duckdb.DuckDBPyConnection, console: Console, subject: str | None = None
) -> list[dict[str, Any]]:
    """Evaluate, store and print the board (what `hqd targets` and `hqd demo` show)."""
    table = rows(con, evaluate_all(con, subject))
    save(con, table, subject)
    if table:
        print_board(table, console)
    return table
