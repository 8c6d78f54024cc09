"""A subject's value of a target's measure, period by period, read from the warehouse (nothing recomputed
but the assessment scores, which come from the scoring stage)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from hqd.indicators import prepare
from hqd.indicators.periods import Period, PeriodError, parse
from hqd.scoring.period import PeriodScores, ScoringError, score_period
from hqd.scoring.schemes import Scheme, scheme_for_level
from hqd.targets.items import Measure
from hqd.targets.scales import scales
from hqd.warehouse.bulk import insert_rows


@dataclass
class Point:
    period: Period
    value: float | None
    text: str
    note: str = ""


def containing(text: str, kind: str) -> str | None:
    """The period of a kind (year, quarter, month) that contains a period text, or None."""
    try:
        p = parse(text)
    except PeriodError:
        return None
    if kind == "year":
        return str(p.year)
    if kind == "quarter" and p.kind in ("quarter", "month"):
        return f"{p.year}Q{(p.start.month - 1) // 3 + 1}"
    return p.text if p.kind == kind else None


class Reader:
    """Reads series for one warehouse; scores of a scheme and period are computed once and reused."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._scores: dict[tuple[str, str], PeriodScores | str] = {}

    def observed(self, kind: str) -> list[Period]:
        """Periods of a kind the warehouse holds data for (computed values, reported values, registry rows)."""
        texts = self.con.execute(
            "SELECT DISTINCT period FROM indicator_values UNION SELECT DISTINCT period FROM reported_values "
            "UNION SELECT DISTINCT period FROM assistance"
        ).fetchall()
        found = {c for (t,) in texts if (c := containing(t, kind))}
        return sorted((parse(t) for t in found), key=lambda p: p.start)

    def series(self, m: Measure, subject: str, kind: str) -> list[Point]:
        return getattr(self, f"_{m.kind}")(m, subject, kind)

    # -- one reader per kind of measure ------------------------------------------------------------------
    def _indicator(self, m: Measure, subject: str, kind: str) -> list[Point]:
        rows = self.con.execute(
            "SELECT period, value FROM indicator_values WHERE indicator_id = ? AND org_code = ? AND status = 'ok'",
            [m.key, subject],
        ).fetchall()
        return _points([(t, v, f"{v:,.2f}") for t, v in rows if containing(t, kind) == t])

    def _element(self, m: Measure, subject: str, kind: str) -> list[Point]:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE element_meta (code VARCHAR, aggregation VARCHAR, unit VARCHAR)"
        )
        insert_rows(self.con, "element_meta", ("code", "aggregation", "unit"), prepare.element_meta_rows())
        texts = self.con.execute(
            "SELECT DISTINCT period FROM reported_values WHERE org_code = ? AND element = ?", [subject, m.key]
        ).fetchall()
        out = []
        for period in sorted({c for (t,) in texts if (c := containing(t, kind))}):
            sql = prepare.element_values_sql(parse(period))
            row = self.con.execute(f"SELECT value FROM ({sql}) WHERE org_code = ? AND element = ?", [subject, m.key]).fetchone()  # fmt: skip
            if row and row[0] is not None:
                out.append((period, row[0], f"{row[0]:,.2f}"))
        return _points(out)

    def _derived(self, m: Measure, subject: str, kind: str) -> list[Point]:
        spec = m.spec
        num = {
            p.period.text: p.value
            for p in self._element(Measure("element", spec["numerator"], "", ""), subject, kind)
        }
        den = {
            p.period.text: p.value
            for p in self._element(Measure("element", spec["denominator"], "", ""), subject, kind)
        }
        fallback = None
        if spec.get("fallback"):
            row = self.con.execute(
                f"SELECT {spec['fallback']} FROM regions WHERE region_code = ?", [subject]
            ).fetchone()
            fallback = row[0] if row else None
        out = []
        for period, n in sorted(num.items()):
            d = den.get(period, fallback)
            if n is not None and d:
                v = n / d * float(spec.get("scale", 1))
                out.append((period, v, f"{v:,.2f}（{n:,.0f} / {d:,.0f} × {spec.get('scale', 1)}）"))
        return _points(out)

    def _rating(self, m: Measure, subject: str, kind: str) -> list[Point]:
        scale = scales().get(m.key)
        rows = self.con.execute(
            "SELECT level, rated_on FROM ratings WHERE org_code = ? AND item = ? ORDER BY rated_on",
            [subject, m.key],
        ).fetchall()
        if not rows:
            return []
        out = []
        for p in self.observed(kind):
            held = [(lv, d) for lv, d in rows if d < p.end]
            if not held:
                continue
            level, day = held[-1]
            ordinal = scale.ordinal(level) if scale else None
            note = (
                ""
                if ordinal is not None
                else f"“{level}”不在 {m.key} 的等级序列中 / {level} is not a level of the {m.key} scale"
            )
            out.append(
                Point(p, None if ordinal is None else float(ordinal), f"{level}（{day:%Y-%m-%d}）", note)
            )
        return out

    def _count(self, m: Measure, subject: str, kind: str) -> list[Point]:
        spec, table = m.spec, m.spec["table"]
        who = f"({spec['subject']} = ? OR {spec['subject']} = (SELECT name FROM institutions WHERE org_code = ?))"
        where = f"{who} AND ({spec.get('where', 'true')})"
        if "flow" in spec:
            rows = self.con.execute(
                f"SELECT period, sum({spec['flow']['sum']}) FROM {table} WHERE {where} GROUP BY period",
                [subject, subject],
            ).fetchall()
            totals: dict[str, float] = {}
            for t, v in rows:
                if (c := containing(t, kind)) and v is not None:
                    totals[c] = totals.get(c, 0.0) + float(v)
            return _points([(t, v, f"{v:,.0f}") for t, v in sorted(totals.items())])
        stock = spec["stock"]
        first = self.con.execute(
            f"SELECT min({stock['start']}) FROM {table} WHERE {where}", [subject, subject]
        ).fetchone()[0]
        if first is None:
            return []
        out = []
        for p in self.observed(kind):
            if p.end <= first:
                continue
            n = self.con.execute(
                f"SELECT count(DISTINCT {stock['count_distinct']}) FROM {table} WHERE {where} AND {stock['start']} < ? "
                f"AND ({stock['end']} IS NULL OR {stock['end']} >= ?)",
                [subject, subject, p.end, p.end],
            ).fetchone()[0]
            out.append(Point(p, float(n), f"{n:,}"))
        return out

    def scheme_for(self, subject: str) -> Scheme | None:
        row = self.con.execute("SELECT level FROM institutions WHERE org_code = ?", [subject]).fetchone()
        return scheme_for_level(row[0]) if row else None

    def scores(self, scheme: Scheme, period: str) -> PeriodScores | str:
        """A grade target means the national grade: a loaded national distribution is used where there is
        one (indicator by indicator, and for the total), the region's own institutions elsewhere."""
        key = (scheme.id, period)
        if key not in self._scores:
            try:
                self._scores[key] = score_period(self.con, scheme, period, "national")
            except ScoringError as exc:
                self._scores[key] = str(exc)
        return self._scores[key]

    def _standing(self, m: Measure, subject: str, kind: str) -> list[Point]:
        scheme = self.scheme_for(subject)
        if scheme is None:
            return []
        periods = [t for (t,) in self.con.execute("SELECT DISTINCT period FROM indicator_values").fetchall()
                   if containing(t, kind) == t]  # fmt: skip
        out = []
        for period in sorted(periods):
            ps = self.scores(scheme, period)
            if isinstance(ps, str) or subject not in ps.scored:
                continue
            st = ps.scored[subject].standing
            if st.grade is None:
                out.append(Point(parse(period), None, f"第{st.rank}/{st.peers}名", st.note))
            else:
                out.append(
                    Point(
                        parse(period),
                        st.rank_percentile,
                        f"{st.grade}（{st.rank_percentile:.1f}%，{st.basis}）",
                    )
                )
        return out

    _grade = _standing
    _rank_percentile = _standing


def _points(rows: list[tuple[str, float, str]]) -> list[Point]:
    return sorted((Point(parse(t), float(v), text) for t, v, text in rows), key=lambda p: p.period.start)
