"""The results: `risultati/risultati-<anno>.xlsx` and `.json`, and the ledger of arrivals.

Written atomically (a crash never leaves a half-written file) and deterministically (the same
inputs give the same bytes: fixed creation date, everything sorted). Text that came from the
received files is always written as text, never as a formula.
"""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from workbook.anomalies import Gravita
from workbook.cycle import Cycle
from workbook.files import Commit
from workbook.reconcile.ingest import arrival_row, element_rows, ledger_text
from workbook.reconcile.outcome import Outcome, Valutazione
from workbook.reconcile.versions import module_of_file
from workbook.relazione import Fondo, Relazione, from_json
from workbook.values import cell_text, format_number

# --- JSON -------------------------------------------------------------------------------------


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
                "email": (
                    piano.ente.email_nucleo if s.modulo == "nucleo" else piano.area(s.modulo).email
                ),
                "stato": s.stato,
                "file": s.versione.documento.etichetta if s.versione else "",
                "errori": s.n_errori,
                "avvisi": s.n_avvisi,
            }
            for s in outcome.moduli
        ],
        "anomalie": anomalies,
        "relazione": relazione.to_json(),
        "valutazioni": [_valutazione(v, relazione) for v in outcome.valutazioni],
    }


def _valutazione(v: Valutazione, relazione: Relazione) -> dict[str, Any]:
    return {
        "matricola": v.persona.matricola,
        "nominativo": v.persona.nominativo,
        "genere": v.persona.genere,
        "area": v.area,
        "ruolo": v.ruolo,
        "valutatore": v.valutatore,
        "stato": v.stato,
        "motivo": v.motivo,
        "punteggio": v.punteggio,
        "punteggio_su_100": v.su_100,
        "fascia": v.fascia.etichetta if v.fascia else None,
        "premio_percentuale": _pct(v.premio_percentuale),
        "premio_euro": relazione.premi.get(v.persona.matricola),
    }


# --- the workbook -----------------------------------------------------------------------------


class _Styles:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        border = {"border": 1, "border_color": "#A6A6A6"}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.heading = wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F4E79"})
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter", **border}
        )
        self.text = wb.add_format({"valign": "top", **border})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top", **border})
        self.number = wb.add_format({"num_format": "0.##", "valign": "top", **border})
        self.euro = wb.add_format({"num_format": "€ #,##0.00", "valign": "top", **border})
        self.bold = wb.add_format({"bold": True})
        self.error = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", **border})
        self.warning = wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C", **border})
        self.ok = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE", **border})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})


def _cell(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, Decimal):
        ws.write_number(row, col, float(value), fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "sì" if value else "no", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, cell_text(str(value)), fmt)


def _table(
    ws: Any,
    row: int,
    headers: list[tuple[str, int]],
    rows: list[list[Any]],
    st: _Styles,
    formats: list[Any] | None = None,
    widths: bool = True,
) -> int:
    """A table with its header; returns the row after it and a blank one. `widths=False` on
    a sheet of several tables, whose column widths are set once for all."""
    for col, (label, width) in enumerate(headers):
        ws.write_string(row, col, label, st.header)
        if widths:
            ws.set_column(col, col, max(width, 8))
    for r, values in enumerate(rows, start=row + 1):
        for col, value in enumerate(values):
            fmt = (
                formats[col] if formats else (st.number if isinstance(value, Decimal) else st.wrap)
            )
            _cell(ws, r, col, value, fmt)
    return row + len(rows) + 2


def write_workbook(path: Path, outcome: Outcome, relazione: Relazione) -> None:
    piano = outcome.piano
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {
            "title": f"Risultati della valutazione {piano.ente.anno}",
            "author": "valuta",
            "company": piano.ente.denominazione,
            "created": outcome.elaborato,
        }
    )
    st = _Styles(wb)
    _riepilogo(wb.add_worksheet("Riepilogo"), outcome, st)
    _anomalie(wb.add_worksheet("Anomalie"), outcome, st)
    _relazione(wb, wb.add_worksheet("Relazione"), outcome, relazione, st)
    _valutazioni(wb.add_worksheet("Valutazioni"), outcome, relazione, st)
    _obiettivi(wb.add_worksheet("Obiettivi"), outcome, st)
    _premi(wb.add_worksheet("Premi"), outcome, relazione, st)
    for ws in wb.worksheets():
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_header(
            f"&L{piano.ente.denominazione.replace('&', '&&')}&RValutazione {piano.ente.anno}"
        )
        ws.set_footer("&L&A&RPagina &P di &N")
    wb.close()


def _riepilogo(ws: Any, outcome: Outcome, st: _Styles) -> None:
    piano = outcome.piano
    ws.write_string(
        0,
        0,
        f"{piano.ente.denominazione} – Valutazione della performance "
        f"{piano.ente.anno}: riepilogo dei moduli",
        st.title,
    )
    errors = sum(a.gravita is Gravita.ERRORE for a in outcome.anomalie)
    warnings = len(outcome.anomalie) - errors
    verdict = (
        "Risultati PROVVISORI: ci sono errori da correggere (foglio Anomalie)."
        if errors
        else "Nessun errore: i risultati sono definitivi."
    )
    ws.write_string(
        1,
        0,
        f"{verdict} Errori: {errors}; avvisi: {warnings}. Elaborazione "
        f"dei moduli ricevuti fino al {outcome.elaborato:%d/%m/%Y %H:%M}.",
        st.bold,
    )
    rows = []
    for s in outcome.moduli:
        v = s.versione
        rows.append(
            [
                s.modulo,
                s.chi,
                s.stato,
                v.documento.etichetta if v else "",
                v.quando.strftime("%d/%m/%Y %H:%M") if v and v.salvato else "",
                ", ".join(v.documento.mittenti) if v else "",
                s.n_errori,
                s.n_avvisi,
            ]
        )
    headers = [
        ("Modulo", 10),
        ("Compilato da", 40),
        ("Stato", 12),
        ("File usato", 50),
        ("Salvato il", 16),
        ("Mittente", 30),
        ("Errori", 8),
        ("Avvisi", 8),
    ]
    row = 3
    for col, (label, width) in enumerate(headers):
        ws.write_string(row, col, label, st.header)
        ws.set_column(col, col, width)
    for r, values in enumerate(rows, start=row + 1):
        for col, value in enumerate(values):
            fmt = st.wrap
            if col == 2:
                fmt = {"ricevuto": st.ok, "mancante": st.error}.get(value, st.warning)
            _cell(ws, r, col, value, fmt)
    ws.freeze_panes(row + 1, 0)


def _anomalie(ws: Any, outcome: Outcome, st: _Styles) -> None:
    headers = [
        ("Gravità", 9),
        ("Codice", 30),
        ("File", 45),
        ("Foglio", 14),
        ("Cella", 9),
        ("Messaggio", 90),
    ]
    for col, (label, width) in enumerate(headers):
        ws.write_string(0, col, label, st.header)
        ws.set_column(col, col, width)
    for r, a in enumerate(outcome.anomalie, start=1):
        d = a.as_dict()
        fmt = st.error if a.gravita is Gravita.ERRORE else st.warning
        for col, key in enumerate(("gravita", "codice", "file", "foglio", "cella", "messaggio")):
            ws.write_string(r, col, str(d[key]), fmt if col == 0 else st.wrap)
    ws.autofilter(0, 0, max(len(outcome.anomalie), 1), len(headers) - 1)
    ws.freeze_panes(1, 0)


def _amounts(fondo: Fondo) -> list[Decimal]:
    return [fondo.stanziata, fondo.distribuita, fondo.residuo]


def _n(value: Decimal | None) -> str:
    return format_number(value, 2) if value is not None else "–"


def _relazione(wb: Any, ws: Any, outcome: Outcome, relazione: Relazione, st: _Styles) -> None:
    t = relazione
    piano = outcome.piano
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 9, 17)
    ws.write_string(
        0,
        0,
        f"{piano.ente.denominazione} – Relazione sulla performance anno {piano.ente.anno}",
        st.title,
    )
    if outcome.ha_errori:
        ws.write_string(1, 0, "Dati PROVVISORI: vedere il foglio Anomalie.", st.bold)
    row = 3
    ws.write_string(row, 0, "PERFORMANCE INDIVIDUALE", st.heading)
    ws.write_string(
        row + 1, 0, "Sintesi valutazione del Personale di Posizione Organizzativa", st.bold
    )
    ws.write_string(row + 2, 0, f"N. Aree dell'Ente assegnate: {t.n_aree}")
    ws.write_string(row + 3, 0, f"N. Posizioni organizzative: {t.n_posizioni_organizzative}")
    row = _table(
        ws,
        row + 5,
        [
            ("Matricola", 12),
            ("Nominativo", 24),
            ("Area", 12),
            ("Punteggio su 100", 14),
            ("Fascia", 14),
            ("Premio (%)", 12),
            ("Stato", 14),
        ],
        [
            [
                p.matricola,
                p.nominativo,
                p.area,
                p.punteggio_su_100,
                p.fascia,
                p.premio_percentuale,
                p.stato,
            ]
            for p in t.posizioni_organizzative
        ],
        st,
        widths=False,
    )
    ws.write_string(row, 0, "Sintesi di valutazione del resto del personale", st.bold)
    ws.write_string(row + 1, 0, f"N. dipendenti valutati: n. {t.n_dipendenti_valutati}.")
    ws.write_string(row + 2, 0, f"N. dipendenti non valutati: {t.n_dipendenti_non_valutati}.")
    row += 3
    if t.non_valutati:
        row = _table(
            ws,
            row,
            [("Matricola", 12), ("Nominativo", 24), ("Area", 12), ("Motivo", 60)],
            [[n.matricola, n.nominativo, n.area, n.motivo] for n in t.non_valutati],
            st,
            widths=False,
        )
    bands = t.fasce
    band_row = row
    ws.write_string(band_row, 0, "Fascia di punteggio", st.header)
    ws.write_string(band_row + 1, 0, "Premio (%)", st.header)
    ws.write_string(band_row + 2, 0, "N. dipendenti", st.header)
    for col, band in enumerate(bands, start=1):
        label = (
            f"Valutazione fino a {format_number(band.a)} punti"
            if band.da == 0
            else f"Valutazione compresa tra {format_number(band.da)} e "
            f"{format_number(band.a)} punti"
        )
        ws.write_string(band_row, col, label, st.header)
        ws.write_string(band_row + 1, col, f"{format_number(band.premio_percentuale)}%", st.text)
        ws.write_number(band_row + 2, col, band.n_dipendenti, st.text)
    ws.set_row(band_row, 45)
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "N. dipendenti",
            "categories": ["Relazione", band_row, 1, band_row, len(bands)],
            "values": ["Relazione", band_row + 2, 1, band_row + 2, len(bands)],
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": "Distribuzione dei dipendenti per fascia di punteggio"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"name": "Dipendenti", "major_gridlines": {"visible": True}})
    ws.insert_chart(band_row + 4, 1, chart, {"x_scale": 1.4, "y_scale": 1.0})
    row = band_row + 20
    ws.write_string(row, 0, f"MEDIA PUNTEGGIO: {_n(t.media_punteggio_su_100)} (SU 100)", st.heading)
    row += 2
    ws.write_string(row, 0, "PERFORMANCE ORGANIZZATIVA COMPLESSIVA DELL'ENTE", st.heading)
    row = _table(
        ws,
        row + 1,
        [("Area", 12), ("Denominazione", 50), ("Raggiungimento (%)", 16)],
        [[o.area, o.denominazione, o.raggiungimento] for o in t.obiettivi],
        st,
        widths=False,
    )
    ws.write_string(
        row,
        0,
        f"Performance organizzativa complessiva (%): {_n(t.performance_organizzativa)}",
        st.bold,
    )
    row += 2
    ws.write_string(row, 0, "BILANCIO DI GENERE", st.heading)
    labels = [b.etichetta for b in bands]
    row = _table(
        ws,
        row + 1,
        [
            ("Genere", 10),
            ("Dipendenti", 12),
            ("Valutati", 10),
            ("Media su 100", 12),
            *[(lb, 12) for lb in labels],
            ("Premi (€)", 14),
        ],
        [
            [
                g.genere,
                g.n_dipendenti,
                g.n_valutati,
                g.media_su_100,
                *[b.n for b in g.fasce],
                g.premi_euro,
            ]
            for g in t.genere
        ],
        st,
        widths=False,
    )
    ws.write_string(
        row, 0, "RAFFRONTO TRA PREMIALITA' STANZIATA E PREMIALITA' DISTRIBUITA", st.heading
    )
    row = _table(
        ws,
        row + 1,
        [("Fondo", 34), ("Stanziata (€)", 16), ("Distribuita (€)", 16), ("Residuo (€)", 16)],
        [
            ["Produttività dei dipendenti", *_amounts(t.premialita)],
            ["Risultato delle PO", *_amounts(t.risultato_po)],
        ],
        st,
        [st.wrap, st.euro, st.euro, st.euro],
        widths=False,
    )
    ws.write_string(row, 0, "DIFFERENZIAZIONE DEI GIUDIZI PER VALUTATORE", st.heading)
    _table(
        ws,
        row + 1,
        [
            ("Valutatore", 34),
            ("Valutati", 10),
            ("Media su 100", 12),
            ("Scarto quadratico medio", 14),
            ("Minimo", 10),
            ("Massimo", 10),
            ("Fasce utilizzate", 12),
            ("% nella fascia più alta", 14),
        ],
        [
            [
                d.valutatore,
                d.n_valutati,
                d.media_su_100,
                d.scarto_quadratico_medio,
                d.minimo,
                d.massimo,
                d.fasce_utilizzate,
                d.quota_fascia_massima,
            ]
            for d in t.differenziazione
        ],
        st,
        widths=False,
    )


def _valutazioni(ws: Any, outcome: Outcome, relazione: Relazione, st: _Styles) -> None:
    """One row per person. Some 20,000 rows in the largest Comuni: every cell costs, so empty
    ones are not written and part-time and days of service only when not the full ones."""
    headers = [
        ("Matricola", 11),
        ("Cognome e nome", 26),
        ("Genere", 7),
        ("Categoria", 9),
        ("Area", 9),
        ("Ruolo", 10),
        ("Stato", 13),
        ("Punteggio", 10),
        ("Su 100", 9),
        ("Fascia", 12),
        ("Premio (%)", 10),
        ("Premio (€)", 12),
        ("Part-time (%)", 10),
        ("Giorni di servizio", 10),
        ("Motivo", 40),
    ]
    for col, (label, width) in enumerate(headers):
        ws.write_string(0, col, label, st.header)
        ws.set_column(col, col, width)
    text, number, euro = st.text, st.number, st.euro
    # xlsxwriter's public writers first run an A1-notation wrapper; with numeric coordinates
    # the underscored ones are the same writers, without it (a fifth of the time here).
    write_string, write_number = ws._write_string, ws._write_number
    for row, v in enumerate(outcome.valutazioni, start=1):
        p = v.persona
        write_string(row, 0, p.matricola, text)
        write_string(row, 1, p.nominativo, text)
        write_string(row, 2, p.genere, text)
        write_string(row, 3, p.categoria, text)
        write_string(row, 4, v.area, text)
        write_string(row, 5, "PO" if v.ruolo == "po" else "dipendente", text)
        write_string(row, 6, v.stato, text)
        if v.risultato is not None and v.risultato.totale is not None:
            write_number(row, 7, float(v.risultato.totale), number)
            write_number(row, 8, float(v.risultato.su_100), number)  # type: ignore[arg-type]
            write_string(row, 9, v.risultato.fascia.etichetta, text)  # type: ignore[union-attr]
            write_number(row, 10, float(v.risultato.premio), number)  # type: ignore[arg-type]
        premio = relazione.premi.get(p.matricola)
        if premio is not None:
            write_number(row, 11, float(premio), euro)
        if p.part_time != 100:
            write_number(row, 12, float(p.part_time), number)
        if v.giorni_servizio != v.giorni_anno:
            write_number(row, 13, v.giorni_servizio, number)
        if v.motivo:
            write_string(row, 14, v.motivo, text)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(outcome.valutazioni), len(headers) - 1)


def _obiettivi(ws: Any, outcome: Outcome, st: _Styles) -> None:
    headers = [
        ("Area", 9),
        ("Codice", 10),
        ("Tipo", 11),
        ("Descrizione", 50),
        ("Peso", 7),
        ("Dichiarato (%)", 11),
        ("Validato (%)", 11),
        ("Raggiungimento (%)", 13),
        ("Fonte", 22),
        ("Punti", 8),
        ("Relazione / evidenze", 60),
    ]
    rows = [
        [
            o.obiettivo.area,
            o.obiettivo.obiettivo.codice,
            o.obiettivo.obiettivo.tipo,
            o.obiettivo.obiettivo.descrizione,
            o.obiettivo.obiettivo.peso,
            o.dichiarato,
            o.validato,
            o.raggiungimento,
            o.fonte,
            o.punti,
            o.evidenze,
        ]
        for o in outcome.obiettivi
    ]
    _table(ws, 0, headers, rows, st)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(rows), len(headers) - 1)


def _premi(ws: Any, outcome: Outcome, relazione: Relazione, st: _Styles) -> None:
    """The funds and how they were shared out, by Area (each person's amount is on the
    Valutazioni sheet)."""
    t = relazione
    ws.write_string(0, 0, "Ripartizione dei fondi", st.title)
    ws.write_string(
        1,
        0,
        "Quota piena = fondo × (part-time × giorni di servizio) / somma delle "
        "stesse quantità di tutti i valutabili; premio = quota piena × premio "
        "della fascia. Importi arrotondati al centesimo per difetto; i "
        "centesimi residui vanno ai resti maggiori. Gli importi di ogni "
        "persona sono nel foglio Valutazioni.",
        st.note,
    )
    row = _table(
        ws,
        3,
        [("Fondo", 30), ("Stanziata (€)", 14), ("Distribuita (€)", 14), ("Residuo (€)", 14)],
        [
            ["Produttività dei dipendenti", *_amounts(t.premialita)],
            ["Risultato delle PO", *_amounts(t.risultato_po)],
        ],
        st,
        [st.wrap, st.euro, st.euro, st.euro],
    )
    per_area: dict[tuple[str, str], list[Decimal]] = {}
    for v in outcome.valutazioni:
        amount = relazione.premi.get(v.persona.matricola)
        if amount is not None:
            per_area.setdefault((v.area, v.ruolo), []).append(amount)
    names = {a.codice: a.denominazione for a in outcome.piano.aree}
    _table(
        ws,
        row,
        [("Area", 30), ("Denominazione", 40), ("Ruolo", 12), ("Persone", 10), ("Premi (€)", 14)],
        [
            [
                area,
                names.get(area, ""),
                "PO" if ruolo == "po" else "dipendenti",
                len(amounts),
                sum(amounts, Decimal(0)),
            ]
            for (area, ruolo), amounts in sorted(per_area.items())
        ],
        st,
        [st.text, st.wrap, st.text, st.number, st.euro],
    )


# --- all outputs ------------------------------------------------------------------------------


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


def results_paths(cycle: Cycle, anno: int) -> tuple[Path, Path]:
    """(workbook, JSON) of a year's results."""
    return (
        cycle.risultati / f"risultati-{anno}.xlsx",
        cycle.risultati / f"risultati-{anno}.json",
    )


def write_outputs(cycle: Cycle, outcome: Outcome, relazione: Relazione) -> list[Path]:
    """Write the results workbook, the JSON and the ledger together (files.Commit): killed at
    any moment, the three stay the previous ones or become the new ones, never a mix."""
    xlsx, data = results_paths(cycle, outcome.piano.ente.anno)
    text = to_json(results_data(outcome, relazione)) + "\n"
    ledger, rows = ledger_text(cycle, ledger_rows(outcome))
    with Commit(cycle.commit_journal, cycle.root) as commit:
        write_workbook(commit.path(xlsx), outcome, relazione)
        commit.write(data, text.encode("utf-8"))
        commit.write(ledger, rows.encode("utf-8"))
    return [xlsx, data, ledger]
