"""Computing every indicator of the catalog for a period, at every organisation level, and storing it.

Institution values come from the prepared populations; region values (county, city, province) are ratios
of sums: for indicators counted over discharges alone, the same aggregates grouped by region (so distinct
counts stay right); for indicators using reported values, the sums of the parts over the institutions that
have both parts. A value is missing, with its reason, when an input is absent or the denominator is zero;
never 0.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from hqd.engines import Engine
from hqd.indicators import prepare
from hqd.indicators.catalog import Indicator, Part
from hqd.indicators.periods import Period
from hqd.ingest.elements import elements

LEVELS = ("county", "city", "province")
Key = tuple[str, str]  # (org_code, org_level)


@dataclass
class Value:
    numerator: float | None = None
    denominator: float | None = None
    text: str | None = None
    reason: str | None = None


@dataclass
class RunResult:
    run_id: int | None
    period: str
    stored: int
    notes: dict[str, Any]


def applies_sql(ind: Indicator) -> str:
    """SQL filter on org_levels (alias o) for the institutions an indicator applies to."""
    conds = []
    for column, allowed in sorted(ind.applies_to.items()):
        conds.append(f"o.{column} IN ({', '.join(repr(a) for a in allowed)})")
    return " AND ".join(conds) or "true"


def _agg_sql(part: Part, scope: str = "true") -> str:
    cond = f"({scope}) AND ({part.where})"
    if part.agg == "count":
        return f"count_if({cond} AND ({part.expr}))"
    if part.agg == "sum":
        return f"sum(CASE WHEN {cond} THEN {part.expr} END)"
    if part.agg == "median":
        return f"median(CASE WHEN {cond} THEN {part.expr} END)"
    if part.agg == "quantile":
        return f"quantile_cont(CASE WHEN {cond} THEN {part.expr} END, {part.q})"
    return f"count(DISTINCT CASE WHEN {cond} THEN {part.expr} END)"


INSTITUTION_AND_REGIONS = (
    ("org_code", "institution"),
    ("county_code", "county"),
    ("city_code", "city"),
    ("province_code", "province"),
)
# Row populations: (FROM clause with the levels as o.<column>, the grouping levels, scoped by applies_to).
ROW_POPULATIONS = {
    "discharges": (
        "discharge_facts f JOIN org_levels o ON o.org_code = f.org_code",
        INSTITUTION_AND_REGIONS,
        True,
    ),
    "claims": (
        "claim_facts o",
        (("county_code", "county"), ("city_code", "city"), ("province_code", "province")),
        False,
    ),
    "referrals": ("referral_facts o", INSTITUTION_AND_REGIONS, True),
    "reported": ("reported_facts o", INSTITUTION_AND_REGIONS, True),
    "centre_cases": (
        "centre_case_facts f JOIN org_levels o ON o.org_code = f.org_code",
        INSTITUTION_AND_REGIONS,
        True,
    ),
    "signals": (
        "signal_facts o",
        (("county_code", "county"), ("city_code", "city"), ("province_code", "province")),
        False,
    ),
}


class Computation:
    """One compute of one period: prepared tables, then every indicator's values for every organisation."""

    def __init__(self, engine: Engine, period: Period) -> None:
        self.engine = engine
        self.period = period
        self.values: dict[str, dict[Key, Value]] = defaultdict(dict)
        self._scoped: dict[str, list[str]] = {}
        self._regions: list[tuple[str, str]] | None = None
        self.notes: dict[str, Any] = {}

    # -- preparation -----------------------------------------------------------------------------------
    def prepare(self) -> None:
        e = self.engine
        e.temp_rows("element_meta", (("code", "VARCHAR"), ("aggregation", "VARCHAR"), ("unit", "VARCHAR")),
                    prepare.element_meta_rows())  # fmt: skip
        e.temp_table("org_levels", prepare.org_levels_sql())
        e.temp_table("org_groups", prepare.org_groups_sql(self.period))
        self.groups_of: dict[str, list[Key]] = defaultdict(list)
        for org, group, level in e.rows("SELECT org_code, group_code, group_level FROM org_groups"):
            self.groups_of[org].append((group, level))
        e.temp_table("drg_reference", prepare.drg_reference_sql(self.period))
        # A view: the indicators read it in one scan, so materialising it would only copy it.
        e.temp_view("discharge_facts", prepare.discharge_facts_sql(self.period))
        e.temp_table("element_values", prepare.element_values_sql(self.period))
        e.temp_table("rating_levels", prepare.rating_levels_sql(self.period))
        # Elements named like SQL identifiers (the ref.* national percentiles are not summed over a county).
        numeric = [x for x in elements() if x.type != "text" and x.code.isidentifier()]
        e.temp_table(
            "reported_facts",
            prepare.reported_facts_sql(
                [x.code for x in numeric if x.level == "region"],
                [x.code for x in numeric if x.level != "region"],
            ),
        )
        e.temp_view("referral_facts", prepare.referral_facts_sql(self.period))
        e.temp_table("signal_facts", prepare.signal_facts_sql(self.period))
        e.temp_view("claim_facts", prepare.facts_sql("claims", start=prepare.ts(self.period.start),
                                                     end=prepare.ts(self.period.end)))  # fmt: skip
        e.temp_view("centre_case_facts", prepare.facts_sql("centre_cases", start=prepare.ts(self.period.start),
                                                           end=prepare.ts(self.period.end)))  # fmt: skip
        sources = dict(e.rows("SELECT weight_source, sum(cases) FROM drg_reference GROUP BY ALL ORDER BY 1"))
        self.notes["drg_weights"] = sources
        self.notes["drg_risk"] = dict(
            e.rows("SELECT risk_source, count(*) FROM drg_reference GROUP BY ALL ORDER BY 1")
        )
        self.loaded = {
            "codes-icd9cm3": e.rows("SELECT count(*) FROM codes_icd9cm3")[0][0] > 0,
            "codes-drg": e.rows("SELECT count(*) FROM codes_drg")[0][0] > 0,
        }
        self.discharges_by_org = dict(e.rows(prepare.discharges_by_org_sql(self.period)))
        self.elements_by_org: dict[str, set[str]] = defaultdict(set)
        for org, element in e.rows(
            "SELECT org_code, element FROM element_values WHERE value IS NOT NULL OR value_text IS NOT NULL"
        ):
            self.elements_by_org[org].add(element)

    # -- institution and region parts ------------------------------------------------------------------
    def row_parts(self, inds: list[Indicator], population: str) -> None:
        """Every part counted over one row population, in one scan at the finest level.

        An indicator's scope (applies_to) is a condition inside each of its aggregates, so indicators of
        different scopes share the scan; a scope with no rows under an organisation leaves that
        organisation without a value (missing: no data) rather than 0/0. Counts and sums of the regions
        are the sums of the finest level's (ratios of sums); distinct counts and medians, which do not
        add up, are grouped again by region in a second scan, only when an indicator needs one.
        """
        source, levels, scoped = ROW_POPULATIONS[population]
        aggs: dict[str, int] = {}
        additive: set[int] = set()

        def slot(sql: str, adds: bool = True) -> int:
            index = aggs.setdefault(sql, len(aggs))
            if adds:
                additive.add(index)
            return index

        sets_of: dict[int, int] = {}  # distinct count -> the list of its values, united over regions
        wanted = []
        for ind in inds:
            scope = applies_sql(ind) if scoped else "true"
            present = slot(f"count_if({scope})")
            parts = []
            for p in (ind.numerator, ind.denominator):
                if p is None or p.population != population:
                    parts.append(None)
                    continue
                index = slot(_agg_sql(p, scope), p.additive)
                if p.agg == "count_distinct":
                    sets_of[index] = slot(
                        f"list(DISTINCT CASE WHEN ({scope}) AND ({p.where}) THEN {p.expr} END)", adds=False
                    )
                parts.append(index)
            wanted.append((ind, present, parts))
        if not wanted:
            return
        columns = [f"o.{col}" for col, _ in levels]
        select = ", ".join(f"{sql} AS a{i}" for sql, i in aggs.items())
        rows: dict[Key, list] = {}
        totals: dict[Key, list] = {}
        unions: dict[tuple[Key, int], set] = defaultdict(set)
        for codes_and_vals in self.engine.rows(
            f"SELECT {', '.join(columns)}, {select} FROM {source} GROUP BY {', '.join(columns)}"
        ):
            codes, vals = codes_and_vals[: len(levels)], list(codes_and_vals[len(levels) :])
            # A row without the finest code (a county's own reported values) counts for the levels above.
            if codes[0] is not None:
                rows[(codes[0], levels[0][1])] = vals
            above = [(code, name) for code, (_, name) in zip(codes[1:], levels[1:], strict=True)]
            if levels[0][1] == "institution" and codes[0] is not None:
                above += self.groups_of.get(codes[0], [])
            for code, name in above:
                if code is None:
                    continue
                acc = totals.setdefault((code, name), [None] * len(aggs))
                for i in additive:
                    if vals[i] is not None:
                        acc[i] = vals[i] + (acc[i] or 0)
                for i, li in sets_of.items():
                    unions[((code, name), i)].update(x for x in vals[li] if x is not None)
        for (key, i), values in unions.items():
            totals[key][i] = len(values)
        others = [
            i
            for i in range(len(aggs))
            if i not in additive and i not in sets_of and i not in sets_of.values()
        ]
        if others:  # medians: grouped again by region
            coarse = levels[1:]
            org = " ".join(f"WHEN grouping(o.{col}) = 0 THEN o.{col}" for col, _ in coarse)
            level = " ".join(f"WHEN grouping(o.{col}) = 0 THEN '{name}'" for col, name in coarse)
            sets = ", ".join(f"(o.{col})" for col, _ in coarse)
            picked = [sql for sql, i in aggs.items() if i in others]
            sql = f"SELECT CASE {org} END, CASE {level} END, {', '.join(picked)} FROM {source} GROUP BY GROUPING SETS ({sets})"
            if levels[0][1] == "institution":  # and by 医共体 / 医疗集团
                sql += (f" UNION ALL SELECT g.group_code, g.group_level, {', '.join(picked)} FROM {source} "
                        f"JOIN org_groups g ON g.org_code = o.org_code GROUP BY g.group_code, g.group_level")  # fmt: skip
            for code, lvl, *vals in self.engine.rows(sql):
                if code is not None and (code, lvl) in totals:
                    for i, value in zip(others, vals, strict=True):
                        totals[(code, lvl)][i] = value
        rows.update(totals)
        for key, vals in rows.items():
            for ind, present, (num, den) in wanted:
                if not vals[present]:
                    continue
                v = self.values[ind.id].setdefault(key, Value())
                if num is not None:
                    v.numerator = vals[num]
                if den is not None:
                    v.denominator = vals[den]

    def element_parts(self, ind: Indicator) -> None:
        """Parts from reported values, institution by institution (a missing element is named)."""
        meta = {e.code: e for e in elements()}
        for which, part in (("numerator", ind.numerator), ("denominator", ind.denominator)):
            if part is None or part.population != "values":
                continue
            if part.agg == "text_element":
                for org, text in self.engine.rows(
                    "SELECT org_code, value_text FROM element_values WHERE element = ?", [part.item]
                ):
                    self.values[ind.id].setdefault((org, "institution"), Value()).text = text
                continue
            codes = [c for c, _ in part.elements]
            rows = self.engine.rows(
                f"SELECT org_code, element, value FROM element_values WHERE element IN ({', '.join(repr(c) for c in codes)})"
            )
            sums: dict[str, float] = defaultdict(float)
            for org, element, value in rows:
                if value is not None:
                    sums[org] += value * dict(part.elements)[element]
            for org in self.institutions(ind):
                v = self.values[ind.id].setdefault((org, "institution"), Value())
                absent = [c for c in codes if c not in self.elements_by_org.get(org, set())]
                if absent:
                    names = "、".join(meta[c].name_zh for c in absent)
                    v.reason = (
                        v.reason
                        or f"未报送数据项：{names} / data element(s) not reported: {', '.join(absent)}"
                    )
                    continue
                setattr(v, which, sums[org])

    def rating_parts(self, ind: Indicator) -> None:
        for org, level, number in self.engine.rows(
            "SELECT org_code, level, level_number FROM rating_levels WHERE item = ?", [ind.numerator.item]
        ):
            v = self.values[ind.id].setdefault((org, "institution"), Value())
            v.text, v.numerator = level, number

    def institutions(self, ind: Indicator) -> list[str]:
        """The institutions an indicator applies to (one query per distinct scope)."""
        scope = applies_sql(ind)
        if scope not in self._scoped:
            self._scoped[scope] = [
                r[0] for r in self.engine.rows(f"SELECT o.org_code FROM org_levels o WHERE {scope}")
            ]
        return self._scoped[scope]

    def regions(self) -> list[tuple[str, str]]:
        """Regions that hold at least one institution (not the neighbours known only as patients' homes)."""
        if self._regions is None:
            self._regions = [(r[0], r[1]) for r in self.engine.rows(
                "SELECT region_code, level FROM regions WHERE region_code IN (SELECT county_code FROM org_levels "
                "UNION SELECT city_code FROM org_levels UNION SELECT province_code FROM org_levels)")]  # fmt: skip
        return self._regions

    def groups(self) -> list[Key]:
        """The 医共体 and 医疗集团 with at least one member in the period."""
        return sorted({g for gs in self.groups_of.values() for g in gs})

    def roll_up(self, ind: Indicator) -> None:
        """Region and group values of indicators that use reported values: sums over institutions with
        both parts."""
        levels = {org: row for org, *row in self.engine.rows(
            "SELECT org_code, county_code, city_code, province_code FROM org_levels")}  # fmt: skip
        totals: dict[Key, Value] = {}
        for (org, level), v in list(self.values[ind.id].items()):
            if level != "institution" or v.numerator is None or (ind.denominator and v.denominator is None):
                continue
            above = list(zip(levels.get(org, (None, None, None)), LEVELS, strict=True)) + self.groups_of.get(
                org, []
            )
            for region, region_level in above:
                if region is None:
                    continue
                t = totals.setdefault((region, region_level), Value(0.0, 0.0 if ind.denominator else None))
                t.numerator += v.numerator
                if ind.denominator:
                    t.denominator += v.denominator
        self.values[ind.id].update(totals)

    # -- the whole catalog -----------------------------------------------------------------------------
    def compute(self, selected: list[Indicator]) -> None:
        computable = [i for i in selected if i.status == "computed" and not i.growth_of and not i.ratio_of]
        rows_only = [
            i for i in computable
            if i.numerator and all(p is None or p.population in ROW_POPULATIONS for p in (i.numerator, i.denominator))
        ]  # fmt: skip
        for population in ROW_POPULATIONS:
            self.row_parts(
                [i for i in computable if any(p is not None and p.population == population
                                              for p in (i.numerator, i.denominator))],
                population,
            )  # fmt: skip
        for ind in computable:
            if ind.numerator and ind.numerator.population == "ratings":
                self.rating_parts(ind)
            elif ind not in rows_only:
                self.element_parts(ind)
                if ind.rollup and not ind.qualitative:
                    self._drop_region_values(ind)
                    self.roll_up(ind)

    def _drop_region_values(self, ind: Indicator) -> None:
        for key in [k for k in self.values[ind.id] if k[1] != "institution"]:
            del self.values[ind.id][key]


# Why a value of a row population is missing when the organisation has no rows for it.
NO_ROWS = {
    "signals": "本期无预警信号 / no early-warning signals in this period",
    "claims": "本期无医保结算数据 / no insurance settlements for this period",
    "centre_cases": "本期无符合条件的病例，或所需时间均未记录 / no eligible cases in this period, or none with the "
    "times recorded",
}


def finalise(ind: Indicator, v: Value, has_discharges: bool, loaded: dict[str, bool]) -> tuple:
    """(numerator, denominator, value, text, status, reason) for one organisation."""
    if ind.status != "computed":
        return (
            None,
            None,
            None,
            None,
            "missing",
            ind.reason or "官方计算方法未公开 / the official method is not public",
        )
    missing_codes = [k for k in ("codes-icd9cm3",) if k in ind.inputs and not loaded.get(k)]
    if missing_codes:
        return (
            None,
            None,
            None,
            None,
            "missing",
            f"未导入代码表 {missing_codes[0]} / {missing_codes[0]} is not loaded",
        )
    if v.reason:
        return v.numerator, v.denominator, None, v.text, "missing", v.reason
    if ind.qualitative:
        if v.text is None:
            return None, None, None, None, "missing", "未报送 / not reported"
        return v.numerator, None, v.numerator, v.text, "ok", None
    if ind.numerator is not None and v.numerator is None and ind.numerator.population in NO_ROWS:
        return None, None, None, None, "missing", NO_ROWS[ind.numerator.population]
    uses_discharges = any(
        p is not None and p.population == "discharges" for p in (ind.numerator, ind.denominator)
    )
    if uses_discharges and not has_discharges:
        return None, None, None, None, "missing", "本期无病案首页数据 / no discharges loaded for this period"
    if v.numerator is None:
        return None, v.denominator, None, None, "missing", "分子缺失 / the numerator has no data"
    if ind.denominator is None and not ind.growth_of and not ind.ratio_of:
        return v.numerator, None, v.numerator * ind.scale, None, "ok", None
    if v.denominator is None:
        return v.numerator, None, None, None, "missing", "分母缺失 / the denominator has no data"
    if v.denominator == 0:
        return v.numerator, 0.0, None, None, "missing", "分母为0 / the denominator is 0"
    return v.numerator, v.denominator, v.numerator / v.denominator * ind.scale, None, "ok", None
