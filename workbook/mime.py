"""Walk a received e-mail down to every file it carries: plain messages, PEC, receipts.

A PEC message, as providers build it (DPR 68/2005; DM 2 novembre 2005, allegato tecnico), is a
`multipart/signed` (S/MIME, `smime.p7s`) around a `multipart/mixed` that holds the provider's
text (plain and html), `daticert.xml` (the certified sender, time and type) and the original
message as `postacert.eml` (message/rfc822), whose attachments are the files sent; a delivery
receipt («ricevuta di avvenuta consegna completa») carries the same original again. Every
MIME structure is walked, whatever its nesting: multiparts of any kind, messages within
messages (also an rfc822 part sent in base64, an attachment that is itself an .eml), and the
files found are returned with the message that carries them and, inside a PEC, with its
certification.

A hostile message is bounded: its size is capped by the caller, the parser is not given one
with more than MAX_BOUNDARIES multipart boundaries (the standard library's parser recurses
once per level), nesting stops at MAX_DEPTH and a message yields at most MAX_PARTS files.
Nothing here raises for a message's content: what cannot be read becomes a `Problema`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import email
import email.policy
import email.utils
import quopri
import re
from dataclasses import dataclass, replace
from email.message import EmailMessage, Message

from defusedxml import ElementTree as SafeET

from .readers.zipped import OLE_MAGIC
from .values import printable

MAX_DEPTH = 12
MAX_PARTS = 500
MAX_BOUNDARIES = 200
DATICERT = "daticert.xml"


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
    data: dt.datetime | None = None  # UTC, from the Date header
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
_BOUNDARY = re.compile(rb"boundary\s*=", re.IGNORECASE)


def looks_like_message(data: bytes) -> bool:
    """RFC 5322 headers at the top, with a From: among them."""
    head = data[:8192]
    return bool(_HEADER.match(head)) and b"\nfrom:" in b"\n" + head.lower()


def read_message(data: bytes, origin: str) -> Lettura:
    """Every file in a message (see the module's docstring)."""
    walker = _Walker()
    msg = walker.parse(data, origin)
    if msg is None:
        return Lettura(Busta(), (), tuple(walker.problems))
    busta = _envelope(msg, None)
    walker.walk(msg, origin, busta, 0)
    top = replace(busta, certificazione=walker.top_certificate or busta.certificazione)
    return Lettura(top, tuple(walker.parts), tuple(walker.problems))


class _Walker:
    def __init__(self) -> None:
        self.parts: list[Parte] = []
        self.problems: list[Problema] = []
        self.top_certificate: Certificazione | None = None
        self.too_many = False

    def parse(self, data: bytes, origin: str) -> EmailMessage | None:
        if len(_BOUNDARY.findall(data)) > MAX_BOUNDARIES:
            self.problems.append(Problema(origin, "messaggio con troppe parti annidate"))
            return None
        try:
            return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]
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
        if ctype == "message/rfc822" or (multipart and ctype.startswith("message/")):
            name = _filename(part) or "messaggio"
            inner = self.embedded(part, f"{origin} › {name}")
            if inner is not None:
                self.walk(inner, f"{origin} › {name}", _envelope(inner, busta), depth + 1)
            return
        if multipart:
            children = [p for p in _payload_list(part) if isinstance(p, Message)]
            certificate = next(
                (c for c in (self.daticert(p) for p in children) if c is not None), None
            )
            if certificate is not None:
                busta = replace(busta, certificazione=certificate)
                if self.top_certificate is None and depth <= 2:
                    self.top_certificate = certificate
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
            inner = self.parse(data, where)
            if inner is not None:
                self.walk(inner, where, _envelope(inner, busta), depth + 1)
            return
        if len(self.parts) >= MAX_PARTS:
            if not self.too_many:
                self.too_many = True
                self.problems.append(Problema(origin, f"più di {MAX_PARTS} allegati"))
            return
        self.parts.append(Parte(where, name, ctype, data, busta))

    def embedded(self, part: Message, origin: str) -> Message | None:
        """The message inside a message/rfc822 part, also when it was sent in base64 or
        quoted-printable (which the parser reads as a message without headers)."""
        payload = _payload_list(part)
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if inner is not None and encoding in ("base64", "quoted-printable") and not inner.keys():
            text = str(inner.get_payload()).encode("ascii", "replace")
            try:
                raw = base64.b64decode(text) if encoding == "base64" else quopri.decodestring(text)
            except (binascii.Error, ValueError):
                self.problems.append(Problema(origin, "messaggio allegato non decodificabile"))
                return None
            return self.parse(raw, origin)
        if inner is None:
            self.problems.append(Problema(origin, "messaggio allegato vuoto o non leggibile"))
        return inner

    def daticert(self, part: Message) -> Certificazione | None:
        if _filename(part).lower() != DATICERT:
            return None
        return parse_daticert(_decoded(part))


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


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
        return printable(str(value)) if value is not None else ""
    except Exception:  # a malformed header the policy cannot parse
        return ""


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
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]  # a name, never a path
    return printable(name.strip())


def _payload_list(part: Message) -> list[object]:
    try:
        payload = part.get_payload()
    except Exception:
        return []
    return payload if isinstance(payload, list) else []


def _decoded(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    return data if isinstance(data, bytes) else b""
