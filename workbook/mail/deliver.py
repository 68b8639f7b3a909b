"""The e-mail stage: delivering the messages of `valuta distribute`, `remind` and `send`.

Each command first *plans* its messages (`workbook.mail.messages`: a `Lotto`, who receives
what, with which attachment, plus the anomalies of those who cannot receive anything) and then
*delivers* them here (`deliver` → `Resoconto`), through the SMTP server of `valuta.toml
[posta]` (`workbook.mail.transport`) or, with no server, as .eml files in `posta/`. Nothing is
printed here.

The register `posta/registro.csv` (semicolons and a BOM, so that Italian Excel opens it) has a
row for every delivery attempted: when, which command, to whom, the subject, the attachment and
its SHA-256, the outcome. A message is the same message when command, recipient and content
fingerprint are the same — the content fingerprint is the attachment's SHA-256, or the SHA-256
of the text for a message without attachment (a reminder listing corrections) — and one already
sent (or written as .eml) is not sent again unless `force`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import ssl
import time
from dataclasses import dataclass, field, replace
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from workbook.anomalies import Anomalia, Codice, Gravita, anomalia
from workbook.cycle import PIANO, SETTINGS, Cycle, Settings
from workbook.errors import ConsegnaFallita, PostaError
from workbook.files import read_csv, write_bytes, write_csv
from workbook.mail.transport import PASSWORD_ENV, FileEml, Smtp, Trasporto, unwritable
from workbook.piano.sheets import EMAIL_RE

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
REGISTER = "registro.csv"
REGISTER_FIELDS = (
    "data",
    "comando",
    "modulo",
    "destinatario",
    "oggetto",
    "allegato",
    "sha256",
    "impronta",
    "esito",
    "file",
    "message_id",
    "note",
)
DELIVERED = ("inviato", "scritto")
# How each command names its .eml files (the secretary reads these names).
EML_NAMES = {"distribute": "modulo", "remind": "sollecito", "send": "risultati"}


# --- what travels between the stages ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Allegato:
    nome: str  # the file name the recipient sees
    dati: bytes = field(repr=False)
    origine: str  # where it is in the cycle folder: «moduli/AREA1.xlsx»
    da_scrivere: Path | None = None  # built for this message: written there before delivery

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.dati).hexdigest()


@dataclass(frozen=True, slots=True)
class Messaggio:
    comando: str  # distribute | remind | send
    modulo: str  # AREA1, nucleo, or «risultati»
    indirizzo: str
    nome: str  # the recipient's name, for the To header (may be empty)
    chi: str  # who they are, in words: «il Responsabile dell'Area AREA1»
    oggetto: str
    testo: str
    allegato: Allegato | None = None

    @property
    def impronta(self) -> str:
        """The content half of the message's identity (see the module docstring)."""
        if self.allegato is not None:
            return self.allegato.sha256
        return hashlib.sha256(self.testo.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Lotto:
    """The messages a command would send, and those it cannot (anomalies)."""

    comando: str
    ente: str  # the sender's name when [posta] mittente has none
    messaggi: tuple[Messaggio, ...]
    anomalie: tuple[Anomalia, ...] = ()
    provvisorio: bool = False


@dataclass(frozen=True, slots=True)
class Esito:
    messaggio: Messaggio
    # inviato | scritto | già inviato | non inviato | da inviare (--dry-run)
    stato: str
    quando: str = ""  # for «già inviato»: when, from the register
    file: str = ""  # the .eml written, relative to the cycle folder
    anomalia: Anomalia | None = None


@dataclass(frozen=True, slots=True)
class Resoconto:
    comando: str
    trasporto: str  # «server smtp.comune.it:587 (starttls)» or «file .eml in posta/»
    esiti: tuple[Esito, ...]
    anomalie: tuple[Anomalia, ...]
    registro: Path
    prova: bool  # --dry-run: nothing sent nor written
    provvisorio: bool = False

    @property
    def ha_errori(self) -> bool:
        return any(a.gravita is Gravita.ERRORE for a in self.anomalie)

    def conta(self, stato: str) -> int:
        return sum(e.stato == stato for e in self.esiti)

    @property
    def non_inviati(self) -> int:
        """Messages that failed, and recipients that could not be written to at all."""
        unaddressed = (Codice.POSTA_INDIRIZZO_MANCANTE, Codice.POSTA_INDIRIZZO_NON_VALIDO)
        return self.conta("non inviato") + sum(a.codice in unaddressed for a in self.anomalie)


# --- addresses -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Destinatario:
    """A recipient, and where their address comes from (for the anomaly if it is wrong)."""

    indirizzo: str
    nome: str
    chi: str
    file: str = PIANO
    foglio: str = ""
    riga: int | None = None
    saluto: str = ""  # how a message begins, when not «Gentile <nome>,»


def valid_address(text: str) -> bool:
    """An address the Piano would accept (no spaces, so no header injection), that the
    standard library parses whole («d'angelo@comune.it» is fine) and in ASCII: accented
    addresses need the SMTPUTF8 extension, which few servers and no PEC offer."""
    if not text.isascii() or not EMAIL_RE.match(text):
        return False
    try:
        Address(addr_spec=text)
    except (ValueError, IndexError):
        return False
    return True


def configured(entry: str) -> Destinatario:
    """A recipient written in valuta.toml: «nucleo@comune.it» or «Nome <nucleo@comune.it>»."""
    name, address = parseaddr(entry)
    if not address or "\n" in entry or "\r" in entry:
        name, address = "", entry
    return Destinatario(address.strip(), name.strip(), entry.strip(), file=SETTINGS)


def sender_of(settings: Settings) -> tuple[str, str]:
    """(address, display name) of the From header: [posta] mittente, else restituzione."""
    raw = settings.posta.mittente or settings.restituzione
    if not raw.strip():
        raise PostaError([anomalia(Codice.POSTA_MITTENTE_MANCANTE, file=SETTINGS)])
    recipient = configured(raw)
    if not valid_address(recipient.indirizzo):
        raise PostaError(
            [
                anomalia(
                    Codice.POSTA_INDIRIZZO_NON_VALIDO,
                    file=SETTINGS,
                    indirizzo=recipient.indirizzo,
                    chi="il mittente dei messaggi",
                )
            ]
        )
    return recipient.indirizzo, recipient.nome


# --- the register ----------------------------------------------------------------------------


class Registro:
    """`posta/registro.csv`: one row per delivery attempted (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[dict[str, str]] = []
        try:
            if path.exists():
                self.rows = read_csv(path)
        except (OSError, ValueError) as exc:
            raise PostaError([self.problem(exc)]) from None

    def problem(self, exc: BaseException) -> Anomalia:
        return anomalia(
            Codice.POSTA_REGISTRO,
            file=f"posta/{self.path.name}",
            dettaglio=f"{type(exc).__name__}: {exc.strerror or exc}"
            if isinstance(exc, OSError)
            else str(exc),
        )

    def sent(self, m: Messaggio) -> dict[str, str] | None:
        """The row of an earlier delivery of the same message, or None."""
        for row in reversed(self.rows):
            if (
                row.get("esito") in DELIVERED
                and row.get("comando") == m.comando
                and row.get("destinatario", "").lower() == m.indirizzo.lower()
                and row.get("impronta") == m.impronta
            ):
                return row
        return None

    def add(self, row: dict[str, str]) -> None:
        self.rows.append(row)
        self.save()

    def save(self) -> None:
        write_csv(self.path, REGISTER_FIELDS, self.rows)


# --- delivery --------------------------------------------------------------------------------


def transport(cycle: Cycle, settings: Settings) -> Trasporto:
    """The transport of `[posta]`: checks the settings, connects only when first used."""
    posta = settings.posta
    if not posta.host.strip():
        return FileEml(cycle.posta, cycle.root)
    password = ""
    if posta.utente:
        if posta.sicurezza == "nessuna" and posta.host not in ("localhost", "127.0.0.1", "::1"):
            raise PostaError(
                [anomalia(Codice.POSTA_PASSWORD_IN_CHIARO, file=SETTINGS, host=posta.host)]
            )
        password = os.environ.get(PASSWORD_ENV, "")
        if not password:
            raise PostaError(
                [anomalia(Codice.POSTA_PASSWORD_MANCANTE, file=SETTINGS, utente=posta.utente)]
            )
    cafile = None
    if posta.cafile:
        path = Path(posta.cafile).expanduser()
        cafile = path if path.is_absolute() else cycle.root / path
    try:
        # Verified certificates and host names; a cafile replaces the system's authorities
        # with the Comune's own.
        context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
    except (OSError, ssl.SSLError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PostaError(
            [
                anomalia(
                    Codice.POSTA_CAFILE_NON_VALIDO,
                    file=SETTINGS,
                    cafile=posta.cafile,
                    dettaglio=detail,
                )
            ]
        ) from None
    return Smtp(posta, password, context)


def compose(
    m: Messaggio, sender: tuple[str, str], reply_to: str, now: dt.datetime, ente: str
) -> EmailMessage:
    """The message, with the standard library's policy: encoded headers (accents included),
    quoted-printable text, the attachment with its MIME type and file name."""
    address, name = sender
    msg = EmailMessage()
    msg["Subject"] = m.oggetto
    msg["From"] = Address(name or ente, addr_spec=address)
    msg["To"] = Address(m.nome, addr_spec=m.indirizzo)
    if reply_to and reply_to.lower() != address.lower():
        msg["Reply-To"] = Address(addr_spec=reply_to)
    msg["Date"] = formatdate(time.mktime(now.timetuple()), localtime=True)
    msg["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    msg.set_content(m.testo, cte="quoted-printable")
    if m.allegato is not None:
        msg.add_attachment(
            m.allegato.dati, maintype=XLSX[0], subtype=XLSX[1], filename=m.allegato.nome
        )
    return msg


def _eml_name(m: Messaggio, now: dt.datetime) -> str:
    who = re.sub(r"[^A-Za-z0-9@._-]+", "_", m.indirizzo)
    return f"{now:%Y%m%d-%H%M%S}-{EML_NAMES.get(m.comando, m.comando)}-{m.modulo}-{who}"


def deliver(
    cycle: Cycle,
    lotto: Lotto,
    *,
    dry_run: bool = False,
    force: bool = False,
    now: dt.datetime | None = None,
    via: Trasporto | None = None,
) -> Resoconto:
    """Send (or write) the planned messages, each recorded in the register; a message already
    delivered is skipped unless `force`; one failure never stops the others, except a failure
    of the server itself, which every later message would meet too."""
    settings = cycle.settings()
    sender = sender_of(settings)
    reply_to = configured(settings.restituzione).indirizzo if settings.restituzione else ""
    reply_to = reply_to if valid_address(reply_to) else ""
    registro = Registro(cycle.posta / REGISTER)
    trasporto = via or transport(cycle, settings)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    result = Resoconto(
        comando=lotto.comando,
        trasporto=trasporto.descrizione,
        esiti=(),
        anomalie=lotto.anomalie,
        registro=registro.path,
        prova=dry_run,
        provvisorio=lotto.provvisorio,
    )
    pending = []
    outcomes: dict[int, Esito] = {}
    for i, m in enumerate(lotto.messaggi):
        previous = None if force else registro.sent(m)
        if previous is not None:
            outcomes[i] = Esito(m, "già inviato", quando=previous.get("data", ""))
        else:
            pending.append(i)
    if dry_run:
        for i in pending:
            outcomes[i] = Esito(lotto.messaggi[i], "da inviare")
        esiti = tuple(outcomes[i] for i in range(len(lotto.messaggi)))
        return replace(result, esiti=esiti)

    problems = list(lotto.anomalie)
    if pending:
        try:
            registro.save()  # can it be written? Better to know before sending anything.
        except OSError as exc:
            raise PostaError([registro.problem(exc)]) from None
    stop: Anomalia | None = None
    try:
        for i in pending:
            m = lotto.messaggi[i]
            if stop is not None:
                outcomes[i] = Esito(m, "non inviato", anomalia=stop)
                continue
            outcomes[i], problem, fatal = _deliver_one(
                m, trasporto, registro, (sender, reply_to, lotto.ente), now
            )
            if problem is not None:
                problems.append(problem)
                if fatal:
                    stop = problem
    finally:
        trasporto.close()
    esiti = tuple(outcomes[i] for i in range(len(lotto.messaggi)))
    return replace(result, esiti=esiti, anomalie=tuple(dict.fromkeys(problems)))


def _deliver_one(
    m: Messaggio,
    trasporto: Trasporto,
    registro: Registro,
    headers: tuple[tuple[str, str], str, str],
    now: dt.datetime,
) -> tuple[Esito, Anomalia | None, bool]:
    """Deliver one message and record it: (outcome, anomaly, whether to stop here)."""
    sender, reply_to, ente = headers
    msg = compose(m, sender, reply_to, now, ente)
    row = {
        "data": now.isoformat(sep=" "),
        "comando": m.comando,
        "modulo": m.modulo,
        "destinatario": m.indirizzo,
        "oggetto": m.oggetto,
        "allegato": m.allegato.origine if m.allegato else "",
        "sha256": m.allegato.sha256 if m.allegato else "",
        "impronta": m.impronta,
        "message_id": str(msg["Message-ID"]),
    }
    problem: Anomalia | None = None
    fatal = False
    try:
        if m.allegato is not None and m.allegato.da_scrivere is not None:
            target = m.allegato.da_scrivere
            try:
                write_bytes(target, m.allegato.dati)
            except OSError as exc:
                raise unwritable(f"{target.parent.name}/{target.name}", exc, m.chi) from None
        written = trasporto.consegna(msg, sender[0], m.indirizzo, nome=_eml_name(m, now), chi=m.chi)
        esito = Esito(m, trasporto.esito, file=written)
        row |= {"esito": trasporto.esito, "file": written}
    except ConsegnaFallita as exc:
        problem, fatal = exc.anomalia, exc.fatale
        esito = Esito(m, "non inviato", anomalia=problem)
        row |= {"esito": "non riuscito", "note": f"{problem.codice.code}: {problem.messaggio}"}
    try:
        registro.add(row)
    except OSError as exc:
        # Delivered but not recorded: stop here, or a new run would send the rest twice.
        return esito, registro.problem(exc), True
    return esito, problem, fatal
