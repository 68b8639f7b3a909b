"""What reconciling finds: each person's outcome, each objective's, each modulo's, and the
whole, as the tables of the Relazione and the results read them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from workbook.anomalies import Anomalia, Gravita
from workbook.contract import parse_ref
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.reconcile.ingest import Documento, Elemento
from workbook.reconcile.verify import Verifica
from workbook.scoring.engine import Risultato, objective_points
from workbook.sistema.model import Fascia, Ruolo, Scheda

Stato = Literal["valutato", "incompleto", "non valutabile", "in attesa"]


@dataclass(frozen=True, slots=True)
class Valutazione:
    """A person's outcome."""

    persona: Persona
    area: str
    valutatore: str  # the workbook: an Area's code, «nucleo» or «segretario»
    stato: Stato
    scheda: Scheda | None = None
    motivo: str = ""
    risultato: Risultato | None = None
    giorni_servizio: int = 0
    giorni_anno: int = 365

    @property
    def ruolo(self) -> Ruolo:
        return self.persona.ruolo

    @property
    def punteggio(self) -> Decimal | None:
        return self.risultato.totale if self.risultato else None

    @property
    def su_100(self) -> Decimal | None:
        return self.risultato.su_100 if self.risultato else None

    @property
    def fascia(self) -> Fascia | None:
        return self.risultato.fascia if self.risultato else None

    @property
    def premio_percentuale(self) -> Decimal | None:
        return self.risultato.premio if self.risultato else None


@dataclass(frozen=True, slots=True)
class EsitoObiettivo:
    obiettivo: ObiettivoArea
    dichiarato: Decimal | None
    validato: Decimal | None
    evidenze: str
    valore_raggiunto: str = ""
    motivo_scostamento: str = ""
    motivazione_nucleo: str = ""

    @property
    def raggiungimento(self) -> Decimal | None:
        """The achievement that counts: the Nucleo's, else the Responsabile's."""
        return self.validato if self.validato is not None else self.dichiarato

    @property
    def fonte(self) -> str:
        if self.validato is not None:
            return "Nucleo di Valutazione"
        return "Responsabile (non validato)" if self.dichiarato is not None else ""

    @property
    def punti(self) -> Decimal | None:
        pct = self.raggiungimento
        return objective_points(self.obiettivo.obiettivo.peso, pct) if pct is not None else None


@dataclass(frozen=True, slots=True)
class StatoModulo:
    modulo: str
    chi: str
    stato: Literal["ricevuto", "mancante", "con errori"]
    versione: Verifica | None
    n_errori: int = 0
    n_avvisi: int = 0


@dataclass(slots=True)
class Outcome:
    piano: Piano
    moduli: list[StatoModulo]
    verifiche: list[Verifica]
    documenti: list[Documento]
    elementi: list[Elemento]
    valutazioni: list[Valutazione]
    obiettivi: list[EsitoObiettivo]
    aree: dict[str, Decimal | None]
    anomalie: list[Anomalia] = field(default_factory=list)
    elaborato: dt.datetime = dt.datetime(2000, 1, 1)

    @property
    def ha_errori(self) -> bool:
        return any(a.gravita is Gravita.ERRORE for a in self.anomalie)


Progress = Callable[[int, int], None]


def sort_anomalies(problems: list[Anomalia]) -> list[Anomalia]:
    """Errori first, then by file, sheet and cell, so that identical inputs give identical
    reports."""

    def cell_key(a: Anomalia) -> tuple[int, int]:
        try:
            return parse_ref(a.cella)
        except ValueError:  # no cell: after the cells of the same sheet (e.g. «altre N»)
            return (2**31, 0)

    unique = list(dict.fromkeys(problems))
    return sorted(
        unique,
        key=lambda a: (
            a.gravita is not Gravita.ERRORE,
            a.file,
            a.foglio,
            cell_key(a),
            a.codice.code,
            a.messaggio,
        ),
    )
