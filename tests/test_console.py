"""The console in a default terminal of 80 columns (issue 17, item 6): every command of a cycle
whose folder is nested deep and whose people have long names prints lines no wider than the
terminal, with every path and every name of the Piano whole on one line."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from workbook import console as console_module
from workbook.cli import main
from workbook.console import Whole, lay_out, shown_path
from workbook.cycle import load_sample
from workbook.demo import fill_from_answers, sample_answers

WIDTH = 80
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
# Longer than any name of the sample, as Italian names can be.
LONG_NAMES = {
    "101": ("Ferrari De Santis", "Giovanni Battista Maria"),
    "201": ("Colombo Bianchi", "Elena Francesca Antonietta"),
    "301": ("Ricci Lo Presti", "Paola Maria Concetta"),
}
LONG_AREA = "Area dei Servizi Demografici, Elettorali, di Stato Civile e della Polizia Locale"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """valuta's consoles as in a terminal of 80 columns (rich reads COLUMNS), without colours
    (the escape sequences of colours are not characters on the screen)."""
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    for c in (console_module.console, console_module.err):
        monkeypatch.setattr(c, "_force_terminal", True)
        monkeypatch.setattr(c, "_color_system", None)


def _screen(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = capsys.readouterr()
    text = ANSI.sub("", out.out + "\n" + out.err)
    # The progress bar redraws its line with \r: each drawing is a line of the screen.
    return [part for line in text.splitlines() for part in line.split("\r")]


def _long_cycle(root: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert main(["init", str(root), "--esempio", "almenno-2017"]) == 0
    wb = openpyxl.load_workbook(root / "piano.xlsx")
    people = wb["Personale"]
    header = [c.value for c in people[1]]
    col = {name: header.index(name) for name in ("Matricola", "Cognome", "Nome")}
    for row in people.iter_rows(min_row=2):
        names = LONG_NAMES.get(str(row[col["Matricola"]].value))
        if names:
            row[col["Cognome"]].value, row[col["Nome"]].value = names
    aree = wb["Aree"]
    aree["B2"] = LONG_AREA
    wb.save(root / "piano.xlsx")
    settings = root / "valuta.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace(
            "destinatari = []", 'destinatari = ["Sindaco del Comune <sindaco@almenno-sb.example>"]'
        ),
        encoding="utf-8",
    )
    return root


def _check(lines: list[str], names: list[str], paths: list[str]) -> None:
    """No line wider than the terminal; every name and path printed is whole on a line."""
    wide = [line for line in lines if len(line) > WIDTH]
    assert wide == [], "\n".join(wide)
    flat = " ".join(" ".join(lines).split())
    for thing in [*names, *paths]:
        if thing in flat:
            assert any(thing in line for line in lines), f"«{thing}» spezzato su due righe"


def _people_names() -> list[str]:
    names = [f"{c} {n}" for c, n in LONG_NAMES.values()]
    names += [f"{n} {c}" for c, n in LONG_NAMES.values()]
    for p in load_sample("almenno-2017")["personale"]:
        names += [f"{p['cognome']} {p['nome']}", f"{p['nome']} {p['cognome']}"]
    return names


def _paths(root: Path) -> list[str]:
    found = [str(p.relative_to(root)) for p in root.rglob("*") if ".valuta" not in p.parts]
    return [*found, *(Path(p).name for p in found)]


def test_every_command_fits_80_columns_with_paths_and_names_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terminal: None
) -> None:
    deep = tmp_path.joinpath(
        "Comune di Almenno San Bartolomeo", "Segreteria Generale", "Valutazione della performance"
    )
    root = _long_cycle(deep / "ciclo 2017", capsys)
    d = ["--dir", str(root)]
    screens: list[list[str]] = [_screen(capsys)]
    for command, codes in [
        (["generate", "--controlla"], (0,)),
        (["generate"], (0,)),
        (["distribute", "--dry-run"], (0,)),
        (["distribute"], (0,)),
    ]:
        assert main([*command, *d]) in codes, command
        screens.append(_screen(capsys))
    from workbook.cycle import Cycle

    cycle = Cycle(root)
    answers = sample_answers(load_sample("almenno-2017", "risposte"))
    fill_from_answers(cycle, answers)
    (cycle.ricevuti / "AREA2.xlsx").unlink()
    junk = cycle.ricevuti / "Documento illeggibile arrivato per posta dal Comune.xlsx"
    junk.write_bytes(b"non un foglio di calcolo")
    impronta = hashlib.sha256(junk.read_bytes()).hexdigest()[:12]
    for command, codes in [
        (["reconcile"], (1,)),
        (["generate", "--nucleo-aggiornato"], (0,)),
        (["remind", "--dry-run"], (0, 1)),
        (["remind"], (0, 1)),
        (["accetta", impronta, "--nota", "un file di prova, non un modulo"], (0,)),
        (["send", "--dry-run", "--provvisorio"], (0,)),
        (["send", "--per-area", "--provvisorio"], (0, 1)),
        (["schede", "--provvisorio"], (0,)),
        (["relazione", "--provvisorio"], (0,)),
        (["validazione", "--provvisorio"], (0,)),
        (["trasparenza"], (2,)),  # refused on provisional results: said in Italian
        (["premi", "--sistema", str(root / "sistema.xlsx")], (0,)),
    ]:
        assert main([*command, *d]) in codes, command
        screens.append(_screen(capsys))
    shutil.copyfile(root / "sistema.xlsx", tmp_path / "sistema.xlsx")
    for command in (
        ["sistema", "controlla", str(root / "sistema.xlsx")],
        ["sistema", "converti", str(root / "sistema.xlsx"), str(tmp_path / "s.yaml")],
        ["generate", "--dir", str(deep / "nessun ciclo qui")],
        ["demo", str(deep / "ciclo dimostrativo")],
        ["trasparenza", "--dir", str(deep / "ciclo dimostrativo")],
        ["relazione", "--dir", str(deep / "ciclo dimostrativo"), "--pdf"],
    ):
        assert main(command) in (0, 2), command
        screens.append(_screen(capsys))
    shutil.copyfile(root / "piano.xlsx", root / "piano.ods")
    assert main(["generate", *d]) == 2
    screens.append(_screen(capsys))
    names, paths = _people_names(), _paths(root) + _paths(deep / "ciclo dimostrativo")
    # The folders, shortened from the left when a line cannot hold them, keep their ends whole.
    paths += [
        str(Path(deep.name, name))
        for name in ("ciclo 2017", "ciclo dimostrativo", "nessun ciclo qui")
    ]
    for lines in screens:
        _check(lines, names, paths)
    shown = "\n".join(line for lines in screens for line in lines)
    for expected in (
        "Ferrari De Santis Giovanni Battista Maria",
        "risultati/relazione-2017-PROVVISORIA.docx",
        "mancante",
    ):
        assert expected in shown, expected


def test_the_demo_fits_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], terminal: None
) -> None:
    root = tmp_path / "una cartella con un nome lungo" / "e un'altra ancora più lunga" / "demo"
    assert main(["demo", str(root)]) == 0
    lines = _screen(capsys)
    _check(lines, _people_names(), _paths(root))
    assert "  scritto risultati/risultati-2017.xlsx" in lines


def test_a_path_too_long_for_a_line_loses_its_first_folders_never_its_name() -> None:
    path = Path("/", *[f"cartella numero {i}" for i in range(8)], "relazione-2025.pdf")
    [first, second] = lay_out(["Scritto ", shown_path(path), "."], WIDTH)
    assert first.plain == "Scritto"
    assert second.plain.startswith("…/") and second.plain.endswith("/relazione-2025.pdf.")
    assert len(second.plain) <= WIDTH


def test_free_text_wraps_at_spaces_and_a_whole_piece_moves_to_the_next_line() -> None:
    words = "parola " * 12
    lines = [
        line.plain
        for line in lay_out([words, Whole("Ferrari De Santis Giovanni Battista"), "."], 60)
    ]
    assert all(len(line) <= 60 for line in lines)
    assert any("Ferrari De Santis Giovanni Battista." in line for line in lines)
    assert all(not line.rstrip().endswith("Ferrari") for line in lines)


def test_a_path_relative_to_the_cycle_folder(tmp_path: Path) -> None:
    assert shown_path(tmp_path / "risultati" / "x.pdf", tmp_path).text == str(
        Path("risultati", "x.pdf")
    )
    assert shown_path(tmp_path / "moduli", tmp_path, folder=True).text.endswith(
        str(Path("moduli")) + ("\\" if "\\" in str(tmp_path) else "/")
    )
    elsewhere = Path("/altrove/file.xlsx")
    assert shown_path(elsewhere, tmp_path).text == str(elsewhere)


def test_in_a_pipe_paths_stay_whole_and_each_anomaly_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redirected to a file (`valuta reconcile > esito.txt`): the same lines, except that each
    anomaly is one whole line, to search with an editor or findstr."""
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    root = tmp_path / "una cartella con un nome lungo" / "e un'altra ancora più lunga" / "demo"
    assert main(["demo", str(root)]) == 0
    (root / "ricevuti" / "AREA2.xlsx").unlink()
    assert main(["reconcile", "--dir", str(root)]) == 1
    lines = _screen(capsys)
    _check([line for line in lines if not line.startswith("errore ")], [], _paths(root))
    [missing] = [line for line in lines if "REC-MODULO-MANCANTE" in line]
    assert missing.startswith("errore REC-MODULO-MANCANTE") and "valuta remind" in missing


def test_a_wide_terminal_keeps_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the tables fit with every cell whole (a terminal of 200 columns), they stay."""
    monkeypatch.setenv("COLUMNS", "200")
    for c in (console_module.console, console_module.err):
        monkeypatch.setattr(c, "_force_terminal", True)
        monkeypatch.setattr(c, "_color_system", None)
    root = tmp_path / "demo"
    assert main(["demo", str(root)]) == 0
    (root / "ricevuti" / "AREA2.xlsx").unlink()
    assert main(["reconcile", "--dir", str(root)]) == 1
    lines = _screen(capsys)
    assert all(len(line) <= 200 for line in lines)
    header = next(line for line in lines if "Compilato da" in line)
    assert "File usato" in header and "Avvisi" in header
    assert any("Responsabile dell'Area AREA1, Ferrari Giovanni" in line for line in lines)
    assert any("REC-MODULO-MANCANTE" in line and "moduli/AREA2.xlsx" in line for line in lines)
