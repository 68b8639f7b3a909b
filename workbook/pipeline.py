"""The whole of `valuta reconcile`: reconcile, aggregate, write the results."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from workbook.cycle import Cycle
from workbook.memory import long_lived
from workbook.reconcile import reconcile
from workbook.reconcile.aggregate import aggregate
from workbook.reconcile.outcome import Outcome, Progress, sort_anomalies
from workbook.relazione import Relazione
from workbook.results import write_outputs


@dataclass(frozen=True, slots=True)
class Results:
    outcome: Outcome
    relazione: Relazione
    files: list[Path]


def reconcile_and_report(cycle: Cycle, progress: Progress | None = None) -> Results:
    """Reconcile and write the results; an earlier run interrupted while writing them is
    first completed (or undone) so that the folder never holds a mix."""
    cycle.recover()
    with long_lived():
        outcome = reconcile(cycle, progress)
        relazione = aggregate(outcome)
        outcome.anomalie = sort_anomalies([*outcome.anomalie, *relazione.anomalie])
        gc.collect()  # what reading and scoring left, before the moment of peak memory
        files = write_outputs(cycle, outcome, relazione)
    return Results(outcome, relazione, files)
