"""`valuta generate --nucleo-aggiornato`: the Nucleo's modulo with what the Responsabili declared.

The Nucleo validates each objective's achievement «sulla base delle relazioni dei
Responsabili» (D.Lgs. 150/2009, art. 14, c. 4, and the Sistemi that follow it), but the
modulo `generate` writes for it knows nothing of them yet. Once the Area moduli have come back
and `valuta reconcile` has read them, this writes `moduli/nucleo.xlsx` again with, read-only
beside the cells the Nucleo fills, each objective's declared achievement, the Responsabile's
report, the value reached and the reason for a deviation — from the results of that reconcile.

It is another edition of the same workbook in the same generation: signed with its own nonce
and kept with its own manifest (`write_modulo(edizione=…)`), so a Nucleo modulo already filled
in, of the first edition or of an earlier update, stays valid (`Expected.is_current`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.contract import NUCLEO
from workbook.cycle import Cycle, fingerprint, generation_record
from workbook.errors import CycleError
from workbook.files import write_text
from workbook.generate.model import Dichiarato
from workbook.piano.load import load_piano
from workbook.piano.model import Piano


@dataclass(frozen=True, slots=True)
class Aggiornato:
    path: Path
    letti_il: dt.datetime  # when the reconcile that read the declarations ran
    dichiarati: int  # objectives with a declared achievement
    obiettivi: int
    aree_mancanti: tuple[str, ...]  # Areas with nothing declared (not received, or blank)
    aree_con_errori: tuple[str, ...] = ()  # shown, from a modulo still with errors
    piano_modificato: bool = False  # the Piano changed since the moduli were generated


def declarations(
    data: dict[str, Any], piano: Piano
) -> tuple[dict[str, Dichiarato], tuple[str, ...], tuple[str, ...]]:
    """What each Responsabile declared, by ObiettivoArea.id, from a results JSON; the Areas
    with nothing declared, and those whose declarations come from a modulo with errors."""
    status = {m["modulo"]: m["stato"] for m in data.get("moduli", [])}
    rows = {(a.area, o.codice): o for a in data["relazione"].obiettivi for o in a.obiettivi}
    out: dict[str, Dichiarato] = {}
    for area in piano.aree:
        stato = status.get(area.codice, "mancante")
        why = {"mancante": "modulo non ricevuto"}.get(stato, f"modulo {stato}")
        for item in piano.obiettivi_area(area.codice):
            row = rows.get((area.codice, item.obiettivo.codice))
            if row is None or row.dichiarato is None:
                out[item.id] = Dichiarato(None, stato=why if stato != "ricevuto" else "")
                continue
            out[item.id] = Dichiarato(
                row.dichiarato, row.evidenze, row.valore_raggiunto, row.motivo_scostamento
            )
    shown = {
        area.codice
        for area in piano.aree
        for item in piano.obiettivi_area(area.codice)
        if out[item.id].percentuale is not None
    }
    missing = tuple(a.codice for a in piano.aree if a.codice not in shown)
    faulty = tuple(
        a.codice for a in piano.aree if a.codice in shown and status.get(a.codice) != "ricevuto"
    )
    return out, missing, faulty


def edition(declared: dict[str, Dichiarato], read_on: str, made_of: str) -> str:
    """The edition's name: a digest of everything an update shows (the declarations, when
    they were read, what the Piano was), so that two updates that differ in any cell never
    share a nonce, and the manifest of one already sent is never overwritten."""
    text = json.dumps(
        {
            "dichiarazioni": {
                k: [
                    str(d.percentuale),
                    d.evidenze,
                    d.valore_raggiunto,
                    d.motivo_scostamento,
                    d.stato,
                ]
                for k, d in sorted(declared.items())
            },
            "letti_il": read_on,
            "piano": made_of,
        },
        ensure_ascii=False,
    )
    return "aggiornato-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def generate_nucleo_aggiornato(cycle: Cycle) -> Aggiornato:
    """Write moduli/nucleo.xlsx with the Responsabili's declarations of the last reconcile."""
    from workbook.generate import cycle_context, write_modulo
    from workbook.results import results_paths
    from workbook.results.json import read_results

    piano, _ = load_piano(cycle.piano_path)
    record = generation_record(cycle)
    if record is None:
        raise CycleError(
            "I moduli non sono ancora stati generati: eseguire prima «valuta generate», "
            "inviarli, e «valuta reconcile» quando le Aree li restituiscono."
        )
    # As reconcile does (REC-PIANO-MODIFICATO): a Piano saved again, or its Ente acts filled
    # in at year end, is said, not refused; the update stays of the current generation.
    made_of = fingerprint(cycle, piano)
    _, data_path = results_paths(cycle, piano.ente.anno)
    data = read_results(data_path) if data_path.is_file() else None
    rel = str(data_path.relative_to(cycle.root))
    if data is None:
        raise CycleError(
            f"Mancano i risultati riconciliati ({rel}): eseguire prima «valuta reconcile» con "
            "i moduli delle Aree ricevuti, poi di nuovo questo comando."
        )
    # When reconcile wrote them, by the clock that stamped the generation (the dates inside
    # the received files are in UTC: never compared with it).
    read_on = dt.datetime.fromtimestamp(data_path.stat().st_mtime).replace(microsecond=0)
    if read_on < record[1]:
        raise CycleError(
            f"I risultati in {rel} sono precedenti all'ultima generazione dei moduli: eseguire "
            "prima «valuta reconcile», poi di nuovo questo comando."
        )
    declared, missing, faulty = declarations(data, piano)
    ctx = cycle_context(cycle, piano, record[1])
    ctx = dataclasses.replace(
        ctx,
        dichiarazioni=declared,
        dichiarato_il=f"risultati di «valuta reconcile» del {read_on:%d/%m/%Y alle %H:%M}",
    )
    password, key = cycle.secrets()
    name = edition(declared, read_on.isoformat(), made_of)
    path = write_modulo(
        ctx,
        NUCLEO,
        cycle.moduli / f"{NUCLEO}.xlsx",
        password,
        key,
        cycle.manifests,
        edizione=name,
    )
    write_text(
        cycle.nucleo_aggiornato,
        json.dumps({"edizione": name, "letti_il": read_on.isoformat()}),
    )
    return Aggiornato(
        path,
        read_on,
        sum(d.percentuale is not None for d in declared.values()),
        len(declared),
        missing,
        faulty,
        made_of != record[0],
    )
