"""Ingest whatever came back into `ricevuti/`: files, e-mails, PEC envelopes and receipts.

Every regular file under `ricevuti/` (subfolders too) is read, never modified: its bytes and
its modification time stay as they are (the time is evidence, and breaks ties between
versions). Symbolic links are never followed, and a file far larger than any modulo is
neither read nor copied. Messages (.eml, whatever their name, and PEC envelopes) are walked
down to every file they carry (`mime.py`), with the certified sender and time of a PEC.

Each file found is classified by its content: a spreadsheet is kept as a `Documento` for the
reader, once however many times it arrives (a PEC receipt carries the original again); a
known, harmless part (the PEC's certification and signature, a message's text, a PDF, an
image) is listed; anything else — of a type we cannot tell, or that could not be read — is an
`Elemento` to examine: it could hold a modulo, so the results stay provisional until the
Segretario has looked at it and set it aside with `valuta accetta` (`archivio/esaminati.csv`).

Every received file and every spreadsheet found is copied into `archivio/`, named by its
SHA-256; the ledger `archivio/registro.csv` records every arrival: from which file or message,
from whom, when (certified, for a PEC), and what became of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbook.anomalies import Anomalia, Codice, Gravita, anomalia
from workbook.cycle import Cycle
from workbook.files import read_csv, write_bytes, write_csv
from workbook.reconcile.mime import Busta, looks_like_message, read_message
from workbook.reconcile.readers import OLE_MAGIC, sniff
from workbook.values import printable

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xlsb", ".fods")
MAX_FILE = 32 * 2**20  # bytes of one received file: a modulo of the largest Ente is under 2 MiB
ACCEPTED = "esaminati.csv"


# What a received file or part is, in the ledger's words.
FOGLIO = "foglio di calcolo"
MESSAGGIO = "messaggio"
PEC = "messaggio PEC"
RICEVUTA = "ricevuta PEC"
CERTIFICAZIONE = "dati di certificazione della PEC"
FIRMA = "firma del messaggio (S/MIME)"
TESTO = "testo"
PDF = "documento PDF"
IMMAGINE = "immagine"
FIRMATO = "file firmato digitalmente (.p7m)"
OUTLOOK = "messaggio di Outlook (.msg)"
SCONOSCIUTO = "file di tipo sconosciuto"
HARMLESS = (CERTIFICAZIONE, FIRMA, TESTO, PDF, IMMAGINE)


@dataclass(frozen=True, slots=True)
class Arrivo:
    """One arrival of a file: where it was found and, for a message, who sent it when."""

    origine: str  # «ricevuti/pec/risposta.eml › postacert.eml › AREA1.xlsx»
    nome: str  # the file or attachment name
    mittente: str = ""
    oggetto: str = ""
    data: dt.datetime | None = None  # certified (PEC), else the message's, else the file's
    pec_mittente: str = ""  # the sender certified by the PEC provider
    pec_data: dt.datetime | None = None  # the time certified by the PEC provider
    pec_tipo: str = ""


@dataclass(slots=True)
class Documento:
    """A distinct spreadsheet received (by SHA-256), with all its arrivals."""

    sha256: str
    nome: str
    percorso: Path  # the archived copy, from which the content is read when needed
    arrivi: list[Arrivo] = field(default_factory=list)
    archivio: str = ""  # the archived copy, relative to the cycle folder
    esame: Esame | None = None  # set aside by the Segretario (valuta accetta)

    def read(self) -> bytes:
        return self.percorso.read_bytes()

    @property
    def primo(self) -> Arrivo:
        return self.arrivi[0]

    @property
    def etichetta(self) -> str:
        return self.primo.origine

    @property
    def mittenti(self) -> list[str]:
        return sorted({a.mittente.lower() for a in self.arrivi if a.mittente})


@dataclass(frozen=True, slots=True)
class Elemento:
    """A received file or part that is not a spreadsheet: a message, something harmless, or
    something to examine (`da_esaminare`)."""

    sha256: str
    origine: str
    nome: str
    natura: str
    arrivo: Arrivo
    archivio: str = ""
    da_esaminare: bool = False
    dettaglio: str = ""
    esame: Esame | None = None


@dataclass(frozen=True, slots=True)
class Esame:
    """The Segretario looked at a received file and set it aside (`valuta accetta`)."""

    sha256: str
    data: str
    nota: str


@dataclass(frozen=True, slots=True)
class Ingested:
    documenti: list[Documento]
    elementi: list[Elemento]
    anomalie: list[Anomalia]


def classify(name: str, declared: str, data: bytes) -> str:
    """What a file is, from its content first, then its name and declared type."""
    lower = name.lower()
    kind = sniff(data)
    if lower == "daticert.xml":
        return CERTIFICAZIONE
    if lower.endswith(".p7s") or declared in (
        "application/pkcs7-signature",
        "application/x-pkcs7-signature",
    ):
        return FIRMA
    if lower.endswith(".p7m") or declared in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        return FIRMATO
    if kind == "ole" and lower.endswith(".msg"):
        return OUTLOOK
    if kind in ("zip", "ole") or lower.endswith(SPREADSHEET_EXTENSIONS):
        return FOGLIO
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return IMMAGINE
    textual = declared.startswith("text/") or lower.endswith((".txt", ".htm", ".html"))
    if kind == "empty" or (textual and b"\x00" not in data[:65536]):
        return TESTO
    return SCONOSCIUTO


def _utc(timestamp: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).replace(tzinfo=None, microsecond=0)


def _extension(natura: str, name: str) -> str:
    suffix = Path(name).suffix.lower()
    if natura == FOGLIO:
        return suffix if suffix in SPREADSHEET_EXTENSIONS else ".bin"
    return ".eml" if natura in (MESSAGGIO, PEC, RICEVUTA) else ".bin"


def _label(path: Path, root: Path) -> str:
    """A received file's path as shown to people: relative, with unprintable characters (and
    names that were not valid UTF-8) replaced."""
    return printable(path.relative_to(root).as_posix())


class _Collector:
    def __init__(self, cycle: Cycle, accepted: dict[str, Esame]) -> None:
        self.cycle = cycle
        self.accepted = accepted
        self.by_sha: dict[str, Documento] = {}
        self.elements: list[Elemento] = []
        self.problems: list[Anomalia] = []

    # --- archive ----------------------------------------------------------------------------

    def archive(self, sha: str, natura: str, name: str, data: bytes, mtime_ns: int | None) -> str:
        """Copy a content into the archive once; returns its path relative to the cycle."""
        target = self.cycle.archivio / f"{sha}{_extension(natura, name)}"
        if not target.exists():
            write_bytes(target, data, 0o400)
            if mtime_ns is not None:  # the copy keeps the received file's time, as evidence
                os.utime(target, ns=(mtime_ns, mtime_ns))
        return target.relative_to(self.cycle.root).as_posix()

    def spreadsheet(
        self, name: str, data: bytes, arrival: Arrivo, mtime_ns: int | None = None
    ) -> None:
        sha = hashlib.sha256(data).hexdigest()
        doc = self.by_sha.get(sha)
        if doc is None:
            relative = self.archive(sha, FOGLIO, name, data, mtime_ns)
            doc = Documento(
                sha,
                name,
                self.cycle.root / relative,
                archivio=relative,
                esame=self.accepted.get(sha),
            )
            self.by_sha[sha] = doc
        doc.arrivi.append(arrival)

    def element(
        self,
        natura: str,
        arrival: Arrivo,
        sha: str,
        *,
        archivio: str = "",
        codice: Codice | None = None,
        dettaglio: str = "",
        **params: object,
    ) -> None:
        """An item that is not a spreadsheet; with `codice`, it must be examined (an errore
        until set aside), or, for a harmless one, reported as an avviso."""
        esame = self.accepted.get(sha)
        blocking = codice is not None and codice.gravita is Gravita.ERRORE
        self.elements.append(
            Elemento(
                sha,
                arrival.origine,
                arrival.nome,
                natura,
                arrival,
                archivio,
                da_esaminare=blocking,
                dettaglio=dettaglio,
                esame=esame,
            )
        )
        if codice is None:
            return
        if esame is not None:
            self.problems.append(set_aside(arrival.origine, esame))
            return
        self.problems.append(
            anomalia(
                codice,
                file=arrival.origine,
                dettaglio=dettaglio or natura,
                impronta=sha[:12],
                **params,
            )
        )

    # --- received files ---------------------------------------------------------------------

    def file(self, path: Path, info: os.stat_result) -> None:
        label = _label(path, self.cycle.root)
        mtime = _utc(info.st_mtime)
        arrival = Arrivo(label, printable(path.name), data=mtime)
        if info.st_size > MAX_FILE:
            sha = _sha_of_file(path)
            self.element(
                SCONOSCIUTO,
                arrival,
                sha,
                codice=Codice.ING_FILE_ENORME,
                mb=f"{info.st_size / 2**20:.0f}",
                limite=f"{MAX_FILE // 2**20}",
            )
            return
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_FILE + 1)
        except OSError as exc:
            self.element(
                SCONOSCIUTO,
                arrival,
                _sha_of_label(label),
                codice=Codice.ING_DA_ESAMINARE,
                dettaglio=f"non si può leggere: {exc.strerror or exc}",
            )
            return
        sha = hashlib.sha256(data).hexdigest()
        # A message by its name or its headers, unless its bytes say it is something else (a
        # workbook saved as «modulo.eml» is a workbook).
        if sniff(data) == "other" and (path.suffix.lower() == ".eml" or looks_like_message(data)):
            relative = self.archive(sha, MESSAGGIO, path.name, data, info.st_mtime_ns)
            self.message(label, data, sha, relative, mtime)
            return
        natura = classify(path.name, "", data)
        if natura == FOGLIO:
            self.spreadsheet(path.name, data, arrival, info.st_mtime_ns)
            return
        relative = self.archive(sha, natura, path.name, data, info.st_mtime_ns)
        self.leaf(natura, arrival, sha, relative)

    def leaf(self, natura: str, arrival: Arrivo, sha: str, archivio: str = "") -> None:
        """A file that is not a spreadsheet nor a message."""
        if natura in (CERTIFICAZIONE, FIRMA):  # part of every PEC: listed, nothing to say
            self.element(natura, arrival, sha, archivio=archivio)
        elif natura in HARMLESS:
            self.element(
                natura, arrival, sha, archivio=archivio, codice=Codice.ING_ALLEGATO_IGNORATO
            )
        elif natura == FIRMATO:
            self.element(natura, arrival, sha, archivio=archivio, codice=Codice.ING_FIRMATO)
        elif natura == OUTLOOK:
            self.element(natura, arrival, sha, archivio=archivio, codice=Codice.ING_OUTLOOK)
        else:
            self.element(natura, arrival, sha, archivio=archivio, codice=Codice.ING_DA_ESAMINARE)

    def message(self, label: str, data: bytes, sha: str, archivio: str, mtime: dt.datetime) -> None:
        lettura = read_message(data, label)
        envelope = _arrival(label, label.rsplit("/", 1)[-1], lettura.busta, mtime)
        certified = lettura.busta.certificazione
        natura = (RICEVUTA if certified.ricevuta else PEC) if certified else MESSAGGIO
        self.element(natura, envelope, sha, archivio=archivio)
        for problem in lettura.problemi:
            self.element(
                SCONOSCIUTO,
                _arrival(problem.origine, "", lettura.busta, mtime),
                sha,
                codice=Codice.ING_MESSAGGIO_ILLEGGIBILE,
                dettaglio=problem.dettaglio,
            )
        found = 0
        for part in lettura.parti:
            if part.testo:
                continue  # the message's own text: it is in the archived message
            arrival = _arrival(part.origine, part.nome, part.busta, mtime)
            natura = classify(part.nome, part.tipo, part.dati)
            if natura == FOGLIO:
                found += 1
                self.spreadsheet(part.nome, part.dati, arrival)
            else:
                self.leaf(natura, arrival, hashlib.sha256(part.dati).hexdigest())
        if not found and not lettura.problemi and not (certified and certified.ricevuta):
            self.problems.append(
                anomalia(
                    Codice.ING_EMAIL_SENZA_MODULI,
                    file=label,
                    oggetto=lettura.busta.oggetto or "(senza oggetto)",
                    mittente=lettura.busta.mittente or "mittente sconosciuto",
                )
            )


def _arrival(origin: str, name: str, busta: Busta, mtime: dt.datetime) -> Arrivo:
    """When a file arrived: the time a PEC provider certifies; else the message's date, which
    its sender writes and so never later than the Segreteria saved it (the file's time)."""
    certified = busta.certificazione
    written = min(busta.data, mtime) if busta.data else mtime
    return Arrivo(
        origin,
        name,
        busta.mittente,
        busta.oggetto,
        (certified.data if certified and certified.data else None) or written,
        certified.mittente if certified else "",
        certified.data if certified else None,
        certified.tipo if certified else "",
    )


def _sha_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()


def _sha_of_label(label: str) -> str:
    """The identity of an entry whose content cannot be read (a link, a locked file): its
    path, so that it can still be set aside."""
    return hashlib.sha256(label.encode("utf-8", "replace")).hexdigest()


def _received(root: Path) -> Iterator[tuple[Path, os.stat_result | None]]:
    """Every entry under `root`, sorted, without following links: (path, stat) for a regular
    file, (path, None) for a link or anything that is not a regular file."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        dirs.sort()
        for name in sorted(files) + sorted(d for d in dirs if (base / d).is_symlink()):
            path = base / name
            if name in (".DS_Store", "Thumbs.db", "desktop.ini"):
                continue  # a desktop's index: not a delivery
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and _office_leftover(path, info):
                continue
            yield path, info if stat.S_ISREG(info.st_mode) else None


def _office_leftover(path: Path, info: os.stat_result) -> bool:
    """What office programs leave beside a file they open, not a delivery: LibreOffice's
    «.~lock.NAME#», Excel's owner file «~$NAME» (a few hundred bytes with the user's name), the
    «._NAME» a Mac writes on foreign disks. Told by name and by content, so that a real file
    with such a name is still read."""
    name = path.name
    if name.startswith(".~lock.") and name.endswith("#") and info.st_size < 4096:
        return True
    if name.startswith("~$") and info.st_size <= 4096:
        head = path.read_bytes()[:8]
        return not head.startswith((b"PK", OLE_MAGIC))
    if name.startswith("._") and info.st_size <= 65536:
        return path.read_bytes()[:4] == b"\x00\x05\x16\x07"  # AppleDouble
    return False


def load_accepted(cycle: Cycle) -> dict[str, Esame]:
    """What the Segretario has set aside, by SHA-256 (archivio/esaminati.csv)."""
    path = cycle.archivio / ACCEPTED
    if not path.is_file():
        return {}
    try:
        rows = read_csv(path)
    except (OSError, ValueError):
        return {}
    out = {}
    for row in rows:
        sha = row.get("impronta", "").strip().lower()
        if len(sha) == 64:
            out[sha] = Esame(sha, row.get("data", ""), row.get("nota", ""))
    return out


def set_aside(origin: str, esame: Esame) -> Anomalia:
    return anomalia(
        Codice.ING_ESAMINATO,
        file=origin,
        data=esame.data or "?",
        nota=f": «{esame.nota}»" if esame.nota else "",
    )


def ingest(cycle: Cycle) -> Ingested:
    """Collect every distinct file received, archive it, and return it with its arrivals."""
    collector = _Collector(cycle, load_accepted(cycle))
    if cycle.ricevuti.is_dir():
        for path, info in _received(cycle.ricevuti):
            if info is None:
                label = _label(path, cycle.root)
                collector.element(
                    SCONOSCIUTO,
                    Arrivo(label, printable(path.name)),
                    _sha_of_label(label),
                    codice=Codice.ING_COLLEGAMENTO,
                )
                continue
            collector.file(path, info)
    for doc in collector.by_sha.values():
        doc.arrivi.sort(key=lambda a: a.origine)
    documents = sorted(collector.by_sha.values(), key=lambda d: d.etichetta)
    return Ingested(documents, collector.elements, collector.problems)


# --- valuta accetta ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Accettato:
    sha256: str
    origine: str
    natura: str
    nuovo: bool  # False when it had been set aside already


def accept(cycle: Cycle, impronta: str, nota: str, now: dt.datetime | None = None) -> Accettato:
    """Record that the Segretario examined a received file and sets it aside: by the start of
    its SHA-256 as the anomaly shows it, among the files of the last `valuta reconcile`."""
    from workbook.errors import CycleError

    cycle.check()
    prefix = impronta.strip().lower()
    ledger = cycle.registro
    if len(prefix) < 6 or not all(c in "0123456789abcdef" for c in prefix):
        raise CycleError(
            f"«{printable(impronta)}» non è un'impronta: indicare le prime cifre (almeno 6) "
            "dell'impronta che l'anomalia riporta, ad esempio «valuta accetta 3fa9c2e1b0d4»."
        )
    try:
        rows = read_csv(ledger) if ledger.is_file() else []
    except (OSError, ValueError):
        rows = []
    matches = {r["sha256"]: r for r in rows if r.get("sha256", "").startswith(prefix)}
    if not matches:
        raise CycleError(
            f"Nessun file ricevuto ha un'impronta che inizia con «{prefix}» nel registro "
            f"{ledger.relative_to(cycle.root).as_posix()}: eseguire prima «valuta reconcile» "
            "e copiare l'impronta dall'anomalia."
        )
    if len(matches) > 1:
        raise CycleError(
            f"Più file hanno un'impronta che inizia con «{prefix}»: indicarne più cifre "
            f"({', '.join(sorted(m[:16] for m in matches))})."
        )
    sha, row = next(iter(matches.items()))
    if row.get("stato") == "usato":
        raise CycleError(
            f"Il file {row.get('origine', '')} è la versione usata del modulo "
            f"{row.get('modulo', '')}: non si mette da parte. Se il modulo va rifatto, chiedere "
            "al mittente una nuova versione (conta la più recente)."
        )
    accepted = load_accepted(cycle)
    if sha in accepted:
        return Accettato(sha, row.get("origine", ""), row.get("natura", ""), False)
    path = cycle.archivio / ACCEPTED
    try:
        old = read_csv(path) if path.is_file() else []
    except (OSError, ValueError):
        old = []
    when = (now or dt.datetime.now()).strftime("%d/%m/%Y %H:%M")
    entry = {"impronta": sha, "data": when, "nota": nota.strip(), "origine": row.get("origine", "")}
    write_csv(path, ("impronta", "data", "nota", "origine"), [*old, entry])
    return Accettato(sha, row.get("origine", ""), row.get("natura", ""), True)
