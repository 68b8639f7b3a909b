"""What valuta shows on the terminal, in Italian: typer's own words translated, the console
(which survives a closed pipe), text from outside shown as text, the tables of anomalies.
Only the command line (`cli.py`) uses it."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.rich_utils
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workbook.anomalies import Anomalia, Gravita
from workbook.values import printable

# --- Italian for the words typer prints around our help ---------------------------------------
# typer (which vendors click since 0.29) writes a few English words of its own, with no
# translation catalogue: the panel titles are settings, the help option and the «Usage:» prefix
# are patched where typer builds them, and usage errors are translated in `main()`.
# tests/test_cli.py checks that `--help` reads in Italian, so a typer upgrade that moves these
# pieces fails there instead of silently turning English.
typer.rich_utils.ARGUMENTS_PANEL_TITLE = "Argomenti"
typer.rich_utils.OPTIONS_PANEL_TITLE = "Opzioni"
typer.rich_utils.COMMANDS_PANEL_TITLE = "Comandi"
typer.rich_utils.ERRORS_PANEL_TITLE = "Errore"
typer.rich_utils.ABORTED_TEXT = "Interrotto."
typer.rich_utils.DEFAULT_STRING = "[predefinito: {}]"
typer.rich_utils.REQUIRED_LONG_STRING = "[obbligatorio]"


def _localise_typer() -> None:
    try:
        from typer._click import decorators, formatting
    except ImportError:  # pragma: no cover - another typer layout: help stays in English
        return
    original_help_option = decorators.help_option

    def help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = original_help_option(param_decls)

        def italian(command: Any) -> Any:
            result = decorate(command)
            command.params[-1].help = "Mostra questo aiuto ed esce."
            return result

        return italian

    decorators.help_option = help_option
    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: object, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = re.sub(r"\{([A-Z_]+)\}", r"\1", args.replace("[OPTIONS]", "[OPZIONI]"))
        args = args.replace("COMMAND [ARGS]...", "COMANDO [ARGOMENTI]...")
        original_write_usage(self, prog, args, "Uso: " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]
    _italian_types()
    typer.rich_utils.highlighter.highlights = [  # colour «Uso:» as typer colours «Usage:»
        h.replace("Usage: ", "Uso: ") for h in typer.rich_utils.highlighter.highlights
    ]


# How the help names the value an option takes (typer writes «<bool>» even for a flag).
_TYPES = {"path": "PERCORSO", "str": "TESTO", "int": "NUMERO", "float": "NUMERO"}


def _italian_types() -> None:
    core = getattr(typer, "core", None)
    for cls in (getattr(core, "TyperOption", None), getattr(core, "TyperArgument", None)):
        original = getattr(cls, "display_type_rich", None)
        if original is None:  # another typer: its own names
            continue

        def display(self: Any, ctx: Any, _original: Callable[..., Any] = original) -> Any:
            if getattr(self, "is_flag", False) or getattr(self, "count", False):
                return None  # a flag takes no value
            if self.param_type_name == "argument":
                return None  # its name says it («DIR»)
            if self.metavar is not None:
                return self.metavar
            shown = _original(self, ctx)
            if isinstance(shown, str):
                bare = shown.strip("<>.").lower()
                return _TYPES.get(bare, shown)
            return shown

        cls.display_type_rich = display  # type: ignore[method-assign,union-attr]


_localise_typer()

# Usage errors, as typer formats them → Italian.
_USAGE_ERRORS = [
    (re.compile(r"^Missing argument '?([^'.]+)'?\.?$"), "manca l'argomento {0}."),
    (re.compile(r"^Missing option '?([^'.]+)'?\.?$"), "manca l'opzione {0}."),
    (re.compile(r"^Missing parameter:? (.+)$"), "manca il parametro {0}."),
    (
        re.compile(r"^No such option: (\S+)(?: \(Possible options: (.+)\))?$"),
        "opzione sconosciuta: {0}.",
    ),
    (re.compile(r"^No such command '(.+)'\.$"), "comando sconosciuto «{0}»."),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "argomenti in più: {0}."),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "l'opzione {0} richiede un valore."),
    (re.compile(r"^Invalid value for (.+?): (.+)$"), "valore non valido per {0}: {1}"),
]


def usage_message(text: str) -> str:
    for pattern, template in _USAGE_ERRORS:
        if m := pattern.match(text.strip()):
            return template.format(*m.groups())
    return text


class _Console(Console):
    """rich's console, except when whoever reads it goes away (`valuta reconcile | head`):
    rich would stop valuta there, possibly before the results are written; this one only
    stops writing, and the command ends with its own exit code."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        with contextlib.suppress(OSError, ValueError, AttributeError):  # not a real file
            fd = self.file.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, fd)  # nothing left to flush into a broken pipe
            finally:
                os.close(devnull)


console = _Console(highlight=False)
err = _Console(stderr=True, highlight=False, soft_wrap=True)

ANOMALIES_SHOWN = 200  # rows of the console's table; a pipe or a log gets every line


def safe(text: object) -> Text:
    """Text from outside (file and attachment names, subjects, cell values, the Piano) as the
    console shows it: never markup, never a control or escape sequence for the terminal."""
    return Text(printable(str(text), lines=True))


WHOLE_LIST = (
    "per l'elenco completo, ripetere il comando nel Prompt dei comandi reindirizzandone "
    "l'output su un file (… > anomalie.txt)"
)


def shell_path(path: object) -> str:
    """A path as it can be pasted into a command: between quotes when it has spaces (on
    Windows: «C:\\Users\\…\\OneDrive - Comune\\Valutazione 2025»)."""
    text = str(path)
    return f'"{text}"' if any(ch.isspace() for ch in text) or not text else text


def print_anomalies(
    anomalies: list[Anomalia], title: str = "Anomalie", whole_list: str = WHOLE_LIST
) -> None:
    """The anomalies as a table (as lines in a log or a pipe); past ANOMALIES_SHOWN, where to
    read them all (`whole_list`)."""
    if not anomalies:
        return
    if not console.is_terminal:  # a log or a pipe: one whole line per anomaly, easy to grep
        console.print(f"{title}:", soft_wrap=True)
        for a in anomalies:
            console.print(safe(f"{a.gravita} {a.codice.code} {a.testo}"), soft_wrap=True)
        return
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("Gravità", no_wrap=True)
    table.add_column("Codice", no_wrap=True)
    table.add_column("Dove")
    table.add_column("Messaggio", ratio=3)
    for a in anomalies[:ANOMALIES_SHOWN]:
        colour = "red" if a.gravita is Gravita.ERRORE else "yellow"
        table.add_row(
            Text(str(a.gravita), style=colour), a.codice.code, safe(a.luogo), safe(a.messaggio)
        )
    console.print(table)
    if len(anomalies) > ANOMALIES_SHOWN:
        what = more(len(anomalies) - ANOMALIES_SHOWN, "un'altra anomalia", "altre {} anomalie")
        console.print(f"… e {what}: {whole_list}.")


def more(count: int, one: str, many: str) -> str:
    """What a console list leaves out: «un altro modulo», «altri 3 moduli»."""
    return one if count == 1 else many.format(count)


# The option of every command that works on a cycle.
DirOption = Annotated[
    Path,
    typer.Option(
        "--dir",
        "-d",
        help="Cartella del ciclo di valutazione (quella creata da «valuta init»).",
        show_default="cartella corrente",
    ),
]
