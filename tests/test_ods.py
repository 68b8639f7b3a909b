"""The Piano and the Sistema saved by LibreOffice in its own format (.ods): read as the .xlsx
are, with the same checks, codes and rows; and what valuta says when the Piano is missing,
twice, or in a form it does not read (issue 17, item 3)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from workbook.anomalies import Codice
from workbook.cli import main
from workbook.cycle import Cycle, init_cycle
from workbook.errors import AnomaliesError, CycleError
from workbook.generate import generate
from workbook.office import convert, find_soffice
from workbook.piano.load import load_piano
from workbook.sistema.load import load_sistema_file

from .conftest import NOW
from .helpers import read_map

# A Piano with a mistake of each kind the rows can hold, and the cells that make them.
BROKEN_PIANO = {
    ("Personale", "A7"): "201",  # duplicate matricola
    ("Personale", "F8"): "AREA 2",  # unknown Area
    ("Personale", "H9"): "31/02/2017",  # a date that does not exist
    ("Personale", "J10"): "tanto",  # part-time in words
    ("Obiettivi", "H2"): 12,  # the weights of AREA1 no longer 60
    ("Aree", "D3"): "non-un-indirizzo",  # e-mail of a Responsabile
}
BROKEN_SISTEMA = {("Voci", "G4"): "decimo", ("Fasce", "D2"): 150, ("Schede", "D2"): "sindaco"}


def _soffice_or_skip() -> None:
    if find_soffice() is None:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice richiesto ma non disponibile")
        pytest.skip("LibreOffice non disponibile")


def _edit(path: Path, cells: dict[tuple[str, str], object], target: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell] = value
    wb.save(target)
    return target


def _ente_row(path: Path, label: str) -> int:
    wb = openpyxl.load_workbook(path, read_only=True)
    for i, row in enumerate(wb["Ente"].iter_rows(values_only=True), start=1):
        if row and row[0] == label:
            return i
    raise AssertionError(label)


@pytest.fixture(scope="module")
def saved_by_libreoffice(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two cycles of esempio-2025: `xlsx` as init writes it, and `ods` whose piano.ods and
    sistema.ods (named in its Ente sheet) LibreOffice converted from the same files; and a
    broken Piano and Sistema in both forms. One LibreOffice run for every file."""
    _soffice_or_skip()
    base = tmp_path_factory.mktemp("ods")
    xlsx = init_cycle(base / "xlsx", "esempio-2025")
    ods = init_cycle(base / "ods", "esempio-2025")
    row = _ente_row(ods.piano_path, "Sistema di valutazione")
    work = base / "lavoro"
    work.mkdir()
    piano = _edit(ods.piano_path, {("Ente", f"B{row}"): "sistema.ods"}, work / "piano.xlsx")
    shutil.copyfile(ods.root / "sistema.xlsx", work / "sistema.xlsx")
    almenno = init_cycle(base / "almenno", "almenno-2017")
    rotto = _edit(almenno.piano_path, BROKEN_PIANO, work / "piano-rotto.xlsx")
    sistema_rotto = _edit(almenno.root / "sistema.xlsx", BROKEN_SISTEMA, work / "rotto.xlsx")
    sources = [piano, work / "sistema.xlsx", rotto, sistema_rotto]
    made = convert(sources, "ods", work)
    for path in (ods.piano_path, ods.root / "sistema.xlsx"):
        path.unlink()  # the .ods only: nothing read from the .xlsx by mistake
    shutil.copyfile(made[0], ods.root / "piano.ods")
    shutil.copyfile(made[1], ods.root / "sistema.ods")
    return {
        "xlsx": xlsx.root,
        "ods": ods.root,
        "piano-rotto.xlsx": rotto,
        "piano-rotto.ods": made[2],
        "rotto.xlsx": sistema_rotto,
        "rotto.ods": made[3],
    }


def test_generate_from_piano_ods_and_sistema_ods_writes_the_same_moduli(
    saved_by_libreoffice: dict[str, Path], tmp_path: Path
) -> None:
    roots = {}
    for form in ("xlsx", "ods"):
        roots[form] = tmp_path / form
        shutil.copytree(saved_by_libreoffice[form], roots[form])
    ods = Cycle(roots["ods"])
    assert ods.piano_path.name == "piano.ods"
    piano, _ = load_piano(ods.piano_path)
    assert piano.origine == "piano.ods" and piano.sistema.origine == "sistema.ods"
    results = {form: generate(Cycle(root), now=NOW, workers=1) for form, root in roots.items()}
    names = {form: [p.name for p in r.moduli] for form, r in results.items()}
    assert names["ods"] == names["xlsx"] and len(names["ods"]) > 2
    for name in names["ods"]:
        assert read_map(roots["ods"] / "moduli" / name) == read_map(
            roots["xlsx"] / "moduli" / name
        ), name


def test_the_command_line_reads_piano_ods(
    saved_by_libreoffice: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "c"
    shutil.copytree(saved_by_libreoffice["ods"], root)
    assert main(["generate", "--dir", str(root), "--controlla"]) == 0
    assert main(["generate", "--dir", str(root)]) == 0
    assert "Generati" in capsys.readouterr().out


def _piano_problems(path: Path) -> list[tuple[str, str, str, int | None]]:
    with pytest.raises(AnomaliesError) as exc:
        load_piano(path)
    return [(a.codice.code, a.file, a.foglio, a.riga) for a in exc.value.anomalies]


def test_a_broken_piano_ods_has_the_anomalies_of_the_broken_xlsx(
    saved_by_libreoffice: dict[str, Path],
) -> None:
    from_xlsx = _piano_problems(saved_by_libreoffice["piano-rotto.xlsx"])
    from_ods = _piano_problems(saved_by_libreoffice["piano-rotto.ods"])
    assert {code for code, *_ in from_xlsx} >= {
        Codice.PIANO_MATRICOLA_DUPLICATA.code,
        Codice.PIANO_AREA_SCONOSCIUTA.code,
        Codice.PIANO_DATA_NON_VALIDA.code,
        Codice.PIANO_NUMERO_NON_VALIDO.code,
        Codice.PIANO_PESI.code,
        Codice.PIANO_EMAIL_NON_VALIDA.code,
    }
    assert [(c, f.replace(".ods", ".xlsx"), s, r) for c, f, s, r in from_ods] == from_xlsx
    assert {f for _, f, _, _ in from_ods} == {"piano-rotto.ods"}


def _sistema_problems(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(AnomaliesError) as exc:
        load_sistema_file(path)
    return [(a.codice.code, a.foglio, a.cella) for a in exc.value.anomalies]


def test_a_broken_sistema_ods_has_the_anomalies_of_the_broken_xlsx(
    saved_by_libreoffice: dict[str, Path],
) -> None:
    from_xlsx = _sistema_problems(saved_by_libreoffice["rotto.xlsx"])
    assert ("SIST-SCALA-SCONOSCIUTA", "Voci", "G4") in from_xlsx
    assert ("SIST-VALORE-NON-VALIDO", "Fasce", "D2") in from_xlsx
    assert _sistema_problems(saved_by_libreoffice["rotto.ods"]) == from_xlsx


# --- which Piano, and when there is none (no LibreOffice needed) ------------------------------


def test_piano_xlsx_and_piano_ods_together_are_refused_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cycle = init_cycle(tmp_path / "c", "almenno-2017")
    shutil.copyfile(cycle.piano_path, cycle.root / "piano.ods")
    with pytest.raises(CycleError):
        load_piano(cycle.piano_path)
    for command in (["generate"], ["generate", "--controlla"], ["reconcile"]):
        assert main([*command, "--dir", str(cycle.root)]) == 2
        text = " ".join(capsys.readouterr().err.split())
        assert "piano.xlsx salvato il" in text and "piano.ods salvato il" in text, text
        assert "Traceback" not in text
    assert not list(cycle.moduli.glob("*.xlsx"))


def test_only_piano_ods_is_the_piano(tmp_path: Path) -> None:
    cycle = init_cycle(tmp_path / "c", "almenno-2017")
    assert cycle.piano_path.name == "piano.xlsx"
    cycle.piano_path.rename(cycle.root / "piano.ods")
    assert cycle.piano_path == cycle.root / "piano.ods"


@pytest.mark.parametrize("other", [None, "piano.xls", "piano.csv"])
def test_a_missing_piano_is_said_in_italian(
    other: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cycle = init_cycle(tmp_path / "c", "almenno-2017")
    if other:
        cycle.piano_path.rename(cycle.root / other)
    else:
        cycle.piano_path.unlink()
    assert main(["generate", "--dir", str(cycle.root)]) == 2
    text = " ".join(capsys.readouterr().err.split())
    assert "manca il Piano" in text and "piano.ods" in text, text
    assert (f"C'è {other}" in text) if other else "valuta init" in text
    assert "Errno" not in text and "No such file" not in text and "Traceback" not in text


@pytest.mark.parametrize("name", ["piano.xls", "piano.csv", "piano"])
def test_a_piano_in_another_format_is_a_piano_file_anomaly(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"Ente;Aree\n")
    [problem] = [a for a in _anomalies(path)]
    assert problem.codice is Codice.PIANO_FILE and ".xlsx e .ods" in problem.messaggio


def _anomalies(path: Path) -> list:
    with pytest.raises(AnomaliesError) as exc:
        load_piano(path)
    return exc.value.anomalies


def test_a_sistema_in_another_format_is_named_as_such(tmp_path: Path) -> None:
    cycle = init_cycle(tmp_path / "c", "almenno-2017")
    row = _ente_row(cycle.piano_path, "Sistema di valutazione")
    _edit(cycle.piano_path, {("Ente", f"B{row}"): "sistema.xls"}, cycle.piano_path)
    (cycle.root / "sistema.xlsx").rename(cycle.root / "sistema.xls")
    codes = [(a.codice, a.file) for a in _anomalies(cycle.piano_path)]
    assert (Codice.SIST_FILE, "sistema.xls") in codes
