"""`valuta generate --controlla`: everything the first cycle needs, checked in one pass, writing
nothing.

One rule for what stops what: `generate` checks what generating the moduli needs (the Piano,
the Sistema, the return address that the moduli print); the mail commands check what sending
needs (the addresses of the Responsabili, of the Nucleo and of the Segretario, the mail
settings). `--controlla` runs both, so that a new Comune sees every problem in one round.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook.anomalies import Anomalia
from workbook.contract import moduli
from workbook.cycle import Cycle
from workbook.errors import AnomaliesError, CycleError
from workbook.mail.messages import _address_problem, _module_recipient
from workbook.piano.load import load_piano


@dataclass(frozen=True, slots=True)
class Controllo:
    generazione: tuple[Anomalia, ...]  # what stops `generate` (errori) or deserves a look
    posta: tuple[Anomalia, ...]  # what stops a message from going out
    impostazioni: tuple[str, ...]  # problems of valuta.toml

    @property
    def ha_errori(self) -> bool:
        from workbook.anomalies import Gravita

        return bool(self.impostazioni) or any(
            a.gravita is Gravita.ERRORE for a in (*self.generazione, *self.posta)
        )


def controlla(cycle: Cycle) -> Controllo:
    cycle.check()
    settings: list[str] = []
    try:
        cycle.settings().return_address()
    except CycleError as exc:
        settings.append(str(exc))
    try:
        # The addresses are checked even when the Piano has errors, on the rows it could read.
        piano, generazione = load_piano(cycle.piano_path, partial=True)
    except AnomaliesError as exc:
        return Controllo(tuple(exc.anomalies), (), tuple(settings))
    posta = []
    for modulo in moduli(piano):
        recipient = _module_recipient(piano, modulo)
        problem = _address_problem(recipient) if recipient is not None else None
        if problem is not None:
            posta.append(problem)
    return Controllo(tuple(generazione), tuple(posta), tuple(settings))
