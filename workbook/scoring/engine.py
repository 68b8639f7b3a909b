"""The Python scoring engine: every score recomputed from the inputs with the Sistema.

It mirrors, step by step, the formulas that `scoring.formulas` writes into the workbooks (same
rounding to two decimals at the same places), so that LibreOffice and Python agree to the cent;
`tests/test_libreoffice.py` checks that they do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from workbook.scoring.formulas import DASH, INCOMPLETE
from workbook.sistema.model import Fascia, Scheda, Sistema

if TYPE_CHECKING:
    from workbook.piano.model import Piano

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


# What the formulas of a workbook show, from the inputs typed into it: the results of the map
# (total, band, bonus, and the items the evaluator does not score), computed with that
# workbook's own inputs only — the Responsabile's declared achievements in an Area's workbook,
# the Nucleo's validated ones in the Nucleo's.


def shown_results(
    piano: Piano, modulo: str, inputs: Mapping[str, Decimal | str | None]
) -> dict[str, Decimal | str]:
    """Every result of the map of workbook `modulo` (by key), as its formulas compute it from
    `inputs` (by key: numbers, or the grade chosen)."""
    from workbook.contract import NUCLEO, make_key

    sistema = piano.sistema
    nucleo = modulo == NUCLEO
    out: dict[str, Decimal | str] = {}
    areas = [a.codice for a in piano.aree] if nucleo else [modulo]
    achievement: dict[str, Decimal | None] = {}
    categories: dict[str, dict[str, list[tuple[Decimal, Decimal | None]]]] = {}
    for area in areas:
        items = []
        for item in piano.obiettivi_area(area):
            o = item.obiettivo
            pct = achievement_value(
                sistema, inputs.get(make_key("obiettivo", item.id, "raggiungimento"))
            )
            if sistema.modalita == "percentuale":
                out[make_key("obiettivo", item.id, "grado")] = (
                    sistema.grado(pct).descrizione if pct is not None else DASH
                )
            else:
                out[make_key("obiettivo", item.id, "percentuale")] = (
                    pct if pct is not None else DASH
                )
            points = objective_points(o.peso, pct) if pct is not None else None
            out[make_key("obiettivo", item.id, "punti")] = points if points is not None else DASH
            items.append((o.peso, pct))
            categories.setdefault(area, {}).setdefault(o.tipo, []).append((o.peso, pct))
        achievement[area] = weighted_achievement(items)
        value = achievement[area]
        out[make_key("area", area, "raggiungimento")] = value if value is not None else INCOMPLETE
    soggetto = "po" if nucleo else "dipendente"
    scheda = sistema.scheda(soggetto)  # type: ignore[arg-type]
    people = piano.po() if nucleo else piano.dipendenti(modulo)
    for person in people:
        if not piano.idoneita(person).valutabile:
            continue
        area = piano.area_of_po(person) if nucleo else person.area
        factors: dict[str, Decimal | None] = {}
        for voce in scheda.fattori:
            raw = inputs.get(make_key(soggetto, person.matricola, voce.codice))
            factors[voce.codice] = raw if isinstance(raw, Decimal) else None
        result = score(
            scheda,
            factors,
            area_percentuale=achievement.get(area),
            obiettivi=categories.get(area, {}),
        )
        for voce in scheda.voci:
            if voce.tipo != "fattore":
                value = result.voci[voce.codice]
                out[make_key(soggetto, person.matricola, voce.codice)] = (
                    value if value is not None else INCOMPLETE
                )
        base = (soggetto, person.matricola)
        out[make_key(*base, "totale")] = result.totale if result.totale is not None else INCOMPLETE
        out[make_key(*base, "fascia")] = result.fascia.etichetta if result.fascia else DASH
        out[make_key(*base, "premio")] = result.premio if result.premio is not None else DASH
    return out
