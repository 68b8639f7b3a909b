"""The Valutazioni sheet: one row per person the modulo evaluates (an Area's staff, the people
the Nucleo or the Segretario evaluates), one table per scheda, a dropdown for each factor the
evaluator scores, and the items, total, score su 100, band and bonus that follow."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workbook.contract import OBIETTIVI, VALUTAZIONI, MapEntry, allowed_values, col_letter, make_key
from workbook.generate.layout import FIRST_VOCE, Block, Layout
from workbook.generate.model import Sheet, Validation
from workbook.piano.model import Persona, Piano
from workbook.scoring import formulas as fx
from workbook.scoring.engine import su_100
from workbook.scoring.formulas import PENDING
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


def whom(piano: Piano, layout: Layout) -> str:
    """Whom the modulo evaluates, for its titles: «del personale dell'Area …», «dei titolari
    di Posizione Organizzativa», «dei dirigenti»."""
    if not layout.nucleo and not layout.segretario:
        return f"del personale dell'Area {piano.area(layout.modulo).etichetta}"
    roles = {p.ruolo for p in layout.people}
    if roles == {"eq"}:
        return f"dei titolari di {piano.sistema.etichetta_eq}"
    if roles == {"dirigente"}:
        return "dei dirigenti"
    return "del personale valutato dal " + (
        "Nucleo di Valutazione" if layout.nucleo else "Segretario Comunale"
    )


def valutazioni(
    piano: Piano, layout: Layout, answers: Values, results: Values
) -> tuple[Sheet, list[MapEntry]]:
    ws = Sheet(VALUTAZIONI, landscape=True)
    widest = max((b.col_total for b in layout.blocks), default=FIRST_VOCE)
    ws.print_columns = widest + 4
    title = f"Valutazione {whom(piano, layout)} – anno {piano.ente.anno}"
    ws.merge(0, 0, widest + 3, title, "title")
    first = layout.blocks[0].scheda if layout.blocks else None
    ws.merge(
        1,
        0,
        widest + 3,
        (f"{first.titolo}. Valutatore: {first.titolo_valutatore}. " if first else "")
        + "Scegliere il punteggio di ogni fattore nelle celle gialle; il resto si calcola "
        "da solo.",
        "note",
    )
    mappa: list[MapEntry] = []
    for block in layout.blocks:
        _headings(ws, block, layout)
        dropdowns = {
            v.codice: (factor_validation(v), allowed_values(v.valori)) for v in block.scheda.fattori
        }
        for person, row in block.rows:
            ws.put(row, 0, person.matricola, "text")
            ws.put(row, 1, person.nominativo, "text")
            area = piano.area_of(person)
            ws.put(row, 2, area if layout.nucleo else person.categoria, "text")
            if person.matricola not in layout.evaluable:
                motivo = piano.idoneita(person).motivo
                ws.put(row, 3, f"Non valutabile: {motivo}", "grey_wrap")
                for c in range(FIRST_VOCE, block.col_total + 4):
                    ws.put(row, c, None, "grey")
                continue
            mappa += _person(ws, row, person, area, block, layout, dropdowns, answers, results)
    if len(layout.blocks) == 1:
        ws.freeze = (layout.blocks[0].header_row + 2, 2)
        ws.repeat_rows = (2, 3)
    else:
        ws.freeze = (0, 2)  # one table under the other: no header stays above them all
        ws.breaks.extend(b.title_row for b in layout.blocks if b.title_row is not None)
    return ws, mappa


def _headings(ws: Sheet, block: Block, layout: Layout) -> None:
    scheda, col_total, top = block.scheda, block.col_total, block.header_row
    if block.title_row is not None:
        ws.merge(
            block.title_row,
            0,
            col_total + 3,
            f"{scheda.titolo}. Valutatore: {scheda.titolo_valutatore}.",
            "subtitle",
        )
    for col, (label, width) in enumerate(
        (
            ("Matricola", 11),
            ("Cognome e nome", 26),
            ("Area" if layout.nucleo else "Categoria", 10),
            ("Note", 24),
        )
    ):
        ws.put(top, col, "", "header")
        ws.put(top + 1, col, label, "header")
        ws.widths[col] = width
    col = FIRST_VOCE
    for parte in scheda.parti:
        last = col + len(parte.voci) - 1
        label = f"Parte {parte.codice} – {parte.titolo} (max {format_number(parte.massimo)})"
        if last > col:
            ws.merge(top, col, last, label, "header")
        else:
            ws.put(top, col, label, "header")
        for voce in parte.voci:
            ws.put(top + 1, col, f"{voce.titolo} (max {format_number(voce.massimo)})", "header")
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
        ws.put(top + 1, col_total + offset, label, "header")
        ws.widths[col_total + offset] = max(ws.widths.get(col_total + offset, 0), width)
    ws.merge(top, col_total, col_total + 3, "Risultato", "header")
    ws.heights.update({top: 30, top + 1: 45})  # at least; the writer fits longer headings


def _person(
    ws: Sheet,
    row: int,
    person: Persona,
    area: str,
    block: Block,
    layout: Layout,
    dropdowns: Mapping[str, tuple[Validation, str]],
    answers: Values,
    results: Values,
) -> list[MapEntry]:
    scheda, col_total = block.scheda, block.col_total
    r1 = row + 1
    base = (person.ruolo, person.matricola)
    at_hand = layout.obiettivi_of(person)
    mappa: list[MapEntry] = []
    for j, voce in enumerate(scheda.voci):
        col = FIRST_VOCE + j
        key = make_key(*base, voce.codice)
        if voce.tipo == "fattore":
            entry = ws.input(row, col, key, answers.get(key), *dropdowns[voce.codice], "input_list")
        elif at_hand.of(voce) is None:  # computed at reconcile, from every modulo
            ws.put(row, col, PENDING, "calc_text")
            continue
        else:
            formula = item_formula(voce, area, person, layout)
            entry = ws.result(row, col, key, formula, results[key], "calc")
        mappa.append(entry)
    span = f"{col_letter(FIRST_VOCE)}{r1}:{col_letter(col_total - 1)}{r1}"
    total_ref = f"{col_letter(col_total)}{r1}"
    key = make_key(*base, "totale")
    totale = results[key]
    pending = sum(1 for v in scheda.voci if v.tipo != "fattore" and at_hand.of(v) is None)
    formula = fx.total(span, len(scheda.voci) - pending, pending=bool(pending))
    mappa.append(ws.result(row, col_total, key, formula, totale, "calc_strong"))
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


def item_formula(voce: Voce, area: str, person: Persona, layout: Layout) -> str:
    """The formula of an item the evaluator does not score (see sistema.model.Voce), over the
    objectives on this modulo's Obiettivi sheet."""
    if voce.tipo == "derivata" and voce.fonte == "ente":
        return fx.derived_points(voce.massimo, layout.ente_ref(voce.tipo_obiettivi))
    group = layout.groups[area]
    if voce.tipo == "derivata" and not voce.tipo_obiettivi:
        return fx.derived_points(voce.massimo, layout.achievement_ref(group.area))
    rows = group.rows_of(voce, person.matricola)
    col = layout.pct_col
    pesi = [f"{OBIETTIVI}!F{r + 1}" for r in rows]
    pcts = [f"{OBIETTIVI}!{col}{r + 1}" for r in rows]
    adjacent = rows == list(range(rows[0], rows[-1] + 1)) if rows else False
    if adjacent:
        first, last = rows[0] + 1, rows[-1] + 1
        pesi_span = f"{OBIETTIVI}!F{first}:F{last}"
        pcts_span = f"{OBIETTIVI}!{col}{first}:{col}{last}"
        if voce.tipo == "derivata":
            return fx.derived_weighted(voce.massimo, pesi_span, pcts_span, len(rows))
        return fx.category_points(pesi_span, pcts_span, len(rows))
    if voce.tipo == "derivata":  # a type's objectives are adjacent: never reached
        raise ValueError(f"{voce.codice}: obiettivi non contigui")
    return fx.points_of(pesi, pcts)
