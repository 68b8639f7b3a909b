"""Write `piano.xlsx`: the blank Piano with dropdowns and instructions, or a bundled sample."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
import xlsxwriter.worksheet

from workbook.errors import UnreadableValue
from workbook.piano.sheets import COLUMNS, ENTE_FIELDS, GENERI, TUTTE
from workbook.printing import FittedBook, FittedSheet
from workbook.resources import bundled_sistemi
from workbook.sistema.model import CATEGORIE, CAUSE_ASSENZA, SANZIONI
from workbook.values import parse_date

MAX_ROWS = 5000  # rows prepared with validations in the blank Piano

INSTRUCTIONS = [
    ("title", "Piano della Performance – dati per la valutazione"),
    ("text", ""),
    ("label", "Come si compila"),
    (
        "wrap",
        "Foglio «Ente»: denominazione, anno di valutazione, Sistema di valutazione "
        "(scegliere dall'elenco, oppure il nome di un file .xlsx o .yaml nella cartella del "
        "ciclo, come sistema.xlsx), fondo per la produttività dei dipendenti e fondo per la "
        "retribuzione di risultato delle EQ (PO) in euro, e-mail del Nucleo di Valutazione; "
        "nome ed e-mail del Segretario Comunale se guida un'Area o valuta qualcuno; gli atti "
        "che la Relazione sulla performance cita (Provincia, approvazione del Piano o del "
        "PIAO, del Sistema, nomina e componenti del Nucleo, separati da «;», contratto "
        "decentrato): se mancano, la Relazione li lascia da completare.",
    ),
    (
        "wrap",
        "Foglio «Aree»: una riga per Area, con un codice breve (lettere, cifre, «-» e «_»: "
        "diventa il nome del file del modulo), la denominazione, la matricola del "
        "Responsabile (EQ o dirigente; «Segretario» se la guida il Segretario Comunale) e il "
        "suo indirizzo e-mail. La stessa persona può guidare due Aree (ad interim).",
    ),
    (
        "wrap",
        "Foglio «Obiettivi»: una riga per obiettivo, con il codice, l'Area (oppure «tutte» "
        "per gli obiettivi comuni a tutte le Aree), il tipo (strategico, struttura, "
        "individuale), descrizione, risultati attesi, indicatore, valore atteso "
        "dell'indicatore, peso e scadenza; negli "
        "«Assegnatari», per un obiettivo individuale o di gruppo, le matricole delle persone "
        "a cui è assegnato, separate da «;» (vuoto: obiettivo dell'Area). I pesi devono "
        "sommare al punteggio che la voce della scheda assegna a quegli obiettivi.",
    ),
    (
        "wrap",
        "Foglio «Personale»: una riga per persona in servizio nell'anno, con matricola, "
        "cognome, nome, genere (M/F), categoria, Area, ruolo (dipendente, EQ o PO, "
        "dirigente), date di inizio e fine servizio (vuote se in servizio tutto l'anno), "
        "percentuale di part-time (vuota = 100), e-mail e, solo se non è quella della sua "
        "categoria, il codice della scheda del Sistema con cui è valutata.",
    ),
    ("text", ""),
    (
        "wrap",
        "Le date si possono scrivere come 01/03/2017; i numeri con la virgola (8,5). "
        "Le righe vuote vengono ignorate. Dopo aver compilato, eseguire "
        "«valuta generate»: ogni problema viene segnalato con foglio e riga.",
    ),
]


def _cell_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in ("inizio", "fine", "scadenza"):
        try:
            return parse_date(value)
        except UnreadableValue:  # written as typed: loading the Piano will report it
            return str(value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return value
    return str(value)


class _Sheet(FittedSheet, xlsxwriter.worksheet.Worksheet):
    """Rows sized to their text when the workbook closes (workbook.printing)."""


class _Book(FittedBook, xlsxwriter.Workbook):
    sheet_class = _Sheet


def _printable(ws: Any, landscape: bool) -> None:
    """A4, one page wide, the header row on every page of a table."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
        ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def write_piano(path: Path, sample: dict[str, Any] | None = None) -> None:
    """A blank Piano, or one filled with a sample (`samples/<name>/piano.yaml`)."""
    wb = _Book(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties(
        {"title": "Piano della Performance", "author": "valuta", "created": dt.datetime(2000, 1, 1)}
    )
    f = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "label": wb.add_format({"bold": True}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "text": wb.add_format({}),
        "header": wb.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "date": wb.add_format({"num_format": "dd/mm/yyyy"}),
        # What is typed stays as typed: a target «100%» or «entro il 30/06» is not a number.
        "as_typed": wb.add_format({"num_format": "@"}),
        "euro": wb.add_format({"num_format": "#,##0.00"}),
    }
    ws = wb.add_worksheet("Istruzioni")
    _printable(ws, landscape=False)
    ws.set_column(0, 0, 90)  # one column: no wider than a portrait A4 page (LibreOffice
    # would cut it rather than scale it)
    for row, (style, text) in enumerate(INSTRUCTIONS):
        ws.write_string(row, 0, text, f[style])  # the workbook sizes the rows to the text

    ente = (sample or {}).get("ente", {})
    ws = wb.add_worksheet("Ente")
    _printable(ws, landscape=False)
    ws.set_column(0, 0, 52)
    ws.set_column(1, 1, 40)
    ws.write_string(0, 0, "Voce", f["header"])
    ws.write_string(0, 1, "Valore", f["header"])
    for row, (field, label, _) in enumerate(ENTE_FIELDS, start=1):
        ws.write_string(row, 0, label, f["label"])
        value = ente.get(field)
        if isinstance(value, int | float):
            ws.write_number(row, 1, value, f["euro"] if "fondo" in field else f["text"])
        elif value is not None:
            ws.write_string(row, 1, str(value))
    ws.data_validation(
        3,
        1,
        3,
        1,
        {
            "validate": "list",
            "source": [*bundled_sistemi(), "sistema.xlsx"],
            "error_type": "warning",
            "input_title": "Sistema di valutazione",
            "input_message": "Un Sistema incluso in valuta, oppure il nome di un file .xlsx o "
            ".yaml nella cartella del ciclo.",
        },
    )
    ws.data_validation(
        2, 1, 2, 1, {"validate": "integer", "criteria": "between", "minimum": 2000, "maximum": 2100}
    )

    lists = wb.add_worksheet("Elenchi")
    lists.write_string(0, 0, TUTTE)
    for i in range(1, 201):
        lists.write_formula(i, 0, f'=IF(Aree!A{i + 1}="","",Aree!A{i + 1})', None, "")
    lists.hide()

    sheets = (
        ("Aree", "aree"),
        ("Obiettivi", "obiettivi"),
        ("Personale", "personale"),
        ("Assenze", "assenze"),
    )
    for sheet, rows in sheets:
        ws = wb.add_worksheet(sheet)
        _printable(ws, landscape=True)
        ws.freeze_panes(1, 0)
        columns = COLUMNS[sheet]
        for col, (field, header, _) in enumerate(columns):
            ws.write_string(0, col, header, f["header"])
            ws.set_column(
                col,
                col,
                40
                if field in ("descrizione", "risultati_attesi", "indicatore", "denominazione")
                else 16,
                f["date"]
                if field in ("inizio", "fine", "scadenza")
                else f["as_typed"]
                if field == "valore_atteso"
                else None,
            )
        for r, item in enumerate((sample or {}).get(rows, []), start=1):
            for col, (field, _, _) in enumerate(columns):
                value = _cell_value(field, item.get(field))
                if isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime.combine(value, dt.time()), f["date"])
                elif isinstance(value, int | float | Decimal):
                    ws.write_number(r, col, float(value))
                elif value is not None:
                    ws.write_string(r, col, value)
        _validations(ws, sheet)
    wb.close()


def _validations(ws: Any, sheet: str) -> None:
    def col(field: str) -> int:
        return [f for f, _, _ in COLUMNS[sheet]].index(field)

    def add(field: str, options: dict[str, Any]) -> None:
        c = col(field)
        ws.data_validation(1, c, MAX_ROWS, c, options)

    date = {
        "validate": "date",
        "criteria": "between",
        "minimum": dt.date(1950, 1, 1),
        "maximum": dt.date(2100, 12, 31),
        "input_title": "Data",
        "input_message": "Data nel formato 01/03/2017.",
    }
    if sheet == "Aree":
        add(
            "codice",
            {
                "validate": "length",
                "criteria": "between",
                "minimum": 1,
                "maximum": 20,
                "input_title": "Codice dell'Area",
                "input_message": "Breve: lettere, cifre, «-» e «_». Diventa il nome del "
                "file del modulo (es. AREA1).",
            },
        )
        add(
            "responsabile",
            {
                "validate": "any",
                "input_title": "Responsabile",
                "input_message": "Matricola dell'EQ o del dirigente, come nel foglio "
                "Personale, oppure «Segretario».",
            },
        )
    elif sheet == "Obiettivi":
        add(
            "area",
            {
                "validate": "list",
                "source": "=Elenchi!$A$1:$A$201",
                "input_title": "Area",
                "input_message": "Codice dell'Area, oppure «tutte».",
            },
        )
        add("tipo", {"validate": "list", "source": list(CATEGORIE)})
        add(
            "peso",
            {
                "validate": "decimal",
                "criteria": ">",
                "value": 0,
                "input_title": "Peso",
                "input_message": "Punti dell'obiettivo nella voce della scheda.",
            },
        )
        add("scadenza", date)
        add(
            "assegnatari",
            {
                "validate": "any",
                "input_title": "Assegnatari",
                "input_message": "Matricole delle persone a cui l'obiettivo è assegnato, "
                "separate da «;». Vuoto: obiettivo dell'Area.",
            },
        )
    elif sheet == "Assenze":
        add(
            "causa",
            {
                "validate": "list",
                "source": list(CAUSE_ASSENZA),
                "input_title": "Causa",
                "input_message": "Maternità, paternità e congedo parentale non riducono mai il "
                "premio (D.Lgs. 150/2009, art. 9, c. 3); le altre cause lo riducono solo se il "
                "Sistema lo dice.",
            },
        )
        add(
            "giorni",
            {"validate": "integer", "criteria": "between", "minimum": 0, "maximum": 366},
        )
    else:
        add(
            "sanzione",
            {
                "validate": "list",
                "source": ["nessuna", *SANZIONI],
                "input_title": "Sanzione disciplinare",
                "input_message": "La sanzione più grave dell'anno, se c'è: il Sistema può "
                "escludere dalla valutazione chi ne ha una oltre un certo livello.",
            },
        )
        add("genere", {"validate": "list", "source": sorted(set(GENERI.values()))})
        add("area", {"validate": "list", "source": "=Aree!$A$2:$A$201"})
        add("ruolo", {"validate": "list", "source": ["dipendente", "EQ", "PO", "dirigente"]})
        add(
            "scheda",
            {
                "validate": "any",
                "input_title": "Scheda",
                "input_message": "Vuoto: la scheda del Sistema per il ruolo e la categoria. "
                "Altrimenti il codice della scheda da usare.",
            },
        )
        add("inizio", date)
        add("fine", date)
        add(
            "part_time",
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 1,
                "maximum": 100,
                "input_title": "Part-time",
                "input_message": "Percentuale dell'orario pieno; vuota = 100.",
            },
        )
