"""valuta sistema: the commands on a Sistema file (check it, convert it between its YAML and
workbook forms), registered by cli.py as a group of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook.console import Whole, console, more, say, shown_path
from workbook.errors import CycleError
from workbook.values import format_number

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

sistema_app = typer.Typer(
    help="Il Sistema di misurazione e valutazione: controllarlo e convertirlo tra la forma "
    "YAML e quella di foglio di calcolo (sistema.xlsx).",
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
    rich_markup_mode="rich",
)


def _sistema_file(path: Path) -> Path:
    from workbook.sistema.load import FILE_SUFFIXES

    if path.suffix.casefold() not in FILE_SUFFIXES:
        raise CycleError(
            f"«{path.name}» non è un file di Sistema: indicare un file .xlsx, .ods o .yaml."
        )
    if not path.is_file():
        raise CycleError(f"Il file «{path}» non esiste.")
    return path


@sistema_app.command("controlla")
def sistema_controlla_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Il Sistema: un file .xlsx, .ods o .yaml.")
    ],
) -> None:
    """Controlla un Sistema e ne elenca ogni problema, con foglio, riga e cella (o la riga del
    file YAML); se è valido, ne riassume le schede."""
    from workbook.sistema.load import load_sistema_file

    sistema = load_sistema_file(_sistema_file(file))
    say(
        f"Il Sistema «{sistema.nome}» (",
        Whole(file.name),
        f") è valido. Impronta: {sistema.hash[:12]}.",
        style="green",
    )
    console.print(more(len(sistema.schede), "Una scheda:", "{} schede:"))
    for s in sistema.schede:
        ruolo = sistema.etichetta_eq if s.ruolo == "eq" else s.ruolo
        chi = f"categorie {', '.join(s.categorie)}" if s.categorie else "tutte le categorie"
        if s.solo_indicata:
            chi = "solo chi la indica nel foglio Personale"
        line = (
            f"  {s.codice}: {ruolo}, {chi}; valuta: {s.titolo_valutatore}; massimo "
            f"{format_number(s.massimo)}, {more(len(s.fasce), 'una fascia', '{} fasce')}."
        )
        say(line, indent=0, hang=4)


@sistema_app.command("converti")
def sistema_converti_command(
    source: Annotated[
        Path,
        typer.Argument(metavar="ORIGINE", help="Il Sistema da convertire (.xlsx, .ods, .yaml)."),
    ],
    target: Annotated[
        Path,
        typer.Argument(
            metavar="DESTINAZIONE",
            help="Il file da scrivere: .xlsx oppure .yaml (dall'estensione).",
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Sovrascrive DESTINAZIONE se esiste già.")
    ] = False,
) -> None:
    """Converte un Sistema da una forma all'altra (foglio di calcolo ⇄ YAML), secondo
    l'estensione di DESTINAZIONE; il file scritto dà lo stesso modello (la stessa impronta)."""
    from workbook.files import atomic_path
    from workbook.sistema.export import write_sistema
    from workbook.sistema.load import load_sistema_file

    if target.suffix.casefold() not in (".xlsx", ".yaml", ".yml"):
        raise CycleError(
            f"«{target.name}»: scrivere un file .xlsx (si apre anche con LibreOffice) oppure .yaml."
        )
    if target.exists() and target.resolve() == source.resolve():
        raise CycleError(
            f"«{target}» è anche il file da convertire: indicare come DESTINAZIONE un altro file."
        )
    if target.exists() and not force:
        raise CycleError(f"«{target}» esiste già: non viene sovrascritto (usare --force).")
    sistema = load_sistema_file(_sistema_file(source))
    with atomic_path(target) as tmp:
        written = write_sistema(sistema, tmp, target.suffix)
    if written.hash != sistema.hash:  # a defect of valuta, never of the user's file
        target.unlink()
        raise RuntimeError("la conversione non riproduce lo stesso Sistema")
    say(
        "Scritto ",
        shown_path(target, Path.cwd()),
        ": stesso Sistema di ",
        Whole(source.name),
        f" (impronta {sistema.hash[:12]}).",
        style="green",
    )
