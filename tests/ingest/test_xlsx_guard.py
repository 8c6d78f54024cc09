"""A workbook is looked at before anything opens it, and read whole only in a limited child process: zip bombs,
huge declared grids, entity bombs and odd archives are refused in one sentence; ordinary workbooks pass."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

import pytest
from tests.conftest import DISCHARGE_HEADER, discharge, write_xlsx

from hqd.ingest.xlsx_guard import XlsxLimits, XlsxRejected, inspect_xlsx, read_in_worker

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MiB = 1024 * 1024


def base(path: Path, rows: int = 30) -> Path:
    """An ordinary workbook written by xlsxwriter: a header and `rows` rows of four columns."""
    return write_xlsx(
        path, {"Sheet1": [["a", "b", "c", "d"]] + [[f"x{r}", r, r * 2, "y"] for r in range(rows)]}
    )


def sheet_xml(body: str, dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">{dim}'
            f"<sheetData>{body}</sheetData></worksheet>").encode()  # fmt: skip


def with_parts(src: Path, dst: Path, parts: dict[str, bytes]) -> Path:
    """A copy of the workbook `src` with some parts replaced or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in parts:
                zout.writestr(info.filename, zin.read(info))
        for name, data in parts.items():
            zout.writestr(name, data)
    return dst


class _Repeat:
    """Deflate output where one chunk repeats: after a full flush the compressor holds no history, so the
    chunk's block is the same bytes every time and is computed once — gigabytes of XML are written without
    compressing gigabytes (each block is still a valid part of one deflate stream)."""

    def __init__(self, chunk: bytes) -> None:
        self.c = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.chunk = chunk
        self.block: bytes | None = None

    def compress(self, data: bytes) -> bytes:
        if data is not self.chunk:
            return self.c.compress(data) + self.c.flush(zlib.Z_FULL_FLUSH)
        if self.block is None:
            self.block = self.c.compress(data) + self.c.flush(zlib.Z_FULL_FLUSH)
        return self.block

    def flush(self) -> bytes:
        return self.c.flush()


def zip_bomb(src: Path, dst: Path, size: int) -> Path:
    """A valid workbook whose sheet is `size` bytes of XML, almost all whitespace between elements (which XML
    allows), streamed in 1 MiB chunks into a deflate entry of about size/1000 bytes."""
    chunk = b" " * MiB
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info))
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as w:
            w._compressor = _Repeat(chunk)  # zipfile has no public way to pass ready-made deflate data
            w.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"><sheetData>'.encode())
            for _ in range(size // MiB):
                w.write(chunk)
            w.write(b"</sheetData></worksheet>")
    return dst


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'.encode()
)


def rejected(path: Path, limits: XlsxLimits | None = None) -> str:
    with pytest.raises(XlsxRejected) as exc:
        inspect_xlsx(path, limits)
    message = str(exc.value)
    assert " / " in message and "Traceback" not in message and path.name in message
    return message


def test_an_ordinary_workbook_passes_with_its_declared_grid(tmp_path):
    seen = inspect_xlsx(base(tmp_path / "ok.xlsx", rows=30))
    assert seen.dimensions == {"xl/worksheets/sheet1.xml": (31, 4)}  # A1:D31, the header and 30 rows
    assert seen.entries == len(zipfile.ZipFile(tmp_path / "ok.xlsx").infolist())


def test_a_sheet_declaring_the_whole_grid_is_refused_before_it_is_opened(tmp_path):
    path = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "dim.xlsx",
                      {"xl/worksheets/sheet1.xml": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>',
                                                             "A1:XFD1048576")})  # fmt: skip
    assert path.stat().st_size < 8000
    message = rejected(path)
    assert "17,179,869,184" in message  # 1,048,576 × 16,384


def test_a_declared_grid_within_the_cell_limit_passes_and_one_over_it_does_not(tmp_path):
    body = '<row r="1"><c r="A1"><v>1</v></c></row>'
    ok = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "ok.xlsx",
                    {"xl/worksheets/sheet1.xml": sheet_xml(body, "B2:K1001")})  # fmt: skip
    assert inspect_xlsx(ok, XlsxLimits(max_cells=10_000)).dimensions["xl/worksheets/sheet1.xml"] == (1000, 10)
    assert "10,010" in rejected(
        with_parts(base(tmp_path / "c.xlsx"), tmp_path / "over.xlsx",
                   {"xl/worksheets/sheet1.xml": sheet_xml(body, "B2:K1002")}),  # 1001 rows × 10 columns
        XlsxLimits(max_cells=10_000),
    )  # fmt: skip


def test_a_zip_bomb_is_refused_by_its_compression_ratio(tmp_path):
    path = zip_bomb(base(tmp_path / "b.xlsx"), tmp_path / "bomb.xlsx", 64 * MiB)
    with zipfile.ZipFile(path) as z:  # the bomb is a real, readable deflate stream
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > 64 * MiB and info.compress_size < 128 * 1024
        with z.open(info) as fh:
            assert fh.read(60).startswith(b"<?xml")
    assert "zip bomb" in rejected(path)


def test_the_whole_workbook_is_held_to_an_uncompressed_size(tmp_path):
    path = base(tmp_path / "big.xlsx", rows=3000)
    total = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    inspect_xlsx(path, XlsxLimits(max_uncompressed=total))
    assert "MiB" in rejected(path, XlsxLimits(max_uncompressed=total - 1))


def test_the_overall_ratio_is_checked_even_when_each_entry_passes(tmp_path):
    path = base(tmp_path / "r.xlsx", rows=10_000)  # a sheet of over 1 MiB, ratio about 10
    infos = zipfile.ZipFile(path).infolist()
    ratio = sum(i.file_size for i in infos) / sum(i.compress_size for i in infos)
    assert 3 < ratio < 50
    inspect_xlsx(path, XlsxLimits(max_total_ratio=ratio + 0.5))
    assert "as a whole" in rejected(path, XlsxLimits(max_total_ratio=ratio - 0.5))


def test_too_many_entries_are_refused(tmp_path):
    src = base(tmp_path / "b.xlsx")
    n = len(zipfile.ZipFile(src).infolist())
    inspect_xlsx(src, XlsxLimits(max_entries=n))
    assert f"{n}" in rejected(src, XlsxLimits(max_entries=n - 1))


def test_a_billion_laughs_part_is_refused(tmp_path):
    path = with_parts(
        base(tmp_path / "b.xlsx"), tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS}
    )
    assert "<!DOCTYPE" in rejected(path)


def test_a_doctype_hidden_behind_a_long_prolog_is_refused(tmp_path):
    long_comment = b"<!--" + b"x" * (100 * 1024) + b"-->"
    part = b'<?xml version="1.0"?>' + long_comment + b'<!DOCTYPE w [<!ENTITY a "b">]>' + sheet_xml("")[40:]
    path = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "hidden.xlsx", {"xl/worksheets/sheet1.xml": part})
    assert "root element" in rejected(path)


def test_a_utf16_part_is_refused(tmp_path):
    part = sheet_xml("").decode().replace("UTF-8", "UTF-16").encode("utf-16")
    path = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "u16.xlsx", {"xl/worksheets/sheet1.xml": part})
    assert "UTF-16" in rejected(path)


def test_a_nested_archive_is_refused(tmp_path):
    inner = base(tmp_path / "inner.xlsx").read_bytes()
    path = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "nest.xlsx", {"xl/media/image1.png": inner})
    assert "nested archive" in rejected(path)


@pytest.mark.parametrize("name", ["../evil.xml", "/abs.xml", "xl\\win.xml", "xl/workbook.xml"])
def test_odd_or_duplicate_entry_names_are_refused(tmp_path, name):
    src = base(tmp_path / "b.xlsx")
    dst = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        with pytest.warns(UserWarning) if name == "xl/workbook.xml" else _nothing():
            zout.writestr(zipfile.ZipInfo(name), b"<x/>")
    rejected(dst)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("机构代码,病案号\n", encoding="utf-8")
    assert "zip" in rejected(path)


def test_the_worker_reads_every_row_of_every_sheet(tmp_path):
    path = write_xlsx(
        tmp_path / "two.xlsx", {"A": [["h"]] + [[i] for i in range(25)], "B": [["h"], [1], [2]]}
    )
    result = read_in_worker(path, memory_mb=1024, seconds=60)
    assert (result.sheets, result.rows, result.error) == (2, 26 + 3, None)


def test_cells_far_apart_without_a_dimension_kill_only_the_worker(tmp_path):
    """The 1.6 KB file that used to end the server: no declared grid, two cells at opposite corners; the
    reader would allocate the whole grid. Inspection cannot see it; the worker dies and says so."""
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = with_parts(
        base(tmp_path / "b.xlsx"), tmp_path / "far.xlsx", {"xl/worksheets/sheet1.xml": sheet_xml(body)}
    )
    inspect_xlsx(path)
    with pytest.raises(XlsxRejected, match="died"):
        read_in_worker(path, memory_mb=1024, seconds=60)


def test_the_memory_limit_is_what_stops_a_large_grid(tmp_path):
    """Two cells 16,384 columns × 1,000 rows apart: about 16 million cells, some 500 MB in the reader; it reads
    within 2 GiB of address space and is refused within 256 MiB."""
    body = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1000"><c r="XFD1000"><v>1</v></c></row>'
    path = with_parts(
        base(tmp_path / "b.xlsx"), tmp_path / "wide.xlsx", {"xl/worksheets/sheet1.xml": sheet_xml(body)}
    )
    assert read_in_worker(base(tmp_path / "small.xlsx"), memory_mb=256, seconds=60).rows == 31
    with pytest.raises(XlsxRejected):
        read_in_worker(path, memory_mb=256, seconds=60)
    assert read_in_worker(path, memory_mb=2048, seconds=60).rows == 1000


def test_the_time_limit_stops_the_worker(tmp_path):
    path = base(tmp_path / "b.xlsx")
    with pytest.raises(XlsxRejected, match="longer than the limit"):
        read_in_worker(path, memory_mb=1024, seconds=0.05)


def test_a_workbook_calamine_cannot_read_is_left_to_the_loader(tmp_path):
    broken = f'<worksheet xmlns="{NS}"><sheetData><row r="1"><c r="A1"><v>1</c></row>'.encode()
    path = with_parts(base(tmp_path / "b.xlsx"), tmp_path / "bad.xlsx", {"xl/worksheets/sheet1.xml": broken})
    result = read_in_worker(path, memory_mb=1024, seconds=60)
    assert result.error is not None and result.sheets == 0


def test_hqd_load_refuses_a_hostile_workbook_and_logs_it_as_rejected(seeded, tmp_path):
    good = write_xlsx(tmp_path / "d.xlsx", {"Sheet1": [DISCHARGE_HEADER, discharge("A1")]})
    path = with_parts(good, tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": BILLION_LAUGHS})
    s = seeded.load("discharges", path)
    assert s.status == "rejected" and "DTD" in s.message and "lol.xlsx" in s.message
    assert seeded.rows("SELECT status, file_name FROM imports WHERE import_id = ?", [s.import_id]) == [
        ("rejected", "lol.xlsx")
    ]
    assert seeded.one("SELECT count(*) FROM discharges") == 0
