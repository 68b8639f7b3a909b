"""Two engines, one scoring system: LibreOffice computing the formulas agrees with Python.

LibreOffice headless opens each generated workbook and a person's typing is replayed through
the user-interface path (select the cell, .uno:EnterString), which honours sheet protection.
For many random fillings, every total, band and bonus LibreOffice computes equals the Python
recomputation (`scoring.engine`), to the cent; typing into any locked cell is refused.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook.cycle import Cycle
from workbook.resources import templates_dir

from .conftest import make_cycle
from .helpers import (
    band_fillings,
    expected_results,
    italian,
    model_of,
    piano_of,
    random_answers,
    read_map,
    su_100_cell,
)

pytestmark = pytest.mark.libreoffice
FILLINGS = 2  # per workbook: with the four cycles' 18 workbooks, 36 documents


def grade_cycle(root: Path) -> Cycle:
    """The Almenno sample scored with a Sistema where achievement is chosen as a grade."""
    cycle = make_cycle(root, generated=False)
    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    text = text.replace("modalita: percentuale", "modalita: grado")
    for old, new in (
        ("da: 0, a: 50}", "da: 0, a: 50, valore: 30}"),
        ("da: 51, a: 79}", "da: 51, a: 79, valore: 65}"),
        ("da: 80, a: 90}", "da: 80, a: 90, valore: 85}"),
    ):
        text = text.replace(old, new)
    (root / "grado.yaml").write_text(text, encoding="utf-8")
    wb = openpyxl.load_workbook(cycle.piano_path)
    wb["Ente"]["B4"] = "grado.yaml"
    wb.save(cycle.piano_path)
    from workbook.generate import generate

    from .conftest import NOW

    generate(cycle, now=NOW, workers=1)
    return cycle


def _beside(cell: str, columns: int) -> str:
    """The cell `columns` to the right (the band is two columns right of the total)."""
    from workbook.contract import cell_ref, parse_ref

    row, col = parse_ref(cell)
    return cell_ref(row, col + columns)


def _as_decimal(value: float) -> Decimal:
    return Decimal(repr(value))


PROBE_KINDS = ("label", "weight", "formula", "scheda", "not evaluable")


def _locked_probe(kind: str, file_map: list, path: Path, rng: random.Random) -> dict[str, str]:
    """A locked cell a person might try to overwrite. One per document: see uno_driver.py."""
    wb = openpyxl.load_workbook(path)
    inputs = {(e.foglio, e.cella) for e in file_map if e.is_input}
    if kind == "not evaluable":
        grey = [
            r
            for r in wb["Valutazioni"].iter_rows(min_row=5)
            if isinstance(r[3].value, str) and r[3].value.startswith("Non valutabile")
        ]
        if grey:
            return {"sheet": "Valutazioni", "cell": grey[0][5].coordinate, "value": "10"}
        kind = "formula"
    sheet = {
        "label": "Valutazioni",
        "weight": "Obiettivi",
        "formula": "Valutazioni",
        "scheda": "Schede",
    }[kind]
    ws = wb[sheet]
    cells = [
        c.coordinate
        for row in ws.iter_rows(min_row=5)
        for c in row
        if (sheet, c.coordinate) not in inputs
        and c.value is not None
        and c.coordinate not in ws.merged_cells
        and (kind != "weight" or c.column == 6)
        and (kind != "formula" or str(c.value).startswith("="))
        and (kind != "label" or c.column == 2)
    ]
    return {"sheet": sheet, "cell": rng.choice(cells), "value": "999"}


def test_typed_in_libreoffice_the_workbooks_compute_what_python_computes(
    libreoffice: Callable, almenno: Cycle, torchiarolo: Cycle, esempio: Cycle, tmp_path: Path
) -> None:
    rng = random.Random(2017)
    cycles = {
        "almenno": almenno,
        "torchiarolo": torchiarolo,
        "esempio": esempio,
        "grado": grade_cycle(tmp_path / "grado"),
    }
    documents, checks = [], []
    for name, cycle in cycles.items():
        for source in sorted(cycle.moduli.glob("*.xlsx")):
            modulo = source.stem
            blank = model_of(cycle, modulo)
            file_map = read_map(source)
            assert [(e.chiave, e.cella) for e in blank.mappa] == [
                (e.chiave, e.cella) for e in file_map
            ]
            for k in range(FILLINGS):
                answers = random_answers(blank, rng, fill=1.0 if k == 0 else 0.85)
                target = tmp_path / f"{name}-{modulo}-{k}.xlsx"
                shutil.copy(source, target)
                fills = [
                    {"sheet": e.foglio, "cell": e.cella, "value": italian(answers[e.chiave])}
                    for e in file_map
                    if e.chiave in answers
                ]
                probe = _locked_probe(
                    PROBE_KINDS[len(documents) % len(PROBE_KINDS)], file_map, source, rng
                )
                documents.append(
                    {
                        "file": str(target),
                        "fills": [*fills, probe],
                        "read": [f"{e.foglio}!{e.cella}" for e in file_map if not e.is_input]
                        + [f"{e.foglio}!{su_100_cell(e)}" for e in file_map if e.voce == "totale"],
                    }
                )
                expected = expected_results(model_of(cycle, modulo, answers))
                checks.append((f"{name}/{modulo}/{k}", file_map, expected, len(fills)))

    # A person exactly on the first score of every band (or the lowest the band can be
    # reached with), for every scheda of every sample whose total a workbook computes, in
    # the first modulo that holds a person of it: the edges are where two engines that round
    # differently would disagree.
    aimed: list[tuple[int, str, Decimal, tuple[str, str]]] = []
    covered: dict[tuple[str, str], set[str]] = {}  # (sample, scheda): bands LibreOffice showed
    for name in ("almenno", "torchiarolo", "esempio"):
        cycle = cycles[name]
        piano = piano_of(cycle)
        done: set[str] = set()
        for modulo in sorted(p.stem for p in cycle.moduli.glob("*.xlsx")):
            source = cycle.moduli / f"{modulo}.xlsx"
            file_map = read_map(source)
            fillings = band_fillings(cycle, modulo, rng, skip=frozenset(done))
            for k, (answers, aims) in enumerate(fillings):
                target = tmp_path / f"{name}-{modulo}-fasce-{k}.xlsx"
                shutil.copy(source, target)
                fills = [
                    {"sheet": e.foglio, "cell": e.cella, "value": italian(answers[e.chiave])}
                    for e in file_map
                    if e.chiave in answers
                ]
                probe = _locked_probe("formula", file_map, source, rng)
                documents.append(
                    {
                        "file": str(target),
                        "fills": [*fills, probe],
                        "read": [f"{e.foglio}!{e.cella}" for e in file_map if not e.is_input]
                        + [f"{e.foglio}!{su_100_cell(e)}" for e in file_map if e.voce == "totale"],
                    }
                )
                expected = expected_results(model_of(cycle, modulo, answers))
                checks.append((f"{name}/{modulo}/fasce-{k}", file_map, expected, len(fills)))
                for key, score in aims.items():
                    scheda = piano.scheda_of(piano.persona(key.split("/")[1])).codice  # type: ignore[arg-type, union-attr]
                    aimed.append((len(checks) - 1, key, score, (name, scheda)))
                    covered.setdefault((name, scheda), set())
                    done.add(scheda)

    results = libreoffice(documents)

    compared = 0
    for (label, file_map, expected, n_inputs), result in zip(checks, results, strict=True):
        typed = result["typed"]
        assert all(t["changed"] for t in typed[:n_inputs]), label
        refused = typed[n_inputs:]
        assert refused and not any(t["changed"] for t in refused), (label, refused)
        assert all(result["protected"].values()), label
        cells = [(e.chiave, f"{e.foglio}!{e.cella}") for e in file_map if not e.is_input]
        cells += [
            (e.chiave.replace("/totale", "/su_100"), f"{e.foglio}!{su_100_cell(e)}")
            for e in file_map
            if e.voce == "totale"
        ]
        for key, where in cells:
            kind, value = result["read"][where]
            want = expected[key]
            if isinstance(want, Decimal):
                assert kind == "number" and _as_decimal(value) == want, (label, key, value)
            else:
                assert (kind, value) == ("text", want), (label, key)
            compared += 1
    # Every band that LibreOffice showed for an Almenno employee is one of the seed's five.
    seed_bands = {"da 54 a 60", "da 37 a 53", "da 25 a 36", "da 19 a 24", "fino a 18"}
    shown = {
        result["read"][f"{e.foglio}!{e.cella}"][1]
        for (label, file_map, _, _), result in zip(checks, results, strict=True)
        if label.startswith("almenno/AREA")
        for e in file_map
        if e.chiave.endswith("/fascia")
    }
    assert shown - {"–"} <= seed_bands and shown & seed_bands
    assert compared > 1000
    # The band edges were hit, as LibreOffice computed them, for every band of every scheda
    # a workbook computes. The esempio's dipendente schede draw on the Ente's achievement,
    # known only once the Nucleo has validated every Area: their workbooks show «dopo la
    # validazione» (compared above) and reconcile computes them (test_esempio).
    for index, key, score, scheda in aimed:
        label, file_map, expected, _ = checks[index]
        entry = next(e for e in file_map if e.chiave == key)
        kind, value = results[index]["read"][f"{entry.foglio}!{entry.cella}"]
        assert kind == "number" and _as_decimal(value) == score, (label, key, value)
        band = results[index]["read"][f"{entry.foglio}!{_beside(entry.cella, 2)}"][1]
        assert band == expected[key.replace("/totale", "/fascia")]
        covered[scheda].add(band)
    assert set(covered) == {
        ("almenno", "dipendente"),
        ("almenno", "po"),
        ("torchiarolo", "po"),
        ("torchiarolo", "dipendente"),
        ("torchiarolo", "dipendente_obiettivi"),
        ("esempio", "eq"),
    }
    for (name, code), shown_bands in covered.items():
        every = {f.etichetta for f in piano_of(cycles[name]).sistema.scheda_codice(code).fasce}  # type: ignore[union-attr]
        assert shown_bands == every, (name, code)


def test_libreoffice_saves_what_it_was_given(
    libreoffice: Callable, almenno: Cycle, tmp_path: Path
) -> None:
    """Saved by LibreOffice as .xlsx and .ods, the identity survives (the reconciler relies
    on it) and the hidden sheet comes back merely hidden."""
    source = almenno.moduli / "AREA3.xlsx"
    target = tmp_path / "AREA3.xlsx"
    shutil.copy(source, target)
    entry = next(e for e in read_map(source) if e.chiave == "dipendente/216/collaborazione")
    libreoffice(
        [
            {
                "file": str(target),
                "fills": [{"sheet": entry.foglio, "cell": entry.cella, "value": "8"}],
                "save": [
                    {"path": str(tmp_path / "lo.xlsx"), "filter": "Calc Office Open XML"},
                    {"path": str(tmp_path / "lo.ods"), "filter": "calc8"},
                ],
            }
        ]
    )
    wb = openpyxl.load_workbook(tmp_path / "lo.xlsx")
    assert wb["_valuta"].sheet_state == "hidden"
    assert wb[entry.foglio][entry.cella].value == 8
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    original = {p.name: p.value for p in openpyxl.load_workbook(source).custom_doc_props.props}
    assert props["valuta_hmac"] == original["valuta_hmac"]
    assert (tmp_path / "lo.ods").stat().st_size > 0


def test_filled_and_saved_by_libreoffice_as_xlsx_and_ods_reconcile_to_python(
    libreoffice: Callable, almenno: Cycle, tmp_path: Path
) -> None:
    """Random answers typed in LibreOffice, saved by LibreOffice (two workbooks as .xlsx, two
    as .ods): the reconciler reads them, finds them intact, and every score equals the
    Python engine's on the same answers."""
    from workbook.pipeline import reconcile_and_report

    root = tmp_path / "ciclo"
    shutil.copytree(almenno.root, root)
    cycle = Cycle(root)
    rng = random.Random(1512)
    answers = {
        m: random_answers(model_of(cycle, m), rng) for m in ("AREA1", "AREA2", "AREA3", "nucleo")
    }
    # What a person types in a text cell that a spreadsheet would turn into a number or a date.
    answers["AREA1"]["obiettivo/AREA1.A1-01/valore_raggiunto"] = "25%"
    answers["AREA1"]["obiettivo/AREA1.A1-02/valore_raggiunto"] = "15/10/2017"
    answers["AREA1"]["obiettivo/AREA1.A1-03/motivo_scostamento"] = "1.250"
    # The Nucleo validates what the Responsabili declared, so each workbook's own totals are
    # the final ones and can be compared one to one.
    for modulo in ("AREA1", "AREA2", "AREA3"):
        for key, value in answers[modulo].items():
            if key.endswith("/raggiungimento"):
                answers["nucleo"][key] = value
    documents = []
    for i, modulo in enumerate(("AREA1", "AREA2", "AREA3", "nucleo")):
        source = tmp_path / f"src-{modulo}.xlsx"
        shutil.copy(cycle.moduli / f"{modulo}.xlsx", source)
        file_map = read_map(source)
        kind = ("xlsx", "Calc Office Open XML") if i % 2 == 0 else ("ods", "calc8")
        documents.append(
            {
                "file": str(source),
                "fills": [
                    {
                        "sheet": e.foglio,
                        "cell": e.cella,
                        "value": italian(answers[modulo][e.chiave]),
                    }
                    for e in file_map
                    if e.chiave in answers[modulo]
                ],
                "save": [{"path": str(cycle.ricevuti / f"{modulo}.{kind[0]}"), "filter": kind[1]}],
            }
        )
    libreoffice(documents)
    results = reconcile_and_report(cycle)
    errors = [a for a in results.outcome.anomalie if a.gravita.value == "errore"]
    assert errors == []
    assert {s.modulo: s.stato for s in results.outcome.moduli} == dict.fromkeys(
        ("AREA1", "AREA2", "AREA3", "nucleo"), "ricevuto"
    )
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    compared = 0
    for modulo in ("AREA1", "AREA2", "AREA3", "nucleo"):
        for key, want in expected_results(model_of(cycle, modulo, answers[modulo])).items():
            soggetto, matricola, voce = key.split("/")
            if soggetto in ("dipendente", "eq", "dirigente") and voce in ("totale", "premio"):
                got = (
                    people[matricola].punteggio
                    if voce == "totale"
                    else people[matricola].premio_percentuale
                )
                assert got == want, (key, got, want)
                compared += 1
    assert compared == 2 * 23  # 20 employees and 3 PO, total and bonus each
    # The texts typed in the Area workbooks (report, value reached, reason of a deviation)
    # reach the results as typed.
    typed = {k: v for m in ("AREA1", "AREA2", "AREA3") for k, v in answers[m].items()}
    texts = 0
    for o in results.outcome.obiettivi:
        for field in ("evidenze", "valore_raggiunto", "motivo_scostamento"):
            key = f"obiettivo/{o.obiettivo.id}/{field}"
            assert getattr(o, field) == typed.get(key, ""), key
            texts += key in typed
    assert texts > 27
