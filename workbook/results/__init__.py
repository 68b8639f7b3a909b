"""The results of a reconcile: the JSON (json.py), the results workbook (workbook.py), one
Area's workbook for its Responsabile (area.py), the ledger of arrivals (registers.py), the
transparency tables (trasparenza.py, as CSV in risultati/trasparenza/); all
written together (`write_outputs`) so that they never disagree.
"""

from __future__ import annotations

from pathlib import Path

from workbook.cycle import Cycle
from workbook.files import Commit
from workbook.reconcile.outcome import Outcome
from workbook.relazione import Relazione
from workbook.results.json import results_chunks
from workbook.results.registers import ledger_rows, ledger_text
from workbook.results.trasparenza import csv_files, folder
from workbook.results.workbook import write_workbook


def results_paths(cycle: Cycle, anno: int) -> tuple[Path, Path]:
    """(workbook, JSON) of a year's results."""
    return (
        cycle.risultati / f"risultati-{anno}.xlsx",
        cycle.risultati / f"risultati-{anno}.json",
    )


def write_outputs(cycle: Cycle, outcome: Outcome, relazione: Relazione) -> list[Path]:
    """Write the results workbook, the JSON and the ledger together (files.Commit): killed at
    any moment, the three stay the previous ones or become the new ones, never a mix."""
    xlsx, data = results_paths(cycle, outcome.piano.ente.anno)
    ledger, rows = ledger_text(cycle, ledger_rows(outcome))
    with Commit(cycle.commit_journal, cycle.root) as commit:
        write_workbook(commit.path(xlsx), outcome, relazione)
        with commit.path(data).open("w", encoding="utf-8", newline="\n") as out:
            for chunk in results_chunks(outcome, relazione):
                out.write(chunk)
        commit.write(ledger, rows.encode("utf-8"))
        for name, text in csv_files(outcome, relazione).items():
            commit.write(folder(cycle.risultati) / name, text.encode("utf-8"))
    return [xlsx, data, ledger]
