"""The Schede sheet: one printable scheda per person, each on its own page, that shows the
scores of the Valutazioni sheet (it has no inputs of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workbook.contract import SCHEDE, make_key
from workbook.generate.layout import FIRST_VOCE, Block, Layout
from workbook.generate.model import Sheet
from workbook.generate.valutazioni import shown_su_100
from workbook.piano.model import Persona, Piano
from workbook.scoring import formulas as fx
from workbook.scoring.formulas import PENDING
from workbook.sistema.model import Voce
from workbook.values import format_number

Values = Mapping[str, Decimal | str]
FIRST_ROW = 3
BOXES = ("Motivazione del valutatore", "Osservazioni del valutato")
BOX_HEIGHT = 90  # points: some six handwritten lines
SIGNATURE_HEIGHT = 30
# Every printed scheda says it: the Nucleo may validate a lower achievement (valuta schede).
PROVISIONAL_NOTE = (
    "Scheda provvisoria: i punteggi diventano definitivi dopo la validazione del "
    "raggiungimento degli obiettivi da parte del Nucleo di Valutazione."
)


def schede(piano: Piano, layout: Layout, answers: Values, results: Values) -> Sheet:
    """What every scheda shares (form title, evaluator, column headings) is written once and
    printed at the top of every page; Ente and year are in the page header. Few merged cells
    (the note and the two boxes): text overflows into the empty cells beside it. Thousands of
    schede: every cell counts.
    When the modulo has schede of more than one kind, each page names its own."""
    ws = Sheet(SCHEDE, print_columns=4)
    for col, width in enumerate((24, 52, 12, 40)):
        ws.widths[col] = width
    kinds = layout.schede
    if len(kinds) == 1:
        ws.put(0, 0, f"{kinds[0].titolo} – anno {piano.ente.anno}", "subtitle")
        ws.put(1, 0, f"Valutatore: {kinds[0].titolo_valutatore}", "label")
    else:
        ws.put(0, 0, f"Schede individuali di valutazione – anno {piano.ente.anno}", "subtitle")
    for col, label in enumerate(("Parte", "Voce (punteggio massimo)", "Punteggio", "Giudizio")):
        ws.put(2, col, label, "header")
    ws.repeat_rows = (0, FIRST_ROW - 1)
    row = FIRST_ROW
    for person, vrow, block in layout.valutabili:
        if row > FIRST_ROW:
            ws.breaks.append(row)
        if len(kinds) > 1:
            ws.put(
                row,
                0,
                f"{block.scheda.titolo} – valutatore: {block.scheda.titolo_valutatore}",
                "label",
            )
            row += 1
        row = _scheda(ws, row, person, vrow, block, piano, layout, answers, results)
    if not layout.valutabili:
        ws.put(FIRST_ROW, 0, "Nessuna persona valutabile in questo modulo.", "note")
    return ws


def _scheda(
    ws: Sheet,
    row: int,
    person: Persona,
    vrow: int,
    block: Block,
    piano: Piano,
    layout: Layout,
    answers: Values,
    results: Values,
) -> int:
    """One person's scheda from `row`; returns the row where the next one starts."""
    scheda = block.scheda
    base = (person.ruolo, person.matricola)
    at_hand = layout.obiettivi_of(person)
    ws.put(row, 0, "Valutato", "label")
    ws.put(
        row,
        1,
        f"{person.nominativo} – matricola {person.matricola} – categoria {person.categoria}",
        "text",
    )
    ws.put(row + 1, 0, "Area", "label")
    ws.put(row + 1, 1, piano.area(piano.area_of(person)).etichetta, "text")
    r = row + 3
    for parte in scheda.parti:
        for k, voce in enumerate(parte.voci):
            source = layout.valutazioni_ref(FIRST_VOCE + scheda.voci.index(voce), vrow)
            if k == 0:
                ws.put(r, 0, f"{parte.codice} – {parte.titolo}", "wrap")
            ws.put(r, 1, f"{voce.titolo} (max {format_number(voce.massimo)})", "wrap")
            key = make_key(*base, voce.codice)
            if voce.tipo == "fattore":
                answer = answers.get(key)
                value = answer if isinstance(answer, Decimal) else None
                shown: Decimal | str = fx.DASH if value is None else value
                ws.put(r, 2, None, "calc", formula=fx.mirror(source), cached=shown)
                formula = fx.lookup(source, layout.lookups[(scheda.codice, voce.codice)])
                ws.put(r, 3, None, "wrap_calc", formula=formula, cached=_meaning(voce, value))
            elif at_hand.of(voce) is None:
                ws.put(r, 2, PENDING, "calc_text")
                ws.put(r, 3, voce.descrizione, "wrap")
            else:
                ws.put(r, 2, None, "calc", formula=fx.mirror(source), cached=results[key])
                ws.put(r, 3, voce.descrizione, "wrap")
            r += 1
    totale = results[make_key(*base, "totale")]
    for label, offset, value in (
        (f"Punteggio totale (max {format_number(scheda.massimo)})", 0, totale),
        ("Punteggio su 100", 1, shown_su_100(scheda, totale)),
        ("Fascia di punteggio", 2, results[make_key(*base, "fascia")]),
        ("Premio (% del premio individuale)", 3, results[make_key(*base, "premio")]),
    ):
        # These result cells are never empty: a plain reference shows them.
        ws.put(r, 0, label, "label")
        formula = layout.valutazioni_ref(block.col_total + offset, vrow)
        ws.put(r, 2, None, "calc_strong", formula=formula, cached=value)
        r += 1
    ws.merge(r, 0, 3, PROVISIONAL_NOTE, "note")
    r += 2
    return _signatures(ws, r)


def _signatures(ws: Sheet, r: int) -> int:
    """The evaluator's motivation and the person's remarks (a box each, to write in by hand
    or to fill in before printing), then a line to sign and a line to date for each of them;
    returns the row after the scheda."""
    for label in BOXES:
        ws.put(r, 0, label, "label")
        ws.merge(r + 1, 0, 3, "", "box")
        ws.heights[r + 1] = BOX_HEIGHT
        r += 3
    for who in ("Firma del valutatore", "Firma del valutato (per presa visione)"):
        ws.put(r, 0, who, "sign")
        ws.put(r, 1, None, "line")
        ws.put(r, 2, "Data", "sign")
        ws.put(r, 3, None, "line")
        ws.heights[r] = SIGNATURE_HEIGHT
        r += 2
    return r + 1


def _meaning(voce: Voce, value: Decimal | None) -> str:
    """What a factor's score means, as the Criteri sheet says."""
    return next((lv.descrizione for lv in voce.livelli if lv.valore == value), "")
