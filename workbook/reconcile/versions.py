"""Which version of each modulo counts, among the files received.

Among the files proven to be the same modulo of the current generation, the one saved most
recently (last-saved time recorded in the file, unless it lies after the file's arrival: such a
copy comes after every other), then the one sent last (certified time of a PEC, message date or
file time), then by content hash. Older versions are reported as superseded and never counted;
if the newest has errors in its protected content the modulo has no results until a correct
copy arrives (no silent fallback to an older one). The senders are checked against the Piano.
"""

from __future__ import annotations

import datetime as dt

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import compilatore
from workbook.piano.model import Piano
from workbook.reconcile.verify import Verifica


def choose_versions(
    piano: Piano, verifications: list[Verifica], problems: list[Anomalia]
) -> dict[str, Verifica]:
    """The version that counts for each workbook (see the module's docstring)."""
    chosen: dict[str, Verifica] = {}
    by_module: dict[str, list[Verifica]] = {}
    for v in verifications:
        if v.modulo is not None and v.corrente:
            by_module.setdefault(v.modulo, []).append(v)
    for modulo, versions in by_module.items():
        versions.sort(
            key=lambda v: (
                v.data_attendibile,  # a copy dated after its arrival never wins over the others
                v.quando,
                v.documento.primo.data or dt.datetime.min,
                v.documento.sha256,
            ),
            reverse=True,
        )
        newest = versions[0]
        chosen[modulo] = newest
        for old in versions[1:]:
            problems.append(
                anomalia(
                    Codice.REC_VERSIONE_SUPERATA,
                    file=old.documento.etichetta,
                    modulo=modulo,
                    salvato=old.quando.strftime("%d/%m/%Y %H:%M") if old.salvato else "?",
                    usato=newest.documento.etichetta,
                )
            )
        senders = sorted({s for v in versions for s in v.documento.mittenti})
        if len(senders) > 1:
            problems.append(
                anomalia(
                    Codice.REC_STESSO_MODULO_MITTENTI_DIVERSI,
                    file=newest.documento.etichetta,
                    modulo=modulo,
                    mittenti=", ".join(senders),
                )
            )
        expected = compilatore(piano, modulo).email.lower()
        for sender in newest.documento.mittenti:
            if expected and sender != expected:
                problems.append(
                    anomalia(
                        Codice.REC_MITTENTE_INATTESO,
                        file=newest.documento.etichetta,
                        modulo=modulo,
                        mittente=sender,
                        atteso=expected,
                    )
                )
    return chosen


def module_of_file(verifications: list[Verifica], modules: list[str]) -> dict[str, str]:
    """Which workbook each file label concerns: the received files that are (or claim to be)
    a workbook, and `moduli/<code>.xlsx` for a workbook not received."""
    owner = {f"moduli/{m}.xlsx": m for m in modules}
    for v in verifications:
        modulo = v.modulo or v.dichiarato
        if modulo:
            for arrival in v.documento.arrivi:
                owner[arrival.origine] = modulo
    return owner
