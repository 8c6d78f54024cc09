"""Reading CSV/TXT text in UTF-8, UTF-8 with BOM, GBK or GB18030, streaming, so any file size fits in memory.

DuckDB reads only UTF-8 here (its other encodings come from an extension an offline network cannot
fetch), so the file is decoded strictly in the first encoding that works and rewritten as UTF-8 for
DuckDB's CSV reader. The same pass finds the header row and writes each record's line number, as the
user sees it, in front of the record: DuckDB skips blank lines and cannot say which line a record came
from, and a quoted cell may span lines (tracked by quote parity, so continuation lines are not numbered).
"""

from __future__ import annotations

import codecs
import csv
import itertools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 * 1024 * 1024
PARALLEL_MIN_BYTES = 32 * 1024 * 1024
HEADER_SEARCH_LINES = 30
_CANDIDATES = ("utf-8", "gbk", "gb18030")
_LABEL = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gbk": "GBK", "gb18030": "GB18030"}


@dataclass
class TextLayout:
    """What the decoding pass learned about a text file; `data_paths` hold `line<delim>record` lines."""

    encoding: str
    delimiter: str
    header: list[str]
    header_line: int  # 1-based line number of the header row
    data_paths: list[Path]
    multiline: bool = False  # some quoted cell spans lines (DuckDB must then read without parallelism)


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
                pending = len(decoder.getstate()[0])
                return max(offset + exc.start - pending, 0)
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset
    return None


def transcode(
    path: Path,
    workdir: Path,
    is_header: Callable[[list[str]], bool],
    progress: Callable[[int], None] | None = None,
    parts: int = 2,
) -> TextLayout:
    """Decode `path` strictly, find the header row, and write the numbered records after it as UTF-8.

    A large file is cut at line ends into `parts` ranges decoded by as many processes; each writes its own
    file. DuckDB reads several files in parallel, and the line numbers make their order irrelevant.
    """
    for codec in _codecs_for(path):
        try:
            return _transcode_with(path, workdir, codec, is_header, progress, parts)
        except UnicodeDecodeError:
            continue
    offsets = {
        "UTF-8": first_bad_offset(path, "utf-8") or 0,
        "GB18030": first_bad_offset(path, "gb18030") or 0,
    }
    raise Undecodable(offsets)


class _Numberer:
    """Writes complete lines as `line<delim>record`, leaving the continuation lines of quoted cells alone."""

    def __init__(self, out, delimiter: str, first_line: int, in_quote: bool = False) -> None:
        self.out = out
        self.delimiter = delimiter
        self.line = first_line
        self.in_quote = in_quote
        self.multiline = False

    def write(self, block: str) -> None:
        lines = block.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        parts = []
        d = self.delimiter
        for text in lines:
            text = text.removesuffix("\r")
            if self.in_quote:
                parts.append(text)
                self.multiline = True
            elif text:
                parts.append(f"{self.line}{d}{text}")
            if '"' in text and text.count('"') % 2:
                self.in_quote = not self.in_quote
            self.line += 1
        if parts:
            self.out.write("\n".join(parts) + "\n")


def _find_header(
    path: Path, codec: str, is_header: Callable[[list[str]], bool]
) -> tuple[int, list[str], str, int]:
    """(header line number, cells, delimiter, byte offset of the first data line), reading line by line."""
    offset = line_no = searched = 0
    with path.open("rb") as fh:
        for raw_line in fh:
            line_no += 1
            start, offset = offset, offset + len(raw_line)
            text = raw_line.decode("utf-8-sig" if codec == "utf-8-sig" and start == 0 else _body(codec))
            cleaned = text.rstrip("\r\n")
            if not cleaned.strip().strip(",\t"):
                continue
            searched += 1
            delimiter = _delimiter(cleaned)
            cells = _split_row(cleaned, delimiter)
            if is_header(cells):
                return line_no, cells, delimiter, offset
            if searched >= HEADER_SEARCH_LINES:
                break
    raise NoHeader()


def _body(codec: str) -> str:
    return "utf-8" if codec == "utf-8-sig" else codec


def _count(path: Path, start: int, end: int) -> tuple[int, int]:
    """Newlines and double quotes between two offsets (neither byte occurs inside a GBK/GB18030/UTF-8 character)."""
    lines = quotes = 0
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            lines += chunk.count(b"\n")
            quotes += chunk.count(b'"')
    return lines, quotes


def _ranges(path: Path, data_start: int, first_line: int, parts: int) -> list[tuple[int, int, int]]:
    """(start, end, first line) of each range, cut at line ends outside quoted cells."""
    size = path.stat().st_size
    if parts <= 1 or size - data_start < PARALLEL_MIN_BYTES:
        return [(data_start, size, first_line)]
    cuts = [data_start]
    with path.open("rb") as fh:
        for k in range(1, parts):
            fh.seek(data_start + (size - data_start) * k // parts)
            fh.readline()
            cut = fh.tell()
            while cut < size and _count(path, data_start, cut)[1] % 2:  # inside a quoted cell: move on
                fh.readline()
                cut = fh.tell()
            if cut > cuts[-1] and cut < size:
                cuts.append(cut)
    cuts.append(size)
    out, line = [], first_line
    for a, b in itertools.pairwise(cuts):
        out.append((a, b, line))
        line += _count(path, a, b)[0]
    return out


def number_range(
    path: Path, start: int, end: int, codec: str, delimiter: str, first_line: int, out_path: Path
) -> bool:
    """Decode one byte range and write its numbered records; returns whether a quoted cell spans lines."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh, out_path.open("w", encoding="utf-8", newline="") as out:
        numberer = _Numberer(out, delimiter, first_line)
        fh.seek(start)
        remaining, pending = end - start, ""
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            remaining -= len(chunk)
            pending += decoder.decode(chunk, final=remaining <= 0)
            cut = pending.rfind("\n") + 1
            numberer.write(pending[:cut])
            pending = pending[cut:]
        if pending:
            numberer.write(pending + "\n")
    return numberer.multiline


def _transcode_with(
    path: Path,
    workdir: Path,
    codec: str,
    is_header: Callable[[list[str]], bool],
    progress: Callable[[int], None] | None,
    parts: int,
) -> TextLayout:
    header_line, header, delimiter, data_start = _find_header(path, codec, is_header)
    ranges = _ranges(path, data_start, header_line + 1, parts)
    jobs = [
        (path, a, b, _body(codec), delimiter, line, workdir / f"data{i}.csv")
        for i, (a, b, line) in enumerate(ranges)
    ]
    if len(jobs) == 1:
        multiline = [number_range(*jobs[0])]
    else:
        with ProcessPoolExecutor(
            max_workers=len(jobs), mp_context=multiprocessing.get_context("fork")
        ) as pool:
            multiline = list(pool.map(number_range, *zip(*jobs, strict=True)))
    if progress:
        progress(path.stat().st_size)
    return TextLayout(
        _LABEL[codec], delimiter, header, header_line, [job[-1] for job in jobs], any(multiline)
    )
