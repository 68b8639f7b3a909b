"""The contract between the workbooks we write and the ones we read back.

What the writing side (workbook/generate/) produces and the reading side
(workbook/reconcile/) checks, defined once: which moduli a cycle has and who fills each; their
identity (workbook id, nonce) and sheet names; the `_valuta` sheet (identity and the map of
every input and result cell) and the custom document properties; the canonical form of a
workbook's locked content — one signed line per cell — that the HMAC signs. The reading side
imports this module and never the writing side (tests/test_package.py checks it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from workbook.values import canonical_number

if TYPE_CHECKING:
    from workbook.piano.model import Piano

FORMAT = "1"
ISTRUZIONI, OBIETTIVI, VALUTAZIONI, SCHEDE, CRITERI, META = (
    "Istruzioni",
    "Obiettivi",
    "Valutazioni",
    "Schede",
    "Criteri",
    "_valuta",
)
NUCLEO = "nucleo"
SEGRETARIO = "segretario"  # the modulo of the people the Segretario Comunale evaluates

# _valuta: identity rows (field in A, value in B) from row 2, then the map.
IDENTITY_FIELDS = (
    "formato",
    "id",
    "ente",
    "anno",
    "area",
    "modulo",
    "sistema",
    "sistema_hash",
    "generato",
    "versione",
    "nonce",
    "hmac",
)
MAP_HEADER = ("chiave", "foglio", "cella", "tipo", "ammessi")
MAP_HEADER_ROW = len(IDENTITY_FIELDS) + 3  # 1-based row of the map's header
HMAC_CELL = f"B{2 + IDENTITY_FIELDS.index('hmac')}"
PROPERTIES = ("valuta_id", "valuta_nonce", "valuta_hmac")

SOGGETTI = ("dipendente", "eq", "dirigente", "obiettivo", "area", "ente")


# --- the moduli of a cycle, and who fills each ------------------------------------------------


def moduli(piano: Piano) -> list[str]:
    """Every modulo of a cycle: one per Area (by its code), then the Nucleo's, then — when
    the Sistema has the Segretario evaluate someone — the Segretario's."""
    extra = [SEGRETARIO] if piano.valutati(SEGRETARIO) else []
    return [a.codice for a in piano.aree] + [NUCLEO] + extra


def modulo_areas(piano: Piano, modulo: str) -> list[str]:
    """The Areas whose objectives a modulo shows: its own (declared by its Responsabile),
    every Area (validated by the Nucleo), none (the Segretario's)."""
    if modulo == NUCLEO:
        return [a.codice for a in piano.aree]
    return [] if modulo == SEGRETARIO else [modulo]


@dataclass(frozen=True, slots=True)
class Compilatore:
    """Who fills a modulo and sends it back, as the Piano says."""

    modulo: str
    ruolo: str  # «Responsabile dell'Area», «Nucleo di Valutazione», «Segretario Comunale»
    nome: str  # the person's name («Ferrari Giovanni»), or «Nucleo di Valutazione»
    email: str
    foglio: str  # where the Piano says it: «Aree» or «Ente»
    riga: int | None = None
    qualifica: str = ""  # «Segretario Comunale», when the Segretario leads the Area
    nome_proprio: str = ""  # «Giovanni Ferrari»: first name first, as one greets a person

    @property
    def nucleo(self) -> bool:
        return self.modulo == NUCLEO

    @property
    def area(self) -> bool:
        return self.modulo not in (NUCLEO, SEGRETARIO)

    @property
    def descrizione(self) -> str:
        """«Responsabile dell'Area AREA1, Ferrari Giovanni» / «Nucleo di Valutazione» /
        «Segretario Comunale, Bianchi Anna»."""
        who = " ".join(filter(None, (self.qualifica, self.nome)))
        if self.nucleo:
            return self.ruolo
        return self.titolo + (f", {who}" if who else "")

    @property
    def titolo(self) -> str:
        """«Responsabile dell'Area AREA1» / «Nucleo di Valutazione»: the evaluator."""
        return f"{self.ruolo} {self.modulo}" if self.area else self.ruolo

    @property
    def saluto(self) -> str:
        """How a message to them begins."""
        if self.nucleo:
            return "Al Nucleo di Valutazione,"
        name = self.nome_proprio or self.nome
        return f"Gentile {name}," if name else "Buongiorno,"

    @property
    def chi(self) -> str:
        """«il Responsabile dell'Area AREA1» / «il Nucleo di Valutazione»."""
        return f"il {self.titolo}"


def compilatore(piano: Piano, modulo: str) -> Compilatore:
    ente = piano.ente
    if modulo == NUCLEO:
        return Compilatore(
            modulo, "Nucleo di Valutazione", "Nucleo di Valutazione", ente.email_nucleo, "Ente"
        )
    if modulo == SEGRETARIO:
        return Compilatore(
            modulo, "Segretario Comunale", ente.segretario, ente.email_segretario, "Ente"
        )
    area = piano.area(modulo)
    if area.del_segretario:
        return Compilatore(
            modulo,
            "Responsabile dell'Area",
            ente.segretario,
            ente.email_segretario or area.email,
            "Ente" if ente.email_segretario else "Aree",
            None if ente.email_segretario else area.riga,
            qualifica="Segretario Comunale",
        )
    person = piano.persona(area.responsabile) if area.responsabile else None
    return Compilatore(
        modulo,
        "Responsabile dell'Area",
        person.nominativo if person else "",
        area.email,
        "Aree",
        area.riga,
        nome_proprio=f"{person.nome} {person.cognome}" if person else "",
    )


def workbook_id(piano: Piano, modulo: str) -> str:
    """«comune-di-almenno-san-bartolomeo/2017/AREA1»: which workbook of which cycle."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in piano.ente.denominazione.lower())
    slug = "-".join(filter(None, slug.split("-")))
    return f"{slug}/{piano.ente.anno}/{modulo}"


def nonce_for(key: bytes, ident: str, generato: dt.datetime) -> str:
    """A per-workbook, per-generation nonce; derived, so the same cycle gives the same bytes."""
    message = f"nonce|{ident}|{generato.isoformat()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


# --- cells -------------------------------------------------------------------------------------


def col_letter(col: int) -> str:
    """0-based column index → letters (0 → A, 27 → AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → «A1»."""
    return f"{col_letter(col)}{row + 1}"


_REF = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # the largest sheet of Excel and LibreOffice


@functools.lru_cache(maxsize=1 << 16)
def parse_ref(ref: str) -> tuple[int, int]:
    """«A1» → 0-based (row, col), inside the largest sheet a program writes; ValueError for
    anything else (never kept).

    Cached, with the normalised formulas (`normalize_formula`), because the reader calls it
    for every cell of every received file and the moduli of one cycle repeat the same few
    tens of thousands of references: without it `valuta reconcile` takes 18% more processor
    time on a cycle of 20 Aree (benchmarks/README.md, «Le cifre del 2 dicembre»)."""
    m = _REF.fullmatch(ref.upper())
    if not m:
        raise ValueError(ref)
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    row = int(m[2])
    if not (1 <= row <= MAX_ROWS and col <= MAX_COLS):
        raise ValueError(ref)
    return row - 1, col - 1


# --- the map -----------------------------------------------------------------------------------


class MapEntry(NamedTuple):
    """One row of the map: `<soggetto>/<id>/<voce>` and where it lives.

    A named tuple: hundreds per workbook are built for every file read, about ten times faster
    than frozen dataclasses."""

    chiave: str
    foglio: str
    cella: str
    tipo: str  # "input" | "calcolo"
    ammessi: str = ""

    @property
    def voce(self) -> str:
        return self.chiave.split("/", 2)[2]

    @property
    def is_input(self) -> bool:
        return self.tipo == "input"

    def allowed(self) -> tuple[list[str] | None, tuple[Decimal, Decimal] | None]:
        """(allowed values, numeric range) as declared in `ammessi`."""
        if not self.ammessi:
            return None, None
        if ".." in self.ammessi and ";" not in self.ammessi:
            low, high = self.ammessi.split("..", 1)
            return None, (Decimal(low), Decimal(high))
        return self.ammessi.split(";"), None


def make_key(soggetto: str, ident: str, voce: str) -> str:
    assert soggetto in SOGGETTI and "/" not in ident, (soggetto, ident)
    return f"{soggetto}/{ident}/{voce}"


def allowed_values(values: tuple[Decimal | str, ...]) -> str:
    return ";".join(canonical_number(v) if isinstance(v, Decimal) else v for v in values)


def allowed_range(low: Decimal, high: Decimal) -> str:
    return f"{canonical_number(low)}..{canonical_number(high)}"


# --- canonical content and its HMAC ------------------------------------------------------------

# Formula text as LibreOffice writes it back: OOXML with `_xlfn.` prefixes, or ODF
# («of:=IF([.A1]>0;…)», «[$Sheet.A1:.B2]»). See ODF 1.2 part 2 (OpenFormula), §5.8 references.
_ODF_REF = re.compile(
    r"\[\$?(?:'((?:[^']|'')+)'|([A-Za-z0-9_]*))\.(\$?[A-Za-z]+\$?\d+)"
    r"(?::\$?(?:'(?:[^']|'')+'|[A-Za-z0-9_]*)\.(\$?[A-Za-z]+\$?\d+))?\]"
)
_STRING = re.compile(r'("(?:[^"]|"")*")')


def _odf_ref(m: re.Match[str]) -> str:
    sheet = (m[1] or "").replace("''", "'") or (m[2] or "")
    ref = m[3] + (f":{m[4]}" if m[4] else "")
    return f"{sheet}!{ref}" if sheet else ref


class Memo:
    """Remembers the results of a str → str function, and forgets them all once they hold
    `budget` characters (keys, results and ENTRY for each); texts longer than `longest` are
    never kept. What a hostile file holds can make it work, never make it grow."""

    ENTRY = 100  # characters' worth of memory for the dict slot and the two string headers

    def __init__(self, function: Callable[[str], str], budget: int, longest: int) -> None:
        self.function = function
        self.budget = budget
        self.longest = longest
        self.memo: dict[str, str] = {}
        self.used = 0

    def __call__(self, text: str) -> str:
        value = self.memo.get(text)
        if value is None:
            value = self.function(text)
            if len(text) <= self.longest:
                cost = len(text) + len(value) + self.ENTRY
                if self.used + cost > self.budget:
                    self.memo.clear()
                    self.used = 0
                self.memo[text] = value
                self.used += cost
        return value


def _normalize(text: str) -> str:
    text = text.strip()
    if text.startswith("of:"):
        text = text[3:]
    text = text.removeprefix("=")
    out = []
    for i, part in enumerate(_STRING.split(text)):
        if i % 2:  # a string literal: kept as it is
            out.append(part)
            continue
        if "[" in part:
            part = _ODF_REF.sub(_odf_ref, part)
        part = part.replace(";", ",").replace("$", "")
        if "_xl" in part or " " in part or "\n" in part or "\t" in part:
            part = _NOISE.sub("", part)
        out.append(part.upper())
    return "".join(out)


_NOISE = re.compile(r"_xlfn\.|_xlws\.|\s+")

# One text for a formula, whichever program wrote it (xlsxwriter, Excel, LibreOffice).
# Remembered: the workbooks of one cycle repeat the same formulas row by row, Area after Area
# (10,551 distinct ones, under 200 characters, some 3 million characters of memo for the
# largest Ente); without the memo reconcile takes 12% more processor time on a cycle of 20
# Aree (benchmarks/README.md).
normalize_formula = Memo(_normalize, budget=8_000_000, longest=1024)


def normalize_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


CellValue = str | int | float | Decimal | bool | None


def canonical_cell(value: CellValue, formula: str | None) -> tuple[str, str] | None:
    """(kind, text) of a cell's content, or None for an empty cell. Cached values of formulas
    are not content: they change with the inputs."""
    if formula:
        return "f", normalize_formula(formula)
    if value is None:
        return None
    if isinstance(value, str):
        return ("s", normalize_text(value)) if value else None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    return "n", canonical_number(value)


Position = tuple[str, int, int]  # sheet name, 0-based row and column
Sheets = Mapping[str, Mapping[tuple[int, int], tuple[CellValue, str | None]]]
Lines = dict[tuple[int, int], str]  # (row, column) → signed line, in row-major order


def canonical_items(
    sheet_names: list[str], sheets: Sheets, excluded: set[Position]
) -> Iterator[tuple[str, int, int, str, str]]:
    """(sheet, row, column, kind, text) of every locked, non-empty cell — everything but the
    inputs and the HMAC cell — sorted by sheet name, row and column."""
    for name in sorted(sheet_names):
        cells = sheets.get(name, {})
        for row, col in sorted(cells):
            if (name, row, col) in excluded:
                continue
            value, formula = cells[(row, col)]
            item = canonical_cell(value, formula)
            if item is not None:
                yield name, row, col, item[0], item[1]


def canonical_content(
    sheet_names: list[str], sheets: Sheets, excluded: set[Position]
) -> dict[Position, tuple[str, str]]:
    """The locked content, by position (see `canonical_items`)."""
    return {(s, r, c): (k, t) for s, r, c, k, t in canonical_items(sheet_names, sheets, excluded)}


def sheet_head(name: str) -> str:
    """The start of every signed line of one sheet."""
    return f"\n{len(name)}:{name}\t"


def canonical_line(head: str, row: int, col: int, kind: str, text: str) -> str:
    """One cell's signed line. Every text is length-prefixed, so the encoding is unambiguous
    without escaping anything."""
    return f"{head}{row}\t{col}\t{kind}{len(text)}:{text}"


def sheet_lines(name: str, cells: Mapping[tuple[int, int], tuple[CellValue, str | None]]) -> Lines:
    """The signed line of every non-empty cell of one sheet, in row-major order."""
    head = sheet_head(name)
    lines = {}
    for row, col in sorted(cells):
        item = canonical_cell(*cells[(row, col)])
        if item is not None:
            lines[(row, col)] = canonical_line(head, row, col, *item)
    return lines


def _mac(key: bytes, sheet_names: list[str]) -> hmac.HMAC:
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update("\t".join(f"{len(n)}:{n}" for n in sheet_names).encode())
    return mac


def sign_items(
    key: bytes, sheet_names: list[str], items: Iterable[tuple[str, int, int, str, str]]
) -> str:
    """HMAC-SHA256 over the sheet list (in workbook order) and the canonical items."""
    mac = _mac(key, sheet_names)
    heads: dict[str, str] = {}
    lines = [
        canonical_line(heads.get(s) or heads.setdefault(s, sheet_head(s)), r, c, k, t)
        for s, r, c, k, t in items
    ]
    mac.update("".join(lines).encode())
    return mac.hexdigest()


def sign_lines(
    key: bytes, sheet_names: list[str], lines: Mapping[str, Lines], excluded: set[Position]
) -> str:
    """`sign_items` over lines already encoded (see `sheet_lines`), one dict per sheet in
    row-major order, leaving out the excluded cells."""
    mac = _mac(key, sheet_names)
    for name in sorted(sheet_names):
        sheet = lines.get(name, {})
        skip = {(r, c) for s, r, c in excluded if s == name}
        if skip:
            mac.update("".join([t for p, t in sheet.items() if p not in skip]).encode())
        else:
            mac.update("".join(sheet.values()).encode())
    return mac.hexdigest()


def sign(key: bytes, sheet_names: list[str], content: Mapping[Position, tuple[str, str]]) -> str:
    """HMAC-SHA256 over the sheet list (in workbook order) and the canonical content."""
    return sign_items(key, sheet_names, ((*w, *content[w]) for w in sorted(content)))


def excluded_cells(entries: Iterable[MapEntry]) -> set[Position]:
    """Cells outside the signed content: the inputs, and the HMAC itself."""
    excluded = {(e.foglio, *parse_ref(e.cella)) for e in entries if e.is_input}
    excluded.add((META, *parse_ref(HMAC_CELL)))
    return excluded
