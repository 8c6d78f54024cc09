"""Reading CSV/TXT text in UTF-8, UTF-8 with BOM, GBK or GB18030, streaming, so any file size fits in memory.

DuckDB reads only UTF-8 here (its other encodings come from an extension an offline network cannot
fetch), so the file is decoded strictly in the first encoding that works and rewritten as UTF-8 data
lines for DuckDB's CSV reader. The pass also finds the header row and remembers which lines were blank,
so every record can be given the line number the user sees.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CHUNK = 8 * 1024 * 1024
HEADER_SEARCH_LINES = 30
_EMPTY_LINE = re.compile(r"^\r?$", re.M)
_CANDIDATES = ("utf-8", "gbk", "gb18030")
_LABEL = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gbk": "GBK", "gb18030": "GB18030"}


@dataclass
class TextLayout:
    """What the decoding pass learned about a text file."""

    encoding: str
    delimiter: str
    header: list[str]
    header_line: int  # 1-based line number of the header row
    data_path: Path
    data_lines: int = 0  # lines written after the header, blank ones included
    blank_lines: list[int] = field(default_factory=list)  # 1-based line numbers (in the file) of blank lines


class Undecodable(Exception):
    def __init__(self, offsets: dict[str, int]) -> None:
        super().__init__(offsets)
        self.offsets = offsets


class NoHeader(Exception):
    pass


def _split_row(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _delimiter(line: str) -> str:
    return "\t" if line.count("\t") > line.count(",") else ","


def _decoded_chunks(path: Path, codec: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)


def _codecs_for(path: Path) -> tuple[str, ...]:
    with path.open("rb") as fh:
        start = fh.read(4)
    if start.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ()
    return _CANDIDATES


def first_bad_offset(path: Path, codec: str) -> int | None:
    """Byte offset of the first byte `codec` cannot decode, or None if the whole file decodes."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pending = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                return max(offset + exc.start - pending, 0)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def transcode(
    path: Path,
    data_path: Path,
    is_header: Callable[[list[str]], bool],
    progress: Callable[[int], None] | None = None,
) -> TextLayout:
    """Decode `path` strictly, find the header row, and write the data lines after it to `data_path` as UTF-8."""
    for codec in _codecs_for(path):
        try:
            return _transcode_with(path, data_path, codec, is_header, progress)
        except UnicodeDecodeError:
            continue
    offsets = {
        "UTF-8": first_bad_offset(path, "utf-8") or 0,
        "GB18030": first_bad_offset(path, "gb18030") or 0,
    }
    raise Undecodable(offsets)


def _transcode_with(
    path: Path,
    data_path: Path,
    codec: str,
    is_header: Callable[[list[str]], bool],
    progress: Callable[[int], None] | None,
) -> TextLayout:
    chunks = _decoded_chunks(path, codec)
    pending = ""
    line_no = 0
    layout: TextLayout | None = None
    searched = 0
    with data_path.open("w", encoding="utf-8", newline="") as out:
        for text in chunks:
            if progress:
                progress(len(text))
            pending += text
            if layout is None:
                # Look for the header among the first non-empty lines.
                while layout is None and "\n" in pending:
                    line, pending = pending.split("\n", 1)
                    line_no += 1
                    stripped = line.strip().strip("\ufeff")
                    if not stripped or not stripped.strip(",\t"):
                        continue
                    searched += 1
                    delimiter = _delimiter(line)
                    cells = _split_row(line.rstrip("\r").lstrip("\ufeff"), delimiter)
                    if is_header(cells):
                        layout = TextLayout(_LABEL[codec], delimiter, cells, line_no, data_path)
                    elif searched >= HEADER_SEARCH_LINES:
                        raise NoHeader()
                if layout is None:
                    continue
            cut = pending.rfind("\n") + 1
            block, pending = pending[:cut], pending[cut:]
            _note_blank_lines(block, layout, line_no)
            line_no += block.count("\n")
            out.write(block)
        if layout is None:
            line = pending.rstrip("\r").lstrip("\ufeff")
            if line.strip() and is_header(_split_row(line, _delimiter(line))):
                layout = TextLayout(
                    _LABEL[codec],
                    _delimiter(line),
                    _split_row(line, _delimiter(line)),
                    line_no + 1,
                    data_path,
                )
                pending = ""
            else:
                raise NoHeader()
        if pending:
            _note_blank_lines(pending + "\n", layout, line_no)
            line_no += 1
            out.write(pending + "\n")
    layout.data_lines = line_no - layout.header_line
    return layout


def _note_blank_lines(block: str, layout: TextLayout, lines_before: int) -> None:
    """Record the file line numbers of empty lines in `block` (DuckDB skips those, so row numbers shift)."""
    count_from, running = 0, lines_before
    for match in _EMPTY_LINE.finditer(block):
        if match.start() == len(block):
            break
        running += block.count("\n", count_from, match.start())
        count_from = match.start()
        layout.blank_lines.append(running + 1)


def record_start_lines(data_path: Path, delimiter: str, first_line: int) -> list[int]:
    """File line number where each CSV record starts; needed only when quoted cells span lines.

    Empty lines yield no record (DuckDB skips them too); `first_line` is the file line of the first data line.
    """
    starts = []
    with data_path.open("r", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        consumed = 0
        for row in reader:
            if row:
                starts.append(first_line + consumed)
            consumed = reader.line_num
    return starts
