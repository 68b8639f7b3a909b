"""The Criteri sheet: the Sistema as the evaluator reads it — the achievement grades, every
part and item of the scheda with the meaning of each score, the bands and their bonus. The
grade dropdown and the meaning of each score on the Schede are read from here
(`layout.criteri_lines` says where each row is)."""

from __future__ import annotations

from decimal import Decimal

from workbook.contract import CRITERI
from workbook.generate.layout import CriteriLine
from workbook.generate.model import Sheet
from workbook.sistema.model import Fascia, Grado, Livello, Parte, Scheda, Sistema, Voce
from workbook.values import format_number


def rounding_note(scheda: Scheda) -> str:
    """How a score between two bands falls, with an example from the scheda's own bands."""
    text = "Un punteggio non intero appartiene alla fascia il cui valore iniziale non lo supera"
    if len(scheda.fasce) < 2:
        return text + "."
    lower, upper = scheda.fasce[-2], scheda.fasce[-1]  # ascending: the two highest
    example = format_number(upper.da - Decimal("0.5"))
    return (
        f"{text} (es. {example} è nella fascia che inizia da {format_number(lower.da)}, "
        f"perché la successiva inizia da {format_number(upper.da)})."
    )


def criteri(sistema: Sistema, lines: tuple[CriteriLine, ...]) -> Sheet:
    ws = Sheet(CRITERI, print_columns=4)
    for col, width in enumerate((12, 50, 12, 40)):
        ws.widths[col] = width
    ws.merge(0, 0, 3, f"Criteri di valutazione – {sistema.nome}", "title")
    for line in lines:
        _line(ws, line, sistema.modalita == "grado")
    return ws


def _line(ws: Sheet, line: CriteriLine, by_grade: bool) -> None:
    row, item = line.row, line.item
    match line.kind:
        case "grades":
            ws.merge(row, 0, 3, "Grado di raggiungimento degli obiettivi", "subtitle")
        case "grade_header":
            # The value credited for a grade matters only where the grade is chosen.
            extra = ("Valore attribuito (%)",) if by_grade else ()
            _headers(ws, row, ("Da (%)", "Grado", "A (%)", *extra))
        case "grade":
            assert isinstance(item, Grado)
            extra_value = (item.valore,) if by_grade else ()
            _numbers(ws, row, (item.da, item.descrizione, item.a, *extra_value))
        case "scheda":
            assert isinstance(item, Scheda)
            ws.merge(
                row,
                0,
                3,
                f"{item.titolo} (massimo {format_number(item.massimo)} "
                f"punti) – valutatore: {item.titolo_valutatore}",
                "subtitle",
            )
        case "parte":
            assert isinstance(item, Parte)
            ws.merge(
                row,
                0,
                3,
                f"Parte {item.codice} – {item.titolo} (max {format_number(item.massimo)} punti)",
                "label",
            )
        case "voce":
            assert isinstance(item, Voce)
            what = item.descrizione or what_item_is(item)
            ws.merge(
                row, 0, 3, f"{item.titolo} (max {format_number(item.massimo)}) – {what}", "wrap"
            )
        case "livello":
            assert isinstance(item, Livello)
            ws.put(row, 0, item.valore, "number")
            ws.put(row, 1, item.descrizione, "text")
        case "band_header":
            _headers(ws, row, ("Da punti", "Fascia", "A punti", "Premio (%)"))
        case "band":
            assert isinstance(item, Fascia)
            premio = item.premio_testo if item.proporzionale else item.premio
            _numbers(ws, row, (item.da, item.etichetta, item.a, premio))
        case "band_note":
            assert isinstance(item, Scheda)
            ws.merge(row, 0, 3, rounding_note(item), "note")


def _headers(ws: Sheet, row: int, labels: tuple[str, ...]) -> None:
    for col, label in enumerate(labels):
        ws.put(row, col, label, "header")


def _numbers(ws: Sheet, row: int, values: tuple[Decimal | str, ...]) -> None:
    """A row of a table: a number, a name, a number, a number."""
    for col, value in enumerate(values):
        ws.put(row, col, value, "text" if col == 1 else "number")


def what_item_is(voce: Voce) -> str:
    """An item in words, when the Sistema does not describe it."""
    if voce.tipo == "fattore":
        return "punteggio scelto dal valutatore"
    kind = f" di tipo «{voce.tipo_obiettivi}»" if voce.tipo_obiettivi else ""
    if voce.tipo == "obiettivi":
        whose = "assegnati alla persona" if voce.fonte == "assegnati" else "dell'Area"
        return f"obiettivi{kind} {whose}: peso × raggiungimento"
    if voce.fonte == "ente":
        return f"raggiungimento complessivo degli obiettivi{kind} dell'Ente"
    return f"grado di raggiungimento degli obiettivi{kind} dell'Area"
