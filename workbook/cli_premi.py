"""valuta premi: the what-if of the money rules before the contratto decentrato is signed
(results/simulazione.py), registered by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook.console import DirOption, Whole, print_anomalies, say, shown_path
from workbook.values import format_euro


def premi_command(
    sistema: Annotated[
        Path,
        typer.Option(
            "--sistema",
            help="Il Sistema con le regole dei premi da provare (.xlsx, .ods o .yaml): le stesse "
            "schede del ciclo, un altro blocco «premi».",
        ),
    ],
    directory: DirOption = Path("."),
) -> None:
    """Ricalcola i premi degli ultimi punteggi riconciliati con le regole di un altro Sistema
    e scrive il confronto in simulazioni/premi-<nome>.xlsx; i risultati non cambiano."""
    from workbook.cycle import Cycle
    from workbook.reconcile import reconcile
    from workbook.reconcile.aggregate import aggregate
    from workbook.results.simulazione import simulate
    from workbook.sistema.load import load_sistema_file

    cycle = Cycle(directory)
    other = load_sistema_file(_existing(sistema))
    outcome = reconcile(cycle)
    attuale = aggregate(outcome)
    result = simulate(cycle.root, outcome, attuale, other)
    print_anomalies(result.simulata.anomalie, "Avvisi sulle regole simulate")
    now, then = attuale.premialita, result.simulata.premialita
    say(
        "Scritto ",
        shown_path(result.path, cycle.root),
        ": con le regole di ",
        Whole(sistema.name),
        " il fondo per la produttività distribuisce "
        f"{format_euro(then.distribuita)} (ora {format_euro(now.distribuita)}); cambia il "
        f"premio di {result.cambiati} persone su {result.persone}. I risultati in risultati/ "
        "non sono cambiati.",
        style="green",
    )


def _existing(path: Path) -> Path:
    from workbook.errors import CycleError

    if not path.is_file():
        raise CycleError(f"Il file «{path}» non esiste.")
    return path
