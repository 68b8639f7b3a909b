"""What a received workbook shows: its formulas' results as saved, against what they compute.

A score is never taken from a formula's saved result: it is recomputed from the inputs. But
what a person sees and prints is that saved result, and a file can carry results that do not
follow from its inputs (saved without recalculating, or edited: the printed scheda would then
read 35 where the inputs give 60). So, for a workbook proven ours and untouched:
- every result of the map (totals, bands, bonuses, the points of objectives and items, the
  Area's achievement) must show what the Python engine computes from that workbook's own
  inputs (`scoring.engine.shown_results`);
- every other formula that only shows a value from elsewhere — a reference («Valutazioni!J5»),
  a mirror of an input («IF(X="","–",X)»), the score «su 100», the description of a score
  looked up in the Criteri sheet — must show that value.
A difference is an anomaly at its cell. Results the sheet cannot have computed (an input the
sheet does not count, such as a number typed as text, already reported) are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import MapEntry, cell_ref, normalize_formula, parse_ref
from workbook.reconcile.readers.book import Book, SheetData
from workbook.scoring import formulas as fx
from workbook.scoring.engine import DASH, INCOMPLETE, round2
from workbook.values import canonical_number, format_number

Shown = Decimal | str | None

MAX_REPORTS = 10  # per workbook: the first cells that show something else, then a count


def check_shown(
    book: Book,
    mappa: list[MapEntry],
    expected: Mapping[str, Decimal | str],
    etichetta: str,
) -> list[Anomalia]:
    sheets = {s.name.upper(): s for s in book.sheets}
    found: list[tuple[str, str, str, str]] = []  # (sheet, cell, shown, expected)
    results = {(e.foglio, e.cella) for e in mappa if not e.is_input}
    # What a reference to a result must show is what the result must show, not what the file
    # saved for it (two saved values altered alike would agree with each other).
    computed = {
        (e.foglio.upper(), e.cella): expected[e.chiave]
        for e in mappa
        if not e.is_input and expected.get(e.chiave) not in (None, INCOMPLETE, DASH)
    }
    for entry in mappa:
        if entry.is_input or entry.chiave not in expected:
            continue
        sheet = book.sheet(entry.foglio)
        want = expected[entry.chiave]
        if sheet is None or want in (INCOMPLETE, DASH):
            continue
        have = _cached(sheet, parse_ref(entry.cella))
        if have is not None and have != INCOMPLETE and not _same(have, want):
            found.append((entry.foglio, entry.cella, _text(have), _text(want)))
    for sheet in book.sheets:
        for pos, (_, formula) in sorted(sheet.cells.items()):
            if not formula or (sheet.name, cell_ref(*pos)) in results:
                continue
            want = _follows(normalize_formula(formula), sheet, sheets, computed)
            have = _cached(sheet, pos)
            if want is not None and have is not None and not _same(have, want):
                found.append((sheet.name, cell_ref(*pos), _text(have), _text(want)))
    out = [
        anomalia(
            Codice.REC_VALORE_MOSTRATO_DIVERSO,
            file=etichetta,
            foglio=foglio,
            cella=cella,
            mostrato=have,
            calcolato=want,
        )
        for foglio, cella, have, want in found[:MAX_REPORTS]
    ]
    if len(found) > MAX_REPORTS:
        out.append(anomalia(Codice.REC_ALTRE_MODIFICHE, file=etichetta, n=len(found) - MAX_REPORTS))
    return out


def _follows(
    formula: str,
    sheet: SheetData,
    sheets: dict[str, SheetData],
    computed: dict[tuple[str, str], Decimal | str],
) -> Shown:
    """What a formula that only shows a value from elsewhere must show; None for others."""
    if m := fx.REFERENCE.fullmatch(formula):
        known = computed.get((_unquote(m[1]), m[2]))
        return known if known is not None else _value(sheets, m[1], m[2])
    if (m := fx.MIRROR.fullmatch(formula)) and (m[1], m[2]) == (m[3], m[4]):
        value = _value(sheets, m[1], m[2])
        return DASH if value is None or value == "" else value
    if (m := fx.SU_100.fullmatch(formula)) and m[1] == m[2]:
        total = computed.get((sheet.name.upper(), m[1]))
        total = total if total is not None else _shown_at(sheet, m[1])
        if not isinstance(total, Decimal):
            return DASH
        try:
            return round2(total * 100 / Decimal(m[3]))
        except (InvalidOperation, ZeroDivisionError):
            return None
    if m := fx.LOOKUP.fullmatch(formula):
        key = _value(sheets, m[1], m[2])
        table = sheets.get(_unquote(m[3]))
        if table is None:
            return None
        (r1, c1), (r2, _) = parse_ref(m[4]), parse_ref(m[5])
        for row in range(r1, r2 + 1):
            listed = _shown(table, (row, c1))  # a 0 is a value: never «or ""»
            if key is not None and listed is not None and _same(listed, key):
                found = _shown(table, (row, c1 + 1))
                return "" if found is None else found
        return ""
    return None


def _unquote(name: str) -> str:
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def _value(sheets: dict[str, SheetData], sheet: str, cell: str) -> Shown:
    target = sheets.get(_unquote(sheet))
    return _shown_at(target, cell) if target is not None else None


def _shown_at(sheet: SheetData, cell: str) -> Shown:
    try:
        return _shown(sheet, parse_ref(cell))
    except ValueError:
        return None


def _shown(sheet: SheetData, pos: tuple[int, int]) -> Shown:
    """What a cell shows: a formula's saved result, or the value typed."""
    value, formula = sheet.cells.get(pos, (None, None))
    if formula:
        return _cached(sheet, pos)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return _decimal(value)
    return str(value)


def _cached(sheet: SheetData, pos: tuple[int, int]) -> Shown:
    saved = sheet.cached.get(pos)
    if saved is None or (saved[1] == "" and saved[0] in ("n", "float")):
        return None  # no result saved (openpyxl writes none): the program computes it on opening
    kind, text = saved
    if kind in ("n", "float"):
        try:
            return _decimal(float(text))
        except ValueError:
            return text
    return text


def _decimal(value: float | int | Decimal) -> Decimal | str:
    try:
        return Decimal(canonical_number(value))
    except (InvalidOperation, ValueError):
        return str(value)


def _same(have: Decimal | str, want: Decimal | str) -> bool:
    if isinstance(want, Decimal) or isinstance(have, Decimal):
        try:
            return Decimal(str(have)) == Decimal(str(want))
        except InvalidOperation:
            return False
    return str(have) == str(want)


def _text(value: Shown) -> str:
    if isinstance(value, Decimal):
        return format_number(value)
    return "" if value is None else str(value)[:60]
