"""The Python scoring engine: every score recomputed from the inputs with the Sistema.

It mirrors, step by step, the formulas that `scoring.formulas` writes into the workbooks (same
rounding to two decimals at the same places), so that LibreOffice and Python agree to the cent;
`tests/test_libreoffice.py` checks that they do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from workbook.contract import NUCLEO
from workbook.scoring.formulas import DASH, INCOMPLETE, PENDING
from workbook.sistema.model import Fascia, Scheda, Sistema, Voce

if TYPE_CHECKING:
    from workbook.piano.model import ObiettivoArea, Persona, Piano

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


def ente_achievement(items: Sequence[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """The Ente's achievement (%) over objectives: the points they earn (each rounded as its
    cell shows it) over their weights; None until all are given."""
    if not items or any(p is None for _, p in items):
        return None
    total = sum((w for w, _ in items), Decimal(0))
    if total == 0:
        return None
    points = sum((objective_points(w, p) for w, p in items), Decimal(0))  # type: ignore[arg-type]
    return round2(points * HUNDRED / total)


Achievement = tuple[str, Decimal, Decimal | None]  # (type, peso, achievement %) of an objective


@dataclass(frozen=True, slots=True)
class Obiettivi:
    """The objectives a person's scheda can draw on, each (type, peso, achievement): their
    Area's, those assigned to them, the whole Ente's. None where they are not at hand (a
    modulo that does not hold them): the items made of them cannot be computed there."""

    area: Sequence[Achievement] | None = ()
    assegnati: Sequence[Achievement] | None = ()
    ente: Sequence[Achievement] | None = None

    def of(self, voce: Voce) -> Sequence[Achievement] | None:
        if voce.fonte == "assegnati":
            return self.assegnati
        return self.ente if voce.fonte == "ente" else self.area


def item_points(voce: Voce, obiettivi: Obiettivi) -> Decimal | None:
    """The points of an item the evaluator does not score (see sistema.model.Voce)."""
    source = obiettivi.of(voce)
    if source is None:
        return None
    items = [(w, p) for t, w, p in source if voce.conta(t)]
    if voce.tipo == "obiettivi":
        return category_points(items)
    if voce.fonte == "ente":
        return derived_points(voce.massimo, ente_achievement(items))
    return derived_points(voce.massimo, weighted_achievement(items))


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


def score(scheda: Scheda, fattori: Mapping[str, Decimal | None], obiettivi: Obiettivi) -> Risultato:
    """Score one person: `fattori`, the evaluator's score of each factor item (None when
    empty); `obiettivi`, the objectives the other items are made of."""
    voci: dict[str, Decimal | None] = {}
    for voce in scheda.voci:
        if voce.tipo == "fattore":
            voci[voce.codice] = fattori.get(voce.codice)
        else:
            voci[voce.codice] = item_points(voce, obiettivi)
    if any(v is None for v in voci.values()):
        return Risultato(voci, None, None, None, None)
    totale = round2(sum(voci.values(), Decimal(0)))  # type: ignore[arg-type]
    fascia = scheda.fascia(totale)
    score_100 = su_100(scheda, totale)
    return Risultato(voci, totale, score_100, fascia, fascia.premio_di(score_100))


def achievement_value(sistema: Sistema, raw: Decimal | str | None) -> Decimal | None:
    """The percentage an objective is credited with: the number, or the value of the grade."""
    if raw is None:
        return None
    if isinstance(raw, Decimal):
        return raw
    grade = sistema.grado_per_descrizione(raw)
    return grade.valore if grade else None


def achievements(
    piano: Piano, modulo: str, percentuali: Mapping[str, Decimal | None]
) -> Callable[[Persona], Obiettivi]:
    """For each person, the objectives their scheda draws on, with the achievements of
    `percentuali` (by ObiettivoArea.id). `modulo` is the modulo whose objectives are at hand
    (its Area's; every Area's for the Nucleo's, and the Ente's with them; none for the
    Segretario's), or «» for all of them (the final scores)."""
    everything = modulo in ("", NUCLEO)
    areas = {a.codice for a in piano.aree} if everything else {modulo}

    def triple(item: ObiettivoArea) -> Achievement:
        return (item.obiettivo.tipo, item.obiettivo.peso, percentuali.get(item.id))

    ente = [triple(o) for o in piano.obiettivi_ente()] if everything else None

    def of(person: Persona) -> Obiettivi:
        area = piano.area_of(person)
        if area not in areas:
            return Obiettivi(None, None, ente)
        return Obiettivi(
            [triple(o) for o in piano.obiettivi_area(area)],
            [triple(o) for o in piano.assegnati(person.matricola)],
            ente,
        )

    return of


# What the formulas of a workbook show, from the inputs typed into it: the results of the map
# (total, band, bonus, and the items the evaluator does not score, where the modulo holds what
# they are made of), computed with that workbook's own inputs only — the Responsabile's
# declared achievements in an Area's workbook, the Nucleo's validated ones in the Nucleo's.


def ente_types(piano: Piano, modulo: str) -> list[str]:
    """The types of objectives («» for every type) whose Ente-wide achievement the Nucleo's
    modulo shows: those its schede's Ente-derived items ask for."""
    if modulo != NUCLEO:
        return []
    found: dict[str, None] = {}
    for person in piano.valutati(modulo):
        scheda = piano.scheda_of(person)
        for voce in scheda.voci if scheda else ():
            if voce.tipo == "derivata" and voce.fonte == "ente":
                found[voce.tipo_obiettivi] = None
    return list(found)


def shown_results(
    piano: Piano, modulo: str, inputs: Mapping[str, Decimal | str | None]
) -> dict[str, Decimal | str]:
    """Every result of the map of workbook `modulo` (by key), as its formulas compute it from
    `inputs` (by key: numbers, or the grade chosen)."""
    from workbook.contract import make_key, modulo_areas

    sistema = piano.sistema
    out: dict[str, Decimal | str] = {}
    percentuali: dict[str, Decimal | None] = {}
    for area in modulo_areas(piano, modulo):
        items = []
        for item in piano.obiettivi_area(area):
            o = item.obiettivo
            pct = achievement_value(
                sistema, inputs.get(make_key("obiettivo", item.id, "raggiungimento"))
            )
            percentuali[item.id] = pct
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
        value = weighted_achievement(items)
        out[make_key("area", area, "raggiungimento")] = value if value is not None else INCOMPLETE
    draws_on = achievements(piano, modulo, percentuali)
    for tipo in ente_types(piano, modulo):
        whole = draws_on_ente(piano, percentuali, tipo)
        out[make_key("ente", tipo or TUTTI, "raggiungimento")] = (
            whole if whole is not None else INCOMPLETE
        )
    for person in piano.valutati(modulo):
        scheda = piano.scheda_of(person)
        if scheda is None or not piano.idoneita(person).valutabile:
            continue
        factors: dict[str, Decimal | None] = {}
        for voce in scheda.fattori:
            raw = inputs.get(make_key(person.ruolo, person.matricola, voce.codice))
            factors[voce.codice] = raw if isinstance(raw, Decimal) else None
        obiettivi = draws_on(person)
        result = score(scheda, factors, obiettivi)
        for voce in scheda.voci:
            if voce.tipo != "fattore" and obiettivi.of(voce) is not None:
                value = result.voci[voce.codice]
                out[make_key(person.ruolo, person.matricola, voce.codice)] = (
                    value if value is not None else INCOMPLETE
                )
        base = (person.ruolo, person.matricola)
        computable = [v for v in scheda.voci if v.tipo == "fattore" or obiettivi.of(v) is not None]
        if len(computable) < len(scheda.voci):  # the formula of fx.total(…, pending=True)
            done = all(result.voci[v.codice] is not None for v in computable)
            out[make_key(*base, "totale")] = PENDING if done else INCOMPLETE
        else:
            out[make_key(*base, "totale")] = (
                result.totale if result.totale is not None else INCOMPLETE
            )
        out[make_key(*base, "fascia")] = result.fascia.etichetta if result.fascia else DASH
        out[make_key(*base, "premio")] = result.premio if result.premio is not None else DASH
    return out


TUTTI = "tutti"  # the key of the Ente's achievement over objectives of every type


def draws_on_ente(
    piano: Piano, percentuali: Mapping[str, Decimal | None], tipo: str
) -> Decimal | None:
    """The Ente's achievement over its objectives of one type («» for every type)."""
    return ente_achievement(
        [
            (o.obiettivo.peso, percentuali.get(o.id))
            for o in piano.obiettivi_ente()
            if not tipo or o.obiettivo.tipo == tipo
        ]
    )
