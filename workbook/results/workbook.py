"""The results workbook (`risultati/risultati-<anno>.xlsx`): Riepilogo, Anomalie, Relazione
with its chart, Valutazioni, Obiettivi, Premi. Deterministic: the same results give the same
bytes (fixed creation date, everything sorted)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook.anomalies import Gravita
from workbook.reconcile.outcome import Outcome, Valutazione
from workbook.relazione import Fondo, Relazione
from workbook.results.tables import ANOMALY_COLUMNS, OPTIONS, Book, Styles, page_setup, table
from workbook.results.tables import cell as _cell
from workbook.sistema.model import RegolePremi
from workbook.values import cell_text, format_number


def write_workbook(path: Path, outcome: Outcome, relazione: Relazione) -> None:
    piano = outcome.piano
    wb = Book(str(path), OPTIONS)
    wb.set_properties(
        {
            "title": f"Risultati della valutazione {piano.ente.anno}",
            "author": "valuta",
            "company": piano.ente.denominazione,
            "created": outcome.elaborato,
        }
    )
    st = Styles(wb)
    _riepilogo(wb.add_worksheet("Riepilogo"), outcome, st)
    _anomalie(wb.add_worksheet("Anomalie"), outcome, st)
    _relazione(wb, wb.add_worksheet("Relazione"), outcome, relazione, st)
    _valutazioni(wb.add_worksheet("Valutazioni"), outcome, relazione, st)
    _voci(wb.add_worksheet("Voci"), outcome, st)
    _obiettivi(wb.add_worksheet("Obiettivi"), outcome, st)
    _premi(wb.add_worksheet("Premi"), outcome, relazione, st)
    _trasparenza(wb.add_worksheet("Trasparenza"), outcome, relazione, st)
    page_setup(wb, piano.ente.denominazione, f"Valutazione {piano.ente.anno}")
    wb.close()


def _riepilogo(ws: Any, outcome: Outcome, st: Styles) -> None:
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


def _anomalie(ws: Any, outcome: Outcome, st: Styles) -> None:
    for col, (label, width, _) in enumerate(ANOMALY_COLUMNS):
        ws.write_string(0, col, label, st.header)
        ws.set_column(col, col, width)
    for r, a in enumerate(outcome.anomalie, start=1):
        d = a.as_dict()
        fmt = st.error if a.gravita is Gravita.ERRORE else st.warning
        for col, (_, _, key) in enumerate(ANOMALY_COLUMNS):
            ws.write_string(r, col, str(d[key]), fmt if col == 0 else st.wrap)
    ws.autofilter(0, 0, max(len(outcome.anomalie), 1), len(ANOMALY_COLUMNS) - 1)
    ws.freeze_panes(1, 0)


def _amounts(fondo: Fondo) -> list[Decimal]:
    return [fondo.stanziata, fondo.distribuita, fondo.residuo]


def _n(value: Decimal | None) -> str:
    return format_number(value, 2) if value is not None else "–"


def _relazione(wb: Any, ws: Any, outcome: Outcome, relazione: Relazione, st: Styles) -> None:
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
    row = table(
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
    ws.write_string(row + 1, 0, f"N. dipendenti valutati: {t.n_dipendenti_valutati}.")
    ws.write_string(row + 2, 0, f"N. dipendenti non valutati: {t.n_dipendenti_non_valutati}.")
    row += 3
    if t.non_valutati:
        row = table(
            ws,
            row,
            [("Matricola", 12), ("Nominativo", 24), ("Area", 12), ("Motivo", 60)],
            [[n.matricola, n.nominativo, n.area, n.motivo] for n in t.non_valutati],
            st,
            widths=False,
        )
    if t.valutazioni_negative:
        ws.write_string(row, 0, "Valutazioni negative", st.bold)
        row = table(
            ws,
            row + 1,
            [("Matricola", 12), ("Nominativo", 24), ("Area", 12), ("Valutazione", 60)],
            [[n.matricola, n.nominativo, n.area, n.motivo] for n in t.valutazioni_negative],
            st,
            widths=False,
        )
    bands = t.fasce
    band_row = row
    ws.write_string(band_row, 0, "Fascia di punteggio", st.header)
    ws.write_string(band_row + 1, 0, "Premio (%)", st.header)
    ws.write_string(band_row + 2, 0, "N. dipendenti", st.header)
    for col, band in enumerate(bands, start=1):
        ws.write_string(band_row, col, band.descrizione, st.header)
        ws.write_string(band_row + 1, col, band.premio_testo, st.text)
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
    row = table(
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
    row = table(
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
        row, 0, "RAFFRONTO TRA PREMIALITÀ STANZIATA E PREMIALITÀ DISTRIBUITA", st.heading
    )
    row = table(
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
    table(
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


def funds_of(r: Relazione, sigla: str) -> list[tuple[str, Fondo | None]]:
    """The funds and the parts of the productivity fund, as every table of money names them."""
    return [
        ("Produttività dei dipendenti", r.premialita),
        ("– performance organizzativa", r.premialita_organizzativa),
        ("– maggiorazione del premio individuale", r.maggiorazione),
        ("– performance individuale", r.premialita_individuale),
        (f"Risultato delle {sigla}", r.risultato_po),
    ]


def rules_in_words(r: RegolePremi) -> str:
    """How the productivity fund was shared, in a sentence (docs/premi.md has the rules)."""
    parts = []
    if r.quota_organizzativa:
        parts.append(
            f"il {format_number(r.quota_organizzativa)}% del fondo sulla performance "
            "organizzativa (raggiungimento dell'Area × peso × coefficiente)"
        )
    if r.maggiorazione is not None:
        parts.append(
            f"la maggiorazione del {format_number(r.maggiorazione.percentuale)}% del premio "
            f"medio al primo {format_number(r.maggiorazione.quota_personale)}% della graduatoria"
        )
    how = (
        "in proporzione a punteggio × peso × coefficiente"
        if r.metodo == "punteggio"
        else "quota piena (peso × coefficiente) × premio della fascia"
        + (", con il residuo ridistribuito" if r.residuo == "ridistribuito" else "")
    )
    parts.append(f"il resto {how}" + (", prima diviso tra le Aree" if r.budget == "area" else ""))
    return (
        "Peso = part-time × giorni di servizio / giorni dell'anno. Ripartizione: "
        + "; ".join(parts)
        + ". Importi al centesimo per difetto, i centesimi residui ai resti maggiori: per ogni "
        "quota distribuita + residuo = stanziata. Gli importi di ogni persona sono nel foglio "
        "Valutazioni."
    )


def role_words(outcome: Outcome) -> dict[str, str]:
    """How the results name each role: the Sistema says PO or EQ."""
    return {
        "dipendente": "dipendente",
        "eq": outcome.piano.sistema.sigla_eq,
        "dirigente": "dirigente",
    }


def _voci(ws: Any, outcome: Outcome, st: Styles) -> None:
    """The points of every item of every evaluated person's scheda (the same as «voci» in the
    results JSON: what an appeal, or next year's history, needs): one table per scheda, one
    row per person, one column per item, as the moduli lay them out."""
    by_scheda: dict[str, list[Valutazione]] = {}
    for v in outcome.valutazioni:
        if v.scheda is not None and v.risultato is not None:
            by_scheda.setdefault(v.scheda.codice, []).append(v)
    row, widest = 0, 4
    for s in outcome.piano.sistema.schede:
        people = by_scheda.get(s.codice, [])
        if not people:
            continue
        ws.write_string(row, 0, cell_text(f"Scheda «{s.codice}» – {s.titolo}"), st.heading)
        headers = [("Matricola", 11), ("Cognome e nome", 26), ("Area", 9)]
        headers += [(f"{v.titolo} (max {format_number(v.massimo)})", 14) for v in s.voci]
        headers.append((f"Totale (max {format_number(s.massimo)})", 12))
        rows = [
            [
                v.persona.matricola,
                v.persona.nominativo,
                v.area,
                *(v.risultato.voci.get(voce.codice) for voce in s.voci),  # type: ignore[union-attr]
                v.punteggio,
            ]
            for v in people
        ]
        formats = [st.wrap, st.wrap, st.wrap] + [st.number] * (len(s.voci) + 1)
        row = table(ws, row + 1, headers, rows, st, formats, widths=False)
        widest = max(widest, len(headers))
    ws.set_column(0, 0, 11)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 9)
    ws.set_column(3, widest - 1, 14)


def _valutazioni(ws: Any, outcome: Outcome, relazione: Relazione, st: Styles) -> None:
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
    regole = outcome.piano.sistema.premi
    # The parts of each one's euros, where the Sistema's rules make more than one.
    parts = [
        (key, label)
        for key, label, used in (
            ("organizzativa", "di cui organizzativa (€)", regole.quota_organizzativa > 0),
            ("maggiorazione", "di cui maggiorazione (€)", regole.maggiorazione is not None),
            ("individuale", "di cui individuale (€)", True),
        )
        if used
    ]
    if len(parts) == 1:
        parts = []
    headers += [(label, 12) for _, label in parts]
    for col, (label, width) in enumerate(headers):
        ws.write_string(0, col, label, st.header)
        ws.set_column(col, col, width)
    text, number, euro = st.text, st.number, st.euro
    write_string, write_number = ws.write_string, ws.write_number
    roles = role_words(outcome)
    for row, v in enumerate(outcome.valutazioni, start=1):
        p = v.persona
        write_string(row, 0, p.matricola, text)
        write_string(row, 1, p.nominativo, text)
        write_string(row, 2, p.genere, text)
        write_string(row, 3, p.categoria, text)
        write_string(row, 4, v.area, text)
        write_string(row, 5, roles[v.ruolo], text)
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
        mine = relazione.premi_parti.get(p.matricola) if parts else None
        for k, (key, _) in enumerate(parts if mine else ()):
            write_number(row, 15 + k, float(mine[key]), euro)  # type: ignore[index]
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(outcome.valutazioni), len(headers) - 1)


def _obiettivi(ws: Any, outcome: Outcome, st: Styles) -> None:
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
        ("Valore atteso", 20),
        ("Valore raggiunto", 20),
        ("Motivo dello scostamento", 40),
        ("Motivazione del Nucleo", 40),
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
            o.obiettivo.obiettivo.valore_atteso,
            o.valore_raggiunto,
            o.motivo_scostamento,
            o.motivazione_nucleo,
        ]
        for o in outcome.obiettivi
    ]
    table(ws, 0, headers, rows, st)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, len(rows), len(headers) - 1)


def _premi(ws: Any, outcome: Outcome, relazione: Relazione, st: Styles) -> None:
    """The funds and how they were shared out, by Area (each person's amount is on the
    Valutazioni sheet)."""
    t = relazione
    ws.write_string(0, 0, "Ripartizione dei fondi", st.title)
    ws.write_string(1, 0, rules_in_words(outcome.piano.sistema.premi), st.note)
    sigla = outcome.piano.sistema.sigla_eq
    funds = [
        [label, *_amounts(pot)]
        for label, pot in funds_of(t, sigla)
        if pot is not None and (pot.stanziata or not label.startswith("–"))
    ]
    row = table(
        ws,
        3,
        [("Fondo", 38), ("Stanziata (€)", 14), ("Distribuita (€)", 14), ("Residuo (€)", 14)],
        funds,
        st,
        [st.wrap, st.euro, st.euro, st.euro],
    )
    if t.beneficiari_maggiorazione:
        names = {p.matricola: p.nominativo for p in outcome.piano.personale}
        ws.write_string(
            row - 1,
            0,
            cell_text(
                "Beneficiari della maggiorazione, nell'ordine dei punteggi: "
                + "; ".join(f"{names.get(m, m)} ({m})" for m in t.beneficiari_maggiorazione)
            ),
            st.note,
        )
        row += 1
    roles = role_words(outcome)
    per_area: dict[tuple[str, str], list[Decimal]] = {}
    for v in outcome.valutazioni:
        amount = relazione.premi.get(v.persona.matricola)
        if amount is not None:
            per_area.setdefault((v.area, v.ruolo), []).append(amount)
    names = {a.codice: a.denominazione for a in outcome.piano.aree}
    table(
        ws,
        row,
        [("Area", 30), ("Denominazione", 40), ("Ruolo", 12), ("Persone", 10), ("Premi (€)", 14)],
        [
            [
                area,
                names.get(area, ""),
                roles[ruolo],
                len(amounts),
                sum(amounts, Decimal(0)),
            ]
            for (area, ruolo), amounts in sorted(per_area.items())
        ],
        st,
        [st.text, st.wrap, st.text, st.number, st.euro],
    )


def _trasparenza(ws: Any, outcome: Outcome, relazione: Relazione, st: Styles) -> None:
    """The tables of «Dati relativi ai premi» (D.Lgs. 33/2013, art. 20), as the CSV files of
    risultati/trasparenza/ have them."""
    from workbook.results.trasparenza import tables

    ws.write_string(0, 0, "Dati relativi ai premi (D.Lgs. 33/2013, art. 20)", st.title)
    ws.write_string(
        1,
        0,
        "Le stesse tabelle sono in risultati/trasparenza/, un file CSV ciascuna, pronte per "
        "«Amministrazione trasparente › Performance › Dati relativi ai premi».",
        st.note,
    )
    row = 3
    for t in tables(outcome, relazione):
        ws.write_string(row, 0, t.titolo, st.heading)
        row = table(
            ws, row + 1, [(c, 16) for c in t.colonne], [list(r) for r in t.righe], st, widths=False
        )
    ws.set_column(0, 0, 30)
    ws.set_column(1, 4, 18)
