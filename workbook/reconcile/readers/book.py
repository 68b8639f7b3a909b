"""What every reader returns: a workbook as its cells, whatever program wrote it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from workbook.contract import CellValue, Lines

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "calcext": "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
# Clark-notation prefixes of the namespaces met in every cell, for fast tag comparisons.
M = "{%s}" % NS["m"]  # noqa: UP031 - braces are the point: «{namespace}tag»
T = "{%s}" % NS["table"]  # noqa: UP031
X = "{%s}" % NS["text"]  # noqa: UP031
OF = "{%s}" % NS["office"]  # noqa: UP031
ST = "{%s}" % NS["style"]  # noqa: UP031
NU = "{%s}" % NS["number"]  # noqa: UP031

Cells = dict[tuple[int, int], tuple[CellValue, str | None]]
Position = tuple[int, int]


@dataclass(slots=True)
class SheetData:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    protected: bool = False
    cells: Cells = field(default_factory=dict)
    lines: Lines = field(default_factory=dict)  # see contract.sheet_lines
    # The cells (non-empty ones) whose number format is not the neutral «General», with the
    # format: a format can make a cell show what it does not contain. Empty when all are.
    formats: dict[Position, str] = field(default_factory=dict)
    # Conditional formats that change the number format: (first row, first column, last row,
    # last column, format), 0-based.
    conditional: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    # The cached result of each formula cell, as the file stores it: (type, text) — for xlsx
    # the «t» of the cell («n», «str», «b», «e»), for ods «float» or «string». What a person
    # sees and prints; never used for a score.
    cached: dict[Position, tuple[str, str]] = field(default_factory=dict)
    drawings: str = ""  # pictures, shapes or text boxes over the cells, in words


@dataclass(slots=True)
class Book:
    kind: Literal["xlsx", "ods"]
    sheets: list[SheetData]
    structure_protected: bool
    properties: dict[str, str]
    modified: dt.datetime | None
    application: str  # as the file claims (docProps/app.xml, meta.xml)
    # Which program wrote the workbook part itself («Calc» for LibreOffice, «xl» for Excel and
    # xlsxwriter): harder to fake by accident than the claimed application.
    writer: str = ""

    def sheet(self, name: str) -> SheetData | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def as_cells(self) -> dict[str, Cells]:
        return {s.name: s.cells for s in self.sheets}
