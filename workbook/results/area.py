"""The results of one Area, for its Responsabile: built from the results JSON with xlsxwriter.

Personal data: the workbook holds only that Area's dipendenti, that Area's objectives and the
anomalies of that Area's workbook — nothing about the people of other Areas, the PO (evaluated
by the Nucleo) or the whole-Ente tables. Written in memory, deterministically (fixed creation
date, rows in the JSON's order), so that the same results give the same bytes and the
register recognises a message already sent.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from workbook.relazione import ObiettiviArea
from workbook.results.tables import ANOMALY_COLUMNS, OPTIONS, Book, Styles, cell, page_setup, table
from workbook.values import format_number

PROVVISORI = "Risultati PROVVISORI: ci sono errori da correggere, i valori possono cambiare."


def results_created(data: dict[str, Any], anno: int) -> dt.datetime:
    """When the results were elaborated (the time of the newest file reconciled, from the
    results JSON), so that the per-Area workbooks of the same results are byte-identical."""
    try:
        return dt.datetime.fromisoformat(str(data["elaborato"]))
    except (KeyError, ValueError):
        return dt.datetime(anno + 1, 1, 1)


def area_rows(data: dict[str, Any], area: str) -> list[dict[str, Any]]:
    """The Area's dipendenti, as in the results JSON."""
    return [v for v in data["valutazioni"] if v["area"] == area and v.get("ruolo") == "dipendente"]


def area_anomalies(data: dict[str, Any], area: str, responsabile: str = "") -> list[dict[str, Any]]:
    """The anomalies of the Area's own workbook. Anomalies that name someone from elsewhere, by
    name or by matricola, are left out even then: a Responsabile sees no one outside the Area."""
    mine = {v["matricola"] for v in area_rows(data, area)}
    others = [
        v
        for v in data["valutazioni"]
        if v["matricola"] not in mine and v["nominativo"] != responsabile
    ]
    names = {v["nominativo"] for v in others if v["nominativo"]}
    numbers = {v["matricola"] for v in others if v["matricola"]}
    words = (
        re.compile(r"\b(" + "|".join(map(re.escape, sorted(numbers))) + r")\b") if numbers else None
    )

    def names_someone_else(text: str) -> bool:
        return any(name in text for name in names) or bool(words and words.search(text))

    return [
        a
        for a in data["anomalie"]
        if a.get("modulo") == area and not names_someone_else(a["messaggio"])
    ]


def area_objectives(data: dict[str, Any], area: str) -> ObiettiviArea | None:
    return data["relazione"].area(area)


def area_workbook(
    data: dict[str, Any],
    area: str,
    denominazione: str,
    responsabile: str,
    *,
    provvisorio: bool,
    created: dt.datetime,
) -> bytes:
    """The .xlsx bytes of the Area's results."""
    rows = area_rows(data, area)
    objectives = area_objectives(data, area)
    anomalies = area_anomalies(data, area, responsabile)
    out = io.BytesIO()
    wb = Book(out, {"in_memory": True, **OPTIONS})
    anno = data["anno"]
    wb.set_properties(
        {
            "title": f"Risultati della valutazione {anno} – Area {area}"
            + (" (PROVVISORI)" if provvisorio else ""),
            "author": "valuta",
            "company": str(data["ente"]),
            "created": created,
        }
    )
    st = Styles(wb)
    summary = _Summary(area, denominazione, responsabile, rows, objectives, anomalies, provvisorio)
    _riepilogo(wb.add_worksheet("Riepilogo"), data, summary, st)
    _valutazioni(wb.add_worksheet("Valutazioni"), rows, st)
    _obiettivi(wb.add_worksheet("Obiettivi"), objectives, st)
    _anomalie(wb.add_worksheet("Anomalie"), anomalies, st)
    centre = "RISULTATI PROVVISORI" if provvisorio else ""
    page_setup(wb, str(data["ente"]), f"Valutazione {anno} – Area {area}", centre)
    wb.close()
    return out.getvalue()


def _table(
    ws: Any, headers: list[tuple[str, int]], rows: list[list[Any]], formats: list[Any], st: Styles
) -> None:
    """One sheet, one table; an empty value is a blank cell."""
    blanked = [[None if v == "" else v for v in row] for row in rows]
    table(ws, 0, headers, blanked, st, formats, min_width=0, filtered=True)


@dataclass(frozen=True, slots=True)
class _Summary:
    area: str
    denominazione: str
    responsabile: str
    rows: list[dict[str, Any]]
    objectives: ObiettiviArea | None
    anomalies: list[dict[str, Any]]
    provvisorio: bool


def _riepilogo(ws: Any, data: dict[str, Any], s: _Summary, st: Styles) -> None:
    area, rows, objectives, anomalies = s.area, s.rows, s.objectives, s.anomalies
    ws.set_column(0, 0, 42)
    ws.set_column(1, 1, 60)
    ws.write_string(
        0,
        0,
        f"{data['ente']} – Valutazione della performance {data['anno']}: risultati dell'Area "
        f"{area}",
        st.title,
    )
    if s.provvisorio:
        ws.write_string(1, 0, PROVVISORI, st.alert)
    else:
        ws.write_string(1, 0, "Risultati definitivi.", st.bold)
    valutati = [r for r in rows if r["stato"] == "valutato"]
    evaluator = data["relazione"].valutatore(area)  # the Relazione's own figure, not another
    media = evaluator.media_su_100 if evaluator else None
    errors = sum(a["gravita"] == "errore" for a in anomalies)
    facts: list[tuple[str, Any]] = [
        ("Area", f"{area} – {s.denominazione}"),
        ("Responsabile", s.responsabile),
        (
            "Raggiungimento degli obiettivi dell'Area (%)",
            objectives.raggiungimento if objectives else None,
        ),
        ("Dipendenti dell'Area", len(rows)),
        ("Dipendenti valutati", len(valutati)),
        ("Media del punteggio (su 100)", format_number(media, 2) if media is not None else "–"),
        ("Errori nel modulo dell'Area", errors),
        ("Avvisi sul modulo dell'Area", len(anomalies) - errors),
    ]
    for r, (label, value) in enumerate(facts, start=3):
        ws.write_string(r, 0, label, st.header)
        cell(ws, r, 1, None if value == "" else value, st.wrap)
    ws.write_string(
        len(facts) + 4,
        0,
        "Contiene dati personali dei dipendenti dell'Area: trattarli secondo la normativa sulla "
        "protezione dei dati personali e non inoltrare il file.",
        st.note,
    )


def _valutazioni(ws: Any, rows: list[dict[str, Any]], st: Styles) -> None:
    headers = [
        ("Matricola", 11),
        ("Cognome e nome", 26),
        ("Stato", 13),
        ("Motivo", 34),
        ("Punteggio", 10),
        ("Su 100", 9),
        ("Fascia", 14),
        ("Premio (%)", 10),
        ("Premio (€)", 12),
    ]
    values = [
        [
            r["matricola"],
            r["nominativo"],
            r["stato"],
            r["motivo"],
            r["punteggio"],
            r["punteggio_su_100"],
            r["fascia"],
            r["premio_percentuale"],
            r["premio_euro"],
        ]
        for r in rows
    ]
    w, n, e = st.wrap, st.number, st.euro
    formats = [w, w, w, w, n, n, w, n, e]
    # The parts of each one's euros, where the Sistema's rules make more than one (as in the
    # Valutazioni sheet of the whole results).
    parts = [
        key
        for key in ("organizzativa", "maggiorazione")
        if any((r.get("premi") or {}).get(key) for r in rows)
    ]
    if parts:
        parts.append("individuale")
        headers += [(f"di cui {key} (€)", 12) for key in parts]
        for row, r in zip(values, rows, strict=True):
            row += [(r.get("premi") or {}).get(key) for key in parts]
        formats += [e] * len(parts)
    _table(ws, headers, values, formats, st)


def _obiettivi(ws: Any, objectives: ObiettiviArea | None, st: Styles) -> None:
    headers = [
        ("Codice", 10),
        ("Tipo", 12),
        ("Descrizione", 60),
        ("Peso", 7),
        ("Dichiarato (%)", 11),
        ("Validato (%)", 11),
        ("Raggiungimento (%)", 13),
        ("Fonte", 22),
        ("Punti", 8),
    ]
    items = objectives.obiettivi if objectives else ()
    values = [
        [
            o.codice,
            o.tipo,
            o.descrizione,
            o.peso,
            o.dichiarato,
            o.validato,
            o.raggiungimento,
            o.fonte,
            o.punti,
        ]
        for o in items
    ]
    w, n = st.wrap, st.number
    _table(ws, headers, values, [w, w, w, n, n, n, n, w, n], st)


def _anomalie(ws: Any, anomalies: list[dict[str, Any]], st: Styles) -> None:
    headers = [(label, width) for label, width, _ in ANOMALY_COLUMNS]
    values = [[a.get(key, "") for _, _, key in ANOMALY_COLUMNS] for a in anomalies]
    _table(ws, headers, values, [st.wrap] * len(headers), st)
