"""Ingestion: files, e-mails saved from a mail client, PEC envelopes and receipts."""

from __future__ import annotations

import csv
import hashlib
import shutil
from email.message import EmailMessage
from pathlib import Path

import pytest

from workbook.anomalies import Codice
from workbook.cycle import Cycle
from workbook.ingest import ingest
from workbook.pipeline import reconcile_and_report

from .test_reconcile import digest

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
FERRARI = "g.ferrari@almenno-sb.example"


def message(
    sender: str,
    subject: str,
    attachments: list[tuple[str, bytes]],
    date: str = "Mon, 22 Jan 2018 10:00:00 +0100",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "segreteria@almenno-sb.example"
    msg["Subject"] = subject
    msg["Date"] = date
    msg.set_content("In allegato il modulo compilato.\nCordiali saluti")
    for name, data in attachments:
        if name.endswith((".xlsx", ".ods")):
            maintype, subtype = XLSX
        else:
            maintype, subtype = "application", "octet-stream"
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def pec(
    original: EmailMessage, kind: str = "POSTA CERTIFICATA", as_octet_stream: bool = False
) -> EmailMessage:
    """A PEC envelope (or a delivery receipt) carrying the original as postacert.eml."""
    env = EmailMessage()
    env["From"] = f'"Per conto di: {original["From"]}" <posta-certificata@pec.example.it>'
    env["Reply-To"] = original["From"]
    env["X-Trasporto"] = "posta-certificata"
    env["To"] = original["To"]
    env["Subject"] = f"{kind}: {original['Subject']}"
    env["Date"] = original["Date"]
    env.set_content("Messaggio di posta elettronica certificata.")
    env.add_attachment(
        b"<postacert tipo='posta-certificata'/>",
        maintype="application",
        subtype="xml",
        filename="daticert.xml",
    )
    if as_octet_stream:
        env.add_attachment(
            original.as_bytes(),
            maintype="application",
            subtype="octet-stream",
            filename="postacert.eml",
        )
    else:
        env.add_attachment(original, filename="postacert.eml")
    env.add_attachment(
        b"firma", maintype="application", subtype="pkcs7-signature", filename="smime.p7s"
    )
    return env


@pytest.fixture
def cycle(filled: Cycle, tmp_path: Path) -> Cycle:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    return Cycle(root)


def _workbook(cycle: Cycle, modulo: str) -> bytes:
    return (cycle.root / "compilati" / f"{modulo}.xlsx").read_bytes()


def _ledger(cycle: Cycle) -> list[dict[str, str]]:
    with (cycle.archivio / "registro.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def test_a_pec_and_its_receipt_give_the_workbook_once_from_the_real_sender(cycle: Cycle) -> None:
    original = message(FERRARI, "Valutazioni Area 1", [("AREA1.xlsx", _workbook(cycle, "AREA1"))])
    (cycle.ricevuti / "pec").mkdir()
    (cycle.ricevuti / "pec" / "busta.eml").write_bytes(pec(original).as_bytes())
    (cycle.ricevuti / "pec" / "ricevuta.eml").write_bytes(
        pec(original, "CONSEGNA", as_octet_stream=True).as_bytes()
    )
    ingested = ingest(cycle)
    (doc,) = ingested.documenti
    assert doc.sha256 == hashlib.sha256(_workbook(cycle, "AREA1")).hexdigest()
    assert [a.origine for a in doc.arrivi] == [
        "ricevuti/pec/busta.eml › postacert.eml › AREA1.xlsx",
        "ricevuti/pec/ricevuta.eml › postacert.eml › AREA1.xlsx",
    ]
    assert doc.mittenti == [FERRARI]
    assert ingested.anomalie == []
    assert (cycle.root / doc.archivio).read_bytes() == _workbook(cycle, "AREA1")

    before = digest(cycle.ricevuti)
    results = reconcile_and_report(cycle)
    assert digest(cycle.ricevuti) == before
    assert not [a for a in results.outcome.anomalie if a.codice is Codice.REC_MITTENTE_INATTESO]
    rows = _ledger(cycle)
    assert [(r["stato"], r["mittente"], r["modulo"]) for r in rows] == [
        ("usato", FERRARI, "AREA1"),
        ("duplicato", FERRARI, "AREA1"),
    ]
    assert rows[0]["data"] == "2018-01-22 09:00:00"  # the message's Date, in UTC


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


def test_messages_without_workbooks_and_other_attachments_are_reported(cycle: Cycle) -> None:
    (cycle.ricevuti / "grazie.eml").write_bytes(message(FERRARI, "Grazie", []).as_bytes())
    (cycle.ricevuti / "con-pdf.eml").write_bytes(
        message(
            FERRARI,
            "Area 1 con scheda firmata",
            [("AREA1.xlsx", _workbook(cycle, "AREA1")), ("scheda.pdf", b"%PDF-1.4")],
        ).as_bytes()
    )
    ingested = ingest(cycle)
    assert [(a.codice, a.file) for a in ingested.anomalie] == [
        (Codice.ING_ALLEGATO_IGNORATO, "ricevuti/con-pdf.eml › scheda.pdf"),
        (Codice.ING_EMAIL_SENZA_MODULI, "ricevuti/grazie.eml"),
    ]
    assert [d.nome for d in ingested.documenti] == ["AREA1.xlsx"]


def test_lock_files_and_desktop_indexes_are_not_deliveries(cycle: Cycle) -> None:
    shutil.copy(cycle.root / "compilati" / "AREA1.xlsx", cycle.ricevuti / "AREA1.xlsx")
    (cycle.ricevuti / ".~lock.AREA1.xlsx#").write_text("Mario,pc,01.01.2018")
    (cycle.ricevuti / "Thumbs.db").write_bytes(b"\0" * 10)
    ingested = ingest(cycle)
    assert [d.nome for d in ingested.documenti] == ["AREA1.xlsx"] and not ingested.anomalie


def test_the_ledger_keeps_arrivals_no_longer_in_ricevuti(cycle: Cycle) -> None:
    shutil.copy(cycle.root / "compilati" / "AREA1.xlsx", cycle.ricevuti / "AREA1.xlsx")
    reconcile_and_report(cycle)
    (cycle.ricevuti / "AREA1.xlsx").unlink()
    reconcile_and_report(cycle)
    (row,) = _ledger(cycle)
    assert row["origine"] == "ricevuti/AREA1.xlsx" and "non più in ricevuti" in row["note"]
    assert (cycle.root / row["archivio"]).exists()  # the archived copy stays
