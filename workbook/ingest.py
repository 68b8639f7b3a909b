"""Ingest whatever came back into `ricevuti/`: files, e-mails, PEC envelopes.

Every file under `ricevuti/` (subfolders too) is read, never modified. Messages saved from a
mail client (.eml) give up their spreadsheet attachments, also when nested as in a PEC, where
the original message travels as `postacert.eml` inside the certified envelope and receipts
attach it again. Identical content is kept once, however many times it arrives; each distinct
file is copied into `archivio/`, named by its SHA-256, and the ledger `archivio/registro.csv`
records every arrival: from which file or message, from whom, when, and what became of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import email.utils
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from .anomalies import Anomalia, Codice, anomalia
from .cycle import Cycle
from .files import write_bytes, write_text
from .reader import sniff

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods", ".xltx", ".xlsb", ".fods")
# Parts every PEC envelope carries: not something a person sent.
PEC_PARTS = ("daticert.xml", "smime.p7s", "postacert.eml")
MAX_NESTING = 8


@dataclass(frozen=True, slots=True)
class Arrivo:
    """One arrival of a file: where it was found and, for a message, who sent it when."""

    origine: str  # «ricevuti/pec/risposta.eml › AREA1.xlsx»
    nome: str  # the file or attachment name
    mittente: str = ""
    oggetto: str = ""
    data: dt.datetime | None = None  # message date, or the file's modification time


@dataclass(slots=True)
class Documento:
    """A distinct content received (by SHA-256), with all its arrivals."""

    sha256: str
    nome: str
    percorso: Path  # the archived copy, from which the content is read when needed
    arrivi: list[Arrivo] = field(default_factory=list)
    archivio: str = ""  # the archived copy, relative to the cycle folder

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
class Ingested:
    documenti: list[Documento]
    anomalie: list[Anomalia]


_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def _is_message(path: Path, data: bytes) -> bool:
    """An e-mail saved from a mail client: by its name, or by RFC 5322 headers at the top."""
    if path.suffix.lower() == ".eml":
        return True
    head = data[:8192]
    return sniff(data) == "other" and bool(_HEADER.match(head)) and b"\nFrom:" in b"\n" + head


def _message_date(msg: EmailMessage) -> dt.datetime | None:
    raw = msg.get("Date")
    if not raw:
        return None
    try:
        stamp = email.utils.parsedate_to_datetime(str(raw))
    except (TypeError, ValueError):
        return None
    return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp


def _sender(msg: EmailMessage) -> str:
    # A PEC envelope is «Per conto di: x@pec.it» <posta-certificata@…>, with the real sender
    # in X-Riferimento-Message-ID's message; the original (postacert.eml) carries the real From.
    raw = msg.get("Reply-To") if msg.get("X-Trasporto") else None
    _, address = email.utils.parseaddr(str(raw or msg.get("From", "")))
    return address.lower()


def _attachments(
    msg: EmailMessage, origin: str, depth: int = 0
) -> Iterator[tuple[str, str, bytes, EmailMessage]]:
    """(where, name, bytes, the message that carries it) for every attachment, recursively:
    «ricevuti/busta.eml › postacert.eml › AREA1.xlsx»."""
    if depth > MAX_NESTING:
        return
    for part in msg.iter_attachments() if msg.is_multipart() else ():
        name = part.get_filename() or ""
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            if isinstance(inner, EmailMessage):
                yield from _attachments(inner, f"{origin} › {name or 'messaggio'}", depth + 1)
            continue
        try:
            payload = part.get_payload(decode=True) or b""
        except (LookupError, ValueError):
            payload = b""
        if name.lower().endswith(".eml"):
            inner = email.message_from_bytes(payload, policy=email.policy.default)
            yield from _attachments(inner, f"{origin} › {name}", depth + 1)  # type: ignore
            continue
        yield f"{origin} › {name}", name, payload, msg
    # Attachments nested inside multipart/related or alternative parts are found by
    # iter_attachments at each level; message/rfc822 bodies by the recursion above.


def _looks_like_spreadsheet(name: str, data: bytes) -> bool:
    if name.lower().endswith(SPREADSHEET_EXTENSIONS):
        return True
    return sniff(data) in ("zip", "ole")


class _Collector:
    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.by_sha: dict[str, Documento] = {}
        self.problems: list[Anomalia] = []
        self.ignored: list[tuple[str, str, Arrivo]] = []  # (sha, reason, arrival)

    def add(self, name: str, data: bytes, arrival: Arrivo) -> None:
        """Archive the content at once (memory holds one file at a time, not all of them)."""
        sha = hashlib.sha256(data).hexdigest()
        doc = self.by_sha.get(sha)
        if doc is None:
            target = self.cycle.archivio / f"{sha}{_extension(name)}"
            if not target.exists():
                write_bytes(target, data, 0o444)
            doc = Documento(
                sha, name, target, archivio=target.relative_to(self.cycle.root).as_posix()
            )
            self.by_sha[sha] = doc
        doc.arrivi.append(arrival)

    def file(self, path: Path) -> None:
        relative = path.relative_to(self.cycle.root).as_posix()
        data = path.read_bytes()
        mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        if _is_message(path, data):
            self.message(relative, data)
            return
        if not _looks_like_spreadsheet(path.name, data) and sniff(data) != "empty":
            self.problems.append(
                anomalia(
                    Codice.ING_ALLEGATO_IGNORATO,
                    file=relative,
                    dettaglio=f"«{path.suffix or path.name}»",
                )
            )
            return
        self.add(path.name, data, Arrivo(relative, path.name, data=mtime.replace(microsecond=0)))

    def message(self, relative: str, data: bytes) -> None:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        found = 0
        for where, name, payload, carrier in _attachments(msg, relative):  # type: ignore[arg-type]
            if name.lower() in PEC_PARTS:
                continue
            arrival = Arrivo(
                where,
                name,
                _sender(carrier),
                str(carrier.get("Subject", "")),
                _message_date(carrier),
            )
            if not _looks_like_spreadsheet(name, payload):
                self.problems.append(
                    anomalia(
                        Codice.ING_ALLEGATO_IGNORATO, file=arrival.origine, dettaglio=f"«{name}»"
                    )
                )
                continue
            found += 1
            self.add(name, payload, arrival)
        if not found:
            self.problems.append(
                anomalia(
                    Codice.ING_EMAIL_SENZA_MODULI,
                    file=relative,
                    oggetto=str(msg.get("Subject", "")) or "(senza oggetto)",
                    mittente=_sender(msg) or "mittente sconosciuto",
                )
            )


def _extension(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return suffix if suffix in SPREADSHEET_EXTENSIONS else ".bin"


def ingest(cycle: Cycle) -> Ingested:
    """Collect every distinct file received, archive it, and return it with its arrivals."""
    collector = _Collector(cycle)
    if cycle.ricevuti.is_dir():
        for path in sorted(p for p in cycle.ricevuti.rglob("*") if p.is_file()):
            if path.name.startswith(".~lock.") or path.name in (".DS_Store", "Thumbs.db"):
                continue  # an office's lock file or a desktop's index: not a delivery
            collector.file(path)
    for doc in collector.by_sha.values():
        doc.arrivi.sort(key=lambda a: a.origine)
    documents = sorted(collector.by_sha.values(), key=lambda d: d.etichetta)
    return Ingested(documents, collector.problems)


LEDGER_FIELDS = (
    "sha256",
    "archivio",
    "origine",
    "nome",
    "mittente",
    "oggetto",
    "data",
    "stato",
    "modulo",
    "note",
)


def write_ledger(cycle: Cycle, rows: list[dict[str, str]]) -> Path:
    """Merge this run's arrivals into `archivio/registro.csv` (semicolons, as Italian Excel
    expects); arrivals no longer in `ricevuti/` keep their row."""
    path = cycle.archivio / "registro.csv"
    old: dict[tuple[str, str], dict[str, str]] = {}
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=";"):
                old[(row.get("sha256", ""), row.get("origine", ""))] = row
    current = {(r["sha256"], r["origine"]): r for r in rows}
    for key, row in old.items():
        if key not in current:
            row = dict(row)
            if "non più in ricevuti" not in row.get("note", ""):
                row["note"] = (row.get("note", "") + " (non più in ricevuti/)").strip()
            current[key] = row
    out = io.StringIO()
    writer = csv.DictWriter(
        out, LEDGER_FIELDS, delimiter=";", extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for key in sorted(current, key=lambda k: (current[k].get("origine", ""), k[0])):
        writer.writerow(current[key])
    write_text(path, "\ufeff" + out.getvalue())
    return path
