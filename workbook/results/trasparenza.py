"""The tables of «Amministrazione trasparente › Performance › Dati relativi ai premi» (D.Lgs.
33/2013, art. 20): for each role — dipendenti, EQ, dirigenti where there are any — the premi
stanziati and distributed, head count and euros per band and per category, the average,
minimum and maximum premio, head count per class of premio as a share of the highest the
person's scheda gives, and the maggiorazione's beneficiaries and amount.

Written by `write_outputs` in `risultati/trasparenza/`, one CSV per table, as Italian Excel
opens it and as the Comuni publish them: UTF-8 with BOM, «;», decimal comma; and in the
results workbook's «Trasparenza» sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from workbook.reconcile.outcome import Outcome, Valutazione
from workbook.relazione import Fondo, Relazione

CLASSI = (
    (Decimal(90), "90% e oltre"),
    (Decimal(60), "dal 60% al 90%"),
    (Decimal(0), "sotto il 60%"),
)


@dataclass(frozen=True, slots=True)
class Tabella:
    file: str  # «fasce-dipendenti.csv»
    titolo: str
    colonne: tuple[str, ...]
    righe: tuple[tuple[object, ...], ...]


def _euro(value: Decimal | None) -> str:
    return "" if value is None else format(value.quantize(Decimal("0.01")), "f").replace(".", ",")


def _num(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.replace(".", ",")


def _share_of_top(v: Valutazione, outcome: Outcome) -> Decimal | None:
    """The person's premio as a share of the highest their scheda gives (%): the band's premio
    over the top band's («fasce»), or the score su 100 («punteggio»)."""
    if v.scheda is None or v.premio_percentuale is None:
        return None
    if outcome.piano.sistema.premi.metodo == "punteggio" and v.ruolo == "dipendente":
        return v.su_100 if v.premio_percentuale else Decimal(0)
    top = max(Decimal(100) if f.proporzionale else f.premio for f in v.scheda.fasce)
    return v.premio_percentuale * 100 / top if top else None


def tables(outcome: Outcome, relazione: Relazione) -> list[Tabella]:
    """Every table, role by role."""
    sigla = outcome.piano.sistema.sigla_eq
    roles = [
        ("dipendente", "dipendenti", relazione.premialita),
        ("eq", sigla, relazione.risultato_po),
    ]
    if any(v.ruolo == "dirigente" for v in outcome.valutazioni):
        roles.append(("dirigente", "dirigenti", None))
    out: list[Tabella] = []
    for ruolo, label, fund in roles:
        slug = {"dipendente": "dipendenti", "eq": "eq", "dirigente": "dirigenti"}[ruolo]
        people = [v for v in outcome.valutazioni if v.ruolo == ruolo and v.stato == "valutato"]
        euros = {v.persona.matricola: relazione.premi.get(v.persona.matricola) for v in people}
        paid = [e for e in euros.values() if e is not None]
        out.append(_fund_table(slug, label, ruolo, fund, relazione))
        bands: dict[tuple[str, str], list[Valutazione]] = {}
        for v in people:
            if v.scheda is not None and v.fascia is not None:
                bands.setdefault((v.scheda.codice, v.fascia.etichetta), []).append(v)
        band_rows = []
        for scheda in outcome.piano.sistema.schede:
            if scheda.ruolo != ruolo:
                continue
            for f in reversed(scheda.fasce):
                mine = bands.get((scheda.codice, f.etichetta), [])
                total = sum((euros[v.persona.matricola] or Decimal(0) for v in mine), Decimal(0))
                band_rows.append(
                    (
                        scheda.codice,
                        f.etichetta,
                        f.premio_testo if f.proporzionale else _num(f.premio),
                        len(mine),
                        _euro(total),
                    )
                )
        out.append(
            Tabella(
                f"fasce-{slug}.csv",
                f"Premi per fascia di punteggio – {label}",
                ("Scheda", "Fascia", "Premio (%)", "Persone", "Premi (€)"),
                tuple(band_rows),
            )
        )
        by_category: dict[str, list[Decimal]] = {}
        for v in people:
            by_category.setdefault(v.persona.categoria, []).append(
                euros[v.persona.matricola] or Decimal(0)
            )
        out.append(
            Tabella(
                f"categorie-{slug}.csv",
                f"Premi per categoria – {label}",
                ("Categoria", "Persone valutate", "Premi (€)", "Premio medio (€)"),
                tuple(
                    (c, len(a), _euro(sum(a, Decimal(0))), _euro(sum(a, Decimal(0)) / len(a)))
                    for c, a in sorted(by_category.items())
                ),
            )
        )
        out.append(
            Tabella(
                f"statistiche-{slug}.csv",
                f"Premio medio, minimo e massimo – {label}",
                ("Persone valutate", "Premio medio (€)", "Premio minimo (€)", "Premio massimo (€)"),
                (
                    (
                        len(people),
                        _euro(sum(paid, Decimal(0)) / len(paid)) if paid else "",
                        _euro(min(paid)) if paid else "",
                        _euro(max(paid)) if paid else "",
                    ),
                ),
            )
        )
        classes = [0] * len(CLASSI)
        for v in people:
            share = _share_of_top(v, outcome)
            if share is None:
                continue
            classes[next(i for i, (low, _) in enumerate(CLASSI) if share >= low)] += 1
        out.append(
            Tabella(
                f"classi-{slug}.csv",
                f"Persone per classe di premio rispetto al massimo conseguibile – {label}",
                ("Classe", "Persone"),
                tuple((name, n) for (_, name), n in zip(CLASSI, classes, strict=True)),
            )
        )
        if ruolo == "dipendente" and relazione.maggiorazione is not None:
            out.append(
                Tabella(
                    "maggiorazione-dipendenti.csv",
                    "Maggiorazione del premio individuale (CCNL Funzioni Locali 16.11.2022, "
                    "art. 81)",
                    ("Beneficiari", "Ammontare (€)"),
                    (
                        (
                            len(relazione.beneficiari_maggiorazione),
                            _euro(relazione.maggiorazione.distribuita),
                        ),
                    ),
                )
            )
    return out


def _fund_table(
    slug: str, label: str, ruolo: str, fund: Fondo | None, relazione: Relazione
) -> Tabella:
    rows: list[tuple[object, ...]] = []
    if fund is not None:
        rows.append(("Totale", _euro(fund.stanziata), _euro(fund.distribuita), _euro(fund.residuo)))
    if ruolo == "dipendente":
        for name, pot in (
            ("Performance organizzativa", relazione.premialita_organizzativa),
            ("Maggiorazione del premio individuale", relazione.maggiorazione),
            ("Performance individuale", relazione.premialita_individuale),
        ):
            if pot is not None and pot.stanziata:
                rows.append(
                    (name, _euro(pot.stanziata), _euro(pot.distribuita), _euro(pot.residuo))
                )
    return Tabella(
        f"premi-{slug}.csv",
        f"Ammontare dei premi stanziati e distribuiti – {label}",
        ("Fondo", "Stanziato (€)", "Distribuito (€)", "Residuo (€)"),
        tuple(rows),
    )


def csv_files(outcome: Outcome, relazione: Relazione) -> dict[str, str]:
    """{file name: its text}: one CSV per table."""
    from workbook.files import csv_text

    files = {}
    for t in tables(outcome, relazione):
        rows = [dict(zip(t.colonne, row, strict=True)) for row in t.righe]
        files[t.file] = csv_text(t.colonne, rows)
    return files


def folder(risultati: Path) -> Path:
    return risultati / "trasparenza"
