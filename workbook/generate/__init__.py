"""`valuta generate`: one protected, signed workbook per Area, plus the Nucleo's.

For each workbook: compose the model (`compose.py`), sign its locked content with the cycle's
key (`contract.sign_items`), write it (`writer.py`) atomically, and keep its manifest (the
signed content, gzip-compressed) in `.valuta/moduli/` so that the reconciler can say which
cell was altered.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from workbook import __version__
from workbook.anomalies import Anomalia
from workbook.contract import (
    HMAC_CELL,
    IDENTITY_FIELDS,
    META,
    NUCLEO,
    MapEntry,
    canonical_items,
    excluded_cells,
    moduli,
    nonce_for,
    sign_items,
    workbook_id,
)
from workbook.cycle import Cycle, fingerprint, generation_stamp
from workbook.errors import CycleError
from workbook.files import atomic_path, write_text
from workbook.generate.compose import Answers, Context, build
from workbook.generate.writer import write_workbook
from workbook.memory import long_lived, settle_worker
from workbook.piano.load import load_piano
from workbook.piano.model import Piano


@dataclass(frozen=True, slots=True)
class Generated:
    moduli: list[Path]
    avvisi: list[Anomalia]
    generato: dt.datetime


def save_manifest(
    folder: Path,
    nonce: str,
    identity: dict[str, str],
    names: list[str],
    items: list[tuple[str, int, int, str, str]],
    mappa: list[MapEntry],
) -> None:
    """Keep what was signed: `<nonce>.json`, the identity and sheet list (read for every
    received file), and `<nonce>.celle.json.gz`, every signed cell as [sheet, row, column,
    kind, text] (0-based) and the map (read only to say which cells of an altered file
    changed)."""
    write_text(
        folder / f"{nonce}.json",
        json.dumps({"identita": identity, "fogli": names}, ensure_ascii=False),
        0o600,
    )
    cells = {
        "celle": items,
        "mappa": [[e.chiave, e.foglio, e.cella, e.tipo, e.ammessi] for e in mappa],
    }
    # mtime=0: the same manifest gives the same bytes; level 1: written for every workbook,
    # read only when one was altered.
    with (
        atomic_path(folder / f"{nonce}.celle.json.gz", 0o600) as tmp,
        gzip.GzipFile(tmp, "wb", 1, mtime=0) as fh,
    ):
        fh.write(json.dumps(cells, ensure_ascii=False).encode())


def write_modulo(
    ctx: Context,
    modulo: str,
    path: Path,
    password: str,
    key: bytes,
    manifests: Path,
    answers: Answers | None = None,
    edizione: str = "",
) -> Path:
    """Build, sign and write one workbook; keep its manifest. Returns the workbook's path.
    `edizione` names another edition of the same workbook in the same generation (the
    Nucleo's updated modulo): its own nonce and manifest, so the first edition stays valid."""
    ident = workbook_id(ctx.piano, modulo)
    nonce = nonce_for(key, f"{ident}|{edizione}" if edizione else ident, ctx.generato)
    model = build(ctx, modulo, answers, nonce)
    names = [s.name for s in model.sheets]
    items = list(canonical_items(names, model.as_cells(), excluded_cells(model.mappa)))
    mac = sign_items(key, names, items)
    model.identity["hmac"] = mac
    row = int(HMAC_CELL[1:]) - 1
    model.sheet(META).cells[(row, 1)].value = mac
    with atomic_path(path) as tmp:
        write_workbook(model, tmp, password, ctx.generato)
    save_manifest(
        manifests,
        nonce,
        {k: model.identity[k] for k in IDENTITY_FIELDS},
        names,
        items,
        model.mappa,
    )
    return path


def cycle_context(cycle: Cycle, piano: Piano, generato: dt.datetime) -> Context:
    settings = cycle.settings()
    return Context(
        piano=piano,
        scadenza=settings.scadenza,
        restituzione=settings.return_address(),
        generato=generato,
        versione=__version__,
    )


_worker: dict[str, object] = {}


def _init_worker(ctx: Context, password: str, key: bytes, manifests: Path) -> None:
    _worker.update(ctx=ctx, password=password, key=key, manifests=manifests)
    settle_worker()


def _work(item: tuple[str, Path]) -> Path:
    modulo, path = item
    return write_modulo(
        _worker["ctx"],
        modulo,
        path,
        _worker["password"],  # type: ignore[arg-type]
        _worker["key"],
        _worker["manifests"],
    )  # type: ignore[arg-type]


def generate(
    cycle: Cycle, *, force: bool = False, now: dt.datetime | None = None, workers: int | None = None
) -> Generated:
    """Write every workbook of the cycle into `moduli/`."""
    cycle.settings().return_address()  # a broken valuta.toml stops here, before anything
    piano, avvisi = load_piano(cycle.piano_path)
    password, key = cycle.secrets()
    existing = sorted(p.name for p in cycle.moduli.glob("*.xlsx")) if cycle.moduli.is_dir() else []
    if existing and not force:
        raise CycleError(
            f"La cartella {cycle.moduli} contiene già dei moduli ({', '.join(existing[:5])}"
            f"{'…' if len(existing) > 5 else ''}): potrebbero essere già stati inviati. Per "
            "rigenerarli usare --force; i moduli già inviati di una generazione precedente "
            "saranno segnalati alla restituzione."
        )
    generato = generation_stamp(cycle, fingerprint(cycle, piano), now or dt.datetime.now())
    # The first edition of the Nucleo's modulo replaces an updated one (`aggiornato.py`).
    cycle.nucleo_aggiornato.unlink(missing_ok=True)
    ctx = cycle_context(cycle, piano, generato)
    # The Nucleo's workbook (every PO and every objective) is the largest: first in the queue,
    # so that the other core works through the Areas meanwhile.
    order = sorted(moduli(piano), key=lambda m: m != NUCLEO)
    jobs = [(m, cycle.moduli / f"{m}.xlsx") for m in order]
    # At most 61 processes: the most Windows lets a pool wait for.
    workers = workers if workers is not None else min(len(jobs), os.cpu_count() or 1, 61)
    with long_lived():
        return Generated(
            _write_all(ctx, jobs, workers, password, key, cycle.manifests), avvisi, generato
        )


def _write_all(
    ctx: Context,
    jobs: list[tuple[str, Path]],
    workers: int,
    password: str,
    key: bytes,
    manifests: Path,
) -> list[Path]:
    if workers > 1 and len(jobs) > 2:
        with ProcessPoolExecutor(
            workers, initializer=_init_worker, initargs=(ctx, password, key, manifests)
        ) as pool:
            return list(pool.map(_work, jobs, chunksize=max(1, len(jobs) // (workers * 8))))
    return [write_modulo(ctx, m, p, password, key, manifests) for m, p in jobs]
