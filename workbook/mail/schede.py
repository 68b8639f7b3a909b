"""`valuta send --schede`: each evaluated person gets only their own final scheda (its PDF if
written, else its workbook), at the address of their Personale row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbook.anomalies import Codice, anomalia
from workbook.errors import PostaError
from workbook.mail.deliver import Allegato, Destinatario, Messaggio
from workbook.results import results_paths
from workbook.results.schede import INDEX, json_digest, read_index


def plan_schede(ctx: Any, data: dict[str, Any], provisional: bool) -> Any:
    from workbook.mail.messages import PRIVACY, _collect, _marks, _text

    folder = ctx.cycle.risultati / "schede"
    _, data_path = results_paths(ctx.cycle, ctx.anno)
    index = read_index(folder)
    rel = f"risultati/schede/{INDEX}"
    if index is None:
        raise PostaError(
            [anomalia(Codice.POSTA_SCHEDE_MANCANTI, file=rel, motivo="non sono state scritte")]
        )
    if index.get("risultati") != json_digest(data_path):
        raise PostaError(
            [
                anomalia(
                    Codice.POSTA_SCHEDE_MANCANTI,
                    file=rel,
                    motivo="sono più vecchie dei risultati dell'ultimo «valuta reconcile»",
                )
            ]
        )
    prefix, _ = _marks(provisional)
    ente = ctx.piano.ente.denominazione
    planned = []
    for v in data["valutazioni"]:
        names = index["schede"].get(v["matricola"])
        if v.get("stato") != "valutato" or not names:
            continue
        path = _attachment(folder, names)
        if path is None:
            raise PostaError(
                [anomalia(Codice.POSTA_SCHEDE_MANCANTI, file=rel, motivo=f"non hanno {names[0]}")]
            )
        name = path.name
        person = ctx.piano.persona(v["matricola"])
        recipient = Destinatario(
            person.email if person else "",
            v["nominativo"],
            f"{v['nominativo']} (matricola {v['matricola']})",
            file=ctx.piano.origine,
            foglio="Personale",
            riga=person.riga if person else None,
        )
        allegato = Allegato(name, path.read_bytes(), f"risultati/schede/{name}")
        status = (
            "La scheda è PROVVISORIA: i risultati non sono ancora definitivi e possono "
            "cambiare; Le sarà inviata la scheda definitiva."
            if provisional
            else "La scheda riporta i valori definitivi, validati dal Nucleo di Valutazione."
        )

        def message(
            r: Destinatario, allegato: Allegato = allegato, status: str = status
        ) -> Messaggio:
            return Messaggio(
                comando="send",
                modulo="scheda",
                indirizzo=r.indirizzo,
                nome=r.nome,
                chi=r.chi,
                oggetto=f"{prefix}Valutazione della performance {ctx.anno} – scheda "
                f"individuale ({ente})",
                testo=_text(
                    f"Gentile {r.nome},",
                    f"in allegato la Sua scheda individuale di valutazione della performance "
                    f"{ctx.anno} ({ente}): {allegato.nome}.",
                    status,
                    "Se desidera formulare osservazioni, può indicarle nell'apposito riquadro "
                    "della scheda e restituirla firmata per presa visione.",
                    PRIVACY,
                    ctx.closing(),
                ),
                allegato=allegato,
            )

        planned.append((recipient, message))
    return _collect("send", ctx, planned, provisional)


def _attachment(folder: Path, names: list[str]) -> Path | None:
    """The scheda's PDF when it is there and not older than its workbook (which someone may
    have edited after `valuta schede`), else the workbook; None when the workbook is gone."""
    book = folder / names[0]
    if not book.is_file():
        return None
    for name in names[1:]:
        pdf = folder / name
        if pdf.suffix == ".pdf" and pdf.is_file() and pdf.stat().st_mtime >= book.stat().st_mtime:
            return pdf
    return book
