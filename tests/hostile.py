"""A corpus of hostile and broken received files, built by code from real workbooks.

Each `Case` makes the bytes of one file from `Sources` (a workbook filled by valuta, and the
same workbook filled and saved by LibreOffice as .xlsx and .ods), and says what must come of
it: the anomaly's code, sheet and cell. Nothing here is stored on disk: the files are small
to describe and some would be gigabytes once expanded.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbook.anomalies import Codice

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PACKAGE_RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Sources:
    generated: bytes  # AREA1 of the almenno cycle, filled by valuta (xlsxwriter)
    lo_xlsx: bytes  # AREA1 of tests/fixtures/ciclo-lo, filled and saved by LibreOffice
    lo_ods: bytes


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Sources], bytes]
    codice: Codice
    foglio: str = ""
    cella: str = ""
    lo: bool = False  # read against the LibreOffice fixture's cycle


def rezip(data: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def minimal_xlsx(
    sheet: bytes, strings: bytes = b"", extra: dict[str, bytes] | None = None
) -> bytes:
    """A one-sheet workbook around the given worksheet XML (and shared strings)."""
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "xl/workbook.xml": b"<workbook "
        + main
        + b' xmlns:r="'
        + rel
        + b'"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="'
        + PACKAGE_RELS
        + b'"><Relationship Id="rId1" Type="'
        + rel
        + b'/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="'
        + rel
        + b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": b"<worksheet "
        + main
        + b"><sheetData>"
        + sheet
        + b"</sheetData></worksheet>",
        "xl/sharedStrings.xml": b"<sst " + main + b">" + strings + b"</sst>",
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def flip_bits(data: bytes, part: str) -> bytes:
    """The bytes of a zip with some bits of one compressed part flipped (the CRC and the
    deflate stream no longer agree, or the stream no longer decodes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    out = bytearray(data)
    for i in range(start + 10, start + min(info.compress_size, 400), 37):
        out[i] ^= 0x5A
    return bytes(out)


def _sheet(parts: dict[str, bytes], name: str) -> str:
    """The part of a sheet of a workbook, by its name."""
    workbook = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="(rId\d+)"', workbook)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    assert rid is not None
    target = re.search(
        rf'Id="{rid[1]}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid[1]}"', rels
    )
    assert target is not None
    return "xl/" + (target[1] or target[2]).removeprefix("/xl/")


def _content(change: Callable[[str], str]) -> Callable[[Sources], bytes]:
    def build(src: Sources) -> bytes:
        def edit(parts: dict[str, bytes]) -> None:
            parts["content.xml"] = change(parts["content.xml"].decode()).encode()

        return rezip(src.lo_ods, edit)

    return build


def _first_cell_with_value(xml: str, extra: str) -> str:
    """Add attributes to the first ODS cell holding a value."""
    pattern = r"<table:table-cell ([^>]*office:value-type)"
    changed = re.sub(pattern, rf"<table:table-cell {extra} \1", xml, count=1)
    assert changed != xml
    return changed


def _in_first_text(xml: str, inner: str) -> str:
    """Put some markup at the start of the first ODS cell holding text."""
    pattern = r'(<table:table-cell [^>]*office:value-type="string"[^>]*>\s*<text:p>)'
    changed = re.sub(pattern, rf"\1{inner}", xml, count=1)
    assert changed != xml
    return changed


def _once(xml: str, pattern: str, replacement: str) -> str:
    changed = re.sub(pattern, replacement, xml, count=1)
    assert changed != xml
    return changed


def _many_cells() -> bytes:
    """More cells than a file may hold, written so that they do not compress like a bomb."""
    import random

    rng = random.Random(7)
    rows = (
        b'<row r="%d">' % r
        + b"".join(b"<c><v>%d</v></c>" % rng.randrange(10**9) for _ in range(1000))
        + b"</row>"
        for r in range(1, 520)
    )
    return minimal_xlsx(b"".join(rows))


# A string a million characters long shown by a hundred cells: 2 KB compressed, 100 million
# characters of signed lines once read.
_AMPLIFIED = minimal_xlsx(
    b"".join(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (i, i) for i in range(1, 101)),
    b"<si><t>" + b"x" * 1_000_000 + b"</t></si>",
)
# One long formula shared by 20,000 cells: each is translated (openpyxl's tokenizer) for the
# signature: minutes of processor time without a budget.
_SHARED_FORMULA = minimal_xlsx(
    b'<row r="1"><c r="A1"><f t="shared" ref="A1:A20000" si="0">'
    + b"+".join(b"B%d" % i for i in range(1, 1300))
    + b"</f></c></row>"
    + b"".join(
        b'<row r="%d"><c r="A%d"><f t="shared" si="0"/></c></row>' % (i, i) for i in range(2, 20001)
    )
)


def _ods_amplified_rows(src: Sources) -> bytes:
    return _content(
        lambda xml: xml.replace(
            "</table:table>",
            '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
            'table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
            "</table:table-cell></table:table-row></table:table>",
            1,
        )
    )(src)


def _ods_amplified_spaces(src: Sources) -> bytes:
    cell = (
        '<table:table-cell office:value-type="string"><text:p><text:s text:c="900000"/>'
        "</text:p></table:table-cell>"
    )
    return _content(
        lambda xml: xml.replace(
            "</table:table>",
            "<table:table-row>" + cell * 60 + "</table:table-row></table:table>",
            1,
        )
    )(src)


def _external_image(src: Sources) -> bytes:
    def edit(parts: dict[str, bytes]) -> None:
        sheet = _sheet(parts, "Istruzioni")
        rels = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
        parts[rels] = (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/image" Target="http://tracker.example/pixel.png" '
            b'TargetMode="External"/>'
            b"</Relationships>"
        )

    return rezip(src.generated, edit)


def _ole_inside(src: Sources) -> bytes:
    legacy = (FIXTURES / "legacy.xls").read_bytes()
    return rezip(src.generated, lambda parts: parts.update({"xl/media/image1.png": legacy}))


def _vba_by_relationship(src: Sources) -> bytes:
    def edit(parts: dict[str, bytes]) -> None:
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rId99" Type="http://schemas.microsoft.com/office/2006/relationships/'
            b'vbaProject" Target="progetto.dat"/></Relationships>',
        )
        parts["xl/progetto.dat"] = b"\x00" * 64

    return rezip(src.generated, edit)


CASES = [
    Case(
        "deflate con bit invertiti",
        lambda s: flip_bits(s.generated, "xl/worksheets/sheet3.xml"),
        Codice.ING_ZIP_DANNEGGIATO,
    ),
    Case(
        "stringa condivisa amplificata", lambda s: _AMPLIFIED, Codice.ING_TROPPO_GRANDE, "Foglio1"
    ),
    Case(
        "formula troppo lunga",
        lambda s: minimal_xlsx(b'<row r="1"><c r="B2"><f>' + b"1+" * 5000 + b"1</f></c></row>"),
        Codice.ING_ZIP_DANNEGGIATO,
        "Foglio1",
        "B2",
    ),
    Case(
        "cella oltre l'ultima colonna",
        lambda s: minimal_xlsx(b'<row r="1">' + b"<c><v>1</v></c>" * 16_385 + b"</row>"),
        Codice.ING_ZIP_DANNEGGIATO,
        "Foglio1",
    ),
    Case(
        "riga non numerica",
        lambda s: minimal_xlsx(b'<row r="x1"><c><v>1</v></c></row>'),
        Codice.ING_ZIP_DANNEGGIATO,
        "Foglio1",
    ),
    Case(
        "troppe celle",
        lambda s: _many_cells(),
        Codice.ING_TROPPO_GRANDE,
        "Foglio1",
    ),
    Case("oggetto OLE sotto un altro nome", _ole_inside, Codice.ING_OGGETTI_INCORPORATI),
    Case("progetto VBA per relazione", _vba_by_relationship, Codice.ING_MACRO),
    Case("immagine esterna", _external_image, Codice.ING_COLLEGAMENTI_ESTERNI),
    Case(
        "ODS: colonne ripetute non numeriche",
        _content(lambda x: _first_cell_with_value(x, 'table:number-columns-repeated="abc"')),
        Codice.ING_ZIP_DANNEGGIATO,
        lo=True,
    ),
    Case(
        "ODS: righe ripetute negative",
        _content(
            lambda x: x.replace(
                "<table:table-row ", '<table:table-row table:number-rows-repeated="-5" ', 1
            )
        ),
        Codice.ING_ZIP_DANNEGGIATO,
        lo=True,
    ),
    Case(
        "ODS: spazi non numerici",
        _content(lambda x: _in_first_text(x, '<text:s text:c="molti"/>')),
        Codice.ING_ZIP_DANNEGGIATO,
        lo=True,
    ),
    Case(
        "ODS: righe e colonne amplificate", _ods_amplified_rows, Codice.ING_TROPPO_GRANDE, lo=True
    ),
    Case("ODS: spazi amplificati", _ods_amplified_spaces, Codice.ING_TROPPO_GRANDE, lo=True),
]
CPU_CASE = Case(
    "formula condivisa che tiene occupato il processore",
    lambda s: _SHARED_FORMULA,
    Codice.ING_TEMPO_SCADUTO,
)


# --- found by a review that attacked the reader ------------------------------------------------


def _bzip2(src: Sources) -> bytes:
    """The same workbook with its parts compressed with bzip2 (Python inflates bzip2 and LZMA
    a whole chunk at a time: a few bytes became gigabytes)."""
    with zipfile.ZipFile(io.BytesIO(src.generated)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def _many_strings(src: Sources) -> bytes:
    return minimal_xlsx(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', b"<si/>" * 600_000)


def _shared_formula_row(src: Sources) -> bytes:
    """One row of 16,384 cells sharing a formula: the budget is checked at each translation,
    not once per row."""
    master = b"+".join(b"B%d" % i for i in range(1, 1300))
    cells = b'<c r="A1"><f t="shared" ref="A1:XFD1" si="0">' + master + b"</f></c>"
    cells += b"".join(
        b'<c r="%s1"><f t="shared" si="0"/></c>' % _letters(i).encode() for i in range(1, 16384)
    )
    return minimal_xlsx(b'<row r="1">' + cells + b"</row>")


def _letters(col: int) -> str:
    from workbook.contract import col_letter

    return col_letter(col)


def _number(text: bytes) -> Callable[[Sources], bytes]:
    def build(src: Sources) -> bytes:
        def edit(parts: dict[str, bytes]) -> None:
            sheet = _sheet(parts, "Obiettivi")
            parts[sheet] = re.sub(
                rb'(<c r="F5"[^>]*><v>)[^<]*', rb"\g<1>" + text, parts[sheet], count=1
            )

        return rezip(src.generated, edit)

    return build


def _ods_formula_amplified(src: Sources) -> bytes:
    formula = "of:=&quot;" + "x" * 2000 + "&quot;"
    cell = (
        f'<table:table-cell table:number-columns-repeated="1000" table:formula="{formula}" '
        'office:value-type="string" office:string-value="x"><text:p>x</text:p></table:table-cell>'
    )
    return _content(
        lambda xml: xml.replace(
            "</table:table>",
            f'<table:table-row table:number-rows-repeated="400">{cell}</table:table-row>'
            "</table:table>",
            1,
        )
    )(src)


ATTACKS = [
    Case("zip compresso con bzip2", _bzip2, Codice.ING_ZIP_DANNEGGIATO),
    Case("stringhe condivise senza fine", _many_strings, Codice.ING_TROPPO_GRANDE),
    Case(
        "numero con il trattino basso",
        _number(b"1_0"),
        Codice.ING_ZIP_DANNEGGIATO,
        "Obiettivi",
        "F5",
    ),
    Case(
        "numero in cifre arabe",
        _number("١٠".encode()),
        Codice.ING_ZIP_DANNEGGIATO,
        "Obiettivi",
        "F5",
    ),
    Case("ODS: formula amplificata", _ods_formula_amplified, Codice.ING_TROPPO_GRANDE, lo=True),
    Case(
        "ODS: tipo di valore incoerente",
        _content(
            lambda x: _once(
                x,
                r'(office:value-type="float" office:value="[^"]*" )calcext:value-type="float"',
                r'\1calcext:value-type="string"',
            )
        ),
        Codice.ING_ZIP_DANNEGGIATO,
        lo=True,
    ),
]
SLOW_ROW = Case("riga di formule condivise", _shared_formula_row, Codice.ING_TEMPO_SCADUTO)
