"""What valuta shows on the terminal, in Italian: typer's own words translated, the console
(which survives a closed pipe), text from outside shown as text, the tables of anomalies.
Only the command line (`cli.py`) uses it."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.rich_utils
from rich.cells import cell_len
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
MESSAGE_MIN = 40  # the narrowest column of messages worth a table


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
    shown = anomalies[:ANOMALIES_SHOWN]
    # The table while each place fits whole beside a message column of some width (a wide
    # terminal); else, as in a terminal of 80 columns, one paragraph per anomaly.
    where = max(cell_len(printable(a.luogo)) for a in shown)
    code = max(len(a.codice.code) for a in shown)
    if len("avviso") + code + where + MESSAGE_MIN + 13 <= console.width:
        table = Table(title=title, show_lines=False, expand=True)
        table.add_column("Gravità", no_wrap=True)
        table.add_column("Codice", no_wrap=True)
        table.add_column("Dove", no_wrap=True)
        table.add_column("Messaggio", ratio=3)
        for a in shown:
            colour = "red" if a.gravita is Gravita.ERRORE else "yellow"
            table.add_row(
                Text(str(a.gravita), style=colour),
                a.codice.code,
                safe(a.luogo),
                safe(a.messaggio),
            )
        console.print(table)
    else:
        console.print(Text(f"{title}:", style="bold"))
        for a in shown:
            colour = "red" if a.gravita is Gravita.ERRORE else "yellow"
            head = Text(str(a.gravita), style=colour) + f" {a.codice.code}"
            say(head, " ", *place(a.luogo) if a.luogo else [])
            say(a.messaggio, indent=2, hang=0)
    if len(anomalies) > ANOMALIES_SHOWN:
        what = more(len(anomalies) - ANOMALIES_SHOWN, "un'altra anomalia", "altre {} anomalie")
        say(f"… e {what}: {whole_list}.")


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


# --- lines that fit the terminal --------------------------------------------------------------
# A default Windows or Linux terminal is 80 columns wide. rich wraps text at spaces, which cuts
# a path with spaces («…\Valutazione 2025\risultati») or a person's name in two, and folds a
# path without spaces in the middle of a word. `say` lays the text out itself: free text wraps
# at spaces, a `Whole` piece (a path, a name, a «quoted» phrase) is never split, and a path too
# long for a line loses its first folders («…/risultati/relazione-2025.pdf») rather than break.

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Whole:
    """A piece of text kept on one line: a person's name, a file, a place in a file."""

    text: str
    style: str = ""
    path: bool = False  # shortened from the left when no line could hold it


Piece = str | Text | Whole


def shown_path(path: object, root: Path | None = None, folder: bool = False) -> Whole:
    """A path as the console shows it: relative to the cycle folder when it is inside it
    (the user is there, or named it with --dir), else as it is; a `folder` ends with its
    separator («risultati/schede/»)."""
    p = Path(str(path))
    if root is not None:
        with contextlib.suppress(ValueError):
            relative = p.absolute().relative_to(Path(root).absolute())
            if relative.parts:
                p = relative
    text = printable(str(p))
    return Whole(text + os.sep if folder and not text.endswith(os.sep) else text, path=True)


def command_hint(command: str, directory: Path) -> Whole:
    """«valuta reconcile --dir DIR», to paste, when it fits on a line; else the command to
    run in the cycle folder (a path never broken in the middle)."""
    full = f"«{command} --dir {shell_path(directory)}»"
    if cell_len(full) <= console.width - 4:
        return Whole(full)
    return Whole(f"«{command}» nella cartella del ciclo")


def whole_parts(text: object, separator: str) -> list[Piece]:
    """`text` as pieces kept whole between `separator`s («Responsabile dell'Area X, Ferrari
    Giovanni»: the line may break after the comma, never inside the name)."""
    parts = printable(str(text)).split(separator)
    out: list[Piece] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if separator.strip() and not last:
            out.append(Whole(part + separator.rstrip()))
            out.append(" " if separator.endswith(" ") else "")
        else:
            out.append(Whole(part))
            if not last:
                out.append(separator)
    return out


def place(luogo: str) -> list[Piece]:
    """«ricevuti/AREA1.xlsx › Valutazioni!F12» as pieces: each file and each place whole."""
    out: list[Piece] = []
    for i, part in enumerate(luogo.split(" › ")):
        if i:
            out.append(" › ")
        out.append(Whole(printable(part), path=i == 0))
    return out


def say(
    *pieces: Piece,
    style: str = "",
    indent: int = 0,
    hang: int = 0,
    to: Console | None = None,
) -> None:
    """Print a paragraph laid out for the console's width (see above): each line printed as
    it is, so that rich does not wrap it again."""
    target = console if to is None else to
    for line in lay_out(pieces, target.width, indent=indent, hang=hang):
        target.print(line, style=style, soft_wrap=True, highlight=False)


def tell(markup: str, to: Console | None = None) -> None:
    """`say` for valuta's own words with rich markup («[green]Nessun errore:[/] …»); text from
    outside goes to `say`, never here."""
    say(Text.from_markup(markup), to=to)


_QUOTED = re.compile(r"«[^«»]*»")


def lay_out(pieces: Sequence[Piece], width: int, indent: int = 0, hang: int = 0) -> list[Text]:
    """The lines of a paragraph: the first indented by `indent`, the others by `indent +
    hang`; a line breaks only at a space outside a `Whole` piece and outside «…»."""
    width = max(width, 20)
    first = pieces[0] if pieces else ""
    if isinstance(first, str | Text):  # «  scritto …»: an indent of its own
        plain_first = first if isinstance(first, str) else first.plain
        lead = len(plain_first) - len(plain_first.lstrip(" "))
        if lead:
            pieces = [first[lead:], *pieces[1:]]
            indent += lead
    room = width - indent - hang
    text = Text()
    kept: list[tuple[int, int]] = []
    for piece in pieces:
        start = len(text)
        if isinstance(piece, Whole):
            shown = _shorten(piece.text, room - 1) if piece.path else piece.text
            text.append(shown, style=piece.style or None)
            kept.append((start, len(text)))
            continue
        if isinstance(piece, str):
            piece = _QUOTED.sub(lambda m: _fit_quoted(m.group(), room), piece)
        part = piece if isinstance(piece, Text) else Text(printable(piece, lines=True))
        text.append_text(part)
        for m in _QUOTED.finditer(part.plain):
            if m.end() - m.start() <= room:
                kept.append((start + m.start(), start + m.end()))
    plain = text.plain
    guarded = [False] * len(plain)
    for a, b in kept:
        if cell_len(plain[a:b]) <= room:
            guarded[a:b] = [True] * (b - a)

    def breaks(i: int) -> bool:
        return plain[i].isspace() and not guarded[i]

    tokens: list[tuple[int, int]] = []
    i = 0
    while i < len(plain):
        if breaks(i):
            i += 1
            continue
        j = i
        while j < len(plain) and not breaks(j):
            j += 1
        tokens.append((i, j))
        i = j
    lines: list[tuple[int, int]] = []
    start = end = -1
    for a, b in tokens:
        limit = width - indent - (hang if lines else 0)
        if start >= 0 and cell_len(plain[start:b]) <= limit:
            end = b
            continue
        if start >= 0:
            lines.append((start, end))
        limit = width - indent - hang if start >= 0 or lines else width - indent
        while cell_len(plain[a:b]) > limit:  # one word longer than a line: folded
            cut = a + max(1, limit)
            lines.append((a, cut))
            a = cut
            limit = width - indent - hang
        start, end = a, b
    if start >= 0:
        lines.append((start, end))
    return [Text(" " * (indent + (hang if n else 0))) + text[a:b] for n, (a, b) in enumerate(lines)]


# Where an absolute path begins inside «…»: «/home/…», «C:\\Users\\…», «\\\\server\\…».
_PATH_START = re.compile(r"(?:(?<=«)|(?<= ))(?:[A-Za-z]:[\\/]|[\\/])")


def _fit_quoted(quoted: str, room: int) -> str:
    """A «…» phrase of a message (a folder, a command with its folder) that no line could
    hold: the path in it loses its first folders, so that the phrase stays on one line."""
    if cell_len(quoted) <= room:
        return quoted
    m = _PATH_START.search(quoted)
    if m is None:
        return quoted
    head, path = quoted[: m.start()], quoted[m.start() : -1]
    return head + _shorten(path, room - cell_len(head) - 1) + "»"


def _shorten(path: str, room: int) -> str:
    """A path that fits in `room` cells: its first folders dropped («…/risultati/x.pdf»);
    the file's own name is never cut."""
    if cell_len(path) <= room:
        return path
    sep = "\\" if "\\" in path and "/" not in path else "/"
    parts = [p for p in path.split(sep) if p]
    kept = parts[-1:]
    for part in reversed(parts[:-1]):
        candidate = sep.join([ELLIPSIS, part, *kept])
        if cell_len(candidate) > room:
            break
        kept.insert(0, part)
    return sep.join([ELLIPSIS, *kept])


def fits(table: Table, target: Console | None = None) -> bool:
    """Whether `table`, its cells unbroken, is as narrow as the console."""
    from rich.measure import Measurement

    out = console if target is None else target
    # Measured without the console's width, which rich would otherwise clamp it to.
    wide = out.options.update_width(1_000_000)
    return Measurement.get(out, wide, table).maximum <= out.width


def print_moduli(rows: Sequence[Any], colours: dict[str, str]) -> None:
    """reconcile's table of the moduli (`ModuloStato`s) when it fits the terminal with every
    cell whole; else, as in 80 columns, a paragraph per modulo with its names and files whole."""
    table = Table(title="Moduli", expand=False)
    for column in ("Modulo", "Compilato da", "Stato", "File usato", "Errori", "Avvisi"):
        table.add_column(column, no_wrap=True)
    for s in rows:
        table.add_row(
            safe(s.modulo),
            safe(s.chi),
            Text(s.stato, style=colours[s.stato]),
            safe(s.versione.documento.etichetta if s.versione else ""),
            str(s.n_errori),
            str(s.n_avvisi),
        )
    if fits(table):
        console.print(table)
        return
    from workbook.lingua import conta

    console.print(Text("Moduli:", style="bold"))
    for s in rows:
        say(
            Whole(s.modulo),
            ": ",
            Text(s.stato, style=colours[s.stato]),
            f", {conta(s.n_errori, 'errore', 'errori')}, {conta(s.n_avvisi, 'avviso', 'avvisi')}",
        )
        say(*whole_parts(s.chi, ", "), indent=2)
        if s.versione:
            say("file usato: ", *place(s.versione.documento.etichetta), indent=2)
