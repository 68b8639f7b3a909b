"""`valuta premi --sistema ALTRO`: before signing the contratto decentrato, the money of the
last reconciled scores shared by another Sistema's rules, beside today's, in
`simulazioni/premi-<nome>.xlsx`. Nothing in `risultati/` changes.

The other Sistema must score the same way (the same schede, bands and grades): only its money
rules (`premi`, docs/premi.md) may differ, so that the scores, and who gets which band, are
the ones already reconciled.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from workbook.errors import CycleError
from workbook.reconcile.outcome import Outcome
from workbook.relazione import Relazione
from workbook.sistema.model import RegolePremi, Sistema, fingerprint_text


@dataclass(frozen=True, slots=True)
class Simulazione:
    path: Path
    attuale: Relazione
    simulata: Relazione
    persone: int
    cambiati: int  # people whose euros change


def _scoring_only(sistema: Sistema) -> str:
    """The fingerprint of everything but the money rules."""
    return fingerprint_text(dataclasses.replace(sistema, premi=RegolePremi(), origine=""))


def simulate(cycle_root: Path, outcome: Outcome, attuale: Relazione, other: Sistema) -> Simulazione:
    """Share the funds of `outcome` by `other`'s money rules; write the comparison."""
    from workbook.files import atomic_path
    from workbook.reconcile.aggregate import aggregate

    current = outcome.piano.sistema
    if _scoring_only(other) != _scoring_only(current):
        raise CycleError(
            f"Il Sistema «{other.origine}» non valuta come quello del ciclo "
            f"(«{current.origine}»): schede, voci, fasce o gradi sono diversi. La simulazione "
            "confronta solo le regole dei premi: copiare il Sistema del ciclo e cambiare "
            "soltanto il blocco «premi» (o le righe dei premi nel foglio Sistema)."
        )
    piano = dataclasses.replace(
        outcome.piano, sistema=dataclasses.replace(current, premi=other.premi)
    )
    simulata = aggregate(dataclasses.replace(outcome, piano=piano))
    name = Path(other.origine).stem
    target = cycle_root / "simulazioni" / f"premi-{name}.xlsx"
    with atomic_path(target) as tmp:
        _write(tmp, outcome, attuale, simulata, current.premi, other.premi)
    people = [v for v in outcome.valutazioni if attuale.premi.get(v.persona.matricola) is not None]
    changed = sum(
        1
        for v in people
        if attuale.premi.get(v.persona.matricola) != simulata.premi.get(v.persona.matricola)
    )
    return Simulazione(target, attuale, simulata, len(people), changed)


def _write(
    path: Path,
    outcome: Outcome,
    attuale: Relazione,
    simulata: Relazione,
    regole_attuali: RegolePremi,
    regole_simulate: RegolePremi,
) -> None:
    import xlsxwriter

    from workbook.results.tables import Styles, table
    from workbook.results.workbook import funds_of, rules_in_words

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    st = Styles(wb)
    ws = wb.add_worksheet("Confronto")
    ws.write_string(0, 0, "Simulazione dei premi con altre regole", st.title)
    ws.write_string(1, 0, "Regole attuali: " + rules_in_words(regole_attuali), st.note)
    ws.write_string(2, 0, "Regole simulate: " + rules_in_words(regole_simulate), st.note)

    sigla = outcome.piano.sistema.sigla_eq
    rows = []
    pairs = zip(funds_of(attuale, sigla), funds_of(simulata, sigla), strict=True)
    for (label, now), (_, then) in pairs:
        if not (now and now.stanziata) and not (then and then.stanziata):
            continue
        rows.append(
            [
                label,
                now.distribuita if now else Decimal(0),
                then.distribuita if then else Decimal(0),
                now.residuo if now else Decimal(0),
                then.residuo if then else Decimal(0),
            ]
        )
    table(
        ws,
        4,
        [
            ("Fondo", 34),
            ("Distribuito ora (€)", 16),
            ("Distribuito simulato (€)", 16),
            ("Residuo ora (€)", 16),
            ("Residuo simulato (€)", 16),
        ],
        rows,
        st,
        [st.wrap, st.euro, st.euro, st.euro, st.euro],
    )
    ws = wb.add_worksheet("Persone")
    people = [
        [
            v.persona.matricola,
            v.persona.nominativo,
            v.area,
            v.ruolo,
            v.su_100,
            attuale.premi.get(v.persona.matricola),
            simulata.premi.get(v.persona.matricola),
            (simulata.premi.get(v.persona.matricola) or Decimal(0))
            - (attuale.premi.get(v.persona.matricola) or Decimal(0)),
        ]
        for v in outcome.valutazioni
        if attuale.premi.get(v.persona.matricola) is not None
    ]
    table(
        ws,
        0,
        [
            ("Matricola", 11),
            ("Cognome e nome", 26),
            ("Area", 9),
            ("Ruolo", 11),
            ("Su 100", 9),
            ("Premio ora (€)", 14),
            ("Premio simulato (€)", 14),
            ("Differenza (€)", 14),
        ],
        people,
        st,
        [st.text, st.text, st.text, st.text, st.number, st.euro, st.euro, st.euro],
        filtered=True,
    )
    wb.close()
