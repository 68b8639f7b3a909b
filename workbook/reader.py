"""Read a received spreadsheet, treating it as hostile.

What a file is comes from its bytes, not its name. Zip archives are opened with caps on the
number of entries and on the decompressed size (read in chunks: declared sizes can lie). A
document type declaration is refused outright in every XML part, before any parser sees it;
parts must be UTF-8, as every spreadsheet program writes them, so that the checks on their
bytes see what the parsers see. The small parts are parsed with lxml with entities, DTDs and
network access off, the worksheets and the shared strings with ElementTree (faster: its tree
is built in C; large worksheets in chunks). Macros, external links and embedded objects are
refused. Both .xlsx (as written by xlsxwriter, Excel or LibreOffice) and .ods are read into
the same shape: per sheet, the (value, formula) of every non-empty cell, plus the sheet's
state and protection, the custom document properties and the last-saved time.

This is the only module that parses the received workbooks.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal
from xml.etree import ElementTree as ET

from lxml import etree

from .anomalies import Codice
from .layout import (
    CellValue,
    Lines,
    cell_ref,
    normalize_formula,
    normalize_text,
    parse_ref,
    sheet_head,
    sheet_lines,
)
from .values import canonical_number

MAX_ENTRIES = 5_000
MAX_PART = 100 * 2**20  # decompressed bytes of one XML part
MAX_TOTAL = 300 * 2**20  # decompressed bytes of the whole archive
MAX_RATIO = 200  # a part inflating more than this (and over 1 MiB) is a zip bomb

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "dcterms": "http://purl.org/dc/terms/",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
# Clark-notation prefixes of the namespaces met in every cell, for fast tag comparisons.
M = "{%s}" % NS["m"]  # noqa: UP031 - braces are the point: «{namespace}tag»
T = "{%s}" % NS["table"]  # noqa: UP031
X = "{%s}" % NS["text"]  # noqa: UP031
OF = "{%s}" % NS["office"]  # noqa: UP031

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Cells = dict[tuple[int, int], tuple[CellValue, str | None]]


class FileProblem(Exception):
    """A received file that cannot be read as one of our workbooks: `codice` says why."""

    def __init__(
        self, codice: Codice, dettaglio: str = "", foglio: str = "", cella: str = ""
    ) -> None:
        super().__init__(dettaglio or codice.titolo)
        self.codice = codice
        self.dettaglio = dettaglio
        self.foglio = foglio  # where it is, when the problem is in one sheet or one cell
        self.cella = cella


@dataclass(slots=True)
class SheetData:
    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    protected: bool = False
    cells: Cells = field(default_factory=dict)
    lines: Lines = field(default_factory=dict)  # see layout.sheet_lines


@dataclass(slots=True)
class Book:
    kind: Literal["xlsx", "ods"]
    sheets: list[SheetData]
    structure_protected: bool
    properties: dict[str, str]
    modified: dt.datetime | None
    application: str

    def sheet(self, name: str) -> SheetData | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def as_cells(self) -> dict[str, Cells]:
        return {s.name: s.cells for s in self.sheets}


# --- what the bytes are -------------------------------------------------------------------------

Kind = Literal["empty", "zip", "ole", "other"]


def sniff(data: bytes) -> Kind:
    if not data.strip():
        return "empty"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "other"


def _ole_problem(data: bytes) -> FileProblem:
    """An OLE2 compound file is either an encrypted OOXML workbook or a legacy .xls."""
    import msoffcrypto
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        streams = {"/".join(s) for s in ole.listdir()}
        ole.close()
    except OSError as exc:
        return FileProblem(Codice.ING_ZIP_DANNEGGIATO, str(exc))
    if "EncryptionInfo" in streams:
        return FileProblem(Codice.ING_CIFRATO)
    try:
        if msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted():
            return FileProblem(Codice.ING_CIFRATO)
    except Exception:
        pass
    if "Workbook" in streams or "Book" in streams:
        return FileProblem(Codice.ING_XLS)
    return FileProblem(Codice.ING_NON_FOGLIO, "documento Office non di foglio di calcolo")


class _Zip:
    """A zip archive opened with limits on what it may inflate to."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, EOFError, ValueError) as exc:
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, str(exc)) from None
        if len(infos) > MAX_ENTRIES:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{len(infos)} parti")
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{declared // 2**20} MiB dichiarati")
        for info in infos:
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise FileProblem(
                    Codice.ING_TROPPO_GRANDE, f"{info.filename}: rapporto di compressione sospetto"
                )
        self.names = {i.filename for i in infos}
        self.inflated = 0

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """One part, decompressed in chunks up to the caps."""
        chunks, size = [], 0
        try:
            with self.zf.open(name) as fh:
                while chunk := fh.read(1 << 16):
                    size += len(chunk)
                    self.inflated += len(chunk)
                    if size > MAX_PART or self.inflated > MAX_TOTAL:
                        raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{name} supera i limiti")
                    chunks.append(chunk)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None
        except RuntimeError as exc:  # zipfile: "File … is encrypted, password required"
            raise FileProblem(Codice.ING_CIFRATO, str(exc)) from None
        return b"".join(chunks)

    def xml(self, name: str) -> bytes:
        data = self.read(name)
        _refuse_other_encodings(data, name)
        _refuse_doctype(data, name)
        return data


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _refuse_other_encodings(data: bytes, name: str) -> None:
    """Only UTF-8, what every spreadsheet program writes: the checks on the bytes below (and
    every parser's view of them) then see the same characters."""
    head = data.removeprefix(b"\xef\xbb\xbf")[:200]
    declared = _DECLARED.match(head)
    encoding = declared.group(1).decode().lower() if declared else "utf-8"
    if data.startswith(_OTHER_BOMS) or b"\x00" in head or encoding not in ("utf-8", "utf8"):
        shown = encoding if declared else "UTF-16 o UTF-32"
        raise FileProblem(Codice.ING_CODIFICA, f"{name}, codifica «{shown}»")


def _refuse_doctype(data: bytes, name: str) -> None:
    # A DTD has no business in these parts; refusing it outright rules out entity expansion
    # ("billion laughs") and external entities whatever the parser would do with them. The
    # whole part is searched: a long processing instruction can push a DOCTYPE far down.
    if b"<!" in data and _DOCTYPE.search(data):
        raise FileProblem(Codice.ING_XML_ENTITA, name)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _tree(z: _Zip, name: str) -> etree._Element:
    try:
        return etree.fromstring(z.xml(name), _parser())
    except etree.XMLSyntaxError as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None


def _iterparse(
    z: _Zip, name: str, tags: tuple[str, ...], events: tuple[str, ...] = ("start", "end")
) -> Iterator[tuple[str, etree._Element]]:
    data = z.xml(name)
    try:
        yield from etree.iterparse(
            io.BytesIO(data),
            events=events,
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
    except etree.XMLSyntaxError as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None


def read_book(data: bytes) -> Book:
    """Read a workbook from its bytes; raise `FileProblem` for anything else."""
    kind = sniff(data)
    if kind == "empty":
        raise FileProblem(Codice.ING_FILE_VUOTO)
    if kind == "ole":
        raise _ole_problem(data)
    if kind == "other":
        raise FileProblem(Codice.ING_NON_FOGLIO)
    z = _Zip(data)
    if z.has("mimetype") and z.read("mimetype").strip() == ODS_MIME:
        return _read_ods(z)
    if z.has("[Content_Types].xml") and z.has("xl/workbook.xml"):
        return _read_xlsx(z)
    if z.has("mimetype") or z.has("[Content_Types].xml"):
        raise FileProblem(Codice.ING_NON_FOGLIO, "documento Office non di foglio di calcolo")
    raise FileProblem(Codice.ING_NON_FOGLIO, "archivio zip")


# --- xlsx -------------------------------------------------------------------------------------


def _check_xlsx_parts(z: _Zip) -> None:
    types = z.xml("[Content_Types].xml")
    if (
        b"macroEnabled" in types
        or b"vbaProject" in types
        or any(n.lower().endswith("vbaproject.bin") for n in z.names)
    ):
        raise FileProblem(Codice.ING_MACRO)
    if any(n.startswith("xl/externalLinks/") for n in z.names):
        raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI)
    if any(n.startswith(("xl/embeddings/", "xl/activeX/")) for n in z.names):
        raise FileProblem(Codice.ING_OGGETTI_INCORPORATI)


def _rels(z: _Zip, name: str) -> dict[str, str]:
    folder, base = posixpath.split(name)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    out = {}
    for rel in _tree(z, rels_name).iterfind("rel:Relationship", NS):
        if rel.get("TargetMode") == "External":
            raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI, rel.get("Target", ""))
        target = rel.get("Target", "")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = path
    return out


def _shared_strings(z: _Zip, path: str | None) -> list[str]:
    if not path or not z.has(path):
        return []
    try:
        root = ET.fromstring(z.xml(path))
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{path}: {exc}") from None
    strings = []
    for si in root:
        # A single run, <si><t>…</t></si>, is what every program writes for plain text.
        if len(si) == 1 and si[0].tag == _T and not len(si[0]):
            strings.append(si[0].text or "")
        else:  # rich text: its runs, without phonetic readings
            strings.append(_inline_string(si))
    return strings


def _number(text: str, where: str = "", cella: str = "") -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO, f"{where}: numero non valido «{text}»", cella=cella
        ) from None


# Element names in Clark notation, as ElementTree reports them.
_ROW, _CELL, _PROTECTION, _DATA = M + "row", M + "c", M + "sheetProtection", M + "sheetData"
_F, _V, _IS, _T, _R = M + "f", M + "v", M + "is", M + "t", M + "r"

# A worksheet part up to this size is parsed into one tree (ElementTree: expat and the tree
# builder in C, no Python call per element): at worst, a part made only of empty elements,
# some 100 MB of memory. A larger one is parsed in chunks, each row read and dropped once it
# ends: memory is then bounded by one row, itself capped at ROW_ELEMENTS.
WHOLE_TREE_MAX = 4 * 2**20
CHUNK = 1 << 20
ROW_ELEMENTS = 16_384 * 8  # Excel's columns, a few elements each


@functools.lru_cache(maxsize=1 << 16)
def _position(ref: str) -> tuple[int, int, tuple[int, int], str]:
    """«B12» → (row, column, (row, column), «11\t1\t»): a cell's position and the part of its
    signed line that names it, worked out once per distinct reference (57,222 in the cycle of
    the largest Ente). ValueError if it is not a reference: those are never kept. This is the
    received files' cache; layout.parse_ref's own stays for the references we write."""
    row, col = parse_ref.__wrapped__(ref)
    return row, col, (row, col), f"{row}\t{col}\t"


class _SheetReader:
    """Reads one worksheet part, keeping every non-empty cell and its signed line.

    The XML is parsed by ElementTree in C; Python visits each cell once, and each cell's
    signed line is encoded right there, so verifying a file costs one pass over its cells:
    about as much as merely parsing the XML (see benchmarks/README.md). Only the rows of
    `worksheet/sheetData` and the `worksheet/sheetProtection` count, as for Excel."""

    def __init__(self, strings: _Strings, path: str, name: str) -> None:
        self.cells: Cells = {}
        self.lines: Lines = {}
        self.head = sheet_head(name)
        self.strings = strings
        self.path = path
        self.shared: dict[str, tuple[str, str]] = {}  # shared formula index → (origin, formula)
        self.protected = False
        self.row = -1  # for rows and cells without an «r» (allowed by ECMA-376)
        self.last = (-1, -1)
        self.ordered = True

    def parse(self, data: bytes) -> None:
        try:
            if len(data) <= WHOLE_TREE_MAX:
                root = ET.fromstring(data)
                for sheet_data in root.iterfind(_DATA):
                    self.rows(sheet_data)
                for protection in root.iterfind(_PROTECTION):
                    self.protection(protection)
            else:
                self.parse_in_chunks(data)
        except (ET.ParseError, ValueError, LookupError) as exc:
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{self.path}: {exc}") from None
        if not self.ordered:  # never from a spreadsheet program, but bytes are not to be trusted
            self.lines = {p: self.lines[p] for p in sorted(self.lines)}

    def parse_in_chunks(self, data: bytes) -> None:
        """The same reading, one row at a time. Every element is dropped from its parent as
        it ends, unless it belongs to a row still open."""
        parser = ET.XMLPullParser(events=("start", "end"))
        open_elements: list[ET.Element] = []  # from the root to the element being parsed
        in_row = 0  # elements of the row being parsed, while one is open (else 0)

        def batches() -> Iterator[Iterator[tuple[str, ET.Element]]]:
            for offset in range(0, len(data), CHUNK):
                parser.feed(data[offset : offset + CHUNK])
                yield parser.read_events()
            parser.close()
            yield parser.read_events()

        for event, element in chain.from_iterable(batches()):
            if event == "start":
                open_elements.append(element)
                if in_row:
                    in_row += 1
                    if in_row > ROW_ELEMENTS:
                        raise FileProblem(
                            Codice.ING_TROPPO_GRANDE, f"{self.path}: riga troppo lunga"
                        )
                elif element.tag == _ROW and self._under(open_elements, _DATA):
                    in_row = 1
                continue
            open_elements.pop()
            if in_row and element.tag == _ROW and len(open_elements) == 2:
                self.rows((element,))
                in_row = 0
            elif in_row:
                continue  # part of the open row: read with it
            elif element.tag == _PROTECTION and len(open_elements) == 1:
                self.protection(element)
            if open_elements:  # by identity: later siblings may already be in the tree
                open_elements[-1].remove(element)

    @staticmethod
    def _under(open_elements: list[ET.Element], tag: str) -> bool:
        """Whether the element just opened is a child of `worksheet/<tag>`."""
        return len(open_elements) == 3 and open_elements[1].tag == tag

    def protection(self, element: ET.Element) -> None:
        self.protected = element.get("sheet") in ("1", "true")

    def rows(self, rows: Iterable[ET.Element]) -> None:
        # Each line is layout.canonical_line(head, row, col, kind, text), written out: this
        # runs for every cell of every file.
        head, cells, lines, path = self.head, self.cells, self.lines, self.path
        values, encoded, shared = self.strings.values, self.strings.encoded, self.shared
        row, last, ordered = self.row, self.last, self.ordered
        for element in rows:
            if element.tag != _ROW:
                continue
            r = element.get("r")
            if r:
                try:
                    row = int(r) - 1
                except ValueError:
                    raise FileProblem(
                        Codice.ING_ZIP_DANNEGGIATO, f"{path}: riga «{r}» non valida"
                    ) from None
            else:
                row += 1
            col = -1
            for cell in element:
                if cell.tag != _CELL:
                    continue
                ref = cell.get("r")
                if ref:
                    try:
                        row, col, pos, where = _position(ref)
                    except ValueError:
                        raise FileProblem(
                            Codice.ING_ZIP_DANNEGGIATO, f"{path}: cella «{ref}» non valida"
                        ) from None
                else:
                    col += 1
                    pos, where = (row, col), f"{row}\t{col}\t"
                if pos <= last:
                    ordered = False
                if not ordered and pos in cells:  # which of the two would a program show?
                    raise FileProblem(
                        Codice.ING_ZIP_DANNEGGIATO,
                        f"{path}: cella ripetuta",
                        cella=cell_ref(row, col),
                    )
                last = pos
                text: str | None = None
                formula = ""
                for child in cell:
                    tag = child.tag
                    if tag == _V:
                        text = child.text or ""
                    elif tag == _F:
                        formula = child.text or ""
                        if child.get("t") == "shared":
                            si = child.get("si", "")
                            if formula:
                                shared[si] = (ref or "", formula)
                            elif si in shared:
                                formula = _translate(shared[si], ref or "", path)
                    elif tag == _IS:
                        text = _inline_string(child)
                if formula:  # a formula's cached result is never used: never trusted, never read
                    cells[pos] = (None, formula)
                    canonical = normalize_formula(formula)
                    lines[pos] = f"{head}{where}f{len(canonical)}:{canonical}"
                    continue
                if text:
                    ctype = cell.get("t")
                    if ctype == "s":
                        try:
                            index = int(text)
                            value: CellValue = values[index]
                            if index < 0:
                                raise IndexError
                        except (ValueError, IndexError):
                            raise FileProblem(
                                Codice.ING_ZIP_DANNEGGIATO,
                                f"{path}: stringa condivisa {text} inesistente",
                                cella=cell_ref(row, col),
                            ) from None
                        if value:
                            cells[pos] = (value, None)
                            lines[pos] = f"{head}{where}{encoded[index]}"
                        continue
                    if ctype is None or ctype == "n":
                        try:
                            value = _number(text, path)
                        except FileProblem as exc:
                            exc.cella = cell_ref(row, col)
                            raise
                        canonical = canonical_number(value)
                        line = f"{head}{where}n{len(canonical)}:{canonical}"
                    elif ctype == "b":
                        value = text == "1"
                        line = f"{head}{where}b1:{'1' if value else '0'}"
                    else:  # inlineStr, str (a formula's text), e (error), d (ISO date)
                        value = text
                        canonical = normalize_text(text)
                        line = f"{head}{where}s{len(canonical)}:{canonical}"
                elif text is not None and cell.get("t") == "b":
                    value = False
                    line = f"{head}{where}b1:0"
                else:
                    continue  # no value, or an empty one: not content
                cells[pos] = (value, None)
                lines[pos] = line
        self.row, self.last, self.ordered = row, last, ordered


def _inline_string(element: ET.Element) -> str:
    """The text of a rich or inline string (<si> or <is>): its text and the text of its runs
    (<r><t>), without phonetic readings (<rPh>). Only these shapes, which are all the schema
    allows: no recursion, however deep a hostile file nests its elements."""
    out = []
    for child in element:
        if child.tag == _T:
            out.append(child.text or "")
        elif child.tag == _R:
            out.extend(t.text or "" for t in child.iterfind(_T))
    return "".join(out)


def _xlsx_sheet(z: _Zip, path: str, strings: _Strings, sheet: SheetData) -> None:
    """Every non-empty cell of one worksheet part, with its signed line."""
    reader = _SheetReader(strings, path, sheet.name)
    try:
        reader.parse(z.xml(path))
    except FileProblem as exc:
        exc.foglio = sheet.name
        raise
    sheet.cells = reader.cells
    sheet.lines = reader.lines
    sheet.protected = reader.protected


@dataclass(slots=True)
class _Strings:
    """The shared strings, and the signed tail of each («s<length>:<text>»)."""

    values: list[str]
    encoded: list[str]

    @classmethod
    def of(cls, values: list[str]) -> _Strings:
        texts = map(normalize_text, values)
        return cls(values, [f"s{len(t)}:{t}" for t in texts])


def _translate(master: tuple[str, str], ref: str, path: str) -> str:
    from openpyxl.formula.translate import Translator  # Excel's shared formulas only

    origin, formula = master
    try:
        return Translator("=" + formula, origin).translate_formula(ref)[1:]
    except Exception:  # a hostile master formula or reference: openpyxl raises anything
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO,
            f"{path}: formula condivisa «{formula}» non valida",
            cella=ref,
        ) from None


def _read_xlsx(z: _Zip) -> Book:
    _check_xlsx_parts(z)
    workbook = _tree(z, "xl/workbook.xml")
    rels = _rels(z, "xl/workbook.xml")
    protection = workbook.find("m:workbookProtection", NS)
    structure = protection is not None and protection.get("lockStructure") in ("1", "true")
    if workbook.find("m:externalReferences", NS) is not None:
        raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI)
    strings_path = next((p for p in rels.values() if p.endswith("sharedStrings.xml")), None)
    if strings_path is None and z.has("xl/sharedStrings.xml"):
        strings_path = "xl/sharedStrings.xml"
    strings = _Strings.of(_shared_strings(z, strings_path))
    sheets = []
    for s in workbook.iterfind("m:sheets/m:sheet", NS):
        sheet = SheetData(s.get("name", ""), s.get("state", "visible"))
        path = rels.get(s.get(f"{{{NS['r']}}}id", ""), "")
        if not path or not z.has(path):
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"manca il foglio «{sheet.name}»")
        _check_sheet_rels(z, path)
        _xlsx_sheet(z, path, strings, sheet)
        sheets.append(sheet)
    properties: dict[str, str] = {}
    if z.has("docProps/custom.xml"):
        for p in _tree(z, "docProps/custom.xml").iterfind("cp:property", NS):
            properties[p.get("name", "")] = "".join(p.itertext())
    modified, application = None, ""
    if z.has("docProps/core.xml"):
        node = _tree(z, "docProps/core.xml").find("dcterms:modified", NS)
        modified = _timestamp(node.text if node is not None else None)
    if z.has("docProps/app.xml"):
        node = _tree(z, "docProps/app.xml").find("ep:Application", NS)
        application = (node.text or "") if node is not None else ""
    return Book("xlsx", sheets, structure, properties, modified, application)


def _check_sheet_rels(z: _Zip, path: str) -> None:
    for target in _rels(z, path).values():
        if "/embeddings/" in target or "/activeX/" in target or target.endswith(".bin"):
            raise FileProblem(Codice.ING_OGGETTI_INCORPORATI, target)


def _timestamp(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # LibreOffice writes nanoseconds
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return (
        stamp.replace(tzinfo=None)
        if stamp.tzinfo is None
        else (stamp.astimezone(dt.UTC).replace(tzinfo=None))
    )


# --- ods --------------------------------------------------------------------------------------


def _check_ods_parts(z: _Zip) -> None:
    if z.has("META-INF/manifest.xml"):
        manifest = z.xml("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise FileProblem(Codice.ING_CIFRATO)
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") for n in z.names):
        raise FileProblem(Codice.ING_MACRO)
    if any(n.startswith(("Object ", "ObjectReplacements/")) for n in z.names):
        raise FileProblem(Codice.ING_OGGETTI_INCORPORATI)


def _cell_text(cell: etree._Element) -> str:
    """The text of an ODF cell: paragraphs joined by new lines, spaces and tabs expanded."""
    paragraphs = []
    for p in cell.iterchildren(f"{X}p", f"{X}h"):
        paragraphs.append(_inline_text(p))
    return "\n".join(paragraphs)


def _inline_text(node: etree._Element) -> str:
    out = [node.text or ""]
    for child in node:
        tag = child.tag
        if tag == f"{X}s":
            out.append(" " * int(child.get(f"{X}c", "1")))
        elif tag == f"{X}tab":
            out.append("\t")
        elif tag == f"{X}line-break":
            out.append("\n")
        elif tag != f"{OF}annotation":
            out.append(_inline_text(child))
        out.append(child.tail or "")
    return "".join(out)


def _ods_value(cell: etree._Element) -> CellValue:
    vtype = cell.get(f"{OF}value-type")
    if vtype in ("float", "percentage", "currency"):
        raw = cell.get(f"{OF}value")
        return _number(raw) if raw is not None else None
    if vtype == "boolean":
        return cell.get(f"{OF}boolean-value") == "true"
    if vtype == "date":
        return cell.get(f"{OF}date-value")
    if vtype == "time":
        return cell.get(f"{OF}time-value")
    if vtype == "string":
        string_value = cell.get(f"{OF}string-value")
        return string_value if string_value is not None else _cell_text(cell)
    text = _cell_text(cell)
    return text or None


def _read_ods(z: _Zip) -> Book:
    _check_ods_parts(z)
    hidden_styles: set[str] = set()
    sheets: list[SheetData] = []
    structure = False
    sheet: SheetData | None = None
    row = col = 0
    rows_repeat = 1
    for event, el in _iterparse(
        z,
        "content.xml",
        (
            f"{{{NS['style']}}}style",
            f"{T}table",
            f"{T}table-row",
            f"{T}table-cell",
            f"{T}covered-table-cell",
            f"{OF}spreadsheet",
            f"{T}table-source",
            f"{T}cell-range-source",
            f"{T}dde-links",
            "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}object",
            "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}object-ole",
        ),
    ):
        tag = el.tag
        local = tag.rsplit("}", 1)[1]
        if local in ("table-source", "cell-range-source", "dde-links"):
            raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI, local)
        if local in ("object", "object-ole"):
            raise FileProblem(Codice.ING_OGGETTI_INCORPORATI, local)
        if local == "spreadsheet":
            if event == "start":
                structure = el.get(f"{T}structure-protected") == "true"
            continue
        if local == "style":
            if event == "end":
                props = el.find(f"{{{NS['style']}}}table-properties")
                if props is not None and props.get(f"{T}display") == "false":
                    hidden_styles.add(el.get(f"{{{NS['style']}}}name", ""))
            continue
        if local == "table":
            if event == "start":
                sheet = SheetData(
                    el.get(f"{T}name", ""),
                    "hidden" if el.get(f"{T}style-name") in hidden_styles else "visible",
                    el.get(f"{T}protected") == "true",
                )
                sheets.append(sheet)
                row = 0
            else:
                el.clear()
            continue
        if sheet is None:
            continue
        if local == "table-row":
            if event == "start":
                col = 0
                rows_repeat = int(el.get(f"{T}number-rows-repeated", "1"))
            else:
                row += rows_repeat
                el.clear()
            continue
        if event == "start":
            continue
        repeat = int(el.get(f"{T}number-columns-repeated", "1"))
        if local == "table-cell":
            formula = el.get(f"{T}formula")
            value = None if formula else _ods_value(el)
            if value is not None or formula:
                if repeat * rows_repeat > 10_000:
                    raise FileProblem(Codice.ING_TROPPO_GRANDE, "celle ripetute")
                for dr in range(rows_repeat):
                    for dc in range(repeat):
                        sheet.cells[(row + dr, col + dc)] = (value, formula)
        col += repeat
    properties: dict[str, str] = {}
    modified, application = None, ""
    if z.has("meta.xml"):
        meta = _tree(z, "meta.xml")
        for p in meta.iter(f"{{{NS['meta']}}}user-defined"):
            properties[p.get(f"{{{NS['meta']}}}name", "")] = "".join(p.itertext())
        node = meta.find(".//dc:date", NS)
        modified = _timestamp(node.text if node is not None else None)
        node = meta.find(".//meta:generator", NS)
        application = (node.text or "") if node is not None else ""
    for sheet in sheets:
        sheet.lines = sheet_lines(sheet.name, sheet.cells)
    return Book("ods", sheets, structure, properties, modified, application)
