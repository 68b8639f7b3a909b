"""`valuta generate --nucleo-aggiornato`: the Nucleo's modulo shows, read-only, what each
Responsabile declared and wrote; a Nucleo modulo already filled in stays valid."""

from __future__ import annotations

import shutil
import warnings
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from workbook.anomalies import Codice
from workbook.cli import main
from workbook.cycle import Cycle
from workbook.errors import CycleError
from workbook.generate.aggiornato import generate_nucleo_aggiornato
from workbook.generate.layout import FIRST_ROW
from workbook.pipeline import reconcile_and_report

from .conftest import ANSWERS
from .helpers import piano_of, read_map

HOSTILE = '=HYPERLINK("http://example.invalid","clic")'
DECLARED = "Dichiarato dal Responsabile (%)"
REPORT = "Relazione del Responsabile, valore raggiunto e motivo dello scostamento"


def _load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def _cell(path: Path, key: str) -> str:
    return next(e.cella for e in read_map(path) if e.chiave == key)


def _deliver(cycle: Cycle, modulo: str, source: Path | None = None, **cells: object) -> Path:
    """A filled workbook into ricevuti/, with `cells` (map key → value) typed over it."""
    source = source or cycle.root / "compilati" / f"{modulo}.xlsx"
    target = cycle.ricevuti / f"{modulo}-{len(list(cycle.ricevuti.iterdir()))}.xlsx"
    shutil.copy(source, target)
    if cells:
        wb = _load(target)
        for key, value in cells.items():
            cell = wb["Obiettivi"][_cell(source, key.replace("__", "/"))]
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # typed as text, as with a leading apostrophe
        wb.save(target)
    return target


@pytest.fixture
def cycle(filled: Cycle, tmp_path: Path) -> Cycle:
    """AREA1 (A1-02 declared at 80%, with the value reached, the reason and a report that
    looks like a formula) and AREA2 returned and reconciled; AREA3 and the Nucleo not yet."""
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    cycle.ricevuti.mkdir(exist_ok=True)
    _deliver(
        cycle,
        "AREA1",
        **{
            "obiettivo__AREA1.A1-02__raggiungimento": 80,
            "obiettivo__AREA1.A1-02__valore_raggiunto": "8 pratiche su 10",
            "obiettivo__AREA1.A1-02__motivo_scostamento": "Due pratiche sospese.",
            "obiettivo__AREA1.A1-03__evidenze": HOSTILE,
        },
    )
    _deliver(cycle, "AREA2")
    reconcile_and_report(cycle)
    return cycle


def _rows(path: Path) -> dict[str, dict[str, object]]:
    """Each objective row of the Obiettivi sheet, by «<Area>.<codice>», as header → value."""
    ws = _load(path)["Obiettivi"]
    headers = [c.value for c in ws[FIRST_ROW]]
    out = {}
    for e in read_map(path):
        if e.chiave.startswith("obiettivo/") and e.chiave.endswith("/raggiungimento"):
            row = openpyxl.utils.cell.coordinate_to_tuple(e.cella)[0]
            out[e.chiave.split("/")[1]] = {
                h: ws.cell(row, i + 1) for i, h in enumerate(headers) if h
            }
    return out


def test_the_updated_modulo_shows_what_each_responsabile_declared(
    cycle: Cycle, capsys: pytest.CaptureFixture
) -> None:
    first = cycle.moduli / "nucleo.xlsx"
    first_map = [(e.chiave, e.foglio, e.cella, e.tipo) for e in read_map(first)]
    assert main(["generate", "--dir", str(cycle.root), "--nucleo-aggiornato"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    piano = piano_of(cycle)
    declared = sum(len(piano.obiettivi_area(a)) for a in ("AREA1", "AREA2"))
    assert f"dichiarazioni di {declared} obiettivi su 27" in out and "AREA3" in out
    path = cycle.moduli / "nucleo.xlsx"
    # The Nucleo fills the same cells as in the first edition.
    assert [(e.chiave, e.foglio, e.cella, e.tipo) for e in read_map(path)] == first_map
    rows = _rows(path)
    assert len(rows) == 27
    for ident, cells in rows.items():
        area = ident.split(".")[0]
        key = f"obiettivo/{ident}/raggiungimento"
        if area == "AREA3":
            assert cells[DECLARED].value == "modulo non ricevuto"
            continue
        want = Decimal(80) if ident == "AREA1.A1-02" else ANSWERS[area][key]
        assert Decimal(str(cells[DECLARED].value)) == want, ident
        evidence = ANSWERS[area].get(f"obiettivo/{ident}/evidenze")
        if ident != "AREA1.A1-03":
            assert str(cells[REPORT].value).startswith(str(evidence)), ident
        assert cells[DECLARED].protection.locked and cells[REPORT].protection.locked
    deviation = rows["AREA1.A1-02"][REPORT].value
    assert deviation.endswith(  # type: ignore[union-attr]
        "\nValore raggiunto: 8 pratiche su 10\nMotivo dello scostamento: Due pratiche sospese."
    )
    hostile = rows["AREA1.A1-03"][REPORT]
    assert hostile.value == HOSTILE and hostile.data_type == "s"  # text, never a formula


def test_a_nucleo_modulo_already_filled_stays_valid_and_so_does_the_updated_one(
    cycle: Cycle,
) -> None:
    generate_nucleo_aggiornato(cycle)
    updated = cycle.moduli / "nucleo.xlsx"
    # The Nucleo returns the first edition, filled in before the update…
    _deliver(cycle, "AREA3")
    _deliver(cycle, "nucleo")
    results = reconcile_and_report(cycle)
    codes = {a.codice for a in results.outcome.anomalie}
    assert Codice.REC_GENERAZIONE_PRECEDENTE not in codes
    assert [a.codice for a in results.outcome.anomalie if a.gravita.value == "errore"] == []
    # …then the updated edition, filled in with one achievement validated differently.
    answers = {k: v for k, v in ANSWERS["nucleo"].items() if k.startswith("obiettivo/")}
    filled = cycle.root / "aggiornato-compilato.xlsx"
    shutil.copy(updated, filled)
    wb = _load(filled)
    for key, value in answers.items():
        wb["Obiettivi"][_cell(updated, key)] = value
    wb["Obiettivi"][_cell(updated, "obiettivo/AREA1.A1-01/raggiungimento")] = 90
    for e in read_map(updated):
        if e.foglio == "Valutazioni" and e.is_input:
            wb["Valutazioni"][e.cella] = ANSWERS["nucleo"][e.chiave]
    wb.save(filled)
    _deliver(cycle, "nucleo", filled)
    results = reconcile_and_report(cycle)
    codes = {a.codice for a in results.outcome.anomalie}
    assert Codice.REC_GENERAZIONE_PRECEDENTE not in codes
    assert Codice.REC_CELLA_MODIFICATA not in codes
    (a1,) = [o for o in results.outcome.obiettivi if o.obiettivo.id == "AREA1.A1-01"]
    assert a1.validato == 90  # the newer version, the updated edition, counts


def test_the_declarations_are_signed_like_every_locked_cell(cycle: Cycle) -> None:
    generate_nucleo_aggiornato(cycle)
    updated = cycle.moduli / "nucleo.xlsx"
    target = cycle.ricevuti / "nucleo.xlsx"
    shutil.copy(updated, target)
    wb = _load(target)
    cell = _rows(updated)["AREA1.A1-02"][DECLARED]
    wb["Obiettivi"][cell.coordinate] = 100
    wb.save(target)
    results = reconcile_and_report(cycle)
    hits = [a for a in results.outcome.anomalie if a.codice is Codice.REC_CELLA_MODIFICATA]
    assert hits and (hits[0].foglio, hits[0].cella) == ("Obiettivi", cell.coordinate)


def test_the_update_needs_reconciled_results(filled: Cycle, tmp_path: Path) -> None:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    with pytest.raises(CycleError, match="Mancano i risultati riconciliati"):
        generate_nucleo_aggiornato(Cycle(root))


def test_distribute_sends_the_updated_modulo_to_the_nucleo_only(cycle: Cycle) -> None:
    from workbook.mail.deliver import deliver
    from workbook.mail.messages import plan_distribute

    first = deliver(cycle, plan_distribute(cycle))
    assert {e.messaggio.modulo for e in first.esiti if e.stato == "scritto"} == {
        "AREA1",
        "AREA2",
        "AREA3",
        "nucleo",
    }
    generate_nucleo_aggiornato(cycle)
    again = deliver(cycle, plan_distribute(cycle))
    (sent,) = [e for e in again.esiti if e.stato == "scritto"]
    assert sent.messaggio.modulo == "nucleo"
    assert "Questo modulo è aggiornato" in sent.messaggio.testo
    assert {e.stato for e in again.esiti if e.messaggio.modulo != "nucleo"} == {"già inviato"}


def _fill_updated(cycle: Cycle, name: str) -> Path:
    """The Nucleo fills the updated modulo now in moduli/ and sends it back as `name`."""
    updated = cycle.moduli / "nucleo.xlsx"
    target = cycle.ricevuti / name
    shutil.copy(updated, target)
    wb = _load(target)
    for e in read_map(updated):
        if e.is_input and e.chiave in ANSWERS["nucleo"]:
            wb[e.foglio][e.cella] = ANSWERS["nucleo"][e.chiave]
    wb.save(target)
    return target


def test_updating_again_never_invalidates_an_update_already_filled(cycle: Cycle) -> None:
    """Two updates that differ only in when the declarations were read (the same
    declarations, a later reconcile) are two editions: the first, filled and returned,
    stays valid."""
    import time

    first = generate_nucleo_aggiornato(cycle)
    _fill_updated(cycle, "nucleo-A.xlsx")
    time.sleep(1.1)  # the next reconcile is later: its date is shown in the update
    reconcile_and_report(cycle)
    second = generate_nucleo_aggiornato(cycle)
    assert second.letti_il != first.letti_il
    outcome = reconcile_and_report(cycle).outcome
    bad = {Codice.REC_IDENTITA_INCOERENTE, Codice.REC_CELLA_MODIFICATA}
    assert not [a for a in outcome.anomalie if a.codice in bad]
    assert {m.modulo: m.stato for m in outcome.moduli}["nucleo"] == "ricevuto"


def test_a_piano_saved_again_only_warns(cycle: Cycle, capsys: pytest.CaptureFixture) -> None:
    """The Segreteria fills in the acts of the Ente sheet at year end (or just saves the
    Piano again): reconcile warns (REC-PIANO-MODIFICATO) and so does the update, which is
    still written; `generate --force` is not suggested (it would make every returned modulo
    «of an older generation»)."""
    wb = _load(cycle.piano_path)
    ente = wb["Ente"]
    (row,) = [r for r in ente.iter_rows(min_row=2) if r[0].value == "Provincia"]
    row[1].value = "Provincia di Bergamo"
    wb.save(cycle.piano_path)
    assert main(["generate", "--dir", str(cycle.root), "--nucleo-aggiornato"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Il Piano è stato modificato dopo la generazione dei moduli" in out
    assert "--force" not in out


def test_the_results_must_be_newer_than_the_generation_by_the_same_clock(cycle: Cycle) -> None:
    """Stale results (written before the moduli were generated again) are refused, whatever
    the time zone of the dates inside the received files."""
    import os

    from workbook.cycle import generation_record

    results = cycle.risultati / "risultati-2017.json"
    generated = generation_record(cycle)[1]  # type: ignore[index]
    before = generated.timestamp() - 60
    os.utime(results, (before, before))
    with pytest.raises(CycleError, match="precedenti all'ultima generazione"):
        generate_nucleo_aggiornato(cycle)
    now = generated.timestamp() + 60
    os.utime(results, (now, now))
    assert generate_nucleo_aggiornato(cycle).path.is_file()


def test_an_area_returned_with_errors_still_shows_what_it_declared(
    filled: Cycle, tmp_path: Path
) -> None:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    _deliver(cycle, "AREA1")
    bad = cycle.ricevuti / "AREA2-x.xlsx"
    shutil.copy(cycle.root / "compilati" / "AREA2.xlsx", bad)
    wb = _load(bad)
    key = next(e for e in read_map(bad) if e.is_input and e.foglio == "Valutazioni")
    wb["Valutazioni"][key.cella] = None  # a score missing: «con errori»
    wb.save(bad)
    reconcile_and_report(cycle)
    result = generate_nucleo_aggiornato(cycle)
    assert result.aree_mancanti == ("AREA3",)
    assert result.aree_con_errori == ("AREA2",)
