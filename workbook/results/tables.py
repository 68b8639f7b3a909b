"""The look of the workbooks of results (the whole Ente's and one Area's): their styles, and
one way of writing a cell and a table. Text that came from outside is always written as text,
and whole, or visibly cut where a cell cannot hold it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import xlsxwriter
import xlsxwriter.worksheet

from workbook.printing import FittedBook, FittedSheet
from workbook.values import cell_text

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


class Sheet(FittedSheet, xlsxwriter.worksheet.Worksheet):
    """A worksheet whose rows are sized to their text when the workbook closes."""


class Book(FittedBook, xlsxwriter.Workbook):
    """A workbook that prints whole: every row as tall as its text, every sheet with its print
    area (workbook.printing)."""

    sheet_class = Sheet


# The anomalies' table, in the Ente's workbook and in each Area's: headers, widths, and the
# keys of an anomaly (Anomalia.as_dict) in that order.
ANOMALY_COLUMNS = (
    ("Gravità", 9, "gravita"),
    ("Codice", 30, "codice"),
    ("File", 45, "file"),
    ("Foglio", 14, "foglio"),
    ("Cella", 9, "cella"),
    ("Messaggio", 90, "messaggio"),
)


def page_setup(wb: xlsxwriter.Workbook, left: str, right: str, centre: str = "") -> None:
    """Every sheet printed on A4, landscape, one page wide, with its header repeated on every
    page when it is one table; the Ente (left), what the workbook is (right) and, if any, a
    warning (centre) at the top of every page."""
    for ws in wb.worksheets():
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        middle = f"&C{centre}" if centre else ""
        ws.set_header(f"&L{left.replace('&', '&&')}{middle}&R{right.replace('&', '&&')}")
        ws.set_footer("&L&A&RPagina &P di &N")


class Styles:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "border_color": "#A6A6A6"}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.heading = wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E79"})
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter", **border}
        )
        self.text = wb.add_format({"valign": "top", **border})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top", **border})
        self.number = wb.add_format({"num_format": "0.##", "valign": "top", **border})
        self.euro = wb.add_format({"num_format": "€ #,##0.00", "valign": "top", **border})
        self.bold = wb.add_format({"bold": True})
        top = {"valign": "top", **border}
        self.error = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", **top})
        self.warning = wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C", **top})
        self.ok = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE", **top})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.alert = wb.add_format(
            {"bold": True, "font_size": 12, "font_color": "#9C0006", "bg_color": "#FFC7CE"}
        )


def cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "sì" if value else "no", fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(row, col, float(value) if isinstance(value, Decimal) else value, fmt)
    else:
        ws.write_string(row, col, cell_text(str(value)), fmt)  # text from outside stays text


def table(
    ws: Any,
    row: int,
    headers: list[tuple[str, int]],
    rows: list[list[Any]],
    st: Styles,
    formats: list[Any] | None = None,
    *,
    widths: bool = True,
    min_width: int = 8,
    filtered: bool = False,
) -> int:
    """A table with its header; returns the row after it and a blank one. `widths=False` on
    a sheet of several tables, whose column widths are set once for all; `filtered`: a sheet
    that is one table, with its header frozen, taller and with filters."""
    for col, (label, width) in enumerate(headers):
        ws.write_string(row, col, label, st.header)
        if widths:
            ws.set_column(col, col, max(width, min_width))
    for r, values in enumerate(rows, start=row + 1):
        for col, value in enumerate(values):
            fmt = (
                formats[col] if formats else (st.number if isinstance(value, Decimal) else st.wrap)
            )
            cell(ws, r, col, value, fmt)
    if filtered:
        ws.set_row(row, 30)
        ws.freeze_panes(row + 1, 0)
        if rows:
            ws.autofilter(row, 0, row + len(rows), len(headers) - 1)
    return row + len(rows) + 2
