"""Read an .xlsx workbook (as xlsxwriter, Excel or LibreOffice write it) as hostile.

Macros are refused by content type and by the presence of a VBA project in any part,
whatever it is called; so are embedded objects (any part that is an OLE compound file), ActiveX
controls, external links and any relationship to outside the file except a hyperlink: a
hyperlink typed into a cell, and the printer settings Excel keeps after a Page Setup
(`xl/printerSettings/*.bin`), are what Excel really writes. The worksheets and the shared
strings are parsed with ElementTree (its tree is built in C; large worksheets in chunks), each
cell's signed line built as it is read, within the file's `Budget`. The number format of every
cell is resolved through the styles, so that a format that makes a cell show what it does not
contain can be reported (`SheetData.formats`, checked by verify.py).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from xml.etree import ElementTree as ET

from workbook.anomalies import Codice
from workbook.contract import (
    MAX_COLS,
    CellValue,
    canonical_line,
    cell_ref,
    normalize_formula,
    normalize_text,
    parse_ref,
    sheet_head,
)
from workbook.errors import FileProblem
from workbook.reconcile.readers.book import NS, Book, Cells, M, SheetData
from workbook.reconcile.readers.limits import (
    MAX_CELL_TEXT,
    MAX_CELLS,
    MAX_FORMULA,
    MAX_TEXT,
    Budget,
)
from workbook.reconcile.readers.zipped import OLE_MAGIC, Zip, has_vba, ole_streams, timestamp, tree
from workbook.values import canonical_number

# Relationship types (ECMA-376 Part 1, §15; the «/relationships/» URIs end with these names)
# that bring code, objects or data from elsewhere into a workbook.
REFUSED = {
    "vbaProject": Codice.ING_MACRO,
    "connections": Codice.ING_COLLEGAMENTI_ESTERNI,  # data connections, web queries
    "queryTable": Codice.ING_COLLEGAMENTI_ESTERNI,
    "oleObject": Codice.ING_OGGETTI_INCORPORATI,
    "package": Codice.ING_OGGETTI_INCORPORATI,
    "control": Codice.ING_OGGETTI_INCORPORATI,
    "activeXControlBinary": Codice.ING_OGGETTI_INCORPORATI,
    "externalLink": Codice.ING_COLLEGAMENTI_ESTERNI,
    "externalLinkPath": Codice.ING_COLLEGAMENTI_ESTERNI,
    "attachedTemplate": Codice.ING_COLLEGAMENTI_ESTERNI,
}
# Number formats that show a cell's content as it is: General (built-in 0) and text (49).
NEUTRAL_FORMATS = frozenset({"general", "@"})
BUILTIN_FORMATS = {
    "1": "0",
    "2": "0.00",
    "3": "#,##0",
    "4": "#,##0.00",
    "9": "0%",
    "10": "0.00%",
    "11": "0.00E+00",
    "12": "# ?/?",
    "13": "# ??/??",
    "14": "mm-dd-yy",
    "49": "@",
}


def check_parts(z: Zip) -> None:
    types = z.xml("[Content_Types].xml")
    if b"macroEnabled" in types or b"vbaProject" in types:
        raise FileProblem(Codice.ING_MACRO)
    if any(n.startswith("xl/externalLinks/") or n == "xl/connections.xml" for n in z.names):
        raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI)
    for name in sorted(n for n in z.names if n.endswith(".rels")):
        # Every part's relationships, not only the workbook's and the sheets': an image of a
        # drawing can point outside the file as well.
        folder, _, base = name.removesuffix(".rels").rpartition("_rels/")
        rels(z, folder + base)
    if any(n.startswith(("xl/embeddings/", "xl/activeX/")) for n in z.names):
        raise FileProblem(Codice.ING_OGGETTI_INCORPORATI)
    for name in sorted(z.names):
        if z.read(name, limit=len(OLE_MAGIC)) == OLE_MAGIC:
            # A compound file inside a workbook is a VBA project or an embedded object,
            # whatever its name says.
            streams = ole_streams(z.read(name))
            codice = (
                Codice.ING_MACRO
                if streams is not None and has_vba(streams)
                else Codice.ING_OGGETTI_INCORPORATI
            )
            raise FileProblem(codice, name)


@dataclass(frozen=True, slots=True)
class Rel:
    kind: str  # the last segment of the relationship type: «worksheet», «hyperlink»…
    target: str  # a part of the archive, or the external address
    external: bool


def rels(z: Zip, name: str) -> dict[str, Rel]:
    """The relationships of a part, refusing those that bring in code, objects or outside
    data (see REFUSED); only a hyperlink may point outside the file."""
    folder, base = posixpath.split(name)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if not z.has(rels_name):
        return {}
    out = {}
    for rel in tree(z, rels_name).iterfind("rel:Relationship", NS):
        kind = rel.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        target = rel.get("Target", "")
        external = rel.get("TargetMode") == "External"
        if kind in REFUSED:
            raise FileProblem(REFUSED[kind], target)
        if external and kind != "hyperlink":
            raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI, target)
        path = (
            target
            if external
            else target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        out[rel.get("Id", "")] = Rel(kind, path, external)
    return out


@dataclass(frozen=True, slots=True)
class Styles:
    """The number formats that are not neutral: by cell style index (the «s» of a cell) and by
    differential format (the «dxfId» of a conditional format)."""

    cells: dict[str, str]
    conditional: dict[str, str]


def styles(z: Zip, path: str | None) -> Styles:
    if not path or not z.has(path):
        return Styles({}, {})
    root = tree(z, path)
    custom = {
        f.get("numFmtId", ""): f.get("formatCode", "")
        for f in root.iterfind("m:numFmts/m:numFmt", NS)
    }

    def code(ident: str) -> str:
        return (
            custom.get(ident)
            or BUILTIN_FORMATS.get(ident)
            or ("General" if ident == "0" else ident)
        )

    cells = {}
    for index, xf in enumerate(root.iterfind("m:cellXfs/m:xf", NS)):
        shown = code(xf.get("numFmtId", "0"))
        if shown.strip().lower() not in NEUTRAL_FORMATS:
            cells[str(index)] = shown
    conditional = {}
    for index, dxf in enumerate(root.iterfind("m:dxfs/m:dxf", NS)):
        number = dxf.find("m:numFmt", NS)
        if number is not None:
            shown = number.get("formatCode", "") or code(number.get("numFmtId", ""))
            if shown.strip().lower() not in NEUTRAL_FORMATS:
                conditional[str(index)] = shown
    return Styles(cells, conditional)


def shared_strings(z: Zip, path: str | None) -> tuple[list[str], set[int]]:
    """The shared strings, and which of them are rich text (runs with their own font: a
    label written partly in white, or at one point, hides part of itself). Parsed one string
    at a time, each dropped once read, within the caps: no more strings than a file may have
    cells, no more text than it may show."""
    if not path or not z.has(path):
        return [], set()
    data = z.xml(path)
    strings: list[str] = []
    rich: set[int] = set()
    size = 0
    parser = ET.XMLPullParser(events=("start", "end"))
    depth = 0
    try:
        for offset in range(0, len(data) or 1, CHUNK):
            parser.feed(data[offset : offset + CHUNK])
            for event, si in parser.read_events():
                depth += 1 if event == "start" else -1
                if event != "end" or depth != 1:
                    continue
                # A single run, <si><t>…</t></si>, is what every program writes for plain text.
                if len(si) == 1 and si[0].tag == _T and not len(si[0]):
                    text = si[0].text or ""
                else:  # rich text: its runs, without phonetic readings
                    text = _inline_string(si)
                    if any(r.tag == _R and r.find(_RPR) is not None for r in si):
                        rich.add(len(strings))
                si.clear()
                size += len(text)
                if len(text) > MAX_CELL_TEXT or size > MAX_TEXT or len(strings) >= MAX_CELLS:
                    raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{path} supera i limiti")
                strings.append(text)
        parser.close()
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{path}: {exc}") from None
    return strings, rich


# A number as spreadsheet files store it (ECMA-376 xsd:double, ODF's float): ASCII digits,
# a point, an exponent. Python's own int() and float() also take «1_0» and other scripts'
# digits («１０»), which Excel and LibreOffice read otherwise.
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|[-+]?(INF|inf|NaN|nan)", re.ASCII)


def number(text: str, where: str = "", cella: str = "") -> int | float:
    text = text.strip()  # « 10 » reads as 10 in Excel and LibreOffice too
    if not _NUMBER.fullmatch(text):
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO, f"{where}: numero non valido «{text[:40]}»", cella=cella
        )
    try:
        return int(text)
    except ValueError:
        return float(text)


# Element names in Clark notation, as ElementTree reports them.
_ROW, _CELL, _PROTECTION, _DATA = M + "row", M + "c", M + "sheetProtection", M + "sheetData"
_F, _V, _IS, _T, _R, _RPR = M + "f", M + "v", M + "is", M + "t", M + "r", M + "rPr"
_CONDITIONAL, _RULE, _EXT = M + "conditionalFormatting", M + "cfRule", M + "extLst"

# A worksheet part up to this size is parsed into one tree (ElementTree: expat and the tree
# builder in C, no Python call per element): at worst, a part made only of empty elements,
# some 100 MB of memory. A larger one is parsed in chunks, each row read and dropped once it
# ends: memory is then bounded by one row, itself capped at ROW_ELEMENTS.
WHOLE_TREE_MAX = 4 * 2**20
CHUNK = 1 << 20
ROW_ELEMENTS = 16_384 * 8  # Excel's columns, a few elements each


class SheetReader:
    """Reads one worksheet part, keeping every non-empty cell and its signed line.

    The XML is parsed by ElementTree in C; Python visits each cell once, and each cell's
    signed line is encoded right there, so verifying a file costs one pass over its cells
    (see benchmarks/README.md). Only the rows of `worksheet/sheetData`, the
    `worksheet/sheetProtection` and the conditional formats count, as for Excel."""

    def __init__(
        self, strings: Strings, path: str, name: str, formats: Styles, budget: Budget
    ) -> None:
        self.cells: Cells = {}
        self.lines: dict[tuple[int, int], str] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.cached: dict[tuple[int, int], tuple[str, str]] = {}
        self.conditional: list[tuple[int, int, int, int, str]] = []
        self.head = sheet_head(name)
        self.strings = strings
        self.path = path
        self.styles = formats
        self.budget = budget
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
                for element in root:
                    self.formatting(element)
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
            elif len(open_elements) == 1:
                if element.tag == _PROTECTION:
                    self.protection(element)
                self.formatting(element)
            elif len(open_elements) > 1 and open_elements[1].tag in (_CONDITIONAL, _EXT):
                continue  # kept until its conditional format or extension ends
            if open_elements:  # by identity: later siblings may already be in the tree
                open_elements[-1].remove(element)

    @staticmethod
    def _under(open_elements: list[ET.Element], tag: str) -> bool:
        """Whether the element just opened is a child of `worksheet/<tag>`."""
        return len(open_elements) == 3 and open_elements[1].tag == tag

    def protection(self, element: ET.Element) -> None:
        self.protected = element.get("sheet") in ("1", "true")

    def formatting(self, element: ET.Element) -> None:
        """A conditional format (or an Excel 2010 extension, which can hold its own) that
        changes the number format of the cells it covers."""
        if element.tag == _CONDITIONAL:
            codes = [
                self.styles.conditional[r.get("dxfId", "")]
                for r in element.iterfind(_RULE)
                if r.get("dxfId", "") in self.styles.conditional
            ]
            if codes:
                self._cover(element.get("sqref", ""), codes[0])
        elif element.tag == _EXT:
            for node in element.iter():
                if node.tag.endswith("}numFmt"):
                    self._cover("A1:XFD1048576", node.get("formatCode", "?"))
                    break

    def _cover(self, sqref: str, code: str) -> None:
        for ref in sqref.split()[:1000]:
            first, _, last = ref.partition(":")
            try:
                r1, c1 = parse_ref(first)
                r2, c2 = parse_ref(last) if last else (r1, c1)
            except ValueError:
                r1, c1, r2, c2 = 0, 0, 1_048_575, MAX_COLS - 1
            self.conditional.append((r1, c1, r2, c2, code))

    def rows(self, rows: Iterable[ET.Element]) -> None:
        head, cells, lines, path = self.head, self.cells, self.lines, self.path
        values, texts, shared = self.strings.values, self.strings.texts, self.shared
        rich, cached = self.strings.rich, self.cached
        suspicious, formats, budget = self.styles.cells, self.formats, self.budget
        row, last, ordered = self.row, self.last, self.ordered
        text_size = 0
        for element in rows:
            if element.tag != _ROW:
                continue
            budget.tick()
            budget.add(0, text_size)
            text_size = 0
            r = element.get("r")
            if r:
                try:
                    row = int(r) - 1
                except ValueError:
                    raise FileProblem(
                        Codice.ING_ZIP_DANNEGGIATO, f"{path}: riga «{r[:20]}» non valida"
                    ) from None
            else:
                row += 1
            col = -1
            before = len(cells)
            for cell in element:
                if cell.tag != _CELL:
                    continue
                ref = cell.get("r")
                if ref:
                    try:
                        row, col = parse_ref(ref)
                    except ValueError:
                        raise FileProblem(
                            Codice.ING_ZIP_DANNEGGIATO, f"{path}: cella «{ref[:20]}» non valida"
                        ) from None
                else:
                    col += 1
                    if col >= MAX_COLS:
                        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{path}: riga troppo lunga")
                pos = (row, col)
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
                        if len(formula) > MAX_FORMULA:
                            raise FileProblem(
                                Codice.ING_ZIP_DANNEGGIATO,
                                f"{path}: formula di oltre {MAX_FORMULA} caratteri",
                                cella=cell_ref(row, col),
                            )
                        if child.get("t") == "shared":
                            si = child.get("si", "")
                            if formula:
                                shared[si] = (ref or "", formula)
                            elif si in shared:
                                budget.tick()  # each translation runs openpyxl's tokenizer
                                formula = _translate(shared[si], ref or cell_ref(row, col), path)
                    elif tag == _IS:
                        text = _inline_string(child)
                        if any(r.tag == _R and r.find(_RPR) is not None for r in child):
                            formats[pos] = RICH
                if suspicious and (formula or text):
                    style = cell.get("s", "0")
                    if style in suspicious:
                        formats[pos] = suspicious[style]
                if formula:
                    # Its cached result is never used for a score: it is kept only to check
                    # that the sheet shows what its inputs give (verify.py, results.py).
                    cells[pos] = (None, formula)
                    if text is not None:
                        cached[pos] = (cell.get("t") or "n", text)
                    text_size += len(formula)
                    canonical = normalize_formula(formula)
                    lines[pos] = canonical_line(head, row, col, "f", canonical)
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
                                f"{path}: stringa condivisa {text[:20]} inesistente",
                                cella=cell_ref(row, col),
                            ) from None
                        if index in rich:
                            formats[pos] = RICH
                        if value:
                            # Counted each time it is shown: a string shown by a thousand
                            # cells is a thousand signed lines.
                            text_size += len(value)  # type: ignore[arg-type]
                            if text_size > MAX_CELL_TEXT:
                                budget.add(0, text_size)
                                text_size = 0
                            cells[pos] = (value, None)
                            lines[pos] = canonical_line(head, row, col, "s", texts[index])
                        continue
                    if ctype is None or ctype == "n":
                        try:
                            value = number(text, path)
                        except FileProblem as exc:
                            exc.cella = cell_ref(row, col)
                            raise
                        canonical = canonical_number(value)
                        line = canonical_line(head, row, col, "n", canonical)
                    elif ctype == "b":
                        value = text == "1"
                        line = canonical_line(head, row, col, "b", "1" if value else "0")
                    else:  # inlineStr, str (a formula's text), e (error), d (ISO date)
                        if len(text) > MAX_CELL_TEXT:
                            raise FileProblem(
                                Codice.ING_TROPPO_GRANDE,
                                f"{path}: testo di oltre un milione di caratteri",
                                cella=cell_ref(row, col),
                            )
                        value = text
                        text_size += len(text)
                        canonical = normalize_text(text)
                        line = canonical_line(head, row, col, "s", canonical)
                elif text is not None and cell.get("t") == "b":
                    value = False
                    line = canonical_line(head, row, col, "b", "0")
                else:
                    continue  # no value, or an empty one: not content
                cells[pos] = (value, None)
                lines[pos] = line
            budget.add(len(cells) - before, 0)
        budget.add(0, text_size)
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


@dataclass(slots=True)
class Strings:
    """The shared strings, and the text of each as it is signed."""

    values: list[str]
    texts: list[str]
    rich: set[int]  # the indexes of rich-text strings

    @classmethod
    def of(cls, values: list[str], rich: set[int]) -> Strings:
        return cls(values, [normalize_text(v) for v in values], rich)


RICH = "testo con parti in un altro carattere o colore"


def _drawings(z: Zip, links: dict[str, Rel]) -> str:
    """What a sheet carries over its cells: pictures, shapes or text boxes (a drawing), or
    shapes of the legacy kind other than the notes of comments; "" if nothing."""
    kinds = {r.kind for r in links.values()}
    if "drawing" in kinds or "image" in kinds:
        return "immagini, forme o caselle di testo"
    for r in links.values():
        if r.kind == "vmlDrawing" and z.has(r.target):
            vml = z.read(r.target)
            types = re.findall(rb'ObjectType\s*=\s*"([^"]*)"', vml)
            if (not types and b"<v:shape" in vml) or any(t != b"Note" for t in types):
                return "forme o controlli"
    return ""


def _translate(master: tuple[str, str], ref: str, path: str) -> str:
    from openpyxl.formula.translate import Translator  # Excel's shared formulas only

    origin, formula = master
    try:
        return Translator("=" + formula, origin).translate_formula(ref)[1:]
    except Exception:  # a hostile master formula or reference: openpyxl raises anything
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO,
            f"{path}: formula condivisa «{formula[:60]}» non valida",
            cella=ref,
        ) from None


def read_xlsx(z: Zip, budget: Budget) -> Book:
    check_parts(z)
    workbook = tree(z, "xl/workbook.xml")
    links = rels(z, "xl/workbook.xml")
    protection = workbook.find("m:workbookProtection", NS)
    structure = protection is not None and protection.get("lockStructure") in ("1", "true")
    if workbook.find("m:externalReferences", NS) is not None:
        raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI)
    version = workbook.find("m:fileVersion", NS)
    writer = version.get("appName", "") if version is not None else ""

    def part(kind: str, default: str) -> str | None:
        found = next((r.target for r in links.values() if r.kind == kind), None)
        return found or (default if z.has(default) else None)

    strings = Strings.of(*shared_strings(z, part("sharedStrings", "xl/sharedStrings.xml")))
    formats = styles(z, part("styles", "xl/styles.xml"))
    sheets = []
    for s in workbook.iterfind("m:sheets/m:sheet", NS):
        sheet = SheetData(s.get("name", ""), s.get("state", "visible"))
        rel = links.get(s.get(f"{{{NS['r']}}}id", ""))
        if rel is None or rel.external or not z.has(rel.target):
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"manca il foglio «{sheet.name}»")
        sheet.drawings = _drawings(z, rels(z, rel.target))
        reader = SheetReader(strings, rel.target, sheet.name, formats, budget)
        try:
            reader.parse(z.xml(rel.target))
        except FileProblem as exc:
            exc.foglio = sheet.name
            raise
        sheet.cells, sheet.lines, sheet.protected = reader.cells, reader.lines, reader.protected
        sheet.formats, sheet.conditional = reader.formats, reader.conditional
        sheet.cached = reader.cached
        sheets.append(sheet)
    properties: dict[str, str] = {}
    if z.has("docProps/custom.xml"):
        for p in tree(z, "docProps/custom.xml").iterfind("cp:property", NS):
            properties[p.get("name", "")] = "".join(p.itertext())
    modified, application = None, ""
    if z.has("docProps/core.xml"):
        node = tree(z, "docProps/core.xml").find("dcterms:modified", NS)
        modified = timestamp(node.text if node is not None else None)
    if z.has("docProps/app.xml"):
        node = tree(z, "docProps/app.xml").find("ep:Application", NS)
        application = (node.text or "") if node is not None else ""
    return Book("xlsx", sheets, structure, properties, modified, application, writer)
