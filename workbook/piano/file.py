"""The cells of piano.xlsx (or .ods), read by python-calamine behind the guards of the received
files: a Piano that inflates without bound, or whose grid python-calamine would have to hold
from A1 to a cell far away, is refused before it is opened."""

from __future__ import annotations

import re
from pathlib import Path

from workbook.errors import PianoIllegibile


def read_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's values. python-calamine (Rust) reads 20,000 rows in a few hundredths of a
    second, where openpyxl takes seconds; dates arrive as dates, empty cells as «»."""
    from python_calamine import CalamineWorkbook

    _guard(path)
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: [tuple(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in wb.sheet_names
        }
    finally:
        wb.close()


def _guard(path: Path) -> None:
    """The hostile-file guards of the received files, on the Piano too: a Piano that inflates
    without bound (or lies about its size) is refused before python-calamine opens it."""
    from workbook.errors import FileProblem
    from workbook.reconcile.readers.limits import MAX_FILE
    from workbook.reconcile.readers.zipped import Zip, sniff

    if path.stat().st_size > MAX_FILE:
        raise PianoIllegibile(f"il file pesa più di {MAX_FILE // 2**20} MB")
    data = path.read_bytes()
    if sniff(data) != "zip":
        return
    try:
        z = Zip(data)
        parts = {name: z.read(name) for name in sorted(z.names)}
    except FileProblem as exc:
        raise PianoIllegibile(exc.dettaglio or exc.codice.titolo) from None
    # python-calamine holds each sheet as a grid from A1 to its last cell: one far-away cell
    # (XFD1048576) asks for hundreds of GB, and the process aborts where no error can be
    # caught. A Piano has a few columns and one row per person.
    for name, body in parts.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            rows = [int(r) for r in _ROW_REF.findall(body)] or [0]
            cols = [_column(c) for c in _COL_REF.findall(body)] or [0]
            if max(rows) > MAX_PIANO_ROWS or max(cols) > MAX_PIANO_COLUMNS:
                raise PianoIllegibile(
                    "un foglio ha celle molto lontane dai dati (fino alla riga "
                    f"{max(rows)}, colonna {max(cols)}): cancellarle e salvare di nuovo"
                )
        if name == "content.xml" and _ODS_REPEAT.search(body):
            raise PianoIllegibile(
                "un foglio ripete una cella con un valore per milioni di righe o colonne: "
                "cancellare le celle oltre i dati e salvare di nuovo"
            )


MAX_PIANO_ROWS = 200_000  # people and objectives of the largest Ente, with room to spare
MAX_PIANO_COLUMNS = 200
_ROW_REF = re.compile(rb"<(?:\w+:)?row[^>]*?\sr=\"(\d{1,9})\"")
_COL_REF = re.compile(rb"<(?:\w+:)?c[^>]*?\sr=\"([A-Z]{1,3})\d")
# A non-empty ODS cell repeated far beyond any Piano (LibreOffice repeats empty ones only).
_ODS_REPEAT = re.compile(
    rb"<table:table-cell[^>]*number-columns-repeated=\"(?:[2-9]\d{2,}|1\d{3,})\"[^>]*"
    rb"office:value-type"
)


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col
