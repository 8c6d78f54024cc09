"""Compiling a kind's field map into one SQL statement that parses and checks every row of a source.

One pass over the staged cells yields, per row, the canonical typed values, the child rows (diagnoses,
procedures) as lists, a content hash, and the list of quarantine reasons. Running it in DuckDB keeps a
million-row load vectorised; the field catalog decides what the SQL says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hqd.ingest.headers import repeat_slot
from hqd.ingest.source import SourceRows
from hqd.ingest.spec import Field, KindSpec
from hqd.ingest.valuesets import sql_str, valuesets
from hqd.warehouse.secret import hmac_sql

INVALID_RULE = {
    "integer": "invalid_integer",
    "number": "invalid_number",
    "date": "invalid_date",
    "datetime": "invalid_datetime",
    "date_or_year": "invalid_date",
    "period": "invalid_period",
    "code": "invalid_code",
    "bool": "invalid_bool",
    "org_code": "invalid_org_code",
    "region_code": "invalid_region_code",
    "org_or_region": "invalid_org_code",
    "icd10": "invalid_icd10",
    "icd9": "invalid_icd9",
    "element": "unknown_element",
}
UNKNOWN_RULE = {
    "institution": "unknown_institution",
    "region": "unknown_region",
    "institution_or_region": "unknown_organisation",
}
BOOKKEEPING = {"import_id", "row_hash"}


@dataclass(frozen=True)
class Context:
    """What the parser needs beyond the catalog: the target tables' column types and the secret."""

    types: dict[str, dict[str, str]]  # table -> column -> DuckDB type
    secret: bytes


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw(slot: str) -> str:
    return q(f"raw:{slot}")


def _parse_expr(f: Field, r: str, secret: bytes) -> str:
    """SQL turning the raw text `r` into the field's canonical value (NULL when absent or unparseable)."""
    t = f.type
    if t == "text":
        return f"(CASE WHEN hqd_is_empty({r}) THEN NULL ELSE hqd_text({r}) END)"
    if t == "integer":
        return f"hqd_integer({r})"
    if t == "number":
        return f"hqd_number({r})"
    if t in {"date", "datetime", "period", "org_code", "region_code", "bool", "icd10", "icd9"}:
        if t == "bool" and (f.true_labels or f.false_labels):
            yes = ", ".join(sql_str(x) for x in f.true_labels) or "NULL"
            no = ", ".join(sql_str(x) for x in f.false_labels) or "NULL"
            return (
                f"(CASE WHEN hqd_norm({r}) IN ({yes}) THEN true WHEN hqd_norm({r}) IN ({no}) THEN false "
                f"ELSE hqd_bool({r}) END)"
            )
        macro = {
            "date": "hqd_date",
            "datetime": "hqd_datetime",
            "period": "hqd_period",
            "org_code": "hqd_org_code",
            "region_code": "hqd_region_code",
            "bool": "hqd_bool",
            "icd10": "hqd_icd10",
            "icd9": "hqd_icd9",
        }[t]
        return f"{macro}({r})"
    if t == "date_or_year":
        return (
            f"(CASE WHEN regexp_full_match(hqd_norm({r}), '[0-9]{{4}}(年|年度)?') "
            f"THEN make_date(CAST(left(hqd_norm({r}), 4) AS INTEGER), 1, 1) ELSE hqd_date({r}) END)"
        )
    if t == "org_or_region":
        return f"coalesce(hqd_org_code({r}), hqd_region_code({r}))"
    if t == "code":
        return valuesets()[f.valueset].sql(r)
    if t == "id_hash":
        normalised = f"upper(regexp_replace(hqd_norm({r}), '\\s+', '', 'g'))"
        return f"(CASE WHEN hqd_is_empty({r}) THEN NULL ELSE {hmac_sql(secret, normalised)} END)"
    if t == "element":
        return "_el_code"
    if t == "element_value":
        return f"(CASE WHEN _el_type <> 'text' THEN hqd_number({r}) END)"
    raise ValueError(t)


def _issues_for(f: Field, slot: str, src: SourceRows, parsed: str) -> list[str]:
    r = raw(slot)
    label = src.labels.get(slot, sql_str(f.header))
    present = f"NOT ({r} IS NULL OR hqd_is_empty({r}))"
    out = []
    if f.required:
        out.append(
            f"CASE WHEN NOT ({present}) AND {parsed} IS NULL THEN "
            f"hqd_issue({label}, {r}, 'required', NULL, NULL, NULL, NULL) END"
        )
    if f.type == "element_value":
        out.append(
            f"CASE WHEN {present} AND _el_code IS NOT NULL AND _el_type <> 'text' AND {parsed} IS NULL "
            f"THEN hqd_issue({label}, {r}, 'invalid_number', NULL, NULL, NULL, NULL) END"
        )
        out.append(
            f"CASE WHEN _el_type = 'integer' AND {parsed} <> floor({parsed}) "
            f"THEN hqd_issue({label}, {r}, 'invalid_integer', NULL, NULL, NULL, NULL) END"
        )
        out.append(
            f"CASE WHEN {parsed} < _el_min OR {parsed} > _el_max THEN hqd_issue({label}, {r}, "
            f"'out_of_range', NULL, NULL, coalesce(CAST(_el_min AS VARCHAR), '-∞'), "
            f"coalesce(CAST(_el_max AS VARCHAR), '+∞')) END"
        )
        return out
    rule = INVALID_RULE.get(f.type)
    if rule:
        hint = sql_str(valuesets()[f.valueset].hint()) if f.type == "code" else "NULL"
        out.append(
            f"CASE WHEN {present} AND {parsed} IS NULL THEN "
            f"hqd_issue({label}, {r}, '{rule}', NULL, {hint}, NULL, NULL) END"
        )
    if f.min is not None or f.max is not None:
        cond = " OR ".join(
            c
            for c in (
                f"{parsed} < {f.min}" if f.min is not None else "",
                f"{parsed} > {f.max}" if f.max is not None else "",
            )
            if c
        )
        lo = sql_str(_num(f.min)) if f.min is not None else "'-∞'"
        hi = sql_str(_num(f.max)) if f.max is not None else "'+∞'"
        out.append(
            f"CASE WHEN {cond} THEN hqd_issue({label}, {r}, 'out_of_range', NULL, NULL, {lo}, {hi}) END"
        )
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _ref_condition(f: Field, value: str, spec: KindSpec) -> str:
    own = ""
    if f.ref == "region" and spec.table == "regions":
        own = f" OR {value} IN (SELECT region_code FROM parsed_cte)"
    known = {
        "institution": f"{value} IN (SELECT org_code FROM institutions)",
        "region": f"({value} IN (SELECT region_code FROM regions){own})",
        "institution_or_region": f"({value} IN (SELECT org_code FROM institutions) OR "
        f"{value} IN (SELECT region_code FROM regions))",
    }[f.ref]
    outside = f" AND NOT coalesce({f.outside_ok}, false)" if isinstance(f.outside_ok, str) else ""
    return f"{value} IS NOT NULL AND NOT {known}{outside}"


def compile_source(spec: KindSpec, src: SourceRows, ctx: Context) -> str:
    """The SELECT yielding the parsed rows of one source, with the columns `parsed_columns()` lists."""
    main_types = ctx.types[spec.table]
    raw_cols = [f"{expr} AS {raw(slot)}" for slot, expr in src.slots.items()]
    if src.overflow_sql:
        raw_cols.append(f"{src.overflow_sql} AS _overflow")
    raw_cols += list(src.passthrough)
    parse_cols, issues = [], []
    scalar_values: dict[str, str] = {}
    for f in spec.fields:
        if not f.stored or f.column not in src.slots:
            if f.stored and f.type not in {"element_value"}:
                scalar_values.setdefault(f.column, "NULL")
            continue
        expr = _parse_expr(f, raw(f.column), ctx.secret)
        scale = src.scales.get(f.column)
        if scale:
            expr = f"CAST(round(hqd_number({raw(f.column)}) * {scale}) AS BIGINT)"
        parse_cols.append(f"{expr} AS {q(f.column)}")
        scalar_values[f.column] = q(f.column)
        issues += _issues_for(f, f.column, src, q(f.column))
        if f.type == "date_or_year" and f.year_flag:
            parse_cols.append(
                f"regexp_full_match(hqd_norm({raw(f.column)}), '[0-9]{{4}}(年|年度)?') AS {q(f.year_flag)}"
            )
        if f.type == "element_value":
            parse_cols.append(
                f"(CASE WHEN _el_type = 'text' AND NOT hqd_is_empty({raw(f.column)}) "
                f"THEN hqd_text({raw(f.column)}) END) AS value_text"
            )
    children = []
    for g, rep in enumerate(spec.repeats):
        child_types = ctx.types[rep.table]
        structs = []
        for n in range(1, rep.max + 1):
            members = [f for f in rep.fields if repeat_slot(g, n, f.column) in src.slots]
            if not members:
                continue
            parts = [f"seq := {n}"]
            for f in rep.fields:
                slot = repeat_slot(g, n, f.column)
                if slot in src.slots:
                    name = q(slot)
                    parse_cols.append(f"{_parse_expr(f, raw(slot), ctx.secret)} AS {name}")
                    issues += _issues_for(f, slot, src, name)
                    parts.append(f"{f.column} := CAST({name} AS {child_types[f.column]})")
                else:
                    parts.append(f"{f.column} := CAST(NULL AS {child_types[f.column]})")
            structs.append("struct_pack(" + ", ".join(parts) + ")")
        struct_type = (
            "STRUCT(seq INTEGER, "
            + ", ".join(f"{f.column} {child_types[f.column]}" for f in rep.fields)
            + ")"
        )
        listed = f"[{', '.join(structs)}]" if structs else "[]"
        children.append(
            f"list_filter(CAST({listed} AS {struct_type}[]), lambda x: x.{rep.present_when} IS NOT NULL) AS _r{g}"
        )
    # References to institutions and regions, and members named instead of coded.
    derived, ref_issues = [], []
    for f in spec.fields:
        if not f.ref or f.column not in src.slots:
            continue
        label = src.labels.get(f.column, sql_str(f.header))
        value = q(f.column)
        if f.resolve_name:
            resolved = (
                f"coalesce((SELECT min(org_code) FROM institutions i WHERE i.org_code = upper(hqd_norm({value}))), "
                f"(SELECT min(org_code) FROM institutions i WHERE i.name = {value}))"
            )
            derived.append(f"{resolved} AS {q(f.resolved_column)}")
            scalar_values[f.resolved_column] = q(f.resolved_column)
            cond = f"{value} IS NOT NULL AND ({resolved}) IS NULL"
            if isinstance(f.outside_ok, str):
                cond += f" AND NOT coalesce({f.outside_ok}, false)"
        elif f.outside_ok is True:
            continue
        else:
            cond = _ref_condition(f, value, spec)
        # The reference test is a column of its own: DuckDB cannot bind subqueries inside the issue list.
        flag = q(f"_unknown:{f.column}")
        derived.append(f"coalesce({cond}, false) AS {flag}")
        ref_issues.append(
            f"CASE WHEN {flag} THEN hqd_issue({label}, {raw(f.column)}, '{UNKNOWN_RULE[f.ref]}', "
            f"NULL, NULL, NULL, NULL) END"
        )
    for d in spec.derive:
        if d.sql:
            derived.append(f"{d.sql} AS {q(d.column)}")
            scalar_values[d.column] = q(d.column)
    replaced = []
    for d in spec.derive:
        if d.when_missing and d.column in scalar_values:
            base = scalar_values[d.column]
            if base == "NULL":
                derived.append(f"{d.when_missing} AS {q(d.column)}")
                scalar_values[d.column] = q(d.column)
            else:
                replaced.append(f"coalesce({base}, {d.when_missing}) AS {q(d.column)}")
            if d.flag:
                derived.append(f"({base} IS NULL AND ({d.when_missing}) IS NOT NULL) AS {q(d.flag)}")
                scalar_values[d.flag] = q(d.flag)
    cost_items = [q(f.column) for f in spec.fields if f.cost_item and f.column in src.slots]
    if any(c.fail_when.find("_cost_item_sum") >= 0 for c in spec.checks):
        derived.append(f"({' + '.join(f'coalesce({c}, 0)' for c in cost_items) or '0'}) AS _cost_item_sum")
    check_issues = []
    available = {c for c, v in scalar_values.items() if v != "NULL"} | {"_cost_item_sum"}
    for c in spec.checks:
        if not set(re.findall(r"[a-z_][a-z0-9_]*", c.fail_when)) & set(main_types) <= available:
            continue  # a column the check needs is not in this file
        field_col = next(f.column for f in spec.fields if f.header == c.field)
        label = src.labels.get(field_col, sql_str(c.field))
        other = "NULL"
        if c.other:
            other_col = next(f.column for f in spec.fields if f.header == c.other)
            other = src.labels.get(other_col, sql_str(c.other))
        value = c.value_sql or (raw(field_col) if field_col in src.slots else "NULL")
        check_issues.append(
            f"CASE WHEN {c.fail_when} THEN hqd_issue({label}, {value}, '{c.rule}', {other}, "
            f"NULL, NULL, NULL) END"
        )
    if src.overflow_sql:
        check_issues.append(
            "CASE WHEN nullif(trim(_overflow), '') IS NOT NULL THEN "
            "hqd_issue(NULL, _overflow, 'malformed_row', NULL, NULL, NULL, NULL) END"
        )
    # The final columns, cast to the warehouse's types.
    final = []
    for column, sql_type in main_types.items():
        if column in BOOKKEEPING:
            continue
        if column == "value_text" and spec.layout == "values":
            final.append("CAST(value_text AS VARCHAR) AS value_text")
            continue
        expr = scalar_values.get(column, "NULL")
        f = next((f for f in spec.fields if f.column == column), None)
        if f is not None and f.default is not None:
            expr = f"coalesce({expr}, {sql_str(f.default)})"
        final.append(f"CAST({expr} AS {sql_type}) AS {q(column)}")
    private = {raw(s) for s in src.private}
    row_data = ", ".join(
        f"{src.labels[s]}, {raw(s)}" for s in src.slots if raw(s) not in private and s in src.labels
    )
    row_json = f"json_object({row_data})" if row_data else "'{}'"
    all_issues = issues + ref_issues + check_issues
    issue_list = (
        f"list_filter([{', '.join(all_issues)}], lambda x: x IS NOT NULL)"
        if all_issues
        else "CAST([] AS STRUCT(field VARCHAR, value VARCHAR, rule VARCHAR, other VARCHAR, hint VARCHAR, lo VARCHAR, hi VARCHAR)[])"
    )
    element_join = ""
    element_cols = ""
    if spec.layout == "values":
        element_join = (
            f" LEFT JOIN hqd_element_lookup el ON el.key = hqd_key({raw('element')}) "
            f"LEFT JOIN hqd_element_lookup el2 ON el2.key = regexp_replace(hqd_key({raw('element')}), "
            f"'\\([^()]*\\)$', '')"
        )
        element_cols = (
            ", coalesce(el.code, el2.code) AS _el_code, coalesce(el.type, el2.type) AS _el_type, "
            "coalesce(el.min, el2.min) AS _el_min, coalesce(el.max, el2.max) AS _el_max"
        )
    sheet = sql_str(src.sheet) if src.sheet is not None else "NULL"
    content = [q(c) for c in main_types if c not in BOOKKEEPING] + [f"_r{g}" for g in range(len(children))]
    hashed = ", ".join(f"{c} := {c}" for c in content)
    return f"""SELECT *, CASE WHEN len(_issues) = 0 THEN md5(CAST(struct_pack({hashed}) AS VARCHAR)) END AS _hash
FROM (
WITH raw_cte AS (
    SELECT {src.row_sql} AS _row, {", ".join(raw_cols)} FROM {src.from_sql} WHERE NOT ({src.empty_sql})
), typed_cte AS (
    SELECT r.*{element_cols} FROM raw_cte r{element_join}
), parsed_cte AS (
    SELECT *, {", ".join(parse_cols) or "NULL AS _nothing"} FROM typed_cte
), derived_cte AS (
    SELECT * {("REPLACE (" + ", ".join(replaced) + ")") if replaced else ""}
    {(", " + ", ".join(derived)) if derived else ""} FROM parsed_cte
), issues_cte AS (
    SELECT *, {issue_list} AS _issues{"".join(", " + c for c in children)} FROM derived_cte
)
SELECT {src.part} AS _part, CAST({sheet} AS VARCHAR) AS _sheet, CAST(_row AS BIGINT) AS _row,
    {", ".join(final)}{"".join(f", _r{g}" for g in range(len(children)))},
    _issues,
    CASE WHEN len(_issues) > 0 THEN CAST({row_json} AS VARCHAR) END AS _row_data
FROM issues_cte)
"""
