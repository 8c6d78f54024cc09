"""Compiling a kind's field map into one SQL statement that parses and checks every row of a source.

One pass over the staged cells yields, per row, the canonical typed values, the child rows (diagnoses,
procedures) as lists, a content hash, and the list of quarantine reasons. Running it in DuckDB keeps a
million-row load vectorised; the field catalog decides what the SQL says. Each cell is normalised once
(half-width, trimmed) into a `norm:` column that every parser reads, and the list of reasons is built only
for the rows that have one: both matter at a million rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hqd.config import settings
from hqd.ingest.headers import repeat_slot
from hqd.ingest.source import SourceRows
from hqd.ingest.spec import Field, KindSpec
from hqd.ingest.valuesets import sql_str, valuesets
from hqd.warehouse.secret import hmac_sql

INVALID_RULE = {
    "integer": "invalid_integer", "number": "invalid_number", "date": "invalid_date",
    "datetime": "invalid_datetime", "date_or_year": "invalid_date", "period": "invalid_period",
    "code": "invalid_code", "bool": "invalid_bool", "org_code": "invalid_org_code",
    "region_code": "invalid_region_code", "org_or_region": "invalid_org_code", "icd10": "invalid_icd10",
    "icd9": "invalid_icd9", "element": "unknown_element",
}  # fmt: skip
UNKNOWN_RULE = {
    "institution": "unknown_institution",
    "region": "unknown_region",
    "institution_or_region": "unknown_organisation",
}
BOOKKEEPING = {"import_id", "row_hash"}
DATE_TYPES = {"date", "datetime", "date_or_year"}
SIMPLE_MACRO = {
    "integer": "hqd_integer_n", "number": "hqd_number_n", "date": "hqd_date_n", "datetime": "hqd_datetime_n",
    "period": "hqd_period_n", "org_code": "hqd_org_code_n", "region_code": "hqd_region_code_n",
    "bool": "hqd_bool_n", "icd10": "hqd_icd10_n", "icd9": "hqd_icd9_n",
}  # fmt: skip
EMPTY_ISSUES = (
    "CAST([] AS STRUCT(field VARCHAR, value VARCHAR, rule VARCHAR, other VARCHAR, hint VARCHAR, "
    "lo VARCHAR, hi VARCHAR)[])"
)


@dataclass(frozen=True)
class Context:
    """What the parser needs beyond the catalog: the target tables' column types and the secret."""

    types: dict[str, dict[str, str]]  # table -> column -> DuckDB type
    secret: bytes


@dataclass
class Issues:
    """Quarantine reasons as (condition, reason) pairs; rendered as one guarded list expression."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    # SQL of identifier cells (raw, normalised or parsed): a reason about one never keeps its value.
    hidden: frozenset[str] = frozenset()
    defect: str | None = None  # SQL of the reader's defect of a row (`rule:detail:detail[:cell]`), if any
    headers: tuple[str, ...] = ()  # the file's headers, to name the cell a defect points at

    def add(self, cond: str, label: str, value: str, rule: str, other: str = "NULL", hint: str = "NULL",
            lo: str = "NULL", hi: str = "NULL") -> None:  # fmt: skip
        if value in self.hidden:
            value = "NULL"
        self.pairs.append((cond, f"hqd_issue({label}, {value}, '{rule}', {other}, {hint}, {lo}, {hi})"))

    def sql(self) -> str:
        if not self.pairs:
            checked = EMPTY_ISSUES
        else:
            any_issue = " OR ".join(f"coalesce({c}, false)" for c, _ in self.pairs)
            items = ", ".join(f"CASE WHEN {c} THEN {s} END" for c, s in self.pairs)
            checked = f"CASE WHEN {any_issue} THEN list_filter([{items}], lambda x: x IS NOT NULL) ELSE {EMPTY_ISSUES} END"
        if self.defect is None:
            return checked
        # A row the reader could not line up has one reason, its defect, and no field or value: its cells
        # are not where the header says (and were never staged).
        d = self.defect
        part = [f"nullif(split_part({d}, ':', {k}), '')" for k in (1, 2, 3, 4)]
        # The cell the defect points at (where an unclosed quote opened, where the file was cut), named by its
        # header; a misaligned row names its cell counts instead.
        names = "[" + ", ".join(sql_str(h) for h in self.headers) + "]::VARCHAR[]" if self.headers else "NULL"
        cell = (
            f"(CASE WHEN {part[3]} IS NOT NULL THEN nullif(list_extract({names}, "
            f"least(CAST({part[3]} AS INTEGER), {max(len(self.headers) - 1, 0)}) + 1), '') END)"
            if self.headers
            else "NULL"
        )
        defect = f"[hqd_issue({cell}, NULL, {part[0]}, NULL, NULL, {part[1]}, {part[2]})]"
        return f"CASE WHEN {d} IS NOT NULL THEN {defect} ELSE {checked} END"


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw(slot: str) -> str:
    return q(f"raw:{slot}")


def norm(slot: str) -> str:
    return q(f"norm:{slot}")


def _parse_expr(f: Field, slot: str, secret: bytes) -> str:
    """SQL turning a cell into the field's canonical value (NULL when absent or unparseable)."""
    r, n, t = raw(slot), norm(slot), f.type
    if t == "text":
        return f"(CASE WHEN hqd_is_empty_text({r}) THEN NULL ELSE hqd_text({r}) END)"
    if t == "identifier":
        # A record number (病案号, 转诊单号, 卡片编号 …) is compared and stored normalised, as every code is:
        # half-width, trimmed, so a resend with "Ａ１２３ " updates the record "A123". Case is kept: the
        # contract declares no record number case-insensitive (organisation codes are upper-cased by their type).
        # A code kept in an identifier field (DRG编码, `upper: true`) is case-insensitive like every code.
        return f"upper(hqd_identifier_n({n}))" if f.upper else f"hqd_identifier_n({n})"
    if t == "bool" and (f.true_labels or f.false_labels):
        yes = ", ".join(sql_str(x) for x in f.true_labels) or "NULL"
        no = ", ".join(sql_str(x) for x in f.false_labels) or "NULL"
        return f"(CASE WHEN {n} IN ({yes}) THEN true WHEN {n} IN ({no}) THEN false ELSE hqd_bool_n({n}) END)"
    if t in SIMPLE_MACRO:
        return f"{SIMPLE_MACRO[t]}({n})"
    if t == "date_or_year":
        return (
            f"(CASE WHEN regexp_full_match({n}, '[0-9]{{4}}(年|年度)?') "
            f"THEN make_date(CAST(left({n}, 4) AS INTEGER), 1, 1) ELSE hqd_date_n({n}) END)"
        )
    if t == "org_or_region":
        return f"coalesce(hqd_org_code_n({n}), hqd_region_code_n({n}))"
    if t == "code":
        return valuesets()[f.valueset].sql(n)
    if t == "id_hash":
        normalised = f"upper(regexp_replace({n}, '\\s+', '', 'g'))"
        return f"(CASE WHEN hqd_is_empty_n({n}) THEN NULL ELSE {hmac_sql(secret, normalised)} END)"
    if t == "element":
        return "_el_code"
    if t == "element_value":
        return f"(CASE WHEN _el_type <> 'text' THEN hqd_number_n({n}) END)"
    raise ValueError(t)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _field_issues(f: Field, slot: str, src: SourceRows, parsed: str, issues: Issues) -> None:
    r, n = raw(slot), norm(slot)
    label = src.labels.get(slot, sql_str(f.header))
    present = f"NOT hqd_is_empty_text({r})" if f.type == "text" else f"NOT hqd_is_empty_n({n})"
    if f.type == "identifier":
        present = f"{parsed} IS NOT NULL"  # a cell holding only a tab is as empty as a blank one
    if f.required:
        issues.add(f"NOT ({present}) AND {parsed} IS NULL", label, r, "required")
    if f.type == "element_value":
        issues.add(f"{present} AND _el_code IS NOT NULL AND _el_type <> 'text' AND {parsed} IS NULL",
                   label, r, "invalid_number")  # fmt: skip
        issues.add(f"_el_type = 'integer' AND {parsed} <> floor({parsed})", label, r, "invalid_integer")
        issues.add(f"{parsed} < _el_min OR {parsed} > _el_max", label, r, "out_of_range",
                   lo="coalesce(CAST(_el_min AS VARCHAR), '-∞')", hi="coalesce(CAST(_el_max AS VARCHAR), '+∞')")  # fmt: skip
        return
    rule = INVALID_RULE.get(f.type)
    if rule:
        hint = sql_str(valuesets()[f.valueset].hint()) if f.type == "code" else "NULL"
        issues.add(f"{present} AND {parsed} IS NULL", label, r, rule, hint=hint)
    if f.type in DATE_TYPES:
        lo, hi = settings().date_window
        issues.add(f"CAST({parsed} AS DATE) NOT BETWEEN DATE '{lo}' AND DATE '{hi}'", label, r,
                   "implausible_date", lo=sql_str(str(lo)), hi=sql_str(str(hi)))  # fmt: skip
    bounds = [(f"{parsed} < {f.min}", f.min), (f"{parsed} > {f.max}", f.max)]
    cond = " OR ".join(c for c, v in bounds if v is not None)
    if cond:
        lo = sql_str(_num(f.min)) if f.min is not None else "'-∞'"
        hi = sql_str(_num(f.max)) if f.max is not None else "'+∞'"
        issues.add(cond, label, r, "out_of_range", lo=lo, hi=hi)


def _known(f: Field, value: str, spec: KindSpec) -> str:
    """SQL true when the code names an institution or region the warehouse (or this file) knows."""
    own = f" OR {value} IN (SELECT region_code FROM parsed_cte)" if spec.table == "regions" else ""
    return {
        "institution": f"{value} IN (SELECT org_code FROM institutions)",
        "region": f"({value} IN (SELECT region_code FROM regions){own})",
        "institution_or_region": f"({value} IN (SELECT org_code FROM institutions) OR "
        f"{value} IN (SELECT region_code FROM regions))",
    }[f.ref]


def _references(spec: KindSpec, src: SourceRows, values: dict[str, str], derived: list[str],
                issues: Issues) -> None:  # fmt: skip
    """Unknown institutions and regions; members named instead of coded are resolved to codes (a code
    compares normalised, as every code does: a full-width or lower-case code names the same institution)."""
    for f in spec.fields:
        if not f.ref or f.column not in src.slots or (f.outside_ok is True and not f.resolve_name):
            continue
        value = q(f.column)
        outside = f" AND NOT coalesce({f.outside_ok}, false)" if isinstance(f.outside_ok, str) else ""
        if f.resolve_name:
            resolved = (
                f"coalesce((SELECT min(org_code) FROM institutions i WHERE i.org_code = upper(hqd_norm({value}))), "
                f"(SELECT min(org_code) FROM institutions i WHERE i.name = {value}))"
            )
            derived.append(f"{resolved} AS {q(f.resolved_column)}")
            values[f.resolved_column] = q(f.resolved_column)
            cond = f"{value} IS NOT NULL AND ({resolved}) IS NULL{outside}"
        else:
            cond = f"{value} IS NOT NULL AND NOT {_known(f, value, spec)}{outside}"
        # The test is a column of its own: DuckDB cannot bind subqueries inside the issue list.
        flag = q(f"_unknown:{f.column}")
        derived.append(f"coalesce({cond}, false) AS {flag}")
        label = src.labels.get(f.column, sql_str(f.header))
        issues.add(flag, label, raw(f.column), UNKNOWN_RULE[f.ref])


def _derivations(spec: KindSpec, src: SourceRows, values: dict[str, str], derived: list[str]) -> list[str]:
    """Derived columns; returns the REPLACE list for columns filled in where the file left them empty."""
    replaced = []
    for d in spec.derive:
        if d.sql:
            derived.append(f"{d.sql} AS {q(d.column)}")
            values[d.column] = q(d.column)
        elif d.when_missing and d.column in values:
            base = values[d.column]
            if base == "NULL":
                derived.append(f"{d.when_missing} AS {q(d.column)}")
                values[d.column] = q(d.column)
            else:
                replaced.append(f"coalesce({base}, {d.when_missing}) AS {q(d.column)}")
            if d.flag:
                derived.append(f"({base} IS NULL AND ({d.when_missing}) IS NOT NULL) AS {q(d.flag)}")
                values[d.flag] = q(d.flag)
    if any("_cost_item_sum" in c.fail_when for c in spec.checks):
        items = [f"coalesce({q(f.column)}, 0)" for f in spec.fields if f.cost_item and f.column in src.slots]
        derived.append(f"({' + '.join(items) or '0'}) AS _cost_item_sum")
    return replaced


def _checks(
    spec: KindSpec, src: SourceRows, values: dict[str, str], columns: set[str], issues: Issues
) -> None:
    available = {c for c, v in values.items() if v != "NULL"} | {"_cost_item_sum"}
    by_header = {f.header: f.column for f in spec.fields}
    for c in spec.checks:
        if not set(re.findall(r"[a-z_][a-z0-9_]*", c.fail_when)) & columns <= available:
            continue  # a column the check needs is not in this file
        column = by_header[c.field]
        label = src.labels.get(column, sql_str(c.field))
        other = src.labels.get(by_header[c.other], sql_str(c.other)) if c.other else "NULL"
        value = c.value_sql or (raw(column) if column in src.slots else "NULL")
        issues.add(c.fail_when, label, value, c.rule, other=other)


def _children(
    spec: KindSpec, src: SourceRows, ctx: Context, parse_cols: list[str], issues: Issues
) -> list[str]:
    """Numbered columns become one list of structs per repeat group (其他诊断1…40 → _r0)."""
    out = []
    for g, rep in enumerate(spec.repeats):
        types = ctx.types[rep.table]
        structs = []
        for n in range(1, rep.max + 1):
            if not any(repeat_slot(g, n, f.column) in src.slots for f in rep.fields):
                continue
            members = [f"seq := {n}"]
            for f in rep.fields:
                slot = repeat_slot(g, n, f.column)
                if slot in src.slots:
                    parse_cols.append(f"{_parse_expr(f, slot, ctx.secret)} AS {q(slot)}")
                    _field_issues(f, slot, src, q(slot), issues)
                    members.append(f"{f.column} := CAST({q(slot)} AS {types[f.column]})")
                else:
                    members.append(f"{f.column} := CAST(NULL AS {types[f.column]})")
            structs.append("struct_pack(" + ", ".join(members) + ")")
        struct_type = (
            "STRUCT(seq INTEGER, " + ", ".join(f"{f.column} {types[f.column]}" for f in rep.fields) + ")"
        )
        listed = f"[{', '.join(structs)}]"
        out.append(
            f"list_filter(CAST({listed} AS {struct_type}[]), lambda x: x.{rep.present_when} IS NOT NULL) AS _r{g}"
        )
    return out


NO_NORM = {"drop", "text", None}


def _slot_types(spec: KindSpec, src: SourceRows) -> dict[str, str | None]:
    """The field type behind each slot (None for a combined cell that only feeds other slots)."""
    out: dict[str, str | None] = {f.column: f.type for f in spec.fields}
    for g, rep in enumerate(spec.repeats):
        for n in range(1, rep.max + 1):
            for f in rep.fields:
                out[repeat_slot(g, n, f.column)] = f.type
    return {slot: out.get(slot) for slot in src.slots}


def compile_source(spec: KindSpec, src: SourceRows, ctx: Context) -> str:
    """The SELECT yielding the parsed rows of one source: canonical columns, _r<g> child lists, _issues,
    _row_data (the row's cells as JSON, for quarantined rows) and _hash (for clean rows)."""
    main_types = ctx.types[spec.table]
    types = _slot_types(spec, src)
    # Dropped columns (names, phones) are never selected; text is used as written; every other cell is
    # normalised once here for all the parsers that read it.
    raw_cols = [f"{expr} AS {raw(slot)}" for slot, expr in src.slots.items() if types.get(slot) != "drop"]
    raw_cols += [
        f"hqd_norm({expr}) AS {norm(slot)}"
        for slot, expr in src.slots.items()
        if types.get(slot) not in NO_NORM
    ]
    if src.defect_sql:
        raw_cols.append(f"{src.defect_sql} AS _defect")
    raw_cols += list(src.passthrough)
    parse_cols: list[str] = []
    hidden = frozenset(x for s in src.private for x in (raw(s), norm(s), q(s)))
    issues = Issues(hidden=hidden, defect="_defect" if src.defect_sql else None, headers=src.headers)
    values: dict[str, str] = {}
    for f in spec.fields:
        if not f.stored or f.column not in src.slots:
            if f.stored and f.type != "element_value":
                values.setdefault(f.column, "NULL")
            continue
        expr = _parse_expr(f, f.column, ctx.secret)
        if scale := src.scales.get(f.column):
            expr = f"CAST(round(hqd_number_n({norm(f.column)}) * {scale}) AS BIGINT)"
        parse_cols.append(f"{expr} AS {q(f.column)}")
        values[f.column] = q(f.column)
        _field_issues(f, f.column, src, q(f.column), issues)
        if f.type == "date_or_year" and f.year_flag:
            parse_cols.append(
                f"regexp_full_match({norm(f.column)}, '[0-9]{{4}}(年|年度)?') AS {q(f.year_flag)}"
            )
        if f.type == "element_value":
            parse_cols.append(
                f"(CASE WHEN _el_type = 'text' AND NOT hqd_is_empty_n({norm(f.column)}) "
                f"THEN hqd_text({raw(f.column)}) END) AS value_text"
            )
    children = _children(spec, src, ctx, parse_cols, issues)
    derived: list[str] = []
    _references(spec, src, values, derived, issues)
    replaced = _derivations(spec, src, values, derived)
    _checks(spec, src, values, set(main_types), issues)
    final = []
    for column, sql_type in main_types.items():
        if column in BOOKKEEPING:
            continue
        if column == "value_text" and spec.layout == "values":
            final.append("CAST(value_text AS VARCHAR) AS value_text")
            continue
        expr = values.get(column, "NULL")
        f = next((f for f in spec.fields if f.column == column), None)
        if f is not None and f.default is not None:
            expr = f"coalesce({expr}, {sql_str(f.default)})"
        final.append(f"CAST({expr} AS {sql_type}) AS {q(column)}")
    cells = ", ".join(
        f"{src.labels[s]}, {raw(s)}" for s in src.slots if s not in src.private and s in src.labels
    )
    row_json = f"json_object({cells})" if cells else "'{}'"
    element_join = element_cols = ""
    if spec.layout == "values":
        key = f"hqd_key_n({norm('element')})"
        element_join = (
            f" LEFT JOIN hqd_element_lookup el ON el.key = {key}"
            f" LEFT JOIN hqd_element_lookup el2 ON el2.key = regexp_replace({key}, '\\([^()]*\\)$', '')"
        )
        element_cols = (
            ", coalesce(el.code, el2.code) AS _el_code, coalesce(el.type, el2.type) AS _el_type, "
            "coalesce(el.min, el2.min) AS _el_min, coalesce(el.max, el2.max) AS _el_max"
        )
    sheet = sql_str(src.sheet) if src.sheet is not None else "NULL"
    # An empty row is not read; a defective one is (it was a row to the user), though it has no cells.
    kept = f"NOT ({src.empty_sql})" + (f" OR {src.defect_sql} IS NOT NULL" if src.defect_sql else "")
    content = [q(c) for c in main_types if c not in BOOKKEEPING] + [f"_r{g}" for g in range(len(children))]
    hashed = ", ".join(f"{c} := {c}" for c in content)
    return f"""SELECT *, CASE WHEN len(_issues) = 0 THEN lpad(to_hex(hash(struct_pack({hashed}))), 16, '0') END AS _hash
FROM (
WITH raw_cte AS (
    SELECT {src.row_sql} AS _row, {", ".join(raw_cols)} FROM {src.from_sql} WHERE {kept}
), typed_cte AS (
    SELECT r.*{element_cols} FROM raw_cte r{element_join}
), parsed_cte AS (
    SELECT *, {", ".join(parse_cols) or "NULL AS _nothing"} FROM typed_cte
), derived_cte AS (
    SELECT * {("REPLACE (" + ", ".join(replaced) + ")") if replaced else ""}
    {(", " + ", ".join(derived)) if derived else ""} FROM parsed_cte
), issues_cte AS (
    SELECT *, {issues.sql()} AS _issues{"".join(", " + c for c in children)} FROM derived_cte
)
SELECT {src.part} AS _part, CAST({sheet} AS VARCHAR) AS _sheet, CAST(_row AS BIGINT) AS _row,
    {", ".join(final)}{"".join(f", _r{g}" for g in range(len(children)))},
    _issues,
    CASE WHEN len(_issues) > 0 {"AND _defect IS NULL " if src.defect_sql else ""}THEN CAST({row_json} AS VARCHAR) END AS _row_data
FROM issues_cte)
"""
