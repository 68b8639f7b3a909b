"""The Italian of everything a user reads: every command's help, the console of a whole cycle,
the e-mails, the results workbook, the Relazione and the catalogue of anomalies, run through a
check for the slips a Segretario found (issue 17): wrong plurals («1 errori», «ricevuto: 4»),
the informal «tu», «O.I.V..», «PREMIALITA'», «n. 22» after «N.», English metavars, an address
printed twice, «risultati-risultati»."""

from __future__ import annotations

import re
import zipfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest

from workbook import cli
from workbook.anomalies import Codice
from workbook.cli import main

SLIPS = [
    (
        re.compile(r"\b1 (errori|avvisi|moduli|messaggi|dipendenti|persone|obiettivi|documenti)\b"),
        "plurale dopo 1",
    ),
    (re.compile(r"\b(?:[02-9]|[1-9]\d+) (errore|avviso|messaggio|documento)\b"), "singolare"),
    (re.compile(r"\b(ricevuto|mancante|inviato|scritto): (?!1\b)\d"), "stato al singolare"),
    (re.compile(r"\b(intendevi|hai|puoi|devi|tuo|tua|tuoi|clicca|inserisci)\b", re.I), "«tu»"),
    (re.compile(r"[^.]\.\.(?!\.)"), "due punti fermi"),
    (re.compile(r"\b[A-ZÀ-Ù]{2,}[AEIOU]'"), "apostrofo al posto dell'accento"),
    (re.compile(r"N\. [^:\n]+: n\. \d"), "«N. …: n.»"),
    (re.compile(r"<(bool|path|str|int|float)>|\bOPTIONS\b|\bUsage\b|Show this"), "inglese"),
    (re.compile(r"([\w.+-]+@[\w.-]+) <\1>"), "indirizzo ripetuto"),
    (re.compile(r"risultati-risultati"), "nome ripetuto"),
    (re.compile(r"finché non (?:è|sono) \w+ i risultati"), "virgola mancante"),
    (re.compile(r"\b(?:di|a|da|in|su) (?:il|lo|i|gli)\b"), "preposizione non articolata"),
]


def slips(text: str) -> list[str]:
    found = []
    for pattern, what in SLIPS:
        for m in pattern.finditer(text):
            start = max(0, m.start() - 40)
            found.append(f"{what}: …{text[start : m.end() + 40]}…")
    return found


def test_the_check_finds_the_slips_it_is_for() -> None:
    seen = [
        "Moduli attesi: 4; ricevuto: 4.",
        "1 errori: correggere.",
        "(forse intendevi «AREA1»?)",
        "il parere dell'O.I.V..",
        "RAFFRONTO TRA PREMIALITA' STANZIATA",
        "N. dipendenti valutati: n. 22.",
        "--per-area  <bool>",
        "non inviato: a@b.it <a@b.it>",
        "posta/risultati-risultati-2017.xlsx",
        "finché non è corretto i risultati restano provvisori",
        "3 messaggio",
        "(la scheda di il personale di ogni Area)",
    ]
    for text in seen:
        assert slips(text), text
    assert not slips("Moduli attesi: 4; ricevuti: 4. 1 errore, 2 avvisi. Segretario… Fine...")


def _commands() -> list[list[str]]:
    out = [[]]
    for info in cli.app.registered_commands:
        out.append([info.name])
    for group in cli.app.registered_groups:
        out.append([group.name])
        out += [[group.name, c.name] for c in group.typer_instance.registered_commands]
    return out


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "valuta")
def test_every_help_is_correct_italian(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Uso: valuta" in text
    assert slips(" ".join(text.split())) == []
    # No help line wider than the terminal, and no paragraph broken where the source was.
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_catalogue_of_anomalies_is_correct_italian() -> None:
    for c in Codice:
        assert slips(f"{c.titolo}. {c.modello}") == [], c.code


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    return " ".join(re.sub(r"<[^>]+>", " ", xml).split())


def test_a_whole_cycle_reads_correctly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo, a reconcile with two moduli missing, the e-mails, the results workbook and
    the Relazione: every text through the check."""
    monkeypatch.setenv("COLUMNS", "80")
    root = tmp_path / "c"
    assert main(["demo", str(root)]) == 0
    assert main(["relazione", "--dir", str(root)]) == 0
    assert main(["distribute", "--dir", str(root)]) == 0
    texts = [capsys.readouterr().out]
    (root / "ricevuti" / "AREA2.xlsx").unlink()
    assert main(["reconcile", "--dir", str(root)]) == 1
    assert main(["remind", "--dir", str(root)]) in (0, 1)
    texts.append(capsys.readouterr().out)
    for eml in sorted((root / "posta").rglob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        texts.append(str(message["Subject"]))
        texts.append(message.get_body(preferencelist=("plain",)).get_content())
    wb = openpyxl.load_workbook(root / "risultati" / "risultati-2017.xlsx", read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            texts.append(" ".join(str(v) for v in row if isinstance(v, str)))
    texts.append(_docx_text(root / "risultati" / "relazione-2017.docx"))
    problems = [s for t in texts for s in slips(" ".join(t.split()))]
    assert problems == []
    mails = "\n".join(texts)
    assert "Gentile Giovanni Ferrari," in mails and "Gentile Ferrari Giovanni" not in mails
