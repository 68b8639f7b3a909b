"""Write a `WorkbookModel` as a protected .xlsx with xlsxwriter.

xlsxwriter cannot protect a workbook's structure (its maintainer declined the feature), so
`_StructureProtectedWorkbook` adds the `<workbookProtection lockStructure="1">` element where
ECMA-376 puts it, right before `<bookViews>`; `tests/test_generate.py` checks that it is there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
import xlsxwriter.worksheet

from workbook import printing
from workbook.contract import PROPERTIES
from workbook.generate.model import Cell, Sheet, Validation, WorkbookModel

_BORDER = {"border": 1, "border_color": "#A6A6A6"}
STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 12},
    "group": {"bold": True, "bg_color": "#D9E1F2", **_BORDER},
    "header": {
        "bold": True,
        "text_wrap": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": "#DDEBF7",
        **_BORDER,
    },
    "text": {"valign": "top"},
    "wrap": {"text_wrap": True, "valign": "top", **_BORDER},
    "label": {"bold": True, "valign": "top"},
    "strong": {"bold": True, "font_color": "#9C0006"},
    "note": {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"},
    "number": {"valign": "top", "align": "center", **_BORDER},
    "calc": {"bg_color": "#F2F2F2", "align": "center", "valign": "top", **_BORDER},
    "calc_text": {"bg_color": "#F2F2F2", "text_wrap": True, "valign": "top", **_BORDER},
    "calc_strong": {
        "bold": True,
        "bg_color": "#E2EFDA",
        "align": "center",
        "valign": "top",
        **_BORDER,
    },
    "wrap_calc": {"text_wrap": True, "valign": "top", "bg_color": "#F2F2F2", **_BORDER},
    "grey": {"bg_color": "#D9D9D9", **_BORDER},
    "grey_wrap": {"bg_color": "#D9D9D9", "text_wrap": True, "italic": True, **_BORDER},
    # Inputs: the only unlocked cells.
    "input_number": {"locked": False, "align": "center", "valign": "top", **_BORDER},
    "input_list": {"locked": False, "align": "center", "valign": "top", **_BORDER},
    # Text format («@»): what is typed stays as typed («25%», «15/10», «1.250»), never a number.
    "input_text": {
        "locked": False,
        "text_wrap": True,
        "valign": "top",
        "num_format": "@",
        **_BORDER,
    },
    # Room to write by hand on a printed scheda: a box, and a line to sign or date on.
    "box": {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#595959"},
    "line": {"bottom": 1, "bottom_color": "#000000", "valign": "bottom"},
    "sign": {"bold": True, "valign": "bottom", "text_wrap": True},
}
WRAPPED = "+wrap"  # the suffix of a style's wrapped twin (for text too long for one line)
DEFAULT_WIDTH = 8.43  # Excel's default column width
EMPTY_INPUT = {"bg_color": "#FFF2CC"}  # conditional format: inputs still to fill in

SHEET_PROTECTION = {
    "select_locked_cells": True,
    "select_unlocked_cells": True,
    "format_columns": True,  # widening a column to read it changes no content
    "format_rows": True,
}


def legacy_password_hash(password: str) -> str:
    """The 16-bit password verifier of ECMA-376 Part 4, §14.7.1 (sheet/workbook protection)."""
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


class _Worksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet whose formulas are written as given.

    xlsxwriter rewrites every formula with some thirty regular expressions to add the
    `_xlfn.` prefixes of Excel's dynamic-array functions; that is half of its time on our
    workbooks, and `scoring.formulas` uses none of those functions (FUNCTIONS lists what it uses,
    and tests/test_generate.py checks that every formula written sticks to it).
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


class _StructureProtectedWorkbook(xlsxwriter.workbook.Workbook):
    """An xlsxwriter Workbook whose structure (sheets order, names, visibility) is locked."""

    structure_password = ""

    def _write_book_views(self) -> None:
        # CT_Workbook: … workbookPr, workbookProtection, bookViews … (ECMA-376 §18.2.27)
        self._xml_empty_tag(
            "workbookProtection",
            [
                ("workbookPassword", legacy_password_hash(self.structure_password)),
                ("lockStructure", 1),
            ],
        )
        super()._write_book_views()


def _check(result: int | None, what: str) -> None:
    # xlsxwriter only warns about a bad option and returns -1/-2, then writes the file without
    # the feature: a silent missing validation would let any value through.
    if result not in (None, 0):
        raise RuntimeError(f"xlsxwriter refused {what} (code {result})")


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _escape_header(text: str) -> str:
    return text.replace("&", "&&")[:80]


def write_workbook(model: WorkbookModel, path: Path, password: str, created: dt.datetime) -> None:
    wb = _StructureProtectedWorkbook(
        str(path),
        {
            # Text from the Piano is always text: never a formula, number or link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    wb.structure_password = password
    wb.set_properties(
        {
            "title": model.title,
            "subject": "Valutazione della performance",
            "author": "valuta",
            "company": model.header[0],
            "created": created,
            "comments": "Modulo generato da valuta: non modificare le parti protette.",
        }
    )
    for name in PROPERTIES:
        _check(
            wb.set_custom_property(name, model.identity[name.removeprefix("valuta_")]),
            f"custom property {name}",
        )
    formats = {name: wb.add_format(spec) for name, spec in STYLES.items()}
    for name, spec in STYLES.items():
        if not spec.get("text_wrap"):
            formats[name + WRAPPED] = wb.add_format({**spec, "text_wrap": True})
    empty_input = wb.add_format(EMPTY_INPUT)
    for sheet in model.sheets:
        _write_sheet(wb, sheet, formats, empty_input, model, password)
    wb.close()


def _write_sheet(
    wb: xlsxwriter.Workbook,
    sheet: Sheet,
    formats: dict[str, Any],
    empty_input: Any,
    model: WorkbookModel,
    password: str,
) -> None:
    ws = wb.add_worksheet(sheet.name, worksheet_class=_Worksheet)
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    heights, wrapped = fit_rows(sheet)
    for row, height in sorted(heights.items()):
        ws.set_row(row, height)
    merged_first = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
    for r1, c1, r2, c2 in sheet.merges:
        # Readers drop the values hidden under a merge: the signed content must not have any.
        hidden = [
            (r, c)
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1) and (r, c) in sheet.cells
        ]
        if hidden:
            raise ValueError(f"{sheet.name}: cells under a merge: {hidden}")
    for (row, col), cell in sorted(sheet.cells.items()):
        fmt = formats[cell.style + WRAPPED if (row, col) in wrapped else cell.style]
        if (row, col) in merged_first:
            r2, c2 = merged_first[(row, col)]
            ws.merge_range(row, col, r2, c2, "", fmt)
        _write_cell(ws, row, col, cell, fmt)
    _inputs(ws, sheet, empty_input)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    ws.set_paper(9)  # A4
    if sheet.landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    ente, area, anno = (_escape_header(t) for t in model.header)
    ws.set_header(f"&L{ente}&R{anno}")
    ws.set_footer(f"&L{area}&C&A&RPagina &P di &N")
    if sheet.repeat_rows:
        ws.repeat_rows(*sheet.repeat_rows)
    if sheet.breaks:
        ws.set_h_pagebreaks(sheet.breaks)
    if sheet.print_columns:
        ws.print_area(0, 0, max(sheet.last_row, 0), sheet.print_columns - 1)
    if sheet.very_hidden:
        ws.very_hidden()
    ws.protect(password, dict(SHEET_PROTECTION))


def _shown(cell: Cell) -> str:
    """The text a cell shows (what its formula gives, for a formula)."""
    value = cell.cached if cell.formula is not None else cell.value
    return value if isinstance(value, str) else ""


def fit_rows(sheet: Sheet) -> tuple[dict[int, float], set[tuple[int, int]]]:
    """The height of every row that needs more than one line of 11-point text (at least the
    height the sheet asks for), and the cells whose text, too long for one line and with no
    empty cell beside it to run into, must wrap (`printing` estimates the lines)."""
    heights = {row: h for row, h in sheet.heights.items()}
    spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
    taken = {(r, c) for r1, c1, r2, c2 in sheet.merges for r in range(r1, r2 + 1)
             for c in range(c1, c2 + 1)}  # fmt: skip
    last_col = sheet.print_columns - 1 if sheet.print_columns else max(sheet.widths, default=0)
    wrapped: set[tuple[int, int]] = set()
    tall: list[tuple[int, int, float]] = []  # merges over several rows: (first, last, height)

    def width(c1: int, c2: int) -> float:
        return sum(sheet.widths.get(c, DEFAULT_WIDTH) for c in range(c1, c2 + 1))

    for (row, col), cell in sheet.cells.items():
        text = _shown(cell)
        if not text:
            continue
        spec = STYLES[cell.style]
        size, bold = spec.get("font_size", 11), bool(spec.get("bold"))
        r2, c2 = spans.get((row, col), (row, col))
        own = width(col, c2)
        if not spec.get("text_wrap"):
            room = own
            if spec.get("align") != "center" and r2 == row:
                # Text that is not wrapped runs into the empty cells to its right.
                nxt = c2 + 1
                while nxt <= last_col and (row, nxt) not in sheet.cells and (row, nxt) not in taken:
                    room += sheet.widths.get(nxt, DEFAULT_WIDTH)
                    nxt += 1
            if printing.fits(text, room, size, bold):
                if size > 11:
                    heights[row] = max(heights.get(row, 0), printing.line_height(size))
                continue
            wrapped.add((row, col))
        need = printing.height(text, own, size, bold)
        if r2 == row:
            if need > printing.DEFAULT_HEIGHT:
                heights[row] = max(heights.get(row, 0), need)
        else:
            tall.append((row, r2, need))
    for first, last, need in tall:
        have = sum(heights.get(r, printing.DEFAULT_HEIGHT) for r in range(first, last + 1))
        if have < need:
            heights[last] = heights.get(last, printing.DEFAULT_HEIGHT) + need - have
    return heights, wrapped


def _write_cell(ws: _Worksheet, row: int, col: int, cell: Cell, fmt: Any) -> None:
    if cell.formula is not None:
        cached = cell.cached
        value: Any = _number(cached) if isinstance(cached, Decimal) else (cached or "")
        ws.write_formula(row, col, cell.formula, fmt, value)
    elif isinstance(cell.value, Decimal):
        ws.write_number(row, col, _number(cell.value), fmt)
    elif cell.value:
        ws.write_string(row, col, cell.value, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _inputs(ws: Any, sheet: Sheet, empty_input: Any) -> None:
    """Data validations and the «still empty» highlight, one per run of equal input cells."""
    by_column: dict[tuple[int, Validation], list[int]] = defaultdict(list)
    for (row, col), cell in sheet.cells.items():
        if cell.validation is not None:
            by_column[(col, cell.validation)].append(row)
    for (col, validation), rows in sorted(by_column.items(), key=lambda x: (x[0][0], x[1][0])):
        options = _validation_options(validation)
        for first, last in _runs(rows):
            _check(ws.data_validation(first, col, last, col, dict(options)), "data validation")
            _check(
                ws.conditional_format(
                    first, col, last, col, {"type": "blanks", "format": empty_input}
                ),
                "conditional format",
            )


def _validation_options(v: Validation) -> dict[str, Any]:
    options: dict[str, Any] = {
        "input_title": v.title[:32],
        "input_message": v.message[:255],
        "error_title": "Valore non ammesso",
        "error_type": "stop",
        "ignore_blank": True,
    }
    if v.kind == "list":
        options.update(
            validate="list",
            source=v.source or [_number(x) if isinstance(x, Decimal) else x for x in v.values],
        )
        options["error_message"] = "Scegliere un valore dall'elenco."
    elif v.kind == "decimal":
        options.update(
            validate="decimal", criteria="between", minimum=_number(v.low), maximum=_number(v.high)
        )
        options["error_message"] = f"Scrivere un numero da {_number(v.low)} a {_number(v.high)}."
    else:
        options.update(validate="length", criteria="<=", value=_number(v.high))
        options["error_message"] = f"Il testo può avere al massimo {_number(v.high)} caratteri."
    return options
