"""valuta: the command line. The only module that prints, colours or exits.

Each command calls one stage of the package and turns its data and anomalies into an Italian
report and an exit code (the table is in `workbook/errors.py`): 0 all good, 1 there are errori,
2 a usage problem (or the disk refused), 3 a defect of valuta, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from workbook import __version__
from workbook.anomalies import Gravita
from workbook.cli_documenti import (
    relazione_command,
    trasparenza_command,
    validazione_command,
)
from workbook.cli_mail import distribute_command, remind_command, send_command
from workbook.cli_premi import premi_command
from workbook.cli_schede import print_if_stale, schede_command
from workbook.cli_sistema import sistema_app
from workbook.console import (
    DirOption,
    Whole,
    command_hint,
    console,
    err,
    more,
    print_anomalies,
    print_moduli,
    say,
    shown_path,
    tell,
    usage_message,
)
from workbook.errors import AnomaliesError, CycleError
from workbook.files import disk_problem
from workbook.lingua import conta, parola
from workbook.values import format_euro, format_number

HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}
app = typer.Typer(
    name="valuta",
    help="valuta – il ciclo annuale di valutazione della performance del personale del Comune, "
    "sui fogli di calcolo che già si usano (D.Lgs. 150/2009).\n\n"
    "Sequenza tipica: valuta init → compilare piano.xlsx → valuta generate → inviare i moduli "
    "→ mettere i moduli restituiti in ricevuti/ → valuta reconcile.",
    add_completion=False,
    no_args_is_help=True,
    context_settings=HELP_OPTIONS,
    rich_markup_mode="rich",
)


STATE = {"debug": False}


def _version(value: bool) -> None:
    if value:
        console.print(f"valuta {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="In caso di errore imprevisto mostra i dettagli tecnici (traceback)."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Mostra la versione ed esce."
        ),
    ] = False,
) -> None:
    """valuta – valutazione della performance del personale del Comune."""
    STATE["debug"] = debug


# --- init ------------------------------------------------------------------------------------


@app.command("init")
def init_command(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Cartella del nuovo ciclo di valutazione (viene creata)."
        ),
    ],
    esempio: Annotated[
        str | None,
        typer.Option(
            "--esempio",
            help="Riempie il Piano con un esempio incluso: almenno-2017, torchiarolo-2022 oppure "
            "esempio-2025 (un Comune inventato che mostra schede per categoria, obiettivi "
            "individuali e un'Area guidata dal Segretario).",
        ),
    ] = None,
) -> None:
    """Crea la cartella di un nuovo ciclo: valuta.toml (impostazioni commentate), piano.xlsx
    (vuoto, con elenchi a discesa e istruzioni, oppure un esempio) e sistema.xlsx (il Sistema
    di valutazione dell'esempio, da adattare, oppure vuoto con le istruzioni)."""
    from workbook.cycle import init_cycle

    cycle = init_cycle(directory, esempio)
    root = cycle.root
    say("Creato il ciclo di valutazione in ", shown_path(root), style="green")
    say("  impostazioni: ", shown_path(cycle.settings_path, root))
    say("  Piano:        ", shown_path(cycle.piano_path, root))
    say("  Sistema:      ", shown_path(root / "sistema.xlsx", root))
    say(
        "  modelli Word della Relazione e della validazione: ",
        shown_path(root / "modelli", root, folder=True),
    )
    steps = []
    if not cycle.settings().restituzione.strip():
        steps.append(
            f"completare {cycle.settings_path.name}: nella sezione [ciclo] indicare in "
            "«restituzione» l'indirizzo (anche PEC) a cui restituire i moduli, e verificare la "
            "scadenza"
        )
    if not esempio:
        steps.append(
            f"compilare {cycle.piano_path.name}, scegliendo nel foglio Ente un Sistema incluso "
            "oppure sistema.xlsx dopo averlo compilato (verificarlo con «valuta sistema "
            "controlla»)"
        )
    steps.append("eseguire ")
    say("Prossimi passi: " + "; poi ".join(steps), command_hint("valuta generate", root), ".")


# --- sistema ---------------------------------------------------------------------------------

app.add_typer(sistema_app, name="sistema")
app.command("premi")(premi_command)


# --- generate --------------------------------------------------------------------------------

MODULES_SHOWN = 40  # moduli listed on the console (generate) and rows of reconcile's table


@app.command("generate")
def generate_command(
    directory: DirOption = Path("."),
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Rigenera i moduli anche se esistono già (potrebbero essere già stati inviati).",
        ),
    ] = False,
    controlla: Annotated[
        bool,
        typer.Option(
            "--controlla",
            help="Non scrive nulla: controlla in una volta Piano, Sistema, valuta.toml e gli "
            "indirizzi a cui andranno i moduli, e riporta ogni problema.",
        ),
    ] = False,
    nucleo_aggiornato: Annotated[
        bool,
        typer.Option(
            "--nucleo-aggiornato",
            help="Dopo «valuta reconcile», riscrive solo moduli/nucleo.xlsx mostrando, in sola "
            "lettura, ciò che ogni Responsabile ha dichiarato e scritto; un modulo del Nucleo "
            "già compilato resta valido.",
        ),
    ] = False,
) -> None:
    """Genera un modulo Excel protetto per ogni Area (moduli/<codice Area>.xlsx) e quello del
    Nucleo di Valutazione (moduli/nucleo.xlsx)."""
    from workbook.cycle import Cycle
    from workbook.generate import generate

    cycle = Cycle(directory)
    cycle.check()
    if controlla and nucleo_aggiornato:
        raise CycleError("Usare --controlla oppure --nucleo-aggiornato, non entrambi.")
    if controlla:
        raise typer.Exit(_print_check(cycle))
    if nucleo_aggiornato:
        _print_aggiornato(cycle)
        return
    result = generate(cycle, force=force)
    print_anomalies(result.avvisi, "Avvisi sul Piano")
    say(
        Text(f"Generati {len(result.moduli)} moduli in ", style="green"),
        shown_path(cycle.moduli, cycle.root, folder=True),
        f" (generazione del {result.generato:%d/%m/%Y %H:%M}):",
    )
    for path in result.moduli[:MODULES_SHOWN]:
        say("  ", Whole(path.name))
    if len(result.moduli) > MODULES_SHOWN:
        what = more(len(result.moduli) - MODULES_SHOWN, "un altro", "altri {}")
        console.print(f"  … e {what} nella stessa cartella.")


def _print_aggiornato(cycle: Any) -> None:
    from workbook.generate.aggiornato import generate_nucleo_aggiornato

    result = generate_nucleo_aggiornato(cycle)
    say(
        Text("Scritto ", style="green"),
        shown_path(result.path, cycle.root),
        f", modulo aggiornato del Nucleo: dichiarazioni di {result.dichiarati} obiettivi su "
        f"{result.obiettivi} (moduli letti da «valuta reconcile» il "
        f"{result.letti_il:%d/%m/%Y alle %H:%M}).",
    )
    if result.piano_modificato:
        say(
            Text("Il Piano è stato modificato dopo la generazione dei moduli", style="yellow"),
            ": il modulo aggiornato mostra il Piano com'è ora; i moduli già inviati restano "
            "validi (come in «valuta reconcile», avviso REC-PIANO-MODIFICATO).",
        )
    if result.aree_mancanti:
        say(
            Text("Senza dichiarazioni", style="yellow"),
            f" (modulo non ricevuto, o senza alcun raggiungimento dichiarato): "
            f"{', '.join(result.aree_mancanti)}. Ripetere il comando quando arrivano e sono "
            "riconciliati.",
        )
    if result.aree_con_errori:
        say(
            Text("Dichiarazioni da un modulo con errori", style="yellow"),
            f": {', '.join(result.aree_con_errori)}. Se il Responsabile lo corregge, ripetere "
            "il comando dopo «valuta reconcile».",
        )
    say(
        "Per inviarlo al Nucleo: «valuta distribute» (i moduli delle Aree già inviati non "
        "vengono ripetuti). Un modulo del Nucleo già compilato resta valido."
    )


def _print_check(cycle: Any) -> int:
    from workbook.controllo import controlla

    result = controlla(cycle)
    for problem in result.impostazioni:
        say(Text("Errore: ", style="red"), problem, to=err)
    print_anomalies(list(result.generazione), "Per generare i moduli")
    print_anomalies(list(result.posta), "Per inviare i moduli (valuta distribute)")
    if result.ha_errori:
        n = len(result.impostazioni) + sum(
            a.gravita is Gravita.ERRORE for a in (*result.generazione, *result.posta)
        )
        tell(f"[red]{conta(n, 'errore', 'errori')}[/]: correggere e ripetere il controllo.")
        return 1
    tell(
        "[green]Nessun errore:[/] «valuta generate» può scrivere i moduli e «valuta "
        "distribute» inviarli."
    )
    return 0


# --- reconcile and demo ---------------------------------------------------------------------


def _run_reconcile(run: Callable[[Any], Any]) -> Any:
    """Run a reconciliation with a progress bar while the files are read (when there are
    many); then the summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Lettura dei file ricevuti"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("lettura", total=None)

        def progress(done: int, total: int) -> None:
            if total >= 20:
                bar.update(task, completed=done, total=total)

        results = run(progress)
    _print_summary(results.outcome, results.relazione)
    return results


STATI = {"ricevuto": "ricevuti", "mancante": "mancanti"}  # the plural of a modulo's state


def _print_summary(outcome: Any, relazione: Any) -> None:
    """Modules, anomalies and figures: what reconcile found (the files follow when written)."""
    t = relazione
    colours = {"ricevuto": "green", "mancante": "red", "con errori": "yellow"}
    counts = Counter(s.stato for s in outcome.moduli)
    say(
        Text.from_markup(
            f"Moduli attesi: {len(outcome.moduli)}; "
            + ", ".join(
                f"[{colours[k]}]{parola(counts[k], k, STATI.get(k, k))}[/]: {counts[k]}"
                for k in colours
                if counts[k]
            )
            + "."
        )
    )
    # With hundreds of Aree, the table lists only what needs attention (all are in Riepilogo).
    shown = [
        s
        for s in outcome.moduli
        if len(outcome.moduli) <= MODULES_SHOWN or s.stato != "ricevuto" or s.n_errori or s.n_avvisi
    ]
    if shown:
        print_moduli(shown[:MODULES_SHOWN], colours)
        if len(shown) > MODULES_SHOWN:
            what = more(len(shown) - MODULES_SHOWN, "un altro modulo", "altri {} moduli")
            tell(
                f"… e {what} da controllare: l'elenco completo è nel foglio «Riepilogo» della "
                "cartella dei risultati."
            )
    print_anomalies(
        outcome.anomalie,
        whole_list="l'elenco completo è nel foglio «Anomalie» della cartella dei risultati",
    )
    pending = [e for e in outcome.elementi if e.da_esaminare and e.esame is None]
    if pending:
        what = more(len(pending), "un file ricevuto", "{} file ricevuti")
        say(
            Text(f"Da esaminare: {what} che valuta non ha potuto leggere", style="yellow"),
            " (anomalie ING-…): finché non sono esaminati, i risultati restano provvisori. "
            "Dopo averli aperti, metterli da parte con «valuta accetta IMPRONTA».",
        )
    media = t.media_punteggio_su_100
    say(
        f"Dipendenti valutati: {t.n_dipendenti_valutati}, non valutati: "
        f"{t.n_dipendenti_non_valutati}; media punteggio su 100: "
        f"{format_number(media, 2) if media is not None else '–'}; premialità distribuita "
        f"{format_euro(t.premialita.distribuita)} su {format_euro(t.premialita.stanziata)}.",
        hang=0,
    )


def _print_results(results: Any, root: Path) -> int:
    """The files written and the verdict, after `_print_summary`; the exit code."""
    outcome = results.outcome
    for path in results.files:
        say("  scritto ", shown_path(path, root))
    errors = sum(a.gravita is Gravita.ERRORE for a in outcome.anomalie)
    if errors:
        say(
            Text(f"{conta(errors, 'errore', 'errori')}: i risultati sono provvisori.", "red"),
            " Correggere, mettere i nuovi file in ricevuti/ e ripetere «valuta reconcile».",
        )
        return 1
    console.print("[green]Nessun errore: i risultati sono definitivi.[/]")
    return 0


@app.command("reconcile")
def reconcile_command(directory: DirOption = Path(".")) -> None:
    """Legge tutto ciò che è in ricevuti/ (file .xlsx e .ods, messaggi .eml e PEC), verifica
    che ogni modulo sia autentico e integro, controlla i valori, ricalcola ogni punteggio e
    scrive i risultati in risultati/ (cartella Excel e JSON). Esce con 1 se ci sono errori."""
    from workbook.cycle import Cycle
    from workbook.pipeline import reconcile_and_report

    cycle = Cycle(directory)
    results = _run_reconcile(lambda progress: reconcile_and_report(cycle, progress))
    code = _print_results(results, cycle.root)
    print_if_stale(cycle, results.outcome.piano.ente.anno)
    raise typer.Exit(code)


@app.command("accetta")
def accetta_command(
    impronta: Annotated[
        str,
        typer.Argument(
            metavar="IMPRONTA",
            help="Le prime cifre (almeno 6) dell'impronta che l'anomalia riporta.",
        ),
    ],
    nota: Annotated[
        str,
        typer.Option(
            "--nota",
            help="Che cosa contiene il file, o perché non serve (resta nel registro).",
        ),
    ] = "",
    directory: DirOption = Path("."),
) -> None:
    """Registra che un file ricevuto, che valuta non ha potuto leggere o che non è un modulo
    da usare, è stato esaminato e va messo da parte: non rende più provvisori i risultati e
    non viene usato. La registrazione è in archivio/esaminati.csv e nel registro degli
    arrivi; ha effetto dal prossimo «valuta reconcile»."""
    from workbook.cycle import Cycle
    from workbook.reconcile.ingest import accept

    done = accept(Cycle(directory), impronta, nota)
    what = (Whole(done.origine), f" ({done.natura or 'file'}, impronta {done.sha256[:12]})")
    if done.nuovo:
        say(Text("Messo da parte: ", style="green"), *what)
    else:
        say("Era già stato messo da parte: ", *what)
    say(
        "Eseguire di nuovo ",
        command_hint("valuta reconcile", directory),
        " per aggiornare i risultati.",
    )


@app.command("demo")
def demo_command(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Cartella (nuova) in cui eseguire il ciclo dimostrativo."
        ),
    ],
) -> None:
    """Esegue l'intero ciclo sull'esempio di Almenno San Bartolomeo (2017): crea il ciclo,
    genera i moduli, li compila con le risposte di esempio e li riconcilia. I risultati
    riproducono la Relazione sulla performance 2017."""
    from workbook.demo import demo

    results = _run_reconcile(lambda progress: demo(directory, progress))
    say(
        "Ciclo dimostrativo in ",
        shown_path(directory),
        ": moduli in moduli/, moduli compilati in ricevuti/, risultati in risultati/, "
        "schede individuali in risultati/schede/.",
    )
    raise typer.Exit(_print_results(results, directory))


app.command("relazione")(relazione_command)
app.command("validazione")(validazione_command)
app.command("trasparenza")(trasparenza_command)
app.command("distribute")(distribute_command)
app.command("remind")(remind_command)
app.command("send")(send_command)
app.command("schede")(schede_command)

# The commands in the order of the cycle, as `valuta --help` lists them.
ORDER = [
    "init",
    "generate",
    "distribute",
    "remind",
    "reconcile",
    "accetta",
    "send",
    "relazione",
    "validazione",
    "trasparenza",
    "premi",
    "sistema",
    "demo",
]


def _tidy_help(typer_app: typer.Typer) -> None:
    """Each command's help as paragraphs (the docstrings' line breaks are only the source's),
    and its first sentence in the list of commands."""
    for info in typer_app.registered_commands:
        doc = info.help or (info.callback.__doc__ if info.callback else None)
        if doc:
            paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n")]
            info.help = "\n\n".join(paragraphs)
            first = re.split(r"(?<=[a-zà-ù)]{2})\. (?=[A-Z«])", paragraphs[0])[0]
            info.short_help = info.short_help or first.rstrip(".") + "."
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _tidy_help(group.typer_instance)


_tidy_help(app)
app.registered_commands.sort(key=lambda c: ORDER.index(c.name) if c.name in ORDER else 99)


# --- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the app; user mistakes become Italian messages and exit codes, never tracebacks."""
    try:
        code = app(args=argv, standalone_mode=False, prog_name="valuta")
        # In non-standalone mode typer returns a command's typer.Exit code instead of raising.
        return code if isinstance(code, int) else 0
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err.print("Interrotto.")
        return 130
    except AnomaliesError as exc:
        print_anomalies(exc.anomalies, "Problemi da correggere")
        n = sum(a.gravita is Gravita.ERRORE for a in exc.anomalies)
        err.print(f"[red]{conta(n, 'errore', 'errori')}: correggere e riprovare.[/]")
        return 1
    except CycleError as exc:
        say(Text("Errore: ", style="red"), str(exc), to=err)
        return 2
    except OSError as exc:
        # The disk, not the data: full, read-only, a file open in another program. What was
        # being written is left as it was (files.py writes atomically).
        say(Text("Errore: ", style="red"), disk_problem(exc), to=err)
        return 2
    except Exception as exc:
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):  # a usage error
            err.print(
                f"[red]Errore:[/] {usage_message(exc.format_message())} Per l'aiuto: valuta --help."
            )
            return 2
        # An internal error: never a traceback unless asked for.
        if STATE["debug"]:
            raise
        say(
            Text("Errore imprevisto", style="red"),
            f" ({type(exc).__name__}: {exc}). Ripetere il comando con --debug per i dettagli "
            "tecnici e segnalarli.",
            to=err,
        )
        return 3


def _stop(signum: int, frame: object) -> None:
    """SIGTERM as an interruption: files being written are removed, not left half done."""
    raise SystemExit(128 + signum)


def _tolerant_streams() -> None:
    """Output redirected to a file on Windows is written in the system's code page (cp1252 in
    Italy), which has no «→»: such a character becomes «?» rather than stop valuta."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]


def run() -> None:
    """The `valuta` command."""
    signal.signal(signal.SIGTERM, _stop)
    _tolerant_streams()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        # Closed early (`valuta … | head`): nothing more to say.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    sys.exit(code)


if __name__ == "__main__":
    run()
