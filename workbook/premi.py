"""The money: the funds of the Ente sheet shared out exactly, to the cent, by the Sistema's
rules (`sistema.model.RegolePremi`; docs/premi.md has a worked example of each).

Every share is first computed exactly, as a fraction; each pot — performance organizzativa,
maggiorazione, performance individuale, EQ result — is then rounded on its own: amounts
rounded down to the cent and the cents lost to rounding given, one each, to the largest
remainders (ties by matricola), up to the exact total of the pot's shares rounded down to the
cent. So no one is given more than their share, and for every pot distributed + remainder =
pot, to the cent, always; a person's total is the sum of their parts.

Notation (as in docs/premi.md): w the weight (part-time share × days of service / days in
the year), c the category's coefficient, p the band's premio as a fraction, s the score su
100, r the Nucleo-validated achievement of the person's Area as a fraction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from workbook.sistema.model import Maggiorazione, RegolePremi

CENT = Decimal("0.01")
MIN_MAGGIORAZIONE = Decimal(30)  # CCNL 21.5.2018 art. 69 c.2; 16.11.2022 art. 81 c.2
MIN_QUOTA_INDIVIDUALE = Decimal(30)  # CCNL 21.5.2018 art. 68 c.3; 16.11.2022 art. 80


@dataclass(frozen=True, slots=True)
class Quota:
    """One person's claim on the funds."""

    matricola: str
    peso: Fraction  # w: part-time share × days of service / days in the year
    premio: Decimal | None  # the band's premio (%); None while not yet evaluated
    punteggio: Decimal | None = None  # the score su 100
    coefficiente: Fraction = Fraction(1)  # c: the category's
    area: str = ""
    raggiungimento: Decimal | None = None  # the Area's validated achievement (%)
    posizione: Decimal | None = None  # an EQ's retribuzione di posizione (€ per year)


@dataclass(frozen=True, slots=True)
class Ripartizione:
    """One pot: what was set aside, what was given, what is left, and to whom."""

    stanziata: Decimal
    distribuita: Decimal
    residuo: Decimal
    importi: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class Premi:
    """The shares of the productivity fund: each pot, and each person's parts."""

    organizzativa: Ripartizione
    maggiorazione: Ripartizione
    individuale: Ripartizione
    beneficiari: tuple[str, ...] = ()  # of the maggiorazione, in ranking order
    note: tuple[str, ...] = field(default=(), compare=False)  # why a rule was not applied

    @property
    def totale(self) -> Ripartizione:
        """The whole fund: the pots together."""
        pots = (self.organizzativa, self.maggiorazione, self.individuale)
        people = {m for pot in pots for m in pot.importi}
        zero = Decimal(0).quantize(CENT)
        return Ripartizione(
            sum((p.stanziata for p in pots), zero),
            sum((p.distribuita for p in pots), zero),
            sum((p.residuo for p in pots), zero),
            {m: sum((pot.importi.get(m, zero) for pot in pots), zero) for m in sorted(people)},
        )


def weight(part_time: Decimal, giorni: int, giorni_anno: int) -> Fraction:
    """Part-time share × days of service / days in the year, exactly."""
    return Fraction(part_time) * giorni / (100 * (giorni_anno or 365))


def share_out(pot: Decimal, shares: Mapping[str, Fraction] | Exact) -> Ripartizione:
    """Round exact shares of a pot (their sum never above it) to cents by the largest
    remainders. `shares` are fractions, or integer numerators over one denominator (the
    fast form of the largest Comuni: one division per person, no fraction arithmetic)."""
    pot = pot.quantize(CENT)
    if isinstance(shares, Exact):
        numerators, denominator = shares.numeratori, shares.denominatore
    else:
        denominator = math.lcm(*(Fraction(x).denominator for x in shares.values())) or 1
        numerators = {
            m: Fraction(x).numerator * (denominator // Fraction(x).denominator)
            for m, x in shares.items()
        }
    cents = {m: n * 100 for m, n in numerators.items()}
    floors = {m: c // denominator for m, c in cents.items()}
    target = sum(cents.values()) // denominator
    leftover = target - sum(floors.values())
    by_remainder = sorted(cents, key=lambda m: (-(cents[m] % denominator), m))
    for m in by_remainder[:leftover]:
        floors[m] += 1
    importi = {m: (Decimal(c) / 100).quantize(CENT) for m, c in sorted(floors.items())}
    distributed = (Decimal(target) / 100).quantize(CENT)
    return Ripartizione(pot, distributed, pot - distributed, importi)


@dataclass(frozen=True, slots=True)
class Exact:
    """Shares as integer numerators over one common denominator."""

    numeratori: dict[str, int]
    denominatore: int


def distribute(fondo: Decimal, quote: Iterable[Quota]) -> Ripartizione:
    """A fund shared by band: each person's full share (the fund × w / Σw of everyone with a
    claim) × p. Today's rule for the EQ result fund («base: fondo»)."""
    quote = [Quota(q.matricola, q.peso, q.premio) for q in quote]  # no coefficients here
    fondo = fondo.quantize(CENT)
    pot = Fraction(fondo) if fondo > 0 else Fraction(0)
    return share_out(fondo, _by_band_fast(pot, quote))


def _cent_half_up(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, ROUND_HALF_UP)


def _budgets(pot: Fraction, quote: list[Quota], regole: RegolePremi) -> dict[str, Fraction]:
    """Each Area's part of a pot (`budget: area`: by Σ w c of its people), or the whole pot
    under the key «» (`budget: ente`)."""
    if regole.budget == "ente":
        return {"": pot}
    wc: dict[str, Fraction] = {}
    for q in quote:
        wc[q.area] = wc.get(q.area, Fraction(0)) + q.peso * q.coefficiente
    total = sum(wc.values(), Fraction(0))
    return {a: pot * x / total if total else Fraction(0) for a, x in wc.items()}


def _groups(quote: list[Quota], regole: RegolePremi) -> dict[str, list[Quota]]:
    if regole.budget == "ente":
        return {"": quote}
    out: dict[str, list[Quota]] = {}
    for q in quote:
        out.setdefault(q.area, []).append(q)
    return out


def _organizzativa(pot: Fraction, quote: list[Quota], regole: RegolePremi) -> dict[str, Fraction]:
    """org_i = pot × w_i c_i r_i / Σ_j w_j c_j (within the Area's budget, by `budget`)."""
    shares: dict[str, Fraction] = {}
    if not pot:
        return shares
    budgets = _budgets(pot, quote, regole)
    for key, group in _groups(quote, regole).items():
        den = sum((q.peso * q.coefficiente for q in group), Fraction(0))
        for q in group:
            if q.premio is None or q.raggiungimento is None or not den:
                continue
            r = Fraction(q.raggiungimento) / 100
            shares[q.matricola] = budgets[key] * q.peso * q.coefficiente * r / den
    return shares


def _by_band_fast(pot: Fraction, quote: list[Quota]) -> Exact:
    """`_individuale` for the default rules (by band, the rest saved, one budget), in
    integers: share_i = pot × wc_i × p_i / Σ_j wc_j with every fraction brought to one
    denominator first."""
    wc = [q.peso * q.coefficiente for q in quote]
    l_w = math.lcm(*(x.denominator for x in wc)) if wc else 1
    weights = [x.numerator * (l_w // x.denominator) for x in wc]
    known = [(q, w) for q, w in zip(quote, weights, strict=True) if q.premio is not None]
    premi = [Fraction(q.premio) for q, _ in known]  # type: ignore[arg-type]
    l_p = math.lcm(*(p.denominator for p in premi)) if premi else 1
    total = sum(weights)
    if not total or not pot:
        return Exact({q.matricola: 0 for q, _ in known}, 1)
    # share_i = pot.num × w_i × P_i / (pot.den × Σw × 100 × l_p)
    numerators = {
        q.matricola: pot.numerator * w * (p.numerator * (l_p // p.denominator))
        for (q, w), p in zip(known, premi, strict=True)
    }
    return Exact(numerators, pot.denominator * total * 100 * l_p)


def _individuale(pot: Fraction, quote: list[Quota], regole: RegolePremi) -> dict[str, Fraction]:
    """By band (`fasce`: ind_i = pot × w_i c_i p_i / Σ_j w_j c_j, or / Σ_j w_j c_j p_j with
    `residuo: ridistribuito`) or by score (`punteggio`: pot × w_i c_i s_i / Σ_j w_j c_j s_j
    over the people whose band gives a premio)."""
    shares: dict[str, Fraction] = {}
    budgets = _budgets(pot, quote, regole)
    for key, group in _groups(quote, regole).items():
        known = [q for q in group if q.premio is not None]
        if regole.metodo == "punteggio":
            paid = [q for q in known if q.premio and q.punteggio is not None]
            den = sum(
                (q.peso * q.coefficiente * Fraction(q.punteggio) for q in paid),  # type: ignore[arg-type]
                Fraction(0),
            )
            for q in known:
                shares[q.matricola] = (
                    budgets[key] * q.peso * q.coefficiente * Fraction(q.punteggio) / den  # type: ignore[arg-type]
                    if q in paid and den
                    else Fraction(0)
                )
            continue
        if regole.residuo == "ridistribuito":
            den = sum(
                (q.peso * q.coefficiente * Fraction(q.premio) / 100 for q in known),  # type: ignore[arg-type]
                Fraction(0),
            )
        else:
            den = sum((q.peso * q.coefficiente for q in group), Fraction(0))
        for q in known:
            p = Fraction(q.premio) / 100  # type: ignore[arg-type]
            shares[q.matricola] = (
                budgets[key] * q.peso * q.coefficiente * p / den if den else Fraction(0)
            )
    return shares


def beneficiaries(
    quote: list[Quota], regola: Maggiorazione
) -> tuple[list[tuple[Quota, Fraction]], int]:
    """(beneficiary, their share of one maggiorazione) in ranking order, and n, the people
    evaluated positively. The first ⌊K% × n⌋ (⌈⌉ with «eccesso») by score, never chosen by a
    threshold (ARAN, CFL126); where people tied on the cut's score would exceed that number,
    the maggiorazioni left are shared equally among the tied («dividi»)."""
    # Evaluated positively, and with days of service counted (w > 0: the maggiorazione is
    # × w, a place given to someone whose days all went to absences would be lost).
    positive = [q for q in quote if q.premio and q.punteggio is not None and q.peso > 0]
    n = len(positive)
    exact = Fraction(regola.quota_personale) * n / 100
    count = math.ceil(exact) if regola.arrotondamento == "eccesso" else math.floor(exact)
    if count <= 0:
        return [], n
    ranked = sorted(positive, key=lambda q: (-q.punteggio, q.matricola))  # type: ignore[operator]
    cut = ranked[count - 1].punteggio
    above = [q for q in ranked if q.punteggio > cut]  # type: ignore[operator]
    tied = [q for q in ranked if q.punteggio == cut]
    left = count - len(above)
    chosen = [(q, Fraction(1)) for q in above]
    chosen += [(q, Fraction(left, len(tied))) for q in tied]
    return chosen, n


def share_fund(fondo: Decimal, quote: Iterable[Quota], regole: RegolePremi) -> Premi:
    """The productivity fund shared by the Sistema's rules: the performance organizzativa
    first (`quota_organizzativa` % of the fund), then from the individual part the
    maggiorazione (taken out first, as ARAN's CFL126 describes), then the individual premi."""
    quote = [q for q in quote]
    fondo = fondo.quantize(CENT) if fondo > 0 else Decimal(0).quantize(CENT)
    f_org = _cent_half_up(Fraction(fondo) * Fraction(regole.quota_organizzativa) / 100)
    f_ind = fondo - f_org
    organizzativa = share_out(f_org, _organizzativa(Fraction(f_org), quote, regole))
    notes: list[str] = []
    magg_shares: dict[str, Fraction] = {}
    chosen: list[tuple[Quota, Fraction]] = []
    if regole.maggiorazione is not None and f_ind > 0:
        chosen, n = beneficiaries(quote, regole.maggiorazione)
        if n and not chosen:
            notes.append(
                f"la quota di personale ({regole.maggiorazione.quota_personale}% di {n} "
                "valutati positivamente) non dà alcun beneficiario"
            )
        if chosen:
            media = Fraction(f_ind) / n
            per_one = Fraction(regole.maggiorazione.percentuale) / 100 * media
            magg_shares = {q.matricola: per_one * q.peso * share for q, share in chosen}
    pool = sum(magg_shares.values(), Fraction(0))
    if pool > Fraction(f_ind):  # never more than the individual part (the Sistema refuses it)
        magg_shares = {m: x * Fraction(f_ind) / pool for m, x in magg_shares.items()}
        pool = Fraction(f_ind)
    f_magg = (Decimal(math.floor(pool * 100)) / 100).quantize(CENT)
    maggiorazione = share_out(f_magg, magg_shares)
    y = f_ind - f_magg
    fast = regole.metodo == "fasce" and regole.residuo == "economia" and regole.budget == "ente"
    shares = _by_band_fast(Fraction(y), quote) if fast else _individuale(Fraction(y), quote, regole)
    individuale = share_out(y, shares)
    return Premi(
        organizzativa,
        maggiorazione,
        individuale,
        tuple(q.matricola for q, _ in chosen),
        tuple(notes),
    )


def share_eq(
    fondo: Decimal, quote: Iterable[Quota], regole: RegolePremi
) -> tuple[Ripartizione, bool]:
    """The EQ result: by the fund («base: fondo», as `distribute`), or R% of each one's own
    retribuzione di posizione × p × w («base: posizione»), scaled down proportionally where
    the fund does not cover it (then the flag is True)."""
    quote = list(quote)
    if regole.eq_base == "fondo":
        return distribute(fondo, quote), False
    fondo = fondo.quantize(CENT) if fondo > 0 else Decimal(0).quantize(CENT)
    r = Fraction(regole.eq_percentuale_massima) / 100
    shares = {
        q.matricola: r * Fraction(q.posizione or 0) * Fraction(q.premio) / 100 * q.peso  # type: ignore[arg-type]
        for q in quote
        if q.premio is not None
    }
    total = sum(shares.values(), Fraction(0))
    scaled = total > Fraction(fondo)
    if scaled:
        shares = {m: x * Fraction(fondo) / total for m, x in shares.items()}
    return share_out(fondo, shares), scaled
