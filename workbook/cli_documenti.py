"""valuta relazione, validazione, trasparenza: the documents of the cycle's end
(workbook/documents/), registered by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from workbook.console import DirOption, console, say, shown_path, tell
from workbook.lingua import conta

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
            say("Scritto ", shown_path(path, cycle.root))
        if not written:
            console.print("I modelli ci sono già: nessun file scritto.")
        return
    _report(write_relazione(cycle, provvisorio=provvisorio), pdf, cycle.root)


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

    cycle = Cycle(directory)
    _report(write_validazione(cycle, provvisorio=provvisorio), pdf, cycle.root)


def trasparenza_command(directory: DirOption = Path(".")) -> None:
    """Raccoglie in risultati/trasparenza/ ciò che il Comune pubblica in Amministrazione
    Trasparente: le tabelle dei premi (D.Lgs. 33/2013, art. 20), la Relazione e il documento
    di validazione firmati (messi dalla Segreteria in firmati/), con indice.csv, che dice in
    quale sezione va ciascun file."""
    from rich.markup import escape
    from rich.table import Table

    from workbook.cycle import Cycle
    from workbook.documents.trasparenza import gather

    cycle = Cycle(directory)
    result = gather(cycle)
    table = Table(title="Amministrazione Trasparente", expand=True)
    table.add_column("File", no_wrap=True)
    table.add_column("Sezione (per intero in indice.csv)", ratio=3)
    table.add_column("Stato", ratio=4)
    sections = []
    for v in result.voci:
        style = "green" if v.pronta else "yellow"
        section = v.sezione.split(" › ")[-1].replace(_NUCLEO_LONG, "Nucleo di valutazione")
        sections.append(section)
        table.add_row(escape(v.file), escape(section), f"[{style}]{escape(v.stato)}[/]")
    # The file whole beside the two columns of words, else a paragraph for each file.
    widest = max((len(v.file) for v in result.voci), default=0)
    if widest + 50 <= console.width:
        console.print(table)
    else:
        console.print(Text("Amministrazione Trasparente:", style="bold"))
        for v, section in zip(result.voci, sections, strict=True):
            style = "green" if v.pronta else "yellow"
            say(shown_path(v.file), ": ", Text(v.stato, style=style))
            say("sezione: ", section, indent=2)
    say("Scritto ", shown_path(result.indice, cycle.root), style="green")
    missing = [v for v in result.voci if not v.pronta]
    if missing:
        say(
            f"Da completare: {conta(len(missing), 'documento', 'documenti')} (vedere «Stato»). Le "
            "schede individuali non si pubblicano: contengono dati personali.",
            style="yellow",
        )


_NUCLEO_LONG = (
    "Organismi indipendenti di valutazione, nuclei di valutazione o altri organismi con "
    "funzioni analoghe"
)


def _report(doc: object, pdf: bool, root: Path) -> None:
    from workbook.documents.relazione import Documento

    assert isinstance(doc, Documento)
    say("Scritto ", shown_path(doc.path, root), style="green")
    if doc.provvisorio:
        tell(
            "[yellow]Il documento è PROVVISORIO:[/] i risultati hanno errori, e ogni pagina "
            "lo dichiara."
        )
    if doc.segnaposto:
        say(
            f"Da completare: {conta(doc.segnaposto, 'parte evidenziata', 'parti evidenziate')} "
            "in giallo tra parentesi quadre, che valuta non può scrivere."
        )
    if pdf:
        _pdf(doc.path, root)


def _pdf(path: Path, root: Path) -> None:
    from workbook.office import convert, find_soffice

    if find_soffice() is None:
        say(
            "PDF non scritto: LibreOffice non è installato. Per averlo, installare "
            "LibreOffice (https://www.libreoffice.org/download/) e ripetere il comando "
            f"con --pdf, oppure aprire {path.name} in Word e scegliere «Salva con nome» "
            "→ PDF.",
            style="yellow",
        )
        return
    for p in convert([path], "pdf", path.parent):
        say("Scritto ", shown_path(p, root), style="green")
