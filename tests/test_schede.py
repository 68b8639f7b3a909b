"""The final individual schede (`valuta schede`) and `valuta send --schede`: one scheda per
evaluated person with the validated values, the modulo's values marked where the Nucleo
validated less, provisional marking, each person mailed only their own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook.anomalies import Codice
from workbook.cycle import Cycle, load_sample
from workbook.demo import fill_from_answers, sample_answers
from workbook.errors import CycleError, PostaError
from workbook.mail.deliver import deliver
from workbook.mail.messages import plan_send
from workbook.office import convert, find_soffice
from workbook.pipeline import reconcile_and_report
from workbook.results.json import read_results
from workbook.results.schede import INDEX, PROVISIONAL, cycle_schede, file_stem, read_index

from .helpers import piano_of
from .test_mail import Server, ca, configure, register, smtp  # noqa: F401  (SMTP fixtures)


@pytest.fixture(scope="module")
def compilato(esempio: Cycle, tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """esempio-2025 reconciled: the Nucleo validated TEC-2 at 70% (declared 80%)."""
    root = tmp_path_factory.mktemp("schede") / "ciclo"
    shutil.copytree(esempio.root, root)
    cycle = Cycle(root)
    answers = sample_answers(load_sample("esempio-2025", "risposte"), piano_of(cycle))
    fill_from_answers(cycle, answers)
    assert not reconcile_and_report(cycle).outcome.ha_errori
    return cycle


def copy_of(cycle: Cycle, tmp_path: Path) -> Cycle:
    shutil.copytree(cycle.root, tmp_path / "ciclo")
    return Cycle(tmp_path / "ciclo")


def results(cycle: Cycle, anno: int = 2025) -> dict[str, Any]:
    data = read_results(cycle.risultati / f"risultati-{anno}.json")
    assert data is not None
    return data


def cells(path: Path) -> list[list[Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    return [list(r) for r in wb["Scheda"].iter_rows(values_only=True)]


def row_of(rows: list[list[Any]], label: str) -> list[Any]:
    return next(r for r in rows if r[0] == label)


def test_one_scheda_per_evaluated_person_with_every_value_of_the_results(
    compilato: Cycle, tmp_path: Path
) -> None:
    cycle = copy_of(compilato, tmp_path)
    written, _ = cycle_schede(cycle, pdf=False)
    data = results(cycle)
    folder = cycle.risultati / "schede"
    evaluated = [v for v in data["valutazioni"] if v["stato"] == "valutato"]
    assert {v["matricola"] for v in data["valutazioni"]} - set(written.files) == {"3008"}
    assert sorted(p.name for p in folder.glob("*.xlsx")) == sorted(
        f"{file_stem(v['matricola'], v['nominativo'])}.xlsx" for v in evaluated
    )
    for v in evaluated:
        rows = cells(folder / written.files[v["matricola"]][0])
        flat = [c for r in rows for c in r if c is not None]
        assert v["nominativo"] in flat and v["matricola"] in flat and v["categoria"] in flat
        for voce in v["voci"]:
            r = row_of(rows, voce["titolo"])
            assert Decimal(str(r[1])) == voce["punti"] and Decimal(str(r[2])) == voce["massimo"]
        assert Decimal(str(row_of(rows, "Punteggio totale")[1])) == v["punteggio"]
        assert Decimal(str(row_of(rows, "Punteggio su 100")[1])) == v["punteggio_su_100"]
        assert row_of(rows, "Fascia di punteggio")[1] == v["fascia"]
        assert Decimal(str(row_of(rows, "Premio in euro")[1])) == v["premio_euro"]
        for part, amount in (v["premi"] or {}).items():
            assert any(
                str(r[0]).strip().startswith("di cui") and Decimal(str(r[1])) == amount
                for r in rows
                if r[0] and part[:5] in str(r[0])
            )
        assert "Osservazioni del valutato" in flat and PROVISIONAL not in flat


def test_a_lower_validated_achievement_shows_what_the_modulo_said(
    compilato: Cycle, tmp_path: Path
) -> None:
    cycle = copy_of(compilato, tmp_path)
    written, _ = cycle_schede(cycle, pdf=False)
    folder = cycle.risultati / "schede"
    tec = [v for v in results(cycle)["valutazioni"] if v["area"] == "TEC"]
    marked = 0
    for v in tec:
        rows = cells(folder / written.files[v["matricola"]][0])
        changed = [r for r in rows if str(r[3] or "").startswith("nel modulo: ")]
        if changed:
            marked += 1
            assert all(r[3] != f"nel modulo: {r[1]}" for r in changed)
            assert any("ha validato un raggiungimento" in str(r[0]) for r in rows)
    assert marked >= 1
    # Bassi Mario (3010): 19,45 of 20 for the Area's objectives in the modulo, 19,18 final.
    rows = cells(folder / written.files["3010"][0])
    area = row_of(rows, "Raggiungimento degli obiettivi dell'Area")
    assert (Decimal(str(area[1])), area[3]) == (Decimal("19.18"), "nel modulo: 19,45")
    # The FIN Area's achievements were validated as declared: nothing marked.
    fin = next(v for v in results(cycle)["valutazioni"] if v["area"] == "FIN")
    rows = cells(folder / written.files[fin["matricola"]][0])
    assert not any(str(r[3] or "").startswith("nel modulo") for r in rows)


def test_schede_of_provisional_results_say_so_and_stale_ones_go(
    compilato: Cycle, tmp_path: Path
) -> None:
    cycle = copy_of(compilato, tmp_path)
    cycle_schede(cycle, pdf=False)
    (cycle.ricevuti / "TEC.xlsx").unlink()
    assert reconcile_and_report(cycle).outcome.ha_errori
    with pytest.raises(CycleError, match="--provvisorio"):
        cycle_schede(cycle, pdf=False)
    assert len(list((cycle.risultati / "schede").glob("*.xlsx"))) == 13  # untouched
    written, _ = cycle_schede(cycle, pdf=False, provvisorio=True)
    assert written.provvisorie and written.removed == 4  # TEC's people are «in attesa»
    folder = cycle.risultati / "schede"
    assert len(list(folder.glob("*.xlsx"))) == len(written.files)
    for names in written.files.values():
        rows = cells(folder / names[0])
        assert PROVISIONAL in [r[0] for r in rows]
    index = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    assert index["provvisorie"] is True


def test_send_schede_gives_each_person_only_their_own(
    compilato: Cycle,
    tmp_path: Path,
    smtp: Any,  # noqa: F811
) -> None:
    cycle = copy_of(compilato, tmp_path)
    with pytest.raises(PostaError) as missing:
        plan_send(cycle, schede=True)
    assert [a.codice for a in missing.value.anomalies] == [Codice.POSTA_SCHEDE_MANCANTI]
    cycle_schede(cycle, pdf=False)
    server: Server = smtp("plain")
    configure(cycle, server)
    report = deliver(cycle, plan_send(cycle, schede=True))
    piano = piano_of(cycle)
    evaluated = [v for v in results(cycle)["valutazioni"] if v["stato"] == "valutato"]
    with_mail = {piano.persona(v["matricola"]).email: v for v in evaluated}  # type: ignore[union-attr]
    without = with_mail.pop("", None)
    assert without is not None  # the sample has people without an address
    received = server.by_recipient()
    assert set(received) == set(with_mail)
    for address, r in received.items():
        (part,) = list(r.message.iter_attachments())
        data = part.get_content()
        path = tmp_path / "allegato.xlsx"
        path.write_bytes(data)
        flat = [c for row in cells(path) for c in row if c is not None]
        assert with_mail[address]["matricola"] in flat
        assert with_mail[address]["nominativo"] in flat
        assert "Gentile" in r.message.get_body().get_content()  # type: ignore[union-attr]
    missing_mail = [a for a in report.anomalie if a.codice is Codice.POSTA_INDIRIZZO_MANCANTE]
    assert missing_mail and all(a.foglio == "Personale" and a.riga for a in missing_mail)
    assert report.conta("inviato") == len(with_mail)
    # Once sent, not again; with --force, again.
    assert deliver(cycle, plan_send(cycle, schede=True)).conta("inviato") == 0
    assert deliver(cycle, plan_send(cycle, schede=True), force=True).conta("inviato") == len(
        with_mail
    )
    assert any(row["comando"] == "send" for row in register(cycle))


def test_send_schede_refuses_schede_older_than_the_results(
    compilato: Cycle, tmp_path: Path
) -> None:
    cycle = copy_of(compilato, tmp_path)
    cycle_schede(cycle, pdf=False)
    reconcile_and_report(cycle)  # same results, rewritten: the schede are still theirs
    plan_send(cycle, schede=True)
    (cycle.ricevuti / "TEC.xlsx").unlink()
    reconcile_and_report(cycle)
    cycle_schede(cycle, pdf=False, provvisorio=True)
    plan_send(cycle, schede=True, provvisorio=True)  # rewritten: theirs again
    (cycle.ricevuti / "nucleo.xlsx").unlink()
    reconcile_and_report(cycle)
    with pytest.raises(PostaError) as stale:
        plan_send(cycle, schede=True, provvisorio=True)
    assert [a.codice for a in stale.value.anomalies] == [Codice.POSTA_SCHEDE_MANCANTI]
    assert "valuta schede" in stale.value.anomalies[0].messaggio


def test_file_names_are_safe_on_windows() -> None:
    assert file_stem("12/3", 'D\'Angelo: "Anna"?. ') == "12_3 D'Angelo_ _Anna__"
    assert file_stem("", "") == "scheda"


def test_the_pdf_is_sent_unless_the_workbook_is_newer(tmp_path: Path) -> None:
    from workbook.mail.schede import _attachment

    names = ["1 Rossi Anna.xlsx", "1 Rossi Anna.pdf"]
    book, pdf = (tmp_path / n for n in names)
    assert _attachment(tmp_path, names) is None
    book.write_bytes(b"xlsx")
    assert _attachment(tmp_path, names) == book  # no PDF
    pdf.write_bytes(b"pdf")
    os.utime(book, (1_000_000, 1_000_000))
    os.utime(pdf, (1_000_001, 1_000_001))
    assert _attachment(tmp_path, names) == pdf
    os.utime(book, (1_000_002, 1_000_002))  # the workbook edited after the PDF
    assert _attachment(tmp_path, names) == book


def test_pdf_without_libreoffice_says_how_to_get_them(
    compilato: Cycle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import workbook.office

    monkeypatch.setattr(workbook.office, "find_soffice", lambda: None)
    cycle = copy_of(compilato, tmp_path)
    written, note = cycle_schede(cycle, pdf=True)
    assert not written.pdf and all(len(names) == 1 for names in written.files.values())
    assert "libreoffice.org" in note and "--pdf" in note


def test_the_schede_as_pdf_one_a4_page_each(compilato: Cycle, tmp_path: Path) -> None:
    if find_soffice() is None:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice richiesto ma non installato")
        pytest.skip("LibreOffice non installato")
    cycle = copy_of(compilato, tmp_path)
    written, _ = cycle_schede(cycle, pdf=True)
    folder = cycle.risultati / "schede"
    index = read_index(folder)
    assert index is not None
    v = next(v for v in results(cycle)["valutazioni"] if v["matricola"] == "3010")
    xlsx, pdf = written.files["3010"]
    assert pdf.endswith(".pdf") and (folder / pdf).is_file()
    text_dir = tmp_path / "testo"
    pages = subprocess.run(
        ["pdfinfo", str(folder / pdf)], capture_output=True, text=True, check=True
    ).stdout
    size = next(line for line in pages.splitlines() if line.startswith("Page size"))
    width = float(size.split()[2])
    assert abs(width - 595.3) < 2  # A4 portrait, in points
    # Every scheda on one page: signatures and dates never on a page of their own.
    for name in (names[-1] for names in written.files.values()):
        info = subprocess.run(
            ["pdfinfo", str(folder / name)], capture_output=True, text=True, check=True
        ).stdout
        assert "Pages:           1" in info, name
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(folder / pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        (out,) = convert([folder / pdf], "txt", text_dir)
        text = out.read_text(encoding="utf-8")
    assert v["nominativo"] in text
    # In Italian, whatever the locale of the machine: «56,50», never «56.50».
    assert f"{v['punteggio']:.2f}".replace(".", ",") in text, text
    assert f"{v['punteggio']:.2f}" not in text, text
    # The Excel page setup: A4, portrait, one page wide.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(folder / xlsx)["Scheda"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    # One page: 1 wide and 1 tall (openpyxl reads the default 1 as None).
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_a_removal_happens_with_the_commit_or_not_at_all(tmp_path: Path) -> None:
    from workbook.files import Commit, recover

    journal, old, new = tmp_path / "journal.json", tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    old.write_bytes(b"old")
    with pytest.raises(RuntimeError), Commit(journal, tmp_path) as commit:
        commit.write(new, b"new")
        commit.remove(old)
        raise RuntimeError
    assert old.read_bytes() == b"old" and not new.exists()
    with Commit(journal, tmp_path) as commit:
        commit.write(new, b"new")
        commit.remove(old)
    recover(journal, tmp_path, [tmp_path])
    assert not old.exists() and new.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.xlsx"]


def test_the_commands(compilato: Cycle, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbook import cli

    cycle = copy_of(compilato, tmp_path)
    assert cli.main(["send", "--schede", "--dry-run", "--dir", str(cycle.root)]) == 2
    assert "valuta schede" in capsys.readouterr().out.replace("\n", " ")
    assert cli.main(["schede", "--dir", str(cycle.root)]) == 0
    assert "Scritte 13 schede individuali" in capsys.readouterr().out.replace("\n", " ")
    # The sample has people without an address: exit 1, the others would be sent.
    assert cli.main(["send", "--schede", "--dry-run", "--dir", str(cycle.root)]) == 1
    assert cli.main(["reconcile", "--dir", str(cycle.root)]) == 0
    assert "valuta schede" not in capsys.readouterr().out  # the same results
    (cycle.ricevuti / "TEC.xlsx").unlink()
    assert cli.main(["reconcile", "--dir", str(cycle.root)]) == 1
    assert "valuta schede" in capsys.readouterr().out.replace("\n", " ")
    assert cli.main(["schede", "--dir", str(cycle.root)]) == 2  # provisional
    assert "--provvisorio" in capsys.readouterr().err.replace("\n", " ")
    assert cli.main(["schede", "--provvisorio", "--dir", str(cycle.root)]) == 0
    assert "PROVVISORIE" in capsys.readouterr().out


def test_almenno_the_modulo_total_beside_the_validated_one(almenno: Cycle, tmp_path: Path) -> None:
    """Almenno: the Nucleo validates two objectives of AREA2 at 50% (declared 100%). What the
    Responsabile's modulo showed is what a cycle whose Nucleo validated as declared computes:
    its totals are the «nel modulo» values beside the lower final ones (not for the EQ, whose
    modulo, the Nucleo's, computed with the validated achievement)."""
    from workbook.contract import NUCLEO, make_key

    answers = sample_answers(load_sample("almenno-2017", "risposte"))
    shown = {}
    for name, nucleo in (("dichiarato", None), ("validato", Decimal(50))):
        shutil.copytree(almenno.root, tmp_path / name)
        cycle = Cycle(tmp_path / name)
        if nucleo is not None:
            for code in ("A2-01", "A2-02"):
                answers["nucleo"][make_key("obiettivo", f"AREA2.{code}", "raggiungimento")] = nucleo
        fill_from_answers(cycle, answers)
        assert not reconcile_and_report(cycle).outcome.ha_errori
        written, _ = cycle_schede(cycle, pdf=False)
        shown[name] = {v["matricola"]: v for v in results(cycle, 2017)["valutazioni"]}
    evaluated = [v for v in shown["validato"].values() if v["stato"] == "valutato"]
    area2 = [v for v in evaluated if v["area"] == "AREA2"]
    assert area2 and set(written.files) == {v["matricola"] for v in evaluated}
    lower = 0
    for v in area2:
        before = shown["dichiarato"][v["matricola"]]
        rows = cells(cycle.risultati / "schede" / written.files[v["matricola"]][0])
        total = row_of(rows, "Punteggio totale")
        assert Decimal(str(total[1])) == v["punteggio"]
        if v["valutatore"] == NUCLEO:  # the Nucleo's modulo computed with the validated ones
            assert total[3] is None
        elif v["punteggio"] != before["punteggio"]:
            lower += 1
            assert v["punteggio"] < before["punteggio"]
            expected = f"nel modulo: {before['punteggio']:.2f}".replace(".", ",")
            assert total[3] == expected
            assert any("ha validato un raggiungimento" in str(r[0]) for r in rows)
        else:
            assert total[3] is None
    assert lower >= 1
    # Other Areas: validated as declared, nothing marked.
    other = next(v for v in evaluated if v["area"] == "AREA1")
    rows = cells(cycle.risultati / "schede" / written.files[other["matricola"]][0])
    assert not any(str(r[3] or "").startswith("nel modulo") for r in rows)
