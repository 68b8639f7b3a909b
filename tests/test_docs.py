"""The documentation a newcomer reads is in step with the code."""

from __future__ import annotations

import re
from pathlib import Path

from workbook import cli
from workbook.anomalies import catalogue_markdown

REPO = Path(__file__).resolve().parents[1]


def test_the_anomaly_catalogue_page_is_up_to_date() -> None:
    page = (REPO / "docs" / "anomalie.md").read_text(encoding="utf-8")
    regenerate = "python -m workbook.anomalies > docs/anomalie.md"
    assert page == catalogue_markdown(), f"rigenerare con: {regenerate}"


def test_readme_has_the_two_commands_at_the_top_and_ci_runs_the_test_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.+?)\n```", readme, re.S)
    main_job, test_command = blocks[0], blocks[1]
    assert main_job.startswith("pip install . && valuta ")
    assert "pytest" in test_command and "libreoffice-calc" in test_command
    assert "<!-- comando-test" in readme.split(test_command)[0].splitlines()[-2]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "comando-test" in ci and "ruff check" in ci


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for command in cli.app.registered_commands:
        assert f"valuta {command.name}" in readme, command.name


def test_every_change_is_in_the_changelog() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Non rilasciato" in changelog
    for command in cli.app.registered_commands:
        assert f"valuta {command.name}" in changelog, command.name


def test_every_anomaly_code_is_triggered_by_some_test() -> None:
    from workbook.anomalies import Codice

    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("test_*.py"))
    untested = [c.name for c in Codice if f"Codice.{c.name}" not in tests and c.code not in tests]
    assert untested == []


INFORMAL = re.compile(
    r"\b(intendevi|hai|puoi|devi|vuoi|fai|tuo|tua|tuoi|tue|ti preghiamo"
    r"|scegli|correggi|inserisci|apri|ripeti|scrivi|metti|leggi)\b",  # «tu» imperatives
    re.IGNORECASE,
)


def test_every_message_addresses_the_user_with_lei() -> None:
    """Everything valuta says is in the formal register («Lei»): the catalogue of anomalies,
    the suggestions they carry, and the text of the product's sources."""
    from workbook.anomalies import Codice, suggest

    texts = [c.modello for c in Codice] + [c.titolo for c in Codice]
    texts.append(suggest("AREA 1", ["AREA1"]))
    sources = [p.read_text(encoding="utf-8") for p in (REPO / "workbook").rglob("*.py")]
    sources += [p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md")]
    sources += [(REPO / name).read_text(encoding="utf-8") for name in ("README.md", "CHANGELOG.md")]
    quoted = re.compile(r"«[^«»]*»")  # a label of another program, or what a user typed
    informal = [t for t in (quoted.sub("", t) for t in texts + sources) if INFORMAL.search(t)]
    assert [INFORMAL.search(t)[0] for t in informal] == []  # type: ignore[index]
