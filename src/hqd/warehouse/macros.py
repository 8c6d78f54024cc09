"""SQL macros that turn the value forms users send into canonical values, so parsing runs inside DuckDB.

Parsing a million rows cell by cell in Python is slow; as macros the same rules run vectorised in the
database, and the field catalog only names a type. Each macro returns NULL when the text does not parse,
and the loader turns "present but NULL after parsing" into a quarantine reason.
"""

from __future__ import annotations

import duckdb

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space map to their half-width forms (as NFKC does).
_FULL = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
_HALF = "".join(chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)) + " "
# In SQL the no-break space also becomes a space (NFKC), and zero-width spaces and stray BOMs are dropped
# (translate() deletes the characters it has no counterpart for): a key copied from a web page, or from a
# second file appended to the first, must compare equal to the same key typed plainly.
_FULL_SQL = (_FULL + "\u00a0\u200b\ufeff").replace("'", "''")
_HALF_SQL = (_HALF + " ").replace("'", "''")
_FULL_CLASS = "\uff01-\uff5e\u3000\u00a0\u200b\ufeff"
# Surrounding whitespace: spaces, tabs and line breaks (a quoted cell may end in one).
_WS = " \t\r\n"

EMPTY_MARKERS = ("", "NULL", "null", "Null", "-", "/", "无", "—", "--")

_DATETIME_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M:%S",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%Y年%m月%d日",
    "%Y.%m.%d",
]


# A number with thousands separators and/or a trailing percent sign.
_GROUPED = "[+-]?([0-9]{1,3}(,[0-9]{3})*|[0-9]+)(\\.[0-9]+)?%?"


def _sql_list(items: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"


# Parsers of normalised text `n` (half-width, trimmed). The loader normalises each cell once and calls
# these; the hqd_<name>(s) wrappers below normalise first, for use on raw text.
PARSERS = {
    "hqd_is_empty": f"(n) AS (n IS NULL OR n IN {tuple(EMPTY_MARKERS)!r})",
    # The forms of the contract: plain decimals (also 1.5e-05, as a spreadsheet writes a small number),
    # thousands separators in groups of three (1,234.5) and a trailing % (12.5%). Plain numbers take the fast
    # cast, which alone would also read 1_000 (DuckDB's digit separator), so a cell with an underscore never
    # reaches it; the clean-up path reads only well-grouped separators (not 1,00,0). inf and nan (also from
    # 1e309) are no numbers a report can hold: hqd_number refuses them.
    "hqd_number_any": (
        "(n) AS CASE WHEN strpos(n, '_') = 0 THEN coalesce(TRY_CAST(n AS DOUBLE), "
        f"CASE WHEN regexp_full_match(n, '{_GROUPED}') THEN TRY_CAST(replace(rtrim(n, '%'), ',', '') AS DOUBLE) END) END"
    ),
    "hqd_number": "(n) AS CASE WHEN isfinite(hqd_number_any_n(n)) THEN hqd_number_any_n(n) END",
    "hqd_integer": (
        "(n) AS CASE WHEN hqd_number_n(n) = floor(hqd_number_n(n)) AND abs(hqd_number_n(n)) < 9e15 "
        "THEN CAST(hqd_number_n(n) AS BIGINT) END"
    ),
    # Excel stores dates as days since 1899-12-30 (five-digit serials cover 1927..2173); times to the second.
    "hqd_excel_serial": (
        "(n) AS CASE WHEN regexp_full_match(n, '[0-9]{5}(\\.[0-9]+)?') THEN "
        "TIMESTAMP '1899-12-30' + to_seconds(CAST(round(CAST(n AS DOUBLE) * 86400) AS BIGINT)) END"
    ),
    # ISO text takes the fast cast; the other forms go through the format list.
    "hqd_datetime": (
        "(n) AS coalesce(TRY_CAST(n AS TIMESTAMP), try_strptime(regexp_replace(n, '\\s+', ' ', 'g'), "
        f"{_sql_list(_DATETIME_FORMATS)}), hqd_excel_serial_n(n))"
    ),
    "hqd_date": "(n) AS CAST(hqd_datetime_n(n) AS DATE)",
    # Periods: 2024 | 2024Q1 | 2024-03, from every form the contract accepts.
    "hqd_period": (
        "(n) AS CASE "
        "WHEN regexp_full_match(n, '[0-9]{4}年?') THEN left(n, 4) "
        "WHEN regexp_full_match(upper(n), '[0-9]{4}\\s*Q[1-4]') THEN left(n, 4) || 'Q' || right(n, 1) "
        "WHEN regexp_full_match(n, '[0-9]{4}年第?[1-4一二三四]季度') "
        "THEN left(n, 4) || 'Q' || translate(regexp_extract(n, '([1-4一二三四])季度', 1), '一二三四', '1234') "
        "WHEN regexp_full_match(n, '[0-9]{4}([-/.]|年)(0?[1-9]|1[0-2])月?') "
        "THEN left(n, 4) || '-' || lpad(regexp_extract(n, '^[0-9]{4}[-/.年]([0-9]{1,2})', 1), 2, '0') "
        "WHEN regexp_full_match(n, '[0-9]{4}(0[1-9]|1[0-2])') THEN left(n, 4) || '-' || right(n, 2) "
        "END"
    ),
    # 统一社会信用代码 (18), 组织机构代码 (9, often written with a dash), 医疗机构登记号 (22).
    "hqd_org_code": (
        "(n) AS CASE WHEN regexp_full_match(upper(n), '[0-9A-Z]{18}|[0-9A-Z]{8}-?[0-9X]|[0-9A-Z]{22}') "
        "THEN upper(n) END"
    ),
    "hqd_region_code": "(n) AS CASE WHEN regexp_full_match(n, '[0-9]{6}') THEN n END",
    "hqd_bool": (
        "(n) AS CASE WHEN lower(n) IN ('是', 'y', 'yes', 'true', '1', '有') THEN true "
        "WHEN lower(n) IN ('否', 'n', 'no', 'false', '0', '2') THEN false END"
    ),
    # ICD-10 国临版 (e.g. I21.000x001, J95.800x004) and ICD-9-CM-3 国临版 (e.g. 81.5100, 36.1000x001).
    "hqd_icd10": (
        "(n) AS CASE WHEN regexp_full_match(n, '[A-Za-z][0-9]{2}[0-9A-Za-z.+*†/\\-]{0,16}') "
        "THEN upper(left(n, 1)) || substr(n, 2) END"
    ),
    "hqd_icd9": "(n) AS CASE WHEN regexp_full_match(n, '[0-9]{2}(\\.[0-9A-Za-z]{1,12})?') THEN n END",
    # The leading code of "1.医嘱离院" / "1-医嘱离院" / "1 医嘱离院".
    "hqd_code_prefix": "(n) AS nullif(regexp_extract(n, '^([0-9A-Za-z]+)\\s*[.\\-、:\\s]\\s*\\S', 1), '')",
    # A record number (病案号, 转诊单号 …): normalised like a code, with tabs and line breaks also trimmed.
    "hqd_identifier": f"(n) AS CASE WHEN NOT hqd_is_empty_n(n) THEN nullif(trim(n, '{_WS}'), '') END",
    # Header-style key for looking up data elements by name: no spaces, upper case.
    "hqd_key": "(n) AS upper(regexp_replace(rtrim(n, ':'), '\\s+', '', 'g'))",
}

MACROS = {
    # Half-width, trimmed text; the base of every parser.
    # translate() is slow in DuckDB, so it runs only on the rare cells that hold a full-width character
    # (an all-ASCII cell, whose byte length equals its length, skips even the regex). trim() with a list of
    # characters costs four times plain trim(), so only the rare non-ASCII cells have tabs and line breaks
    # trimmed here; record numbers, the keys that must compare exactly, trim them always (hqd_identifier).
    "hqd_norm": (
        "(s) AS CASE WHEN strlen(CAST(s AS VARCHAR)) = length(CAST(s AS VARCHAR)) "
        f"THEN trim(CAST(s AS VARCHAR)) WHEN regexp_matches(CAST(s AS VARCHAR), '[{_FULL_CLASS}]') "
        f"THEN trim(translate(CAST(s AS VARCHAR), '{_FULL_SQL}', '{_HALF_SQL}'), '{_WS}') "
        f"ELSE trim(CAST(s AS VARCHAR), '{_WS}') END"
    ),
    # Empty markers in text as written (no normalisation: text cells keep their full-width characters).
    "hqd_is_empty_text": (
        "(s) AS (s IS NULL OR trim(CAST(s AS VARCHAR), ' \t\r\n\u3000') IN "
        f"{(*EMPTY_MARKERS, 'ＮＵＬＬ', '－', '／')!r})"
    ),
    # Trimmed text as given (names keep their full-width characters).
    "hqd_text": "(s) AS nullif(trim(CAST(s AS VARCHAR), ' \t\r\n\u3000'), '')",
    # One quarantine reason; every member VARCHAR so the reasons of a row form one typed list.
    "hqd_issue": (
        "(f, v, r, o, h, lo, hi) AS struct_pack(field := CAST(f AS VARCHAR), value := CAST(v AS VARCHAR), "
        "rule := CAST(r AS VARCHAR), other := CAST(o AS VARCHAR), hint := CAST(h AS VARCHAR), "
        "lo := CAST(lo AS VARCHAR), hi := CAST(hi AS VARCHAR))"
    ),
}
for _name, _body in PARSERS.items():
    MACROS[f"{_name}_n"] = _body.replace("_n(n)", "_n(n)")
    MACROS[_name] = f"(s) AS {_name}_n(hqd_norm(s))"


def register_macros(con: duckdb.DuckDBPyConnection) -> None:
    for name, body in MACROS.items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}{body}")
