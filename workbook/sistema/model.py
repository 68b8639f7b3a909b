"""The scoring system (Sistema di Misurazione e Valutazione) as data: a frozen model.

Both engines read it — the Excel formulas of the workbooks (scoring/formulas.py) and the Python
recomputation (scoring/engine.py) — so that no threshold or weight is written in two places.
It is built by load.py, from a Sistema's YAML file, once every rule has been checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Ruolo = Literal["dipendente", "po"]
RUOLI: tuple[Ruolo, ...] = ("dipendente", "po")
CATEGORIE = ("strategico", "struttura", "individuale")
TIPI_VOCE = ("fattore", "obiettivi", "derivata")


@dataclass(frozen=True, slots=True)
class Livello:
    """An allowed score of a factor and what it means."""

    valore: Decimal
    descrizione: str


@dataclass(frozen=True, slots=True)
class Voce:
    """An item of a scheda: a factor scored by the evaluator, the Area's objectives of one
    category (points = peso × achievement), or a score derived from the Area's achievement."""

    codice: str
    titolo: str
    tipo: Literal["fattore", "obiettivi", "derivata"]
    massimo: Decimal
    descrizione: str = ""
    livelli: tuple[Livello, ...] = ()
    categoria: str = ""

    @property
    def is_input(self) -> bool:
        return self.tipo == "fattore"

    @property
    def valori(self) -> tuple[Decimal, ...]:
        return tuple(lv.valore for lv in self.livelli)


@dataclass(frozen=True, slots=True)
class Parte:
    codice: str
    titolo: str
    massimo: Decimal
    voci: tuple[Voce, ...]


@dataclass(frozen=True, slots=True)
class Fascia:
    """A score band: scores from `da` (included) up to the next band belong to it."""

    da: Decimal
    a: Decimal
    premio: Decimal

    @property
    def etichetta(self) -> str:
        """«fino a 18», «da 54 a 60»."""
        from workbook.values import format_number

        if self.da == 0:
            return f"fino a {format_number(self.a)}"
        return f"da {format_number(self.da)} a {format_number(self.a)}"


@dataclass(frozen=True, slots=True)
class Scheda:
    """The evaluation form of one role."""

    ruolo: Ruolo
    titolo: str
    valutatore: str
    massimo: Decimal
    parti: tuple[Parte, ...]
    fasce: tuple[Fascia, ...]  # ascending by `da`

    @property
    def voci(self) -> tuple[Voce, ...]:
        return tuple(v for p in self.parti for v in p.voci)

    @property
    def fattori(self) -> tuple[Voce, ...]:
        return tuple(v for v in self.voci if v.tipo == "fattore")

    def fascia(self, punteggio: Decimal) -> Fascia:
        """The band of a (rounded) total: the highest band whose `da` does not exceed it."""
        found = self.fasce[0]
        for f in self.fasce:
            if punteggio >= f.da:
                found = f
        return found


@dataclass(frozen=True, slots=True)
class Grado:
    """A grade of achievement of an objective (Torchiarolo grid)."""

    descrizione: str
    da: Decimal
    a: Decimal
    valore: Decimal  # the percentage credited when the grade is chosen instead of a number


@dataclass(frozen=True, slots=True)
class Sistema:
    codice: str
    nome: str
    note: str
    servizio_minimo_mesi: int
    servizio_minimo_giorni: int
    motivo_esclusione: str
    modalita: Literal["percentuale", "grado"]
    gradi: tuple[Grado, ...]
    schede: dict[Ruolo, Scheda]
    hash: str
    origine: str

    def scheda(self, ruolo: Ruolo) -> Scheda:
        return self.schede[ruolo]

    def grado(self, percentuale: Decimal) -> Grado:
        found = self.gradi[0]
        for g in self.gradi:
            if percentuale >= g.da:
                found = g
        return found

    def grado_per_descrizione(self, descrizione: str) -> Grado | None:
        for g in self.gradi:
            if g.descrizione.casefold() == descrizione.strip().casefold():
                return g
        return None
