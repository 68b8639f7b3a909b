"""An in-memory description of a workbook: what `compose.py` composes and `writer.py` writes.

Keeping one model for both the file and its signature means the HMAC is computed over exactly
what is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from workbook.contract import CellValue, MapEntry, Sheets, cell_ref
from workbook.piano.model import Piano


@dataclass(frozen=True, slots=True)
class Dichiarato:
    """What a Responsabile declared of one objective, as the last reconcile read it: shown,
    read-only, in the Nucleo's updated modulo (`generate/aggiornato.py`)."""

    percentuale: Decimal | None
    evidenze: str = ""
    valore_raggiunto: str = ""
    motivo_scostamento: str = ""
    stato: str = ""  # when nothing was declared: why («modulo non ricevuto», …)


@dataclass(frozen=True, slots=True)
class Context:
    """What every workbook of a cycle shares."""

    piano: Piano
    scadenza: dt.date
    restituzione: str  # the address the workbooks are sent back to
    generato: dt.datetime
    versione: str
    # The Nucleo's updated modulo only: by ObiettivoArea.id, and when they were read.
    dichiarazioni: Mapping[str, Dichiarato] | None = None
    dichiarato_il: str = ""


@dataclass(frozen=True, slots=True)
class Validation:
    """The data validation of an input cell: a dropdown, a numeric range or a text length."""

    kind: Literal["list", "decimal", "length"]
    title: str
    message: str
    values: tuple[Decimal | str, ...] = ()
    source: str = ""  # a range («=Criteri!B5:B8») instead of inline values
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(0)


@dataclass(slots=True)
class Cell:
    value: str | Decimal | None = None
    formula: str | None = None  # without the leading «=»
    cached: str | Decimal | None = None  # the formula's result, by the Python engine
    style: str = "text"
    validation: Validation | None = None

    @property
    def is_input(self) -> bool:
        return self.validation is not None


@dataclass(slots=True)
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    landscape: bool = False
    very_hidden: bool = False
    freeze: tuple[int, int] | None = None
    repeat_rows: tuple[int, int] | None = None
    print_columns: int = 0  # when set, the print area spans this many columns

    def put(
        self,
        row: int,
        col: int,
        value: str | Decimal | int | None = None,
        style: str = "text",
        *,
        formula: str | None = None,
        cached: str | Decimal | None = None,
        validation: Validation | None = None,
    ) -> Cell:
        if isinstance(value, int):
            value = Decimal(value)
        cell = Cell(value, formula, cached, style, validation)
        self.cells[(row, col)] = cell
        return cell

    def input(
        self,
        row: int,
        col: int,
        key: str,
        answer: Decimal | str | None,
        validation: Validation,
        ammessi: str,
        style: str,
    ) -> MapEntry:
        """An input cell (pre-filled with `answer`, if any), and its entry in the map."""
        self.put(row, col, answer, style, validation=validation)
        return MapEntry(key, self.name, cell_ref(row, col), "input", ammessi)

    def result(
        self, row: int, col: int, key: str, formula: str, cached: Decimal | str, style: str
    ) -> MapEntry:
        """A result of the map: its formula, and what the formula gives (`cached`)."""
        self.put(row, col, None, style, formula=formula, cached=cached)
        return MapEntry(key, self.name, cell_ref(row, col), "calcolo")

    def merge(self, row: int, col: int, last_col: int, value: str, style: str) -> None:
        self.put(row, col, value, style)
        self.merges.append((row, col, row, last_col))

    @property
    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)


@dataclass(slots=True)
class WorkbookModel:
    sheets: list[Sheet]
    mappa: list[MapEntry]
    identity: dict[str, str]
    title: str
    header: tuple[str, str, str]  # left, centre, right of every printed page

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    def as_cells(self) -> Sheets:
        """(value, formula) of every cell, as a reader returns them."""
        result: dict[str, dict[tuple[int, int], tuple[CellValue, str | None]]] = {}
        for sheet in self.sheets:
            result[sheet.name] = {pos: (c.value, c.formula) for pos, c in sheet.cells.items()}
        return result
