"""valuta distribute, remind, send: the mail commands (workbook/mail/), registered by cli.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from workbook.console import (
    DirOption,
    Whole,
    console,
    err,
    fits,
    print_anomalies,
    say,
    shown_path,
    tell,
    whole_parts,
)
from workbook.lingua import conta, parola

DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run",
        help="Mostra che cosa verrebbe inviato e a chi, senza inviare né scrivere nulla.",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Invia di nuovo anche i messaggi già inviati (secondo il registro "
        "posta/registro.csv).",
    ),
]


def _mail(directory: Path, plan: Callable[[Any], Any], dry_run: bool, force: bool) -> None:
    """Plan the messages of a command, deliver them, report; exit 0, 1 (some not delivered)
    or 2 (nothing could be sent: a usage problem)."""
    from workbook.cycle import Cycle
    from workbook.errors import PostaError
    from workbook.mail.deliver import deliver

    cycle = Cycle(directory)
    try:
        report = deliver(cycle, plan(cycle), dry_run=dry_run, force=force)
    except PostaError as exc:
        print_anomalies(exc.anomalies, "Impossibile procedere")
        err.print("[red]Nessun messaggio inviato.[/] Correggere e ripetere il comando.")
        raise typer.Exit(2) from None
    raise typer.Exit(_print_delivery(report, cycle.root))


def _print_delivery(report: Any, root: Path) -> int:
    import datetime as dt

    from rich.markup import escape

    colours = {"inviato": "green", "scritto": "green", "da inviare": "cyan", "non inviato": "red"}

    def outcome(e: Any) -> str:
        if e.stato == "già inviato" and e.quando:
            try:
                return f"già inviato il {dt.datetime.fromisoformat(e.quando):%d/%m/%Y %H:%M}"
            except ValueError:
                return f"già inviato il {e.quando}"
        return e.stato

    if not report.esiti:
        console.print("Nessun messaggio da inviare.")
    elif not console.is_terminal:  # a log or a pipe: one whole line per message
        for e in report.esiti:
            m = e.messaggio
            attached = m.allegato.nome if m.allegato else "senza allegato"
            who = m.chi if m.indirizzo in m.chi else f"{m.chi} <{m.indirizzo}>"
            console.print(
                f"{outcome(e)}: {who}, {attached}" + (f" → {e.file}" if e.file else ""),
                soft_wrap=True,
                markup=False,
            )
    else:
        table = Table(title="Messaggi", expand=False)
        for column in ("Destinatario", "Indirizzo", "Allegato", "Esito"):
            table.add_column(column, no_wrap=True)
        for e in report.esiti:
            m = e.messaggio
            table.add_row(
                escape(m.chi[:1].upper() + m.chi[1:]),
                escape(m.indirizzo),
                escape(m.allegato.nome) if m.allegato else "–",
                f"[{colours.get(e.stato, 'dim')}]{outcome(e)}[/]",
            )
        if fits(table):
            console.print(table)
        else:  # 80 columns: a paragraph per message, names, addresses and files whole
            console.print(Text("Messaggi:", style="bold"))
            for e in report.esiti:
                m = e.messaggio
                say(
                    Text(outcome(e), style=colours.get(e.stato, "dim")),
                    ": ",
                    *whole_parts(m.chi[:1].upper() + m.chi[1:], ", "),
                )
                pieces: list[Any] = []
                if m.indirizzo not in m.chi:  # «Sindaco <sindaco@…>» has it already
                    pieces += [Whole(f"<{m.indirizzo}>" if m.indirizzo else "senza indirizzo")]
                    pieces.append(", ")
                if m.allegato:
                    pieces += ["allegato ", Whole(m.allegato.nome, path=True)]
                else:
                    pieces.append("senza allegato")
                if e.file:
                    pieces += [" → ", shown_path(e.file, root)]
                say(*pieces, indent=2)
    print_anomalies(list(report.anomalie))
    if report.provvisorio:
        tell("[yellow]I risultati inviati sono PROVVISORI e sono segnati come tali.[/]")
    skipped = report.conta("già inviato")
    if skipped:
        already = conta(
            skipped,
            "messaggio era già stato inviato e non è ripetuto",
            "messaggi erano già stati inviati e non sono ripetuti",
        )
        tell(f"{already} (per inviarli di nuovo: --force).")
    if report.prova:
        planned = conta(report.conta("da inviare"), "messaggio", "messaggi")
        tell(
            f"Prova (--dry-run): {planned} da inviare con {report.trasporto}; nulla è stato "
            "inviato né scritto."
        )
        return 1 if report.ha_errori else 0
    sent, written = report.conta("inviato"), report.conta("scritto")
    if sent:
        what = f"{parola(sent, 'Inviato', 'Inviati')} {conta(sent, 'messaggio', 'messaggi')}"
        tell(f"[green]{what}[/] con il {report.trasporto}.")
    if written:
        what = f"{parola(written, 'Scritto', 'Scritti')} {conta(written, 'messaggio', 'messaggi')}"
        tell(
            f"[green]{what}[/] come {report.trasporto}: "
            f"{parola(written, 'aprirlo', 'aprirli')} con il proprio programma di posta o PEC e "
            f"{parola(written, 'inviarlo', 'inviarli')}."
        )
    if sent or written:
        say("Registro: ", shown_path(report.registro, root))
    if report.ha_errori:
        failed = conta(report.non_inviati, "messaggio non inviato", "messaggi non inviati")
        tell(
            f"[red]{failed}[/]: correggere come indicato e ripetere il comando; i messaggi "
            "già inviati non saranno ripetuti."
        )
        return 1
    return 0


def distribute_command(
    directory: DirOption = Path("."),
    dry_run: DryRunOption = False,
    force: ForceOption = False,
) -> None:
    """Invia a ogni Responsabile, all'indirizzo del Piano, il modulo della sua Area
    (moduli/<codice Area>.xlsx) e al Nucleo di Valutazione nucleo.xlsx, con le istruzioni, la
    scadenza e l'indirizzo di restituzione. Senza server di posta in valuta.toml, scrive i
    messaggi come file .eml in posta/."""
    from workbook.mail.messages import plan_distribute

    _mail(directory, plan_distribute, dry_run, force)


def remind_command(
    directory: DirOption = Path("."),
    dry_run: DryRunOption = False,
    force: ForceOption = False,
) -> None:
    """Dopo «valuta reconcile», sollecita chi non ha ancora restituito il modulo (allegandolo
    di nuovo) e chi lo ha restituito con errori, elencando che cosa correggere (file, foglio,
    cella)."""
    from workbook.mail.messages import plan_remind

    _mail(directory, plan_remind, dry_run, force)


def send_command(
    directory: DirOption = Path("."),
    per_area: Annotated[
        bool,
        typer.Option(
            "--per-area",
            help="Invia a ogni Responsabile solo i risultati della sua Area (un file costruito "
            "per lui in posta/), invece dei risultati completi ai destinatari di valuta.toml.",
        ),
    ] = False,
    schede: Annotated[
        bool,
        typer.Option(
            "--schede",
            help="Invia a ogni persona valutata solo la propria scheda individuale "
            "(risultati/schede/, scritte da «valuta schede»), all'indirizzo del foglio "
            "Personale del Piano.",
        ),
    ] = False,
    provvisorio: Annotated[
        bool,
        typer.Option(
            "--provvisorio",
            help="Invia anche risultati provvisori (con errori), segnati come PROVVISORI "
            "nell'oggetto, nel testo e nel file.",
        ),
    ] = False,
    dry_run: DryRunOption = False,
    force: ForceOption = False,
) -> None:
    """Invia i risultati (risultati/risultati-<anno>.xlsx) ai destinatari indicati in
    valuta.toml, nella sezione «risultati»; con --per-area, a ogni Responsabile solo quelli della
    sua Area; con --schede, a ogni persona valutata la sua scheda individuale. Rifiuta risultati
    provvisori senza --provvisorio."""
    from workbook.mail.messages import plan_send

    _mail(
        directory,
        lambda cycle: plan_send(cycle, per_area=per_area, provvisorio=provvisorio, schede=schede),
        dry_run,
        force,
    )
