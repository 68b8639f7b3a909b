"""Every exception of valuta, in one place; only the command line turns them into exit codes.

| exception | raised when | exit code (cli.py) |
|---|---|---|
| `AnomaliesError` | the Piano or the Sistema has errors: nothing can be generated | 1 |
| `CycleError` | a usage problem: no cycle folder, valuta.toml incomplete, a missing file | 2 |
| `PostaError` | a mail command cannot start (no results, no recipients, no password) | 2 |
| `OSError` | the disk refuses (full, read-only, a file open in Excel) | 2 |
| anything else | a defect of valuta (the message asks to run again with --debug) | 3 |

The others never reach the command line: `FileProblem` becomes an anomaly of the received file
it is about, `UnreadableValue` of the cell, `ConsegnaFallita` of the message, `PianoIllegibile`
of the Piano.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .anomalies import Anomalia, Codice


class CycleError(Exception):
    """A usage problem with the cycle folder, with an Italian message for the user."""


class AnomaliesError(Exception):
    """A stage could not produce its result; `anomalies` says why, in the user's terms."""

    def __init__(self, anomalies: list[Anomalia]) -> None:
        super().__init__("\n".join(a.testo for a in anomalies))
        self.anomalies = anomalies


class PostaError(CycleError):
    """A usage problem that stops a mail command before anything is sent."""

    def __init__(self, anomalies: list[Anomalia]) -> None:
        super().__init__("\n".join(f"{a.codice.code}: {a.testo}" for a in anomalies))
        self.anomalies = anomalies


class FileProblem(Exception):
    """A received file that cannot be read as one of our workbooks: `codice` says why, and
    `foglio` and `cella` where, when the problem is in one sheet or one cell."""

    def __init__(
        self, codice: Codice, dettaglio: str = "", foglio: str = "", cella: str = ""
    ) -> None:
        super().__init__(dettaglio or codice.titolo)
        self.codice = codice
        self.dettaglio = dettaglio
        self.foglio = foglio
        self.cella = cella


class PianoIllegibile(Exception):
    """The Piano's file is not one a spreadsheet program wrote, or would expand without bound."""


class UnreadableValue(ValueError):
    """A value that cannot be read as the expected type; `args[0]` is the offending text."""


class ConsegnaFallita(Exception):
    """A delivery failed; `anomalia` says why and what to do."""

    def __init__(self, problem: Anomalia, *, fatale: bool) -> None:
        super().__init__(problem.testo)
        self.anomalia = problem
        self.fatale = fatale
