"""Writing tables the ways users' systems do: GBK / UTF-8-BOM CSV, tab-separated text, and XLSX workbooks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

from hqd.demo.base import STR, Table, to_arrow


def _quote(col: pa.Array, delimiter: str) -> pa.Array:
    """RFC 4180 quoting, applied only where a value needs it."""
    pattern = "[" + re.escape(delimiter) + '"\r\n]'
    need = pc.match_substring_regex(col, pattern)
    if not pc.any(need).as_py():
        return col
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")
    return pc.if_else(need, quoted, col)


def text_lines(table: Table, delimiter: str = ",", header: bool = True) -> bytes:
    """The table as UTF-8 CSV bytes, CRLF line ends (the fast path: pyarrow joins the columns)."""
    cols = [to_arrow(v) for v in table.columns.values()]
    parts: list[bytes] = []
    if header:
        parts.append((delimiter.join(table.header) + "\r\n").encode("utf-8"))
    if len(table):
        line = _join(cols, delimiter)
        # quote only when some value holds a delimiter, a quote or a line break (rare: checked once per line)
        clean = pc.all(pc.equal(pc.count_substring(line, delimiter), len(cols) - 1)).as_py()
        if not clean or pc.any(pc.match_substring_regex(line, '["\\r\\n]')).as_py():
            line = _join([_quote(c, delimiter) for c in cols], delimiter)
        line = pc.binary_join_element_wise(line, pa.scalar(""), "\r\n")
        offsets = np.frombuffer(line.buffers()[1], dtype=np.int32)[line.offset : line.offset + len(line) + 1]
        parts.append(line.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]])
    return b"".join(parts)


def _join(cols: list[pa.Array], delimiter: str) -> pa.Array:
    return pc.binary_join_element_wise(*cols, delimiter) if len(cols) > 1 else cols[0]


def encode(text_utf8: bytes, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf8"):
        return text_utf8
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + text_utf8
    return text_utf8.decode("utf-8").encode(encoding)  # strict: a character outside GBK is a generator bug


def write_csv(path: Path, table: Table, *, encoding: str = "gbk", delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(encode(text_lines(table, delimiter), encoding))


@dataclass
class Sheet:
    """One worksheet: a data table, or free text lines (a 说明 sheet), optionally after blank rows."""

    name: str
    table: Table | None = None
    notes: list[str] = field(default_factory=list)
    blank_rows: int = 0


_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _as_datetime(text: str) -> dt.datetime | None:
    m = _DATETIME.match(text)
    if not m:
        return None
    try:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hh, mm, ss = (int(m.group(i) or 0) for i in (4, 5, 6))
        return dt.datetime(y, mo, d, hh, mm, ss)
    except ValueError:
        return None


def write_xlsx(path: Path, sheets: list[Sheet], *, date_cells: bool = False) -> None:
    """An XLSX workbook; numeric columns become numbers, date columns Excel dates when date_cells is set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    wb.set_properties({"created": dt.datetime(2026, 1, 5, 9, 0, 0), "author": "示例市卫生健康信息中心"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    bold = wb.add_format({"bold": True})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        r0 = sheet.blank_rows
        if sheet.table is None:
            for i, line in enumerate(sheet.notes):
                ws.write_string(r0 + i, 0, line, bold if i == 0 else None)
            continue
        t = sheet.table
        for j, name in enumerate(t.header):
            ws.write_string(r0, j, name, bold)
        cols = [t.column_list(name) for name in t.header]
        numeric = [name in t.numeric for name in t.header]
        dates = [date_cells and name in t.dates for name in t.header]
        for i in range(len(t)):
            r = r0 + 1 + i
            for j, col in enumerate(cols):
                v = col[i]
                if v == "":
                    continue
                if numeric[j] and _NUMBER.match(v):
                    ws.write_number(r, j, float(v))
                elif dates[j] and (when := _as_datetime(v)) is not None:
                    ws.write_datetime(r, j, when, dt_fmt if " " in v else date_fmt)
                else:
                    ws.write_string(r, j, v)
    wb.close()


def as_strings(values: list[str]) -> np.ndarray:
    return np.asarray(values, dtype=STR)
