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
from dataclasses import dataclass

from workbook.anomalies import Codice
from workbook.errors import FileProblem
from workbook.reconcile.readers.book import NS, Book, SheetData
from workbook.reconcile.readers.limits import (
    Budget,
)
from workbook.reconcile.readers.xlsx_cells import SheetReader, Strings, Styles, shared_strings
from workbook.reconcile.readers.zipped import OLE_MAGIC, Zip, has_vba, ole_streams, timestamp, tree

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
