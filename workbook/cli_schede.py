"""valuta schede: the final individual schede from the results JSON (results/schede.py),
registered by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook.console import DirOption, console


def schede_command(
    directory: DirOption = Path("."),
    pdf: Annotated[
        bool | None,
        typer.Option(
            "--pdf/--no-pdf",
            help="Scrive anche i PDF con LibreOffice (in partenza: sì, se LibreOffice è "
            "installato).",
        ),
    ] = None,
) -> None:
    """Scrive in risultati/schede/ la scheda individuale definitiva di ogni persona valutata,
    con i valori validati dal Nucleo e quelli del modulo che sono cambiati, pronta da
    stampare e firmare (e in PDF, se LibreOffice è installato). Toglie le schede di chi non è
    più valutato."""
    from workbook.cycle import Cycle
    from workbook.results.schede import cycle_schede

    written, note = cycle_schede(Cycle(directory), pdf)
    n = len(written.files)
    kind = "cartella di lavoro e PDF" if written.pdf else "cartella di lavoro"
    mark = " PROVVISORIE (i risultati hanno errori)" if written.provvisorie else ""
    console.print(
        f"[green]Scritte {n} schede individuali{mark}[/] ({kind}) in {written.folder}.",
        highlight=False,
    )
    if written.removed:
        console.print(f"Tolti {written.removed} file superati (persone non più valutate).")
    if note:
        console.print(note)


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
        console.print(
            "[yellow]Le schede individuali in risultati/schede/ sono di risultati precedenti:[/] "
            "eseguire «valuta schede» per riscriverle."
        )
