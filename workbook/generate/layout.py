"""Where everything of one workbook sits, computed before any sheet is written.

The sheets refer to each other: the scores of the Valutazioni sheet read the objectives'
weights and achievements on the Obiettivi sheet, the printable Schede read the Valutazioni,
the grade dropdown and the descriptions of each score read the Criteri sheet. `plan` works out
those positions once, from the Piano and the Sistema alone, so that each sheet is composed on
its own (`obiettivi.py`, `valutazioni.py`, `schede.py`, `criteri.py`, `istruzioni.py`,
`meta.py`) in any order.

A modulo evaluates people who may have different schede (an Area's staff of different
categories): the Valutazioni sheet has one table per scheda (`Block`), one under the other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from workbook.contract import (
    CRITERI,
    NUCLEO,
    OBIETTIVI,
    SEGRETARIO,
    VALUTAZIONI,
    col_letter,
    modulo_areas,
)
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.scoring.engine import Obiettivi, achievements, ente_types
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
    scheda: str = ""  # the code of the scheda the row belongs to


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
        code = scheda.codice
        yield CriteriLine(row, "scheda", scheda, code)
        row += 1
        for parte in scheda.parti:
            yield CriteriLine(row, "parte", parte, code)
            row += 1
            for voce in parte.voci:
                yield CriteriLine(row, "voce", voce, code)
                row += 1
                if voce.tipo == "fattore":
                    for lv in reversed(voce.livelli):
                        yield CriteriLine(row, "livello", lv, code)
                        row += 1
        row += 1
        yield CriteriLine(row, "band_header", scheda, code)
        for band in reversed(scheda.fasce):
            row += 1
            yield CriteriLine(row, "band", band, code)
        row += 1
        yield CriteriLine(row, "band_note", scheda, code)
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

    def rows_of(self, voce: Voce, matricola: str) -> list[int]:
        """The rows of the objectives an item counts, for one person."""
        return [
            row
            for row, item in self.rows
            if voce.conta(item.obiettivo.tipo)
            and (voce.fonte != "assegnati" or matricola in item.obiettivo.assegnatari)
        ]


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


# --- Valutazioni -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    """The table of one scheda on the Valutazioni sheet: its title row (none for the first,
    whose scheda the sheet's note names), two header rows, one row per person."""

    scheda: Scheda
    title_row: int | None
    header_row: int
    rows: tuple[tuple[Persona, int], ...]

    @property
    def col_total(self) -> int:
        """The column of the total (then su 100, band, bonus)."""
        return FIRST_VOCE + len(self.scheda.voci)


def blocks(piano: Piano, people: tuple[Persona, ...]) -> tuple[Block, ...]:
    """One table per scheda, in the Sistema's order; someone who cannot be evaluated and has
    no scheda of their own is shown in the table of their role's first one."""
    by_scheda: dict[str, list[Persona]] = {}
    for person in people:
        scheda = piano.scheda_of(person) or _display_scheda(piano, person)
        if scheda is not None:
            by_scheda.setdefault(scheda.codice, []).append(person)
    out: list[Block] = []
    row = FIRST_ROW - 2
    for scheda in piano.sistema.schede:
        members = by_scheda.get(scheda.codice)
        if not members:
            continue
        title = None
        if out:
            title, row = row + 1, row + 2
        rows = tuple((p, row + 2 + i) for i, p in enumerate(members))
        out.append(Block(scheda, title, row, rows))
        row += 2 + len(members)
    return tuple(out)


def _display_scheda(piano: Piano, person: Persona) -> Scheda | None:
    candidates = [s for s in piano.sistema.schede if s.ruolo == person.ruolo]
    fitting = [s for s in candidates if s.applies_to(person.categoria)]
    return (fitting or candidates or [None])[0]


# --- the whole workbook ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Layout:
    """The positions of one workbook: an Area's, the Nucleo's or the Segretario's."""

    modulo: str
    areas: tuple[str, ...]  # whose objectives the Obiettivi sheet shows
    people: tuple[Persona, ...]  # whom the modulo evaluates, as the Valutazioni sheet lists them
    blocks: tuple[Block, ...]
    criteri: tuple[CriteriLine, ...]
    lookups: Mapping[tuple[str, str], str]  # (scheda, factor) → its scores' meaning on Criteri
    grade_source: str  # the grades' names on Criteri (the grade dropdown)
    groups: Mapping[str, ObjectiveGroup]
    ente_rows: Mapping[str, int]  # objectives' type («» every type) → the Ente's achievement
    pct_col: str  # the Obiettivi column with each objective's achievement as a percentage
    evaluable: frozenset[str]  # the matricole the modulo scores (a scheda, and evaluable)
    obiettivi_of: Callable[[Persona], Obiettivi]  # the objectives at hand for each person

    @property
    def nucleo(self) -> bool:
        return self.modulo == NUCLEO

    @property
    def segretario(self) -> bool:
        return self.modulo == SEGRETARIO

    @property
    def schede(self) -> list[Scheda]:
        return [b.scheda for b in self.blocks]

    @property
    def valutabili(self) -> list[tuple[Persona, int, Block]]:
        """Those the modulo scores, with their row and table."""
        return [
            (p, row, b) for b in self.blocks for p, row in b.rows if p.matricola in self.evaluable
        ]

    def achievement_ref(self, area: str) -> str:
        """The Area's achievement, as the Valutazioni sheet refers to it."""
        return f"{OBIETTIVI}!H{self.groups[area].summary_row + 1}"

    def ente_ref(self, tipo: str) -> str:
        return f"{OBIETTIVI}!H{self.ente_rows[tipo] + 1}"

    def valutazioni_ref(self, col: int, row: int) -> str:
        return f"{VALUTAZIONI}!{col_letter(col)}{row + 1}"

    @property
    def last_objective_row(self) -> int:
        return max((g.summary_row for g in self.groups.values()), default=FIRST_ROW)


def plan(piano: Piano, modulo: str) -> Layout:
    sistema = piano.sistema
    people = piano.valutati(modulo)
    table = blocks(piano, people)
    schede = [b.scheda for b in table]
    lines = tuple(criteri_lines(sistema, schede))
    grades = [line.row for line in lines if line.kind == "grade"]
    lookups: dict[tuple[str, str], str] = {}
    for line in lines:
        if line.kind == "voce" and isinstance(line.item, Voce) and line.item.tipo == "fattore":
            levels = len(line.item.livelli)
            where = f"{CRITERI}!A{line.row + 2}:B{line.row + 1 + levels}"
            lookups[(line.scheda, line.item.codice)] = where
    areas = modulo_areas(piano, modulo)
    groups = objective_groups(piano, areas, modulo == NUCLEO)
    after = max((g.summary_row for g in groups.values()), default=FIRST_ROW) + 2
    ente_rows = {tipo: after + i for i, tipo in enumerate(ente_types(piano, modulo))}
    return Layout(
        modulo=modulo,
        areas=tuple(areas),
        people=people,
        blocks=table,
        criteri=lines,
        lookups=lookups,
        grade_source=f"={CRITERI}!B{grades[0] + 1}:B{grades[-1] + 1}" if grades else "",
        groups=groups,
        ente_rows=ente_rows,
        pct_col="H" if sistema.modalita == "percentuale" else "I",
        evaluable=frozenset(
            p.matricola
            for p in people
            if piano.scheda_of(p) is not None and piano.idoneita(p).valutabile
        ),
        obiettivi_of=achievements(piano, modulo, {}),
    )
