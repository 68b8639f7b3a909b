"""Every generated workbook prints on A4 as it is: LibreOffice lays out every printed sheet and
no text is clipped or runs over the next cells (tests/lo/print_check.py says how it measures).

Workbooks: every modulo of the three samples, the demo's results workbook and two of its
final schede, the blank piano.xlsx and sistema.xlsx of `valuta init`, the samples'
sistema.xlsx, and a cycle of 300 people: the largest sheets of the Nucleo's modulo and of
one Area's, and its results workbook with no modulo received (an anomaly for each, 300
rows of Valutazioni). One LibreOffice run checks them all and exports each to PDF, whose
pages pdfinfo must call A4. A canary workbook with text that is clipped on purpose proves
that the check sees it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.styles import Alignment, Font

from workbook.cycle import Cycle, init_cycle
from workbook.demo import demo
from workbook.generate import generate
from workbook.generate.aggiornato import generate_nucleo_aggiornato
from workbook.piano.blank import write_piano
from workbook.pipeline import reconcile_and_report

from .conftest import NOW, TESTS, libreoffice_available, run_driver

pytestmark = pytest.mark.libreoffice
DRIVER = TESTS / "lo" / "print_check.py"
REPO = TESTS.parent
A4 = (21000, 29700)  # 1/100 mm
A4_POINTS = (595.3, 841.9)


def _require_tools() -> None:
    reason = libreoffice_available() or (
        "pdfinfo non trovato" if shutil.which("pdfinfo") is None else None
    )
    if reason:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"LibreOffice richiesto ma non disponibile: {reason}")
        pytest.skip(f"LibreOffice non disponibile: {reason}")


def _big_cycle(root: Path) -> Cycle:
    """A cycle of 300 people in 10 Areas (benchmarks/run.py's synthetic Piano), generated."""
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "run.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cycle = init_cycle(root, restituzione="segreteria@grande-comune.example")
    cycle.piano_path.unlink()
    write_piano(cycle.piano_path, bench.synthetic_piano(10, 300))
    generate(cycle, now=NOW, workers=1)
    return cycle


def _documents(
    tmp: Path, almenno: Cycle, torchiarolo: Cycle, esempio: Cycle
) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for name, cycle in (("almenno", almenno), ("torchiarolo", torchiarolo), ("esempio", esempio)):
        for path in sorted(cycle.moduli.glob("*.xlsx")):
            docs.append({"file": str(path), "label": f"{name}/moduli/{path.name}"})
        docs.append({"file": str(cycle.root / "sistema.xlsx"), "label": f"{name}/sistema.xlsx"})
    shown = demo(tmp / "demo")
    assert shown is not None
    risultati = tmp / "demo" / "risultati"
    docs.append({"file": str(risultati / "risultati-2017.xlsx"), "label": "demo/risultati"})
    for path in sorted((risultati / "schede").glob("*.xlsx"))[:2]:
        docs.append({"file": str(path), "label": f"demo/schede/{path.name}"})
    # The Nucleo's updated modulo, with every Responsabile's report beside its cells.
    aggiornato = generate_nucleo_aggiornato(Cycle(tmp / "demo")).path
    docs.append({"file": str(aggiornato), "label": "demo/moduli/nucleo-aggiornato.xlsx"})
    blank = init_cycle(tmp / "vuoto", restituzione="segreteria@comune.example")
    docs.append({"file": str(blank.piano_path), "label": "vuoto/piano.xlsx"})
    docs.append({"file": str(blank.root / "sistema.xlsx"), "label": "vuoto/sistema.xlsx"})
    big = _big_cycle(tmp / "grande")
    for name in ("nucleo.xlsx", "A001.xlsx"):  # the largest sheets: Schede, Valutazioni
        docs.append(
            {
                "file": str(big.moduli / name),
                "label": f"grande/{name}",
                "sheets": ["Obiettivi", "Valutazioni", "Schede"],
            }
        )
    reconcile_and_report(big, None)  # nothing received: provisional, with anomalies
    docs.append({"file": str(big.risultati / "risultati-2017.xlsx"), "label": "grande/risultati"})
    docs.append({"file": str(_canary(tmp / "canary.xlsx")), "label": CANARY})
    for k, d in enumerate(docs):
        d["pdf"] = str(tmp / "pdf" / f"{k:02d}.pdf")
    return docs


CANARY = "canary"
CLIPPED = {"A1", "A3", "A5"}


def _canary(path: Path) -> Path:
    """A workbook whose text does not fit on purpose: a wrapped text three lines long in a
    row of one line (A1), a text that is not wrapped running into a full cell (A3), a title
    in a row too low for its font (A5); and one that fits (A7)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.column_dimensions["A"].width = 20
    long = "Una motivazione lunga che non sta in una riga sola di questa colonna stretta"
    ws["A1"] = long
    ws["A1"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[1].height = 15
    ws["A3"], ws["B3"] = long, "pieno"
    ws["A5"] = "Titolo"
    ws["A5"].font = Font(size=20, bold=True)
    ws.row_dimensions[5].height = 15
    ws["A7"] = "Breve"
    ws.page_setup.paperSize = 9
    wb.save(path)
    return path


def _page_size(pdf: str) -> set[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", pdf], capture_output=True, text=True, check=True
    ).stdout
    return {
        (float(w), float(h))
        for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)
    }


def test_every_sheet_of_every_workbook_prints_on_a4_without_clipped_text(
    tmp_path: Path, almenno: Cycle, torchiarolo: Cycle, esempio: Cycle
) -> None:
    _require_tools()
    docs = _documents(tmp_path, almenno, torchiarolo, esempio)
    (tmp_path / "pdf").mkdir()
    report = run_driver(DRIVER, docs, tmp_path / "job.json", tmp_path / "result.json")
    problems: list[str] = []
    checked = 0
    for d, r in zip(docs, report["documents"], strict=True):
        label = d["label"]
        if label == CANARY:
            seen = {p[0] for s in r["sheets"].values() for p in s["problems"]}
            assert seen == CLIPPED, f"the check missed clipped text: {seen} ≠ {CLIPPED}"
            continue
        assert r["sheets"], f"{label}: nessun foglio controllato"
        for sheet, s in r["sheets"].items():
            checked += s["cells"]
            where = f"{label} › {sheet}"
            setup = s["setup"]
            if sorted((setup["width"], setup["height"])) != [
                pytest.approx(A4[0], abs=5),
                pytest.approx(A4[1], abs=5),
            ]:
                problems.append(f"{where}: carta {setup['width']}×{setup['height']}, non A4")
            # One page wide; a final scheda is one sheet of paper (1 × 1).
            tall = (0, 1) if "/schede/" in label else (0,)
            if setup["scale_x"] != 1 or setup["scale_y"] not in tall:
                problems.append(f"{where}: non adattato alla larghezza di una pagina")
            if not setup["print_areas"]:
                problems.append(f"{where}: area di stampa non impostata")
            if s["outside"]:
                problems.append(f"{where}: celle non vuote fuori dall'area di stampa")
            if s["too_wide"]:
                problems.append(f"{where}: una sola colonna, più larga della pagina")
            for cell, what, need, have, text in s["problems"]:
                problems.append(f"{where}!{cell}: {what} ({need} > {have}): {text!r}")
        for sheet in r["hidden_printed"]:
            problems.append(f"{label} › {sheet}: foglio nascosto con un'area di stampa")
        for size in _page_size(d["pdf"]):
            if sorted(size) != [
                pytest.approx(A4_POINTS[0], abs=1),
                pytest.approx(A4_POINTS[1], abs=1),
            ]:
                problems.append(f"{label}: pagina del PDF {size[0]}×{size[1]} pt, non A4")
    assert checked > 5000, checked
    assert not problems, f"{len(problems)} problemi su {checked} celle:\n" + "\n".join(problems)


def test_a_merged_text_too_long_for_its_line_is_wrapped_not_merged_again(tmp_path: Path) -> None:
    """A merged, unwrapped text longer than its cells, with empty cells beside it: wrapped
    within its own merged area (merging it again, wider, raised OverlappingRange)."""
    from workbook.results.tables import Book

    path = tmp_path / "unito.xlsx"
    book = Book(str(path))
    ws = book.add_worksheet("Foglio")
    ws.set_column(0, 5, 10)
    ws.merge_range(0, 0, 0, 1, "Un testo lungo " * 6, book.add_format({"bold": True}))
    ws.write_string(2, 5, "fine")  # the sheet reaches column F: room to the right of A1:B1
    book.close()
    cell = openpyxl.load_workbook(path)["Foglio"]["A1"]
    assert cell.alignment.wrap_text
    assert [str(r) for r in openpyxl.load_workbook(path)["Foglio"].merged_cells.ranges] == ["A1:B1"]
