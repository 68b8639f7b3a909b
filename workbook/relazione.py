"""The tables of the Relazione sulla Performance, as typed data, and their JSON form.

`aggregate.py` computes each table from the reconciled outcome; the results JSON, the results
workbook, the console summary and the e-mail commands read these. The JSON keeps one flat
«relazione» object (its keys are the fields below, in this order); `from_json` rebuilds the
tables from it for the commands that start from the results file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbook.anomalies import Anomalia
from workbook.values import format_number


@dataclass(frozen=True, slots=True)
class RigaPO:
    """An EQ (Posizione Organizzativa) or a dirigente, and how they were rated."""

    matricola: str
    nominativo: str
    area: str
    punteggio: Decimal | None
    punteggio_su_100: Decimal | None
    fascia: str | None
    premio_percentuale: Decimal | None
    stato: str
    motivo: str


@dataclass(frozen=True, slots=True)
class NonValutato:
    matricola: str
    nominativo: str
    area: str
    motivo: str


@dataclass(frozen=True, slots=True)
class RigaFascia:
    """A score band of a dipendenti's scheda, with how many fell in it («Valutazione
    compresa tra 54 e 60 punti | 100% | 20»)."""

    scheda: str
    da: Decimal
    a: Decimal
    etichetta: str
    premio_percentuale: Decimal
    n_dipendenti: int
    proporzionale: bool = False  # the premio is each one's score su 100

    @property
    def descrizione(self) -> str:
        """«Valutazione compresa tra 54 e 60 punti», «Valutazione fino a 18 punti»: the
        band as the Almenno seed's table names it."""
        if self.da == 0:
            return f"Valutazione fino a {format_number(self.a)} punti"
        return f"Valutazione compresa tra {format_number(self.da)} e {format_number(self.a)} punti"

    @property
    def premio_testo(self) -> str:
        """«100%», or «pari al punteggio su 100» for a band whose premio is the score."""
        if self.proporzionale:
            return "pari al punteggio su 100"
        return f"{format_number(self.premio_percentuale)}%"


@dataclass(frozen=True, slots=True)
class RigaObiettivo:
    codice: str
    tipo: str
    descrizione: str
    peso: Decimal
    dichiarato: Decimal | None
    validato: Decimal | None
    raggiungimento: Decimal | None
    fonte: str
    punti: Decimal | None
    evidenze: str
    # The indicator and its target (Piano), the value reached and the reason of a deviation
    # (the Responsabile's modulo), the Nucleo's motivation: empty in results written before.
    indicatore: str = ""
    valore_atteso: str = ""
    valore_raggiunto: str = ""
    motivo_scostamento: str = ""
    motivazione_nucleo: str = ""


@dataclass(frozen=True, slots=True)
class ObiettiviArea:
    area: str
    denominazione: str
    raggiungimento: Decimal | None
    obiettivi: tuple[RigaObiettivo, ...]


@dataclass(frozen=True, slots=True)
class FasciaGenere:
    scheda: str
    etichetta: str
    n: int


@dataclass(frozen=True, slots=True)
class RigaGenere:
    genere: str
    n_dipendenti: int
    n_valutati: int
    media_su_100: Decimal | None
    fasce: tuple[FasciaGenere, ...]
    premi_euro: Decimal


@dataclass(frozen=True, slots=True)
class Fondo:
    stanziata: Decimal
    distribuita: Decimal
    residuo: Decimal


@dataclass(frozen=True, slots=True)
class RigaDifferenziazione:
    """How much one evaluator differentiated the judgements."""

    valutatore: str
    modulo: str
    n_valutati: int
    media_su_100: Decimal | None
    scarto_quadratico_medio: Decimal | None
    minimo: Decimal | None
    massimo: Decimal | None
    fasce_utilizzate: int
    quota_fascia_massima: Decimal | None


@dataclass(frozen=True, slots=True)
class Relazione:
    """Every table, in the order of the Almenno seed; `premi` and `anomalie` travel with them
    (each person's euros; what aggregating found), outside the JSON's «relazione»."""

    n_aree: int
    n_posizioni_organizzative: int
    posizioni_organizzative: tuple[RigaPO, ...]
    n_dipendenti_valutati: int
    n_dipendenti_non_valutati: int
    non_valutati: tuple[NonValutato, ...]
    fasce: tuple[RigaFascia, ...]
    media_punteggio_su_100: Decimal | None
    obiettivi: tuple[ObiettiviArea, ...]
    performance_organizzativa: Decimal | None
    genere: tuple[RigaGenere, ...]
    premialita: Fondo
    risultato_po: Fondo
    differenziazione: tuple[RigaDifferenziazione, ...]
    dirigenti: tuple[RigaPO, ...] = ()
    # The bilancio di genere of the EQ and dirigenti (`genere` is the dipendenti's).
    genere_eq: tuple[RigaGenere, ...] = ()
    # The pots of the productivity fund (their sum is «premialita»), and the maggiorazione's
    # beneficiaries in ranking order.
    premialita_organizzativa: Fondo | None = None
    premialita_individuale: Fondo | None = None
    maggiorazione: Fondo | None = None
    beneficiari_maggiorazione: tuple[str, ...] = ()
    # The evaluations in a band the Sistema marks negative (with their legal effects).
    valutazioni_negative: tuple[NonValutato, ...] = ()
    premi: dict[str, Decimal] = dataclasses.field(default_factory=dict, compare=False)
    # Each person's euros by part: organizzativa, individuale, maggiorazione.
    premi_parti: dict[str, dict[str, Decimal]] = dataclasses.field(
        default_factory=dict, compare=False
    )
    anomalie: tuple[Anomalia, ...] = dataclasses.field(default=(), compare=False)

    def area(self, codice: str) -> ObiettiviArea | None:
        return next((o for o in self.obiettivi if o.area == codice), None)

    def valutatore(self, modulo: str) -> RigaDifferenziazione | None:
        return next((d for d in self.differenziazione if d.modulo == modulo), None)

    def to_json(self) -> dict[str, Any]:
        """The «relazione» object of the results JSON."""
        skip = {"premi", "premi_parti", "anomalie"}
        return {
            f.name: _plain(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in skip
        }


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(cls: type, item: dict[str, Any]) -> Any:
    """A table row from its JSON object: a whole number in a field of amounts or scores comes
    back a Decimal, as it was written (JSON writes 54 for Decimal("54"))."""
    values = dict(item)
    for f in dataclasses.fields(cls):
        value = values.get(f.name)
        if type(value) is int and str(f.type) in ("Decimal", "Decimal | None"):
            values[f.name] = Decimal(value)
    return cls(**values)


def from_json(data: dict[str, Any]) -> Relazione:
    """The tables of a results JSON read with `parse_float=Decimal`."""

    def rows(cls: type, items: list[dict[str, Any]]) -> tuple[Any, ...]:
        return tuple(_build(cls, item) for item in items)

    return _build(
        Relazione,
        {
            "n_aree": data["n_aree"],
            "n_posizioni_organizzative": data["n_posizioni_organizzative"],
            "posizioni_organizzative": rows(RigaPO, data["posizioni_organizzative"]),
            "n_dipendenti_valutati": data["n_dipendenti_valutati"],
            "n_dipendenti_non_valutati": data["n_dipendenti_non_valutati"],
            "non_valutati": rows(NonValutato, data["non_valutati"]),
            "fasce": rows(RigaFascia, data["fasce"]),
            "media_punteggio_su_100": data["media_punteggio_su_100"],
            "obiettivi": tuple(
                _build(ObiettiviArea, {**o, "obiettivi": rows(RigaObiettivo, o["obiettivi"])})
                for o in data["obiettivi"]
            ),
            "performance_organizzativa": data["performance_organizzativa"],
            "genere": tuple(
                _build(RigaGenere, {**g, "fasce": rows(FasciaGenere, g["fasce"])})
                for g in data["genere"]
            ),
            "genere_eq": tuple(
                _build(RigaGenere, {**g, "fasce": rows(FasciaGenere, g["fasce"])})
                for g in data.get("genere_eq", [])
            ),
            "premialita": _build(Fondo, data["premialita"]),
            "risultato_po": _build(Fondo, data["risultato_po"]),
            "differenziazione": rows(RigaDifferenziazione, data["differenziazione"]),
            "dirigenti": rows(RigaPO, data.get("dirigenti", [])),
            **{
                key: _build(Fondo, data[key]) if data.get(key) else None
                for key in ("premialita_organizzativa", "premialita_individuale", "maggiorazione")
            },
            "beneficiari_maggiorazione": tuple(data.get("beneficiari_maggiorazione", ())),
            "valutazioni_negative": rows(NonValutato, data.get("valutazioni_negative", [])),
        },
    )
