"""`valuta reconcile`: from the received files to every person's recomputed score.

Steps, each in its module: ingest what came back (ingest.py, mime.py); read each file as
hostile (readers/), prove it is ours and untouched (verify.py), check every input
(inputs.py) and what the sheets show (shown.py) — all in the reading processes, one file at a
time; then pick the version of each modulo that counts (versions.py), take each objective's
achievement and score every person with the Python engine (sources.py), and check the roster.
The outcome (outcome.py) goes to the tables of the Relazione (aggregate.py).
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor

from workbook.anomalies import Anomalia, Codice, Gravita, anomalia
from workbook.contract import compilatore
from workbook.cycle import Cycle, fingerprint, generation_record
from workbook.errors import CycleError
from workbook.memory import settle_worker
from workbook.piano.load import load_piano
from workbook.reconcile.ingest import Documento, Ingested, ingest, set_aside
from workbook.reconcile.outcome import Outcome, Progress, StatoModulo, sort_anomalies
from workbook.reconcile.sources import evaluate, objectives
from workbook.reconcile.verify import Expected, Verifica, Verifier, examine
from workbook.reconcile.versions import choose_versions, module_of_file
from workbook.scoring.engine import achievements

PARALLEL_FROM = 24  # files; below this a process pool costs more than it saves


def reading_workers() -> int:
    """The processes that read the received files (when there are PARALLEL_FROM or more)."""
    return min(os.cpu_count() or 1, 8)


_worker: dict[str, Verifier] = {}


def _init_worker(expected: Expected) -> None:
    _worker["verifier"] = Verifier(expected)
    settle_worker()


def _examine(doc: Documento) -> Verifica:
    return examine(doc, _worker["verifier"])


def _read_all(
    cycle: Cycle, expected: Expected, progress: Progress | None
) -> tuple[Ingested, list[Verifica]]:
    """Ingest, then read and verify every distinct file, on every core when there are many.
    A file the Segretario has set aside (`valuta accetta`) is not read."""
    ingested = ingest(cycle)
    docs = [d for d in ingested.documenti if d.esame is None]
    workers = reading_workers()
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


def reconcile(cycle: Cycle, progress: Progress | None = None) -> Outcome:
    """Everything received, checked and recomputed."""
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
    chosen = choose_versions(piano, verifications, problems)
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
    esiti, areas = objectives(piano, used, problems)
    by_module = {s.modulo: s for s in statuses}
    draws_on = achievements(piano, "", {o.obiettivo.id: o.raggiungimento for o in esiti})
    valutazioni = [evaluate(piano, p, used, by_module, draws_on, problems) for p in piano.personale]
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
        obiettivi=esiti,
        aree=areas,
        anomalie=sort_anomalies(problems),
        elaborato=max(stamps, default=record[1]),
    )
