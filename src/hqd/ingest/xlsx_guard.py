"""An XLSX is a zip of XML parts; a 1.6 KB one can declare a sheet of 17 billion cells, expand to gigabytes or
carry an XML entity bomb. This module looks at a workbook before anything opens it, and reads it fully in a
separate, memory- and time-limited process, so a hostile file is refused with one sentence instead of ending
the process that loads it.

Two layers, cheapest first:

* `inspect_xlsx` reads the zip's central directory (sizes, methods, names — no decompression) and only the
  first bytes of each XML part: entry count, total uncompressed size, compression ratio per entry and overall,
  odd or nested entries, any DTD (`<!DOCTYPE`, `<!ENTITY`: no entity can ever be expanded), and the declared
  `<dimension ref=…>` of each worksheet against a cell limit. Small parts are parsed whole with defusedxml.
* `read_in_worker` runs `python -m hqd.ingest.xlsx_guard` on the file: the child sets RLIMIT_AS and RLIMIT_CPU
  on itself before importing python_calamine, then reads every row of every sheet. A child that dies (a Rust
  allocation failure aborts it), runs out of memory or time is a rejected file; the parent never parsed it.

What inspection cannot see — a central directory that lies about sizes, cells placed far apart without a
dimension — is what the worker is for. The worker never opens the warehouse.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from hqd.ingest.errors import FileRejected

MiB = 1024 * 1024
HEAD_BYTES = 64 * 1024  # how much of an XML part is read to find its prolog and a worksheet's <dimension>
PARSE_WHOLE_BYTES = 1 * MiB  # XML parts up to this size are parsed whole (defusedxml) as well
RATIO_FLOOR_BYTES = 1 * MiB  # entries smaller than this may compress as well as they like
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # the format's own grid
_NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".jar", ".gz", ".7z", ".rar", ".tar")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})$")
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class XlsxRejected(FileRejected):
    """A workbook refused before it was opened: over a limit, hostile, or one the worker could not read."""


@dataclass(frozen=True)
class XlsxLimits:
    """The thresholds; defaults (see hqd.config) are generous for a 1,000,000-row front sheet."""

    max_uncompressed: int = 4096 * MiB
    max_ratio: float = 250.0
    max_total_ratio: float = 100.0
    max_entries: int = 10_000
    max_cells: int = 200_000_000

    @classmethod
    def from_settings(cls) -> XlsxLimits:
        from hqd.config import settings

        s = settings()
        return cls(s.xlsx_max_uncompressed_mb * MiB, s.xlsx_max_ratio, s.xlsx_max_total_ratio,
                   s.xlsx_max_entries, s.xlsx_max_cells)  # fmt: skip


@dataclass
class Inspection:
    """What the inspection saw: entries, their total uncompressed size, each worksheet's declared grid."""

    entries: int = 0
    uncompressed: int = 0
    compressed: int = 0
    dimensions: dict[str, tuple[int, int]] = field(default_factory=dict)  # part -> (rows, columns)


def _reject(zh: str, en: str) -> XlsxRejected:
    return XlsxRejected(zh, en)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _grid(ref: str) -> tuple[int, int] | None:
    """Rows × columns of a dimension ref such as A1:XFD1048576; None when it is not a cell range."""
    ends = ref.strip().upper().split(":")
    if not 1 <= len(ends) <= 2:
        return None
    cells = [_CELL.match(e) for e in ends]
    if any(c is None for c in cells):
        return None
    cols = [_column_number(c.group(1)) for c in cells]  # type: ignore[union-attr]
    rows = [int(c.group(2)) for c in cells]  # type: ignore[union-attr]
    return abs(rows[-1] - rows[0]) + 1, abs(cols[-1] - cols[0]) + 1


def _root_after_prolog(head: bytes) -> tuple[str | None, str] | None:
    """The root element's (prefix, name) after the XML prolog, or None when the head holds no root.

    The prolog may hold only the XML declaration, processing instructions, comments and whitespace; a DTD
    found there (or anywhere in the head) rejects the part, so no entity can be declared, let alone expanded.
    """
    i, n = 0, len(head)
    if head.startswith(b"\xef\xbb\xbf"):
        i = 3
    while i < n:
        if head[i : i + 1].isspace():
            i += 1
        elif head.startswith(b"<?", i):
            end = head.find(b"?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        else:
            m = _ROOT.match(head, i)
            if m is None:
                return None
            return (m.group(1).decode("ascii") if m.group(1) else None), m.group(2).decode("ascii")
    return None


def _check_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, head: bytes, file: str, out: Inspection,
               limits: XlsxLimits) -> None:  # fmt: skip
    part = info.filename
    if _DTD.search(head):
        raise _reject(
            f"文件 {file} 的部件 {part} 含有 DTD/实体声明（<!DOCTYPE 或 <!ENTITY），工作簿中不允许出现",
            f"part {part} of file {file} declares a DTD or entities (<!DOCTYPE or <!ENTITY), which a workbook "
            "may not contain",
        )
    root = _root_after_prolog(head)
    if root is None:
        raise _reject(
            f"文件 {file} 的部件 {part} 在前 {HEAD_BYTES // 1024} KiB 内没有根元素，不是正常的工作簿部件",
            f"part {part} of file {file} has no root element in its first {HEAD_BYTES // 1024} KiB; "
            "it is not a normal workbook part",
        )
    if info.file_size <= PARSE_WHOLE_BYTES:
        data = head if len(head) >= info.file_size else zf.read(info)
        try:
            SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException:
            raise _reject(
                f"文件 {file} 的部件 {part} 含有 DTD 或实体声明，工作簿中不允许出现",
                f"part {part} of file {file} declares a DTD or entities, which a workbook may not contain",
            ) from None
        except SafeET.ParseError as exc:
            raise _reject(
                f"文件 {file} 的部件 {part} 不是格式正确的 XML（{exc}）",
                f"part {part} of file {file} is not well-formed XML ({exc})",
            ) from None
    if root[1] != "worksheet":
        return
    m = _DIMENSION.search(head)
    if m is None:
        return  # no declared grid: the worker reads it under its memory limit
    ref = m.group(1).decode("ascii", "replace")
    grid = _grid(ref)
    if grid is None:
        raise _reject(
            f"文件 {file} 的工作表部件 {part} 声明了无效的范围 {ref[:40]}",
            f"worksheet part {part} of file {file} declares an invalid range {ref[:40]}",
        )
    rows, cols = grid
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > limits.max_cells:
        raise _reject(
            f"文件 {file} 的工作表部件 {part} 声明了 {rows:,} 行 × {cols:,} 列 = {rows * cols:,} 个单元格，"
            f"超过上限 {limits.max_cells:,}",
            f"worksheet part {part} of file {file} declares {rows:,} rows × {cols:,} columns = "
            f"{rows * cols:,} cells, more than the limit of {limits.max_cells:,}",
        )
    out.dimensions[part] = grid


def _check_entry_names(infos: list[zipfile.ZipInfo], file: str) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        odd = (name.startswith(("/", "\\")) or "\\" in name or "\x00" in name or ".." in name.split("/")
               or re.match(r"^[A-Za-z]:", name) is not None)  # fmt: skip
        if odd:
            raise _reject(f"文件 {file} 含有异常的条目名 {name[:80]!r}",
                          f"file {file} holds an entry with an odd name {name[:80]!r}")  # fmt: skip
        if name.lower() in seen:
            raise _reject(f"文件 {file} 含有重复的条目 {name[:80]}",
                          f"file {file} holds the entry {name[:80]} twice")  # fmt: skip
        seen.add(name.lower())
        if name.lower().endswith(_NESTED_SUFFIXES):
            raise _reject(f"文件 {file} 内嵌了压缩包 {name[:80]}，不予接收",
                          f"file {file} holds a nested archive {name[:80]}, which is refused")  # fmt: skip
        if info.flag_bits & 0x1:
            raise _reject(
                f"文件 {file} 的条目 {name[:80]} 已加密", f"entry {name[:80]} of file {file} is encrypted"
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _reject(
                f"文件 {file} 的条目 {name[:80]} 使用了工作簿不用的压缩方法 {info.compress_type}",
                f"entry {name[:80]} of file {file} uses compression method {info.compress_type}, "
                "which workbooks do not use",
            )


def _check_overlaps(infos: list[zipfile.ZipInfo], file: str) -> None:
    """Entries whose data overlap (the trick of the non-recursive zip bombs) are refused."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for a, b in itertools.pairwise(ordered):
        if a.header_offset + 30 + len(a.filename.encode()) + a.compress_size > b.header_offset:
            raise _reject(f"文件 {file} 的条目 {a.filename[:80]} 与 {b.filename[:80]} 的数据重叠（疑似压缩炸弹）",
                          f"entries {a.filename[:80]} and {b.filename[:80]} of file {file} overlap "
                          "(a zip bomb?)")  # fmt: skip


def inspect_xlsx(source: Path | IO[bytes], limits: XlsxLimits | None = None, name: str | None = None
                 ) -> Inspection:  # fmt: skip
    """Check a workbook without opening it as a workbook; raises XlsxRejected with one sentence."""
    limits = limits or XlsxLimits()
    file = name or (source.name if isinstance(source, Path) else "upload.xlsx")
    out = Inspection()
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _reject(f"文件 {file} 不是有效的 XLSX（zip）文件：{exc}",
                      f"file {file} is not a valid XLSX (zip) file: {exc}") from None  # fmt: skip
    with zf:
        infos = zf.infolist()
        out.entries = len(infos)
        if out.entries > limits.max_entries:
            raise _reject(f"文件 {file} 含有 {out.entries:,} 个条目，超过上限 {limits.max_entries:,}",
                          f"file {file} holds {out.entries:,} entries, more than the limit of "
                          f"{limits.max_entries:,}")  # fmt: skip
        _check_entry_names(infos, file)
        _check_overlaps(infos, file)
        for info in infos:
            out.uncompressed += info.file_size
            out.compressed += info.compress_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
                raise _reject(
                    f"文件 {file} 的条目 {info.filename[:80]} 解压后放大 {ratio:,.0f} 倍，超过上限 "
                    f"{limits.max_ratio:,.0f} 倍（疑似压缩炸弹）",
                    f"entry {info.filename[:80]} of file {file} expands {ratio:,.0f} times, more than the "
                    f"limit of {limits.max_ratio:,.0f} (a zip bomb?)",
                )
        if out.uncompressed > limits.max_uncompressed:
            raise _reject(
                f"文件 {file} 解压后共 {out.uncompressed / MiB:,.0f} MiB，超过上限 "
                f"{limits.max_uncompressed / MiB:,.0f} MiB",
                f"file {file} expands to {out.uncompressed / MiB:,.0f} MiB, more than the limit of "
                f"{limits.max_uncompressed / MiB:,.0f} MiB",
            )
        total_ratio = out.uncompressed / max(out.compressed, 1)
        if out.uncompressed > RATIO_FLOOR_BYTES and total_ratio > limits.max_total_ratio:
            raise _reject(
                f"文件 {file} 整体解压后放大 {total_ratio:,.0f} 倍，超过上限 {limits.max_total_ratio:,.0f} 倍"
                "（疑似压缩炸弹）",
                f"file {file} as a whole expands {total_ratio:,.0f} times, more than the limit of "
                f"{limits.max_total_ratio:,.0f} (a zip bomb?)",
            )
        if "[Content_Types].xml" not in zf.namelist():
            raise _reject(f"文件 {file} 缺少 [Content_Types].xml，不是 XLSX 工作簿",
                          f"file {file} has no [Content_Types].xml; it is not an XLSX workbook")  # fmt: skip
        for info in infos:
            if info.is_dir():
                continue
            try:
                with zf.open(info) as fh:
                    head = fh.read(HEAD_BYTES)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
                raise _reject(f"文件 {file} 的条目 {info.filename[:80]} 无法解压：{exc}",
                              f"entry {info.filename[:80]} of file {file} cannot be decompressed: {exc}"
                              ) from None  # fmt: skip
            if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
                raise _reject(f"文件 {file} 内嵌了压缩包 {info.filename[:80]}，不予接收",
                              f"file {file} holds a nested archive {info.filename[:80]}, which is refused")  # fmt: skip
            if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
                raise _reject(f"文件 {file} 的部件 {info.filename[:80]} 使用 UTF-16 编码，工作簿部件应为 UTF-8",
                              f"part {info.filename[:80]} of file {file} is UTF-16; workbook parts are "
                              "UTF-8")  # fmt: skip
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                _check_xml(zf, info, head, file, out, limits)
    return out


def check_xlsx(path: Path) -> Inspection:
    """The one call of the XLSX reader and the upload route: inspection under the configured limits."""
    return inspect_xlsx(path, XlsxLimits.from_settings())


@dataclass(frozen=True)
class WorkerResult:
    sheets: int
    rows: int
    error: str | None = None  # python_calamine raised (not a crash): the loader reports it in its own words


def read_in_worker(path: Path | str, *, memory_mb: int, seconds: float, name: str | None = None,
                   pass_fds: tuple[int, ...] = ()) -> WorkerResult:  # fmt: skip
    """Read every row of every sheet in a child process limited to `memory_mb` of address space and
    `seconds`; raises XlsxRejected if the child dies, runs out of memory or time."""
    file = name or Path(str(path)).name
    cmd = [sys.executable, "-m", "hqd.ingest.xlsx_guard", str(path), str(memory_mb), str(int(seconds) + 1)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=seconds, pass_fds=pass_fds, stdin=subprocess.DEVNULL,
                              env={k: v for k, v in os.environ.items() if not k.startswith("HQD_SECRET")})  # fmt: skip
    except subprocess.TimeoutExpired:
        raise _reject(f"读取文件 {file} 超过 {seconds:,.0f} 秒时限，不予接收",
                      f"reading file {file} took longer than the limit of {seconds:,.0f} seconds; it is refused"
                      ) from None  # fmt: skip
    if proc.returncode == 0:
        try:
            out = json.loads(proc.stdout.decode("utf-8", "replace").strip().splitlines()[-1])
        except (ValueError, IndexError):
            out = {"error": "the reading process said nothing"}
        return WorkerResult(out.get("sheets", 0), out.get("rows", 0), out.get("error"))
    if proc.returncode == 3:
        raise _reject(f"读取文件 {file} 需要超过 {memory_mb:,} MiB 内存，不予接收",
                      f"reading file {file} needs more than {memory_mb:,} MiB of memory; it is refused")  # fmt: skip
    raise _reject(
        f"读取文件 {file} 时读取进程异常终止（退出码 {proc.returncode}，可能超出 {memory_mb:,} MiB 内存上限），不予接收",
        f"the process reading file {file} died (exit code {proc.returncode}, perhaps over the limit of "
        f"{memory_mb:,} MiB of memory); it is refused",
    )


def _worker_main(path: str, memory_mb: int, cpu_seconds: int) -> int:
    """The child: limits first, then python_calamine over every row of every sheet. Prints a JSON line."""
    import resource

    limit = memory_mb * MiB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        from python_calamine import CalamineWorkbook

        sheets = rows = 0
        try:
            workbook = CalamineWorkbook.from_path(path)
            for sheet in workbook.sheet_names:
                for _ in workbook.get_sheet_by_name(sheet).iter_rows():
                    rows += 1
                sheets += 1
        except MemoryError:
            raise
        except Exception as exc:  # an unreadable workbook is the loader's to report, not a crash
            print(json.dumps({"sheets": sheets, "rows": rows, "error": str(exc)[:500]}))
            return 0
        print(json.dumps({"sheets": sheets, "rows": rows}))
        return 0
    except MemoryError:
        return 3


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    sys.exit(_worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
