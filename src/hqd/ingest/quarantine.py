"""Quarantine: storing each rejected row with its reasons in Chinese and English, and handing it back.

Messages are rendered from the rule templates of catalog/rules.yaml inside DuckDB, so a file with
5,000 bad rows costs one statement, and the summary groups them by rule and field (as DHIS2 does).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from hqd.catalog import load_yaml
from hqd.ingest.summary import Reason
from hqd.tabular import write_table

ROW_PREVIEW = 50


def create_rules_table(con: duckdb.DuckDBPyConnection) -> None:
    rules = load_yaml("rules.yaml")
    con.execute(
        "CREATE TEMP TABLE hqd_rules (rule VARCHAR, level VARCHAR, category VARCHAR, zh VARCHAR, en VARCHAR)"
    )
    con.executemany(
        "INSERT INTO hqd_rules VALUES (?, ?, ?, ?, ?)",
        [(k, v["level"], v["category"], v["zh"], v["en"]) for k, v in rules.items()],
    )


def _render(template: str) -> str:
    out = template
    for placeholder, expr in (
        ("{field}", "i.field"),
        ("{value}", "i.value"),
        ("{other}", "i.other"),
        ("{valueset}", "i.hint"),
        ("{rows}", "i.hint"),
        ("{min}", "i.lo"),
        ("{max}", "i.hi"),
        ("{cells}", "i.lo"),
        ("{width}", "i.hi"),
        ("{from}", "i.lo"),
        ("{to}", "i.hi"),
    ):
        out = f"replace({out}, '{placeholder}', coalesce({expr}, ''))"
    return out


def store_issues(con: duckdb.DuckDBPyConnection, import_id: int, file_name: str, key_label: str) -> None:
    """Write the parse-time reasons and the key conflicts of `parsed` into the quarantine table."""
    con.execute(
        f"""
        INSERT INTO quarantine
        SELECT {import_id}, ?, _sheet, _row, i.field, i.value, i.rule, {_render("r.zh")}, {_render("r.en")}, _row_data
        FROM (SELECT _part, _sheet, _row, _row_data, unnest(_issues) AS i FROM parsed WHERE len(_issues) > 0)
        JOIN hqd_rules r ON r.rule = i.rule
        ORDER BY _part, _row
    """,
        [file_name],
    )
    key_zh = "replace(replace(r.zh, '{rows}', c.others), '{field}', $key)"
    key_en = "replace(replace(r.en, '{rows}', c.others), '{field}', $key)"
    con.execute(
        f"""
        INSERT INTO quarantine
        SELECT {import_id}, $file, c._sheet, c._row, $key, NULL, 'key_conflict', {key_zh}, {key_en},
               CAST(to_json(p) AS VARCHAR)
        FROM conflicts c
        JOIN (SELECT rowid AS _rec, * EXCLUDE (_issues, _row_data, _hash) FROM parsed) p ON p._rec = c._rec
        JOIN hqd_rules r ON r.rule = 'key_conflict'
        ORDER BY c._part, c._row
    """,
        {"file": file_name, "key": key_label},
    )


def quarantined_rows(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("""
        SELECT (SELECT count(*) FROM parsed WHERE len(_issues) > 0) + (SELECT count(*) FROM conflicts)
    """).fetchone()[0]


def reasons(con: duckdb.DuckDBPyConnection, import_id: int) -> list[Reason]:
    rows = con.execute(
        f"""
        SELECT rule, field, count(*) AS n,
               list(coalesce(sheet || '!', '') || row_number ORDER BY row_number)[1:{ROW_PREVIEW}],
               any_value(message_zh ORDER BY row_number), any_value(message_en ORDER BY row_number)
        FROM quarantine WHERE import_id = ? GROUP BY rule, field ORDER BY n DESC, rule, field
    """,
        [import_id],
    ).fetchall()
    return [Reason(r[0], r[1], r[2], [str(x) for x in r[3]], r[4], r[5]) for r in rows]


def export(con: duckdb.DuckDBPyConnection, import_id: int, out: Path) -> int:
    """Write an import's quarantined rows with their reasons to .xlsx or .csv (UTF-8 with BOM for Excel)."""
    import json

    row = con.execute(
        "SELECT coalesce(same_as, import_id) FROM imports WHERE import_id = ?", [import_id]
    ).fetchone()
    if row is None:
        raise LookupError(import_id)
    source = row[0]
    records = con.execute(
        """
        SELECT sheet, row_number, field, value, rule, message_zh, message_en, row_data
        FROM quarantine WHERE import_id = ? ORDER BY sheet NULLS FIRST, row_number, rule
    """,
        [source],
    ).fetchall()
    data_keys: list[str] = []
    parsed_rows = []
    for rec in records:
        cells = json.loads(rec[7]) if rec[7] else {}
        for k in cells:
            if k not in data_keys and not k.startswith("_"):
                data_keys.append(k)
        parsed_rows.append(cells)
    header = [
        "工作表 sheet",
        "行号 row",
        "字段 field",
        "值 value",
        "规则 rule",
        "原因 reason",
        "reason (English)",
    ]
    header += data_keys
    table = [
        [r[0] or "", r[1], r[2] or "", r[3] or "", r[4], r[5], r[6]]
        + [_cell(cells.get(k)) for k in data_keys]
        for r, cells in zip(records, parsed_rows, strict=True)
    ]
    return write_table(out, header, table, sheet="隔离行 quarantine")


def _cell(value: object) -> object:
    """A stored cell of the row as it was read (text; `write_table` neutralises what could be a formula)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value
