"""Reading received files as hostile: what each bad file is reported as, and real LibreOffice
files read into the same content that was signed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from workbook.anomalies import Codice
from workbook.cycle import Cycle
from workbook.errors import FileProblem
from workbook.reconcile.readers import read_book

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def rezip(source: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    """The same workbook with some parts added, changed or removed."""
    with zipfile.ZipFile(io.BytesIO(source)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    change(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _macro(parts: dict[str, bytes]) -> None:
    parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0fake vba"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"
    )


def _entity(parts: dict[str, bytes]) -> None:
    xml = parts["xl/workbook.xml"]
    head, body = xml.split(b"?>", 1)
    parts["xl/workbook.xml"] = (
        head + b'?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + body
    )


def _late_doctype(parts: dict[str, bytes]) -> None:
    # A processing instruction 8 KiB long pushes the DOCTYPE past the first bytes of the part.
    xml = parts["xl/worksheets/sheet1.xml"]
    head, body = xml.split(b"?>", 1)
    parts["xl/worksheets/sheet1.xml"] = (
        head
        + b"?><?pad "
        + b"x" * 8192
        + b'?><!DOCTYPE worksheet [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        + body
    )


def _external_link(parts: dict[str, bytes]) -> None:
    parts["xl/externalLinks/externalLink1.xml"] = b"<externalLink/>"


def _embedded(parts: dict[str, bytes]) -> None:
    parts["xl/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0"


def _bomb(parts: dict[str, bytes]) -> None:
    parts["xl/media/image1.png"] = b"\0" * (20 * 2**20)  # 20 MiB of zeros: ratio > 1000


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _encrypt(data: bytes) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("segreto", out)
    return out.getvalue()


BAD: dict[str, tuple[Callable[[bytes], bytes], Codice]] = {
    "empty file": (lambda d: b"", Codice.ING_FILE_VUOTO),
    "only blanks": (lambda d: b"  \n\t ", Codice.ING_FILE_VUOTO),
    "truncated zip": (_truncate, Codice.ING_ZIP_DANNEGGIATO),
    "text renamed .xlsx": (
        lambda d: "Gentile segretario, ecco i voti…".encode(),
        Codice.ING_NON_FOGLIO,
    ),
    "password-encrypted workbook": (_encrypt, Codice.ING_CIFRATO),
    "legacy .xls": (lambda d: (FIXTURES / "legacy.xls").read_bytes(), Codice.ING_XLS),
    ".xlsm with macros": (lambda d: rezip(d, _macro), Codice.ING_MACRO),
    "zip bomb": (lambda d: rezip(d, _bomb), Codice.ING_TROPPO_GRANDE),
    "XML with an external entity": (lambda d: rezip(d, _entity), Codice.ING_XML_ENTITA),
    "DOCTYPE after a long processing instruction": (
        lambda d: rezip(d, _late_doctype),
        Codice.ING_XML_ENTITA,
    ),
    "external links": (lambda d: rezip(d, _external_link), Codice.ING_COLLEGAMENTI_ESTERNI),
    "embedded object": (lambda d: rezip(d, _embedded), Codice.ING_OGGETTI_INCORPORATI),
    "a zip that is not a workbook": (
        lambda d: rezip(b"PK\x05\x06" + b"\0" * 18, lambda p: p.update({"a.txt": b"x"})),
        Codice.ING_NON_FOGLIO,
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_each_bad_file_is_named_by_what_it_is(case: str, almenno: Cycle) -> None:
    make, code = BAD[case]
    data = make((almenno.moduli / "AREA1.xlsx").read_bytes())
    with pytest.raises(FileProblem) as exc:
        read_book(data)
    assert exc.value.codice is code


def test_a_part_over_the_cap_is_stopped_while_reading(almenno: Cycle) -> None:
    """Incompressible data passes the ratio check; the cap on what is actually inflated, read
    in chunks, still stops it (lowered here to 1 MiB to keep the test small)."""
    import os

    import workbook.reconcile.readers.zipped as zipped

    data = rezip(
        (almenno.moduli / "AREA1.xlsx").read_bytes(),
        lambda p: p.update({"xl/worksheets/sheet2.xml": os.urandom(3 * 2**20)}),
    )
    old = zipped.MAX_PART
    zipped.MAX_PART = 2**20
    try:
        with pytest.raises(FileProblem) as exc:
            read_book(data)
    finally:
        zipped.MAX_PART = old
    assert exc.value.codice is Codice.ING_TROPPO_GRANDE


@pytest.mark.parametrize("name", ["AREA1.xlsx", "AREA1.ods", "nucleo.xlsx", "nucleo.ods"])
def test_files_saved_by_libreoffice_read_as_what_was_signed(name: str) -> None:
    """LibreOffice rewrites everything (ODF formulas, hidden instead of veryHidden, no workbook
    protection): the locked content must still read exactly as it was signed."""
    import gzip
    import json

    from workbook.contract import (
        META,
        MapEntry,
        canonical_content,
        excluded_cells,
        sign,
    )

    cycle = Cycle(FIXTURES / "ciclo-lo")
    book = read_book((cycle.root / "salvati-da-libreoffice" / name).read_bytes())
    assert book.application.startswith("LibreOffice")
    assert book.sheet(META).state == "hidden"  # type: ignore[union-attr]
    nonce = book.properties["valuta_nonce"]
    with gzip.open(cycle.manifests / f"{nonce}.celle.json.gz") as fh:
        manifest = json.loads(fh.read())
    identity = json.loads((cycle.manifests / f"{nonce}.json").read_text())
    mappa = [MapEntry(*m) for m in manifest["mappa"]]
    content = canonical_content(book.sheet_names, book.as_cells(), excluded_cells(mappa))
    signed = {(s, r, c): (k, t) for s, r, c, k, t in manifest["celle"]}
    assert content == signed
    _, key = cycle.secrets()
    assert sign(key, identity["fogli"], content) == identity["identita"]["hmac"]
    assert all(s.protected for s in book.sheets)


_CELLS_OF_EVERY_KIND = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>in</t><t xml:space="preserve"> linea</t></is></c>'
    b'<c r="B1" t="b"><v>1</v></c><c r="C1" t="b"><v>0</v></c><c r="D1" t="e"><v>#N/A</v></c>'
    b'<c r="E1" t="str"><v>testo &amp; &#233;</v></c><c r="F1"><v>8.50</v></c>'
    b'<c r="G1"><f t="shared" ref="G1:G2" si="0">A1&amp;"x"</f><v>0</v></c></row>'
    b'<row r="2"><c r="G2"><f t="shared" si="0"/><v>0</v></c><c r="H2" s="1"/>'
    b'<c r="I2" t="inlineStr"><is><r><t>ric</t></r><r><t>co</t></r>'
    b'<rPh><t>no</t></rPh></is></c><c><v>7</v></c><c r="K2" t="b"><v/></c></row>'
)


@pytest.mark.parametrize("source", ["generato", "libreoffice", "ogni tipo di cella"])
def test_signed_lines_built_while_reading_equal_the_canonical_ones(
    source: str, almenno: Cycle
) -> None:
    """The reader writes each cell's signed line as it parses (the hot loop of a
    reconciliation); it must be exactly what contract.sheet_lines makes of the cells read."""
    from workbook.contract import sheet_lines

    if source == "generato":
        data = (almenno.moduli / "AREA1.xlsx").read_bytes()
    elif source == "libreoffice":
        data = (FIXTURES / "ciclo-lo" / "salvati-da-libreoffice" / "AREA1.xlsx").read_bytes()
    else:

        def cells_of_every_kind(parts: dict[str, bytes]) -> None:
            xml = parts["xl/worksheets/sheet1.xml"]
            start, end = xml.index(b"<sheetData>") + 11, xml.index(b"</sheetData>")
            parts["xl/worksheets/sheet1.xml"] = xml[:start] + _CELLS_OF_EVERY_KIND + xml[end:]

        data = rezip((almenno.moduli / "AREA1.xlsx").read_bytes(), cells_of_every_kind)
    book = read_book(data)
    assert sum(len(s.lines) for s in book.sheets) > 0
    for sheet in book.sheets:
        assert sheet.lines == sheet_lines(sheet.name, sheet.cells), sheet.name
        assert list(sheet.lines) == sorted(sheet.lines)
    if source == "ogni tipo di cella":
        cells = book.sheets[0].cells
        assert cells[(0, 0)] == ("in linea", None)
        assert cells[(0, 1)] == (True, None) and cells[(0, 2)] == (False, None)
        assert cells[(0, 3)] == ("#N/A", None) and cells[(0, 4)] == ("testo & é", None)
        assert cells[(0, 5)] == (8.5, None)
        assert cells[(0, 6)] == (None, 'A1&"x"') and cells[(1, 6)] == (None, 'A2&"x"')
        assert (1, 7) not in cells  # styled but empty
        assert cells[(1, 8)] == ("ricco", None)  # phonetic run left out
        assert cells[(1, 9)] == (7, None)  # no reference: the next column
        assert cells[(1, 10)] == (False, None)  # an empty boolean is false


@pytest.mark.parametrize("source", ["generato", "libreoffice"])
def test_large_worksheets_read_in_chunks_give_the_same_book(
    source: str, almenno: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worksheets over WHOLE_TREE_MAX are parsed in chunks, each row dropped once read, so
    that memory stays bounded: lowered here so that every sheet takes that path, cut into
    chunks of 1 KiB that end in the middle of cells."""
    import workbook.reconcile.readers.xlsx_cells as reader

    if source == "generato":
        data = (almenno.moduli / "AREA1.xlsx").read_bytes()
    else:
        data = (FIXTURES / "ciclo-lo" / "salvati-da-libreoffice" / "AREA1.xlsx").read_bytes()
    whole = read_book(data)
    monkeypatch.setattr(reader, "WHOLE_TREE_MAX", 0)
    monkeypatch.setattr(reader, "CHUNK", 1024)
    chunked = read_book(data)
    assert sum(len(s.cells) for s in whole.sheets) > 500
    for a, b in zip(whole.sheets, chunked.sheets, strict=True):
        assert (a.name, a.protected, a.cells, a.lines) == (b.name, b.protected, b.cells, b.lines)


def test_shared_strings_keep_the_text_of_runs_and_leave_out_phonetic_readings() -> None:
    import workbook.reconcile.readers.xlsx_cells as reader

    sst = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<si><t>semplice</t></si>"
        b'<si><r><rPr><b/></rPr><t>ric</t></r>\n  <r><t xml:space="preserve">co </t></r>'
        b'<rPh sb="0" eb="1"><t>no</t></rPh></si>'
        b"<si><t/></si><si><t>&lt;a&gt; &amp; &#233;</t></si></sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("xl/sharedStrings.xml", sst)
    strings, rich = reader.shared_strings(reader.Zip(out.getvalue()), "xl/sharedStrings.xml")
    assert strings == ["semplice", "ricco ", "", "<a> & é"]
    assert rich == {1}  # a run with its own font: its cells are reported if locked


def _sheet(body: bytes, head: bytes = b'<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        head + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + b"</sheetData></worksheet>"
    )


_UTF16_WITH_ENTITY = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE worksheet [<!ENTITY x "nascosto">]>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="str"><v>&x;</v></c></row></sheetData></worksheet>'
).encode("utf-16")

HOSTILE_SHEETS: dict[str, tuple[bytes, Codice, str]] = {
    # (the part, the anomaly, the cell it names). Bytes checks see UTF-8: another encoding
    # could hide a DOCTYPE from them.
    "UTF-16 with an entity": (_UTF16_WITH_ENTITY, Codice.ING_CODIFICA, ""),
    "an encoding Python cannot decode": (
        _sheet(b"", b'<?xml version="1.0" encoding="shift_jis"?>'),
        Codice.ING_CODIFICA,
        "",
    ),
    "an unknown encoding": (
        _sheet(b"", b'<?xml version="1.0" encoding="nessuna"?>'),
        Codice.ING_CODIFICA,
        "",
    ),
    "the same cell twice": (
        _sheet(
            b'<row r="1"><c r="A1" t="str"><v>firmato</v></c></row>'
            b'<row r="1"><c r="A1" t="str"><v>mostrato</v></c></row>'
        ),
        Codice.ING_ZIP_DANNEGGIATO,
        "A1",
    ),
    "the same cell twice, behind an empty cell": (
        _sheet(
            b'<row r="1"><c r="B1" t="str"><v>firmato</v></c><c r="A1"/>'
            b'<c r="B1" t="str"><v>mostrato</v></c></row>'
        ),
        Codice.ING_ZIP_DANNEGGIATO,
        "B1",
    ),
    "a reference outside the sheet": (
        _sheet(b'<row r="1"><c r="A1048577"><v>1</v></c></row>'),
        Codice.ING_ZIP_DANNEGGIATO,
        "",
    ),
    "a number that is not one": (
        _sheet(b'<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="n"><v>uno</v></c></row>'),
        Codice.ING_ZIP_DANNEGGIATO,
        "B3",
    ),
    "a broken shared formula": (
        _sheet(
            b'<row r="1"><c r="A1"><f t="shared" si="0" ref="A1:A2">SUM(("</f></c>'
            b'<c r="A2"><f t="shared" si="0"/></c></row>'
        ),
        Codice.ING_ZIP_DANNEGGIATO,
        "A2",
    ),
}


@pytest.mark.parametrize("whole", [True, False], ids=["albero intero", "a pezzi"])
@pytest.mark.parametrize("case", HOSTILE_SHEETS, ids=list(HOSTILE_SHEETS))
def test_hostile_worksheets_are_refused_by_both_ways_of_reading(
    case: str, whole: bool, almenno: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbook.reconcile.readers.xlsx_cells as reader

    sheet, codice, cella = HOSTILE_SHEETS[case]
    if not whole:
        monkeypatch.setattr(reader, "WHOLE_TREE_MAX", 0)
        monkeypatch.setattr(reader, "CHUNK", 64)
    data = rezip(
        (almenno.moduli / "AREA1.xlsx").read_bytes(),
        lambda p: p.update({"xl/worksheets/sheet1.xml": sheet}),
    )
    with pytest.raises(FileProblem) as exc:
        read_book(data)
    assert exc.value.codice is codice
    assert "xl/worksheets/sheet1.xml" in exc.value.dettaglio
    first_sheet = read_book((almenno.moduli / "AREA1.xlsx").read_bytes()).sheets[0].name
    assert (exc.value.foglio, exc.value.cella) == (first_sheet, cella)


def test_long_formulas_are_signed_like_the_others_and_never_remembered(almenno: Cycle) -> None:
    """The readers remember the distinct formulas of a cycle (10,551 for the largest Ente), to
    normalize each once; a hostile file's long formulas must not stay in memory."""
    import workbook.contract as contract
    from workbook.contract import sheet_lines

    long = "+".join(f"A{i}" for i in range(1, 400))  # 2,286 characters
    sheet = _sheet(
        b'<row r="1"><c r="A1"><f>' + long.encode() + b"</f></c>"
        b'<c r="B1"><f>' + long.lower().encode() + b"</f></c>"
        b'<c r="C1"><f>SUM(A1:A9)</f></c></row>'
    )
    data = rezip(
        (almenno.moduli / "AREA1.xlsx").read_bytes(),
        lambda p: p.update({"xl/worksheets/sheet1.xml": sheet}),
    )
    first = read_book(data).sheets[0]
    assert first.cells[(0, 0)] == (None, long) and first.cells[(0, 2)] == (None, "SUM(A1:A9)")
    assert first.lines == sheet_lines(first.name, first.cells)
    assert first.lines[(0, 0)].endswith(f"f{len(long)}:{long}")
    assert first.lines[(0, 1)] == first.lines[(0, 0)].replace("\t0\t0\t", "\t0\t1\t")
    remembered = contract.normalize_formula.memo
    assert "SUM(A1:A9)" in remembered
    assert long not in remembered and long.lower() not in remembered


def test_a_memo_forgets_everything_rather_than_grow_past_its_budget() -> None:
    from workbook.contract import Memo

    calls: list[str] = []

    def shout(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = Memo(shout, budget=10 * (Memo.ENTRY + 20), longest=10)
    texts = [f"formula{i:03}" for i in range(100)]  # 10 characters each
    for text in texts * 2:
        assert memo(text) == text.upper()
        assert memo.used <= memo.budget and len(memo.memo) <= 10
    assert len(calls) == 200  # each forgotten before it came back
    assert memo("formula099") == "FORMULA099" and len(calls) == 200  # the last ones are kept
    memo("x" * 11)
    assert "x" * 11 not in memo.memo


@pytest.mark.parametrize("whole", [True, False], ids=["albero intero", "a pezzi"])
def test_only_the_rows_of_sheet_data_count_and_deep_nesting_does_not_crash(
    whole: bool, almenno: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row hidden in an extension is not the sheet's (Excel ignores it); a rich string
    nested 20,000 levels deep is read without recursion."""
    import workbook.reconcile.readers.xlsx_cells as reader

    if not whole:
        monkeypatch.setattr(reader, "WHOLE_TREE_MAX", 0)
        monkeypatch.setattr(reader, "CHUNK", 256)
    deep = b"<r>" * 20_000 + b"<t>x</t>" + b"</r>" * 20_000
    sheet = _sheet(
        b'<row r="1"><c r="A1" t="str"><v>mostrato</v></c>'
        b'<c r="B1" t="inlineStr"><is><t>ok</t>' + deep + b"</is></c></row>"
    )
    sheet = sheet.replace(
        b"</worksheet>",
        b'<extLst><ext><row r="1"><c r="A1" t="str"><v>nascosto</v></c></row></ext></extLst>'
        b'<sheetProtection sheet="1"/></worksheet>',
    )
    data = rezip(
        (almenno.moduli / "AREA1.xlsx").read_bytes(),
        lambda p: p.update({"xl/worksheets/sheet1.xml": sheet}),
    )
    first = read_book(data).sheets[0]
    assert first.cells == {(0, 0): ("mostrato", None), (0, 1): ("ok", None)}
    assert first.protected


def test_a_row_too_long_to_hold_is_refused_when_read_in_chunks(
    almenno: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbook.reconcile.readers.xlsx_cells as reader

    monkeypatch.setattr(reader, "WHOLE_TREE_MAX", 0)
    monkeypatch.setattr(reader, "ROW_ELEMENTS", 100)
    sheet = _sheet(b'<row r="1">' + b"<c/>" * 200 + b"</row>")
    data = rezip(
        (almenno.moduli / "AREA1.xlsx").read_bytes(),
        lambda p: p.update({"xl/worksheets/sheet1.xml": sheet}),
    )
    with pytest.raises(FileProblem) as exc:
        read_book(data)
    assert exc.value.codice is Codice.ING_TROPPO_GRANDE
