"""Prove that a received workbook is ours and untouched, and take out its inputs.

The `_valuta` sheet says which workbook it claims to be; that claim is a hint, never trusted:
the nonce must name a manifest kept in the cycle folder, and the HMAC of the file's locked
content, recomputed with the cycle's key, must equal the manifest's. When it does not, the file
is compared cell by cell with the manifest so that every change is reported where it is. The
map in the file is trusted only once the signature covers it; the inputs of an untouched,
current version are then read at its cells and checked (`inputs.py`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import gzip
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from workbook.anomalies import Anomalia, Codice, Gravita, anomalia
from workbook.contract import (
    HMAC_CELL,
    IDENTITY_FIELDS,
    MAP_HEADER_ROW,
    META,
    PROPERTIES,
    CellValue,
    MapEntry,
    Position,
    canonical_content,
    cell_ref,
    excluded_cells,
    moduli,
    nonce_for,
    parse_ref,
    sign_lines,
    workbook_id,
)
from workbook.errors import FileProblem
from workbook.piano.model import Piano
from workbook.reconcile.ingest import Documento
from workbook.reconcile.inputs import BLANK, Compilazione, check_inputs
from workbook.reconcile.readers import Book, read_book
from workbook.reconcile.readers.limits import Budget
from workbook.reconcile.shown import check_shown
from workbook.scoring.engine import shown_results

MAX_CELL_REPORTS = 10  # per sheet; the rest are counted in one REC-ALTRE-MODIFICHE
MAX_CONDITIONAL = 1_000  # conditional formats of one sheet (a modulo has a dozen)


@dataclass(frozen=True, slots=True)
class Expected:
    """What the cycle folder says the current workbooks are."""

    piano: Piano
    key: bytes
    generato: dt.datetime
    manifests: Path

    def modules(self) -> list[str]:
        return moduli(self.piano)

    def nonce(self, modulo: str) -> str:
        return nonce_for(self.key, workbook_id(self.piano, modulo), self.generato)

    def is_current(self, modulo: str, nonce: str, signed: dict[str, str]) -> bool:
        """Of the current generation: the workbook `generate` writes, or another edition of
        it signed in the same generation (the Nucleo's updated modulo, whose manifest only
        valuta can have written: its nonce is derived with the cycle's key)."""
        if modulo not in self.modules():
            return False
        if nonce == self.nonce(modulo):
            return True
        try:
            when = dt.datetime.fromisoformat(signed.get("generato", ""))
        except ValueError:
            return False
        return signed.get("id") == workbook_id(self.piano, modulo) and when == self.generato


@dataclass(slots=True)
class Verifica:
    """The verdict on one received file."""

    documento: Documento
    modulo: str | None = None  # proven by the manifest
    dichiarato: str | None = None  # what the file claims to be, before any proof
    identita: dict[str, str] = field(default_factory=dict)
    integro: bool = False
    corrente: bool = False
    # The checked inputs, for a version that is ours, untouched and current (see inputs.py).
    compilazione: Compilazione | None = None
    salvato: dt.datetime | None = None
    data_attendibile: bool = True  # False: a save date after the arrival (never wins a tie)
    applicazione: str = ""
    anomalie: list[Anomalia] = field(default_factory=list)

    @property
    def usabile(self) -> bool:
        """Ours, untouched and of the current generation: its inputs can be used."""
        return self.modulo is not None and self.integro and self.corrente

    @property
    def quando(self) -> dt.datetime:
        """When this version was made: last saved, else sent, else as old as possible."""
        arrival = self.documento.primo.data
        return self.salvato or arrival or dt.datetime.min


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _identity(book: Book) -> dict[str, str] | None:
    sheet = book.sheet(META)
    if sheet is None:
        return None
    identity = {}
    for i, name in enumerate(IDENTITY_FIELDS, start=1):
        label = sheet.cells.get((i, 0), (None, None))[0]
        if _text(label) != name:
            return None
        identity[name] = _text(sheet.cells.get((i, 1), (None, None))[0])
    return identity


class _Manifests:
    """What was signed at generation, per nonce (see generate.save_manifest)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.identities: dict[str, dict | None] = {}

    def identity(self, nonce: str) -> dict | None:
        if nonce not in self.identities:
            path = self.folder / f"{nonce}.json"
            ok = nonce.isalnum() and path.is_file()
            self.identities[nonce] = json.loads(path.read_text(encoding="utf-8")) if ok else None
        return self.identities[nonce]

    def cells(self, nonce: str) -> dict:
        with gzip.open(self.folder / f"{nonce}.celle.json.gz", "rb") as fh:
            return json.loads(fh.read())


_ALL_TEXT = (str,) * len(MapEntry._fields)


def _file_map(book: Book) -> list[MapEntry] | None:
    """The map as the file has it; trusted only once the signature proves it unchanged."""
    sheet = book.sheet(META)
    if sheet is None:
        return None
    get = sheet.cells.get
    blank = ("", None)
    entries = []
    row = MAP_HEADER_ROW  # 0-based: the first row after the header
    while (key := get((row, 0))) is not None:
        entry = MapEntry(
            key[0],
            get((row, 1), blank)[0],  # type: ignore[arg-type]
            get((row, 2), blank)[0],  # type: ignore[arg-type]
            get((row, 3), blank)[0],  # type: ignore[arg-type]
            get((row, 4), blank)[0],  # type: ignore[arg-type]
        )
        if tuple(map(type, entry)) != _ALL_TEXT:
            entry = MapEntry(*map(_text, entry))
        try:
            parse_ref(entry.cella)
        except ValueError:
            return None
        entries.append(entry)
        row += 1
    return entries


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Verifier:
    def __init__(self, expected: Expected, now: dt.datetime | None = None) -> None:
        self.expected = expected
        self.manifests = _Manifests(expected.manifests)
        self.now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        self.budget = Budget()  # the file being verified's (examine gives each file its own)

    def verify(self, doc: Documento, book: Book) -> Verifica:
        """The verdict on one file: see the module's docstring."""
        v = Verifica(doc, salvato=book.modified, applicazione=book.application)

        def add(codice: Codice, foglio: str = "", cella: str = "", **params: object) -> None:
            _add(v, codice, foglio, cella, **params)

        identity = _identity(book)
        if identity is None or identity.get("formato") != "1":
            add(Codice.REC_FOGLIO_ESTRANEO)
            return v
        v.identita = identity
        v.dichiarato = identity["area"] or None
        ente = self.expected.piano.ente
        if identity["ente"] != ente.denominazione or identity["anno"] != str(ente.anno):
            add(
                Codice.REC_ALTRO_CICLO,
                ente=identity["ente"] or "?",
                anno=identity["anno"] or "?",
                ente_ciclo=ente.denominazione,
                anno_ciclo=ente.anno,
            )
            return v
        for prop in PROPERTIES:
            claimed = book.properties.get(prop)
            field_name = prop.removeprefix("valuta_")
            if claimed is not None and claimed != identity[field_name]:
                cell = f"B{2 + IDENTITY_FIELDS.index(field_name)}"
                add(Codice.REC_IDENTITA_INCOERENTE, META, cell, dettaglio=f"«{field_name}» diverso")
                return v
        signed_record = self.manifests.identity(identity["nonce"])
        if signed_record is None:
            add(Codice.REC_FIRMA_NON_VALIDA, dettaglio="codice del modulo sconosciuto")
            return v
        signed = signed_record["identita"]
        if signed["id"] != identity["id"] or signed["area"] != identity["area"]:
            add(Codice.REC_IDENTITA_INCOERENTE, META, "B3", dettaglio="«id» o «area» diversi")
            return v
        v.modulo = signed["area"]
        if not hmac.compare_digest(identity["hmac"], signed["hmac"]):
            add(Codice.REC_IDENTITA_INCOERENTE, META, HMAC_CELL, dettaglio="firma diversa")
            return v

        names = book.sheet_names
        file_map = _file_map(book)
        if file_map is not None:
            lines = {s.name: s.lines for s in book.sheets}
            actual = sign_lines(
                self.expected.key, signed_record["fogli"], lines, excluded_cells(file_map)
            )
            v.integro = names == signed_record["fogli"] and hmac.compare_digest(
                actual, signed["hmac"]
            )
        if v.integro:
            mappa: list[MapEntry] = file_map  # type: ignore[assignment] - proven unchanged
        else:
            manifest = self.manifests.cells(identity["nonce"])
            mappa = [MapEntry(*row) for row in manifest["mappa"]]
            content = canonical_content(names, book.as_cells(), excluded_cells(mappa))
            self._pinpoint(v, book, signed_record["fogli"], manifest, content)
        if _formats(v, book, excluded_cells(mappa), self.budget):
            v.integro = False  # the values are intact, but a printed scheda would lie
        for sheet in book.sheets:
            if sheet.drawings:
                add(Codice.REC_DISEGNI, sheet.name, dettaglio=sheet.drawings)
                v.integro = False
        self._protection(v, book)
        self._save_date(v, book)
        v.corrente = self.expected.is_current(v.modulo, identity["nonce"], signed)
        if not v.corrente:
            add(
                Codice.REC_GENERAZIONE_PRECEDENTE,
                generato=_when(signed["generato"]),
                corrente=_when(self.expected.generato.isoformat()),
                modulo=v.modulo,
            )
        if v.usabile:
            # The inputs are read at the cells the map names: the file's, which the signature
            # has just proven to be the one signed (a usable version is an untouched one).
            cells = book.as_cells()
            raw, formats = {}, {}
            for e in mappa:
                if e.is_input and e.foglio in cells:
                    pos = parse_ref(e.cella)
                    raw[e.chiave] = cells[e.foglio].get(pos, BLANK)
                    shown_as = book.sheet(e.foglio).formats.get(pos)  # type: ignore[union-attr]
                    if shown_as:
                        formats[e.chiave] = shown_as
            piano = self.expected.piano
            v.compilazione = check_inputs(piano, v.modulo, doc.etichetta, mappa, raw, formats)
            expected = shown_results(piano, v.modulo, v.compilazione.as_inputs(piano))
            v.compilazione.anomalie.extend(check_shown(book, mappa, expected, doc.etichetta))
        return v

    def _pinpoint(
        self,
        v: Verifica,
        book: Book,
        expected_names: list[str],
        manifest: dict,
        content: dict[Position, tuple[str, str]],
    ) -> None:
        """Say which sheets and cells differ from what was signed."""
        for name in expected_names:
            if book.sheet(name) is None:
                _add(v, Codice.REC_FOGLIO_MANCANTE, nome=name)
        for name in book.sheet_names:
            if name not in expected_names:
                _add(v, Codice.REC_FOGLIO_AGGIUNTO, nome=name)
        signed = {(s, r, c): (k, t) for s, r, c, k, t in manifest["celle"]}
        present = [n for n in expected_names if book.sheet(n) is not None]
        for name in present:
            keys = sorted({k for k in (*signed, *content) if k[0] == name})
            diffs = [k for k in keys if signed.get(k) != content.get(k)]
            if not diffs:
                continue
            if name == META:
                _add(v, Codice.REC_MAPPA_MODIFICATA, META, cell_ref(*diffs[0][1:]))
                continue
            for where in diffs[:MAX_CELL_REPORTS]:
                was, now = signed.get(where), content.get(where)
                cell = cell_ref(where[1], where[2])
                if now is None:
                    _add(v, Codice.REC_CONTENUTO_RIMOSSO, name, cell, atteso=_short(was[1]))  # type: ignore[index]
                elif was is None:
                    _add(v, Codice.REC_CONTENUTO_AGGIUNTO, name, cell, trovato=_short(now[1]))
                elif was[0] == "f" and now[0] != "f":
                    _add(v, Codice.REC_FORMULA_SOSTITUITA, name, cell, trovato=_short(now[1]))
                elif was[0] == "f":
                    _add(
                        v,
                        Codice.REC_FORMULA_MODIFICATA,
                        name,
                        cell,
                        atteso=_short(was[1]),
                        trovato=_short(now[1]),
                    )
                else:
                    _add(
                        v,
                        Codice.REC_CELLA_MODIFICATA,
                        name,
                        cell,
                        atteso=_short(was[1]),
                        trovato=_short(now[1]),
                    )
            if len(diffs) > MAX_CELL_REPORTS:
                _add(v, Codice.REC_ALTRE_MODIFICHE, name, n=len(diffs) - MAX_CELL_REPORTS)
        if not any(a.gravita is Gravita.ERRORE for a in v.anomalie):
            # Same cells, different order or sheet list: report it rather than pass silently.
            _add(v, Codice.REC_FIRMA_NON_VALIDA, dettaglio="il contenuto protetto non corrisponde")

    def _protection(self, v: Verifica, book: Book) -> None:
        for sheet in book.sheets:
            if not sheet.protected:
                _add(
                    v,
                    Codice.REC_PROTEZIONE_RIMOSSA,
                    sheet.name,
                    dettaglio=f"del foglio «{sheet.name}»",
                )
            hidden = sheet.state in ("hidden", "veryHidden")
            if hidden != (sheet.name == META):
                _add(
                    v,
                    Codice.REC_VISIBILITA_MODIFICATA,
                    sheet.name,
                    nome=sheet.name,
                    azione="nascosto" if hidden else "reso visibile",
                )
        # LibreOffice drops workbook structure protection when it opens an .xlsx (it saves an
        # empty <workbookProtection/>, and no structure protection in an .ods), so a file whose
        # workbook part LibreOffice wrote is not held to it. Which program wrote that part is
        # told by its <fileVersion appName> (an .ods is always LibreOffice's), not by the
        # application the file claims to come from (docProps/app.xml), which anyone can change
        # in one place. What the structure protects is checked anyway: the sheets, their order
        # (signed) and which are hidden (above).
        exempt = book.writer == "Calc"
        if not exempt and not book.structure_protected:
            _add(
                v,
                Codice.REC_PROTEZIONE_RIMOSSA,
                dettaglio="della struttura della cartella di lavoro",
            )

    def _save_date(self, v: Verifica, book: Book) -> None:
        """A file cannot have been saved after it arrived: such a save date (a wrong clock, or
        a date written to make an old copy win) is not used to choose between versions."""
        if v.salvato is None:
            return
        arrival = v.documento.primo.data or self.now
        limit = min(arrival, self.now) + dt.timedelta(days=1)
        if v.salvato > limit:
            _add(
                v,
                Codice.REC_DATA_NON_ATTENDIBILE,
                salvato=_when(v.salvato.isoformat()),
                arrivo=_when(arrival.isoformat()),
                modulo=v.modulo or v.dichiarato or "?",
            )
            v.salvato = None
            v.data_attendibile = False


def _formats(v: Verifica, book: Book, inputs: set[Position], budget: Budget) -> bool:
    """Report the locked cells whose number format is not the neutral one (a format such as
    «"95,00"» shows 95,00 whatever the cell holds), or that a conditional format reformats;
    whether there was any."""
    found = False
    for sheet in book.sheets:
        reported = 0
        for (row, col), code in sorted(sheet.formats.items()):
            if (sheet.name, row, col) in inputs:
                continue
            found = True
            reported += 1
            if reported <= MAX_CELL_REPORTS:
                _add(
                    v,
                    Codice.REC_FORMATO_MODIFICATO,
                    sheet.name,
                    cell_ref(row, col),
                    formato=_short(code),
                )
        if not sheet.conditional:
            continue
        if len(sheet.conditional) > MAX_CONDITIONAL:
            found = True
            _add(
                v,
                Codice.REC_FORMATO_MODIFICATO,
                sheet.name,
                formato=f"{len(sheet.conditional)} formati condizionali",
            )
            continue
        ordered = sorted(sheet.cells)
        for r1, c1, r2, c2, code in sheet.conditional:
            budget.tick()
            start = bisect.bisect_left(ordered, (r1, c1))
            end = bisect.bisect_right(ordered, (r2, c2))
            locked = next(
                (
                    (r, c)
                    for r, c in ordered[start:end]
                    if c1 <= c <= c2 and (sheet.name, r, c) not in inputs
                ),
                None,
            )
            if locked is not None:
                found = True
                _add(
                    v,
                    Codice.REC_FORMATO_MODIFICATO,
                    sheet.name,
                    cell_ref(*locked),
                    formato=f"{_short(code)}, da un formato condizionale",
                )
    return found


def examine(doc: Documento, verifier: Verifier) -> Verifica:
    """Read one received file as hostile and verify it; a file that cannot be read gives a
    verdict with its anomaly."""
    verifier.budget = Budget()
    try:
        book = read_book(doc.read(), verifier.budget)
        return verifier.verify(doc, book)
    except FileProblem as exc:
        v = Verifica(doc)
        dettaglio = exc.dettaglio or exc.codice.titolo.lower()
        _add(v, exc.codice, exc.foglio, exc.cella, dettaglio=dettaglio)
        return v
    except (MemoryError, RecursionError) as exc:
        v = Verifica(doc)
        _add(v, Codice.ING_TROPPO_GRANDE, dettaglio=type(exc).__name__)
        return v
    except Exception as exc:
        # A reader's defect met on a hostile file must not stop the other files: it becomes
        # this file's anomaly (and a test that meets one fails: see tests/test_hostile.py).
        v = Verifica(doc)
        _add(v, Codice.ING_ERRORE_LETTURA, dettaglio=f"{type(exc).__name__}: {exc}"[:200])
        return v


def _add(v: Verifica, codice: Codice, foglio: str = "", cella: str = "", **params: object) -> None:
    v.anomalie.append(
        anomalia(codice, file=v.documento.etichetta, foglio=foglio, cella=cella, **params)
    )


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y alle %H:%M")
    except ValueError:
        return iso
