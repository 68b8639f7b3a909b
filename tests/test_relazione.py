"""The Relazione sulla performance and the Nucleo's validation as Word documents (issue 16).

The documents are read back with lxml straight from word/document.xml — not with
python-docx or docxtpl, which wrote them — and every table is compared with the results
JSON."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from workbook.cli import main
from workbook.cycle import Cycle
from workbook.demo import demo
from workbook.documents import trasparenza
from workbook.documents.contesto import relazione_context
from workbook.documents.modello import RELAZIONE, write_templates
from workbook.documents.relazione import write_relazione, write_validazione
from workbook.documents.render import MODELLI, load_results, render
from workbook.errors import CycleError
from workbook.pipeline import reconcile_and_report

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- an independent reader ---------------------------------------------------------------------


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(f"{W}t"))


def read_docx(path: Path) -> tuple[list[str], list[list[list[str]]], list[str]]:
    """(paragraphs of the body, tables as rows of cell texts, header paragraphs)."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
        headers = [
            _text(p)
            for name in z.namelist()
            if name.startswith("word/header")
            for p in etree.fromstring(z.read(name)).iter(f"{W}p")
        ]
    paragraphs, tables = [], []
    for el in body:
        if el.tag == f"{W}p":
            paragraphs.append(_text(el))
        elif el.tag == f"{W}tbl":
            tables.append(
                [[_text(tc) for tc in tr.findall(f"{W}tc")] for tr in el.findall(f"{W}tr")]
            )
    return paragraphs, tables, headers


def highlighted(path: Path) -> list[str]:
    """The texts of the runs marked for a person to write (highlight or shading)."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
    out = []
    for r in body.iter(f"{W}r"):
        props = r.find(f"{W}rPr")
        if props is not None and (
            props.find(f"{W}highlight") is not None or props.find(f"{W}shd") is not None
        ):
            out.append(_text(r))
    return out


def table_after(
    paragraphs_and_tables: Path, heading: str
) -> list[list[str]]:  # the first table after a paragraph
    with zipfile.ZipFile(paragraphs_and_tables) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    seen = False
    for el in body:
        if el.tag == f"{W}p" and heading in _text(el):
            seen = True
        elif seen and el.tag == f"{W}tbl":
            return [[_text(tc) for tc in tr.findall(f"{W}tc")] for tr in el.findall(f"{W}tr")]
    raise AssertionError(f"nessuna tabella dopo «{heading}»")


def it(value: Any) -> str:
    """A JSON number as the documents write it: «99,25», «100»."""
    d = Decimal(str(value))
    text = format(d.quantize(Decimal("0.01")), "f") if d != d.to_integral() else str(int(d))
    return text.replace(".", ",")


def euro(value: Any) -> str:
    d = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, cents = f"{d:.2f}".split(".")
    return "€ " + f"{int(whole):,}".replace(",", ".") + "," + cents


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ciclo(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """The demo cycle (Almenno San Bartolomeo 2017), reconciled, with its Relazione."""
    root = tmp_path_factory.mktemp("relazione") / "c"
    demo(root)
    cycle = Cycle(root)
    assert main(["relazione", "--dir", str(root)]) == 0
    assert main(["validazione", "--dir", str(root)]) == 0
    return cycle


@pytest.fixture(scope="module")
def data(ciclo: Cycle) -> dict[str, Any]:
    return json.loads((ciclo.risultati / "risultati-2017.json").read_text(encoding="utf-8"))


def docx(ciclo: Cycle) -> Path:
    return ciclo.risultati / "relazione-2017.docx"


# --- the Almenno seed, figure by figure --------------------------------------------------------


def test_the_demo_relazione_reproduces_every_figure_of_the_almenno_seed(ciclo: Cycle) -> None:
    """3 Aree, 3 PO at 100%, 20 dipendenti valutati all in band 54–60, one not evaluated for
    less than six months, MEDIA 99,25: as in the 2017 Relazione of Almenno San Bartolomeo."""
    paragraphs, tables, _ = read_docx(docx(ciclo))
    assert "COMUNE DI ALMENNO SAN BARTOLOMEO" in paragraphs
    assert "N. Aree dell'Ente assegnate: 3" in paragraphs
    assert "N. Posizioni Organizzative: 3" in paragraphs
    po = table_after(docx(ciclo), "N. Posizioni Organizzative")
    assert po[0] == ["Nominativo", "Area", "Punteggio su 100", "Fascia", "Premio"]
    assert len(po) == 4 and all(row[4] == "100%" for row in po[1:])
    assert "Dipendenti valutati: 20." in paragraphs
    excluded = table_after(docx(ciclo), "Non sono stati valutati")
    assert len(excluded) == 2 and "meno di sei mesi" in excluded[1][2]
    bands = next(t for t in tables if t[0][0] == "Fascia")
    assert bands == [
        [
            "Fascia",
            "Valutazione compresa tra 54 e 60 punti",
            "Valutazione compresa tra 37 e 53 punti",
            "Valutazione compresa tra 25 e 36 punti",
            "Valutazione compresa tra 19 e 24 punti",
            "Valutazione fino a 18 punti",
        ],
        ["Premio", "100%", "80%", "50%", "25%", "0%"],
        ["Dipendenti", "20", "0", "0", "0", "0"],
    ]
    assert "MEDIA PUNTEGGIO: 99,25 (SU 100)" in paragraphs


def test_every_table_equals_the_results_json(ciclo: Cycle, data: dict[str, Any]) -> None:
    path = docx(ciclo)
    rel = data["relazione"]
    # The objectives of every Area: weight, declared and validated achievement.
    _, tables, _ = read_docx(path)
    objective_rows = {
        row[0]: row for t in tables if t[0][:2] == ["Codice", "Obiettivo"] for row in t[1:]
    }
    expected = [o for a in rel["obiettivi"] for o in a["obiettivi"]]
    assert len(objective_rows) == len(expected) == 27
    for o in expected:
        row = objective_rows[o["codice"]]
        assert row[1] == o["descrizione"]
        assert row[3:] == [it(o["peso"]), f"{it(o['dichiarato'])}%", f"{it(o['validato'])}%"]
    # The organisational performance of each Area.
    areas = table_after(path, "ponderato sui loro pesi")
    assert [r[0] for r in areas[1:]] == [a["area"] for a in rel["obiettivi"]]
    assert [r[2] for r in areas[1:]] == [f"{it(a['raggiungimento'])}%" for a in rel["obiettivi"]]
    # Every EQ.
    po = table_after(path, "N. Posizioni Organizzative")
    assert [(r[0], r[2]) for r in po[1:]] == [
        (p["nominativo"], it(p["punteggio_su_100"])) for p in rel["posizioni_organizzative"]
    ]
    # Differentiation, per evaluator.
    diff = table_after(path, "capacità di differenziare")
    assert [r[:3] for r in diff[1:]] == [
        [d["valutatore"], str(d["n_valutati"]), it(d["media_su_100"])]
        for d in rel["differenziazione"]
    ]
    # Premialità: stanziata, distribuita, residuo.
    funds = {r[0]: r[1:] for r in table_after(path, "ripartito secondo il Sistema")[1:]}
    assert funds["Produttività dei dipendenti"] == [
        euro(rel["premialita"][k]) for k in ("stanziata", "distribuita", "residuo")
    ]
    assert funds["Risultato delle PO"] == [
        euro(rel["risultato_po"][k]) for k in ("stanziata", "distribuita", "residuo")
    ]
    # The transparency tables, cell by cell.
    for t in data["trasparenza"]:
        table = table_after(path, t["titolo"])
        assert table[0] == t["colonne"]
        assert table[1:] == [[str(v) for v in row] for row in t["righe"]]
    # The bilancio di genere, EQ included.
    gender = table_after(path, "per genere")
    totals = {r[0]: (r[1], r[2], r[5]) for r in gender[1:]}
    for g in rel["genere"]:
        assert totals[f"{g['genere']} – Personale dipendente"] == (
            str(g["n_dipendenti"]),
            str(g["n_valutati"]),
            euro(g["premi_euro"]),
        )
    eq = sum(int(v[0]) for k, v in totals.items() if "Posizioni Organizzative" in k)
    assert eq == 3 == sum(g["n_dipendenti"] for g in rel["genere_eq"])


def test_the_acts_of_the_ente_sheet_are_named_as_the_seed_names_them(ciclo: Cycle) -> None:
    paragraphs, _, _ = read_docx(docx(ciclo))
    text = "\n".join(paragraphs)
    assert "PROVINCIA DI BERGAMO" in text.upper()
    for act in (
        "approvato con deliberazione della Giunta Comunale n. 30 del 03/04/2017.",
        "approvato con deliberazione di Giunta Comunale n. 24 del 07/03/2013.",
        "nominato con deliberazione di Giunta n. 30 del 01/04/2016; ne fanno parte: "
        "Melchionne Dr. Maurizio (Segretario); Sonzogni Dr. Riccardo Enrico",
        "contratto decentrato integrativo 2017 sottoscritto il 27/12/2017.",
    ):
        assert act in text, act
    assert not [m for m in highlighted(docx(ciclo)) if "atto" in m.lower()]
    # The validation has one signature line per member of the Nucleo.
    paragraphs, _, _ = read_docx(ciclo.risultati / "validazione-2017.docx")
    signatures = [p for p in paragraphs if p.endswith("_" * 30)]
    assert [p.split(" _")[0] for p in signatures] == [
        "Melchionne Dr. Maurizio (Segretario)",
        "Sonzogni Dr. Riccardo Enrico (componente esterno)",
    ]


@pytest.fixture(scope="module")
def esempio_relazione(esempio: Cycle, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The esempio-2025 cycle (an invented Comune) filled with its answers, reconciled, with
    its Relazione: six objectives short of their target, each with its reason, and TEC-2
    validated by the Nucleo below what was declared."""
    from workbook.cycle import load_sample
    from workbook.demo import fill_from_answers, sample_answers

    from .helpers import piano_of

    root = tmp_path_factory.mktemp("esempio-relazione") / "c"
    shutil.copytree(esempio.root, root)
    cycle = Cycle(root)
    fill_from_answers(
        cycle, sample_answers(load_sample("esempio-2025", "risposte"), piano_of(cycle))
    )
    reconcile_and_report(cycle)
    assert main(["relazione", "--dir", str(root)]) == 0
    return cycle.risultati / "relazione-2025.docx"


def test_the_deviations_and_their_reasons_are_in_the_relazione(esempio_relazione: Path) -> None:
    _, tables, _ = read_docx(esempio_relazione)
    deviations = {
        row[0]: row[1:]
        for t in tables
        if t[0] == ["Codice", "Valore atteso", "Valore raggiunto", "Raggiungimento", "Motivo"]
        for row in t[1:]
    }
    assert set(deviations) == {"AFF-1", "AFF-I1", "FIN-I1", "TRI-1", "TRI-I2", "TEC-2"}
    assert deviations["TRI-1"] == [
        "250.000 € accertati",
        "200.000 € accertati",
        "80%",
        "Due avvisi annullati in autotutela per errori catastali.",
    ]
    target, reached, achieved, reason = deviations["TEC-2"]
    assert (target, reached, achieved) == ("5 scuole su 5", "4 scuole su 5", "70%")
    assert reason.startswith("La ditta ha consegnato in ritardo i serramenti")
    assert "Nucleo di Valutazione: Un intervento non concluso prima dell'avvio" in reason
    # The indicator and its target stand beside each objective.
    objectives = {
        row[0]: row for t in tables if t[0][:2] == ["Codice", "Obiettivo"] for row in t[1:]
    }
    assert objectives["TEC-2"][2] == (
        "Interventi eseguiti entro il 10 settembre – atteso: 5 scuole su 5"
    )
    assert not [m for m in highlighted(esempio_relazione) if "motivo non indicato" in m]


def test_every_table_cell_is_in_the_same_small_type(esempio_relazione: Path) -> None:
    """Text put in by a «{{r …}}» tag (a reason, a placeholder) is 9-point like the rest of
    its table, not the body's 11 points."""
    import docx as python_docx
    from docx.shared import Pt

    document = python_docx.Document(str(esempio_relazione))
    sizes = {
        run.font.size or p.style.font.size
        for t in document.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for run in p.runs
        if run.text.strip()
    }
    assert sizes == {Pt(9)}


def test_what_only_the_segretario_can_write_is_highlighted_never_invented(
    ciclo: Cycle,
) -> None:
    marks = highlighted(docx(ciclo))
    assert len(marks) >= 7
    assert all(m.startswith("[") and m.endswith("]") for m in marks if m.strip())
    paragraphs, _, _ = read_docx(docx(ciclo))
    conclusions = paragraphs[paragraphs.index("12. Conclusioni") + 1]
    assert conclusions.startswith("[Da scrivere a cura del Segretario Comunale")


def test_the_validation_is_prefilled_from_the_results(ciclo: Cycle) -> None:
    path = ciclo.risultati / "validazione-2017.docx"
    checks = {r[0]: r[1:] for r in table_after(path, "verificando")[1:]}
    coherence = checks["Coerenza tra la Relazione e i moduli di valutazione"]
    assert coherence[0].startswith("Moduli attesi: 4; ricevuti: 4; 0 errori e 0 avvisi.")
    assert coherence[1] == "[Sì]"
    # Almenno's evaluators all used one band only: the Nucleo is asked to look at it.
    differentiation = checks[
        "Differenziazione dei giudizi (art. 9, c. 1, lett. d, D.Lgs. 150/2009)"
    ]
    assert "fasce utilizzate 1" in differentiation[0]
    assert differentiation[1] == "[da verificare: motivare]"
    funds = checks["Distribuzione dei premi entro i fondi"][0]
    assert "distribuita € 31.500,00 + residuo € 0,00 = stanziata € 31.500,00" in funds
    assert "[VALIDA / NON VALIDA]" in highlighted(path)


# --- provisional results -----------------------------------------------------------------------


@pytest.fixture
def provvisorio(ciclo: Cycle, tmp_path: Path) -> Cycle:
    root = tmp_path / "c"
    shutil.copytree(ciclo.root, root)
    cycle = Cycle(root)
    (cycle.ricevuti / "AREA2.xlsx").unlink()
    reconcile_and_report(cycle)
    return cycle


def test_provisional_results_are_refused_unless_asked_and_then_every_page_says_so(
    provvisorio: Cycle, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["relazione", "--dir", str(provvisorio.root)]) == 2
    err = capsys.readouterr().err
    assert "provvisori" in err and "--provvisorio" in err and "Traceback" not in err
    assert not (provvisorio.risultati / "relazione-2017-PROVVISORIA.docx").exists()
    assert main(["relazione", "--dir", str(provvisorio.root), "--provvisorio"]) == 0
    path = provvisorio.risultati / "relazione-2017-PROVVISORIA.docx"
    _, _, headers = read_docx(path)
    assert any(h.startswith("DOCUMENTO PROVVISORIO") for h in headers)
    # Every section's header carries it, so every page does.
    with zipfile.ZipFile(path) as z:
        document = z.read("word/document.xml").decode()
    assert document.count("<w:headerReference") >= 1


def test_the_documents_need_reconciled_results(tmp_path: Path) -> None:
    root = tmp_path / "c"
    assert main(["init", str(root), "--esempio", "almenno-2017"]) == 0
    assert (root / MODELLI / RELAZIONE).is_file()
    with pytest.raises(CycleError, match="valuta reconcile"):
        write_relazione(Cycle(root))


# --- the template ------------------------------------------------------------------------------


@pytest.fixture
def copia(ciclo: Cycle, tmp_path: Path) -> Cycle:
    root = tmp_path / "c"
    shutil.copytree(ciclo.root, root)
    return Cycle(root)


def test_the_comune_edits_its_template_and_the_relazione_follows(copia: Cycle) -> None:
    from docx import Document

    template = copia.root / MODELLI / RELAZIONE
    doc = Document(str(template))
    doc.add_paragraph("Testo aggiunto dal Comune per l'anno {{ anno }}.")
    doc.save(str(template))
    paragraphs, _, _ = read_docx(write_relazione(copia).path)
    assert "Testo aggiunto dal Comune per l'anno 2017." in paragraphs


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("missing", "non esiste"),
        ("not-a-docx", "non è un documento Word"),
        ("unknown-name", "«sconosciuto», che valuta non conosce"),
        ("broken-tag", "scritto in modo errato"),
    ],
)
def test_a_missing_or_broken_template_gets_a_clear_message(
    copia: Cycle, damage: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from docx import Document

    template = copia.root / MODELLI / RELAZIONE
    if damage == "missing":
        template.unlink()
    elif damage == "not-a-docx":
        template.write_text("non sono un documento", encoding="utf-8")
    else:
        doc = Document(str(template))
        doc.add_paragraph(
            "{{ sconosciuto }}" if damage == "unknown-name" else "{% for x in %} {{ anno }"
        )
        doc.save(str(template))
    before = sorted(p.name for p in copia.risultati.iterdir())
    assert main(["relazione", "--dir", str(copia.root)]) == 2
    err = capsys.readouterr().err
    assert expected in err.replace("\n", " ") and "modelli/relazione.docx" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in copia.risultati.iterdir()) == before  # nothing half written
    if damage == "missing":
        assert main(["relazione", "--dir", str(copia.root), "--modelli"]) == 0
        assert template.is_file()
        assert main(["relazione", "--dir", str(copia.root)]) == 0


def test_text_from_outside_is_written_as_text(copia: Cycle, tmp_path: Path) -> None:
    """A description from the Piano with Word markup, a template tag or a formula stays
    literally what it is."""
    data, piano = load_results(copia, False, "la Relazione")
    hostile = '<w:p>{{ anno }}{% if 1 %}=HYPERLINK("http://x","y")&amp;'
    import dataclasses

    first = data["relazione"].obiettivi[0]
    objectives = (dataclasses.replace(first.obiettivi[0], descrizione=hostile),)
    data["relazione"] = _replace(data["relazione"], first, objectives)
    target = tmp_path / "r.docx"
    render(copia, copia.root / MODELLI / RELAZIONE, relazione_context(data, piano, False), target)
    _, tables, _ = read_docx(target)
    cells = [c for t in tables for row in t for c in row]
    assert hostile in cells


def _replace(relazione: Any, area: Any, objectives: tuple[Any, ...]) -> Any:
    import dataclasses

    new_area = dataclasses.replace(area, obiettivi=objectives)
    return dataclasses.replace(
        relazione,
        obiettivi=tuple(new_area if a is area else a for a in relazione.obiettivi),
    )


def test_init_writes_the_templates_and_never_overwrites_an_edited_one(tmp_path: Path) -> None:
    folder = tmp_path / MODELLI
    assert [p.name for p in write_templates(folder)] == ["relazione.docx", "validazione.docx"]
    (folder / RELAZIONE).write_bytes(b"edited")
    assert write_templates(folder) == []
    assert (folder / RELAZIONE).read_bytes() == b"edited"


def test_the_validation_document_is_refused_on_provisional_results(provvisorio: Cycle) -> None:
    with pytest.raises(CycleError, match="provvisori"):
        write_validazione(provvisorio)
    assert write_validazione(provvisorio, provvisorio=True).provvisorio


# --- Amministrazione Trasparente ---------------------------------------------------------------


def test_trasparenza_gathers_the_tables_and_the_signed_documents_with_an_index(
    copia: Cycle,
) -> None:
    from workbook.files import read_csv

    folder = copia.risultati / "trasparenza"
    assert main(["trasparenza", "--dir", str(copia.root)]) == 0
    rows = {r["File"]: r for r in read_csv(folder / "indice.csv")}
    data = json.loads((copia.risultati / "risultati-2017.json").read_text(encoding="utf-8"))
    for t in data["trasparenza"]:
        assert rows[t["file"]]["Stato"] == "pronto"
        assert rows[t["file"]]["Contenuto"] == t["titolo"]
    assert rows["premi-dipendenti.csv"]["Norma"] == "D.Lgs. 33/2013, art. 20, c. 1"
    assert rows["fasce-dipendenti.csv"]["Sezione di Amministrazione Trasparente"] == (
        "Performance › Dati relativi ai premi"
    )
    relazione = rows["relazione-sulla-performance-2017.pdf"]
    assert relazione["Stato"].startswith("manca: mettere il documento firmato in firmati/")
    # The Segretario drops the signed documents back: they are copied, never moved or changed.
    signed = copia.root / "firmati"
    (signed / "Relazione 2017 firmata v.2.pdf.p7m").write_bytes(b"relazione firmata")
    (signed / "validazione nucleo 2017.pdf").write_bytes(b"validazione firmata")
    assert main(["trasparenza", "--dir", str(copia.root)]) == 0
    rows = {r["File"]: r for r in read_csv(folder / "indice.csv")}
    assert rows["relazione-sulla-performance-2017.pdf.p7m"]["Stato"] == "pronto"
    assert rows["documento-di-validazione-2017.pdf"]["Sezione di Amministrazione Trasparente"] == (
        trasparenza.NUCLEO
    )
    assert (folder / "relazione-sulla-performance-2017.pdf.p7m").read_bytes() == (
        b"relazione firmata"
    )
    assert (signed / "Relazione 2017 firmata v.2.pdf.p7m").read_bytes() == b"relazione firmata"


def test_trasparenza_publishes_only_final_results(provvisorio: Cycle) -> None:
    with pytest.raises(CycleError, match="provvisori") as exc:
        trasparenza.gather(provvisorio)
    # It has no --provvisorio: the message says how to get final results instead.
    assert "--provvisorio" not in str(exc.value)
    assert "valuta reconcile" in str(exc.value)


# --- the PDF, through LibreOffice --------------------------------------------------------------


def test_the_pdf_shows_the_seed_table_and_the_media_line(copia: Cycle) -> None:
    """`valuta relazione --pdf` through LibreOffice: the PDF's text (pdftotext, poppler) has
    the seed's band table and the MEDIA line, on A4 pages."""
    import os
    import subprocess

    from workbook.office import find_soffice

    if find_soffice() is None or shutil.which("pdftotext") is None:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice o pdftotext richiesti ma non disponibili")
        pytest.skip("LibreOffice o pdftotext non disponibili")
    assert main(["relazione", "--dir", str(copia.root), "--pdf"]) == 0
    pdf = copia.risultati / "relazione-2017.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    reading = subprocess.run(  # cell by cell, in reading order
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(reading.split())
    assert "MEDIA PUNTEGGIO: 99,25 (SU 100)" in flat
    for words in ("Valutazione compresa tra 54 e 60 punti", "Valutazione fino a 18 punti"):
        assert words in flat
    band_rows = [line.split() for line in text.splitlines() if line.split()[:1] == ["Dipendenti"]]
    assert ["Dipendenti", "20", "0", "0", "0", "0"] in band_rows
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info
