"""The Valutazioni sheet: one row per person to evaluate (the Area's dipendenti, or every PO
in the Nucleo's workbook), a dropdown for each factor the evaluator scores, and the items,
total, score su 100, band and bonus that follow from them."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workbook.contract import OBIETTIVI, VALUTAZIONI, MapEntry, allowed_values, col_letter, make_key
from workbook.generate.layout import FIRST_ROW, FIRST_VOCE, Layout
from workbook.generate.model import Sheet, Validation
from workbook.piano.model import Persona, Piano
from workbook.scoring import formulas as fx
from workbook.scoring.engine import su_100
from workbook.sistema.model import Scheda, Voce
from workbook.values import format_number

Values = Mapping[str, Decimal | str]


def factor_validation(voce: Voce) -> Validation:
    """A factor's dropdown, with the meaning of each score when it fits in the input message."""
    levels = "; ".join(
        f"{format_number(lv.valore)} = {lv.descrizione}" for lv in reversed(voce.livelli)
    )
    message = f"Scegliere un punteggio dall'elenco. {levels}"
    if len(message) > 250:
        message = (
            f"Scegliere un punteggio da {format_number(voce.valori[0])} a "
            f"{format_number(voce.valori[-1])}; il significato di ogni punteggio è "
            "nel foglio Criteri."
        )
    return Validation("list", voce.titolo[:32], message, values=voce.valori)


def valutazioni(
    piano: Piano, layout: Layout, answers: Values, results: Values
) -> tuple[Sheet, list[MapEntry]]:
    scheda = layout.scheda
    ws = Sheet(VALUTAZIONI, landscape=True)
    col_total = layout.col_total
    ws.print_columns = col_total + 4
    _headings(ws, piano, layout)
    mappa: list[MapEntry] = []
    dropdowns = {v.codice: (factor_validation(v), allowed_values(v.valori)) for v in scheda.fattori}
    valutabili = {p.matricola for p, _ in layout.valutabili}
    for i, person in enumerate(layout.people):
        row = FIRST_ROW + i
        ws.put(row, 0, person.matricola, "text")
        ws.put(row, 1, person.nominativo, "text")
        area = layout.area_of(person, piano)
        ws.put(row, 2, area if layout.nucleo else person.categoria, "text")
        if person.matricola not in valutabili:
            motivo = piano.idoneita(person).motivo
            ws.put(row, 3, f"Non valutabile: {motivo}", "grey_wrap")
            ws.heights[row] = 45
            for c in range(FIRST_VOCE, col_total + 4):
                ws.put(row, c, None, "grey")
            continue
        mappa += _person(ws, row, person, area, layout, dropdowns, answers, results)
    return ws, mappa


def _headings(ws: Sheet, piano: Piano, layout: Layout) -> None:
    scheda, col_total = layout.scheda, layout.col_total
    what = (
        "dei titolari di Posizione Organizzativa"
        if layout.nucleo
        else f"del personale dell'Area {piano.area(layout.modulo).etichetta}"
    )
    ws.merge(0, 0, col_total + 3, f"Valutazione {what} – anno {piano.ente.anno}", "title")
    ws.merge(
        1,
        0,
        col_total + 3,
        f"{scheda.titolo}. Valutatore: {scheda.valutatore}. "
        "Scegliere il punteggio di ogni fattore nelle celle gialle; il resto si calcola "
        "da solo.",
        "note",
    )
    for col, (label, width) in enumerate(
        (
            ("Matricola", 11),
            ("Cognome e nome", 26),
            ("Area" if layout.nucleo else "Categoria", 10),
            ("Note", 24),
        )
    ):
        ws.put(2, col, "", "header")
        ws.put(3, col, label, "header")
        ws.widths[col] = width
    col = FIRST_VOCE
    for parte in scheda.parti:
        last = col + len(parte.voci) - 1
        label = f"Parte {parte.codice} – {parte.titolo} (max {format_number(parte.massimo)})"
        if last > col:
            ws.merge(2, col, last, label, "header")
        else:
            ws.put(2, col, label, "header")
        for voce in parte.voci:
            ws.put(3, col, f"{voce.titolo} (max {format_number(voce.massimo)})", "header")
            ws.widths[col] = 15
            col += 1
    for offset, (label, width) in enumerate(
        (
            (f"Totale (max {format_number(scheda.massimo)})", 12),
            ("Su 100", 9),
            ("Fascia", 13),
            ("Premio (%)", 10),
        )
    ):
        ws.put(3, col_total + offset, label, "header")
        ws.widths[col_total + offset] = width
    ws.merge(2, col_total, col_total + 3, "Risultato", "header")
    ws.heights.update({1: 30, 2: 45, 3: 60})
    ws.freeze = (FIRST_ROW, 2)
    ws.repeat_rows = (2, 3)


def _person(
    ws: Sheet,
    row: int,
    person: Persona,
    area: str,
    layout: Layout,
    dropdowns: Mapping[str, tuple[Validation, str]],
    answers: Values,
    results: Values,
) -> list[MapEntry]:
    scheda, col_total = layout.scheda, layout.col_total
    r1 = row + 1
    base = (layout.soggetto, person.matricola)
    mappa: list[MapEntry] = []
    for j, voce in enumerate(scheda.voci):
        col = FIRST_VOCE + j
        key = make_key(*base, voce.codice)
        if voce.tipo == "fattore":
            entry = ws.input(row, col, key, answers.get(key), *dropdowns[voce.codice], "input_list")
        else:
            entry = ws.result(
                row, col, key, _item_formula(voce, area, layout), results[key], "calc"
            )
        mappa.append(entry)
    span = f"{col_letter(FIRST_VOCE)}{r1}:{col_letter(col_total - 1)}{r1}"
    total_ref = f"{col_letter(col_total)}{r1}"
    key = make_key(*base, "totale")
    totale = results[key]
    mappa.append(
        ws.result(row, col_total, key, fx.total(span, len(scheda.voci)), totale, "calc_strong")
    )
    # «su 100» is shown but is not in the map: the map's results are the Sistema's items, the
    # total, the band and the bonus.
    ws.put(
        row,
        col_total + 1,
        None,
        "calc",
        formula=fx.su_100(scheda, total_ref),
        cached=shown_su_100(scheda, totale),
    )
    key = make_key(*base, "fascia")
    formula = fx.band_label(scheda, total_ref)
    mappa.append(ws.result(row, col_total + 2, key, formula, results[key], "calc_text"))
    key = make_key(*base, "premio")
    formula = fx.band_premio(scheda, total_ref)
    mappa.append(ws.result(row, col_total + 3, key, formula, results[key], "calc"))
    return mappa


def shown_su_100(scheda: Scheda, totale: Decimal | str) -> Decimal | str:
    return su_100(scheda, totale) if isinstance(totale, Decimal) else fx.DASH


def _item_formula(voce: Voce, area: str, layout: Layout) -> str:
    """The formula of an item the evaluator does not score: the Area's achievement applied
    to the item's maximum, or the points of the Area's objectives of the item's category."""
    group = layout.groups[area]
    if voce.tipo == "derivata":
        return fx.derived_points(voce.massimo, layout.achievement_ref(group.area))
    rows = group.category_rows(voce.categoria)
    first, last = rows[0] + 1, rows[-1] + 1
    col = layout.pct_col
    return fx.category_points(
        f"{OBIETTIVI}!F{first}:F{last}", f"{OBIETTIVI}!{col}{first}:{col}{last}", len(rows)
    )
