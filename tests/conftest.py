"""Shared fixtures: cycle folders built from the bundled samples, and LibreOffice headless."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from workbook.cycle import Cycle, init_cycle, load_sample
from workbook.demo import fill_from_answers, sample_answers
from workbook.generate import generate
from workbook.piano.blank import write_piano

TESTS = Path(__file__).resolve().parent
NOW = dt.datetime(2018, 1, 10, 9, 30)
DEBIAN_PYTHON = "/usr/bin/python3"
UNO_DRIVER = TESTS / "lo" / "uno_driver.py"


def make_cycle(root: Path, esempio: str = "almenno-2017", *, generated: bool = True) -> Cycle:
    cycle = init_cycle(root, esempio)
    if generated:
        generate(cycle, now=NOW, workers=1)
    return cycle


@pytest.fixture(scope="session")
def almenno(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """The almenno-2017 sample, generated once. Tests must not modify it."""
    return make_cycle(tmp_path_factory.mktemp("almenno") / "ciclo")


@pytest.fixture(scope="session")
def torchiarolo(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    return make_cycle(tmp_path_factory.mktemp("torchiarolo") / "ciclo", "torchiarolo-2022")


@pytest.fixture(scope="session")
def esempio(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """The esempio-2025 sample (an invented Comune), generated once. Not to be modified."""
    return make_cycle(tmp_path_factory.mktemp("esempio") / "ciclo", "esempio-2025")


ANSWERS = sample_answers(load_sample("almenno-2017", "risposte"))


@pytest.fixture(scope="session")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """The almenno cycle with every workbook filled in with the sample answers, kept in
    `compilati/` (not yet delivered). Tests copy it before changing anything."""
    cycle = make_cycle(tmp_path_factory.mktemp("filled") / "ciclo")
    fill_from_answers(cycle, ANSWERS, cycle.root / "compilati")
    return cycle


@pytest.fixture
def sample() -> Callable[[str], dict[str, Any]]:
    """A fresh, mutable copy of a sample's Piano data."""
    return lambda name="almenno-2017": copy.deepcopy(load_sample(name))


@pytest.fixture
def piano_file(tmp_path: Path) -> Callable[[dict[str, Any]], Path]:
    """Write Piano data (as in samples/*/piano.yaml) to a piano.xlsx; returns its path."""

    def write(data: dict[str, Any], name: str = "piano.xlsx") -> Path:
        path = tmp_path / name
        write_piano(path, data)
        return path

    return write


# --- LibreOffice -------------------------------------------------------------------------------


def libreoffice_available() -> str | None:
    """None when LibreOffice and Debian's python3-uno can run the tests, else why not."""
    if shutil.which("soffice") is None:
        return "soffice non trovato"
    if not Path(DEBIAN_PYTHON).exists():
        return f"{DEBIAN_PYTHON} non trovato"
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import uno"], capture_output=True)
    if probe.returncode != 0:
        return "python3-uno non installato"
    return None


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> Callable[[list[dict]], list[dict]]:
    """Run a job of the UNO driver (tests/lo/uno_driver.py) and return its results.

    In CI (VALUTA_REQUIRE_LIBREOFFICE=1) a missing LibreOffice fails the tests instead of
    skipping them.
    """
    reason = libreoffice_available()
    if reason:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"LibreOffice richiesto ma non disponibile: {reason}")
        pytest.skip(f"LibreOffice non disponibile: {reason}")
    work = tmp_path_factory.mktemp("lo")
    counter = iter(range(1_000_000))

    def run(documents: list[dict]) -> list[dict]:
        n = next(counter)
        return run_driver(UNO_DRIVER, documents, work / f"job{n}.json", work / f"result{n}.json")

    return run


def run_driver(driver: Path, documents: list[dict], job: Path, result: Path) -> Any:
    """One job of a UNO driver of tests/lo/, under Debian's python3: its JSON result."""
    job.write_text(json.dumps({"documents": documents}), encoding="utf-8")
    proc = subprocess.run(
        [DEBIAN_PYTHON, str(driver), str(job), str(result)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(result.read_text(encoding="utf-8"))


@pytest.fixture
def isolated(tmp_path: Path) -> Iterator[Path]:
    """Run a test from inside tmp_path (commands that default to the current folder)."""
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
