"""The IN.csv → OUT.csv contract of `hqd ews detect`, kept apart from the CLI so it is testable and reusable."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hqd.safe_cells import safe_text

from .algorithms import REGISTRY, EwsParameterError

REQUIRED = ("series", "t", "date", "count")
OPTIONAL = ("population",)
OUT_HEADER = ("series", "t", "date", "count", "upperbound", "alarm")


class DetectInputError(ValueError):
    """Bad IN.csv content; the message names file, line and field in Chinese and English."""


@dataclass
class Series:
    """One series of IN.csv, sorted by t; counts NaN where the cell was empty (R's NA)."""

    name: str
    t: np.ndarray
    labels: list[str]
    count_text: list[str]
    counts: np.ndarray
    population: np.ndarray | None = None
    dates: np.ndarray | None = field(default=None)


def _err(path: Path, line: int | None, column: str | None, zh: str, en: str) -> DetectInputError:
    where_zh = (
        f"文件 {path.name}" + (f" 第 {line} 行" if line else "") + (f" 字段 {column}" if column else "")
    )
    where_en = (
        f"file {path.name}" + (f" line {line}" if line else "") + (f" field {column}" if column else "")
    )
    return DetectInputError(f"{where_zh}：{zh}；{where_en}: {en}")


def _iso(text: str) -> np.datetime64 | None:
    """A strict YYYY-MM-DD date, or None: anything else is only a label."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return np.datetime64(dt.date.fromisoformat(text), "D")
    except ValueError:
        return None


def _number(path: Path, line: int, column: str, text: str, *, integer: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _err(path, line, column, f"“{text}”不是数字", f"'{text}' is not a number") from None
    if not math.isfinite(value):
        raise _err(path, line, column, f"“{text}”不是有限数值", f"'{text}' is not a finite number")
    if integer and value != int(value):
        raise _err(path, line, column, f"“{text}”不是整数", f"'{text}' is not an integer")
    if value < 0 or (column == "t" and value < 1):
        lim_zh, lim_en = (
            ("必须 >= 1", "must be >= 1") if column == "t" else ("不能为负数", "must not be negative")
        )
        raise _err(path, line, column, f"“{text}”{lim_zh}", f"'{text}' {lim_en}")
    return value


def read_counts(path: str | Path) -> list[Series]:
    """Parse and validate IN.csv; each series must have t = 1..n exactly once (any row order)."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _err(
            path, None, None, f"无法读取（{exc.strerror}）", f"cannot be read ({exc.strerror})"
        ) from None
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        for col in REQUIRED:
            if col not in header:
                raise _err(path, 1, col, "缺少必需的列", "the required column is missing")
        for col in header:
            if col not in REQUIRED + OPTIONAL:
                raise _err(path, 1, col, "是未知的列", "is an unknown column")
        pos = {c: header.index(c) for c in header}
        raw: dict[str, list[tuple[int, int, str, str, float, float]]] = {}
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise _err(
                    path,
                    line,
                    None,
                    f"有 {len(row)} 个字段，表头有 {len(header)} 个",
                    f"has {len(row)} fields but the header has {len(header)}",
                )
            cell = {c: row[i].strip() for c, i in pos.items()}
            if not cell["series"]:
                raise _err(path, line, "series", "序列名为空", "the series name is empty")
            t = int(_number(path, line, "t", cell["t"], integer=True))
            count = (
                math.nan
                if cell["count"] == ""
                else _number(path, line, "count", cell["count"], integer=False)
            )
            popv = math.nan
            if "population" in cell:
                popv = _number(path, line, "population", cell["population"], integer=False)
            raw.setdefault(cell["series"], []).append((t, line, cell["date"], cell["count"], count, popv))
    if not raw:
        raise _err(path, None, None, "没有数据行", "has no data rows")
    return [_series(path, name, rows, "population" in header) for name, rows in raw.items()]


def _series(
    path: Path, name: str, rows: list[tuple[int, int, str, str, float, float]], has_pop: bool
) -> Series:
    rows.sort()
    for i, (t, line, *_rest) in enumerate(rows, start=1):
        if t != i:
            zh = f"序列 {name} 的 t={t} 重复" if t < i else f"序列 {name} 缺少 t={i}"
            en = f"series {name} repeats t={t}" if t < i else f"series {name} lacks t={i}"
            raise _err(path, line, "t", zh, en)
    labels = [r[2] for r in rows]
    parsed = [_iso(d) for d in labels]
    dates = np.array(parsed, dtype="datetime64[D]") if all(p is not None for p in parsed) else None
    if dates is not None and len(dates) > 1 and np.any(np.diff(dates) <= np.timedelta64(0, "D")):
        bad = int(np.flatnonzero(np.diff(dates) <= np.timedelta64(0, "D"))[0]) + 1
        raise _err(
            path,
            rows[bad][1],
            "date",
            f"序列 {name} 的日期未随 t 递增",
            f"dates of series {name} do not increase with t",
        )
    pop = np.array([r[5] for r in rows]) if has_pop else None
    return Series(
        name=name,
        t=np.array([r[0] for r in rows]),
        labels=labels,
        count_text=[r[3] for r in rows],
        counts=np.array([r[4] for r in rows]),
        population=pop,
        dates=dates,
    )


def _fmt(x: float) -> str:
    """Shortest round-trip repr; empty for NA, integers without '.0' for readability."""
    if math.isnan(x):
        return ""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))


def detect(
    in_path: str | Path,
    out_path: str | Path,
    algorithm: str,
    freq: int,
    control: Mapping[str, Any] | None = None,
    range_last: int | None = None,
) -> int:
    """Run one algorithm on every series of IN.csv and write OUT.csv; returns the number of rows written.

    Series sharing the same time axis (same length and date labels) run as one 2-D call, so a
    national file of 10^5 county × disease series costs a few vectorised calls, not 10^5; output
    keeps the input's series order.
    """
    if algorithm not in REGISTRY:
        raise EwsParameterError(
            f"未知算法 {algorithm}（可选 {'/'.join(REGISTRY)}）；"
            f"unknown algorithm {algorithm} (choose {'/'.join(REGISTRY)})"
        )
    if range_last is not None and range_last < 1:
        raise EwsParameterError("--range-last 必须 >= 1；--range-last must be >= 1")
    fn = REGISTRY[algorithm]
    series = read_counts(in_path)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, s in enumerate(series):
        groups.setdefault(tuple(s.labels), []).append(i)
    results: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for members in groups.values():
        first = series[members[0]]
        n = first.counts.size
        rng = None if range_last is None else np.arange(max(1, n - range_last + 1), n + 1)
        kwargs: dict[str, Any] = {
            "dates": first.dates,
            "freq": freq,
            "range": rng,
            "control": dict(control or {}),
        }
        pops = [series[i].population for i in members]
        if algorithm == "farringtonFlexible" and all(p is not None for p in pops):
            kwargs["population"] = np.column_stack(pops)
        try:
            res = fn(np.column_stack([series[i].counts for i in members]), **kwargs)
        except EwsParameterError as exc:
            zh, _, en = str(exc).partition("；")
            raise EwsParameterError(f"序列 {first.name}：{zh}；series {first.name}: {en}") from None
        for j, i in enumerate(members):
            results[i] = (res.range, res.upperbound[:, j], res.alarm[:, j])
    out_rows: list[list[str]] = []
    for i, s in enumerate(series):
        rng_i, ub, al = results[i]
        for r, t in enumerate(rng_i):
            out_rows.append(
                [  # the free-text cells are neutralised; count_text has been checked to be a number
                    safe_text(s.name),
                    str(t),
                    safe_text(s.labels[t - 1]),
                    s.count_text[t - 1],
                    _fmt(ub[r]),
                    "" if math.isnan(al[r]) else str(int(al[r])),
                ]
            )
    with Path(out_path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(OUT_HEADER)
        writer.writerows(out_rows)
    return len(out_rows)
