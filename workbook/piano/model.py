"""The Piano della Performance and the staff roster, as data: the Ente, its Aree, their
objectives, the people, and who can be evaluated in the year."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from workbook.piano.sheets import TUTTE
from workbook.sistema.model import CATEGORIE, Ruolo, Sistema


@dataclass(frozen=True, slots=True)
class Ente:
    denominazione: str
    anno: int
    sistema: str
    fondo_produttivita: Decimal
    fondo_risultato_po: Decimal
    email_nucleo: str


@dataclass(frozen=True, slots=True)
class Area:
    codice: str
    denominazione: str
    responsabile: str
    email: str
    riga: int

    @property
    def etichetta(self) -> str:
        """«AREA1 – Affari generali»: the Area as every document names it."""
        return f"{self.codice} – {self.denominazione}"


@dataclass(frozen=True, slots=True)
class Obiettivo:
    codice: str
    area: str  # an Area code or «tutte»
    tipo: str
    descrizione: str
    risultati_attesi: str
    indicatore: str
    peso: Decimal
    scadenza: dt.date | None
    riga: int


@dataclass(frozen=True, slots=True)
class ObiettivoArea:
    """An objective as it applies to one Area («tutte» objectives apply to every Area)."""

    area: str
    obiettivo: Obiettivo

    @property
    def id(self) -> str:
        """The objective's id in the workbook map: `<area>.<code>`."""
        return f"{self.area}.{self.obiettivo.codice}"


@dataclass(frozen=True, slots=True)
class Persona:
    matricola: str
    cognome: str
    nome: str
    genere: Literal["M", "F"]
    categoria: str
    area: str
    ruolo: Ruolo
    inizio: dt.date | None
    fine: dt.date | None
    part_time: Decimal
    email: str
    riga: int

    @property
    def nominativo(self) -> str:
        return f"{self.cognome} {self.nome}"


@dataclass(frozen=True, slots=True)
class Idoneita:
    valutabile: bool
    motivo: str
    giorni_servizio: int
    giorni_anno: int


@dataclass(frozen=True, slots=True)
class Piano:
    ente: Ente
    aree: tuple[Area, ...]
    obiettivi: tuple[Obiettivo, ...]
    personale: tuple[Persona, ...]
    sistema: Sistema
    origine: str
    # Indexes, built once: the largest Comuni have some 20,000 people and 300 Areas.
    _areas: dict[str, Area] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _people: dict[str, Persona] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _staff: dict[str, tuple[Persona, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _led: dict[str, str] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _objectives: dict[str, tuple[ObiettivoArea, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _by_area: dict[str, list[Obiettivo]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._areas.update((a.codice, a) for a in self.aree)
        self._people.update((p.matricola, p) for p in self.personale)
        self._led.update((a.responsabile, a.codice) for a in self.aree if a.responsabile)
        staff: dict[str, list[Persona]] = {}
        for p in self.personale:
            if p.ruolo == "dipendente":
                staff.setdefault(p.area, []).append(p)
        self._staff.update((k, tuple(v)) for k, v in staff.items())

    def area(self, codice: str) -> Area:
        return self._areas[codice]

    def obiettivi_area(self, area: str) -> tuple[ObiettivoArea, ...]:
        """The Area's objectives, ordered by category (as in the PO scheda), then code, so that
        the objectives of one category sit on adjacent rows of the workbooks."""
        if area not in self._objectives:
            if not self._by_area:
                for o in self.obiettivi:
                    self._by_area.setdefault(o.area, []).append(o)
            rank = {c: i for i, c in enumerate(CATEGORIE)}
            mine = list(self._by_area.get(area, ()))
            if area != TUTTE:
                mine += self._by_area.get(TUTTE, ())
            mine.sort(key=lambda o: (rank.get(o.tipo, 99), o.codice))
            self._objectives[area] = tuple(ObiettivoArea(area, o) for o in mine)
        return self._objectives[area]

    def dipendenti(self, area: str) -> tuple[Persona, ...]:
        return self._staff.get(area, ())

    def po(self) -> tuple[Persona, ...]:
        """Every PO, ordered by the Area they lead (as in the Nucleo's workbook)."""
        order = {a.responsabile: i for i, a in enumerate(self.aree)}
        return tuple(
            sorted(
                (p for p in self.personale if p.ruolo == "po"),
                key=lambda p: (order.get(p.matricola, len(order)), p.matricola),
            )
        )

    def area_of_po(self, persona: Persona) -> str:
        """The Area a PO leads (or, when they lead none, the Area of their row)."""
        return self._led.get(persona.matricola, persona.area)

    def persona(self, matricola: str) -> Persona | None:
        return self._people.get(matricola)

    def idoneita(self, persona: Persona) -> Idoneita:
        return eligibility(persona, self.ente.anno, self.sistema)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def eligibility(persona: Persona, anno: int, sistema: Sistema) -> Idoneita:
    """Whether a person can be evaluated for the year, and the days of service in it."""
    first, last = dt.date(anno, 1, 1), dt.date(anno, 12, 31)
    start = max(persona.inizio or first, first)
    end = min(persona.fine or last, last)
    days_year = (last - first).days + 1
    if end < start:
        return Idoneita(False, "non in servizio nell'anno", 0, days_year)
    days = (end - start).days + 1
    enough = True
    if sistema.servizio_minimo_mesi:
        enough = add_months(start, sistema.servizio_minimo_mesi) <= end + dt.timedelta(days=1)
    elif sistema.servizio_minimo_giorni:
        enough = days >= sistema.servizio_minimo_giorni
    if not enough:
        return Idoneita(False, sistema.motivo_esclusione, days, days_year)
    return Idoneita(True, "", days, days_year)
