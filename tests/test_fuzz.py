"""Fuzzing: real workbooks (written by valuta, saved by LibreOffice) and real messages (a PEC
envelope), mutated at random — bytes of the file, bytes of one part inside the zip, the text
of the message. Whatever comes out: no exception, no defect of the reader (ING-ERRORE-LETTURA),
the received file unchanged, and the memory of the process bounded."""

from __future__ import annotations

import hashlib
import io
import resource
import shutil
import sys
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.anomalies import Codice
from workbook.cycle import Cycle
from workbook.reconcile.ingest import ingest
from workbook.reconcile.readers.limits import MEMORY

from .hostile import rezip
from .pec import message, pec
from .test_hostile import LO_CYCLE, _verifier

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="measures memory with resource")
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI fails only on a real change
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def world(filled: Cycle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("fuzz") / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    saved = LO_CYCLE / "salvati-da-libreoffice"
    generated = (root / "compilati" / "AREA1.xlsx").read_bytes()
    mail = pec(message("g.ferrari@almenno-sb.example", "Area 1", [("AREA1.xlsx", generated)]))
    return {
        "cycle": cycle,
        "verifier": _verifier(cycle),
        "files": {
            "generato.xlsx": generated,
            "libreoffice.xlsx": (saved / "AREA1.xlsx").read_bytes(),
            "libreoffice.ods": (saved / "AREA1.ods").read_bytes(),
        },
        "mail": mail,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for position, cut, insert in edits:
        at = position % (len(out) + 1)
        out[at : at + cut] = insert
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10**7),
        st.integers(min_value=0, max_value=64),
        st.binary(max_size=24)
        | st.sampled_from(
            [
                b"<",
                b">",
                b'"',
                b"&",
                b"\x00",
                b"\xff",
                b"<!DOCTYPE x>",
                b' r="XFD1048577"',
                b' table:number-columns-repeated="999999999"',
                b'<c><f t="shared" si="0"/></c>',
                b"\r\n--",
                b"Content-Type: message/rfc822\r\n\r\n",
                b"=?utf-8?b?/w==?=",
            ]
        ),
    ),
    min_size=1,
    max_size=6,
)


def _check(world: dict[str, object], name: str, data: bytes) -> None:
    cycle: Cycle = world["cycle"]  # type: ignore[assignment]
    for old in cycle.ricevuti.iterdir():
        old.unlink()
    path = cycle.ricevuti / name
    path.write_bytes(data)
    before = (hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
    from workbook.reconcile.verify import examine

    ingested = ingest(cycle)
    found = list(ingested.anomalie)
    for doc in ingested.documenti:
        found.extend(examine(doc, world["verifier"]).anomalie)  # type: ignore[arg-type]
    assert not [a for a in found if a.codice is Codice.ING_ERRORE_LETTURA], [a.testo for a in found]
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - world["rss"]  # type: ignore[operator]
    assert grown < MEMORY


@SETTINGS
@given(which=st.sampled_from(["generato.xlsx", "libreoffice.xlsx", "libreoffice.ods"]), edits=EDITS)
def test_mutated_bytes_of_a_workbook(world: dict[str, object], which: str, edits: list) -> None:
    _check(world, which, _mutate(world["files"][which], edits))  # type: ignore[index]


@SETTINGS
@given(
    which=st.sampled_from(["generato.xlsx", "libreoffice.xlsx", "libreoffice.ods"]),
    part=st.integers(min_value=0, max_value=50),
    edits=EDITS,
)
def test_mutated_parts_inside_a_workbook(
    world: dict[str, object], which: str, part: int, edits: list
) -> None:
    data: bytes = world["files"][which]  # type: ignore[index]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(n for n in zf.namelist() if n.endswith((".xml", ".rels")))
    target = names[part % len(names)]

    def change(parts: dict[str, bytes]) -> None:
        parts[target] = _mutate(parts[target], edits)

    _check(world, which, rezip(data, change))


@SETTINGS
@given(edits=EDITS)
def test_mutated_pec_messages(world: dict[str, object], edits: list) -> None:
    _check(world, "busta.eml", _mutate(world["mail"], edits))  # type: ignore[arg-type]
