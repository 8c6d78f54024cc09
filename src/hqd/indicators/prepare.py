"""The populations an indicator counts over, prepared once per period as temporary tables.

discharge_facts (one row per discharge with its flags), element_values (reported values resolved to the
period: flows summed over months or quarters, stocks taken at the latest), rating_levels (the latest
rating of each item as of the period's end), org_levels (institution → county → city → province) and
drg_reference (weights, reference cost and stay, risk levels). All SQL is catalog text or built here from
catalog data, in DuckDB's dialect.
"""

from __future__ import annotations

import csv
from datetime import date
from functools import lru_cache

from hqd.catalog import catalog_dir
from hqd.indicators.catalog import switches
from hqd.indicators.periods import Period
from hqd.ingest.elements import elements
from hqd.ingest.valuesets import sql_str

FLOW_UNITS = {"人次", "万元", "床日", "分钟", "项", "张", "份", "DDD", "DDDs", "人天"}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}


def ts(d: date) -> str:
    return f"TIMESTAMP '{d.isoformat()} 00:00:00'"


@lru_cache(maxsize=1)
def complication_match(column: str = "g.code") -> str:
    """SQL true when a diagnosis code falls under the 手术并发症 list (prefix match, grouped by length)."""
    with (catalog_dir() / "codes" / "complications.csv").open(encoding="utf-8") as fh:
        prefixes = [row["prefix"] for row in csv.DictReader(fh)]
    by_length: dict[int, list[str]] = {}
    for p in prefixes:
        by_length.setdefault(len(p), []).append(p)
    return " OR ".join(
        f"left({column}, {n}) IN ({', '.join(sql_str(p) for p in sorted(ps))})"
        for n, ps in sorted(by_length.items())
    )


def _fill(sql: str, **values: str) -> str:
    return sql.format(**{**switches(), **values})


def facts_sql(name: str, **values: str) -> str:
    text = (catalog_dir() / "facts" / f"{name}.sql").read_text(encoding="utf-8")
    return _fill(text, **values)


# 基层医疗卫生机构 in the health-statistics sense (programmes.md §1.5, ❌ from memory, high confidence).
PRIMARY_CARE = ("社区卫生服务中心", "乡镇卫生院", "村卫生室", "门诊部", "诊所")
GROUP_TYPES = {"紧密型县域医共体": "community", "城市医疗集团": "medical_group"}


def org_levels_sql() -> str:
    """Institution → county → city → province, with the attributes an indicator's applies_to may name."""
    primary = ", ".join(sql_str(c) for c in PRIMARY_CARE)
    return f"""
        SELECT i.org_code, i.level, i.category, coalesce(i.is_county_hospital, false) AS county_hospital,
               i.region_code AS county_code, c.parent_code AS city_code, p.parent_code AS province_code,
               i.category IN ({primary}) AS primary_care,
               coalesce(i.is_lead, false) OR i.org_code IN (SELECT lead_org FROM memberships WHERE group_type IN
                    ({", ".join(sql_str(t) for t in GROUP_TYPES)})) AS is_lead
        FROM institutions i
        LEFT JOIN regions c ON c.region_code = i.region_code
        LEFT JOIN regions p ON p.region_code = c.parent_code
    """


def org_groups_sql(period: Period) -> str:
    """Which 医共体 (community) and 城市医疗集团 (medical_group) each institution belongs to in the period.

    The memberships file is the record (a member counts while it was in the group at any time of the
    period); the institution file's 所属医共体/所属医疗集团 columns fill in for groups it does not list.
    """
    types = " ".join(f"WHEN {sql_str(t)} THEN {sql_str(level)}" for t, level in GROUP_TYPES.items())
    start, end = period.start.isoformat(), period.end.isoformat()
    return f"""
        WITH listed AS (
            SELECT DISTINCT m.member_code AS org_code, m.group_name AS group_code,
                   CASE m.group_type {types} END AS group_level, m.lead_org
            FROM memberships m
            WHERE m.member_code IS NOT NULL AND m.group_type IN ({", ".join(sql_str(t) for t in GROUP_TYPES)})
              AND m.join_date < DATE '{end}' AND (m.leave_date IS NULL OR m.leave_date >= DATE '{start}')
        ),
        declared AS (
            SELECT org_code, county_community AS group_code, 'community' AS group_level FROM institutions
            WHERE county_community IS NOT NULL
            UNION ALL
            SELECT org_code, medical_group, 'medical_group' FROM institutions WHERE medical_group IS NOT NULL
        )
        SELECT org_code, group_code, group_level FROM listed
        UNION
        SELECT d.org_code, d.group_code, d.group_level FROM declared d
        WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.group_name = d.group_code)
    """


def reported_facts_sql(region_elements: list[str], institution_elements: list[str]) -> str:
    """One row per institution (its reported elements as columns) and one per county (the county's own
    region-level elements and its 常住人口), so indicators sum reported values over any subset of a
    county's institutions — 基层诊疗人次占比 is primary-care visits over all visits of the county.

    County rows have no institution code: they count for the county and the levels above it only.
    """

    def pivot(codes: list[str]) -> str:
        return ", ".join(f"max(CASE WHEN v.element = {sql_str(c)} THEN v.value END) AS {c}" for c in codes)

    inst_cols = ", ".join(institution_elements)
    nulls_region = ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in region_elements)
    nulls_inst = ", ".join(f"CAST(NULL AS DOUBLE) AS {c}" for c in institution_elements)
    return f"""
        WITH inst AS (
            SELECT v.org_code, {pivot(institution_elements)} FROM element_values v GROUP BY v.org_code
        ),
        reg AS (
            SELECT v.org_code, {pivot(region_elements)} FROM element_values v GROUP BY v.org_code
        )
        SELECT o.org_code, o.county_code, o.city_code, o.province_code, o.level, o.category,
               o.primary_care, o.is_lead, o.county_hospital, {inst_cols}, {nulls_region}
        FROM org_levels o LEFT JOIN inst USING (org_code)
        UNION ALL
        SELECT NULL, c.region_code, c.parent_code, p.parent_code, NULL, NULL, NULL, NULL, NULL,
               {nulls_inst},
               {
        ", ".join(
            f"coalesce(reg.{c}, c.population)" if c == "resident_population" else f"reg.{c}"
            for c in region_elements
        )
    }
        FROM regions c LEFT JOIN regions p ON p.region_code = c.parent_code
        LEFT JOIN reg ON reg.org_code = c.region_code
        WHERE c.level = 'county'
    """


def element_meta_rows() -> list[tuple[str, str, str]]:
    """(code, aggregation, unit): flows (人次, 万元, 张 …) add up over sub-periods; stocks take the latest.
    An element's own `aggregation` (sum | last) in elements.yaml overrides the unit's default."""
    out = []
    for e in elements():
        agg = e.aggregation or (
            "sum" if e.unit in FLOW_UNITS and e.level == "institution" and e.type != "text" else "last"
        )
        out.append((e.code, agg, e.unit))
    return out


def element_values_sql(period: Period) -> str:
    subs = ", ".join(sql_str(p) for p in period.sub_periods())
    return f"""
        WITH c AS (
            SELECT v.org_code, v.element, v.period, v.value, v.value_text,
                   CASE WHEN v.period = {sql_str(period.text)} THEN 0 WHEN v.period LIKE '%Q%' THEN 1 ELSE 2 END AS grain
            FROM reported_values v WHERE v.period IN ({subs})
        ),
        g AS (SELECT org_code, element, min(grain) AS grain FROM c GROUP BY org_code, element)
        SELECT c.org_code, c.element,
               CASE WHEN any_value(m.aggregation) = 'sum' THEN sum(c.value) ELSE arg_max(c.value, c.period) END AS value,
               arg_max(c.value_text, c.period) AS value_text
        FROM c JOIN g ON g.org_code = c.org_code AND g.element = c.element AND g.grain = c.grain
        JOIN element_meta m ON m.code = c.element
        GROUP BY c.org_code, c.element
    """


def rating_levels_sql(period: Period) -> str:
    """The latest rating of each (institution, item) on or before the period's end, with a number for levels
    written as 6级 / 五级乙等 (the digit or Chinese numeral before 级)."""
    digits = " ".join(f"WHEN '{k}' THEN {v}" for k, v in _CN_DIGITS.items())
    return f"""
        SELECT org_code, item, arg_max(level, rated_on) AS level,
               CASE WHEN regexp_matches(arg_max(level, rated_on), '^[0-9]+')
                    THEN CAST(regexp_extract(arg_max(level, rated_on), '^([0-9]+)', 1) AS DOUBLE)
                    ELSE CASE left(arg_max(level, rated_on), 1) {digits} END END AS level_number
        FROM ratings WHERE rated_on < DATE '{period.end.isoformat()}'
        GROUP BY org_code, item
    """


def drg_reference_sql(period: Period) -> str:
    years = int(str(switches().get("drg_reference_years", "1")))
    start = date(period.year - years + 1, 1, 1)
    end = date(period.year + 1, 1, 1)
    return facts_sql("drg_reference", ref_start=ts(start), ref_end=ts(end))


def discharge_facts_sql(period: Period) -> str:
    return facts_sql(
        "discharges", start=ts(period.start), end=ts(period.end), complication_match=complication_match()
    )


def referral_facts_sql(period: Period) -> str:
    return facts_sql("referrals", start=ts(period.start), end=ts(period.end))


def signal_facts_sql(period: Period) -> str:
    return facts_sql("signals", start=ts(period.start), end=ts(period.end))


def discharges_by_org_sql(period: Period) -> str:
    return (f"SELECT org_code, count(*) FROM discharges WHERE discharge_time >= {ts(period.start)} "
            f"AND discharge_time < {ts(period.end)} GROUP BY org_code")  # fmt: skip
