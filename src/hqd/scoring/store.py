"""Storing a period's scores (tables of migration 0004) and flattening them into export rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from hqd.catalog import catalog_version
from hqd.scoring.period import PeriodScores
from hqd.warehouse.crashpoint import pause_before_commit


def institution_rows(ps: PeriodScores) -> list[dict[str, Any]]:
    """One row per institution of the scheme's level: scored ones by peer group and rank, then the rest."""
    rows = []
    for s in ps.ordered():
        inst, st = ps.institutions[s.org_code], s.standing
        rows.append({
            "org_code": s.org_code, "name": inst.name, "category": inst.category, "peer_group": s.peer_group,
            "peers": st.peers, "total": s.total, "rank": st.rank, "rank_percentile": st.rank_percentile,
            "grade": st.grade, "grade_basis": st.basis, "reference": s.reference, "note": st.note, "scored": s,
        })  # fmt: skip
    for org, reason in sorted(ps.unscored.items()):
        inst = ps.institutions[org]
        rows.append({
            "org_code": org, "name": inst.name, "category": inst.category, "peer_group": inst.peer_group,
            "peers": None, "total": None, "rank": None, "rank_percentile": None, "grade": None,
            "grade_basis": None, "reference": None, "note": reason, "scored": None,
        })  # fmt: skip
    return rows


def save(con: duckdb.DuckDBPyConnection, ps: PeriodScores) -> int:
    """Replace the stored scores of this scheme, period and reference; return the run id."""
    con.execute("BEGIN TRANSACTION")
    try:
        old = "SELECT run_id FROM score_runs WHERE scheme = ? AND period = ? AND reference = ?"
        for table in ("score_items", "scores", "score_runs"):
            con.execute(f"DELETE FROM {table} WHERE run_id IN ({old})", [ps.scheme.id, ps.period, ps.mode])
        run = con.execute("SELECT nextval('score_run_seq')").fetchone()[0]
        con.execute("INSERT INTO score_runs VALUES (?, ?, ?, ?, ?, ?)",
                    [run, ps.scheme.id, ps.period, ps.mode, catalog_version(), datetime.now()])  # fmt: skip
        scores, items = [], []
        for r in institution_rows(ps):
            scores.append([run, ps.scheme.id, ps.period, r["org_code"], r["peer_group"], r["peers"], r["total"],
                           r["rank"], r["rank_percentile"], r["grade"], r["grade_basis"], r["reference"], r["note"]])  # fmt: skip
            if r["scored"] is None:
                continue
            for i in r["scored"].items.values():
                items.append([run, ps.scheme.id, ps.period, r["org_code"], i.indicator_id, i.entry, i.value, i.status,
                              i.method, i.basis or None, i.score, i.max_points, i.points, i.lost, i.note or None])  # fmt: skip
        if scores:
            con.executemany(f"INSERT INTO scores VALUES ({', '.join('?' * 13)})", scores)
        if items:
            con.executemany(f"INSERT INTO score_items VALUES ({', '.join('?' * 15)})", items)
        pause_before_commit()
        con.execute("COMMIT")
    except BaseException:  # an interrupt too: nothing of a half-stored run stays
        con.execute("ROLLBACK")
        raise
    return run
