"""Turning values into the text users' systems write: the date, number, code and empty-cell forms of the contract."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hqd.demo.base import STR, lookup

_EPOCH = np.datetime64("1900-01-01")
_DAYS = 131 * 366


@dataclass(frozen=True)
class Style:
    """How one file writes its values."""

    dates: str = "iso"  # iso 2024-03-05 | slash 2024/3/5 | compact 20240305 | cn 2024年3月5日
    seconds: bool = True  # date-times carry :SS
    labels: bool = False  # codes as "1.医嘱离院" instead of "1"
    null: str = ""  # what an empty optional cell holds: "", "NULL", "-"
    thousands: bool = False  # money as 1,234.50


def _day_table(style: str) -> np.ndarray:
    days = _EPOCH + np.arange(_DAYS)
    iso = np.datetime_as_string(days)
    if style == "iso":
        return iso.astype(STR)
    y = [s[:4] for s in iso]
    m = [str(int(s[5:7])) for s in iso]
    d = [str(int(s[8:10])) for s in iso]
    if style == "slash":
        out = [f"{a}/{b}/{c}" for a, b, c in zip(y, m, d, strict=True)]
    elif style == "compact":
        out = [s.replace("-", "") for s in iso]
    elif style == "cn":
        out = [f"{a}年{b}月{c}日" for a, b, c in zip(y, m, d, strict=True)]
    else:
        raise ValueError(style)
    return np.asarray(out, dtype=STR)


_TABLES: dict[str, np.ndarray] = {}


def _days(style: str) -> np.ndarray:
    if style not in _TABLES:
        _TABLES[style] = _day_table(style)
    return _TABLES[style]


_HHMM = np.asarray([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], dtype=STR)
_SS = np.asarray([f":{s:02d}" for s in range(60)], dtype=STR)


def fmt_date(d: np.ndarray, style: Style) -> np.ndarray:
    """datetime64 values (NaT = empty) as date text."""
    d = np.asarray(d).astype("datetime64[D]")
    nat = np.isnat(d)
    idx = np.where(nat, 0, (d - _EPOCH).astype(np.int64))
    out = _days(style.dates)[idx]
    return np.where(nat, np.asarray(style.null, dtype=STR), out) if nat.any() else out


def fmt_datetime(t: np.ndarray, style: Style, seconds: np.ndarray | None = None) -> np.ndarray:
    """datetime64 values (NaT = empty) as 'date HH:MM[:SS]'."""
    t = np.asarray(t).astype("datetime64[m]")
    nat = np.isnat(t)
    safe = np.where(nat, _EPOCH.astype("datetime64[m]"), t)
    day = fmt_date(safe, Style(dates=style.dates))
    minute = (safe - safe.astype("datetime64[D]")).astype(np.int64)
    out = np.strings.add(np.strings.add(day, " "), _HHMM[minute])
    if style.seconds:
        sec = np.zeros(len(t), dtype=np.int64) if seconds is None else seconds
        out = np.strings.add(out, _SS[sec])
    return np.where(nat, np.asarray(style.null, dtype=STR), out) if nat.any() else out


def fmt_int(x: np.ndarray) -> np.ndarray:
    return np.asarray(x).astype(np.int64).astype(STR)


_CENTS = np.asarray([f".{c:02d}" for c in range(100)], dtype=STR)


def fmt_money(cents: np.ndarray, style: Style) -> np.ndarray | pa.Array:
    """int64 cents as yuan text with two decimals (optionally 1,234.50)."""
    cents = np.asarray(cents, dtype=np.int64)
    if style.thousands:
        a = np.abs(cents)
        body = np.asarray([f"{w:,}" for w in (a // 100).tolist()], dtype=STR)
        out = np.strings.add(body, _CENTS[a % 100])
        return np.where(cents < 0, np.strings.add("-", out), out)
    # decimal128 holds the unscaled integer: build it from the cents and let Arrow print it
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    dec = pa.Array.from_buffers(pa.decimal128(18, 2), len(cents), [None, pa.py_buffer(words.tobytes())])
    return dec.cast(pa.string())


def arrow_int(x: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(x, dtype=np.int64)).cast(pa.string())


def fmt_code(codes: np.ndarray, labels: dict[str, str], style: Style, sep: str = ".") -> np.ndarray:
    """Code values as the code alone or as 'code.label'; '' stays empty (or the null token)."""
    codes = np.asarray(codes).astype(STR)
    if style.labels:
        keys = list(labels)
        table = np.asarray([f"{k}{sep}{labels[k]}" for k in keys] + [""], dtype=STR)
        idx = np.full(len(codes), len(keys))
        for i, k in enumerate(keys):
            idx[codes == k] = i
        out = table[idx]
    else:
        out = codes
    return nullify(out, style)


def nullify(col: np.ndarray, style: Style) -> np.ndarray:
    col = np.asarray(col).astype(STR)
    if style.null:
        return np.where(col == "", np.asarray(style.null, dtype=STR), col)
    return col


def pick_text(table: list[str], index: np.ndarray) -> np.ndarray:
    return lookup(table, index)
