"""The whole of `valuta reconcile`: reconcile, aggregate, write the results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .aggregate import Relazione, aggregate
from .cycle import Cycle
from .memory import keep, long_lived
from .reconcile import Outcome, Progress, reconcile, sort_anomalies
from .report import write_outputs

Summary = Callable[[Outcome, Relazione], None]


@dataclass(frozen=True, slots=True)
class Results:
    outcome: Outcome
    relazione: Relazione
    files: list[Path]


def reconcile_and_report(
    cycle: Cycle,
    progress: Progress | None = None,
    meanwhile: Summary | None = None,
) -> Results:
    """Reconcile and write the results. `meanwhile` (the summary on screen) runs once the
    results are known, while the results workbook may still be being written; everything is
    written when this returns."""
    with long_lived():
        outcome = reconcile(cycle, progress)
        relazione = aggregate(outcome)
        outcome.anomalie = sort_anomalies([*outcome.anomalie, *relazione.anomalie])
        keep()  # the results live until the end: left out of every later collection
        then = (lambda: meanwhile(outcome, relazione)) if meanwhile is not None else None
        files = write_outputs(cycle, outcome, relazione, then=then)
    return Results(outcome, relazione, files)
