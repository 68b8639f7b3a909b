"""Read an .ods workbook (as LibreOffice writes it) as hostile.

Macros (Basic/, Scripts/), embedded objects, links to other files and encrypted content are
refused. `content.xml` is read in one pass (lxml's iterparse, each row dropped once read), with
every attribute that should be a count checked as one (ODF 1.2, §9.1.2 and §9.1.4: repeated
rows and columns; §6.1.3: repeated spaces) and what the repetitions expand to counted in the
file's `Budget`. The number format of each cell is resolved through its style, its row's or
its column's (and their parents), so that a format that makes a cell show what it does not
contain can be reported, as for .xlsx.
"""

from __future__ import annotations

from lxml import etree

from workbook.anomalies import Codice
from workbook.contract import MAX_COLS, MAX_ROWS, CellValue, parse_ref, sheet_lines
from workbook.errors import FileProblem
from workbook.reconcile.readers.book import NS, NU, OF, ST, Book, SheetData, T, X
from workbook.reconcile.readers.limits import MAX_CELL_TEXT, MAX_FORMULA, Budget
from workbook.reconcile.readers.xlsx_cells import RICH, number
from workbook.reconcile.readers.zipped import Zip, iterparse, timestamp, tree

_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_CALCEXT = "{%s}" % NS["calcext"]  # noqa: UP031
DATA_STYLES = tuple(
    NU + k
    for k in (
        "number-style",
        "currency-style",
        "percentage-style",
        "date-style",
        "time-style",
        "boolean-style",
        "text-style",
    )
)


def check_parts(z: Zip) -> None:
    if z.has("META-INF/manifest.xml"):
        manifest = z.xml("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise FileProblem(Codice.ING_CIFRATO)
    if any(n.startswith(("Basic/", "Scripts/")) and not n.endswith("/") for n in z.names):
        raise FileProblem(Codice.ING_MACRO)
    if any(n.startswith(("Object ", "ObjectReplacements/")) for n in z.names):
        raise FileProblem(Codice.ING_OGGETTI_INCORPORATI)


def count(element: etree._Element, attribute: str, limit: int) -> int:
    """A repetition count: a whole number from 1 to `limit`."""
    raw = element.get(attribute)
    if raw is None:
        return 1
    name = attribute.rsplit("}", 1)[-1]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO, f"content.xml: {name}=«{raw[:20]}» non valido"
        )
    if int(raw) > limit:
        raise FileProblem(Codice.ING_TROPPO_GRANDE, f"content.xml: {name}={raw}")
    return int(raw)


class _Text:
    """The text of an ODF cell: paragraphs joined by new lines, spaces and tabs expanded,
    never longer than MAX_CELL_TEXT."""

    def __init__(self) -> None:
        self.size = 0
        self.styled = False  # part of the text in its own style (a span)

    def add(self, out: list[str], text: str) -> None:
        self.size += len(text)
        if self.size > MAX_CELL_TEXT:
            raise FileProblem(
                Codice.ING_TROPPO_GRANDE, "content.xml: testo di una cella troppo lungo"
            )
        out.append(text)

    def cell(self, cell: etree._Element) -> str:
        paragraphs = []
        for p in cell.iterchildren(f"{X}p", f"{X}h"):
            out: list[str] = []
            self.inline(p, out)
            paragraphs.append("".join(out))
        return "\n".join(paragraphs)

    def inline(self, node: etree._Element, out: list[str]) -> None:
        self.add(out, node.text or "")
        for child in node:
            tag = child.tag
            if tag == f"{X}s":
                self.add(out, " " * count(child, f"{X}c", MAX_CELL_TEXT))
            elif tag == f"{X}tab":
                self.add(out, "\t")
            elif tag == f"{X}line-break":
                self.add(out, "\n")
            elif tag != f"{OF}annotation":
                if tag == f"{X}span" and child.get(f"{X}style-name"):
                    self.styled = True
                self.inline(child, out)  # lxml caps the nesting depth (huge_tree off)
            self.add(out, child.tail or "")


def _value(cell: etree._Element, text: _Text) -> CellValue:
    vtype = cell.get(f"{OF}value-type")
    calc = cell.get(f"{_CALCEXT}value-type")
    if calc is not None and vtype is not None and calc != vtype and calc != "error":
        # LibreOffice writes both, the same: which one would a program show?
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO, f"content.xml: tipo di valore «{vtype}» e «{calc}»"
        )
    if vtype in ("float", "percentage", "currency"):
        raw = cell.get(f"{OF}value")
        return number(raw, "content.xml") if raw is not None else None
    if vtype == "boolean":
        return cell.get(f"{OF}boolean-value") == "true"
    if vtype == "date":
        return cell.get(f"{OF}date-value")
    if vtype == "time":
        return cell.get(f"{OF}time-value")
    if vtype == "string":
        string_value = cell.get(f"{OF}string-value")
        if string_value is not None:
            return string_value
        return text.cell(cell)
    return text.cell(cell) or None


# Value types that show a number otherwise than as it is (0,85 as «85%», 10 as «€ 10,00»).
SHOWN_AS = {"percentage": "percentuale", "currency": "valuta", "date": "data", "time": "ora"}
# Elements of the drawing layer that a sheet can carry over its cells.
SHAPES = frozenset(
    _DRAW + k
    for k in (
        "frame",
        "custom-shape",
        "rect",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "path",
        "circle",
        "connector",
        "control",
        "g",
        "caption",
        "measure",
    )
)
MAX_CELL_ELEMENTS = 10_000  # elements inside one cell (paragraphs, spans): a cell has a few


class Formats:
    """Which cell styles show numbers in a format that is not the neutral «Standard»."""

    def __init__(self) -> None:
        self.data: dict[str, str | None] = {}  # data style → None if neutral, else its format
        self.styles: dict[str, tuple[str | None, str | None, list[str]]] = {}
        self.resolved: dict[str, str | None] = {}

    def data_style(self, el: etree._Element) -> None:
        name = el.get(f"{ST}name", "")
        self.data[name] = _shown(el)

    def cell_style(self, el: etree._Element) -> None:
        if el.get(f"{ST}family") not in ("table-cell", None):
            return
        maps = [m.get(f"{ST}apply-style-name", "") for m in el.iterchildren(f"{ST}map")]
        self.styles[el.get(f"{ST}name", "")] = (
            el.get(f"{ST}data-style-name"),
            el.get(f"{ST}parent-style-name"),
            maps,
        )

    def shown(self, style: str | None) -> str | None:
        """The format a cell of this style shows its number in, when not neutral."""
        if not style:
            return None
        if style in self.resolved:
            return self.resolved[style]
        self.resolved[style] = None  # a cycle of parents ends here
        found: str | None = None
        seen, current = 0, style
        while current and seen < 32:
            data, parent, maps = self.styles.get(current, (None, None, []))
            for mapped in maps:
                found = found or self.shown(mapped)
            if data is not None:
                found = found or self.data.get(data)
                break
            current, seen = parent, seen + 1
        self.resolved[style] = found
        return found


def _shown(el: etree._Element) -> str | None:
    """None for a neutral data style («Standard», or text as it is), else how it shows."""
    children = list(el)
    kind = el.tag.rsplit("}", 1)[-1]
    if kind == "text-style" and all(c.tag == f"{NU}text-content" for c in children):
        return None
    if kind == "number-style" and len(children) == 1 and children[0].tag == f"{NU}number":
        number_el = children[0]
        if number_el.get(f"{NU}decimal-places") is None and not len(number_el):
            return None
    texts = ["".join(c.itertext()) for c in children if c.tag == f"{NU}text"]
    shown = " ".join(t for t in texts if t.strip())
    return f"«{shown}»" if shown else kind


def _ranges(address: str) -> list[tuple[int, int, int, int]]:
    """«Obiettivi.H5:Obiettivi.H11 Obiettivi.K5» → 0-based (row, col, row, col) bounds."""
    out = []
    for part in address.split()[:1000]:
        cells = part.split(":")
        refs = [c.rsplit(".", 1)[-1] for c in cells]
        try:
            r1, c1 = parse_ref(refs[0])
            r2, c2 = parse_ref(refs[-1])
        except ValueError:
            r1, c1, r2, c2 = 0, 0, MAX_ROWS - 1, MAX_COLS - 1
        out.append((r1, c1, r2, c2))
    return out


def read_ods(z: Zip, budget: Budget) -> Book:
    check_parts(z)
    formats = Formats()
    if z.has("styles.xml"):
        root = tree(z, "styles.xml")
        for el in root.iter(*DATA_STYLES):
            formats.data_style(el)
        for el in root.iter(f"{ST}style"):
            formats.cell_style(el)
    reader = _ContentReader(formats, budget)
    for event, el in iterparse(z, "content.xml", None):
        reader.event(event, el)
    properties: dict[str, str] = {}
    modified, application = None, ""
    if z.has("meta.xml"):
        meta = tree(z, "meta.xml")
        for p in meta.iter(f"{{{NS['meta']}}}user-defined"):
            properties[p.get(f"{{{NS['meta']}}}name", "")] = "".join(p.itertext())
        node = meta.find(".//dc:date", NS)
        modified = timestamp(node.text if node is not None else None)
        node = meta.find(".//meta:generator", NS)
        application = (node.text or "") if node is not None else ""
    for sheet in reader.sheets:
        sheet.lines = sheet_lines(sheet.name, sheet.cells)
    return Book("ods", reader.sheets, reader.structure, properties, modified, application, "Calc")


_KEEP = frozenset({f"{T}table-cell", f"{T}covered-table-cell", f"{ST}style", *DATA_STYLES})
_CALC_CONDITIONAL = f"{_CALCEXT}conditional-format"


class _ContentReader:
    """content.xml, one event at a time. Every element is dropped once it ends, unless it is
    part of one still open that needs it (a cell, a style, a conditional format): whatever a
    file holds outside its cells costs nothing to keep."""

    def __init__(self, formats: Formats, budget: Budget) -> None:
        self.formats = formats
        self.budget = budget
        self.sheets: list[SheetData] = []
        self.sheet: SheetData | None = None
        self.structure = False
        self.hidden_styles: set[str] = set()
        self.columns: list[str | None] = []
        self.row = self.col = 0
        self.rows_repeat = 1
        self.row_style: str | None = None
        self.keeping = 0  # open elements whose children are read at their end
        self.in_cell = 0  # elements inside the open cell
        self.events = 0

    def event(self, event: str, el: etree._Element) -> None:
        tag = el.tag
        self.events += 1
        if not self.events & 4095:
            self.budget.tick()
        if event == "start":
            self.start(tag, el)
            return
        if tag in _KEEP or tag == _CALC_CONDITIONAL:
            self.keeping -= 1
        self.end(tag, el)
        if not self.keeping:
            el.clear()
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]

    def start(self, tag: str, el: etree._Element) -> None:
        if tag in _KEEP or tag == _CALC_CONDITIONAL:
            self.keeping += 1
            if tag in (f"{T}table-cell", f"{T}covered-table-cell"):
                self.in_cell = 0
        elif self.keeping:
            self.in_cell += 1
            if self.in_cell > MAX_CELL_ELEMENTS:
                raise FileProblem(Codice.ING_TROPPO_GRANDE, "content.xml: cella troppo complessa")
        if tag == f"{OF}spreadsheet":
            self.structure = el.get(f"{T}structure-protected") == "true"
        elif tag == f"{T}table":
            self.sheet = SheetData(
                el.get(f"{T}name", ""),
                "hidden" if el.get(f"{T}style-name") in self.hidden_styles else "visible",
                el.get(f"{T}protected") == "true",
            )
            self.sheets.append(self.sheet)
            self.row, self.columns = 0, []
        elif tag == f"{T}table-row" and self.sheet is not None:
            self.budget.tick()
            self.col = 0
            self.rows_repeat = count(el, f"{T}number-rows-repeated", MAX_ROWS)
            self.row_style = el.get(f"{T}default-cell-style-name")
        elif tag in (f"{T}table-source", f"{T}cell-range-source", f"{T}dde-links"):
            raise FileProblem(Codice.ING_COLLEGAMENTI_ESTERNI, tag.rsplit("}", 1)[1])
        elif tag in (f"{_DRAW}object", f"{_DRAW}object-ole"):
            raise FileProblem(Codice.ING_OGGETTI_INCORPORATI, tag.rsplit("}", 1)[1])
        elif tag in SHAPES and self.sheet is not None:
            self.sheet.drawings = "immagini, forme o caselle di testo"

    def end(self, tag: str, el: etree._Element) -> None:
        sheet = self.sheet
        if tag in DATA_STYLES:
            self.formats.data_style(el)
        elif tag == f"{ST}style":
            self.formats.cell_style(el)
            props = el.find(f"{ST}table-properties")
            if props is not None and props.get(f"{T}display") == "false":
                self.hidden_styles.add(el.get(f"{ST}name", ""))
        elif sheet is None:
            return
        elif tag == _CALC_CONDITIONAL:
            for condition in el.iter(f"{_CALCEXT}condition"):
                shown = self.formats.shown(condition.get(f"{_CALCEXT}apply-style-name"))
                if shown is not None:
                    address = el.get(f"{_CALCEXT}target-range-address", "")
                    for bounds in _ranges(address):
                        sheet.conditional.append((*bounds, shown))
        elif tag == f"{T}table-column":
            repeat = count(el, f"{T}number-columns-repeated", MAX_COLS)
            style = el.get(f"{T}default-cell-style-name")
            self.columns.extend([style] * min(repeat, MAX_COLS - len(self.columns)))
        elif tag == f"{T}table-row":
            self.row += self.rows_repeat
            if self.row > MAX_ROWS:
                raise FileProblem(Codice.ING_TROPPO_GRANDE, "content.xml: righe oltre il limite")
        elif tag in (f"{T}table-cell", f"{T}covered-table-cell"):
            self.cell(el, sheet)

    def cell(self, el: etree._Element, sheet: SheetData) -> None:
        """One cell, repeated as its attributes say. A covered cell (under a merge) is read
        like the others: what it holds, LibreOffice shows once the merge is undone."""
        repeat = count(el, f"{T}number-columns-repeated", MAX_COLS)
        formula = el.get(f"{T}formula")
        text = _Text()
        if formula:
            if len(formula) > MAX_FORMULA:
                raise FileProblem(
                    Codice.ING_ZIP_DANNEGGIATO,
                    f"content.xml: formula di oltre {MAX_FORMULA} caratteri",
                )
            value: CellValue = None
            vtype = el.get(f"{OF}value-type")
            shown = el.get(f"{OF}value") if vtype in ("float", "percentage", "currency") else None
            cached = (
                ("float", shown)
                if shown is not None
                else ("string", el.get(f"{OF}string-value") or text.cell(el))
            )
        else:
            value = _value(el, text)
        if value is not None or formula:
            n = repeat * self.rows_repeat
            size = len(formula) if formula else len(value) if isinstance(value, str) else 0
            self.budget.add(n, n * size)
            style = el.get(f"{T}style-name") or self.row_style
            if style is None and self.col < len(self.columns):
                style = self.columns[self.col]
            shown_as = (
                SHOWN_AS.get(el.get(f"{OF}value-type") or "")
                or self.formats.shown(style)
                or (RICH if text.styled else None)
            )
            for dr in range(self.rows_repeat):
                for dc in range(repeat):
                    pos = (self.row + dr, self.col + dc)
                    sheet.cells[pos] = (value, formula)
                    if formula:
                        sheet.cached[pos] = cached
                    if shown_as is not None:
                        sheet.formats[pos] = shown_as
        self.col += repeat
        if self.col > MAX_COLS:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, "content.xml: colonne oltre il limite")
