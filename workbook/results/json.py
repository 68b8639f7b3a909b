"""The results as JSON (`risultati/risultati-<anno>.json`), exact to the cent, and the one
loader that reads them back for the mail commands."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook.contract import compilatore
from workbook.reconcile.aggregate import service_weight
from workbook.reconcile.outcome import Outcome, Valutazione
from workbook.reconcile.versions import module_of_file
from workbook.relazione import Relazione, from_json
from workbook.results.trasparenza import tables


def to_json(obj: Any) -> str:
    """JSON with exact decimals: a Decimal is written as its digits (euro amounts keep their
    two decimals), through the C encoder. Decimals travel as strings tagged with a random
    marker, then lose their quotes; no text from a received file can carry the marker."""
    marker = f"\x00{uuid.uuid4().hex}"

    def default(value: object) -> str:
        if isinstance(value, Decimal):
            return marker + format(value, "f")
        raise TypeError(type(value).__name__)

    text = json.dumps(obj, ensure_ascii=False, default=default, separators=(",", ":"))
    escaped = json.dumps(marker)[1:-1]  # the marker as json writes it: \u0000…
    return re.sub('"' + re.escape(escaped) + r'(-?[0-9]+(?:\.[0-9]+)?)"', r"\1", text)


def read_results(path: Path) -> dict[str, Any] | None:
    """The results JSON of the last `valuta reconcile`, numbers as Decimal and the Relazione's
    tables rebuilt (relazione.from_json); None when it is missing, unreadable or from another
    version of valuta."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        complete = isinstance(data.get("stato"), dict) and "definitivo" in data["stato"]
        complete &= all(
            isinstance(data.get(k), list) for k in ("moduli", "anomalie", "valutazioni")
        )
        if complete:
            data["relazione"] = from_json(data["relazione"])
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return None
    return data if complete else None


def _pct(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.normalize() if value == value.to_integral() else value


def results_data(outcome: Outcome, relazione: Relazione) -> dict[str, Any]:
    """Everything of the results JSON but «valutazioni» (see `results_chunks`)."""
    piano = outcome.piano
    expected = [s.modulo for s in outcome.moduli]
    received = [s.modulo for s in outcome.moduli if s.stato != "mancante"]
    owner = module_of_file(outcome.verifiche, expected)
    anomalies = [{**a.as_dict(), "modulo": owner.get(a.file, "")} for a in outcome.anomalie]
    return {
        "ente": piano.ente.denominazione,
        "anno": piano.ente.anno,
        # The newest file taken into account (not the clock): identical inputs, identical JSON.
        "elaborato": outcome.elaborato.isoformat(timespec="seconds"),
        "stato": {
            "attesi": expected,
            "ricevuti": received,
            "mancanti": [m for m in expected if m not in received],
            "con_errori": [s.modulo for s in outcome.moduli if s.stato == "con errori"],
            "definitivo": not outcome.ha_errori,
        },
        "moduli": [
            {
                "modulo": s.modulo,
                "compilato_da": s.chi,
                "email": compilatore(piano, s.modulo).email,
                "stato": s.stato,
                "file": s.versione.documento.etichetta if s.versione else "",
                "errori": s.n_errori,
                "avvisi": s.n_avvisi,
            }
            for s in outcome.moduli
        ],
        "anomalie": anomalies,
        "relazione": relazione.to_json(),
        # The tables of Amministrazione trasparente, as written in risultati/trasparenza/.
        "trasparenza": [
            {"file": t.file, "titolo": t.titolo, "colonne": list(t.colonne), "righe": t.righe}
            for t in tables(outcome, relazione)
        ],
    }


def results_chunks(outcome: Outcome, relazione: Relazione) -> Iterator[str]:
    """The results JSON, in pieces to write one after the other: `results_data` and, last,
    «valutazioni», each person serialised on their own, so that the people (with every item
    of their scheda) are never all held at once — the moment of reconcile's peak memory."""
    head = to_json(results_data(outcome, relazione))
    yield head[:-1] + ',"valutazioni":['
    people = outcome.valutazioni
    for start in range(0, len(people), BATCH):
        batch = [_valutazione(v, relazione, outcome) for v in people[start : start + BATCH]]
        yield ("," if start else "") + to_json(batch)[1:-1]
    yield "]}\n"


BATCH = 500  # people serialised together: few calls, and never all of them held at once


def _valutazione(v: Valutazione, relazione: Relazione, outcome: Outcome) -> dict[str, Any]:
    regole = outcome.piano.sistema.premi
    return {
        "matricola": v.persona.matricola,
        "nominativo": v.persona.nominativo,
        "genere": v.persona.genere,
        "area": v.area,
        "ruolo": v.ruolo,
        "categoria": v.persona.categoria,
        "valutatore": v.valutatore,
        "scheda": v.scheda.codice if v.scheda else None,
        "stato": v.stato,
        "motivo": v.motivo,
        "punteggio": v.punteggio,
        "punteggio_su_100": v.su_100,
        "fascia": v.fascia.etichetta if v.fascia else None,
        "premio_percentuale": _pct(v.premio_percentuale),
        "premio_euro": relazione.premi.get(v.persona.matricola),
        "premi": relazione.premi_parti.get(v.persona.matricola),
        "peso_servizio": _peso(v, outcome),
        "coefficiente": regole.coefficiente(v.persona.categoria),
        "voci": voci(v),
    }


def _peso(v: Valutazione, outcome: Outcome) -> Decimal:
    """w (aggregate.service_weight), to six decimals: exact in the computation, shown
    rounded."""
    w = service_weight(outcome, v)
    return (Decimal(w.numerator) / Decimal(w.denominator)).quantize(Decimal("0.000001"))


def voci(v: Valutazione) -> list[dict[str, Any]]:
    """Every item of the person's scheda with its maximum and the points earned (None while
    it cannot be computed): what an appeal, or next year's history, needs."""
    if v.scheda is None:
        return []
    points = v.risultato.voci if v.risultato else {}
    return [
        {
            "codice": voce.codice,
            "titolo": voce.titolo,
            "tipo": voce.tipo,
            "massimo": voce.massimo,
            "punti": points.get(voce.codice),
        }
        for voce in v.scheda.voci
    ]
