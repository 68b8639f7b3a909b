"""Walk a received e-mail down to every file it carries: plain messages, PEC, receipts.

A PEC message, as providers build it (DPR 68/2005; DM 2 novembre 2005, allegato tecnico), is a
`multipart/signed` (S/MIME, `smime.p7s`) around a `multipart/mixed` that holds the provider's
text (plain and html), `daticert.xml` (the certified sender, time and type) and the original
message as `postacert.eml` (message/rfc822), whose attachments are the files sent; a delivery
receipt («ricevuta di avvenuta consegna completa») carries the same original again. Every
MIME structure is walked, whatever its nesting: multiparts of any kind, messages within
messages (also an rfc822 part sent in base64, quoted-printable or uuencode, an attachment that
is itself an .eml), files uuencoded in a message's text, several messages saved in one file
(mbox), a message saved with a byte-order mark. The files found are returned with the message
that carries them and, inside a PEC, with its certification — read only from the envelope
(the daticert.xml beside postacert.eml of a message with PEC headers): one attached by the
sender, or inside the original, certifies nothing. The provider's S/MIME signature is not
verified: the certified data are recorded as the envelope states them.

A hostile message is bounded: its size is capped by the caller; the parser (the standard
library's, with the `compat32` policy, whose header handling is linear) is not given one with
more than MAX_DELIMITERS part delimiters; each header is decoded from at most MAX_HEADER
characters; nesting stops at MAX_DEPTH and a message yields at most MAX_PARTS files. Nothing
here raises for a message's content: what cannot be read becomes a `Problema`, which the
caller treats as something to examine (it could hold a modulo).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import email.header
import email.policy
import email.utils
import quopri
import re
from dataclasses import dataclass, replace
from email.message import Message

from defusedxml import ElementTree as SafeET

from workbook.reconcile.readers.zipped import OLE_MAGIC
from workbook.values import printable

MAX_DEPTH = 12
MAX_PARTS = 500
MAX_DELIMITERS = 5_000  # lines starting with «--»: a PEC has a dozen
MAX_HEADER = 4_096  # characters of one header decoded
DATICERT = "daticert.xml"
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Certificazione:
    """What a PEC provider certifies in daticert.xml."""

    tipo: str  # posta-certificata, avvenuta-consegna, accettazione, …
    mittente: str
    data: dt.datetime | None  # UTC
    oggetto: str = ""
    identificativo: str = ""

    @property
    def ricevuta(self) -> bool:
        return self.tipo != "posta-certificata"


@dataclass(frozen=True, slots=True)
class Busta:
    """The message that carries a part: who sent it, when, and its PEC certification."""

    mittente: str = ""
    oggetto: str = ""
    data: dt.datetime | None = None  # UTC, from the Date header (written by the sender)
    certificazione: Certificazione | None = None


@dataclass(frozen=True, slots=True)
class Parte:
    """One file (leaf part) found in a message."""

    origine: str  # «ricevuti/busta.eml › postacert.eml › AREA1.xlsx»
    nome: str  # the file name, or "" for a message's text
    tipo: str  # the declared content type
    dati: bytes
    busta: Busta

    @property
    def testo(self) -> bool:
        """The text of a message (its body), not a file attached to it."""
        return not self.nome and self.tipo in ("text/plain", "text/html")


@dataclass(frozen=True, slots=True)
class Problema:
    origine: str
    dettaglio: str


@dataclass(frozen=True, slots=True)
class Lettura:
    """A message read: its own envelope, the files it carries, what could not be read."""

    busta: Busta
    parti: tuple[Parte, ...]
    problemi: tuple[Problema, ...]


_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_MBOX = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)
_UU_BEGIN = re.compile(rb"^begin [0-7]{3,4} ([^\r\n]+)\r?$", re.MULTILINE)
_MIME_IN_TEXT = re.compile(
    rb"^Content-(Type|Transfer-Encoding|Disposition):[^\r\n]*(base64|attachment|boundary|"
    rb"spreadsheet|excel|octet-stream|zip)",
    re.IGNORECASE | re.MULTILINE,
)
_BASE64_LINES = re.compile(rb"(?:^[A-Za-z0-9+/]{60,76}\r?\n){20,}", re.MULTILINE)


def looks_like_message(data: bytes) -> bool:
    """RFC 5322 headers at the top, with a From: among them."""
    head = data[:8192]
    return bool(_HEADER.match(head)) and b"\nfrom:" in b"\n" + head.lower()


def read_message(data: bytes, origin: str) -> Lettura:
    """Every file in a message (see the module's docstring)."""
    walker = _Walker()
    data = data.removeprefix(BOM).lstrip(b"\r\n")
    messages = [data]
    if data.startswith(b"From ") and len(_MBOX.findall(data)) > 1:  # mbox: several messages
        starts = [m.start() for m in _MBOX.finditer(data)]
        messages = [data[a:b] for a, b in zip(starts, [*starts[1:], len(data)], strict=True)]
    first: Busta | None = None
    for i, raw in enumerate(messages):
        where = origin if len(messages) == 1 else f"{origin} › messaggio {i + 1}"
        msg = walker.parse(_MBOX.sub(b"", raw, count=1) if len(messages) > 1 else raw, where)
        if msg is None:
            continue
        busta = _envelope(msg, None)
        walker.pec = bool(_header(msg, "X-Trasporto") or _header(msg, "X-Ricevuta"))
        walker.certificate = None
        walker.walk(msg, where, busta, 0)
        if first is None:
            first = replace(busta, certificazione=walker.certificate)
    return Lettura(first or Busta(), tuple(walker.parts), tuple(walker.problems))


class _Walker:
    def __init__(self) -> None:
        self.parts: list[Parte] = []
        self.problems: list[Problema] = []
        self.pec = False  # the message being walked has a PEC envelope's headers
        self.certificate: Certificazione | None = None
        self.too_many = False

    def parse(self, data: bytes, origin: str) -> Message | None:
        if data.count(b"\n--") > MAX_DELIMITERS:
            self.problems.append(Problema(origin, "messaggio con un numero abnorme di parti"))
            return None
        try:
            return email.message_from_bytes(data, policy=email.policy.compat32)
        except RecursionError:
            self.problems.append(Problema(origin, "messaggio annidato troppo in profondità"))
        except Exception as exc:  # the parser's own failures on broken input
            self.problems.append(
                Problema(origin, f"messaggio non leggibile ({type(exc).__name__})")
            )
        return None

    def walk(self, part: Message, origin: str, busta: Busta, depth: int) -> None:
        if depth > MAX_DEPTH:
            self.problems.append(Problema(origin, "messaggio annidato troppo in profondità"))
            return
        try:
            ctype = part.get_content_type()
            multipart = part.is_multipart()
        except Exception:
            ctype, multipart = "application/octet-stream", False
        if ctype in ("message/partial", "message/external-body"):
            what = (
                "è diviso in più messaggi"
                if ctype == "message/partial"
                else "rimanda a un contenuto esterno"
            )
            self.problems.append(Problema(origin, f"{what} ({ctype})"))
            return
        if ctype.startswith("message/"):
            self.embedded(part, origin, busta, depth)
            return
        if multipart:
            children = [p for p in _payload_list(part) if isinstance(p, Message)]
            if self.pec and depth <= 1 and self.certificate is None:
                # The envelope's own certification: beside the original, in the envelope.
                for child in children:
                    if _filename(child).lower() == DATICERT:
                        self.certificate = parse_daticert(_decoded(child))
                        break
                if self.certificate is not None:
                    busta = replace(busta, certificazione=self.certificate)
            for child in children:
                self.walk(child, origin, busta, depth + 1)
            return
        name = _filename(part)
        data = _decoded(part)
        where = f"{origin} › {name}" if name else origin
        if not data.startswith((b"PK", OLE_MAGIC)) and (
            name.lower().endswith(".eml")
            or (ctype in ("application/octet-stream", "text/plain") and looks_like_message(data))
        ):
            self.message_bytes(data, where, busta, depth)
            return
        if not name and ctype.startswith("text/"):
            self.text(data, where, busta, ctype)
            return
        self.add(Parte(where, name, ctype, data, busta))

    def add(self, part: Parte) -> None:
        if len(self.parts) >= MAX_PARTS:
            if not self.too_many:
                self.too_many = True
                self.problems.append(Problema(part.origine, f"più di {MAX_PARTS} allegati"))
            return
        self.parts.append(part)

    def text(self, data: bytes, where: str, busta: Busta, ctype: str) -> None:
        """A message's own text: what it may hide is looked for (files uuencoded in it, a
        workbook sent under a text type, MIME structure the message did not declare)."""
        if data.startswith((b"PK", OLE_MAGIC)):  # a workbook declared as text
            self.add(Parte(where, "", "application/octet-stream", data, busta))
            return
        found = False
        for begin in _UU_BEGIN.finditer(data):
            name = printable(begin[1].decode("utf-8", "replace").strip()) or "allegato"
            decoded = _uudecode(data, begin.end())
            if decoded is None:
                self.problems.append(Problema(f"{where} › {name}", "file uuencode non leggibile"))
            else:
                self.add(
                    Parte(f"{where} › {name}", name, "application/octet-stream", decoded, busta)
                )
            found = True
        if not found and (_MIME_IN_TEXT.search(data) or _BASE64_LINES.search(data)):
            self.problems.append(
                Problema(where, "il testo contiene allegati codificati che non si possono leggere")
            )
        self.add(Parte(where, "", ctype, data, busta))

    def message_bytes(self, data: bytes, where: str, busta: Busta, depth: int) -> None:
        inner = self.parse(data.removeprefix(BOM), where)
        if inner is not None:
            self.walk(inner, where, _envelope(inner, busta), depth + 1)

    def embedded(self, part: Message, origin: str, busta: Busta, depth: int) -> None:
        """The content of a message/… part: a message (also sent in base64, quoted-printable
        or uuencode, which the parser reads as a message without headers), or, mislabelled,
        a file."""
        name = _filename(part)
        where = f"{origin} › {name or 'messaggio'}"
        payload = _payload_list(part)
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        if inner is None:
            self.problems.append(Problema(where, "messaggio allegato vuoto o non leggibile"))
            return
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if inner.keys() and encoding not in (
            "base64",
            "quoted-printable",
            "x-uuencode",
            "uuencode",
        ):
            self.walk(inner, where, _envelope(inner, busta), depth + 1)
            return
        try:
            text = (
                inner.as_bytes()
                if inner.keys()
                else str(inner.get_payload()).encode("latin-1", "replace")
            )
            if encoding == "base64":
                raw = base64.b64decode(text)
            elif encoding == "quoted-printable":
                raw = quopri.decodestring(text)
            elif encoding in ("x-uuencode", "uuencode"):
                begin = _UU_BEGIN.search(text)
                raw = _uudecode(text, begin.end()) if begin else None
                if raw is None:
                    raise ValueError
            else:
                raw = text
        except (binascii.Error, ValueError, TypeError):
            self.problems.append(Problema(where, "messaggio allegato non decodificabile"))
            return
        if raw.startswith((b"PK", OLE_MAGIC)):  # a workbook labelled as a message
            self.add(Parte(where, name, "application/octet-stream", raw, busta))
        elif looks_like_message(raw.removeprefix(BOM)) or _HEADER.match(raw.removeprefix(BOM)):
            self.message_bytes(raw, where, busta, depth)
        else:
            self.problems.append(Problema(where, "messaggio allegato non leggibile"))


def _uudecode(data: bytes, start: int) -> bytes | None:
    """The file of the uuencoded block whose «begin» line ends at `start`, up to its «end»;
    None if the block is broken or never ends."""
    out = []
    for line in data[start:].splitlines()[1:]:
        stripped = line.strip()
        if stripped == b"end":
            return b"".join(out)
        if stripped in (b"", b"`"):
            continue
        try:
            out.append(binascii.a2b_uu(line.rstrip(b"\r")))  # trailing spaces are data
        except binascii.Error:
            return None
    return None


def parse_daticert(data: bytes) -> Certificazione | None:
    """The certification of a PEC (daticert.xml); None if it is not one. Its DOCTYPE names
    an external DTD that is never loaded; entities are refused (defusedxml)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=False)
    except Exception:
        return None
    if root.tag != "postacert":
        return None

    def text(path: str) -> str:
        node = root.find(path)
        return printable((node.text or "").strip()) if node is not None else ""

    when = None
    day, hour = text("dati/data/giorno"), text("dati/data/ora")
    zone = root.find("dati/data")
    try:
        local = dt.datetime.strptime(f"{day} {hour}", "%d/%m/%Y %H:%M:%S")
        offset = zone.get("zona", "+0000") if zone is not None else "+0000"
        sign = -1 if offset.startswith("-") else 1
        delta = dt.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        when = local - sign * delta
    except (ValueError, IndexError, OverflowError):
        when = None
    return Certificazione(
        tipo=printable(root.get("tipo", "")),
        mittente=text("intestazione/mittente").lower(),
        data=when,
        oggetto=text("intestazione/oggetto"),
        identificativo=text("dati/identificativo"),
    )


# --- headers, read without ever raising --------------------------------------------------------


def decode(raw: object) -> str:
    """A header's value, encoded words decoded, from at most MAX_HEADER characters."""
    text = str(raw)[:MAX_HEADER]
    try:
        decoded = str(email.header.make_header(email.header.decode_header(text)))
    except Exception:  # an unknown charset, a broken encoded word
        decoded = text
    return printable(decoded)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:
        return ""
    return decode(value) if value is not None else ""


def _envelope(msg: Message, outer: Busta | None) -> Busta:
    """Sender, subject and date of a message. A PEC envelope is from «Per conto di: x@pec.it»
    <posta-certificata@…>, with the real sender in Reply-To; a message inside a PEC keeps the
    envelope's certification."""
    certified = outer.certificazione if outer is not None else None
    raw = _header(msg, "Reply-To") if _header(msg, "X-Trasporto") else ""
    return Busta(
        mittente=address(raw or _header(msg, "From")),
        oggetto=_header(msg, "Subject"),
        data=message_date(_header(msg, "Date")),
        certificazione=certified,
    )


def address(text: str) -> str:
    try:
        _, found = email.utils.parseaddr(text)
    except Exception:
        return ""
    return printable(found.lower()) if "@" in found else ""


def message_date(raw: str) -> dt.datetime | None:
    """A Date header as UTC, or None when it is missing, malformed or out of range."""
    if not raw:
        return None
    try:
        stamp = email.utils.parsedate_to_datetime(raw)
        return stamp.astimezone(dt.UTC).replace(tzinfo=None) if stamp.tzinfo else stamp
    except (TypeError, ValueError, OverflowError, IndexError):
        return None


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        return ""
    name = decode(name).replace("\\", "/").rsplit("/", 1)[-1]  # a name, never a path
    return name.strip()


def _payload_list(part: Message) -> list[object]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return payload if isinstance(payload, list) else []


def _decoded(part: Message) -> bytes:
    """The part's content, its transfer encoding undone (base64, quoted-printable, uuencode)."""
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""
