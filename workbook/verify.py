"""Prove that a received workbook is ours and untouched, and take out its inputs.

The `_valuta` sheet says which workbook it claims to be; that claim is a hint, never trusted:
the nonce must name a manifest kept in the cycle folder, and the HMAC of the file's locked
content, recomputed with the cycle's key, must equal the manifest's. When it does not, the file
is compared cell by cell with the manifest so that every change is reported where it is. The
map in the file is trusted only once the signature covers it; the inputs of an untouched,
current version are then read at its cells and checked (`inputs.py`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from .anomalies import Anomalia, Codice, Gravita, anomalia
from .build import workbook_id
from .generate import nonce_for
from .ingest import Documento
from .inputs import BLANK, Compilazione, check_inputs
from .layout import (
    HMAC_CELL,
    IDENTITY_FIELDS,
    MAP_HEADER_ROW,
    META,
    NUCLEO,
    PROPERTIES,
    CellValue,
    MapEntry,
    Position,
    canonical_content,
    cell_ref,
    excluded_cells,
    parse_ref,
    sign_lines,
)
from .piano import Piano
from .reader import Book, FileProblem, read_book

MAX_CELL_REPORTS = 10  # per sheet; the rest are counted in one REC-ALTRE-MODIFICHE


@dataclass(frozen=True, slots=True)
class Expected:
    """What the cycle folder says the current workbooks are."""

    piano: Piano
    key: bytes
    generato: dt.datetime
    manifests: Path

    def modules(self) -> list[str]:
        return [a.codice for a in self.piano.aree] + [NUCLEO]

    def nonce(self, modulo: str) -> str:
        return nonce_for(self.key, workbook_id(self.piano, modulo), self.generato)


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
    def __init__(self, expected: Expected) -> None:
        self.expected = expected
        self.manifests = _Manifests(expected.manifests)

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
        self._protection(v, book)
        current = self.expected.nonce(v.modulo) if v.modulo in self.expected.modules() else None
        v.corrente = identity["nonce"] == current
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
            raw = {
                e.chiave: cells[e.foglio].get(parse_ref(e.cella), BLANK)
                for e in mappa
                if e.is_input and e.foglio in cells
            }
            v.compilazione = check_inputs(self.expected.piano, v.modulo, doc.etichetta, mappa, raw)
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
        # LibreOffice drops workbook structure protection when it opens an .xlsx (its importer
        # has no handler for <workbookProtection>), so only Excel's files are held to it.
        if (
            book.kind == "xlsx"
            and book.application.startswith("Microsoft")
            and not book.structure_protected
        ):
            _add(
                v,
                Codice.REC_PROTEZIONE_RIMOSSA,
                dettaglio="della struttura della cartella di lavoro",
            )


def examine(doc: Documento, verifier: Verifier) -> Verifica:
    """Read one received file as hostile and verify it; a file that cannot be read gives a
    verdict with its anomaly."""
    try:
        book = read_book(doc.read())
    except FileProblem as exc:
        v = Verifica(doc)
        dettaglio = exc.dettaglio or exc.codice.titolo.lower()
        _add(v, exc.codice, exc.foglio, exc.cella, dettaglio=dettaglio)
        return v
    return verifier.verify(doc, book)


def _add(v: Verifica, codice: Codice, foglio: str = "", cella: str = "", **params: object) -> None:
    v.anomalie.append(
        anomalia(codice, file=v.documento.etichetta, foglio=foglio, cella=cella, **params)
    )


def _when(iso: str) -> str:
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y alle %H:%M")
    except ValueError:
        return iso
