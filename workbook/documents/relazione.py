"""`valuta relazione` and `valuta validazione`: the drafts of the Relazione sulla performance
(D.Lgs. 150/2009 art. 10 c.1 b) and of the Nucleo's documento di validazione (art. 14 c.4 c)
in `risultati/`, from the reconciled results and the templates of `modelli/`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook.cycle import Cycle
from workbook.documents.contesto import (
    PROVVISORIO,
    date_text,
    ente_fields,
    eq_labels,
    euro,
    given,
    number,
    percent,
    relazione_context,
)
from workbook.documents.modello import RELAZIONE, VALIDAZIONE
from workbook.documents.render import load_results, render, template_path
from workbook.lingua import conta
from workbook.piano.model import Piano
from workbook.relazione import Fondo, Relazione
from workbook.results.workbook import funds_of


@dataclass(frozen=True, slots=True)
class Documento:
    path: Path
    provvisorio: bool
    segnaposto: int  # highlighted parts left for a person to write


def relazione_path(cycle: Cycle, anno: int, provvisorio: bool) -> Path:
    return cycle.risultati / f"relazione-{anno}{'-PROVVISORIA' if provvisorio else ''}.docx"


def validazione_path(cycle: Cycle, anno: int, provvisorio: bool) -> Path:
    return cycle.risultati / f"validazione-{anno}{'-PROVVISORIA' if provvisorio else ''}.docx"


def write_relazione(cycle: Cycle, *, provvisorio: bool = False) -> Documento:
    data, piano = load_results(cycle, provvisorio, "la Relazione sulla performance")
    provisional = not data["stato"]["definitivo"]
    context = relazione_context(data, piano, provisional)
    target = relazione_path(cycle, piano.ente.anno, provisional)
    render(cycle, template_path(cycle, RELAZIONE), context, target)
    return Documento(target, provisional, count_placeholders(target))


def write_validazione(cycle: Cycle, *, provvisorio: bool = False) -> Documento:
    data, piano = load_results(cycle, provvisorio, "il documento di validazione")
    provisional = not data["stato"]["definitivo"]
    context = validazione_context(data, piano, provisional)
    target = validazione_path(cycle, piano.ente.anno, provisional)
    render(cycle, template_path(cycle, VALIDAZIONE), context, target)
    return Documento(target, provisional, count_placeholders(target))


def count_placeholders(path: Path) -> int:
    """The highlighted runs of a document (Word's highlight, or docxtpl's shading): what is
    left for a person to write."""
    from docx import Document
    from docx.oxml.ns import qn

    body = Document(str(path)).element.body
    marks = (qn("w:highlight"), qn("w:shd"))
    count = 0
    for run in body.iter(qn("w:r")):
        props = run.find(qn("w:rPr"))
        text = "".join(t.text or "" for t in run.iter(qn("w:t")))
        if props is not None and any(props.find(m) is not None for m in marks) and "[" in text:
            count += 1
    return count


# --- the validation --------------------------------------------------------------------------


def validazione_context(data: dict[str, Any], piano: Piano, provvisorio: bool) -> dict[str, Any]:
    """The checks the Nucleo signs off, pre-filled from the results (docs/relazione.md)."""
    r: Relazione = data["relazione"]
    return {
        **ente_fields(piano),
        "provvisorio": provvisorio,
        "avviso_provvisorio": PROVVISORIO if provvisorio else "",
        "elaborato": date_text(data["elaborato"]),
        "verifiche": [_check(v, e, ok) for v, e, ok in _checks(data, r, piano.sistema.sigla_eq)],
        "sintesi": [
            {"dato": d, "valore": v}
            for d, v in (
                ("Aree", str(r.n_aree)),
                (f"{eq_labels(piano)[1]} valutate", str(r.n_posizioni_organizzative)),
                ("Dipendenti valutati", str(r.n_dipendenti_valutati)),
                ("Dipendenti non valutati", str(r.n_dipendenti_non_valutati)),
                ("Media del punteggio dei dipendenti (su 100)", number(r.media_punteggio_su_100)),
                ("Performance organizzativa dell'Ente", percent(r.performance_organizzativa)),
                *(
                    (
                        f"{name}: distribuita su stanziata",
                        f"{euro(f.distribuita)} su {euro(f.stanziata)}",
                    )
                    for name, f in funds_of(r, piano.sistema.sigla_eq)
                    if f is not None and f.stanziata and not name.startswith("–")
                ),
            )
        ],
        "firme": [m.strip() for m in piano.ente.nucleo_componenti.split(";") if m.strip()]
        or ["Il Presidente"],
    }


def _check(verifica: str, esito: str, ok: bool) -> dict[str, Any]:
    note = "Sì" if ok else "da verificare: motivare"
    return {"verifica": verifica, "esito": esito, "note": given("", note)}


def _checks(data: dict[str, Any], r: Relazione, sigla: str) -> list[tuple[str, str, bool]]:
    stato = data["stato"]
    errors = sum(a.get("gravita") == "errore" for a in data["anomalie"])
    warnings = sum(a.get("gravita") == "avviso" for a in data["anomalie"])
    objectives = [o for a in r.obiettivi for o in a.obiettivi]
    lowered = [o for o in objectives if _lower(o.validato, o.dichiarato)]
    not_validated = [o for o in objectives if o.validato is None]
    flat = [d for d in r.differenziazione if d.n_valutati > 1 and d.fasce_utilizzate <= 1]
    funds = [(n, f) for n, f in funds_of(r, sigla) if f is not None]
    overspent = [n for n, f in funds if f.distribuita > f.stanziata or not _balanced(f)]
    return [
        (
            "Coerenza tra la Relazione e i moduli di valutazione",
            f"Moduli attesi: {len(stato['attesi'])}; ricevuti: {len(stato['ricevuti'])}; "
            f"{conta(errors, 'errore', 'errori')} e {conta(warnings, 'avviso', 'avvisi')}. "
            "Ogni punteggio è ricalcolato dai valori inseriti nei moduli, non dalle formule.",
            errors == 0 and not stato["mancanti"],
        ),
        (
            "Raggiungimento degli obiettivi validato dal Nucleo",
            f"{conta(len(objectives), 'obiettivo', 'obiettivi')}; "
            f"{len(not_validated)} senza validazione; {len(lowered)} validati con un "
            "raggiungimento inferiore a quello dichiarato dal Responsabile.",
            not not_validated,
        ),
        (
            "Differenziazione dei giudizi (art. 9, c. 1, lett. d, D.Lgs. 150/2009)",
            "; ".join(
                f"{d.valutatore}: fasce utilizzate {d.fasce_utilizzate}, "
                f"{percent(d.quota_fascia_massima)} nella fascia più alta"
                for d in r.differenziazione
            )
            or "nessun valutatore",
            not flat,
        ),
        (
            "Distribuzione dei premi entro i fondi",
            "; ".join(
                f"{n}: distribuita {euro(f.distribuita)} + residuo {euro(f.residuo)} = "
                f"stanziata {euro(f.stanziata)}"
                for n, f in funds
                if f.stanziata
            )
            or "nessun fondo stanziato",
            not overspent,
        ),
        (
            "Personale non valutato e valutazioni negative",
            conta(r.n_dipendenti_non_valutati, "dipendente non valutato", "dipendenti non valutati")
            + ", ciascuno con il motivo; "
            + conta(len(r.valutazioni_negative), "valutazione negativa", "valutazioni negative")
            + ".",
            all(n.motivo for n in r.non_valutati),
        ),
    ]


def _lower(validato: Decimal | None, dichiarato: Decimal | None) -> bool:
    return validato is not None and dichiarato is not None and validato < dichiarato


def _balanced(f: Fondo) -> bool:
    return f.distribuita + f.residuo == f.stanziata
