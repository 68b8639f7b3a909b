"""`valuta reconcile`: never fooled by an edited spreadsheet, never stopped by a bad file.

Each case puts files in `ricevuti/`, reconciles, and asserts the anomaly's code and where it
points (file, sheet, cell), that the other workbooks still give results, and that nothing
received was modified.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import warnings
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook import cli
from workbook.anomalies import Codice, Gravita
from workbook.contract import META
from workbook.cycle import Cycle
from workbook.generate import generate
from workbook.pipeline import Results, reconcile_and_report

from .conftest import NOW
from .helpers import read_map


@pytest.fixture
def cycle(filled: Cycle, tmp_path: Path) -> Cycle:
    """A private copy of the filled cycle."""
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    return Cycle(root)


def deliver(
    cycle: Cycle,
    *moduli: str,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
    as_name: str | None = None,
) -> Path:
    """Put filled workbooks in ricevuti/, the last one edited with openpyxl if asked."""
    target = cycle.ricevuti
    for modulo in moduli:
        target = cycle.ricevuti / (
            as_name if as_name and modulo == moduli[-1] else f"{modulo}.xlsx"
        )
        shutil.copy(cycle.root / "compilati" / f"{modulo}.xlsx", target)
    if edit is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(target)
        edit(wb)
        wb.save(target)
    return target


def saved_on(path: Path, day: int) -> None:
    """Set a file's last-saved time to a day of January 2018."""
    saved_at(path, dt.datetime(2018, 1, day, 10, 0))


def saved_at(path: Path, when: dt.datetime) -> None:
    """Set a file's last-saved time (openpyxl stamps «now» whenever it saves)."""
    import re

    from .test_reader import rezip

    def change(parts: dict[str, bytes]) -> None:
        parts["docProps/core.xml"] = re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*",
            rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
            parts["docProps/core.xml"],
        )

    path.write_bytes(rezip(path.read_bytes(), change))


def run(cycle: Cycle) -> Results:
    return reconcile_and_report(cycle)


def found(results: Results) -> list[tuple[str, str, str, str]]:
    return [(a.codice.code, a.file, a.foglio, a.cella) for a in results.outcome.anomalie]


def status(results: Results) -> dict[str, str]:
    return {s.modulo: s.stato for s in results.outcome.moduli}


def cell_of(cycle: Cycle, modulo: str, key: str) -> str:
    mappa = read_map(cycle.root / "compilati" / f"{modulo}.xlsx")
    return next(e.cella for e in mappa if e.chiave == key)


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the happy path --------------------------------------------------------------------------


def test_the_demo_reproduces_the_seed_relazione(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert cli.main(["demo", str(tmp_path / "demo")]) == 0
    data = json.loads((tmp_path / "demo" / "risultati" / "risultati-2017.json").read_text())
    r = data["relazione"]
    assert r["n_aree"] == 3
    assert r["n_posizioni_organizzative"] == 3
    assert [p["premio_percentuale"] for p in r["posizioni_organizzative"]] == [100, 100, 100]
    assert r["n_dipendenti_valutati"] == 20
    assert r["n_dipendenti_non_valutati"] == 1
    assert "sei mesi" in r["non_valutati"][0]["motivo"]
    assert [(b["da"], b["a"], b["premio_percentuale"], b["n_dipendenti"]) for b in r["fasce"]] == [
        (54, 60, 100, 20),
        (37, 53, 80, 0),
        (25, 36, 50, 0),
        (19, 24, 25, 0),
        (0, 18, 0, 0),
    ]
    assert r["media_punteggio_su_100"] == 99.25
    assert data["anomalie"] == []
    assert data["stato"] == {
        "attesi": ["AREA1", "AREA2", "AREA3", "nucleo"],
        "ricevuti": ["AREA1", "AREA2", "AREA3", "nucleo"],
        "mancanti": [],
        "con_errori": [],
        "definitivo": True,
    }
    fund = r["premialita"]
    assert fund == {"stanziata": 31500.0, "distribuita": 31500.0, "residuo": 0.0}
    assert "99,25" in capsys.readouterr().out


def test_a_filled_workbook_is_recomputed_from_its_inputs(cycle: Cycle) -> None:
    deliver(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    results = run(cycle)
    assert results.outcome.anomalie == []
    by_person = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert by_person["201"].punteggio == Decimal(60)
    assert by_person["205"].punteggio == Decimal(59)  # collaborazione 9
    assert by_person["205"].su_100 == Decimal("98.33")
    assert by_person["101"].punteggio == Decimal(99)  # PO: 60 objectives + 39
    assert by_person["215"].stato == "non valutabile"


# --- an edited spreadsheet is never taken for good -------------------------------------------


def _ws(name: str) -> Callable[[openpyxl.Workbook], openpyxl.worksheet.worksheet.Worksheet]:
    return lambda wb: wb[name]


TAMPERING: dict[str, tuple[Callable[[openpyxl.Workbook], None], Codice, str, str]] = {
    "a name changed": (
        lambda wb: wb["Valutazioni"].__setitem__("B6", "Rossi Mario"),
        Codice.REC_CELLA_MODIFICATA,
        "Valutazioni",
        "B6",
    ),
    "a weight changed": (
        lambda wb: wb["Obiettivi"].__setitem__("F5", 20),
        Codice.REC_CELLA_MODIFICATA,
        "Obiettivi",
        "F5",
    ),
    "a label changed": (
        lambda wb: wb["Criteri"].__setitem__("B5", "Obiettivo quasi raggiunto"),
        Codice.REC_CELLA_MODIFICATA,
        "Criteri",
        "B5",
    ),
    "a formula changed": (
        lambda wb: wb["Valutazioni"].__setitem__("J5", "=ROUND(SUM(E5:I5),2)+5"),
        Codice.REC_FORMULA_MODIFICATA,
        "Valutazioni",
        "J5",
    ),
    "a formula overwritten by a number": (
        lambda wb: wb["Valutazioni"].__setitem__("M5", 100),
        Codice.REC_FORMULA_SOSTITUITA,
        "Valutazioni",
        "M5",
    ),
    "the map edited": (
        lambda wb: wb[META].__setitem__("C16", "Z99"),
        Codice.REC_MAPPA_MODIFICATA,
        META,
        "C16",
    ),
    "content added outside the inputs": (
        lambda wb: wb["Valutazioni"].__setitem__("B40", "Bianchi Anna"),
        Codice.REC_CONTENUTO_AGGIUNTO,
        "Valutazioni",
        "B40",
    ),
    "a protected cell emptied": (
        lambda wb: wb["Obiettivi"].__setitem__("C6", None),
        Codice.REC_CONTENUTO_RIMOSSO,
        "Obiettivi",
        "C6",
    ),
    "a row inserted": (
        lambda wb: wb["Valutazioni"].insert_rows(6),
        Codice.REC_ALTRE_MODIFICHE,
        "Valutazioni",
        "",
    ),
    "a sheet removed": (lambda wb: wb.remove(wb["Criteri"]), Codice.REC_FOGLIO_MANCANTE, "", ""),
    "a sheet added": (lambda wb: wb.create_sheet("Appunti"), Codice.REC_FOGLIO_AGGIUNTO, "", ""),
    "the identity property changed": (
        lambda wb: setattr(wb.custom_doc_props.props[1], "value", "0" * 24),
        Codice.REC_IDENTITA_INCOERENTE,
        META,
        "B12",
    ),
    "the signature cell changed": (
        lambda wb: wb[META].__setitem__("B13", "0" * 64),
        Codice.REC_IDENTITA_INCOERENTE,
        META,
        "B13",
    ),
    "an unknown nonce": (
        lambda wb: (
            wb[META].__setitem__("B12", "f" * 24),
            setattr(wb.custom_doc_props.props[1], "value", "f" * 24),
        ),
        Codice.REC_FIRMA_NON_VALIDA,
        "",
        "",
    ),
    "another Ente": (
        lambda wb: wb[META].__setitem__("B4", "Comune di Altrove"),
        Codice.REC_ALTRO_CICLO,
        "",
        "",
    ),
    "not one of ours": (lambda wb: wb.remove(wb[META]), Codice.REC_FOGLIO_ESTRANEO, "", ""),
}


@pytest.mark.parametrize("case", TAMPERING, ids=list(TAMPERING))
def test_tampering_is_caught_where_it_happened(case: str, cycle: Cycle) -> None:
    edit, code, sheet, cell = TAMPERING[case]
    deliver(cycle, "AREA1", "AREA3", "nucleo")
    deliver(cycle, "AREA2", edit=edit)
    before = digest(cycle.ricevuti)
    results = run(cycle)
    assert (code.code, "ricevuti/AREA2.xlsx", sheet, cell) in found(results), found(results)
    errors = [a for a in results.outcome.anomalie if a.gravita is Gravita.ERRORE]
    assert errors and all(
        a.file == "ricevuti/AREA2.xlsx"
        for a in errors
        if a.codice is not Codice.REC_MODULO_MANCANTE
    ), found(results)
    # A file that does not even say which workbook it is leaves AREA2 «mancante».
    expected_state = "mancante" if code is Codice.REC_FOGLIO_ESTRANEO else "con errori"
    assert status(results)["AREA2"] == expected_state
    assert status(results)["AREA1"] == status(results)["AREA3"] == "ricevuto"
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["201"].stato == "valutato"  # AREA1 still counts
    assert people["208"].stato == "in attesa"  # AREA2's results are not taken from the file
    assert digest(cycle.ricevuti) == before


def test_many_changes_are_listed_up_to_a_limit_then_counted(cycle: Cycle) -> None:
    def vandalise(wb: openpyxl.Workbook) -> None:
        for row in range(5, 15):
            for col in "CDE":
                wb["Obiettivi"][f"{col}{row}"] = "x"

    deliver(cycle, "AREA2", edit=vandalise)
    results = run(cycle)
    listed = [a for a in results.outcome.anomalie if a.foglio == "Obiettivi"]
    assert len(listed) == 11
    assert [a.cella for a in listed[:4]] == ["C5", "D5", "E5", "C6"]
    assert listed[-1].codice is Codice.REC_ALTRE_MODIFICHE
    assert "altre 20 celle" in listed[-1].messaggio


def test_protection_removed_with_content_intact_is_a_warning_and_the_file_counts(
    cycle: Cycle,
) -> None:
    def unprotect(wb: openpyxl.Workbook) -> None:
        wb["Valutazioni"].protection.sheet = False

    deliver(cycle, "AREA2", edit=unprotect)
    results = run(cycle)
    (a,) = [a for a in results.outcome.anomalie if a.codice is Codice.REC_PROTEZIONE_RIMOSSA]
    assert (a.gravita, a.foglio) == (Gravita.AVVISO, "Valutazioni")
    assert status(results)["AREA2"] == "ricevuto"


def test_a_workbook_of_a_previous_generation_is_refused(cycle: Cycle) -> None:
    old = deliver(cycle, "AREA2")
    shutil.move(old, cycle.root / "vecchio.xlsx")
    wb = openpyxl.load_workbook(cycle.piano_path)
    wb["Obiettivi"]["D2"] = "Variante al PGT (testo aggiornato)"
    wb.save(cycle.piano_path)
    generate(cycle, force=True, now=NOW.replace(day=20), workers=1)
    shutil.move(cycle.root / "vecchio.xlsx", cycle.ricevuti / "AREA2.xlsx")
    results = run(cycle)
    assert (Codice.REC_GENERAZIONE_PRECEDENTE.code, "ricevuti/AREA2.xlsx", "", "") in found(results)
    assert status(results)["AREA2"] == "con errori"
    assert (Codice.REC_MODULO_MANCANTE.code, "moduli/AREA2.xlsx", "", "") not in found(results)


# --- the inputs ------------------------------------------------------------------------------


def _input(modulo: str, key: str, value: object) -> Callable[[Cycle], tuple]:
    def setup(cycle: Cycle) -> tuple:
        cell = cell_of(cycle, modulo, key)
        sheet = "Obiettivi" if key.startswith("obiettivo") else "Valutazioni"
        deliver(cycle, modulo, edit=lambda wb: wb[sheet].__setitem__(cell, value))
        return f"ricevuti/{modulo}.xlsx", sheet, cell

    return setup


def _deviation(modulo: str, codice: str, reason: object) -> Callable[[Cycle], tuple]:
    """The objective declared at 80% with `reason` as the reason of the deviation."""

    def setup(cycle: Cycle) -> tuple:
        key = f"obiettivo/{modulo}.{codice}"
        pct, cell = (
            cell_of(cycle, modulo, f"{key}/{v}") for v in ("raggiungimento", "motivo_scostamento")
        )

        def edit(wb: openpyxl.Workbook) -> None:
            wb["Obiettivi"][pct] = 80
            wb["Obiettivi"][cell] = reason

        deliver(cycle, modulo, edit=edit)
        return f"ricevuti/{modulo}.xlsx", "Obiettivi", cell

    return setup


INPUTS = {
    "a missing score": (
        _input("AREA1", "dipendente/203/utenza", None),
        Codice.REC_VALORE_MANCANTE,
        Gravita.ERRORE,
    ),
    "a score outside the list (pasted)": (
        _input("AREA1", "dipendente/203/utenza", 11),
        Codice.REC_VALORE_NON_AMMESSO,
        Gravita.ERRORE,
    ),
    "a score in words": (
        _input("AREA1", "dipendente/203/utenza", "otto"),
        Codice.REC_TESTO_NON_NUMERO,
        Gravita.ERRORE,
    ),
    "a score typed as text «8,5»": (
        _input("AREA1", "obiettivo/AREA1.A1-02/raggiungimento", "8,5"),
        Codice.REC_NUMERO_COME_TESTO,
        Gravita.AVVISO,
    ),
    "an achievement over 100%": (
        _input("AREA1", "obiettivo/AREA1.A1-02/raggiungimento", 120),
        Codice.REC_VALORE_NON_AMMESSO,
        Gravita.ERRORE,
    ),
    "a formula in an input": (
        _input("AREA1", "dipendente/203/utenza", "=4+5"),
        Codice.REC_FORMULA_IN_INPUT,
        Gravita.ERRORE,
    ),
    "a missing achievement": (
        _input("AREA1", "obiettivo/AREA1.A1-04/raggiungimento", None),
        Codice.REC_VALORE_MANCANTE,
        Gravita.ERRORE,
    ),
    "an achievement without evidence": (
        _input("AREA1", "obiettivo/AREA1.A1-05/evidenze", None),
        Codice.REC_EVIDENZE_MANCANTI,
        Gravita.AVVISO,
    ),
    "a deviation without its reason": (
        _deviation("AREA1", "A1-02", None),
        Codice.REC_SCOSTAMENTO_SENZA_MOTIVO,
        Gravita.AVVISO,
    ),
    "a formula in the reason of a deviation": (
        _deviation("AREA1", "A1-02", "=1+1"),
        Codice.REC_FORMULA_IN_INPUT,
        Gravita.ERRORE,
    ),
}


@pytest.mark.parametrize("case", INPUTS, ids=list(INPUTS))
def test_every_bad_input_is_reported_at_its_cell(case: str, cycle: Cycle) -> None:
    setup, code, severity = INPUTS[case]
    where = setup(cycle)
    results = run(cycle)
    hits = [a for a in results.outcome.anomalie if a.codice is code]
    assert hits and (hits[0].file, hits[0].foglio, hits[0].cella) == where, found(results)
    assert hits[0].gravita is severity
    assert not any(a.codice is Codice.REC_CELLA_MODIFICATA for a in results.outcome.anomalie)


def test_a_deviation_and_its_reason_reach_the_results(cycle: Cycle) -> None:
    """The value reached and the reason typed in the Responsabile's modulo, the target of the
    Piano and the Nucleo's motivation: in the results JSON and on the Obiettivi sheet."""
    ident = "AREA1.A1-02"
    cells = {
        v: cell_of(cycle, m, f"obiettivo/{ident}/{v}")
        for m, v in (
            ("AREA1", "raggiungimento"),
            ("AREA1", "valore_raggiunto"),
            ("AREA1", "motivo_scostamento"),
        )
    }
    nucleo = {
        v: cell_of(cycle, "nucleo", f"obiettivo/{ident}/{v}")
        for v in ("raggiungimento", "evidenze")
    }

    def declare(wb: openpyxl.Workbook) -> None:
        ws = wb["Obiettivi"]
        ws[cells["raggiungimento"]] = 80
        ws[cells["valore_raggiunto"]] = "8 pratiche su 10"
        ws[cells["motivo_scostamento"]] = "Due pratiche sospese dalla Soprintendenza."

    def validate(wb: openpyxl.Workbook) -> None:
        wb["Obiettivi"][nucleo["raggiungimento"]] = 70
        wb["Obiettivi"][nucleo["evidenze"]] = "Una pratica conclusa dopo la scadenza."

    deliver(cycle, "AREA1", edit=declare)
    deliver(cycle, "nucleo", edit=validate)
    results = run(cycle)
    assert not any(
        a.codice is Codice.REC_SCOSTAMENTO_SENZA_MOTIVO for a in results.outcome.anomalie
    )
    data = json.loads((cycle.risultati / "risultati-2017.json").read_text(encoding="utf-8"))
    (row,) = [
        o for a in data["relazione"]["obiettivi"] for o in a["obiettivi"] if o["codice"] == "A1-02"
    ]
    assert (row["dichiarato"], row["validato"]) == (80, 70)
    assert row["valore_raggiunto"] == "8 pratiche su 10"
    assert row["motivo_scostamento"] == "Due pratiche sospese dalla Soprintendenza."
    assert row["motivazione_nucleo"] == "Una pratica conclusa dopo la scadenza."
    ws = openpyxl.load_workbook(cycle.risultati / "risultati-2017.xlsx")["Obiettivi"]
    headers = [c.value for c in ws[1]]
    (line,) = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[1] == "A1-02"]
    shown = dict(zip(headers, line, strict=True))
    assert shown["Valore raggiunto"] == "8 pratiche su 10"
    assert shown["Motivo dello scostamento"] == "Due pratiche sospese dalla Soprintendenza."
    assert shown["Motivazione del Nucleo"] == "Una pratica conclusa dopo la scadenza."


def test_a_number_typed_as_text_is_read_as_the_number(cycle: Cycle) -> None:
    _input("AREA1", "obiettivo/AREA1.A1-02/raggiungimento", "85,5")(cycle)
    results = run(cycle)
    (o,) = [o for o in results.outcome.obiettivi if o.obiettivo.id == "AREA1.A1-02"]
    assert o.dichiarato == Decimal("85.5")


def test_a_person_with_a_bad_input_is_provisional_and_the_others_count(cycle: Cycle) -> None:
    _input("AREA1", "dipendente/203/utenza", "otto")(cycle)
    results = run(cycle)
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["203"].stato == "incompleto"
    assert people["202"].stato == "valutato"
    assert people["202"].punteggio == Decimal(60)


# --- the sources ----------------------------------------------------------------------------


def test_the_newest_version_counts_and_the_others_are_superseded(cycle: Cycle) -> None:
    key = "dipendente/202/qualita"
    cell = cell_of(cycle, "AREA1", key)
    saved_on(deliver(cycle, "AREA1", as_name="AREA1-prima.xlsx"), 20)
    later = deliver(
        cycle,
        "AREA1",
        as_name="AREA1-corretto.xlsx",
        edit=lambda wb: wb["Valutazioni"].__setitem__(cell, 6),
    )
    saved_on(later, 25)
    results = run(cycle)
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["202"].punteggio == Decimal(56)  # 60 − 10 + 6: the later file counts
    superseded = [a for a in results.outcome.anomalie if a.codice is Codice.REC_VERSIONE_SUPERATA]
    assert [a.file for a in superseded] == ["ricevuti/AREA1-prima.xlsx"]
    (s,) = [s for s in results.outcome.moduli if s.modulo == "AREA1"]
    assert s.versione is not None
    assert s.versione.documento.etichetta == "ricevuti/AREA1-corretto.xlsx"
    ledger = (cycle.archivio / "registro.csv").read_text(encoding="utf-8-sig")
    assert "AREA1-prima.xlsx;" in ledger and ";superato;" in ledger and ";usato;" in ledger


def test_a_damaged_cell_is_named_by_file_sheet_and_cell(cycle: Cycle) -> None:
    """A cell the XML gives twice: the file is refused, and the anomaly says where."""
    from .test_reader import rezip

    target = deliver(cycle, "AREA1", "AREA2")

    def twice(parts: dict[str, bytes]) -> None:
        xml = parts["xl/worksheets/sheet2.xml"]
        end = xml.index(b"</sheetData>")
        extra = b'<row r="1"><c r="A1" t="str"><v>altro</v></c></row>'
        parts["xl/worksheets/sheet2.xml"] = xml[:end] + extra + xml[end:]

    target.write_bytes(rezip(target.read_bytes(), twice))
    results = run(cycle)
    (found,) = [a for a in results.outcome.anomalie if a.codice is Codice.ING_ZIP_DANNEGGIATO]
    assert (found.file, found.foglio, found.cella) == ("ricevuti/AREA2.xlsx", "Obiettivi", "A1")
    assert "cella ripetuta" in found.messaggio
    assert any(
        v.persona.area == "AREA1" and v.stato == "valutato" for v in results.outcome.valutazioni
    )


def test_the_inputs_of_a_superseded_version_are_not_reported(cycle: Cycle) -> None:
    """Inputs are checked where each file is read; only the version that counts has its
    mistakes reported (the Responsabile has already corrected the older one)."""
    key = "dipendente/202/qualita"
    cell = cell_of(cycle, "AREA1", key)
    wrong = deliver(
        cycle,
        "AREA1",
        as_name="AREA1-prima.xlsx",
        edit=lambda wb: wb["Valutazioni"].__setitem__(cell, "ottimo"),
    )
    saved_on(wrong, 20)
    saved_on(deliver(cycle, "AREA1", as_name="AREA1-corretto.xlsx"), 25)
    codes = {a.codice for a in run(cycle).outcome.anomalie}
    assert Codice.REC_VERSIONE_SUPERATA in codes
    assert Codice.REC_TESTO_NON_NUMERO not in codes

    saved_on(wrong, 28)  # now the wrong one is the newest: its mistake counts
    found = [a for a in run(cycle).outcome.anomalie if a.codice is Codice.REC_TESTO_NON_NUMERO]
    assert [(a.file, a.foglio, a.cella) for a in found] == [
        ("ricevuti/AREA1-prima.xlsx", "Valutazioni", cell)
    ]


def test_the_nucleo_validation_stands_over_the_declaration(cycle: Cycle) -> None:
    key = "obiettivo/AREA1.A1-01/raggiungimento"
    cell = cell_of(cycle, "nucleo", key)
    deliver(cycle, "AREA1", "AREA2", "AREA3")
    deliver(cycle, "nucleo", edit=lambda wb: wb["Obiettivi"].__setitem__(cell, 70))
    results = run(cycle)
    (a,) = [a for a in results.outcome.anomalie if a.codice is Codice.REC_RAGGIUNGIMENTO_DIVERSO]
    assert (a.file, a.foglio, a.cella, a.gravita) == (
        "ricevuti/nucleo.xlsx",
        "Obiettivi",
        cell,
        Gravita.AVVISO,
    )
    assert "100%" in a.messaggio and "70%" in a.messaggio
    # AREA1: (10 × 70 + 50 × 100) / 60 = 95%; an employee's derived item: 20 × 95% = 19
    assert results.outcome.aree["AREA1"] == Decimal("95.00")
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["201"].punteggio == Decimal(59)
    assert people["101"].punteggio == Decimal(96)  # PO: 60 − 10 + 7 + 39


def test_an_objective_the_nucleo_left_blank_uses_the_declaration_for_now(cycle: Cycle) -> None:
    key = "obiettivo/AREA2.A2-03/raggiungimento"
    cell = cell_of(cycle, "nucleo", key)
    deliver(cycle, "AREA1", "AREA2", "AREA3")
    deliver(cycle, "nucleo", edit=lambda wb: wb["Obiettivi"].__setitem__(cell, None))
    results = run(cycle)
    codes = {(a.codice, a.gravita) for a in results.outcome.anomalie}
    assert (Codice.REC_RAGGIUNGIMENTO_NON_VALIDATO, Gravita.AVVISO) in codes
    assert (Codice.REC_VALORE_MANCANTE, Gravita.ERRORE) in codes  # the Nucleo must fill it
    (o,) = [o for o in results.outcome.obiettivi if o.obiettivo.id == "AREA2.A2-03"]
    assert (o.validato, o.raggiungimento) == (None, Decimal(100))


def test_missing_workbooks_are_errors_and_what_can_be_computed_is(cycle: Cycle) -> None:
    deliver(cycle, "AREA1", "AREA3")
    results = run(cycle)
    assert status(results) == {
        "AREA1": "ricevuto",
        "AREA2": "mancante",
        "AREA3": "ricevuto",
        "nucleo": "mancante",
    }
    missing = [
        (a.codice, a.file)
        for a in results.outcome.anomalie
        if a.codice is Codice.REC_MODULO_MANCANTE
    ]
    assert missing == [
        (Codice.REC_MODULO_MANCANTE, "moduli/AREA2.xlsx"),
        (Codice.REC_MODULO_MANCANTE, "moduli/nucleo.xlsx"),
    ]
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["201"].stato == "valutato"  # on the Responsabile's declared achievement
    assert people["101"].stato == "in attesa"
    assert cli.main(["reconcile", "--dir", str(cycle.root)]) == 1


def test_the_roster_and_the_workbooks_must_agree(cycle: Cycle) -> None:
    """After generation the Piano gained a person, lost one, and one is no longer evaluable:
    each case is reported, and the Piano change is flagged."""
    deliver(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    wb = openpyxl.load_workbook(cycle.piano_path)
    ws = wb["Personale"]
    ws.append(["230", "Nuovi", "Nino", "M", "C1", "AREA3", "dipendente"])
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "219":
            ws.delete_rows(row[0].row)
            break
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "216":
            row[7].value = "2017-10-01"
    wb.save(cycle.piano_path)
    results = run(cycle)
    codes = {(a.codice, a.gravita) for a in results.outcome.anomalie}
    assert (Codice.REC_PIANO_MODIFICATO, Gravita.AVVISO) in codes
    texts = {a.codice: a.messaggio for a in results.outcome.anomalie}
    assert "230" in texts[Codice.REC_PERSONA_NON_VALUTATA]
    assert "219" in texts[Codice.REC_PERSONA_SCONOSCIUTA]
    assert "216" in texts[Codice.REC_NON_VALUTABILE]
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["216"].stato == "non valutabile"


# --- files that are not workbooks, and the done-when mix -------------------------------------


def test_a_mixed_folder_gives_one_anomaly_per_problem_and_results_for_every_good_area(
    cycle: Cycle, tmp_path: Path
) -> None:
    """Good, superseded, tampered and broken files together: exit code 1, each problem at its
    place, results for the good Areas, every received file byte-identical afterwards."""
    from .test_reader import _encrypt

    deliver(cycle, "AREA1", "nucleo")
    saved_on(deliver(cycle, "AREA3", as_name="AREA3-vecchio.xlsx"), 2)
    saved_on(deliver(cycle, "AREA3", as_name="AREA3.xlsx"), 9)
    deliver(cycle, "AREA2", edit=TAMPERING["a weight changed"][0])
    broken = cycle.ricevuti / "altro"
    broken.mkdir()
    (broken / "vuoto.xlsx").write_bytes(b"")
    (broken / "lettera.xlsx").write_text("non è un foglio", encoding="utf-8")
    (broken / "cifrato.xlsx").write_bytes(
        _encrypt((cycle.root / "compilati" / "AREA2.xlsx").read_bytes())
    )
    (broken / "scheda-firmata.pdf").write_bytes(b"%PDF-1.4 firmata")
    before = digest(cycle.ricevuti)

    code = cli.main(["reconcile", "--dir", str(cycle.root)])

    assert code == 1
    assert digest(cycle.ricevuti) == before
    data = json.loads((cycle.risultati / "risultati-2017.json").read_text())
    got = {(a["codice"], a["file"], a["foglio"], a["cella"]) for a in data["anomalie"]}
    assert got == {
        ("REC-CELLA-MODIFICATA", "ricevuti/AREA2.xlsx", "Obiettivi", "F5"),
        ("REC-VERSIONE-SUPERATA", "ricevuti/AREA3-vecchio.xlsx", "", ""),
        ("ING-FILE-VUOTO", "ricevuti/altro/vuoto.xlsx", "", ""),
        ("ING-NON-FOGLIO", "ricevuti/altro/lettera.xlsx", "", ""),
        ("ING-CIFRATO", "ricevuti/altro/cifrato.xlsx", "", ""),
        ("ING-ALLEGATO-IGNORATO", "ricevuti/altro/scheda-firmata.pdf", "", ""),
    }
    assert data["stato"]["con_errori"] == ["AREA2"]
    valutati = {v["matricola"] for v in data["valutazioni"] if v["stato"] == "valutato"}
    assert {"201", "216", "101"} <= valutati and "208" not in valutati
    archived = {p.name for p in cycle.archivio.iterdir()}
    assert "registro.csv" in archived and len(archived) == 1 + 9  # every file received


def test_outputs_are_identical_on_identical_inputs(cycle: Cycle) -> None:
    deliver(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    run(cycle)
    first = {
        p.relative_to(cycle.risultati): p.read_bytes()
        for p in cycle.risultati.rglob("*")
        if p.is_file()
    }
    run(cycle)
    assert {
        p.relative_to(cycle.risultati): p.read_bytes()
        for p in cycle.risultati.rglob("*")
        if p.is_file()
    } == first
    assert not [p for p in cycle.risultati.iterdir() if p.name.startswith(".")]


def test_a_results_workbook_that_cannot_be_written_leaves_every_output_as_it_was(
    cycle: Cycle,
) -> None:
    """The three outputs are replaced together: never a new JSON (here: definitive) beside an
    old workbook (here: provisional), which `valuta send` would mail."""
    deliver(cycle, "AREA1", "AREA2", "nucleo")  # AREA3 missing: provisional
    run(cycle)
    outputs = [
        *(p for p in cycle.risultati.rglob("*") if p.is_file()),
        cycle.archivio / "registro.csv",
    ]
    before = {p: p.read_bytes() for p in outputs}
    workbook = cycle.risultati / "risultati-2017.xlsx"
    workbook.rename(cycle.root / "vecchia.xlsx")
    workbook.mkdir()  # in the way: the new workbook cannot take its place
    deliver(cycle, "AREA3")  # a new arrival: new JSON and new ledger row, if saved
    with pytest.raises(IsADirectoryError):
        run(cycle)
    workbook.rmdir()
    (cycle.root / "vecchia.xlsx").rename(workbook)
    assert {p: p.read_bytes() for p in outputs} == before
    assert not [p for p in cycle.risultati.iterdir() if p.name.startswith(".")]


def test_text_from_received_files_is_written_as_text(cycle: Cycle) -> None:
    key = "obiettivo/AREA1.A1-01/evidenze"
    cell = cell_of(cycle, "AREA1", key)
    payload = '=HYPERLINK("http://example.invalid","clic")'

    def as_text(wb: openpyxl.Workbook) -> None:
        target = wb["Obiettivi"][cell]
        target.value = payload
        target.data_type = "s"  # typed as text (e.g. with a leading apostrophe)

    deliver(cycle, "AREA1", edit=as_text)
    run(cycle)
    wb = openpyxl.load_workbook(cycle.risultati / "risultati-2017.xlsx")
    ws = wb["Obiettivi"]
    values = [c for row in ws.iter_rows() for c in row if c.value == payload]
    assert values and all(c.data_type == "s" for c in values)


def test_the_results_workbook_has_every_sheet_and_a_native_chart(cycle: Cycle) -> None:
    import zipfile

    deliver(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    run(cycle)
    path = cycle.risultati / "risultati-2017.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == [
        "Riepilogo",
        "Anomalie",
        "Relazione",
        "Valutazioni",
        "Voci",
        "Obiettivi",
        "Premi",
        "Trasparenza",
    ]
    with zipfile.ZipFile(path) as zf:
        assert "xl/charts/chart1.xml" in zf.namelist()


# --- files saved by LibreOffice ---------------------------------------------------------------

LO_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ciclo-lo"


@pytest.mark.parametrize("area_file", ["AREA1.xlsx", "AREA1.ods"])
def test_files_saved_by_libreoffice_reconcile_to_the_python_numbers(
    area_file: str, tmp_path: Path
) -> None:
    """Real files filled in and saved by LibreOffice (tests/fixtures/make_fixtures.py): every
    score equals the Python engine's on the answers that were typed."""
    from workbook.generate import cycle_context
    from workbook.generate.compose import build
    from workbook.piano.load import load_piano

    root = tmp_path / "ciclo"
    shutil.copytree(LO_FIXTURES, root)
    cycle = Cycle(root)
    cycle.ricevuti.mkdir(exist_ok=True)
    for name in (area_file, "nucleo.ods"):
        shutil.copy(root / "salvati-da-libreoffice" / name, cycle.ricevuti / name)
    typed = json.loads((root / "risposte.json").read_text(encoding="utf-8"))
    answers = {
        m: {k: (Decimal(v) if k.rsplit("/", 1)[1] != "evidenze" else v) for k, v in a.items()}
        for m, a in typed.items()
    }
    results = run(cycle)
    codes = {a.codice for a in results.outcome.anomalie}
    assert Codice.REC_RAGGIUNGIMENTO_DIVERSO in codes  # typed on purpose: 87,5% vs 85%
    assert not {c for c in codes if c.gravita is Gravita.ERRORE} - {Codice.REC_MODULO_MANCANTE}
    assert status(results)["AREA1"] == status(results)["nucleo"] == "ricevuto"
    # Expected: the Responsabile's workbook recomputed with the Nucleo's validated figures.
    piano, _ = load_piano(cycle.piano_path)
    from workbook.cycle import generation_record

    ctx = cycle_context(cycle, piano, generation_record(cycle)[1])  # type: ignore[index]
    validated = {k: v for k, v in answers["nucleo"].items() if k.startswith("obiettivo/")}
    model = build(ctx, "AREA1", {**answers["AREA1"], **validated})
    nucleo = build(ctx, "nucleo", answers["nucleo"])
    from .helpers import expected_results

    expected = {**expected_results(model), **expected_results(nucleo)}
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    compared = 0
    for key, want in expected.items():
        soggetto, matricola, voce = key.split("/")
        if soggetto not in ("dipendente", "eq") or voce != "totale":
            continue
        if soggetto == "eq" and matricola != "101":
            continue  # the other PO's Areas were not received: their results wait
        assert people[matricola].punteggio == want, key
        compared += 1
    assert compared == 8  # seven employees of AREA1 and its PO
    # By hand: AREA1 = (10×100 + 10×100 + 8×85 + 4×8×100) / 60 = 98% (the Nucleo's 85%, not
    # the declared 87,5%); derived item 20 × 98% = 19,6; 201 = 7 + 10 + 10 + 10 + 19,6.
    assert people["201"].punteggio == Decimal("56.60")


def test_the_parallel_reading_path_gives_every_file_its_verdict(
    cycle: Cycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From PARALLEL_FROM files on, the files are read by a pool of processes (as for every
    Comune with 24 or more of them): each still gets its verdict and its ledger row."""
    import os
    import zipfile

    import workbook.reconcile as reconcile_module

    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # a pool even on a single-core machine
    deliver(cycle, "AREA1", "AREA2", "AREA3", "nucleo")
    copies = reconcile_module.PARALLEL_FROM
    for i in range(copies):  # the same modulo, each copy its own bytes (a comment in the zip)
        target = cycle.ricevuti / f"AREA1-copia-{i:02d}.xlsx"
        shutil.copy(cycle.ricevuti / "AREA1.xlsx", target)
        with zipfile.ZipFile(target, "a") as zf:
            zf.comment = f"copia {i}".encode()
    results = run(cycle)
    assert len(results.outcome.documenti) == copies + 4 >= reconcile_module.PARALLEL_FROM
    assert [v.documento for v in results.outcome.verifiche] == results.outcome.documenti
    assert all(v.modulo for v in results.outcome.verifiche)
    rows = {}
    with (cycle.archivio / "registro.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            rows[row["origine"]] = row["stato"]
    assert len(rows) == copies + 4
    assert sorted(rows.values()).count("usato") == 4
    assert sorted(rows.values()).count("superato") == copies
    assert not results.outcome.ha_errori
