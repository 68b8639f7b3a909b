"""The command line: Italian help everywhere, exit codes 0/1/2, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook import cli

REPO = Path(__file__).resolve().parents[1]
COMMANDS = [c.name for c in cli.app.registered_commands]
ENGLISH = ("Show this message", "Usage:", "Options", "Arguments", "[default", "Error:")


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and everything printed, with white space folded."""
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, " ".join((out.out + out.err).split())


@pytest.mark.parametrize("command", ["", *[c for c in COMMANDS]])
def test_every_command_has_italian_help(command: str, capsys: pytest.CaptureFixture) -> None:
    code, text = run(*([command] if command else []), "--help", capsys=capsys)
    assert code == 0
    assert "Uso:" in text and "Mostra questo aiuto ed esce." in text
    for word in ENGLISH:
        assert word not in text, (command, word)


def test_every_command_and_option_documents_itself() -> None:
    import typer.main

    group = typer.main.get_command(cli.app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, name
        for param in command.params:
            assert getattr(param, "help", None), (name, param.name)


@pytest.mark.parametrize("entry", [["cli.py"], ["-m", "workbook.cli"]], ids=["cli.py", "-m"])
def test_the_command_runs_from_a_checkout_and_as_a_module(entry: list[str]) -> None:
    """`python cli.py` from a checkout, `py -m workbook.cli` where `valuta` is not on PATH."""
    proc = subprocess.run(
        [sys.executable, *entry, "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0 and proc.stdout.startswith("valuta ")


def test_init_and_generate_on_the_sample(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    cycle = tmp_path / "c"
    code, text = run("init", str(cycle), "--esempio", "almenno-2017", capsys=capsys)
    assert code == 0, text
    code, text = run("generate", "--dir", str(cycle), capsys=capsys)
    assert code == 0, text
    assert sorted(p.name for p in (cycle / "moduli").glob("*.xlsx")) == [
        "AREA1.xlsx",
        "AREA2.xlsx",
        "AREA3.xlsx",
        "nucleo.xlsx",
    ]
    assert "Generati 4 moduli" in text and "AREA3.xlsx" in text and "altri" not in text
    code, text = run("generate", "--dir", str(cycle), capsys=capsys)
    assert code == 2 and "--force" in text
    code, text = run("generate", "--dir", str(cycle), "--force", capsys=capsys)
    assert code == 0


def test_generate_lists_the_first_moduli_and_counts_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With hundreds of Aree the console does not scroll through every file name (the limit
    lowered here to 2)."""
    cycle = tmp_path / "c"
    run("init", str(cycle), "--esempio", "almenno-2017", capsys=capsys)
    monkeypatch.setattr(cli, "MODULES_SHOWN", 2)
    code, text = run("generate", "--dir", str(cycle), capsys=capsys)
    assert code == 0
    assert "nucleo.xlsx AREA1.xlsx … e altri 2 nella stessa cartella." in text
    assert "AREA3.xlsx" not in text


def test_a_broken_piano_exits_1_with_every_problem_by_sheet_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cycle = tmp_path / "c"
    run("init", str(cycle), "--esempio", "almenno-2017", capsys=capsys)
    wb = openpyxl.load_workbook(cycle / "piano.xlsx")
    wb["Personale"]["A7"] = "201"  # duplicate matricola
    wb["Personale"]["F8"] = "AREA 2"  # unknown Area
    wb["Obiettivi"]["H2"] = 12  # weights of AREA1 no longer 60
    wb.save(cycle / "piano.xlsx")
    code, text = run("generate", "--dir", str(cycle), capsys=capsys)
    assert code == 1
    flat = text
    for expected in (
        "PIANO-MATRICOLA-DUPLICATA",
        "PIANO-AREA-SCONOSCIUTA",
        "PIANO-PESI",
        "Personale, riga 7",
        "Personale, riga 8",
        "Obiettivi, riga 2",
        "forse intendeva «AREA2»",
    ):
        assert expected in flat, expected
    assert "Traceback" not in text
    assert not list((cycle / "moduli").glob("*.xlsx"))


def test_a_broken_sistema_exits_1_with_its_yaml_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    cycle = tmp_path / "c"
    run("init", str(cycle), "--esempio", "almenno-2017", capsys=capsys)
    (cycle / "mio.yaml").write_text(
        (REPO / "templates" / "almenno-2017.yaml")
        .read_text(encoding="utf-8")
        .replace("{da: 37, a: 53, premio: 80}", "{da: 36, a: 53, premio: 80}"),
        encoding="utf-8",
    )
    wb = openpyxl.load_workbook(cycle / "piano.xlsx")
    wb["Ente"]["B4"] = "mio.yaml"
    wb.save(cycle / "piano.xlsx")
    code, flat = run("generate", "--dir", str(cycle), capsys=capsys)
    assert code == 1
    assert "SIST-FASCE-SOVRAPPOSTE" in flat and "mio.yaml, riga" in flat


def test_usage_errors_exit_2_in_italian(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, text = run("init", capsys=capsys)
    assert code == 2 and "manca l'argomento DIR" in text
    code, text = run("generate", "--bogus", capsys=capsys)
    assert code == 2 and "opzione sconosciuta: --bogus" in text
    code, text = run("generate", "--dir", str(tmp_path), capsys=capsys)
    assert code == 2 and "non è una cartella di ciclo" in text
    code, text = run("init", str(tmp_path / "x"), "--esempio", "roma-2020", capsys=capsys)
    assert code == 2 and "almenno-2017" in text


def test_many_moduli_print_counts_and_only_those_needing_attention(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With hundreds of Aree the console shows the counts by state and lists only the moduli
    that are missing or have anomalies (here: the table's limit lowered to 1 row)."""
    from workbook.demo import demo

    cycle = tmp_path / "c"
    demo(cycle)
    (cycle / "ricevuti" / "AREA2.xlsx").unlink()  # our own copy of the demo's filled file
    (cycle / "ricevuti" / "AREA3.xlsx").unlink()
    monkeypatch.setattr(cli, "MODULES_SHOWN", 1)
    code, text = run("reconcile", "--dir", str(cycle), capsys=capsys)
    assert code == 1
    assert "Moduli attesi: 4; ricevuti: 2, mancanti: 2." in text
    assert "AREA2" in text and "AREA1 " not in text.split("Anomalie")[0]
    assert "… e un altro modulo da controllare" in text


def cycle_with_a_missing_modulo(tmp_path: Path) -> Path:
    """The demo cycle without AREA3's workbook (an error: reconcile exits 1) and without
    results, for the command to write them anew."""
    from workbook.demo import demo

    cycle = tmp_path / "c"
    demo(cycle)
    (cycle / "ricevuti" / "AREA3.xlsx").unlink()
    shutil.rmtree(cycle / "risultati")
    (cycle / "risultati").mkdir()
    return cycle


def test_the_command_prints_the_summary_then_each_file_once_written_and_exits_1_on_errors(
    tmp_path: Path,
) -> None:
    """Through the real entry point, as a user runs it: the results workbook is written by a
    child process while the summary is printed, and the process ends without the
    interpreter's clean-up. Everything printed arrives, the files are listed only once
    written, and the exit code is the verdict's."""
    cycle = cycle_with_a_missing_modulo(tmp_path)
    proc = subprocess.run(
        [sys.executable, str(REPO / "cli.py"), "reconcile", "--dir", str(cycle)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("Dipendenti valutati"))
    written = [i for i, line in enumerate(lines) if line.startswith("  scritto ")]
    assert len(written) == 3 and summary < written[0]
    assert lines[-1].startswith("1 errore: i risultati sono provvisori")
    workbook = cycle / "risultati" / "risultati-2017.xlsx"
    # Relative to the cycle folder, the one named with --dir (tests/test_console.py).
    assert lines[written[0]] == f"  scritto {workbook.relative_to(cycle)}"
    wb = openpyxl.load_workbook(workbook, read_only=True)
    assert "Valutazioni" in wb.sheetnames and wb["Riepilogo"]["C7"].value is not None
    wb.close()


def test_output_closed_early_keeps_the_exit_code_and_the_results(tmp_path: Path) -> None:
    """`valuta reconcile | head -1`: whoever reads the output may stop before the end; the
    results are written all the same and the exit code still says there are errors."""
    cycle = cycle_with_a_missing_modulo(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "cli.py"), "reconcile", "--dir", str(cycle)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads: every write to it fails
    with proc.stderr:
        errors = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1  # the errors of the cycle, as with an open output
    assert "Traceback" not in errors
    assert sorted(f.name for f in (cycle / "risultati").iterdir()) == [
        "risultati-2017.json",
        "risultati-2017.xlsx",
        "trasparenza",
    ]


def test_the_progress_bar_shows_the_files_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the bar shows the files read, then the summary follows."""
    import io

    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=80))
    printed = []
    monkeypatch.setattr(cli, "_print_summary", lambda outcome, relazione: printed.append(outcome))

    class Done:
        outcome, relazione = "esito", "relazione"

    def reconcile(progress: Any) -> Done:
        for done in range(1, 31):
            progress(done, 30)
        return Done()

    assert isinstance(cli._run_reconcile(reconcile), Done)
    assert "Lettura dei file ricevuti" in screen.getvalue()
    assert printed == ["esito"]


def test_a_defect_of_valuta_exits_3_with_an_italian_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exit code 3 is valuta's own defect (workbook/errors.py): the message says how to get
    the details; only --debug shows the traceback."""
    import workbook.cycle

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(workbook.cycle, "init_cycle", broken)
    code, text = run("init", str(tmp_path / "c"), capsys=capsys)
    assert code == 3
    assert "Errore imprevisto (ZeroDivisionError: division by zero)" in text
    assert "--debug" in text and "Traceback" not in text
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "init", str(tmp_path / "c")])


@pytest.mark.parametrize("encoding", ["cp1252", "cp850"])
def test_output_redirected_in_a_windows_code_page_is_written_not_refused(
    encoding: str, tmp_path: Path
) -> None:
    """On Windows a redirected output (`valuta reconcile > esito.txt`) is written in the
    system's code page, which has no «→»: the command still runs to its end."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["--help"], ["init", str(tmp_path / "c"), "--esempio", "almenno-2017"]):
        proc = subprocess.run(
            [sys.executable, str(REPO / "cli.py"), *args], capture_output=True, env=env, cwd=REPO
        )
        assert proc.returncode == 0, proc.stderr.decode(encoding)
        text = proc.stdout.decode(encoding)
        assert "valuta" in text and "Errore" not in text


def test_a_folder_with_spaces_is_suggested_between_quotes(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """«OneDrive - Comune\\Valutazione 2025»: the command to copy must work as it is. When it
    would not fit on a line of the terminal, the command to run in the cycle folder (where
    the README says to open the terminal), never a folder broken over two lines."""
    folder = tmp_path / "Valutazione 2025"
    monkeypatch.setenv("COLUMNS", "200")
    code, text = run("init", str(folder), "--esempio", "almenno-2017", capsys=capsys)
    assert code == 0
    assert f'valuta generate --dir "{folder}"' in text
    monkeypatch.setenv("COLUMNS", str(len(str(folder)) + 10))
    code, text = run("init", str(folder / "altro"), "--esempio", "almenno-2017", capsys=capsys)
    assert code == 0
    assert "eseguire «valuta generate» nella cartella del ciclo." in text


def test_a_cycle_named_by_a_relative_path_reconciles_and_keeps_its_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """«valuta reconcile» in the cycle folder (the documented default) or with a relative
    --dir: the results are written, never left hidden as temporary files (test first: the
    commit of the results compared an absolute temporary path with the relative folder)."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo", "ciclo"]) == 0
    assert cli.main(["reconcile", "--dir", "ciclo"]) == 0
    monkeypatch.chdir(tmp_path / "ciclo")
    assert cli.main(["reconcile"]) == 0
    out = capsys.readouterr()
    assert "Errore imprevisto" not in out.out + out.err
    assert (tmp_path / "ciclo" / "risultati" / "risultati-2017.xlsx").is_file()
    assert (tmp_path / "ciclo" / "risultati" / "risultati-2017.json").is_file()
    assert not [p for p in (tmp_path / "ciclo" / "risultati").iterdir() if p.name.startswith(".")]
