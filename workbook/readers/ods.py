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

from ..anomalies import Codice
from ..layout import MAX_COLS, MAX_ROWS, CellValue, parse_ref, sheet_lines
from ..limits import MAX_CELL_TEXT, Budget, FileProblem
from .book import NS, NU, OF, ST, Book, SheetData, T, X
from .xlsx import number
from .zipped import Zip, iterparse, timestamp, tree

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
    if not raw.isdigit() or not 1 <= int(raw) <= limit:
        name = attribute.rsplit("}", 1)[-1]
        raise FileProblem(
            Codice.ING_ZIP_DANNEGGIATO, f"content.xml: {name}=«{raw[:20]}» non valido"
        )
    return int(raw)


class _Text:
    """The text of an ODF cell: paragraphs joined by new lines, spaces and tabs expanded,
    never longer than MAX_CELL_TEXT."""

    def __init__(self) -> None:
        self.size = 0

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
                self.inline(child, out)  # lxml caps the nesting depth (huge_tree off)
            self.add(out, child.tail or "")


def _value(cell: etree._Element) -> CellValue:
    vtype = cell.get(f"{OF}value-type")
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
        return _Text().cell(cell)
    text = _Text().cell(cell)
    return text or None


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
    hidden_styles: set[str] = set()
    sheets: list[SheetData] = []
    structure = False
    sheet: SheetData | None = None
    columns: list[str | None] = []
    row = col = 0
    rows_repeat = 1
    row_style: str | None = None
    for event, el in iterparse(
        z,
        "content.xml",
        (
            f"{ST}style",
            *DATA_STYLES,
            f"{T}table",
            f"{T}table-column",
            f"{T}table-row",
            f"{T}table-cell",
            f"{T}covered-table-cell",
            f"{OF}spreadsheet",
            f"{T}table-source",
            f"{T}cell-range-source",
            f"{T}dde-links",
            f"{_CALCEXT}conditional-format",
            f"{_DRAW}object",
            f"{_DRAW}object-ole",
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
        if tag in DATA_STYLES:
            if event == "end":
                formats.data_style(el)
            continue
        if local == "style":
            if event == "end":
                formats.cell_style(el)
                props = el.find(f"{ST}table-properties")
                if props is not None and props.get(f"{T}display") == "false":
                    hidden_styles.add(el.get(f"{ST}name", ""))
            continue
        if local == "table":
            if event == "start":
                sheet = SheetData(
                    el.get(f"{T}name", ""),
                    "hidden" if el.get(f"{T}style-name") in hidden_styles else "visible",
                    el.get(f"{T}protected") == "true",
                )
                sheets.append(sheet)
                row, columns = 0, []
            else:
                el.clear()
            continue
        if sheet is None:
            continue
        if local == "conditional-format":
            if event == "end":
                for condition in el.iter(f"{_CALCEXT}condition"):
                    shown = formats.shown(condition.get(f"{_CALCEXT}apply-style-name"))
                    if shown is not None:
                        address = el.get(f"{_CALCEXT}target-range-address", "")
                        for bounds in _ranges(address):
                            sheet.conditional.append((*bounds, shown))
            continue
        if local == "table-column":
            if event == "end":
                repeat = count(el, f"{T}number-columns-repeated", MAX_COLS)
                style = el.get(f"{T}default-cell-style-name")
                columns.extend([style] * min(repeat, MAX_COLS - len(columns)))
            continue
        if local == "table-row":
            if event == "start":
                budget.tick()
                col = 0
                rows_repeat = count(el, f"{T}number-rows-repeated", MAX_ROWS)
                row_style = el.get(f"{T}default-cell-style-name")
            else:
                row += rows_repeat
                if row > MAX_ROWS:
                    raise FileProblem(
                        Codice.ING_TROPPO_GRANDE, "content.xml: righe oltre il limite"
                    )
                el.clear()
                while el.getprevious() is not None:  # rows read: dropped from the tree
                    del el.getparent()[0]
            continue
        if event == "start":
            continue
        repeat = count(el, f"{T}number-columns-repeated", MAX_COLS)
        if local == "table-cell":
            formula = el.get(f"{T}formula")
            value = None if formula else _value(el)
            if value is not None or formula:
                n = repeat * rows_repeat
                text = len(value) if isinstance(value, str) else 0
                budget.add(n, n * text)
                style = el.get(f"{T}style-name") or row_style
                if style is None and col < len(columns):
                    style = columns[col]
                shown = formats.shown(style)
                for dr in range(rows_repeat):
                    for dc in range(repeat):
                        sheet.cells[(row + dr, col + dc)] = (value, formula)
                        if shown is not None:
                            sheet.formats[(row + dr, col + dc)] = shown
        col += repeat
        if col > MAX_COLS:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, "content.xml: colonne oltre il limite")
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
    for sheet in sheets:
        sheet.lines = sheet_lines(sheet.name, sheet.cells)
    return Book("ods", sheets, structure, properties, modified, application, "Calc")
