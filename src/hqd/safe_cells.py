"""Cells of every CSV and XLSX file hqd writes, made safe to open in a spreadsheet.

Exported files carry text that users sent (names, codes, free text, the cells of quarantined rows, even
column headers of uploaded files). A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` as a
formula — `=HYPERLINK(...)` becomes a live link, and DDE payloads can start programs — and a leading tab or
carriage return hides such a prefix from a naive check. Following the OWASP guidance on CSV injection, a
text cell that begins with one of these characters is written with a single quote in front, so that it is
shown as the text it is and never evaluated. Numbers are not text: an int, float or Decimal of the data
model stays a number (a negative number is `-3.5`, not `'-3.5`), while a string that merely looks like a
number (a cell of a quarantined row) is text and is neutralised like any other.

Every writer goes through `cell()` (see `hqd.tabular`); nothing else decides how a value becomes a cell.
"""

from __future__ import annotations

import math
from decimal import Decimal
from numbers import Integral, Real

# OWASP's list, plus their full-width forms: Excel under a CJK input method turns a typed full-width
# operator into the ASCII one, so a Chinese file may well hold them; quoting them costs nothing.
TRIGGERS = frozenset("=+-@\t\r" + "＝＋－＠")

# The missing-value marker of Chinese statistical tables. Alone it is no expression and no spreadsheet
# evaluates it, so it is left as it is (a quote in front would show in every empty cell of a report).
MISSING_MARK = "-"


def safe_text(text: str) -> str:
    """`text` as a cell no spreadsheet evaluates: a single quote in front when it could start a formula.

    Leading spaces are looked through (`  =1+1` is quoted too): some spreadsheets trim them on import.
    """
    if text == MISSING_MARK:
        return text
    head = text.lstrip(" ")[:1] or text[:1]
    if head in TRIGGERS or text[:1] in TRIGGERS:
        return "'" + text
    return text


def cell(value: object) -> int | float | Decimal | str:
    """The value as written to a file: numbers as numbers, everything else (dates too) as neutralised text.

    None and NaN are empty cells; infinities are text (`inf`), which spreadsheets cannot store as numbers.
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # before Integral: True is an int
        return str(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Decimal):  # DuckDB's DECIMAL columns; kept exact, written as numbers
        if not value.is_finite():
            return "" if value.is_nan() else safe_text(str(value))
        return value
    if isinstance(value, Real):
        number = float(value)
        if math.isnan(number):
            return ""
        return number if math.isfinite(number) else safe_text(str(number))
    return safe_text(value if isinstance(value, str) else str(value))
