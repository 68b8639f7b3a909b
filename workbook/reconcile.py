"""`valuta reconcile`: from the received files to every person's recomputed score.

Steps: ingest (`ingest.py`), read each file as hostile (`reader.py`), prove it is ours and
untouched (`verify.py`), pick for each workbook the version that counts, check every input,
take each objective's achievement (the Nucleo's validated figure stands over the Responsabile's
declaration), recompute every score in Python (`scoring.py`) and check the roster.

The version that counts: among the files identified as the same workbook of the current
generation, the one saved most recently (last-saved time recorded in the file), then the one
sent last (message date or file time), then by content hash. Older versions are reported as
superseded and never counted; if the newest has errors in its protected content the workbook
has no results until a correct copy arrives (no silent fallback to an older one).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .anomalies import Anomalia, Codice, Gravita, anomalia
from .cycle import Cycle, CycleError, generation_record
from .generate import fingerprint
from .ingest import Documento, ingest
from .layout import NUCLEO, MapEntry, make_key, parse_ref
from .memory import long_lived, settle
from .piano import ObiettivoArea, Persona, Piano, load_piano
from .scoring import (
    Risultato,
    achievement_value,
    objective_points,
    score,
    weighted_achievement,
)
from .sistema import Fascia, Ruolo
from .values import UnreadableValue, canonical_number, format_number, parse_number
from .verify import Expected, Verifica, Verifier, examine

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
    valutazioni: list[Valutazione]
    obiettivi: list[EsitoObiettivo]
    aree: dict[str, Decimal | None]
    anomalie: list[Anomalia] = field(default_factory=list)
    elaborato: dt.datetime = dt.datetime(2000, 1, 1)

    @property
    def ha_errori(self) -> bool:
        return any(a.gravita is Gravita.ERRORE for a in self.anomalie)


Progress = Callable[[int, int], None]


def _who(piano: Piano, modulo: str) -> str:
    if modulo == NUCLEO:
        return "Nucleo di Valutazione"
    area = piano.area(modulo)
    po = piano.persona(area.responsabile)
    return f"Responsabile dell'Area {modulo}" + (f", {po.nominativo}" if po else "")


def _expected_sender(piano: Piano, modulo: str) -> str:
    if modulo == NUCLEO:
        return piano.ente.email_nucleo.lower()
    return piano.area(modulo).email.lower()


class _Inputs:
    """Reads and checks the inputs of the versions that count."""

    def __init__(self, piano: Piano, problems: list[Anomalia]) -> None:
        self.piano = piano
        self.problems = problems

    def value(self, v: Verifica, entry: MapEntry, cosa: str) -> Decimal | str | None:
        """The checked value of one input, or None (missing or wrong: reported here)."""
        raw, formula = v.inputs.get(entry.chiave, (None, None))
        valutatore = _valutatore(v)
        values, span = entry.allowed()
        ammessi = (
            ", ".join(values)
            if values is not None
            else f"da {format_number(span[0])} a {format_number(span[1])}"
            if span
            else ""
        )
        if formula:
            self._report(
                v,
                entry,
                Codice.REC_FORMULA_IN_INPUT,
                cosa=cosa,
                formula=_short(formula),
                valutatore=valutatore,
            )
            return None
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if values is None and span is None:  # free text
            return str(raw).strip()
        numeric = span is not None or _all_numbers(tuple(values or ()))
        if not numeric:  # a grade, chosen from the list
            text = str(raw).strip()
            match = next((x for x in values or () if x.casefold() == text.casefold()), None)
            if match is None:
                self._report(
                    v,
                    entry,
                    Codice.REC_VALORE_NON_AMMESSO,
                    valore=_short(text),
                    cosa=cosa,
                    ammessi=ammessi,
                    valutatore=valutatore,
                )
            return match
        try:
            number = parse_number(raw)
        except UnreadableValue:
            self._report(
                v,
                entry,
                Codice.REC_TESTO_NON_NUMERO,
                cosa=cosa,
                valore=_short(str(raw)),
                ammessi=ammessi,
                valutatore=valutatore,
            )
            return None
        if isinstance(raw, str):
            self._report(
                v,
                entry,
                Codice.REC_NUMERO_COME_TESTO,
                cosa=cosa,
                valore=raw.strip(),
                letto=format_number(number),
            )
        allowed = (
            (span[0] <= number <= span[1]) if span else (canonical_number(number) in (values or ()))
        )
        if not allowed:
            self._report(
                v,
                entry,
                Codice.REC_VALORE_NON_AMMESSO,
                valore=format_number(number),
                cosa=cosa,
                ammessi=ammessi,
                valutatore=valutatore,
            )
            return None
        return number

    def missing(self, v: Verifica, entry: MapEntry, cosa: str) -> None:
        self._report(v, entry, Codice.REC_VALORE_MANCANTE, cosa=cosa, valutatore=_valutatore(v))

    def _report(self, v: Verifica, entry: MapEntry, codice: Codice, **params: object) -> None:
        """An anomaly of one input cell of a received workbook."""
        self.problems.append(
            anomalia(
                codice, file=v.documento.etichetta, foglio=entry.foglio, cella=entry.cella, **params
            )
        )


def _valutatore(v: Verifica) -> str:
    return "Nucleo di Valutazione" if v.modulo == NUCLEO else "Responsabile dell'Area"


@functools.lru_cache(maxsize=1024)
def _all_numbers(values: tuple[str, ...]) -> bool:
    return all(_is_number(x) for x in values)


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


PARALLEL_FROM = 24  # files; below this a process pool costs more than it saves

_worker: dict[str, Verifier] = {}


def _init_worker(expected: Expected) -> None:
    _worker["verifier"] = Verifier(expected)
    settle()


def _examine(doc: Documento) -> Verifica:
    return examine(doc, _worker["verifier"])


def _read_all(
    cycle: Cycle, expected: Expected, progress: Progress | None
) -> tuple[list[Documento], list[Verifica], list[Anomalia]]:
    """Ingest, then read and verify every distinct file, on every core when there are many."""
    ingested = ingest(cycle)
    docs = ingested.documenti
    workers = min(os.cpu_count() or 1, 8)
    verifications: list[Verifica] = []
    if len(docs) >= PARALLEL_FROM and workers > 1:
        # Small chunks: the last ones finish together instead of leaving a core idle.
        chunk = max(1, len(docs) // (workers * 32))
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(expected,)) as pool:
            for doc, v in zip(docs, pool.map(_examine, docs, chunksize=chunk), strict=True):
                v.documento = doc  # the parent's object, not the worker's copy
                verifications.append(v)
                if progress:
                    progress(len(verifications), len(docs))
    else:
        verifier = Verifier(expected)
        for doc in docs:
            verifications.append(examine(doc, verifier))
            if progress:
                progress(len(verifications), len(docs))
    return docs, verifications, list(ingested.anomalie)


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
            key=lambda v: (v.quando, v.documento.primo.data or dt.datetime.min, v.documento.sha256),
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
        expected = _expected_sender(piano, modulo)
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
    piano: Piano, used: dict[str, Verifica], inputs: _Inputs
) -> tuple[list[EsitoObiettivo], dict[str, Decimal | None]]:
    nucleo = used.get(NUCLEO)
    results: list[EsitoObiettivo] = []
    areas: dict[str, Decimal | None] = {}
    for area in piano.aree:
        items = piano.obiettivi_area(area.codice)
        declared_by = used.get(area.codice)
        outcome = []
        for item in items:
            declared, evidence = _objective_inputs(declared_by, item, inputs, "dichiarato")
            validated, _ = _objective_inputs(nucleo, item, inputs, "validato")
            if declared_by is not None and declared is not None and not evidence:
                entry = _entry(declared_by, make_key("obiettivo", item.id, "evidenze"))
                inputs.problems.append(
                    anomalia(
                        Codice.REC_EVIDENZE_MANCANTI,
                        file=declared_by.documento.etichetta,
                        foglio=entry.foglio if entry else "",
                        cella=entry.cella if entry else "",
                        obiettivo=item.obiettivo.codice,
                    )
                )
            if (
                nucleo is not None
                and declared is not None
                and validated is not None
                and declared != validated
            ):
                entry = _entry(nucleo, make_key("obiettivo", item.id, "raggiungimento"))
                inputs.problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_DIVERSO,
                        file=nucleo.documento.etichetta,
                        foglio=entry.foglio if entry else "",
                        cella=entry.cella if entry else "",
                        obiettivo=f"{item.obiettivo.codice} dell'Area {area.codice}",
                        dichiarato=format_number(declared),
                        validato=format_number(validated),
                    )
                )
            if nucleo is not None and validated is None and declared is not None:
                inputs.problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_NON_VALIDATO,
                        file=nucleo.documento.etichetta,
                        obiettivo=f"{item.obiettivo.codice} dell'Area {area.codice}",
                        dichiarato=format_number(declared),
                    )
                )
            outcome.append(EsitoObiettivo(item, declared, validated, evidence))
        results.extend(outcome)
        areas[area.codice] = weighted_achievement(
            [(o.obiettivo.obiettivo.peso, o.raggiungimento) for o in outcome]
        )
    return results, areas


def _entry(v: Verifica, key: str) -> MapEntry | None:
    return v.entry(key)


def _objective_inputs(
    v: Verifica | None, item: ObiettivoArea, inputs: _Inputs, what: str
) -> tuple[Decimal | None, str]:
    if v is None:
        return None, ""
    entry = _entry(v, make_key("obiettivo", item.id, "raggiungimento"))
    if entry is None:
        return None, ""
    cosa = f"il raggiungimento {what} dell'obiettivo {item.obiettivo.codice}"
    raw = inputs.value(v, entry, cosa)
    if raw is None and v.inputs.get(entry.chiave, (None, None)) == (None, None):
        inputs.missing(v, entry, cosa)
    percent = achievement_value(inputs.piano.sistema, raw) if raw is not None else None
    evidence_entry = _entry(v, make_key("obiettivo", item.id, "evidenze"))
    evidence = ""
    if evidence_entry is not None:
        text = inputs.value(v, evidence_entry, "la relazione sul raggiungimento")
        evidence = text if isinstance(text, str) else ""
    return percent, evidence


def _evaluate(
    piano: Piano,
    person: Persona,
    used: dict[str, Verifica],
    statuses: dict[str, StatoModulo],
    areas: dict[str, Decimal | None],
    objectives: dict[str, dict[str, list[tuple[Decimal, Decimal | None]]]],
    inputs: _Inputs,
) -> Valutazione:
    soggetto = "po" if person.ruolo == "po" else "dipendente"
    area = piano.area_of_po(person) if person.ruolo == "po" else person.area
    modulo = NUCLEO if person.ruolo == "po" else person.area
    eligibility = piano.idoneita(person)
    base = {
        "persona": person,
        "area": area,
        "valutatore": modulo,
        "giorni_servizio": eligibility.giorni_servizio,
        "giorni_anno": eligibility.giorni_anno,
    }
    v = used.get(modulo)
    scheda = piano.sistema.scheda(soggetto)  # type: ignore[arg-type]
    entries = v.entries(soggetto, person.matricola) if v else {}
    if not eligibility.valutabile:
        if v is not None and any(
            v.inputs.get(e.chiave, (None, None)) != (None, None)
            for e in entries.values()
            if e.is_input
        ):
            first = next(e for e in entries.values() if e.is_input)
            inputs.problems.append(
                anomalia(
                    Codice.REC_NON_VALUTABILE,
                    file=v.documento.etichetta,
                    foglio=first.foglio,
                    cella=first.cella,
                    nominativo=person.nominativo,
                    matricola=person.matricola,
                    motivo=eligibility.motivo,
                )
            )
        return Valutazione(stato="non valutabile", motivo=eligibility.motivo, **base)
    if v is None:
        status = statuses[modulo].stato
        why = "modulo non ricevuto" if status == "mancante" else "modulo con errori"
        return Valutazione(stato="in attesa", motivo=f"{why} ({modulo})", **base)
    if not entries:
        inputs.problems.append(
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
    factors: dict[str, Decimal | None] = {}
    for voce in scheda.fattori:
        entry = entries.get(voce.codice)
        if entry is None:
            factors[voce.codice] = None
            continue
        cosa = f"il punteggio di «{voce.titolo}» di {person.nominativo} ({person.matricola})"
        value = inputs.value(v, entry, cosa)
        if value is None and v.inputs.get(entry.chiave, (None, None)) == (None, None):
            inputs.missing(v, entry, cosa)
        factors[voce.codice] = value if isinstance(value, Decimal) else None
    result = score(
        scheda, factors, area_percentuale=areas.get(area), obiettivi=objectives.get(area, {})
    )
    if not result.completo:
        missing_factor = any(factors.get(f.codice) is None for f in scheda.fattori)
        why = (
            "punteggi mancanti o non validi"
            if missing_factor
            else "raggiungimento degli obiettivi dell'Area incompleto"
        )
        return Valutazione(stato="incompleto", motivo=why, risultato=result, **base)
    return Valutazione(stato="valutato", risultato=result, **base)


def _unknown_people(piano: Piano, used: dict[str, Verifica], problems: list[Anomalia]) -> None:
    """Workbooks that score someone the Piano does not put there (Piano changed since)."""
    for modulo, v in used.items():
        seen = {(e.soggetto, e.id) for e in v.mappa if e.soggetto in ("dipendente", "po")}
        for soggetto, matricola in sorted(seen):
            person = piano.persona(matricola)
            expected_module = (
                None if person is None else NUCLEO if person.ruolo == "po" else person.area
            )
            if (
                person is None
                or expected_module != modulo
                or soggetto != ("po" if person.ruolo == "po" else "dipendente")
            ):
                problems.append(
                    anomalia(
                        Codice.REC_PERSONA_SCONOSCIUTA,
                        file=v.documento.etichetta,
                        matricola=matricola,
                    )
                )


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
    documents, verifications, read_problems = _read_all(cycle, expected, progress)
    problems.extend(read_problems)
    for v in verifications:
        problems.extend(v.anomalie)
    chosen = _choose_versions(piano, verifications, problems)
    used = {m: v for m, v in chosen.items() if v.usabile}

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
                    chi=_who(piano, modulo),
                )
            )
        state = (
            "ricevuto"
            if version is not None and version.usabile
            else "mancante"
            if modulo not in attempted
            else "con errori"
        )
        statuses.append(StatoModulo(modulo, _who(piano, modulo), state, version))
    inputs = _Inputs(piano, problems)
    objectives, areas = _objectives(piano, used, inputs)
    by_module = {s.modulo: s for s in statuses}
    # Each Area's objectives by category, as (peso, achievement): what a PO scheda needs.
    by_area: dict[str, dict[str, list[tuple[Decimal, Decimal | None]]]] = {}
    for o in objectives:
        by_area.setdefault(o.obiettivo.area, {}).setdefault(o.obiettivo.obiettivo.tipo, []).append(
            (o.obiettivo.obiettivo.peso, o.raggiungimento)
        )
    valutazioni = [
        _evaluate(piano, p, used, by_module, areas, by_area, inputs) for p in piano.personale
    ]
    _unknown_people(piano, used, problems)

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
