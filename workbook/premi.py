"""The money: a fund shared out exactly, to the cent.

Each evaluable person's full entitlement is the fund × their weight (part-time share × days of
service in the year / days in the year) over the sum of the weights of everyone evaluable; a
person receives their entitlement × their band's bonus percentage. Computed in integers
(fractions brought to a common denominator, amounts in cents): amounts are rounded down to the
cent and the cents lost to rounding go, one each, to the largest remainders (ties by
matricola), up to the exact total rounded down to the cent. So no one is given more than the
fund, and distributed + remainder = fund to the cent, always.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

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


def weight(part_time: Decimal, giorni: int, giorni_anno: int) -> Fraction:
    """Part-time share × days of service / days in the year, exactly."""
    return Fraction(part_time) * giorni / (100 * (giorni_anno or 365))


def distribute(fondo: Decimal, quote: Iterable[Quota]) -> Ripartizione:
    """Share out a fund (see the module's docstring)."""
    quote = list(quote)
    fondo = fondo.quantize(CENT)
    zero = Decimal(0).quantize(CENT)
    if fondo <= 0 or not any(q.peso for q in quote):
        return Ripartizione(
            fondo, zero, fondo, {q.matricola: zero for q in quote if q.premio is not None}
        )
    den_w = math.lcm(*(q.peso.denominator for q in quote))
    weights = {q.matricola: q.peso.numerator * (den_w // q.peso.denominator) for q in quote}
    premi = {q.matricola: Fraction(q.premio) for q in quote if q.premio is not None}
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
