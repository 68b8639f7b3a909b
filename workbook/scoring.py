"""The Python scoring engine: every score recomputed from the inputs with the Sistema.

It mirrors, step by step, the formulas that `formulas.py` writes into the workbooks (same
rounding to two decimals at the same places), so that LibreOffice and Python agree to the cent;
`tests/test_libreoffice.py` checks that they do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .sistema import Fascia, Scheda, Sistema

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    """Excel's ROUND(x, 2): half away from zero (scores are never negative)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def objective_points(peso: Decimal, percentuale: Decimal) -> Decimal:
    """Points of one objective: peso × achievement."""
    return round2(peso * percentuale / HUNDRED)


def weighted_achievement(items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Achievement (%) of a group of objectives, weighted by peso; None until all are given."""
    if not items or any(p is None for _, p in items):
        return None
    total = sum((w for w, _ in items), Decimal(0))
    if total == 0:
        return None
    return round2(sum((w * p for w, p in items), Decimal(0)) / total)  # type: ignore[operator]


def category_points(items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Points of a scheda item made of objectives: Σ peso × achievement; None until complete."""
    if not items or any(p is None for _, p in items):
        return None
    return round2(sum((w * p for w, p in items), Decimal(0)) / HUNDRED)  # type: ignore[operator]


def derived_points(massimo: Decimal, area_percentuale: Decimal | None) -> Decimal | None:
    """An employee's objective component: the Area's achievement applied to the item's max."""
    if area_percentuale is None:
        return None
    return round2(massimo * area_percentuale / HUNDRED)


@dataclass(frozen=True, slots=True)
class Risultato:
    """A person's recomputed scheda; totals are None while any item is missing."""

    voci: dict[str, Decimal | None]
    totale: Decimal | None
    su_100: Decimal | None
    fascia: Fascia | None
    premio: Decimal | None

    @property
    def completo(self) -> bool:
        return self.totale is not None


def su_100(scheda: Scheda, totale: Decimal) -> Decimal:
    return round2(totale * HUNDRED / scheda.massimo)


def score(
    scheda: Scheda,
    fattori: Mapping[str, Decimal | None],
    *,
    area_percentuale: Decimal | None = None,
    obiettivi: Mapping[str, Sequence[tuple[Decimal, Decimal | None]]] | None = None,
) -> Risultato:
    """Score one person.

    `fattori`: the evaluator's score of each factor item (None when empty);
    `area_percentuale`: the Area's achievement, for derived items;
    `obiettivi`: for each objective category, the (peso, achievement) of the Area's objectives.
    """
    voci: dict[str, Decimal | None] = {}
    for voce in scheda.voci:
        if voce.tipo == "fattore":
            voci[voce.codice] = fattori.get(voce.codice)
        elif voce.tipo == "derivata":
            voci[voce.codice] = derived_points(voce.massimo, area_percentuale)
        else:
            voci[voce.codice] = category_points((obiettivi or {}).get(voce.categoria, ()))
    if any(v is None for v in voci.values()):
        return Risultato(voci, None, None, None, None)
    totale = round2(sum(voci.values(), Decimal(0)))  # type: ignore[arg-type]
    fascia = scheda.fascia(totale)
    return Risultato(voci, totale, su_100(scheda, totale), fascia, fascia.premio)


def achievement_value(sistema: Sistema, raw: Decimal | str | None) -> Decimal | None:
    """The percentage an objective is credited with: the number, or the value of the grade."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    grade = sistema.grado_per_descrizione(raw)
    return grade.valore if grade else None
