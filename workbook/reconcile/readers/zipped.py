"""The hostile-file guards every reader goes through: the bytes, the zip, the XML parts.

What a file is comes from its bytes, not its name. Zip archives are opened with caps on the
number of entries and on the inflated size (read in chunks: declared sizes can lie; see
limits.py), and anything a decompressor says of a damaged stream becomes a `FileProblem`. A
document type declaration is refused outright in every XML part, before any parser sees it;
parts must be UTF-8, as every spreadsheet program writes them, so that the checks on their
bytes see what the parsers see. The small parts are parsed with lxml with entities, DTDs and
network access off.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Literal

from lxml import etree

from workbook.anomalies import Codice
from workbook.errors import FileProblem
from workbook.reconcile.readers.limits import MAX_ENTRIES, MAX_PART, MAX_RATIO, MAX_TOTAL, MAX_TREE

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

Kind = Literal["empty", "zip", "ole", "other"]


def sniff(data: bytes) -> Kind:
    if not data.strip():
        return "empty"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    return "other"


def ole_streams(data: bytes) -> set[str] | None:
    """The streams of an OLE2 compound file («VBA/dir», «EncryptionInfo»…), or None when it
    cannot be read as one."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
        try:
            return {"/".join(s) for s in ole.listdir(streams=True, storages=True)}
        finally:
            ole.close()
    except Exception:  # olefile raises OSError, but also other errors on hostile input
        return None


def has_vba(streams: set[str]) -> bool:
    """A VBA project (macros) in a compound file: its «VBA» storage, whatever the file."""
    vba = ("VBA", "_VBA_PROJECT", "_VBA_PROJECT_CUR")
    return any(part in vba for s in streams for part in s.split("/"))


def ole_problem(data: bytes) -> FileProblem:
    """An OLE2 compound file is either an encrypted OOXML workbook or a legacy .xls."""
    import msoffcrypto

    streams = ole_streams(data)
    if streams is None:
        return FileProblem(Codice.ING_ZIP_DANNEGGIATO, "file composto OLE non leggibile")
    if "EncryptionInfo" in streams:
        return FileProblem(Codice.ING_CIFRATO)
    try:
        if msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted():
            return FileProblem(Codice.ING_CIFRATO)
    except Exception:
        pass
    if has_vba(streams):
        return FileProblem(Codice.ING_MACRO)
    if "Workbook" in streams or "Book" in streams:
        return FileProblem(Codice.ING_XLS)
    return FileProblem(Codice.ING_NON_FOGLIO, "documento Office non di foglio di calcolo")


class Zip:
    """A zip archive opened with limits on what it may inflate to."""

    def __init__(self, data: bytes) -> None:
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zf.infolist()
        except Exception as exc:  # BadZipFile, EOFError, ValueError, struct.error, …
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, str(exc) or type(exc).__name__) from None
        if len(infos) > MAX_ENTRIES:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{len(infos)} parti")
        for info in infos:
            # Spreadsheet programs store or deflate; Python inflates bzip2 and LZMA a whole
            # chunk at a time, with no bound on what a few bytes become.
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise FileProblem(
                    Codice.ING_ZIP_DANNEGGIATO,
                    f"{info.filename}: metodo di compressione {info.compress_type} non usato dai "
                    "fogli di calcolo",
                )
        declared = sum(i.file_size for i in infos)
        if declared > MAX_TOTAL:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{declared // 2**20} MiB dichiarati")
        for info in infos:
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise FileProblem(
                    Codice.ING_TROPPO_GRANDE, f"{info.filename}: rapporto di compressione sospetto"
                )
        self.names = {i.filename for i in infos}
        self.inflated = 0

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str, limit: int | None = None) -> bytes:
        """One part, inflated in chunks up to the caps (or only its first `limit` bytes)."""
        chunks, size = [], 0
        try:
            with self.zf.open(name) as fh:
                while chunk := fh.read(1 << 16 if limit is None else limit - size):
                    size += len(chunk)
                    self.inflated += len(chunk)
                    if size > MAX_PART or self.inflated > MAX_TOTAL:
                        raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{name} supera i limiti")
                    chunks.append(chunk)
                    if limit is not None and size >= limit:
                        break
        except FileProblem:
            raise
        except RuntimeError as exc:  # zipfile: "File … is encrypted, password required"
            raise FileProblem(Codice.ING_CIFRATO, str(exc)) from None
        except Exception as exc:
            # Whatever the decompressor says of a hostile stream (zlib.error for flipped bits,
            # BadZipFile for a wrong CRC, NotImplementedError for an unknown method, lzma and
            # bz2 errors, EOFError): the file is damaged.
            raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None
        return b"".join(chunks)

    def xml(self, name: str) -> bytes:
        data = self.read(name)
        refuse_other_encodings(data, name)
        refuse_doctype(data, name)
        return data


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_OTHER_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def refuse_other_encodings(data: bytes, name: str) -> None:
    """Only UTF-8, what every spreadsheet program writes: the checks on the bytes below (and
    every parser's view of them) then see the same characters."""
    head = data.removeprefix(b"\xef\xbb\xbf")[:200]
    declared = _DECLARED.match(head)
    encoding = declared.group(1).decode().lower() if declared else "utf-8"
    if data.startswith(_OTHER_BOMS) or b"\x00" in head or encoding not in ("utf-8", "utf8"):
        shown = encoding if declared else "UTF-16 o UTF-32"
        raise FileProblem(Codice.ING_CODIFICA, f"{name}, codifica «{shown}»")


def refuse_doctype(data: bytes, name: str) -> None:
    # A DTD has no business in these parts; refusing it outright rules out entity expansion
    # ("billion laughs") and external entities whatever the parser would do with them. The
    # whole part is searched: a long processing instruction can push a DOCTYPE far down.
    if b"<!" in data and _DOCTYPE.search(data):
        raise FileProblem(Codice.ING_XML_ENTITA, name)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def tree(z: Zip, name: str) -> etree._Element:
    """A small part (workbook, styles, relationships, properties) parsed whole."""
    data = z.xml(name)
    if len(data) > MAX_TREE:
        raise FileProblem(Codice.ING_TROPPO_GRANDE, f"{name} supera i limiti")
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None


def iterparse(
    z: Zip, name: str, tags: tuple[str, ...] | None, events: tuple[str, ...] = ("start", "end")
) -> Iterator[tuple[str, etree._Element]]:
    """The events of a part (of every element when `tags` is None)."""
    data = z.xml(name)
    try:
        yield from etree.iterparse(
            io.BytesIO(data),
            events=events,
            tag=tags,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
    except etree.XMLSyntaxError as exc:
        raise FileProblem(Codice.ING_ZIP_DANNEGGIATO, f"{name}: {exc}") from None


def timestamp(text: str | None) -> dt.datetime | None:
    """A document's time (ISO 8601, with or without zone, LibreOffice's nanoseconds) as UTC."""
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # LibreOffice writes nanoseconds
    try:
        stamp = dt.datetime.fromisoformat(text)
        return (
            stamp.replace(tzinfo=None)
            if stamp.tzinfo is None
            else (stamp.astimezone(dt.UTC).replace(tzinfo=None))
        )
    except (ValueError, OverflowError):
        return None
