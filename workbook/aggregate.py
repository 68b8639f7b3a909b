"""The tables of the Relazione sulla Performance, from the reconciled outcome. No I/O.

Laid out as in the Almenno seed: Aree and Posizioni Organizzative with how each was rated;
dipendenti valutati and not (with the reason); the distribution by score band with the bonus
of each; MEDIA PUNTEGGIO su 100; each Area's objectives and the overall organisational
performance; the bilancio di genere; premialità stanziata e distribuita; and how much each
evaluator differentiated the judgements.

The productivity fund is shared out exactly (fractions, not floats): each evaluable person's
full entitlement is the fund × (part-time × days of service in the year) over the sum of
these weights for everyone evaluable; a person receives their entitlement × their band's bonus
percentage. Amounts are rounded down to the cent and the cents lost to rounding go, one each,
to the largest remainders (ties by matricola), up to the exact total rounded down to the cent:
so no one is given more than the fund, and distributed + remainder = fund to the cent.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .anomalies import Anomalia, Codice, anomalia
from .layout import NUCLEO
from .reconcile import EsitoObiettivo, Outcome, Valutazione
from .sistema import Sistema

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Quota:
    """One person's claim on a fund."""

    matricola: str
    peso: Fraction  # part-time share × days of service / days in the year
    premio: Decimal | None  # bonus percentage of the band; None while not yet evaluated


@dataclass(frozen=True, slots=True)
class Ripartizione:
    stanziata: Decimal
    distribuita: Decimal
    residuo: Decimal
    importi: dict[str, Decimal]


def distribute(fondo: Decimal, quote: Iterable[Quota]) -> Ripartizione:
    """Share out a fund as described in the module's docstring, in integers: every weight and
    bonus brought to a common denominator, amounts in cents."""
    quote = list(quote)
    fondo = fondo.quantize(CENT)
    zero = Decimal(0).quantize(CENT)
    if fondo <= 0 or not any(q.peso for q in quote):
        return Ripartizione(
            fondo, zero, fondo, {q.matricola: zero for q in quote if q.premio is not None}
        )
    den_w = math.lcm(*(q.peso.denominator for q in quote))
    weights = {q.matricola: q.peso.numerator * (den_w // q.peso.denominator) for q in quote}
    premi = {q.matricola: _fraction(q.premio) for q in quote if q.premio is not None}
    den_p = math.lcm(*(p.denominator for p in premi.values())) if premi else 1
    cents = int(fondo * 100)
    # amount_i (cents) = cents × w_i × premio_i / (100 × Σw) = numerator_i / denominator
    denominator = 100 * den_p * sum(weights.values())
    numerators = {
        m: cents * weights[m] * (p.numerator * (den_p // p.denominator)) for m, p in premi.items()
    }
    floors = {m: n // denominator for m, n in numerators.items()}
    target = sum(numerators.values()) // denominator
    remaining = target - sum(floors.values())
    by_remainder = sorted(numerators, key=lambda m: (-(numerators[m] % denominator), m))
    for m in by_remainder[:remaining]:
        floors[m] += 1
    importi = {m: (Decimal(c) / 100).quantize(CENT) for m, c in sorted(floors.items())}
    distributed = (Decimal(target) / 100).quantize(CENT)
    return Ripartizione(fondo, distributed, fondo - distributed, importi)


@functools.lru_cache(maxsize=1024)
def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)  # a handful of distinct bonus percentages


def _d(value: Decimal | None, places: str = "0.01") -> Decimal | None:
    return None if value is None else value.quantize(Decimal(places), ROUND_HALF_UP)


def _mean(values: list[Decimal]) -> Decimal | None:
    return _d(sum(values, Decimal(0)) / len(values)) if values else None


def _weight(v: Valutazione) -> Fraction:
    """Part-time share × days of service / days in the year, exactly."""
    return _share(v.persona.part_time, v.giorni_servizio, v.giorni_anno or 365)


@functools.lru_cache(maxsize=4096)
def _share(part_time: Decimal, giorni: int, giorni_anno: int) -> Fraction:
    # A handful of distinct part-times and periods of service among thousands of people.
    return Fraction(part_time) * giorni / (100 * giorni_anno)


def _quote(valutazioni: list[Valutazione]) -> list[Quota]:
    return [
        Quota(
            v.persona.matricola, _weight(v), v.premio_percentuale if v.stato == "valutato" else None
        )
        for v in valutazioni
        if v.stato != "non valutabile"
    ]


@dataclass(frozen=True, slots=True)
class Relazione:
    tabelle: dict  # JSON-ready: the «relazione» object of the results
    premi: dict[str, Decimal]  # matricola → euro
    anomalie: list[Anomalia]


def _mean_su_100(valutati: list[Valutazione], sistema: Sistema) -> Decimal | None:
    """MEDIA PUNTEGGIO su 100: the mean of score × 100 / maximum, exactly, then rounded (not
    the mean of the rounded «su 100» figures)."""
    if not valutati:
        return None
    by_max: dict[Decimal, Decimal] = {}
    maxima = {r: sistema.scheda(r).massimo for r in ("dipendente", "po")}
    for v in valutati:
        massimo = maxima[v.ruolo]
        by_max[massimo] = by_max.get(massimo, Decimal(0)) + v.punteggio  # type: ignore[operator]
    total = sum((Fraction(s) * 100 / Fraction(m) for m, s in by_max.items()), Fraction(0))
    mean = total / len(valutati)
    return (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(CENT, ROUND_HALF_UP)


def aggregate(outcome: Outcome) -> Relazione:
    piano = outcome.piano
    sistema = piano.sistema
    problems: list[Anomalia] = []
    dipendenti = [v for v in outcome.valutazioni if v.ruolo == "dipendente"]
    po = [v for v in outcome.valutazioni if v.ruolo == "po"]
    valutati = [v for v in dipendenti if v.stato == "valutato"]
    scheda = sistema.scheda("dipendente")

    fund = distribute(piano.ente.fondo_produttivita, _quote(dipendenti))
    fund_po = distribute(piano.ente.fondo_risultato_po, _quote(po))
    for amount, label in (
        (piano.ente.fondo_produttivita, "fondo per la produttività"),
        (piano.ente.fondo_risultato_po, "fondo per il risultato delle PO"),
    ):
        if amount <= 0:
            problems.append(
                anomalia(
                    Codice.AGG_FONDO_NON_INDICATO, file=piano.origine, foglio="Ente", fondo=label
                )
            )
    premi = {**fund.importi, **fund_po.importi}

    in_band = Counter(v.fascia.etichetta for v in valutati if v.fascia)
    bands = []
    for band in sorted(scheda.fasce, key=lambda f: f.da, reverse=True):
        bands.append(
            {
                "da": band.da,
                "a": band.a,
                "etichetta": band.etichetta,
                "premio_percentuale": band.premio,
                "n_dipendenti": in_band[band.etichetta],
            }
        )

    genders = []
    staff_by_gender = Counter(v.persona.genere for v in dipendenti)
    for genere in ("F", "M"):
        mine = [v for v in valutati if v.persona.genere == genere]
        mine_in_band = Counter(v.fascia.etichetta for v in mine if v.fascia)
        genders.append(
            {
                "genere": genere,
                "n_dipendenti": staff_by_gender[genere],
                "n_valutati": len(mine),
                "media_su_100": _mean_su_100(mine, sistema),
                "fasce": [
                    {"etichetta": b["etichetta"], "n": mine_in_band[b["etichetta"]]} for b in bands
                ],
                "premi_euro": sum(
                    (premi.get(v.persona.matricola, Decimal(0)) for v in mine), Decimal(0)
                ).quantize(CENT),
            }
        )

    objectives = []
    by_area: dict[str, list[EsitoObiettivo]] = {}
    for o in outcome.obiettivi:
        by_area.setdefault(o.obiettivo.area, []).append(o)
    for area in piano.aree:
        mine = by_area.get(area.codice, [])
        objectives.append(
            {
                "area": area.codice,
                "denominazione": area.denominazione,
                "raggiungimento": outcome.aree.get(area.codice),
                "obiettivi": [
                    {
                        "codice": o.obiettivo.obiettivo.codice,
                        "tipo": o.obiettivo.obiettivo.tipo,
                        "descrizione": o.obiettivo.obiettivo.descrizione,
                        "peso": o.obiettivo.obiettivo.peso,
                        "dichiarato": o.dichiarato,
                        "validato": o.validato,
                        "raggiungimento": o.raggiungimento,
                        "fonte": o.fonte,
                        "punti": o.punti,
                        "evidenze": o.evidenze,
                    }
                    for o in mine
                ],
            }
        )
    weighted = [(o.obiettivo.obiettivo.peso, o.raggiungimento) for o in outcome.obiettivi]
    organisational = None
    if weighted and all(p is not None for _, p in weighted):
        organisational = _d(
            sum((w * p for w, p in weighted), Decimal(0))  # type: ignore
            / sum((w for w, _ in weighted), Decimal(0))
        )

    differentiation = []
    evaluators = [(a.codice, f"Responsabile dell'Area {a.codice}") for a in piano.aree]
    evaluators.append((NUCLEO, "Nucleo di Valutazione"))
    by_evaluator: dict[str, list[Valutazione]] = {}
    for v in outcome.valutazioni:
        if v.stato == "valutato":
            by_evaluator.setdefault(v.valutatore, []).append(v)
    for modulo, label in evaluators:
        mine = by_evaluator.get(modulo, [])
        scores = [v.su_100 for v in mine if v.su_100 is not None]
        std = (
            Decimal(str(statistics.pstdev([float(s) for s in scores]))).quantize(CENT)
            if scores
            else None
        )
        top = max((v.fascia.da for v in mine if v.fascia), default=None)
        differentiation.append(
            {
                "valutatore": label,
                "modulo": modulo,
                "n_valutati": len(mine),
                "media_su_100": _mean_su_100(mine, sistema),
                "scarto_quadratico_medio": std,
                "minimo": min(scores, default=None),
                "massimo": max(scores, default=None),
                "fasce_utilizzate": len({v.fascia.etichetta for v in mine if v.fascia}),
                "quota_fascia_massima": _d(
                    Decimal(sum(1 for v in mine if v.fascia and v.fascia.da == top))
                    * 100
                    / len(mine)
                )
                if mine
                else None,
            }
        )
        if len(scores) >= 2 and len(set(scores)) == 1:
            problems.append(
                anomalia(
                    Codice.AGG_NESSUNA_DIFFERENZIAZIONE,
                    file=f"{modulo}.xlsx",
                    valutatore=label,
                    n=len(scores),
                    punteggio=str(scores[0]).replace(".", ","),
                )
            )

    not_evaluated = [v for v in dipendenti if v.stato != "valutato"]
    tabelle = {
        "n_aree": len(piano.aree),
        "n_posizioni_organizzative": len(po),
        "posizioni_organizzative": [
            {
                "matricola": v.persona.matricola,
                "nominativo": v.persona.nominativo,
                "area": v.area,
                "punteggio": v.punteggio,
                "punteggio_su_100": v.su_100,
                "fascia": v.fascia.etichetta if v.fascia else None,
                "premio_percentuale": v.premio_percentuale,
                "stato": v.stato,
                "motivo": v.motivo,
            }
            for v in po
        ],
        "n_dipendenti_valutati": len(valutati),
        "n_dipendenti_non_valutati": len(not_evaluated),
        "non_valutati": [
            {
                "matricola": v.persona.matricola,
                "nominativo": v.persona.nominativo,
                "area": v.area,
                "motivo": v.motivo,
            }
            for v in not_evaluated
        ],
        "fasce": bands,
        "media_punteggio_su_100": _mean_su_100(valutati, sistema),
        "obiettivi": objectives,
        "performance_organizzativa": organisational,
        "genere": genders,
        "premialita": {
            "stanziata": fund.stanziata,
            "distribuita": fund.distribuita,
            "residuo": fund.residuo,
        },
        "risultato_po": {
            "stanziata": fund_po.stanziata,
            "distribuita": fund_po.distribuita,
            "residuo": fund_po.residuo,
        },
        "differenziazione": differentiation,
    }
    return Relazione(tabelle, premi, problems)
