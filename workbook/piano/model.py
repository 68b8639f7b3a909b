"""The Piano della Performance and the staff roster, as data: the Ente, its Aree, their
objectives, the people, and who can be evaluated in the year."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from workbook.contract import NUCLEO, SEGRETARIO
from workbook.piano.sheets import TUTTE
from workbook.sistema.model import CATEGORIE, SANZIONI, Ruolo, Scheda, Sistema


@dataclass(frozen=True, slots=True)
class Ente:
    denominazione: str
    anno: int
    sistema: str
    fondo_produttivita: Decimal
    fondo_risultato_po: Decimal
    email_nucleo: str
    segretario: str = ""  # the Segretario Comunale's name, when they lead an Area
    email_segretario: str = ""
    # The acts the Relazione names (Ente sheet; empty in a Piano written before them).
    provincia: str = ""
    atto_piano: str = ""
    atto_sistema: str = ""
    atto_nucleo: str = ""
    nucleo_componenti: str = ""
    atto_ccdi: str = ""


@dataclass(frozen=True, slots=True)
class Area:
    codice: str
    denominazione: str
    responsabile: str  # a matricola, or SEGRETARIO when the Segretario Comunale leads it
    email: str
    riga: int

    @property
    def del_segretario(self) -> bool:
        return self.responsabile == SEGRETARIO

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
    assegnatari: tuple[str, ...] = ()  # matricole: an individual or group objective
    valore_atteso: str = ""  # the target of the indicator, as the Piano writes it


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
    scheda: str = ""  # the scheda the Personale row names, when not the one of the category
    posizione: Decimal | None = None  # an EQ's retribuzione di posizione (€ per year)
    sanzione: str = ""  # the heaviest disciplinary sanction of the year (sistema.SANZIONI)

    @property
    def nominativo(self) -> str:
        return f"{self.cognome} {self.nome}"


@dataclass(frozen=True, slots=True)
class Assenza:
    """Days of absence of one cause (the Assenze sheet): they reduce the days of service
    counted for the premio where the Sistema says so (never maternity, paternity and parental
    leave: D.Lgs. 150/2009 art. 9 c.3)."""

    matricola: str
    causa: str
    giorni: int
    riga: int


@dataclass(frozen=True, slots=True)
class Idoneita:
    valutabile: bool
    motivo: str
    giorni_servizio: int
    giorni_anno: int


@dataclass(frozen=True, slots=True)
class Piano:
    """The Piano, with who is evaluated with which scheda and in which modulo, worked out
    once: the largest Comuni have some 20,000 people and 300 Areas."""

    ente: Ente
    aree: tuple[Area, ...]
    obiettivi: tuple[Obiettivo, ...]
    personale: tuple[Persona, ...]
    sistema: Sistema
    origine: str
    assenze: tuple[Assenza, ...] = ()
    _areas: dict[str, Area] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _people: dict[str, Persona] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _led: dict[str, tuple[str, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )  # matricola → the Areas they lead
    _objectives: dict[str, tuple[ObiettivoArea, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _assigned: dict[str, tuple[ObiettivoArea, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _schede: dict[str, Scheda] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _moduli: dict[str, str] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )  # matricola → the modulo they are evaluated in
    _evaluated: dict[str, tuple[Persona, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _absences: dict[str, list[Assenza]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._areas.update((a.codice, a) for a in self.aree)
        self._people.update((p.matricola, p) for p in self.personale)
        for a in self.assenze:
            self._absences.setdefault(a.matricola, []).append(a)
        led: dict[str, list[str]] = {}
        for a in self.aree:
            if a.responsabile and not a.del_segretario:
                led.setdefault(a.responsabile, []).append(a.codice)
        self._led.update((k, tuple(v)) for k, v in led.items())
        by_area: dict[str, list[Obiettivo]] = {}
        assigned: dict[str, list[Obiettivo]] = {}
        for o in self.obiettivi:
            by_area.setdefault(o.area, []).append(o)
            for matricola in o.assegnatari:
                assigned.setdefault(matricola, []).append(o)
        for area in [*self._areas, TUTTE]:
            mine = list(by_area.get(area, ()))
            if area != TUTTE:
                mine += by_area.get(TUTTE, ())
            self._objectives[area] = tuple(ObiettivoArea(area, o) for o in _in_order(mine))
        for matricola, objectives in assigned.items():
            self._assigned[matricola] = tuple(
                ObiettivoArea(o.area, o) for o in _in_order(objectives)
            )
        evaluated: dict[str, list[Persona]] = {}
        for p in self.personale:
            scheda = self._match(p)
            if scheda is None:
                continue
            self._schede[p.matricola] = scheda
            modulo = self._evaluator(p, scheda)
            self._moduli[p.matricola] = modulo
            evaluated.setdefault(modulo, []).append(p)
        order = {code: i for i, code in enumerate(self._areas)}
        for modulo, people in evaluated.items():
            if modulo == NUCLEO:  # as the Nucleo reads them: by the Area they lead
                people.sort(key=lambda p: (order.get(self.area_of(p), len(order)), p.matricola))
            self._evaluated[modulo] = tuple(people)

    def _match(self, p: Persona) -> Scheda | None:
        """The scheda the person is evaluated with: the one their row names, or the only one
        of their role that applies to their category (load.py reports the others)."""
        if p.scheda:
            found = self.sistema.scheda_codice(p.scheda)
            return found if found is not None and found.ruolo == p.ruolo else None
        candidates = self.sistema.schede_di(p.ruolo, p.categoria)
        return candidates[0] if len(candidates) == 1 else None

    def _evaluator(self, p: Persona, scheda: Scheda) -> str:
        """The modulo a person is evaluated in: their Area's (filled by its Responsabile),
        the Nucleo's or the Segretario's, as their scheda says; an EQ in an Area led by a
        dirigente goes to that Area's modulo when the Sistema lets the dirigente evaluate
        them."""
        if scheda.valutatore == "segretario":
            return SEGRETARIO
        if scheda.valutatore == "responsabile":
            return p.area
        leader = self.responsabile(p.area)
        if (
            p.ruolo == "eq"
            and self.sistema.dirigente_valuta_eq
            and leader is not None
            and leader.ruolo == "dirigente"
        ):
            return p.area
        return NUCLEO

    def area(self, codice: str) -> Area:
        return self._areas[codice]

    def obiettivi_area(self, area: str) -> tuple[ObiettivoArea, ...]:
        """The Area's objectives (those of «tutte» included), ordered by type (as the schede
        list them), then code, so that the objectives of one type sit on adjacent rows."""
        return self._objectives.get(area, ())

    def obiettivi_ente(self) -> tuple[ObiettivoArea, ...]:
        """Every objective of every Area, Area by Area (an objective of «tutte» once for each
        Area): what the Ente's achievement is made of."""
        return tuple(o for a in self.aree for o in self.obiettivi_area(a.codice))

    def assegnati(self, matricola: str) -> tuple[ObiettivoArea, ...]:
        """The objectives assigned to a person (the «Assegnatari» of the Obiettivi sheet)."""
        return self._assigned.get(matricola, ())

    def scheda_of(self, p: Persona) -> Scheda | None:
        return self._schede.get(p.matricola)

    def modulo_of(self, p: Persona) -> str | None:
        return self._moduli.get(p.matricola)

    def valutati(self, modulo: str) -> tuple[Persona, ...]:
        """The people a modulo evaluates, in its order (Personale's; the Nucleo's by the
        Area each one leads)."""
        return self._evaluated.get(modulo, ())

    def eq(self) -> tuple[Persona, ...]:
        """Every EQ (PO), by the Area they lead."""
        order = {code: i for i, code in enumerate(self._areas)}
        return tuple(
            sorted(
                (p for p in self.personale if p.ruolo == "eq"),
                key=lambda p: (order.get(self.area_of(p), len(order)), p.matricola),
            )
        )

    def guidate(self, matricola: str) -> tuple[str, ...]:
        """The Areas a person leads (two, ad interim)."""
        return self._led.get(matricola, ())

    def responsabile(self, area: str) -> Persona | None:
        """Who leads an Area, when it is someone of the staff (not the Segretario)."""
        code = self._areas[area].responsabile if area in self._areas else ""
        return self._people.get(code)

    def area_of(self, p: Persona) -> str:
        """The Area whose objectives count for a person: their own; for whoever leads Areas,
        the one of their Personale row if they lead it, else the first they lead."""
        led = self._led.get(p.matricola, ())
        return p.area if not led or p.area in led else led[0]

    def persona(self, matricola: str) -> Persona | None:
        return self._people.get(matricola)

    def giorni_ridotti(self, matricola: str) -> int:
        """The days of absence that reduce a person's days of service for the premio: those
        of the causes the Sistema counts, beyond its allowance (franchigia)."""
        regole = self.sistema.premi
        counted = sum(
            a.giorni
            for a in self._absences.get(matricola, ())
            if a.causa in regole.assenze_riducono
        )
        return max(0, counted - regole.franchigia)

    def idoneita(self, persona: Persona) -> Idoneita:
        return eligibility(persona, self.ente.anno, self.sistema)


def _in_order(objectives: list[Obiettivo]) -> list[Obiettivo]:
    rank = {c: i for i, c in enumerate(CATEGORIE)}
    return sorted(objectives, key=lambda o: (rank.get(o.tipo, 99), o.codice))


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
    limit = sistema.sanzione_massima
    if (
        limit
        and persona.sanzione in SANZIONI
        and (SANZIONI.index(persona.sanzione) > SANZIONI.index(limit))
    ):
        return Idoneita(
            False,
            f"sanzione disciplinare nell'anno ({persona.sanzione}) più grave del {limit}",
            days,
            days_year,
        )
    return Idoneita(True, "", days, days_year)
