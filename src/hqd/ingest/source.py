"""The rows of one readable part (a CSV file or an XLSX sheet) as SQL: which expression fills which slot.

Readers land cells in DuckDB tables as text; this module says, for the parser, where each canonical slot's
raw text comes from, what header to name in messages, and which rows are entirely empty. The `values` kind's
wide layout is turned into one source row per non-empty element cell here, so the parser stays generic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hqd.ingest.headers import HeaderMap, repeat_slot
from hqd.ingest.spec import KindSpec
from hqd.ingest.valuesets import sql_str


@dataclass
class Part:
    """What a reader produced for one CSV file or one XLSX sheet."""

    index: int
    sheet: str | None
    header_row: int
    header_map: HeaderMap
    row_sql: str  # the user-visible row number of a record
    from_sql: str  # FROM clause (the table, joined to a row-number map where needed)
    width: int
    defect_sql: str | None = None  # `rule:detail` when the reader could not line the row up with the header
    blank_rows: int = 0


@dataclass
class SourceRows:
    part: int
    sheet: str | None
    from_sql: str
    row_sql: str
    slots: dict[str, str]  # slot -> SQL of its raw text
    labels: dict[str, str]  # slot -> SQL of the header named in messages
    empty_sql: str  # true for a row with no content at all (not counted as read)
    defect_sql: str | None  # see Part; a defective row carries no cells
    private: frozenset[str]  # slots never written anywhere in clear (identifiers)
    scales: dict[str, float] = field(default_factory=dict)  # slot -> factor of the alias the file used
    passthrough: tuple[str, ...] = ()  # source columns the labels refer to
    headers: tuple[
        str, ...
    ] = ()  # the part's headers in file order (a reader's defect names its cell by them)


def _nonblank(expr: str) -> str:
    return f"nullif(trim({expr}), '')"


def rows_of(spec: KindSpec, part: Part) -> SourceRows:
    hm = part.header_map
    cell = {slot: f"c{col}" for slot, col in hm.columns.items()}
    labels = {slot: sql_str(hm.header(slot)) for slot in hm.slots}
    private = frozenset(
        slot for slot, s in hm.slots.items() if s.field is not None and s.field.type in {"id_hash", "drop"}
    )
    empty = " AND ".join(f"(c{i} IS NULL OR trim(c{i}) = '')" for i in range(part.width)) or "false"
    if spec.layout == "values" and hm.layout == "wide":
        return _wide_values(part, hm, cell, labels, empty, private)
    slots = dict(cell)
    for g, rep in enumerate(spec.repeats):
        for s_i, split in enumerate(rep.splits):
            for n in range(1, rep.max + 1):
                combined = cell.get(f"r{g}_{n}__split{s_i}")
                if combined is None:
                    continue
                for k, column in enumerate(split.into, start=1):
                    target = repeat_slot(g, n, column)
                    piece = _nonblank(f"split_part({combined}, {sql_str(split.sep)}, {k})")
                    slots[target] = (
                        f"coalesce({_nonblank(slots[target])}, {piece})" if target in slots else piece
                    )
                    labels.setdefault(target, labels[f"r{g}_{n}__split{s_i}"])
    scales = {slot: s.scale for slot, s in hm.slots.items() if s.scale}
    return SourceRows(
        part.index,
        part.sheet,
        part.from_sql,
        part.row_sql,
        slots,
        labels,
        empty,
        part.defect_sql,
        private,
        scales,
        headers=tuple(str(h) for h in hm.headers),
    )


def _wide_values(
    part: Part,
    hm: HeaderMap,
    cell: dict[str, str],
    labels: dict[str, str],
    empty: str,
    private: frozenset[str],
) -> SourceRows:
    """One source row per non-empty element cell: (row, org, period, element code, value, header)."""
    selects = []
    fine = f" AND {part.defect_sql} IS NULL" if part.defect_sql else ""
    for slot, s in hm.slots.items():
        if s.element is None:
            continue
        value = cell[slot]
        selects.append(
            f"SELECT {part.row_sql} AS _row, {cell.get('org_code', 'NULL')} AS org_code, "
            f"{cell.get('period', 'NULL')} AS period, {sql_str(s.element.code)} AS element, {value} AS value, "
            f"{labels[slot]} AS _value_label, NULL::VARCHAR AS _defect "
            f"FROM {part.from_sql} WHERE NOT hqd_is_empty({value}){fine}"
        )
    if part.defect_sql:
        # A misaligned row is one source row of its own, with its defect and no cells.
        selects.append(
            f"SELECT {part.row_sql} AS _row, NULL AS org_code, NULL AS period, NULL AS element, NULL AS value, "
            f"NULL AS _value_label, {part.defect_sql} AS _defect "
            f"FROM {part.from_sql} WHERE {part.defect_sql} IS NOT NULL"
        )
    from_sql = (
        "("
        + (
            " UNION ALL ".join(selects)
            or "SELECT NULL::BIGINT AS _row, NULL AS org_code, "
            "NULL AS period, NULL AS element, NULL AS value, NULL AS _value_label, NULL::VARCHAR AS _defect "
            "WHERE false"
        )
        + ") AS w"
    )
    slots = {"org_code": "org_code", "period": "period", "element": "element", "value": "value"}
    new_labels = {
        "org_code": labels.get("org_code", "'机构代码'"),
        "period": labels.get("period", "'统计期'"),
        "element": "_value_label",
        "value": "_value_label",
    }
    return SourceRows(
        part.index,
        part.sheet,
        from_sql,
        "_row",
        slots,
        new_labels,
        "false",
        "_defect" if part.defect_sql else None,
        private,
        passthrough=("_value_label",),
        headers=tuple(str(h) for h in hm.headers),
    )
