"""Broken files from small valid files of every kind, and a checker of what the loader made of each.

The valid files are cut from the demo generator's own input files (hqd.demo): for every kind, the header
and the first good data rows (rows the demo's manifest lists as malformed on purpose are left out). Each
`Broken` file is one defect a real sender produces — a cut-off upload, old Mac line endings, an unclosed
quote, a flipped byte, a BOM, NULs, short and long rows, doubled or reordered headers, a 100,000-character
cell, numbers and dates of forms the contract does not list, keys that differ only by spaces, full-width
forms or case, and XLSX workbooks laid out oddly. Everything is seeded: the same arguments give the same
bytes.

`check` loads one broken file through the real loader (hqd.ingest.load.load_file) into a copy of a small
prepared warehouse (the demo's regions, institutions and code lists) and measures, independently of hqd:
  crashed           an exception from the loader (a clean rejection is a returned summary, not an exception);
  accounting        read != new + updated + unchanged + quarantined + duplicate (AccountingError included);
  rows_lost         data rows a user sees in the file minus `read`, for a file that was not rejected. A user
                    sees a CSV's physical lines (CR, LF or CRLF each end one; the valid files hold no line
                    break inside a cell), less blank lines (nothing but spaces, tabs, NULs and delimiters)
                    and the header line; an XLSX's rows below the header of every sheet of the kind, counted
                    from how the workbook was written;
  short_stored      rows with fewer cells than the header (split by Python's csv module, one physical line
                    at a time) that were neither quarantined nor counted as a duplicate at their line; with
                    the accounting identity and read equal to the visible rows, such a row was stored. Only
                    judged where no row was lost (a lost row is counted under rows_lost instead);
  key_duplicates    stored rows of the kind's table whose natural key differs from another stored row's
                    only by whitespace, full-width forms or case (NFKC, spaces removed, upper case);
  no_field          quarantine messages of the import naming neither a field nor a cell count, and
                    rejections whose message does not name the file.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import json
import random
import re
import shutil
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import xlsxwriter

from hqd.ingest.load import AccountingError, load_file
from hqd.ingest.spec import KindSpec, load_kind
from hqd.warehouse.connection import connect

DEMO_SEED = 20240101
SEED_ROWS = 8
KINDS = ("regions", "institutions", "codes-icd10", "codes-icd9cm3", "codes-drg", "discharges", "values-long",
         "values-wide", "referrals", "centre-cases", "idr-cases", "assistance", "memberships", "ratings",
         "targets", "claims")  # fmt: skip
NUMBER_TYPES = {"integer", "number"}
DATE_TYPES = {"date", "datetime"}
ODD_NUMBERS = ("1_000", "1e309", "NaN", "inf", "-inf", "１２３４", "12,34,5", "0x1F", "1.2.3")
ODD_DATES = ("9999-12-31", "1800-01-01", "0000-00-00", "2024-02-30", "2024-13-01")


# ---------------------------------------------------------------------------------------------- seeds


@dataclass
class Seed:
    """A small valid file of one kind: header and data rows as text cells."""

    name: str  # "values-long" etc.
    kind: str
    header: list[str]
    rows: list[list[str]]
    encoding: str = "gbk"

    @property
    def spec(self) -> KindSpec:
        return load_kind(self.kind)

    def columns_of(self, types: set[str]) -> list[int]:
        """Indexes of the header cells naming a field of one of `types` (by header or alias, exactly)."""
        names = {}
        for f in self.spec.fields:
            if f.type in types:
                for n in (f.header, *(a.name for a in f.aliases)):
                    names[n] = f
        return [i for i, h in enumerate(self.header) if h in names]

    def key_columns(self) -> list[int]:
        keys = set(self.spec.key)
        names = {
            n for f in self.spec.fields if f.column in keys for n in (f.header, *(a.name for a in f.aliases))
        }
        names |= {"机构代码", "区划代码"} if self.spec.layout == "values" else set()
        return [i for i, h in enumerate(self.header) if h in names]


def _read_table(path: Path, encoding: str) -> list[list[str]]:
    if path.suffix == ".xlsx":
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_index(0).to_python()
        return [[_cell(c) for c in r] for r in rows]
    text = path.read_bytes().decode("utf-8-sig" if encoding.startswith("utf") else "gb18030")
    delimiter = "\t" if path.suffix == ".txt" else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def demo_seeds(root: Path, discharges: int = 300) -> tuple[list[Seed], list[tuple[str, Path]]]:
    """Generate the demo into `root` and cut a seed of every kind from its files; also return the demo's
    reference files (regions, institutions, code lists) that the prepared warehouse is loaded from."""
    from hqd.demo import generate

    files = generate(root, seed=DEMO_SEED, discharges=discharges)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    encodings = {f["file"]: f["encoding"] for f in manifest["files"]}
    bad: dict[str, set[int]] = {}
    for m in manifest["malformed"]:
        bad.setdefault(m["file"], set()).update({m["row"], m.get("related_row") or 0})
    seeds: dict[str, Seed] = {}
    for f in files:
        rel = f.path.relative_to(root).as_posix()
        spec = load_kind(f.kind)
        rows = _read_table(f.path, encodings.get(rel, "gbk"))
        known = {n for fl in spec.fields for n in (fl.header, *(a.name for a in fl.aliases))}
        at = next((i for i, r in enumerate(rows[:30]) if sum(c.strip() in known for c in r) >= 2), None)
        if at is None:
            continue
        header = [c.strip() for c in rows[at]]
        while header and not header[-1]:
            header.pop()
        name = f.kind
        if f.kind == "values":
            name = "values-long" if "数值" in header else "values-wide"
        if name in seeds or (f.path.suffix != ".csv" and name != "centre-cases"):
            continue
        good = []
        for i, r in enumerate(rows[at + 1 :], start=at + 2):
            r = r[: len(header)]
            if i in bad.get(rel, set()) or len(r) != len(header) or not any(c.strip() for c in r):
                continue
            if any("\n" in c or "\r" in c for c in r):
                continue
            good.append(r)
            if len(good) == SEED_ROWS:
                break
        if len(good) >= 3:
            seeds[name] = Seed(name, f.kind, header, good)
    reference = [(f.kind, f.path) for f in files if f.kind in {"regions", "institutions"} or
                 f.kind.startswith("codes-")]  # fmt: skip
    return [seeds[k] for k in KINDS if k in seeds], reference


# ---------------------------------------------------------------------------------------------- broken


@dataclass
class Broken:
    """One broken file: its bytes, and for XLSX the data rows a user sees (written that way)."""

    name: str
    category: str
    seed: str
    kind: str
    suffix: str
    data: bytes
    xlsx_rows: int | None = None


def _csv_text(header: list[str], rows: list[list[str]], endings: str = "\r\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=endings).writerows([header, *rows])
    return out.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    return text.encode("gb18030" if encoding == "gbk" else encoding)


def _lines(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte offsets of each line's content (without its ending)."""
    out, start, i = [], 0, 0
    while i < len(data):
        if data[i : i + 1] in (b"\r", b"\n"):
            out.append((start, i))
            i += 2 if data[i : i + 2] == b"\r\n" else 1
            start = i
        else:
            i += 1
    if start < len(data):
        out.append((start, len(data)))
    return out


def _row(rng: random.Random, seed: Seed) -> int:
    return rng.randrange(len(seed.rows))


def _with(seed: Seed, rows: list[list[str]] | None = None, header: list[str] | None = None) -> str:
    return _csv_text(header or seed.header, seed.rows if rows is None else rows)


def _gbk_bytes(seed: Seed, rng: random.Random) -> bytes:
    return _encode(_with(seed), seed.encoding)


def text_variants(seed: Seed, rng: random.Random) -> Iterator[tuple[str, str, bytes]]:
    """(category, variant name, bytes) of every CSV defect, one seeded draw each."""
    base = _gbk_bytes(seed, rng)
    lines = _lines(base)
    data_lines = lines[1:]
    # truncation in the middle of a data row, and in the middle of a multibyte GBK character
    s, e = data_lines[rng.randrange(len(data_lines))]
    if e - s > 2:
        yield "truncation", "mid-row", base[: rng.randrange(s + 1, e - 1)]
    lead = [i for i in range(lines[1][0], len(base) - 1) if base[i] >= 0x81]
    lead = [i for i in lead if base[i - 1] < 0x81 or i == lines[1][0]]  # the first byte of a character
    if lead:
        yield "truncation", "mid-character", base[: rng.choice(lead) + 1]
    yield "truncation", "no-final-newline", base.rstrip(b"\r\n")
    # line endings
    yield "line-endings", "cr-only", base.replace(b"\r\n", b"\r")
    yield "line-endings", "lf-only", base.replace(b"\r\n", b"\n")
    parts = base.split(b"\r\n")
    yield (
        "line-endings",
        "mixed",
        b"".join(p + rng.choice([b"\r\n", b"\n", b"\r"]) for p in parts[:-1]) + parts[-1],
    )
    yield "line-endings", "cr-only-no-final", base.replace(b"\r\n", b"\r").rstrip(b"\r")
    # unbalanced quotes: in a middle line, in the last line, a stray quote inside a cell
    for where, idx in (("middle", len(seed.rows) // 2), ("last", len(seed.rows) - 1)):
        rows = [list(r) for r in seed.rows]
        c = rng.randrange(len(seed.header))
        rows[idx][c] = '"' + rows[idx][c]
        yield "quotes", f"unclosed-{where}", _encode(_raw_csv(seed.header, rows), seed.encoding)
    rows = [list(r) for r in seed.rows]
    i, c = _row(rng, seed), rng.randrange(len(seed.header))
    rows[i][c] = rows[i][c][:1] + '"' + rows[i][c][1:]
    yield "quotes", "stray-inside", _encode(_raw_csv(seed.header, rows), seed.encoding)
    # byte flips after the header
    for n in (1, 3, 10):
        b = bytearray(base)
        for _ in range(n):
            p = rng.randrange(lines[1][0], len(b))
            b[p] = rng.randrange(256)
        yield "byte-flip", f"flip-{n}", bytes(b)
    # BOMs
    yield "bom", "utf8-bom-on-gbk", b"\xef\xbb\xbf" + base
    yield "bom", "utf8-bom-on-utf8", b"\xef\xbb\xbf" + _with(seed).encode("utf-8")
    yield "bom", "double-utf8-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + _with(seed).encode("utf-8")
    yield "bom", "utf16le-bom-on-gbk", b"\xff\xfe" + base
    # NULs
    s, e = data_lines[rng.randrange(len(data_lines))]
    p = rng.randrange(s, e)
    yield "nul", "nul-in-cell", base[:p] + b"\x00" + base[p:]
    s, e = data_lines[rng.randrange(len(data_lines))]
    yield "nul", "nul-line", base[:e] + b"\r\n" + b"\x00" * 20 + base[e:]
    yield "nul", "nul-padding-at-end", base + b"\x00" * rng.randrange(1, 4096)
    # extra and missing cells
    rows = [list(r) for r in seed.rows]
    i = _row(rng, seed)
    rows[i] = rows[i] + ["多余", "extra"]
    yield "cells", "extra-cells", _encode(_with(seed, rows), seed.encoding)
    for k in (1, 2):
        rows = [list(r) for r in seed.rows]
        i = _row(rng, seed)
        rows[i] = rows[i][: max(1, len(rows[i]) - k)]
        yield "cells", f"missing-last-{k}", _encode(_with(seed, rows), seed.encoding)
    rows = [list(r) for r in seed.rows]
    i = _row(rng, seed)
    del rows[i][rng.randrange(len(rows[i]))]
    yield "cells", "missing-middle", _encode(_with(seed, rows), seed.encoding)
    rows = [list(r) for r in seed.rows]
    i = _row(rng, seed)
    rows[i] = rows[i][:1]
    yield "cells", "one-cell-row", _encode(_with(seed, rows), seed.encoding)
    # headers: a duplicated column, a reordered header
    c = rng.randrange(len(seed.header))
    header = [*seed.header, seed.header[c]]
    rows = [[*r, r[c]] for r in seed.rows]
    yield "headers", "duplicated-same", _encode(_with(seed, rows, header), seed.encoding)
    rows = [[*r, "不同" + r[c]] for r in seed.rows]
    yield "headers", "duplicated-different", _encode(_with(seed, rows, header), seed.encoding)
    order = list(range(len(seed.header)))
    rng.shuffle(order)
    yield "headers", "reordered", _encode(_with(seed, [[r[i] for i in order] for r in seed.rows],
                                                [seed.header[i] for i in order]), seed.encoding)  # fmt: skip
    # a long cell
    rows = [list(r) for r in seed.rows]
    i, c = _row(rng, seed), rng.randrange(len(seed.header))
    rows[i][c] = "长" * 100_000 if rng.random() < 0.5 else rows[i][c] + "x" * 100_000
    yield "long-cell", "100k-chars", _encode(_with(seed, rows), seed.encoding)
    # odd numbers and dates
    numbers = seed.columns_of(NUMBER_TYPES)
    for value in ODD_NUMBERS if numbers else ():
        rows = [list(r) for r in seed.rows]
        rows[_row(rng, seed)][rng.choice(numbers)] = value
        yield "numbers", f"number-{value}", _encode(_with(seed, rows), seed.encoding)
    if numbers:
        rows = [[_fullwidth(c) if j in numbers else c for j, c in enumerate(r)] for r in seed.rows]
        yield "numbers", "full-width-digits-everywhere", _encode(_with(seed, rows), seed.encoding)
    dates = seed.columns_of(DATE_TYPES)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for value in (*ODD_DATES, tomorrow) if dates else ():
        rows = [list(r) for r in seed.rows]
        c = rng.choice(dates)
        if value == tomorrow and seed.kind == "discharges":
            c = seed.header.index("出院时间") if "出院时间" in seed.header else c
        rows[_row(rng, seed)][c] = value
        yield (
            "dates",
            f"date-{'tomorrow' if value == tomorrow else value}",
            _encode(_with(seed, rows), seed.encoding),
        )
    # key variants: a copy of a row whose key differs by a trailing space, full-width forms or case
    keys = seed.key_columns()
    for how, change in (("trailing-space", lambda v: v + " "), ("leading-space", lambda v: " " + v),
                        ("full-width", _fullwidth), ("lower-case", str.lower),
                        ("ideographic-space", lambda v: v + "\u3000")):  # fmt: skip
        if not keys:
            break
        rows = [list(r) for r in seed.rows]
        src = list(rows[_row(rng, seed)])
        c = rng.choice(keys)
        if change(src[c]) == src[c]:
            c = next((k for k in keys if change(src[k]) != src[k]), c)
        src[c] = change(src[c])
        rows.append(src)
        yield "keys", f"key-{how}", _encode(_with(seed, rows), seed.encoding)
    # a resend in UTF-8 with CRLF and a tab-separated copy: valid, a control on the checker
    yield "control", "valid-gbk", base
    yield "control", "valid-utf8-tsv", _tsv(seed).encode("utf-8")


def _raw_csv(header: list[str], rows: list[list[str]]) -> str:
    """Rows joined with commas without quoting: a quote written into a cell stays unbalanced."""
    return "".join(",".join(r) + "\r\n" for r in [header, *rows])


def _tsv(seed: Seed) -> str:
    return "".join("\t".join(r) + "\r\n" for r in [seed.header, *seed.rows])


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def xlsx_variants(seed: Seed, rng: random.Random, workdir: Path) -> Iterator[tuple[str, str, bytes, int]]:
    """(category, name, bytes, data rows a user sees) of XLSX layouts."""
    n = len(seed.rows)
    half = n // 2

    def book(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
        path = workdir / f"book{rng.randrange(1 << 30)}.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        for name, rows in sheets:
            ws = wb.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value not in (None, ""):
                        ws.write_string(r, c, str(value))
        wb.close()
        data = path.read_bytes()
        path.unlink()
        return data

    if seed.name == "values-wide":  # one record per filled element cell
        n = sum(wide_cells(seed.header, r) for r in seed.rows)
    table = [seed.header, *seed.rows]
    yield "xlsx", "plain", book([("数据", table)]), n
    yield "xlsx", "empty-sheet-first", book([("空表", []), ("数据", table)]), n
    yield "xlsx", "only-empty-sheets", book([("Sheet1", []), ("Sheet2", [])]), 0
    titles = [["示例市卫生健康委员会"], ["报表"], [], ["填报单位：示例"]]
    yield "xlsx", "header-on-row-5", book([("数据", titles + table)]), n
    yield "xlsx", "two-sheets-of-the-kind", book([("上半", [seed.header, *seed.rows[:half]]),
                                                  ("下半", [seed.header, *seed.rows[half:]])]), n  # fmt: skip
    yield "xlsx", "extra-notes-sheet", book([("数据", table), ("说明", [["填表说明"], ["请按要求填写"]])]), n
    beyond = [seed.header] + [[*r, "", "备注" + str(i)] for i, r in enumerate(seed.rows)]
    yield "xlsx", "cells-beyond-header", book([("数据", beyond)]), n
    blank_mid = [seed.header, *seed.rows[:half], [], *seed.rows[half:]]
    yield "xlsx", "blank-row-inside", book([("数据", blank_mid)]), n


def generate_broken(seeds: list[Seed], workdir: Path, *, repeats: int = 1, seed: int = 24) -> list[Broken]:
    """Every defect of every seed, `repeats` seeded draws each (the random positions differ per draw)."""
    out, seen = [], set()
    for rep in range(repeats):
        for s in seeds:
            rng = random.Random(f"{seed}/{rep}/{s.name}")
            for cat, name, data in text_variants(s, rng):
                if data not in seen:  # a defect without a random part is the same file in every draw
                    seen.add(data)
                    out.append(Broken(f"{s.name}.{name}.{rep}", cat, s.name, s.kind, ".csv", data))
            if rep == 0 or rng.random() < 0.5:
                for cat, name, data, n in xlsx_variants(s, rng, workdir):
                    out.append(Broken(f"{s.name}.{name}.{rep}", cat, s.name, s.kind, ".xlsx", data, n))
    return out


def sample(files: list[Broken], size: int, seed: int = 7) -> list[Broken]:
    """A deterministic sample holding every category and every seed at least once."""
    rng = random.Random(seed)
    chosen: dict[str, Broken] = {}
    by_cat: dict[str, list[Broken]] = {}
    for f in files:
        by_cat.setdefault(f.category, []).append(f)
    kinds_seen: set[str] = set()
    for cat in sorted(by_cat):
        for f in rng.sample(by_cat[cat], min(2, len(by_cat[cat]))):
            chosen[f.name] = f
            kinds_seen.add(f.seed)
    for s in sorted({f.seed for f in files} - kinds_seen):
        f = rng.choice([f for f in files if f.seed == s])
        chosen[f.name] = f
    rest = [f for f in files if f.name not in chosen]
    for f in rng.sample(rest, max(0, min(len(rest), size - len(chosen)))):
        chosen[f.name] = f
    return sorted(chosen.values(), key=lambda f: f.name)


# ---------------------------------------------------------------------------------------------- counting


_BLANK = " \t,\x00\ufeff\u3000"


def _decode(data: bytes) -> str:
    while data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def visible_lines(data: bytes) -> list[tuple[int, str]]:
    """(line number, text) of the non-blank physical lines, as a spreadsheet user sees them."""
    text = _decode(data)
    return [(i, line) for i, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1) if line.strip(_BLANK)]


def visible_data_rows(data: bytes, wide: bool = False) -> int:
    """Data rows a user sees in a CSV/TXT file: non-blank physical lines after the header line. A wide
    `values` file is read one record per filled element cell, so there it is the filled cells of the
    element columns (every column but the organisation and period), each line split alone."""
    lines = visible_lines(data)
    if not wide:
        return max(0, len(lines) - 1)
    header = next(csv.reader([lines[0][1]]))
    return sum(wide_cells(header, next(csv.reader([line]), [])) for _, line in lines[1:])


def wide_cells(header: list[str], cells: list[str]) -> int:
    """Filled element cells of one row of a wide `values` file: the columns headed by a data element's
    Chinese name, alias or code in the catalog (catalog/elements.yaml), not 机构名称 and other extras; a
    second column of the same heading is an extra column (the contract ignores extras), not counted."""
    names, seen, n = _element_names(), set(), 0
    for i, h in enumerate(header):
        h = h.strip()
        if h in names and h not in seen:
            seen.add(h)
            n += i < len(cells) and bool(cells[i].strip(_BLANK))
    return n


@functools.cache
def _element_names() -> frozenset[str]:
    import yaml

    from hqd.catalog import catalog_dir

    doc = yaml.safe_load((catalog_dir() / "elements.yaml").read_text(encoding="utf-8"))
    return frozenset(n for e in doc["elements"] for n in (e["code"], e["name_zh"], *e.get("aliases", [])))


def short_lines(data: bytes) -> list[int]:
    """Line numbers of the data lines with fewer cells than the header line (each line split alone)."""
    lines = visible_lines(data)
    if not lines:
        return []
    delimiter = "\t" if "\t" in lines[0][1] and "," not in lines[0][1] else ","
    width = len(next(csv.reader([lines[0][1]], delimiter=delimiter)))
    out = []
    for number, line in lines[1:]:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        if len(cells) < width:
            out.append(number)
    return out


_FOLD = re.compile(r"\s+")


def _fold(value: object) -> object:
    if not isinstance(value, str):
        return value
    return _FOLD.sub("", unicodedata.normalize("NFKC", value)).upper()


def key_duplicates(con: duckdb.DuckDBPyConnection, spec: KindSpec) -> int:
    """Stored rows whose key equals another stored row's key once whitespace, full-width forms and case are
    folded (the count of extra distinct keys in each folded group)."""
    cols = ", ".join(f'"{k}"' for k in spec.key)
    groups: dict[tuple, set[tuple]] = {}
    for row in con.execute(f"SELECT DISTINCT {cols} FROM {spec.table}").fetchall():
        groups.setdefault(tuple(_fold(v) for v in row), set()).add(row)
    return sum(len(raw) - 1 for raw in groups.values())


_CELL_COUNT = re.compile(r"\d+\s*(个)?(单元格|列|cells?|columns?)", re.IGNORECASE)


@dataclass
class Outcome:
    file: str
    category: str
    status: str = ""
    crashed: bool = False
    error: str = ""
    accounting: bool = False
    visible: int = 0
    read: int = 0
    rows_lost: int = 0
    rows_extra: int = 0
    short_stored: int = 0
    key_duplicates: int = 0
    no_field: int = 0


COUNTS = ("crashed", "accounting", "rows_lost", "short_stored", "key_duplicates", "no_field")


@dataclass
class Totals:
    files: int = 0
    crashed: int = 0
    accounting: int = 0
    rows_lost: int = 0
    files_losing_rows: int = 0
    rows_extra: int = 0
    short_stored: int = 0
    key_duplicates: int = 0
    no_field: int = 0
    rejected: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def add(self, o: Outcome) -> None:
        self.files += 1
        self.outcomes.append(o)
        self.crashed += o.crashed
        self.accounting += o.accounting
        self.rows_lost += o.rows_lost
        self.files_losing_rows += o.rows_lost > 0
        self.rows_extra += o.rows_extra
        self.short_stored += o.short_stored
        self.key_duplicates += o.key_duplicates
        self.no_field += o.no_field
        self.rejected += o.status == "rejected"

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in COUNTS}

    def report(self) -> str:
        return "\n".join([
            f"files                       {self.files:6,}  ({self.rejected:,} rejected with a sentence)",
            f"crashes                     {self.crashed:6,}",
            f"accounting violations       {self.accounting:6,}",
            f"rows lost                   {self.rows_lost:6,}  (in {self.files_losing_rows:,} files)",
            f"short rows stored           {self.short_stored:6,}",
            f"key duplicates              {self.key_duplicates:6,}",
            f"messages without a field    {self.no_field:6,}",
            f"(rows read beyond the file  {self.rows_extra:6,}: not one of the six counts)",
        ])  # fmt: skip


class Bench:
    """A prepared warehouse (the demo's regions, institutions and code lists) copied for every file."""

    def __init__(self, root: Path, reference: list[tuple[str, Path]]) -> None:
        from hqd.config import settings
        from hqd.warehouse import migrate
        from hqd.warehouse.secret import load_secret

        self.root = root
        self.cfg = cfg = settings()
        self.base = cfg.db_path
        con = connect(cfg)
        migrate.upgrade(con)
        self.secret = load_secret(cfg.secret_path)
        for kind, path in reference:
            load_file(con, kind, path, secret=self.secret)
        con.close()

    def check(self, broken: Broken) -> Outcome:
        work = self.root / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        db = work / "hqd.duckdb"
        shutil.copy(self.base, db)
        path = work / f"{broken.name}{broken.suffix}"
        path.write_bytes(broken.data)
        con = connect(dataclasses.replace(self.cfg, db_path=db))  # as hqd opens it: its macros registered
        try:
            return measure(con, broken, path, self.secret)
        finally:
            con.close()


def measure(con: duckdb.DuckDBPyConnection, broken: Broken, path: Path, secret: bytes) -> Outcome:
    out = Outcome(broken.name, broken.category)
    spec = load_kind(broken.kind)
    before = key_duplicates(con, spec)  # the prepared warehouse's own, if any: not this file's doing
    try:
        s = load_file(con, broken.kind, path, secret=secret)
    except AccountingError as exc:
        out.accounting, out.error = True, str(exc)[:300]
        return out
    except Exception as exc:  # a traceback instead of a sentence
        out.crashed = True
        out.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300]
        return out
    out.status = s.status
    if s.status == "rejected":
        out.no_field = int(path.name not in (s.message or ""))
        return out
    out.read = s.read
    out.accounting = s.read != s.new + s.updated + s.unchanged + s.quarantined + s.duplicate
    wide = broken.seed == "values-wide"
    out.visible = broken.xlsx_rows if broken.suffix == ".xlsx" else visible_data_rows(broken.data, wide)
    out.rows_lost = max(0, out.visible - s.read)
    out.rows_extra = max(0, s.read - out.visible)
    import_id = s.same_as or s.import_id
    if broken.suffix != ".xlsx" and out.rows_lost == 0:
        caught = {r for (r,) in con.execute(
            "SELECT row_number FROM quarantine WHERE import_id = ? UNION "
            "SELECT row_number FROM import_duplicates WHERE import_id = ?", [import_id, import_id]).fetchall()}  # fmt: skip
        short = short_lines(broken.data)
        if wide:  # a short row without a filled element cell gives no record: nothing of it can be stored
            lines = dict(visible_lines(broken.data))
            header = next(csv.reader([lines[min(lines)]]))
            short = [n for n in short if wide_cells(header, next(csv.reader([lines[n]]), [])) > 0]
        out.short_stored = sum(1 for line in short if line not in caught)
    out.key_duplicates = key_duplicates(con, spec) - before
    for fld, zh, en in con.execute(
        "SELECT field, message_zh, message_en FROM quarantine WHERE import_id = ?", [import_id]
    ).fetchall():
        if not (fld and fld.strip()) and not (_CELL_COUNT.search(en or "") or _CELL_COUNT.search(zh or "")):
            out.no_field += 1
    return out


def run(files: list[Broken], bench: Bench, on_file: Callable[[Outcome], None] | None = None) -> Totals:
    totals = Totals()
    for f in files:
        o = bench.check(f)
        totals.add(o)
        if on_file:
            on_file(o)
    return totals
