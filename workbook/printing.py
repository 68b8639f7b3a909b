"""How tall a row must be for its text to print whole: the writers size every row from the
text it holds, not by hand.

Neither xlsxwriter nor the .xlsx format fits a row to its text (Excel and LibreOffice keep the
height a file gives, and a file that gives none shows one line), so the writers estimate the
lines a text wraps to from its length and the width of its column(s). The estimate is
deliberately wide: each character counts as its width in Calibri (Carlito has the same
metrics), a little more, in units of a column width (the width of a digit), and words wrap
greedily as Excel wraps them. tests/test_stampa.py measures the result in LibreOffice.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

DEFAULT_HEIGHT = 15.0  # points: one line of 11-point Calibri, Excel's default row
# Calibri's advance widths (Carlito has the same metrics), in units of its digit width (1038
# of 2048 font units): the width of a column is counted in digits.
_WIDTHS = {
    **dict.fromkeys("0123456789", 1.0),
    **dict.fromkeys("il.,:;'|!", 0.46),
    **dict.fromkeys(" ", 0.45),
    **dict.fromkeys("jI", 0.5),
    **dict.fromkeys('ft()[]/-"', 0.68),
    **dict.fromkeys("r", 0.7),
    **dict.fromkeys("sz", 0.79),
    **dict.fromkeys("cJ", 0.84),
    **dict.fromkeys("xvyk", 0.9),
    **dict.fromkeys("aegLTF", 0.97),
    **dict.fromkeys("bdhnopquàèéìòù", 1.04),
    **dict.fromkeys("ESZ", 1.0),
    **dict.fromkeys("BCKPRXYV«»", 1.1),
    **dict.fromkeys("ADGHNOQU", 1.25),
    **dict.fromkeys("w–", 1.42),
    **dict.fromkeys("m%", 1.6),
    **dict.fromkeys("MW@—", 1.8),
}


_WIDEST = 1.8 * 1.06 * 1.04  # the widest character, bold, with the margin of text_width


def _char_width(char: str) -> float:
    """A character's width in column units (a digit is one unit)."""
    return _WIDTHS.get(char, 1.25 if char.isupper() else 1.1)


@lru_cache(maxsize=65536)
def text_width(text: str, size: float = 11, bold: bool = False) -> float:
    """The width of one line of `text`, in column units (the unit of `set_column`)."""
    width = sum(_char_width(c) for c in text) * (size / 11) * (1.06 if bold else 1.0)
    return width * 1.04  # a margin: the spacing that rendering at a printer's scale adds


@lru_cache(maxsize=65536)
def lines(text: str, width: float, size: float = 11, bold: bool = False) -> int:
    """The lines `text` wraps to in a cell `width` column units wide (words wrap whole;
    a word longer than a line is cut, as Excel cuts it)."""
    room = max(width - 0.8, 1.0)  # the cell's inner margins
    space = text_width(" ", size, bold)
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        used = 0.0
        for word in paragraph.split():
            w = text_width(word, size, bold)
            if used and used + space + w <= room:
                used += space + w
                continue
            if used:
                count += 1
            used = w
            while used > room:  # a word wider than the cell
                count += 1
                used -= room
    return max(count, 1)


def line_height(size: float = 11) -> float:
    """The height of one line of text of `size` points, in points."""
    return max(DEFAULT_HEIGHT, size * 1.3 + 1.0)


def height(text: str, width: float, size: float = 11, bold: bool = False) -> float:
    """The row height (points) that shows `text` wrapped in `width` column units."""
    n = lines(text, width, size, bold) if text else 1
    return math.ceil(line_height(size) * n * 2) / 2


def fits(text: str, width: float, size: float = 11, bold: bool = False) -> bool:
    """Whether `text` fits on one line of a cell `width` column units wide."""
    room = max(width - 0.8, 1.0)
    if len(text) * _WIDEST * size / 11 <= room:  # short enough whatever its letters
        return True
    return text_width(text, size, bold) <= room


# --- xlsxwriter workbooks that size their rows when they close --------------------------------
# Mixins, so that this module does not import xlsxwriter (only the writers do): a writer
# declares `class _Sheet(FittedSheet, xlsxwriter.worksheet.Worksheet)` and
# `class _Book(FittedBook, xlsxwriter.Workbook)` with `sheet_class = _Sheet`.

_CENTRE = 2  # xlsxwriter's Format.text_h_align for «center»
_MAX_HEIGHT = 409.0  # points: the tallest row Excel allows


class FittedSheet:
    """A worksheet that remembers the text written into it, the widths of its columns and
    the heights asked for its rows; `fit` then gives every row the height its text needs and
    wraps, within the empty cells it would run into, a text too long for one line."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[call-arg]
        self.fit_texts: list[tuple[int, int, int, int, str, Any]] = []
        self.fit_widths: dict[int, float] = {}
        self.fit_col_formats: dict[int, Any] = {}
        self.fit_heights: dict[int, float] = {}
        self.fit_numbers: dict[int, set[int]] = {}
        self.fit_print_area = False
        self.fit_hidden = False

    def set_column(  # type: ignore[override]
        self, first_col: int, last_col: int, width: float | None = None, cell_format: Any = None,
        options: Any = None,
    ) -> int:  # fmt: skip
        for col in range(first_col, last_col + 1):
            if width is not None:
                self.fit_widths[col] = width
            if cell_format is not None:
                self.fit_col_formats[col] = cell_format
        return super().set_column(first_col, last_col, width, cell_format, options)  # type: ignore[misc]

    def set_row(  # type: ignore[override]
        self, row: int, height: float | None = None, cell_format: Any = None, options: Any = None
    ) -> int:
        if height is not None:
            self.fit_heights[row] = height
        return super().set_row(row, height, cell_format, options)  # type: ignore[misc]

    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> int:  # type: ignore[override]
        self.fit_texts.append((row, col, row, col, string, cell_format))
        return super().write_string(row, col, string, cell_format)  # type: ignore[misc]

    def write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> int:  # type: ignore[override]
        self.fit_numbers.setdefault(row, set()).add(col)  # text does not run over a number
        return super().write_number(row, col, number, cell_format)  # type: ignore[misc]

    def write_formula(self, row: int, col: int, formula: str, *args: Any) -> int:  # type: ignore[override]
        self.fit_numbers.setdefault(row, set()).add(col)
        return super().write_formula(row, col, formula, *args)  # type: ignore[misc]

    def merge_range(  # type: ignore[override]
        self, first_row: int, first_col: int, last_row: int, last_col: int, data: Any,
        cell_format: Any = None,
    ) -> int:  # fmt: skip
        if isinstance(data, str) and data:
            self.fit_texts.append((first_row, first_col, last_row, last_col, data, cell_format))
        return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)  # type: ignore[misc]

    def hide(self) -> None:
        # A hidden sheet gets no print area: LibreOffice would print it.
        self.fit_hidden = True
        return super().hide()  # type: ignore[misc]

    def print_area(self, *args: Any) -> int:  # type: ignore[override]
        self.fit_print_area = True
        return super().print_area(*args)  # type: ignore[misc]

    def fit(self, wrapped: Any, last_col: int | None = None) -> None:
        """Size the rows; `wrapped(fmt)` gives the wrapped twin of a format. Without a print
        area, the sheet prints what it holds (up to `last_col`, or its last written column)."""
        texts = self.fit_texts
        if not texts:  # an empty sheet: a print area all the same, of one empty cell
            if not self.fit_print_area and not self.fit_hidden:
                super().print_area(0, 0, 0, 0)  # type: ignore[misc]
            return
        right = last_col if last_col is not None else max(t[3] for t in texts)
        taken: dict[int, list[tuple[int, int]]] = {}
        for r1, c1, r2, c2, _, _ in texts:
            for r in range(r1, r2 + 1):
                taken.setdefault(r, []).append((c1, c2))
        numbers = self.fit_numbers
        heights = dict(self.fit_heights)
        tall: list[tuple[int, int, float]] = []
        widths = self.fit_widths

        def width(c1: int, c2: int) -> float:
            return sum(widths.get(c, 8.43) for c in range(c1, c2 + 1))

        for r1, c1, r2, c2, text, fmt in texts:
            fmt = fmt if fmt is not None else self.fit_col_formats.get(c1)
            size = float(getattr(fmt, "font_size", 11) or 11)
            bold = bool(getattr(fmt, "bold", False))
            own = width(c1, c2)
            if not getattr(fmt, "text_wrap", False):
                room, end = own, c2
                merged = r2 > r1 or c2 > c1  # wrapped in its own area: never merged again
                if getattr(fmt, "text_h_align", 0) != _CENTRE and not merged:
                    busy = {c for a, b in taken.get(r1, ()) for c in range(a, b + 1)}
                    busy |= numbers.get(r1, set())
                    while end + 1 <= right and end + 1 not in busy:
                        end += 1
                        room += widths.get(end, 8.43)
                if len(text) * 1.9 * size / 11 <= room - 0.8 or fits(text, room, size, bold):
                    if size > 11:
                        heights[r1] = max(heights.get(r1, 0), line_height(size))
                    continue
                # Too long for one line and nowhere to run: wrapped within the cells it
                # would have run into.
                twin = wrapped(fmt)
                if end > c2 or r2 > r1:
                    super().merge_range(r1, c1, r2, end, text, twin)  # type: ignore[misc]
                else:
                    super().write_string(r1, c1, text, twin)  # type: ignore[misc]
                own, c2 = room, end
            elif len(text) * 1.9 * size / 11 <= own - 0.8 and "\n" not in text:
                if size > 11:
                    heights[r1] = max(heights.get(r1, 0), line_height(size))
                continue
            need = height(text, own, size, bold)
            if r1 == r2:
                if need > DEFAULT_HEIGHT:
                    heights[r1] = max(heights.get(r1, 0), need)
            else:
                tall.append((r1, r2, need))
        for first, last, need in tall:
            have = sum(heights.get(r, DEFAULT_HEIGHT) for r in range(first, last + 1))
            if have < need:
                heights[last] = heights.get(last, DEFAULT_HEIGHT) + need - have
        for row, h in heights.items():
            if h != self.fit_heights.get(row):
                super().set_row(row, min(h, _MAX_HEIGHT))  # type: ignore[misc]
        if not self.fit_print_area and not self.fit_hidden:
            last_row = max(t[2] for t in texts)
            super().print_area(0, 0, last_row, right)  # type: ignore[misc]


class FittedBook:
    """A workbook whose sheets are FittedSheets (its `sheet_class`), fitted when it closes."""

    sheet_class: type = FittedSheet

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before xlsxwriter's own __init__, which adds its default formats.
        self.fit_specs: dict[int, dict[str, Any]] = {}
        self.fit_twins: dict[int, Any] = {}
        self.fit_columns: dict[str, int] = {}
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        return super().add_worksheet(name, worksheet_class or self.sheet_class)  # type: ignore[misc]

    def add_format(self, properties: dict[str, Any] | None = None) -> Any:
        fmt = super().add_format(properties)  # type: ignore[misc]
        self.fit_specs[id(fmt)] = dict(properties or {})
        return fmt

    def wrapped(self, fmt: Any) -> Any:
        """The twin of `fmt` that wraps its text at the top of the cell."""
        key = id(fmt)
        if key not in self.fit_twins:
            spec = self.fit_specs.get(key, {}) if fmt is not None else {}
            self.fit_twins[key] = self.add_format({**spec, "text_wrap": True, "valign": "top"})
        return self.fit_twins[key]

    def close(self) -> None:
        for ws in self.worksheets():  # type: ignore[attr-defined]
            if isinstance(ws, FittedSheet):
                ws.fit(self.wrapped, self.fit_columns.get(ws.name))
        super().close()  # type: ignore[misc]
