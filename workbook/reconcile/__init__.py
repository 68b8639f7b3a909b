"""`valuta reconcile`: from the received files to every person's recomputed score.

Steps: ingest (`ingest.py`); read each file as hostile (`reader.py`), prove it is ours and
untouched (`verify.py`) and check every input (`inputs.py`), all three in the reading
processes, one file at a time; then pick for each workbook the version that counts, take each
objective's achievement (the Nucleo's validated figure stands over the Responsabile's
declaration), recompute every score in Python (`scoring.py`) and check the roster.

The version that counts: among the files identified as the same workbook of the current
generation, the one saved most recently (last-saved time recorded in the file, unless it lies
after the file's arrival: such a copy comes after every other), then the one sent last
(certified time of a PEC, message date or file time), then by content hash. Older versions
are reported as superseded and never counted; if the newest has errors in its protected
content the workbook has no results until a correct copy arrives (no silent fallback to an
older one).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from workbook.anomalies import Anomalia, Codice, Gravita, anomalia
from workbook.contract import NUCLEO, compilatore, parse_ref
from workbook.cycle import Cycle, generation_record
from workbook.errors import CycleError
from workbook.generate import fingerprint
from workbook.memory import long_lived, settle
from workbook.piano.load import load_piano
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.reconcile.ingest import Documento, Elemento, Ingested, ingest, set_aside
from workbook.reconcile.inputs import Compilazione, workbook_of
from workbook.reconcile.verify import Expected, Verifica, Verifier, examine
from workbook.scoring.engine import (
    Risultato,
    objective_points,
    score,
    weighted_achievement,
)
from workbook.sistema.model import Fascia, Ruolo
from workbook.values import format_number

Stato = Literal["valutato", "incompleto", "non valutabile", "in attesa"]


@dataclass(frozen=True, slots=True)
class Valutazione:
    """A person's outcome."""

    persona: Persona
    area: str
    valutatore: str  # the workbook: an Area's code or «nucleo»
    stato: Stato
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


PARALLEL_FROM = 24  # files; below this a process pool costs more than it saves

_worker: dict[str, Verifier] = {}


def _init_worker(expected: Expected) -> None:
    _worker["verifier"] = Verifier(expected)
    settle(collect=False)  # what it inherits is the long-lived data: freezing it is enough


def _examine(doc: Documento) -> Verifica:
    return examine(doc, _worker["verifier"])


def _read_all(
    cycle: Cycle, expected: Expected, progress: Progress | None
) -> tuple[Ingested, list[Verifica]]:
    """Ingest, then read and verify every distinct file, on every core when there are many.
    A file the Segretario has set aside (`valuta accetta`) is not read."""
    ingested = ingest(cycle)
    docs = [d for d in ingested.documenti if d.esame is None]
    workers = min(os.cpu_count() or 1, 8)
    verifications: list[Verifica] = []
    if len(docs) >= PARALLEL_FROM and workers > 1:
        # Largest files first (the Nucleo's is ten times an Area's) and small chunks: the
        # cores finish together instead of one reading the last big file alone.
        order = sorted(docs, key=lambda d: d.percorso.stat().st_size, reverse=True)
        chunk = max(1, len(docs) // (workers * 32))
        verdicts: dict[int, Verifica] = {}
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(expected,)) as pool:
            for doc, v in zip(order, pool.map(_examine, order, chunksize=chunk), strict=True):
                v.documento = doc  # the parent's object, not the worker's copy
                verdicts[id(doc)] = v
                if progress:
                    progress(len(verdicts), len(docs))
        verifications = [verdicts[id(doc)] for doc in docs]
    else:
        verifier = Verifier(expected)
        for doc in docs:
            verifications.append(examine(doc, verifier))
            if progress:
                progress(len(verifications), len(docs))
    return ingested, verifications


def _choose_versions(
    piano: Piano, verifications: list[Verifica], problems: list[Anomalia]
) -> dict[str, Verifica]:
    """The version that counts for each workbook (see the module's docstring)."""
    chosen: dict[str, Verifica] = {}
    by_module: dict[str, list[Verifica]] = {}
    for v in verifications:
        if v.modulo is not None and v.corrente:
            by_module.setdefault(v.modulo, []).append(v)
    for modulo, versions in by_module.items():
        versions.sort(
            key=lambda v: (
                v.data_attendibile,  # a copy dated after its arrival never wins over the others
                v.quando,
                v.documento.primo.data or dt.datetime.min,
                v.documento.sha256,
            ),
            reverse=True,
        )
        newest = versions[0]
        chosen[modulo] = newest
        for old in versions[1:]:
            problems.append(
                anomalia(
                    Codice.REC_VERSIONE_SUPERATA,
                    file=old.documento.etichetta,
                    modulo=modulo,
                    salvato=old.quando.strftime("%d/%m/%Y %H:%M") if old.salvato else "?",
                    usato=newest.documento.etichetta,
                )
            )
        senders = sorted({s for v in versions for s in v.documento.mittenti})
        if len(senders) > 1:
            problems.append(
                anomalia(
                    Codice.REC_STESSO_MODULO_MITTENTI_DIVERSI,
                    file=newest.documento.etichetta,
                    modulo=modulo,
                    mittenti=", ".join(senders),
                )
            )
        expected = compilatore(piano, modulo).email.lower()
        for sender in newest.documento.mittenti:
            if expected and sender != expected:
                problems.append(
                    anomalia(
                        Codice.REC_MITTENTE_INATTESO,
                        file=newest.documento.etichetta,
                        modulo=modulo,
                        mittente=sender,
                        atteso=expected,
                    )
                )
    return chosen


def _objectives(
    piano: Piano, used: dict[str, Verifica], problems: list[Anomalia]
) -> tuple[list[EsitoObiettivo], dict[str, Decimal | None]]:
    """Each objective's achievement as declared by its Area and validated by the Nucleo, and
    each Area's weighted achievement."""
    nucleo = _compiled(used.get(NUCLEO))
    results: list[EsitoObiettivo] = []
    areas: dict[str, Decimal | None] = {}
    for area in piano.aree:
        declared_by = _compiled(used.get(area.codice))
        outcome = []
        for item in piano.obiettivi_area(area.codice):
            declared = declared_by.obiettivi.get(item.id) if declared_by else None
            validated = nucleo.obiettivi.get(item.id) if nucleo else None
            dichiarato = declared.percentuale if declared else None
            validato = validated.percentuale if validated else None
            what = f"{item.obiettivo.codice} dell'Area {area.codice}"
            if (
                validated is not None
                and validato is not None
                and dichiarato is not None
                and dichiarato != validato
            ):
                problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_DIVERSO,
                        file=used[NUCLEO].documento.etichetta,
                        foglio=validated.foglio,
                        cella=validated.cella,
                        obiettivo=what,
                        dichiarato=format_number(dichiarato),
                        validato=format_number(validato),
                    )
                )
            if nucleo is not None and validato is None and dichiarato is not None:
                problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_NON_VALIDATO,
                        file=used[NUCLEO].documento.etichetta,
                        obiettivo=what,
                        dichiarato=format_number(dichiarato),
                    )
                )
            evidence = declared.evidenze if declared else ""
            outcome.append(EsitoObiettivo(item, dichiarato, validato, evidence))
        results.extend(outcome)
        areas[area.codice] = weighted_achievement(
            [(o.obiettivo.obiettivo.peso, o.raggiungimento) for o in outcome]
        )
    return results, areas


def _compiled(v: Verifica | None) -> Compilazione | None:
    return v.compilazione if v is not None else None


def _evaluate(
    piano: Piano,
    person: Persona,
    used: dict[str, Verifica],
    statuses: dict[str, StatoModulo],
    areas: dict[str, Decimal | None],
    objectives: dict[str, dict[str, list[tuple[Decimal, Decimal | None]]]],
    problems: list[Anomalia],
) -> Valutazione:
    """One person's outcome, scored with the inputs checked where their workbook was read."""
    soggetto, modulo = workbook_of(person)
    area = piano.area_of_po(person) if person.ruolo == "po" else person.area
    eligibility = piano.idoneita(person)
    base = {
        "persona": person,
        "area": area,
        "valutatore": modulo,
        "giorni_servizio": eligibility.giorni_servizio,
        "giorni_anno": eligibility.giorni_anno,
    }
    if not eligibility.valutabile:  # scored all the same: reported by inputs.check_inputs
        return Valutazione(stato="non valutabile", motivo=eligibility.motivo, **base)
    v = used.get(modulo)
    if v is None:
        status = statuses[modulo].stato
        why = "modulo non ricevuto" if status == "mancante" else "modulo con errori"
        return Valutazione(stato="in attesa", motivo=f"{why} ({modulo})", **base)
    factors = v.compilazione.schede.get(person.matricola) if v.compilazione else None
    if factors is None:
        problems.append(
            anomalia(
                Codice.REC_PERSONA_NON_VALUTATA,
                file=v.documento.etichetta,
                nominativo=person.nominativo,
                matricola=person.matricola,
                area=f"Area {area}",
                motivo=f"assente dal modulo {modulo}",
            )
        )
        return Valutazione(stato="incompleto", motivo="assente dal modulo", **base)
    scheda = piano.sistema.scheda(soggetto)  # type: ignore[arg-type]
    result = score(
        scheda, factors, area_percentuale=areas.get(area), obiettivi=objectives.get(area, {})
    )
    if not result.completo:
        missing_factor = any(x is None for x in factors.values())
        why = (
            "punteggi mancanti o non validi"
            if missing_factor
            else "raggiungimento degli obiettivi dell'Area incompleto"
        )
        return Valutazione(stato="incompleto", motivo=why, risultato=result, **base)
    return Valutazione(stato="valutato", risultato=result, **base)


def reconcile(cycle: Cycle, progress: Progress | None = None) -> Outcome:
    """Everything received, checked and recomputed."""
    with long_lived():
        return _reconcile(cycle, progress)


def _reconcile(cycle: Cycle, progress: Progress | None) -> Outcome:
    cycle.check()
    piano, problems = load_piano(cycle.piano_path)
    record = generation_record(cycle)
    if record is None:
        raise CycleError(
            "I moduli non sono ancora stati generati: eseguire prima «valuta generate»."
        )
    _, key = cycle.secrets()
    if record[0] != fingerprint(cycle, piano):
        problems.append(anomalia(Codice.REC_PIANO_MODIFICATO, file=cycle.piano_path.name))
    expected = Expected(piano, key, record[1], cycle.manifests)
    ingested, verifications = _read_all(cycle, expected, progress)
    documents = ingested.documenti
    problems.extend(ingested.anomalie)
    for doc in documents:
        if doc.esame is not None:
            problems.append(set_aside(doc.etichetta, doc.esame))
    for v in verifications:
        problems.extend(v.anomalie)
    chosen = _choose_versions(piano, verifications, problems)
    used = {m: v for m, v in chosen.items() if v.usabile}
    for v in used.values():  # the inputs of the versions that count, checked where read
        if v.compilazione is not None:
            problems.extend(v.compilazione.anomalie)

    # A workbook that arrived but could not be used is «con errori», not «mancante».
    attempted = {v.modulo or v.dichiarato for v in verifications} - {None}
    statuses = []
    for modulo in expected.modules():
        version = chosen.get(modulo)
        if version is None and modulo not in attempted:
            problems.append(
                anomalia(
                    Codice.REC_MODULO_MANCANTE,
                    file=f"moduli/{modulo}.xlsx",
                    modulo=modulo,
                    chi=compilatore(piano, modulo).descrizione,
                )
            )
        state = (
            "ricevuto"
            if version is not None and version.usabile
            else "mancante"
            if modulo not in attempted
            else "con errori"
        )
        statuses.append(StatoModulo(modulo, compilatore(piano, modulo).descrizione, state, version))
    objectives, areas = _objectives(piano, used, problems)
    by_module = {s.modulo: s for s in statuses}
    # Each Area's objectives by category, as (peso, achievement): what a PO scheda needs.
    by_area: dict[str, dict[str, list[tuple[Decimal, Decimal | None]]]] = {}
    for o in objectives:
        by_area.setdefault(o.obiettivo.area, {}).setdefault(o.obiettivo.obiettivo.tipo, []).append(
            (o.obiettivo.obiettivo.peso, o.raggiungimento)
        )
    valutazioni = [
        _evaluate(piano, p, used, by_module, areas, by_area, problems) for p in piano.personale
    ]
    if not any(a.gravita is Gravita.ERRORE for a in problems):
        # Results are final only when everyone who can be evaluated is: an incomplete scheda
        # without an errore that explains it must not pass for a final one.
        for v in valutazioni:
            if v.stato in ("incompleto", "in attesa"):
                problems.append(
                    anomalia(
                        Codice.REC_PERSONA_NON_VALUTATA,
                        file=f"moduli/{v.valutatore}.xlsx",
                        nominativo=v.persona.nominativo,
                        matricola=v.persona.matricola,
                        area=f"Area {v.area}",
                        motivo=v.motivo,
                    )
                )

    # Counts per workbook, now that every anomaly is known.
    owner = module_of_file(verifications, expected.modules())
    by_owner: dict[str, list[Anomalia]] = {}
    for a in problems:
        if a.file in owner:
            by_owner.setdefault(owner[a.file], []).append(a)
    final = []
    for s in statuses:
        own = by_owner.get(s.modulo, [])
        errors = sum(a.gravita is Gravita.ERRORE for a in own)
        state = s.stato
        if (
            state == "ricevuto"
            and s.versione is not None
            and any(
                a.gravita is Gravita.ERRORE and a.file == s.versione.documento.etichetta
                for a in own
            )
        ):
            state = "con errori"
        final.append(StatoModulo(s.modulo, s.chi, state, s.versione, errors, len(own) - errors))
    stamps = [v.quando for v in verifications if v.quando != dt.datetime.min]
    return Outcome(
        piano=piano,
        moduli=final,
        verifiche=verifications,
        documenti=documents,
        elementi=ingested.elementi,
        valutazioni=valutazioni,
        obiettivi=objectives,
        aree=areas,
        anomalie=sort_anomalies(problems),
        elaborato=max(stamps, default=record[1]),
    )


def module_of_file(verifications: list[Verifica], modules: list[str]) -> dict[str, str]:
    """Which workbook each file label concerns: the received files that are (or claim to be)
    a workbook, and `moduli/<code>.xlsx` for a workbook not received."""
    owner = {f"moduli/{m}.xlsx": m for m in modules}
    for v in verifications:
        modulo = v.modulo or v.dichiarato
        if modulo:
            for arrival in v.documento.arrivi:
                owner[arrival.origine] = modulo
    return owner


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
