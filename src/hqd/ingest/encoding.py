"""Reading CSV/TXT text in UTF-8, UTF-8 with BOM, GBK or GB18030, streaming, so any file size fits in memory.

DuckDB reads only UTF-8 here (its other encodings come from an extension an offline network cannot
fetch), so the file is decoded strictly in the first encoding that works and rewritten as UTF-8 for
DuckDB's CSV reader. The same pass sees the file as a spreadsheet user does, so DuckDB never has to guess:

- line ends are LF, CRLF or CR (old Mac), mixed at will; each is one line break, and the rewrite uses LF;
- each record is written as `line<delim>defect<delim>cells`: the line number the user sees (DuckDB skips
  blank lines and cannot say which line a record came from) and, for a record that cannot be read as the
  header says, what is wrong with it (`misaligned_row:<cells>:<width>`, `unclosed_quote:<first>:<last>:<cell>`,
  or `truncated_row:<line>::<cell>` for the last line of a file cut off inside a character: the other bytes of
  such a file decode, and a cut value must not be stored as if it were whole);
- a defective record is written without any of its cells: no value of a broken row (where identifiers
  may sit in any column) reaches the warehouse, and DuckDB has nothing left to misparse;
- a quoted cell may span lines; such a record is one row (numbered by its first line) when its cells line
  up with the header, and an unclosed quote (one that swallowed whole rows, or runs to the end of the
  file) turns every non-blank line it merged into a quarantined row, so `read` counts what the user sees.

Lines without a double quote (nearly all of them) are only counted, at C speed (`str.count`); lines with
one are parsed by Python's csv module and written back in canonical form, so DuckDB reads the cells
Python saw, whatever stray quotes the sender left.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import multiprocessing
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 * 1024 * 1024
PARALLEL_MIN_BYTES = 32 * 1024 * 1024
HEADER_SEARCH_LINES = 30
HEADER_SEARCH_BYTES = 16 * 1024 * 1024
CUT_SEARCH = 4 * 1024 * 1024
_CANDIDATES = ("utf-8", "gbk", "gb18030")
_LABEL = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gbk": "GBK", "gb18030": "GB18030"}
_LINE_END = re.compile(rb"\r\n|\r|\n")
MISALIGNED = "misaligned_row"
UNCLOSED = "unclosed_quote"
TRUNCATED = "truncated_row"


@dataclass
class TextLayout:
    """What the decoding pass learned about a text file; `data_paths` hold `line<d>defect<d>record` lines."""

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


class _Lines:
    """The lines of a decoded range, without their line ends; remembers whether the end was reached, and
    whether the last line was cut in the middle of a character (a file truncated in transit)."""

    def __init__(self, decode: Callable[[_Lines], Iterator[str]]) -> None:
        self.exhausted = False
        self.taken: list[str] | None = None  # lines handed out while a quoted record is being read
        self.cut = False  # set by the decoder: the bytes end inside a character
        self.last_cut = False  # the line just handed out is that cut last line
        self._it = self._split(decode(self))

    def _split(self, chunks: Iterator[str]) -> Iterator[str]:
        pending = ""
        for chunk in chunks:
            pending += chunk
            if pending.endswith("\r"):  # perhaps the first half of a CRLF cut by the chunk
                text, pending = pending[:-1], "\r"
            else:
                text, pending = pending, ""
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            cut = text.rfind("\n")
            if cut < 0:
                pending = text + pending
                continue
            yield from text[:cut].split("\n")
            pending = text[cut + 1 :] + pending
        pending = pending.replace("\r\n", "\n").replace("\r", "\n")
        if pending:
            tail = pending.removesuffix("\n").split("\n")
            yield from tail[:-1]
            self.last_cut = self.cut and not pending.endswith("\n")
            yield tail[-1]

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        try:
            text = next(self._it)
        except StopIteration:
            self.exhausted = True
            raise
        if self.taken is not None:
            self.taken.append(text)
        return text


class _Numberer:
    """Writes each record as `line<d>defect<d>cells`; see the module docstring for the rules."""

    FLUSH_LINES = 8192

    def __init__(self, out, delimiter: str, first_line: int, header: list[str]) -> None:
        self.out = out
        self.d = delimiter
        self.line = first_line
        self.width = len(header)
        # A header may end in empty cells (a trailing delimiter): rows may omit those.
        self.needed = max((i + 1 for i, h in enumerate(header) if h.strip()), default=self.width)
        self.multiline = False
        self.buf = io.StringIO(newline="")
        self.writer = csv.writer(self.buf, delimiter=delimiter, lineterminator="\n")
        self._next: str | None = None  # the line the csv reader is to start its next record with

    def _source(self, lines: _Lines) -> Iterator[str]:
        """What the one csv reader reads: the line handed to it, then (while a quoted cell is open) the
        lines after it, each with the line break the csv module keeps inside a quoted cell."""
        while True:
            if self._next is not None:
                text, self._next = self._next, None
            else:
                try:
                    text = next(lines)
                except StopIteration:
                    return
            yield text + "\n"

    def run(self, lines: _Lines) -> None:
        d, w1, write = self.d, self.width - 1, self.buf.write
        reader = csv.reader(self._source(lines), delimiter=d)
        n = 0
        for text in lines:
            line = self.line
            self.line += 1
            if lines.last_cut:  # the cut cell is the line's last one
                self.buf.write(f"{line}{d}{TRUNCATED}:{line}::{text.count(d)}\n")
            elif '"' not in text:
                if text.count(d) == w1:
                    write(f"{line}{d}{d}{text}\n")
                else:
                    self._plain(line, text)
            else:
                self._quoted(line, text, lines, reader)
            n += 1
            if n >= self.FLUSH_LINES:
                self._flush()
                n = 0
        self._flush()

    def _flush(self) -> None:
        self.out.write(self.buf.getvalue())
        self.buf.seek(0)
        self.buf.truncate()

    @staticmethod
    def _blank(cells: list[str]) -> bool:
        return not any(c.strip() for c in cells)

    def _plain(self, line: int, text: str) -> None:
        """A line without quotes whose cell count differs from the header's."""
        cells = text.split(self.d)
        if not self._blank(cells):
            self._record(line, cells, text)

    def _record(self, line: int, cells: list[str], text: str | None) -> None:
        d, n = self.d, len(cells)
        if n < self.needed:
            self.buf.write(f"{line}{d}{MISALIGNED}:{n}:{self.needed}\n")
        elif n > self.width and not self._blank(cells[self.width :]):
            self.buf.write(f"{line}{d}{MISALIGNED}:{n}:{self.width}\n")
        elif text is not None and n == self.width:
            self.buf.write(f"{line}{d}{d}{text}\n")
        else:  # canonical quoting: DuckDB reads exactly the cells Python's csv module saw
            self.writer.writerow([line, "", *cells[: self.width]])

    def _quoted(self, line: int, text: str, lines: _Lines, reader) -> None:
        """A line with a double quote: parsed by the csv module, which reads on while a quoted cell is open."""
        lines.taken = [text]
        self._next = text
        cells = next(reader, [])
        taken, lines.taken = lines.taken, None
        self.line = line + len(taken)
        d, last = self.d, line + len(taken) - 1
        if lines.last_cut:  # the record runs into the line the file was cut in; its last cell was cut
            cut = max(len(cells) - 1, 0)
            for k, t in enumerate(taken):
                if t.strip(f" \t{d}"):
                    self.buf.write(f"{line + k}{d}{TRUNCATED}:{last}::{cut}\n")
            return
        # The reader asks for another line only while a quoted cell is open: running out means unclosed.
        open_at_end = lines.exhausted
        if len(taken) == 1 and not open_at_end:
            if not self._blank(cells):
                self._record(line, cells, None)
            return
        # Lines that would be whole rows on their own were swallowed by a stray quote; a line break inside
        # a real cell leaves at most one of the first and last lines looking like a whole row.
        least = self.needed - 1
        full = [t.count(self.d) >= least for t in taken]
        swallowed = open_at_end or any(full[1:-1]) or (full[0] and full[-1])
        if not swallowed and self.needed <= len(cells) and self._blank(cells[self.width :]):
            self.multiline = True
            self._record(line, cells, None)
            return
        opened = _open_quote_cell(taken[0], d)
        for k, t in enumerate(taken):
            if t.strip(f" \t{d}"):
                self.buf.write(f"{line + k}{d}{UNCLOSED}:{line}:{last}:{opened}\n")


def _open_quote_cell(text: str, delimiter: str) -> int:
    """The index of the cell of a line in which a quote opens and is not closed by the line's end (the cell a
    message names for an unclosed quote); the line's last cell when every quote on it closes."""
    cell, quoted, at_start, i = 0, False, True, 0
    opened = None
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"':
                if i + 1 < len(text) and text[i + 1] == '"':
                    i += 1  # an escaped quote inside the cell
                else:
                    quoted = False
        elif ch == delimiter:
            cell, at_start = cell + 1, True
            i += 1
            continue
        elif ch == '"' and at_start:
            quoted, opened = True, cell
        at_start = at_start and ch in " \t"
        i += 1
    return opened if quoted and opened is not None else cell


def _find_header(
    path: Path, codec: str, is_header: Callable[[list[str]], bool]
) -> tuple[int, list[str], str, int]:
    """(header line number, cells, delimiter, byte offset of the first data line).

    Lines are cut at LF, CRLF or CR on the bytes: neither byte occurs inside a GBK, GB18030 or UTF-8 character.
    """
    with path.open("rb") as fh:
        sample = fh.read(HEADER_SEARCH_BYTES)
    line_no = searched = 0
    start = 0
    for m in itertools.chain(_LINE_END.finditer(sample), [None]):
        end, after = (m.start(), m.end()) if m else (len(sample), len(sample))
        if m is None and start >= len(sample):
            break
        raw_line, line_start, start = sample[start:end], start, after
        line_no += 1
        text = raw_line.decode("utf-8-sig" if codec == "utf-8-sig" and line_start == 0 else _body(codec))
        if not text.strip().strip(",\t"):
            continue
        searched += 1
        delimiter = _delimiter(text)
        cells = _split_row(text, delimiter)
        if is_header(cells):
            return line_no, cells, delimiter, after
        if searched >= HEADER_SEARCH_LINES:
            break
    raise NoHeader()


def _body(codec: str) -> str:
    return "utf-8" if codec == "utf-8-sig" else codec


def _count(path: Path, start: int, end: int) -> tuple[int, int]:
    """Line breaks (LF, CRLF or CR) and double quotes between two offsets (no byte of them occurs inside a
    GBK/GB18030/UTF-8 character)."""
    lines = quotes = 0
    last = b""
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":
                lines -= 1  # a CRLF cut by the chunk was counted twice
            last = chunk[-1:]
            quotes += chunk.count(b'"')
    return lines, quotes


def _ranges(path: Path, data_start: int, first_line: int, parts: int) -> list[tuple[int, int, int]]:
    """(start, end, first line) of each range, cut after an LF outside quoted cells (counting quotes).

    The search for a cut is bounded (CUT_SEARCH bytes): a file with CR-only line ends has no LF, and one
    with a stray quote may have no even-quote line end for a long way; such a file is decoded in fewer
    ranges. Where stray quotes make the count wrong, each range is still read whole (its rows counted and
    any quote left open quarantined up to the range's end), so nothing is lost.
    """
    size = path.stat().st_size
    if parts <= 1 or size - data_start < PARALLEL_MIN_BYTES:
        return [(data_start, size, first_line)]
    cuts = [data_start]
    with path.open("rb") as fh:
        for k in range(1, parts):
            target = data_start + (size - data_start) * k // parts
            fh.seek(target)
            fh.readline(CUT_SEARCH)
            cut = fh.tell()
            odd = _count(path, data_start, cut)[1] % 2
            while odd and cut < size and cut - target < CUT_SEARCH:  # inside a quoted cell: move on
                odd ^= fh.readline(CUT_SEARCH).count(b'"') % 2
                cut = fh.tell()
            if odd or cut - target >= CUT_SEARCH or not cuts[-1] < cut < size:
                continue
            fh.seek(cut - 1)
            if fh.read(1) == b"\n":
                cuts.append(cut)
    cuts.append(size)
    out, line = [], first_line
    for a, b in itertools.pairwise(cuts):
        out.append((a, b, line))
        line += _count(path, a, b)[0]
    return out


def _chunks(path: Path, start: int, end: int, codec: str, lines: _Lines) -> Iterator[str]:
    """The decoded text of a byte range. Bytes that cannot be decoded end the attempt with this codec,
    except an incomplete character at the very end: the file was cut off there, which `lines` records."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as fh:
        fh.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = fh.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield decoder.decode(chunk)
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        lines.cut = True


def number_range(
    path: Path,
    start: int,
    end: int,
    codec: str,
    delimiter: str,
    first_line: int,
    out_path: Path,
    header: list[str] | None = None,
) -> bool:
    """Decode one byte range and write its numbered records; returns whether a quoted cell spans lines."""
    with out_path.open("w", encoding="utf-8", newline="") as out:
        numberer = _Numberer(out, delimiter, first_line, header or [])
        numberer.run(_Lines(lambda lines: _chunks(path, start, end, codec, lines)))
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
        (path, a, b, _body(codec), delimiter, line, workdir / f"data{i}.csv", header)
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
        _LABEL[codec], delimiter, header, header_line, [job[-2] for job in jobs], any(multiline)
    )
