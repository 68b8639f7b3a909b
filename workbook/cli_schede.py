"""valuta schede: the final individual schede from the results JSON (results/schede.py),
registered by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from workbook.console import DirOption, say, shown_path
from workbook.lingua import conta


def schede_command(
    directory: DirOption = Path("."),
    pdf: Annotated[
        bool,
        typer.Option("--pdf", help="Scrive anche i PDF delle schede con LibreOffice."),
    ] = False,
    provvisorio: Annotated[
        bool,
        typer.Option(
            "--provvisorio",
            help="Scrive le schede anche se i risultati sono provvisori (ci sono errori): "
            "ogni pagina dice PROVVISORIA.",
        ),
    ] = False,
) -> None:
    """Scrive in risultati/schede/ la scheda individuale definitiva di ogni persona valutata,
    con i valori validati dal Nucleo e quelli del modulo che sono cambiati, pronta da
    stampare e firmare (con --pdf anche in PDF, con LibreOffice). Toglie le schede di chi non
    è più valutato. Rifiuta risultati provvisori senza --provvisorio."""
    from workbook.cycle import Cycle
    from workbook.results.schede import cycle_schede

    cycle = Cycle(directory)
    written, note = cycle_schede(cycle, pdf, provvisorio=provvisorio)
    n = len(written.files)
    kind = "cartella di lavoro e PDF" if written.pdf else "cartella di lavoro"
    mark = " PROVVISORIE (i risultati hanno errori)" if written.provvisorie else ""
    say(
        Text(f"Scritte {n} schede individuali{mark}", style="green"),
        f" ({kind}) in ",
        shown_path(written.folder, cycle.root, folder=True),
        ".",
    )
    if written.removed:
        say(
            f"Tolti {conta(written.removed, 'file superato', 'file superati')} (di persone non "
            "più valutate, o PDF di schede ora scritte senza --pdf)."
        )
    if note:
        say(note, style="yellow")


def print_if_stale(cycle: object, anno: int) -> None:
    """After a reconcile: schede written from earlier results are named as such (they are
    never sent: see mail/schede.py)."""
    from workbook.cycle import Cycle
    from workbook.results.schede import json_digest, read_index

    assert isinstance(cycle, Cycle)
    index = read_index(cycle.risultati / "schede")
    if index is None:
        return
    data = cycle.risultati / f"risultati-{anno}.json"
    if not data.is_file() or index.get("risultati") != json_digest(data):
        say(
            Text(
                "Le schede individuali in risultati/schede/ sono di risultati precedenti:",
                style="yellow",
            ),
            " eseguire «valuta schede» per riscriverle.",
        )
