"""Where everything of one workbook sits, computed before any sheet is written.

The sheets refer to each other: the scores of the Valutazioni sheet read the objectives'
weights and achievements on the Obiettivi sheet, the printable Schede read the Valutazioni,
the grade dropdown and the descriptions of each score read the Criteri sheet. `plan` works out
those positions once, from the Piano and the Sistema alone, so that each sheet is composed on
its own (`obiettivi.py`, `valutazioni.py`, `schede.py`, `criteri.py`, `istruzioni.py`,
`meta.py`) in any order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from workbook.contract import CRITERI, NUCLEO, OBIETTIVI, VALUTAZIONI, col_letter
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.sistema.model import Fascia, Grado, Livello, Parte, Scheda, Sistema, Voce

FIRST_ROW = 4  # the first row of data on the Obiettivi and Valutazioni sheets (0-based)
FIRST_VOCE = 4  # the column of the first scheda item on the Valutazioni sheet


# --- Criteri -----------------------------------------------------------------------------------

CriteriKind = Literal[
    "grades", "grade_header", "grade", "scheda", "parte", "voce", "livello", "band_header",
    "band", "band_note",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class CriteriLine:
    """One row of the Criteri sheet: what it shows (`kind`) and of which item."""

    row: int
    kind: CriteriKind
    item: Grado | Scheda | Parte | Voce | Livello | Fascia | None = None


def criteri_lines(sistema: Sistema, schede: list[Scheda]) -> Iterator[CriteriLine]:
    """The rows of the Criteri sheet, top to bottom: the achievement grades, then for each
    scheda its parts, items with the meaning of every score, and bands."""
    row = 2
    yield CriteriLine(row, "grades")
    yield CriteriLine(row + 1, "grade_header")
    row += 1
    for g in sistema.gradi:
        row += 1
        yield CriteriLine(row, "grade", g)
    row += 2
    for scheda in schede:
        yield CriteriLine(row, "scheda", scheda)
        row += 1
        for parte in scheda.parti:
            yield CriteriLine(row, "parte", parte)
            row += 1
            for voce in parte.voci:
                yield CriteriLine(row, "voce", voce)
                row += 1
                if voce.tipo == "fattore":
                    for lv in reversed(voce.livelli):
                        yield CriteriLine(row, "livello", lv)
                        row += 1
        row += 1
        yield CriteriLine(row, "band_header", scheda)
        for band in reversed(scheda.fasce):
            row += 1
            yield CriteriLine(row, "band", band)
        row += 1
        yield CriteriLine(row, "band_note")
        row += 2


# --- Obiettivi ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectiveGroup:
    """An Area's objectives on the Obiettivi sheet: a heading (the Nucleo's workbook, which
    lists every Area), one row per objective, the row of the Area's achievement."""

    area: str
    heading_row: int | None
    rows: tuple[tuple[int, ObiettivoArea], ...]
    summary_row: int

    def category_rows(self, tipo: str) -> list[int]:
        return [row for row, item in self.rows if item.obiettivo.tipo == tipo]


def objective_groups(piano: Piano, areas: list[str], nucleo: bool) -> dict[str, ObjectiveGroup]:
    row = FIRST_ROW
    groups: dict[str, ObjectiveGroup] = {}
    for area in areas:
        heading = None
        if nucleo:
            heading, row = row, row + 1
        items = tuple((row + i, item) for i, item in enumerate(piano.obiettivi_area(area)))
        row += len(items)
        groups[area] = ObjectiveGroup(area, heading, items, row)
        row += 2
    return groups


# --- the whole workbook ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
    """The positions of one workbook (an Area's, or the Nucleo's when `modulo` is NUCLEO)."""

    modulo: str
    nucleo: bool
    scheda: Scheda
    soggetto: Literal["po", "dipendente"]
    areas: tuple[str, ...]
    people: tuple[Persona, ...]  # in the order of the Valutazioni sheet, from FIRST_ROW
    valutabili: tuple[tuple[Persona, int], ...]  # those with a scheda, and their row
    criteri: tuple[CriteriLine, ...]
    lookups: Mapping[str, str]  # factor code → its scores and their meaning on Criteri
    grade_source: str  # the grades' names on Criteri (the grade dropdown)
    groups: Mapping[str, ObjectiveGroup]
    pct_col: str  # the Obiettivi column with each objective's achievement as a percentage

    @property
    def col_total(self) -> int:
        """The column of the total on the Valutazioni sheet (then su 100, band, bonus)."""
        return FIRST_VOCE + len(self.scheda.voci)

    def area_of(self, person: Persona, piano: Piano) -> str:
        return piano.area_of_po(person) if self.nucleo else person.area

    def achievement_ref(self, area: str) -> str:
        """The Area's achievement, as the Valutazioni sheet refers to it."""
        return f"{OBIETTIVI}!H{self.groups[area].summary_row + 1}"

    def valutazioni_ref(self, col: int, row: int) -> str:
        return f"{VALUTAZIONI}!{col_letter(col)}{row + 1}"


def plan(piano: Piano, modulo: str) -> Layout:
    sistema = piano.sistema
    nucleo = modulo == NUCLEO
    soggetto: Literal["po", "dipendente"] = "po" if nucleo else "dipendente"
    scheda = sistema.scheda(soggetto)
    areas = [a.codice for a in piano.aree] if nucleo else [modulo]
    people = piano.po() if nucleo else piano.dipendenti(modulo)
    lines = tuple(criteri_lines(sistema, [scheda]))
    grades = [line.row for line in lines if line.kind == "grade"]
    lookups: dict[str, str] = {}
    for line in lines:
        if line.kind == "voce" and isinstance(line.item, Voce) and line.item.tipo == "fattore":
            levels = len(line.item.livelli)
            lookups[line.item.codice] = f"{CRITERI}!A{line.row + 2}:B{line.row + 1 + levels}"
    return Layout(
        modulo=modulo,
        nucleo=nucleo,
        scheda=scheda,
        soggetto=soggetto,
        areas=tuple(areas),
        people=tuple(people),
        valutabili=tuple(
            (p, FIRST_ROW + i) for i, p in enumerate(people) if piano.idoneita(p).valutabile
        ),
        criteri=lines,
        lookups=lookups,
        grade_source=f"={CRITERI}!B{grades[0] + 1}:B{grades[-1] + 1}" if grades else "",
        groups=objective_groups(piano, areas, nucleo),
        pct_col="H" if sistema.modalita == "percentuale" else "I",
    )
