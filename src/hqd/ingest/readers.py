"""Readers land a file's cells in DuckDB as text, one Part per CSV file or matching XLSX sheet.

Readers are registered by file extension, the same way a province's own reader (say, for .xls or .dbf)
would add itself. Each keeps the row number the user sees: the line of a CSV file, the row of a sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from hqd.ingest.encoding import MISALIGNED, NoHeader, TextLayout, Undecodable, transcode
from hqd.ingest.errors import FileRejected
from hqd.ingest.headers import HeaderMap, build_map, minimum_match
from hqd.ingest.source import Part
from hqd.ingest.spec import KindSpec

XLSX_BATCH = 50_000
HEADER_SEARCH_ROWS = 30


@dataclass
class ReadResult:
    file_type: str
    encoding: str | None
    parts: list[Part]
    skipped_sheets: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ReadContext:
    con: duckdb.DuckDBPyConnection
    spec: KindSpec
    path: Path
    workdir: Path
    progress: Callable[[int], None] | None = None


Reader = Callable[[ReadContext], ReadResult]
READERS: dict[str, Reader] = {}


def register_reader(*extensions: str) -> Callable[[Reader], Reader]:
    def wrap(fn: Reader) -> Reader:
        for ext in extensions:
            READERS[ext.lower()] = fn
        return fn

    return wrap


def read(ctx: ReadContext) -> ReadResult:
    reader = READERS.get(ctx.path.suffix.lower())
    if reader is None:
        raise FileRejected(
            f"文件 {ctx.path.name} 的类型 {ctx.path.suffix or '(无扩展名)'} 不受支持，请提供 .csv、.txt 或 .xlsx",
            f"file {ctx.path.name}: type {ctx.path.suffix or '(none)'} is not supported; send .csv, .txt or .xlsx",
        )
    return reader(ctx)


def _is_header(spec: KindSpec) -> Callable[[list[object]], bool]:
    need = minimum_match(spec)
    return lambda cells: build_map(spec, cells).matched >= need


def _require_columns(ctx: ReadContext, hm: HeaderMap, where: str) -> None:
    if hm.missing_required:
        cols = "、".join(hm.missing_required)
        raise FileRejected(
            f"文件 {ctx.path.name}{where} 缺少必需的列：{cols}",
            f"file {ctx.path.name}{where} lacks the required column(s): {cols}",
        )


def _no_header(ctx: ReadContext, where: str = "") -> FileRejected:
    spec = ctx.spec
    sample = "、".join(f.header for f in spec.fields if f.required)[:80]
    return FileRejected(
        f"文件 {ctx.path.name}{where} 中找不到“{spec.title_zh}”的表头行（应包含 {sample} 等列）",
        f"file {ctx.path.name}{where} has no header row for kind {spec.kind} ({spec.title_en})",
    )


@register_reader(".csv", ".txt", ".tsv")
def read_text(ctx: ReadContext) -> ReadResult:
    try:
        layout = transcode(ctx.path, ctx.workdir, _is_header(ctx.spec), ctx.progress, parts=_threads(ctx))
    except Undecodable as exc:
        raise FileRejected(
            f"文件 {ctx.path.name} 无法按 UTF-8、GBK 或 GB18030 解码（UTF-8 在第 {exc.offsets['UTF-8']} 字节、"
            f"GB18030 在第 {exc.offsets['GB18030']} 字节处出错）{_guess(ctx.path)}",
            f"file {ctx.path.name} decodes as none of UTF-8, GBK, GB18030 (first bad byte at offset "
            f"{exc.offsets['UTF-8']} as UTF-8, {exc.offsets['GB18030']} as GB18030)",
        ) from None
    except NoHeader:
        raise _no_header(ctx) from None
    hm = build_map(ctx.spec, layout.header)
    _require_columns(ctx, hm, "")
    part = _load_csv(ctx, layout, hm)
    return ReadResult("csv" if layout.delimiter == "," else "tsv", layout.encoding, [part])


def _guess(path: Path) -> str:
    """A hint of what the file looks like, from charset-normalizer, to help the sender re-save it."""
    try:
        from charset_normalizer import from_path

        best = from_path(path).best()
    except Exception:  # pragma: no cover - a hint only
        return ""
    return f"；看起来像 {best.encoding} 编码，请另存为 UTF-8 或 GBK" if best else ""


def _load_csv(ctx: ReadContext, layout: TextLayout, hm: HeaderMap) -> Part:
    """The CSV is parsed by the load statement itself, straight from the file: staging a million rows of
    text in a table first would cost more than parsing them. The transcode pass has already made every
    record line up with the header (or replaced it by its defect, without cells), so DuckDB meets no
    surprise: null padding only fills the cells of defect records."""
    width = len(layout.header)
    columns = {"_line": "BIGINT", "_defect": "VARCHAR"} | {f"c{i}": "VARCHAR" for i in range(width)}
    delim = "\\t" if layout.delimiter == "\t" else ","
    source = (
        f"read_csv({[str(p) for p in layout.data_paths]!r}, header=false, columns={columns!r}, delim='{delim}', "
        f"quote='\"', escape='\"', null_padding=true, strict_mode=false, auto_detect=false"
        f"{', parallel=false' if layout.multiline else ''}) AS stage_p0"
    )
    return Part(0, None, layout.header_line, hm, "stage_p0._line", source, width, defect_sql="_defect")


def _threads(ctx: ReadContext) -> int:
    return int(ctx.con.execute("SELECT current_setting('threads')").fetchone()[0])


def cell_text(value: object) -> str | None:
    """An XLSX cell as the text a user would have typed (dates ISO, 12.0 as 12)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


@register_reader(".xlsx", ".xlsm")
def read_xlsx(ctx: ReadContext) -> ReadResult:
    from python_calamine import CalamineWorkbook

    from hqd.ingest.xlsx_guard import check_xlsx

    check_xlsx(
        ctx.path
    )  # zip bomb, declared grid, DTD: refused before calamine opens it (hqd.ingest.xlsx_guard)
    try:
        workbook = CalamineWorkbook.from_path(str(ctx.path))
    except Exception as exc:
        raise FileRejected(
            f"文件 {ctx.path.name} 不是可读取的 Excel 工作簿：{exc}",
            f"file {ctx.path.name} is not a readable Excel workbook: {exc}",
        ) from None
    parts, skipped = [], []
    is_header = _is_header(ctx.spec)
    for name in workbook.sheet_names:
        rows = workbook.get_sheet_by_name(name).iter_rows()
        found = _find_header(rows, is_header)
        if found is None:
            skipped.append({"sheet": name, "reason": "no header row for this kind / 无匹配的表头行"})
            continue
        header_index, header = found
        hm = build_map(ctx.spec, header)
        _require_columns(ctx, hm, f" 的工作表“{name}”")
        parts.append(_load_sheet(ctx, len(parts), name, header_index, hm, rows))
    if not parts:
        raise _no_header(ctx, "（所有工作表）")
    return ReadResult("xlsx", None, parts, skipped)


def _find_header(
    rows: Iterator[list[object]], is_header: Callable[[list[object]], bool]
) -> tuple[int, list[object]] | None:
    searched = 0
    for index, row in enumerate(rows):
        if not any(cell_text(c) for c in row):
            continue
        searched += 1
        if is_header(row):
            return index, row
        if searched >= HEADER_SEARCH_ROWS:
            return None
    return None


def _load_sheet(
    ctx: ReadContext, index: int, sheet: str, header_index: int, hm: HeaderMap, rows: Iterator[list[object]]
) -> Part:
    """A sheet's rows as text cells. A sheet has no "short" row: a cell left empty at the end of a row is
    just empty, as the user sees it. A row with content right of the header's last column is misaligned
    (its cells were shifted, so any column may hold an identifier): it is staged with its cell count and
    without any of its cells, like a misaligned CSV record."""
    width = len(hm.headers)
    # Rows come padded to the sheet's widest row, the header too: its columns end at its last filled cell.
    used = max((i + 1 for i, h in enumerate(hm.headers) if h.strip()), default=width)
    table = f"stage_p{index}"
    cols = ", ".join(f"c{i} VARCHAR" for i in range(width))
    ctx.con.execute(f"CREATE TEMP TABLE {table} (_row BIGINT, _defect VARCHAR, {cols})")
    names = ["_row", "_defect"] + [f"c{i}" for i in range(width)]
    batch: list[list[object]] = [[] for _ in names]
    blank = 0
    for offset, row in enumerate(rows, start=header_index + 2):
        beyond = _last_filled(row, used)
        defect = None
        if beyond is not None:
            defect = f"{MISALIGNED}:{beyond + 1}:{used}"
            texts = [None] * width
        else:
            texts = [cell_text(c) for c in row[:width]]
            if not any(t is not None and t.strip() for t in texts):
                blank += 1
                continue
            texts += [None] * (width - len(texts))
        batch[0].append(offset)
        batch[1].append(defect)
        for i, t in enumerate(texts, start=2):
            batch[i].append(t)
        if len(batch[0]) >= XLSX_BATCH:
            _flush(ctx, table, names, batch)
            batch = [[] for _ in names]
    _flush(ctx, table, names, batch)
    return Part(
        index,
        sheet,
        header_index + 1,
        hm,
        f"{table}._row",
        table,
        width,
        blank_rows=blank,
        defect_sql="_defect",
    )


def _last_filled(row: list[object], start: int) -> int | None:
    """Index of the last non-empty cell at or after `start` (rows are padded: usually none is looked at)."""
    for i in range(len(row) - 1, start - 1, -1):
        text = cell_text(row[i])
        if text is not None and text.strip():
            return i
    return None


def _flush(ctx: ReadContext, table: str, names: list[str], batch: list[list[object]]) -> None:
    if not batch[0]:
        return
    arrays = [pa.array(batch[0], pa.int64())] + [pa.array(col, pa.string()) for col in batch[1:]]
    chunk = pa.Table.from_arrays(arrays, names=names)  # noqa: F841 - read by DuckDB's replacement scan
    ctx.con.execute(f"INSERT INTO {table} SELECT * FROM chunk")
    if ctx.progress:
        ctx.progress(len(batch[0]))
