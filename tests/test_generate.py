"""`valuta generate`: protected, signed workbooks whose map matches what is really in them.

Every workbook is read back with openpyxl, a reader independent of the product's own.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.cell_range import MultiCellRange

from workbook.contract import (
    HMAC_CELL,
    IDENTITY_FIELDS,
    META,
    canonical_content,
    cell_ref,
    excluded_cells,
    sign,
)
from workbook.cycle import Cycle, init_cycle
from workbook.errors import CycleError
from workbook.generate import generate
from workbook.generate.layout import FIRST_ROW
from workbook.generate.writer import legacy_password_hash

from .conftest import NOW, make_cycle
from .helpers import expected_results, model_of, piano_of, read_map, workbook_xml

MODULI = ["AREA1", "AREA2", "AREA3", "nucleo"]


def _path(cycle: Cycle, modulo: str) -> Path:
    return cycle.moduli / f"{modulo}.xlsx"


def test_one_workbook_per_area_and_one_for_the_nucleo(almenno: Cycle, torchiarolo: Cycle) -> None:
    assert sorted(p.name for p in almenno.moduli.glob("*.xlsx")) == [f"{m}.xlsx" for m in MODULI]
    assert sorted(p.name for p in torchiarolo.moduli.glob("*.xlsx")) == [
        "PO01.xlsx",
        "PO02.xlsx",
        "PO03.xlsx",
        "nucleo.xlsx",
    ]


@pytest.mark.parametrize("modulo", MODULI)
def test_sheets_protection_and_hidden_identity(almenno: Cycle, modulo: str) -> None:
    wb = openpyxl.load_workbook(_path(almenno, modulo))
    assert wb.sheetnames == ["Istruzioni", "Obiettivi", "Valutazioni", "Schede", "Criteri", META]
    assert wb[META].sheet_state == "veryHidden"
    password, _ = almenno.secrets()
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
        assert ws.protection.password == legacy_password_hash(password), ws.title
        assert ws.page_setup.paperSize == 9  # A4
        assert "Almenno" in ws.oddHeader.left.text
        assert "2017" in ws.oddHeader.right.text
    # Structure protection (xlsxwriter cannot write it: workbook/generate/writer.py adds it).
    xml = workbook_xml(_path(almenno, modulo))
    assert (
        f'<workbookProtection workbookPassword="{legacy_password_hash(password)}" '
        'lockStructure="1"/><bookViews>' in xml
    )
    # The password is kept in the cycle folder, never in the workbook.
    with zipfile.ZipFile(_path(almenno, modulo)) as zf:
        for name in zf.namelist():
            assert password.encode() not in zf.read(name), name


@pytest.mark.parametrize("modulo", MODULI)
def test_unlocked_cells_are_exactly_the_inputs_of_the_map(almenno: Cycle, modulo: str) -> None:
    path = _path(almenno, modulo)
    mappa = read_map(path)
    inputs = {(e.foglio, e.cella) for e in mappa if e.is_input}
    wb = openpyxl.load_workbook(path)
    unlocked = {
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.protection.locked is False
    }
    assert unlocked == inputs
    assert len(inputs) > 10


@pytest.mark.parametrize("modulo", MODULI)
def test_every_input_has_a_validation_an_input_message_and_the_empty_highlight(
    almenno: Cycle, modulo: str
) -> None:
    path = _path(almenno, modulo)
    wb = openpyxl.load_workbook(path)
    for entry in read_map(path):
        if not entry.is_input:
            continue
        ws = wb[entry.foglio]
        rules = [
            dv
            for dv in ws.data_validations.dataValidation
            if entry.cella in MultiCellRange(str(dv.sqref))
        ]
        assert len(rules) == 1, entry
        dv = rules[0]
        assert dv.prompt and dv.showInputMessage, entry
        assert dv.errorStyle in (None, "stop")
        values, span = entry.allowed()
        if values is not None:
            assert dv.type == "list"
            assert dv.formula1.strip('"').split(",") == values
        elif span is not None:
            assert dv.type == "decimal" and dv.operator in (None, "between")  # the default
            assert (Decimal(dv.formula1), Decimal(dv.formula2)) == span
        else:
            assert dv.type == "textLength"
        highlighted = [
            cf for cf in ws.conditional_formatting if entry.cella in MultiCellRange(str(cf.sqref))
        ]
        assert highlighted and highlighted[0].rules[0].type == "containsBlanks", entry


def test_the_map_names_every_person_objective_and_result(almenno: Cycle) -> None:
    mappa = read_map(_path(almenno, "AREA1"))
    keys = {e.chiave for e in mappa}
    assert "dipendente/201/collaborazione" in keys
    assert "dipendente/201/risultato_area" in keys  # derived: a result, not an input
    for voce in ("totale", "fascia", "premio"):
        assert f"dipendente/201/{voce}" in keys
    assert "dipendente/201/su_100" not in keys  # shown beside the total, not a map result
    assert "obiettivo/AREA1.A1-01/raggiungimento" in keys
    assert "area/AREA1/raggiungimento" in keys
    by_key = {e.chiave: e for e in mappa}
    assert by_key["dipendente/201/collaborazione"].tipo == "input"
    assert by_key["dipendente/201/collaborazione"].ammessi == "1;2;3;4;5;6;7;8;9;10"
    assert by_key["obiettivo/AREA1.A1-01/raggiungimento"].ammessi == "0..100"
    assert by_key["dipendente/201/totale"].tipo == "calcolo"
    nucleo = {e.chiave for e in read_map(_path(almenno, "nucleo"))}
    assert "eq/101/programmazione" in nucleo and "eq/101/obiettivi_area" in nucleo
    assert "obiettivo/AREA3.A3-10/raggiungimento" in nucleo


def test_result_cells_hold_formulas_with_their_cached_values(almenno: Cycle) -> None:
    path = _path(almenno, "AREA2")
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for entry in read_map(path):
        if entry.is_input:
            continue
        assert str(formulas[entry.foglio][entry.cella].value).startswith("="), entry
        assert values[entry.foglio][entry.cella].value in ("da completare", "–"), entry
    total = formulas["Valutazioni"][
        next(e.cella for e in read_map(path) if e.chiave == "dipendente/208/fascia")
    ].value
    # The seed's thresholds, from the Sistema, in the band formula.
    assert ">=54" in total and ">=37" in total and ">=25" in total and ">=19" in total


def test_a_person_who_cannot_be_evaluated_has_a_reason_and_no_inputs(almenno: Cycle) -> None:
    path = _path(almenno, "AREA2")
    assert not [e for e in read_map(path) if e.chiave.startswith("dipendente/215/")]
    ws = openpyxl.load_workbook(path)["Valutazioni"]
    row = next(r for r in ws.iter_rows() if r[0].value == "215")
    assert "Non valutabile" in row[3].value and "sei mesi" in row[3].value
    assert all(c.value is None and c.protection.locked is not False for c in row[4:])


def test_identity_sheet_and_document_properties_carry_the_same_signature(almenno: Cycle) -> None:
    path = _path(almenno, "AREA1")
    wb = openpyxl.load_workbook(path)
    ws = wb[META]
    identity = {
        ws.cell(row=i, column=1).value: ws.cell(row=i, column=2).value
        for i in range(2, 2 + len(IDENTITY_FIELDS))
    }
    assert identity["ente"] == "Comune di Almenno San Bartolomeo"
    assert identity["anno"] == "2017"
    assert identity["area"] == "AREA1"
    assert identity["sistema"] == "almenno-2017"
    assert identity["generato"] == NOW.isoformat()
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {
        "valuta_id": identity["id"],
        "valuta_nonce": identity["nonce"],
        "valuta_hmac": identity["hmac"],
    }
    assert ws[HMAC_CELL].value == identity["hmac"]


def test_the_signature_covers_the_locked_content(almenno: Cycle) -> None:
    """Recompute the HMAC from what openpyxl reads: it matches, and one changed label breaks
    it while any input value does not."""
    path = _path(almenno, "AREA1")
    wb = openpyxl.load_workbook(path)
    sheets = {
        ws.title: {
            (c.row - 1, c.column - 1): (
                None if isinstance(c.value, str) and c.value.startswith("=") else c.value,
                c.value if isinstance(c.value, str) and c.value.startswith("=") else None,
            )
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
        for ws in wb.worksheets
    }
    _, key = almenno.secrets()
    mappa = read_map(path)
    names = wb.sheetnames
    stored = wb[META][HMAC_CELL].value
    assert sign(key, names, canonical_content(names, sheets, excluded_cells(mappa))) == stored
    inputs = [e for e in mappa if e.is_input]
    from workbook.contract import parse_ref

    sheets[inputs[0].foglio][parse_ref(inputs[0].cella)] = (Decimal(7), None)
    assert sign(key, names, canonical_content(names, sheets, excluded_cells(mappa))) == stored
    sheets["Valutazioni"][(4, 1)] = ("Rossi Mario", None)
    assert sign(key, names, canonical_content(names, sheets, excluded_cells(mappa))) != stored


def test_generation_is_deterministic(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path / "c")
    first = {p.name: p.read_bytes() for p in cycle.moduli.glob("*.xlsx")}
    generate(cycle, force=True, now=NOW + dt.timedelta(days=3), workers=2)
    second = {p.name: p.read_bytes() for p in cycle.moduli.glob("*.xlsx")}
    assert first == second  # same cycle folder, same bytes (the generation time is kept)


def test_existing_moduli_are_not_overwritten_without_force(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path / "c")
    before = _path(cycle, "AREA1").read_bytes()
    with pytest.raises(CycleError, match="--force"):
        generate(cycle, now=NOW)
    assert _path(cycle, "AREA1").read_bytes() == before


def test_init_refuses_an_existing_cycle(tmp_path: Path) -> None:
    init_cycle(tmp_path / "c")
    with pytest.raises(CycleError, match="non viene sovrascritto"):
        init_cycle(tmp_path / "c", "almenno-2017")


def test_a_changed_piano_gives_a_new_generation(tmp_path: Path) -> None:
    cycle = make_cycle(tmp_path / "c")
    old_nonce = openpyxl.load_workbook(_path(cycle, "AREA1"))[META]["B12"].value
    wb = openpyxl.load_workbook(cycle.piano_path)
    wb["Personale"]["B5"] = "Bianchi-Verdi"
    wb.save(cycle.piano_path)
    generate(cycle, force=True, now=NOW + dt.timedelta(days=1), workers=1)
    wb = openpyxl.load_workbook(_path(cycle, "AREA1"))
    assert wb[META]["B12"].value != old_nonce
    kept = {p.name for p in cycle.manifests.iterdir()}
    assert {f"{old_nonce}.json", f"{old_nonce}.celle.json.gz"} <= kept


def test_prefilled_answers_show_the_python_results(almenno: Cycle) -> None:
    """The cached values are the Python engine's: with answers, totals and bands appear."""
    answers = {
        "obiettivo/AREA1.A1-01/raggiungimento": Decimal(100),
        **{f"obiettivo/AREA1.A1-0{i}/raggiungimento": Decimal(90) for i in range(2, 8)},
        "dipendente/201/collaborazione": Decimal(10),
        "dipendente/201/utenza": Decimal(9),
        "dipendente/201/qualita": Decimal(8),
        "dipendente/201/flessibilita": Decimal(10),
    }
    results = expected_results(model_of(almenno, "AREA1", answers))
    # Area: (10×100 + 50×90) / 60 = 91,67%; derived item: 20 × 91,67% = 18,33
    assert results["area/AREA1/raggiungimento"] == Decimal("91.67")
    assert results["dipendente/201/risultato_area"] == Decimal("18.33")
    assert results["dipendente/201/totale"] == Decimal("55.33")
    assert results["dipendente/201/su_100"] == Decimal("92.22")
    assert results["dipendente/201/fascia"] == "da 54 a 60"
    assert results["dipendente/201/premio"] == Decimal(100)
    assert results["dipendente/202/totale"] == "da completare"


def test_cell_refs_round_trip() -> None:
    from workbook.contract import parse_ref

    for row, col in [(0, 0), (4, 25), (9, 26), (99, 701), (1048575, 16383)]:
        assert parse_ref(cell_ref(row, col)) == (row, col)


def test_formulas_use_only_functions_written_as_they_are(
    almenno: Cycle, torchiarolo: Cycle, esempio: Cycle
) -> None:
    """generate/writer.py skips xlsxwriter's rewriting of dynamic-array functions (`_xlfn.`
    prefixes): safe only while every formula sticks to formulas.FUNCTIONS, which the three
    samples use between them (SUMIF and COUNTIF for the Ente's achievement by type)."""
    import re

    from workbook.scoring.formulas import FUNCTIONS

    seen: set[str] = set()
    for cycle in (almenno, torchiarolo, esempio):
        for path in sorted(cycle.moduli.glob("*.xlsx")):
            for sheet in model_of(cycle, path.stem).sheets:
                for cell in sheet.cells.values():
                    if cell.formula:
                        outside_strings = re.sub(r'"(?:[^"]|"")*"', "", cell.formula)
                        seen |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", outside_strings))
    assert seen == FUNCTIONS


def test_without_a_return_address_generate_stops_and_says_where_to_write_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Right after a blank `valuta init`, «restituzione» is empty: the moduli would tell the
    Responsabili to send them to nobody (once: silently to the Nucleo's address)."""
    from workbook import cli

    root = tmp_path / "ciclo"
    assert cli.main(["init", str(root)]) == 0
    said = capsys.readouterr().out
    assert "completare valuta.toml" in said and "restituzione" in said
    piano = root / "piano.xlsx"
    from workbook.cycle import load_sample
    from workbook.piano.blank import write_piano

    write_piano(piano, load_sample("almenno-2017"))
    assert cli.main(["generate", "--dir", str(root)]) == 2
    said = capsys.readouterr().err
    assert "restituzione" in said and "[ciclo]" in said
    assert not list((root / "moduli").glob("*.xlsx"))


def test_the_shapes_that_reconcile_recognises_are_those_the_formulas_have(almenno: Cycle) -> None:
    """reconcile/shown.py recognises a mirror, a lookup, a «su 100» and a plain reference by
    the patterns of scoring/formulas.py: every such formula of a generated modulo matches
    its pattern once normalised as it is read back."""
    from workbook.contract import normalize_formula
    from workbook.scoring import formulas as fx

    model = model_of(almenno, "AREA1")
    formulas = [
        normalize_formula(c.formula)
        for s in model.sheets
        for c in s.cells.values()
        if c.formula is not None
    ]
    scheda = piano_of(almenno).sistema.scheda_codice("dipendente")
    for built, pattern in (
        (fx.mirror("Valutazioni!E5"), fx.MIRROR),
        (fx.lookup("Valutazioni!E5", "Criteri!A10:B14"), fx.LOOKUP),
        (fx.su_100(scheda, "J5"), fx.SU_100),
    ):
        assert pattern.fullmatch(normalize_formula(built)), built
        assert any(pattern.fullmatch(f) for f in formulas), pattern.pattern
    assert any(fx.REFERENCE.fullmatch(f) for f in formulas)


def test_torchiarolo_reproduces_the_individual_objectives_of_its_seed(torchiarolo: Cycle) -> None:
    """The seed assigns «velocizzazione iter amministrativi» and «completa informatizzazione
    e gestione dei servizi scolastici» (peso 25 together) to Carbotti, cat. C: her row of the
    PO02 modulo scores them from the achievements the Responsabile types for them, while
    the PO still counts them among the Settore's individual objectives (10 + 12,5 + 12,5)."""
    piano = piano_of(torchiarolo)
    carbotti = piano.persona("2011")
    assert carbotti is not None and piano.scheda_of(carbotti).codice == "dipendente_obiettivi"
    assert [(o.obiettivo.codice, o.obiettivo.peso) for o in piano.assegnati("2011")] == [
        ("PI02-2", Decimal("12.5")),
        ("PI02-3", Decimal("12.5")),
    ]
    wb = openpyxl.load_workbook(_path(torchiarolo, "PO02"))
    entries = {e.chiave: e for e in read_map(_path(torchiarolo, "PO02"))}
    typed = {
        "obiettivo/PO02.PI02-2/raggiungimento": entries["obiettivo/PO02.PI02-2/raggiungimento"],
        "obiettivo/PO02.PI02-3/raggiungimento": entries["obiettivo/PO02.PI02-3/raggiungimento"],
    }
    assert all(e.is_input and e.foglio == "Obiettivi" for e in typed.values())
    headers = [c.value for c in wb["Obiettivi"][FIRST_ROW]]
    assigned = headers.index("Assegnato a") + 1
    for e in typed.values():
        row = openpyxl.utils.cell.coordinate_to_tuple(e.cella)[0]
        assert wb["Obiettivi"].cell(row, assigned).value == "Carbotti Anna Lucia Paola"
    item = entries["dipendente/2011/obiettivi_individuali"]
    assert not item.is_input and item.foglio == "Valutazioni"
    formula = wb[item.foglio][item.cella].value
    assert all(e.cella[1:] in formula for e in typed.values()), formula
    answers = {
        "obiettivo/PO02.PI02-2/raggiungimento": Decimal(100),
        "obiettivo/PO02.PI02-3/raggiungimento": Decimal(50),
    }
    computed = expected_results(model_of(torchiarolo, "PO02", answers))
    assert computed["dipendente/2011/obiettivi_individuali"] == Decimal("18.75")
    # Nobody else in the Area has them: Longo's scheda has no individual objectives.
    assert "dipendente/2004/obiettivi_individuali" not in computed
    nucleo = expected_results(
        model_of(
            torchiarolo, "nucleo", {**answers, "obiettivo/PO02.PI02-1/raggiungimento": Decimal(100)}
        )
    )
    assert nucleo["eq/1002/obiettivi_individuali"] == Decimal("28.75")
