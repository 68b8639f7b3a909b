"""Read the cells of an .xlsx workbook: the shared strings, and each worksheet part — every
non-empty cell, its signed line (contract.canonical_line), its number format where it is not
the neutral one, the cached results of formulas, the conditional formats and the sheet's
protection — within the file's `Budget`, and in bounded memory however large the part
(`WHOLE_TREE_MAX`)."""

from __future__ import annotations

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
from workbook.reconcile.readers.book import Cells, M
from workbook.reconcile.readers.limits import (
    MAX_CELL_TEXT,
    MAX_CELLS,
    MAX_FORMULA,
    MAX_TEXT,
    Budget,
)
from workbook.reconcile.readers.zipped import Zip
from workbook.values import canonical_number


@dataclass(frozen=True, slots=True)
class Styles:
    """The number formats that are not neutral: by cell style index (the «s» of a cell) and by
    differential format (the «dxfId» of a conditional format)."""

    cells: dict[str, str]
    conditional: dict[str, str]


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
                        text = inline_string(child)
                        if any(r.tag == _R and r.find(_RPR) is not None for r in child):
                            formats[pos] = RICH
                if suspicious and (formula or text):
                    style = cell.get("s", "0")
                    if style in suspicious:
                        formats[pos] = suspicious[style]
                if formula:
                    # Its cached result is never used for a score: it is kept only to check
                    # that the sheet shows what its inputs give (verify.py, shown.py).
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


def inline_string(element: ET.Element) -> str:
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
                    text = inline_string(si)
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
