"""Parsing of numbers and dates as people type them: Excel values, ISO text or Italian text."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from workbook.errors import UnreadableValue

# Excel's day zero for the 1900 date system (1899-12-30 absorbs Excel's 1900 leap-year bug
# for every date after February 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_ITALIAN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_number(value: object) -> Decimal:
    """Read a number typed in Excel or as text («8,5», «1.234,56», «85%», «€ 10.000»)."""
    if isinstance(value, bool):
        raise UnreadableValue(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise UnreadableValue(str(value))
        # repr gives the shortest text that reads back as the same float: 8.5, not 8.4999…
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise UnreadableValue(str(value))
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    text = text.removesuffix("%")
    if _ITALIAN_THOUSANDS.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _PLAIN_NUMBER.match(text):
        text = text.replace(",", ".")
    else:
        raise UnreadableValue(value)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regexes admit only valid text
        raise UnreadableValue(value) from exc


def parse_date(value: object) -> dt.date:
    """Read a date: an Excel date or serial number, ISO text or Italian text («01/03/2017»)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's valid serial range: 1900-01-01 .. 9999-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise UnreadableValue(str(value))
    if not isinstance(value, str):
        raise UnreadableValue(str(value))
    text = value.strip()
    try:
        if m := _ISO.match(text):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY.match(text):
            year = int(m[3])
            if len(m[3]) == 2:
                year += 2000
            return dt.date(year, int(m[2]), int(m[1]))
    except ValueError as exc:  # 31/02/2017: well formed, but not a day of the calendar
        raise UnreadableValue(value) from exc
    raise UnreadableValue(value)


def format_number(value: Decimal | int | float, decimals: int | None = None) -> str:
    """Write a number the Italian way: comma for decimals, no exponent («99,25», «8,5»)."""
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimals is not None:
        d = d.quantize(Decimal(1).scaleb(-decimals))
    text = format(d.normalize() if decimals is None else d, "f")
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_count(n: int) -> str:
    """«32.767»: a whole number with the Italian thousands separator."""
    return f"{n:,}".replace(",", ".")


def format_euro(value: Decimal) -> str:
    """«€ 12.345,67»: thousands with dots and two decimals, as in the Comune's documents."""
    text = f"{value.quantize(Decimal('0.01')):,.2f}"
    return "€ " + text.replace(",", "_").replace(".", ",").replace("_", ".")


CELL_LIMIT = 32_767  # characters in a cell of Excel (and of xlsxwriter, which cuts silently)
TRUNCATED = " […] [testo troncato: il testo completo è nel file JSON dei risultati]"


def cell_text(text: str) -> str:
    """Text for a cell of a workbook we write: whole, or visibly cut when a cell cannot hold
    it (never cut in silence)."""
    if len(text) <= CELL_LIMIT:
        return text
    return text[: CELL_LIMIT - len(TRUNCATED)] + TRUNCATED


def format_date(value: dt.date) -> str:
    """«01/03/2017»."""
    return value.strftime("%d/%m/%Y")


def canonical_number(value: Decimal | int | float) -> str:
    """The same number always gives the same text, whichever program wrote it (10, 10.0, 1E1)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" not in text:  # repr is the shortest text that reads back: 8.5, 0.1
            return text
    d = parse_number(value) if not isinstance(value, Decimal) else value
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


_FORMULA_START = ("=", "+", "@")


def looks_like_formula(text: str) -> bool:
    """Text that a spreadsheet could take for a formula (formula injection): «=…», «+…», «@…».

    A leading «-» is common in Italian lists («- Avvio procedura»), so it counts only when the
    rest reads like a formula (a function call or a reference to another sheet).
    """
    stripped = text.lstrip()
    if stripped.startswith(_FORMULA_START):
        return True
    return stripped.startswith("-") and bool(re.match(r"^-\s*[A-Za-z_.]+\s*[(!]", stripped))


# C0 and C1 control characters (ESC starts terminal escape sequences), lone surrogates (file
# names that were not valid UTF-8), zero-width and bidirectional-override characters (which can
# make «AREA1‮xslx.exe» read as another name).
_UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff]"
)
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029\x85]+")


def printable(text: str, *, lines: bool = False) -> str:
    """Text from outside made safe to show: unprintable characters become «\ufffd»; tabs and
    line breaks become spaces unless `lines`."""
    if not lines:
        text = _LINE_BREAKS.sub(" ", text)
    elif "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _UNPRINTABLE.sub("\ufffd", text)


_BLANK = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]*")


def is_blank(text: str) -> bool:
    """Only spaces of any kind (no-break and zero-width ones too): an empty cell to a reader."""
    return _BLANK.fullmatch(text) is not None
