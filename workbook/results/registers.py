"""The ledger of arrivals, `archivio/registro.csv`: one row for every arrival of every
received file and part — what it is, from whom, when (certified, for a PEC), and what became
of it (used, superseded, discarded, a duplicate, to examine, set aside)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from workbook.anomalies import Gravita
from workbook.cycle import Cycle
from workbook.files import csv_text, read_csv
from workbook.reconcile.ingest import MESSAGGIO, PEC, RICEVUTA, Arrivo, Elemento
from workbook.reconcile.outcome import Outcome


def ledger_rows(outcome: Outcome) -> list[dict[str, str]]:
    chosen = {id(s.versione): s for s in outcome.moduli if s.versione is not None}
    verdicts = {id(v.documento): v for v in outcome.verifiche}
    rows = []
    for doc in outcome.documenti:
        v = verdicts.get(id(doc))
        if doc.esame is not None or v is None:
            state = "esaminato"
            note = f"messo da parte il {doc.esame.data}: {doc.esame.nota}" if doc.esame else ""
        elif id(v) in chosen:
            state = "usato" if v.usabile else "scartato"
            note = "" if v.usabile else "errori nel contenuto protetto"
        elif v.modulo and v.corrente:
            state, note = "superato", "versione precedente"
        else:
            state = "scartato"
            errors = [a.codice.code for a in v.anomalie if a.gravita is Gravita.ERRORE]
            note = ", ".join(dict.fromkeys(errors)) or "non leggibile"
        for i, arrival in enumerate(doc.arrivi):
            rows.append(
                {
                    "sha256": doc.sha256,
                    "archivio": doc.archivio,
                    "natura": "foglio di calcolo",
                    **arrival_row(arrival),
                    "stato": state if i == 0 else "duplicato",
                    "modulo": (v.modulo or "") if v else "",
                    "note": note.strip(": ")
                    if i == 0
                    else f"stesso contenuto di {doc.primo.origine}",
                }
            )
    return rows + element_rows(outcome.elementi)


LEDGER_FIELDS = (
    "sha256",
    "archivio",
    "origine",
    "nome",
    "natura",
    "mittente",
    "oggetto",
    "data",
    "pec_mittente",
    "pec_data",
    "pec_tipo",
    "stato",
    "modulo",
    "note",
)


def arrival_row(arrival: Arrivo) -> dict[str, str]:
    return {
        "origine": arrival.origine,
        "nome": arrival.nome,
        "mittente": arrival.mittente,
        "oggetto": arrival.oggetto,
        "data": arrival.data.isoformat(sep=" ") if arrival.data else "",
        "pec_mittente": arrival.pec_mittente,
        "pec_data": arrival.pec_data.isoformat(sep=" ") if arrival.pec_data else "",
        "pec_tipo": arrival.pec_tipo,
    }


def element_rows(elementi: list[Elemento]) -> list[dict[str, str]]:
    rows = []
    for e in elementi:
        if e.esame is not None:
            state, note = "esaminato", f"messo da parte il {e.esame.data}: {e.esame.nota}"
        elif e.da_esaminare:
            state, note = "da esaminare", e.dettaglio
        elif e.natura in (MESSAGGIO, PEC, RICEVUTA):
            state, note = "messaggio", ""
        else:
            state, note = "non pertinente", e.dettaglio
        rows.append(
            {
                "sha256": e.sha256,
                "archivio": e.archivio,
                "natura": e.natura,
                **arrival_row(e.arrivo),
                "stato": state,
                "note": note.strip(": "),
            }
        )
    return rows


def ledger_text(cycle: Cycle, rows: list[dict[str, str]]) -> tuple[Path, str]:
    """This run's arrivals merged into `archivio/registro.csv` (semicolons, as Italian Excel
    expects): arrivals no longer in `ricevuti/` keep their row. The ledger is read back also
    after Excel saved it again (Windows-1252, commas); one that cannot be read at all is kept
    aside as `registro-illeggibile-<date>.csv` rather than lost."""
    path = cycle.registro
    old: dict[tuple[str, str], dict[str, str]] = {}
    if path.exists():
        try:
            for row in read_csv(path):
                old[(row.get("sha256", ""), row.get("origine", ""))] = row
        except (OSError, ValueError):
            aside = path.with_name(f"registro-illeggibile-{dt.date.today():%Y%m%d}.csv")
            if not aside.exists():
                os.replace(path, aside)
    current = {(r["sha256"], r["origine"]): r for r in rows}
    for key, row in old.items():
        if key not in current:
            row = dict(row)
            if "non più in ricevuti" not in row.get("note", ""):
                row["note"] = (row.get("note", "") + " (non più in ricevuti/)").strip()
            current[key] = row
    order = sorted(current, key=lambda k: (current[k].get("origine", ""), k[0]))
    return path, csv_text(LEDGER_FIELDS, [current[k] for k in order])
