"""valuta relazione, validazione, trasparenza: the documents of the cycle's end
(workbook/documents/), registered by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook.console import DirOption, console, safe, shell_path

ProvvisorioOption = Annotated[
    bool,
    typer.Option(
        "--provvisorio",
        help="Scrive il documento anche su risultati provvisori (con errori): ogni pagina "
        "lo dichiara, e il nome del file finisce con -PROVVISORIA.",
    ),
]
PdfOption = Annotated[
    bool,
    typer.Option(
        "--pdf",
        help="Scrive anche il PDF, con LibreOffice (se è installato).",
    ),
]


def relazione_command(
    directory: DirOption = Path("."),
    pdf: PdfOption = False,
    provvisorio: ProvvisorioOption = False,
    modelli: Annotated[
        bool,
        typer.Option(
            "--modelli",
            help="Scrive soltanto in modelli/ i modelli Word predefiniti che mancano "
            "(relazione.docx, validazione.docx); quelli presenti non vengono toccati.",
        ),
    ] = False,
) -> None:
    """Scrive risultati/relazione-<anno>.docx, la bozza della Relazione sulla performance
    (D.Lgs. 150/2009, art. 10), dai risultati riconciliati e dal modello modelli/relazione.docx,
    che il Comune può modificare in Word. Le parti che solo il Segretario può scrivere sono
    evidenziate in giallo tra parentesi quadre."""
    from workbook.cycle import Cycle
    from workbook.documents.modello import write_templates
    from workbook.documents.relazione import write_relazione
    from workbook.documents.render import MODELLI

    cycle = Cycle(directory)
    if modelli:
        cycle.check()
        written = write_templates(cycle.root / MODELLI)
        for path in written:
            console.print(safe(f"Scritto {shell_path(path)}"))
        if not written:
            console.print("I modelli ci sono già: nessun file scritto.")
        return
    _report(write_relazione(cycle, provvisorio=provvisorio), pdf, "Relazione")


def validazione_command(
    directory: DirOption = Path("."),
    pdf: PdfOption = False,
    provvisorio: ProvvisorioOption = False,
) -> None:
    """Scrive risultati/validazione-<anno>.docx, la bozza del documento di validazione della
    Relazione da parte del Nucleo di Valutazione (D.Lgs. 150/2009, art. 14, c. 4, lett. c),
    con le verifiche precompilate dai risultati: coerenza con i moduli, differenziazione,
    distribuzione entro i fondi."""
    from workbook.cycle import Cycle
    from workbook.documents.relazione import write_validazione

    _report(write_validazione(Cycle(directory), provvisorio=provvisorio), pdf, "validazione")


def trasparenza_command(directory: DirOption = Path(".")) -> None:
    """Raccoglie in risultati/trasparenza/ ciò che il Comune pubblica in Amministrazione
    Trasparente: le tabelle dei premi (D.Lgs. 33/2013, art. 20), la Relazione e il documento
    di validazione firmati (messi dalla Segreteria in firmati/), con indice.csv, che dice in
    quale sezione va ciascun file."""
    from rich.markup import escape
    from rich.table import Table

    from workbook.cycle import Cycle
    from workbook.documents.trasparenza import gather

    result = gather(Cycle(directory))
    table = Table(title="Amministrazione Trasparente", expand=True)
    table.add_column("File", overflow="fold", ratio=3)
    table.add_column("Sezione (per intero in indice.csv)", ratio=3)
    table.add_column("Stato", ratio=4)
    for v in result.voci:
        style = "green" if v.pronta else "yellow"
        section = v.sezione.split(" › ")[-1].replace(_NUCLEO_LONG, "Nucleo di valutazione")
        table.add_row(escape(v.file), escape(section), f"[{style}]{escape(v.stato)}[/]")
    console.print(table)
    console.print(safe(f"Scritto {shell_path(result.indice)}"), style="green")
    missing = [v for v in result.voci if not v.pronta]
    if missing:
        console.print(
            safe(
                f"Da completare: {len(missing)} "
                f"{'documento' if len(missing) == 1 else 'documenti'} (vedere «Stato»). Le "
                "schede individuali non si pubblicano: contengono dati personali."
            ),
            style="yellow",
        )


_NUCLEO_LONG = (
    "Organismi indipendenti di valutazione, nuclei di valutazione o altri organismi con "
    "funzioni analoghe"
)


def _report(doc: object, pdf: bool, what: str) -> None:
    from workbook.documents.relazione import Documento

    assert isinstance(doc, Documento)
    console.print(safe(f"Scritto {shell_path(doc.path)}"), style="green")
    if doc.provvisorio:
        console.print(
            "[yellow]Il documento è PROVVISORIO:[/] i risultati hanno errori, e ogni pagina "
            "lo dichiara."
        )
    if doc.segnaposto:
        console.print(
            safe(
                f"Da completare: {doc.segnaposto} parti evidenziate in giallo tra parentesi "
                "quadre, che valuta non può scrivere."
            )
        )
    if pdf:
        _pdf(doc.path)


def _pdf(path: Path) -> None:
    from workbook.office import convert, find_soffice

    if find_soffice() is None:
        console.print(
            safe(
                "PDF non scritto: LibreOffice non è installato. Per averlo, installare "
                "LibreOffice (https://www.libreoffice.org/download/) e ripetere il comando "
                f"con --pdf, oppure aprire {path.name} in Word e scegliere «Salva con nome» "
                "→ PDF."
            ),
            style="yellow",
        )
        return
    for p in convert([path], "pdf", path.parent):
        console.print(safe(f"Scritto {shell_path(p)}"), style="green")
