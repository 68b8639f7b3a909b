"""The tables of the Relazione sulla Performance, from the reconciled outcome. No I/O.

One function per table, each returning its typed rows (relazione.py), laid out as in the
Almenno seed: Aree and Posizioni Organizzative with how each was rated; dipendenti valutati and
not (with the reason); the distribution by score band with the bonus of each; MEDIA PUNTEGGIO
su 100; each Area's objectives and the overall organisational performance; the bilancio di
genere; premialità stanziata e distribuita (premi.py shares the funds out, to the cent); and
how much each evaluator differentiated the judgements.
"""

from __future__ import annotations

import statistics
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import compilatore, moduli
from workbook.premi import (
    CENT,
    MIN_QUOTA_INDIVIDUALE,
    Premi,
    Quota,
    Ripartizione,
    share_eq,
    share_fund,
    weight,
)
from workbook.reconcile.outcome import EsitoObiettivo, Outcome, Valutazione
from workbook.relazione import (
    FasciaGenere,
    Fondo,
    NonValutato,
    ObiettiviArea,
    Relazione,
    RigaDifferenziazione,
    RigaFascia,
    RigaGenere,
    RigaObiettivo,
    RigaPO,
)
from workbook.values import format_euro, format_number


def _d(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP)


def quote(valutazioni: list[Valutazione], outcome: Outcome | None = None) -> list[Quota]:
    """Who has a claim on a fund: everyone evaluable, with a premio once evaluated, their
    weight, score, category coefficient and the Area's validated achievement."""
    regole = outcome.piano.sistema.premi if outcome else None
    aree = outcome.aree if outcome else {}
    return [
        Quota(
            v.persona.matricola,
            service_weight(outcome, v),
            (Decimal(0) if v.fascia and v.fascia.negativa else v.premio_percentuale)
            if v.stato == "valutato"
            else None,
            v.su_100 if v.stato == "valutato" else None,
            Fraction(regole.coefficiente(v.persona.categoria)) if regole else Fraction(1),
            v.area,
            aree.get(v.area),
            v.persona.posizione,
        )
        for v in valutazioni
        if v.stato != "non valutabile"
    ]


def service_weight(outcome: Outcome | None, v: Valutazione) -> Fraction:
    """w: part-time share × days of service counted for the premio (less the absences the
    Sistema counts, beyond its allowance) / days in the year."""
    reduced = outcome.piano.giorni_ridotti(v.persona.matricola) if outcome else 0
    return weight(v.persona.part_time, max(0, v.giorni_servizio - reduced), v.giorni_anno)


def mean_su_100(valutati: list[Valutazione]) -> Decimal | None:
    """MEDIA PUNTEGGIO su 100: the mean of score × 100 / maximum (of each one's scheda),
    exactly, then rounded (not the mean of the rounded «su 100» figures). The one mean of
    every table and message."""
    if not valutati:
        return None
    by_max: dict[Decimal, Decimal] = {}
    for v in valutati:
        massimo = v.scheda.massimo  # type: ignore[union-attr]
        by_max[massimo] = by_max.get(massimo, Decimal(0)) + v.punteggio  # type: ignore[operator]
    total = sum((Fraction(s) * 100 / Fraction(m) for m, s in by_max.items()), Fraction(0))
    mean = total / len(valutati)
    return (Decimal(mean.numerator) / Decimal(mean.denominator)).quantize(CENT, ROUND_HALF_UP)


# --- one function per table ---------------------------------------------------------------------


def posizioni_organizzative(outcome: Outcome, ruolo: str = "eq") -> tuple[RigaPO, ...]:
    """The EQ (PO) — or, with `ruolo="dirigente"`, the dirigenti — and how they were rated."""
    return tuple(
        RigaPO(
            v.persona.matricola,
            v.persona.nominativo,
            v.area,
            v.punteggio,
            v.su_100,
            v.fascia.etichetta if v.fascia else None,
            v.premio_percentuale,
            v.stato,
            v.motivo,
        )
        for v in outcome.valutazioni
        if v.ruolo == ruolo
    )


def non_valutati(outcome: Outcome) -> tuple[NonValutato, ...]:
    return tuple(
        NonValutato(v.persona.matricola, v.persona.nominativo, v.area, v.motivo)
        for v in _dipendenti(outcome)
        if v.stato != "valutato"
    )


def fasce(outcome: Outcome) -> tuple[RigaFascia, ...]:
    """The bands of each dipendenti's scheda in use, from the highest, with how many fell in
    each."""
    return tuple(_bands(outcome, _valutati(outcome)))


def _bands(
    outcome: Outcome, valutati: list[Valutazione], of: list[Valutazione] | None = None
) -> list[RigaFascia]:
    """The bands of the schede of `of` (the dipendenti), with how many of `valutati` fell in
    each."""
    in_band = Counter(
        (v.scheda.codice, v.fascia.etichetta) for v in valutati if v.fascia and v.scheda
    )
    used = {v.scheda.codice for v in (_dipendenti(outcome) if of is None else of) if v.scheda}
    return [
        RigaFascia(
            s.codice,
            band.da,
            band.a,
            band.etichetta,
            band.premio,
            in_band[(s.codice, band.etichetta)],
            band.proporzionale,
        )
        for s in outcome.piano.sistema.schede
        if s.codice in used
        for band in sorted(s.fasce, key=lambda f: f.da, reverse=True)
    ]


def obiettivi(outcome: Outcome) -> tuple[ObiettiviArea, ...]:
    by_area: dict[str, list[EsitoObiettivo]] = {}
    for o in outcome.obiettivi:
        by_area.setdefault(o.obiettivo.area, []).append(o)
    return tuple(
        ObiettiviArea(
            area.codice,
            area.denominazione,
            outcome.aree.get(area.codice),
            tuple(
                RigaObiettivo(
                    o.obiettivo.obiettivo.codice,
                    o.obiettivo.obiettivo.tipo,
                    o.obiettivo.obiettivo.descrizione,
                    o.obiettivo.obiettivo.peso,
                    o.dichiarato,
                    o.validato,
                    o.raggiungimento,
                    o.fonte,
                    o.punti,
                    o.evidenze,
                    o.obiettivo.obiettivo.indicatore,
                    o.obiettivo.obiettivo.valore_atteso,
                    o.valore_raggiunto,
                    o.motivo_scostamento,
                    o.motivazione_nucleo,
                )
                for o in by_area.get(area.codice, [])
            ),
        )
        for area in outcome.piano.aree
    )


def performance_organizzativa(outcome: Outcome) -> Decimal | None:
    """The achievement of every objective of the Ente, weighted by peso; None until all are."""
    weighted = [(o.obiettivo.obiettivo.peso, o.raggiungimento) for o in outcome.obiettivi]
    if not weighted or any(p is None for _, p in weighted):
        return None
    total = sum((w for w, _ in weighted), Decimal(0))
    return _d(sum((w * p for w, p in weighted), Decimal(0)) / total)  # type: ignore[operator]


def genere(
    outcome: Outcome, premi: dict[str, Decimal], ruoli: tuple[str, ...] = ("dipendente",)
) -> tuple[RigaGenere, ...]:
    """The bilancio di genere of the people in `ruoli` (the dipendenti; or EQ and dirigenti):
    head count, evaluated, mean score, bands of their own schede and premi."""
    people = [v for v in outcome.valutazioni if v.ruolo in ruoli]
    staff = Counter(v.persona.genere for v in people)
    rows = []
    for g in ("F", "M"):
        mine = [v for v in people if v.persona.genere == g and v.stato == "valutato"]
        rows.append(
            RigaGenere(
                g,
                staff[g],
                len(mine),
                mean_su_100(mine),
                tuple(
                    FasciaGenere(b.scheda, b.etichetta, b.n_dipendenti)
                    for b in _bands(outcome, mine, people)
                ),
                sum(
                    (premi.get(v.persona.matricola, Decimal(0)) for v in mine), Decimal(0)
                ).quantize(CENT),
            )
        )
    return tuple(rows)


def differenziazione(outcome: Outcome) -> tuple[RigaDifferenziazione, ...]:
    """For each evaluator, how differentiated the judgements are (art. 9, c. 1, lett. d,
    D.Lgs. 150/2009)."""
    piano = outcome.piano
    evaluators = [(m, compilatore(piano, m).titolo) for m in moduli(piano)]
    by_evaluator: dict[str, list[Valutazione]] = {}
    for v in outcome.valutazioni:
        if v.stato == "valutato":
            by_evaluator.setdefault(v.valutatore, []).append(v)
    rows = []
    for modulo, label in evaluators:
        mine = by_evaluator.get(modulo, [])
        scores = [v.su_100 for v in mine if v.su_100 is not None]
        std = (
            Decimal(str(statistics.pstdev([float(s) for s in scores]))).quantize(CENT)
            if scores
            else None
        )
        top = max((v.fascia.da for v in mine if v.fascia), default=None)
        rows.append(
            RigaDifferenziazione(
                label,
                modulo,
                len(mine),
                mean_su_100(mine),
                std,
                min(scores, default=None),
                max(scores, default=None),
                len({v.fascia.etichetta for v in mine if v.fascia}),
                _d(
                    Decimal(sum(1 for v in mine if v.fascia and v.fascia.da == top))
                    * 100
                    / len(mine)
                )
                if mine
                else None,
            )
        )
    return tuple(rows)


ZERO = Decimal(0).quantize(CENT)


def _fondo(r: Ripartizione) -> Fondo:
    return Fondo(r.stanziata, r.distribuita, r.residuo)


def _dipendenti(outcome: Outcome) -> list[Valutazione]:
    return [v for v in outcome.valutazioni if v.ruolo == "dipendente"]


def _valutati(outcome: Outcome) -> list[Valutazione]:
    return [v for v in _dipendenti(outcome) if v.stato == "valutato"]


def _checks(outcome: Outcome, rows: tuple[RigaDifferenziazione, ...]) -> list[Anomalia]:
    """What the tables show that the Segretario should look at: a fund not given, an
    evaluator who gave everyone the same score."""
    ente, problems = outcome.piano.ente, []
    for amount, label in (
        (ente.fondo_produttivita, "fondo per la produttività"),
        (ente.fondo_risultato_po, "fondo per il risultato delle PO"),
    ):
        if amount <= 0:
            problems.append(
                anomalia(
                    Codice.AGG_FONDO_NON_INDICATO,
                    file=outcome.piano.origine,
                    foglio="Ente",
                    fondo=label,
                )
            )
    by_evaluator: dict[str, list[Decimal]] = {}
    for v in outcome.valutazioni:
        if v.stato == "valutato" and v.su_100 is not None:
            by_evaluator.setdefault(v.valutatore, []).append(v.su_100)
    for row in rows:
        scores = by_evaluator.get(row.modulo, [])
        if len(scores) >= 2 and len(set(scores)) == 1:
            problems.append(
                anomalia(
                    Codice.AGG_NESSUNA_DIFFERENZIAZIONE,
                    file=f"{row.modulo}.xlsx",
                    valutatore=row.valutatore,
                    n=len(scores),
                    punteggio=str(scores[0]).replace(".", ","),
                )
            )
    return problems


def _money_checks(outcome: Outcome, shared: Premi, eq_scaled: bool) -> list[Anomalia]:
    """What the money rules found: an individual part under the contract's minimum, a
    maggiorazione with no one to give it to, an EQ fund too small for the Sistema's rule."""
    piano, problems = outcome.piano, []
    regole, ente = piano.sistema.premi, piano.ente
    if ente.fondo_produttivita > 0 and 100 - regole.quota_organizzativa < MIN_QUOTA_INDIVIDUALE:
        problems.append(
            anomalia(
                Codice.AGG_QUOTA_INDIVIDUALE,
                file=piano.sistema.origine,
                quota=format_number(100 - regole.quota_organizzativa),
            )
        )
    for note in shared.note:
        problems.append(anomalia(Codice.AGG_MAGGIORAZIONE_NON_APPLICATA, motivo=note))
    eq = [v for v in outcome.valutazioni if v.ruolo == "eq" and v.stato != "non valutabile"]
    if regole.eq_base == "posizione" and eq and eq_scaled:
        r = Fraction(regole.eq_percentuale_massima) / 100
        asked = sum(
            (
                r
                * Fraction(v.persona.posizione or 0)
                * Fraction(v.premio_percentuale or 0)
                / 100
                * service_weight(outcome, v)
                for v in eq
            ),
            Fraction(0),
        )
        problems.append(
            anomalia(
                Codice.AGG_FONDO_EQ_INSUFFICIENTE,
                file=piano.origine,
                foglio="Ente",
                richiesto=format_euro(
                    (Decimal(asked.numerator) / asked.denominator).quantize(CENT, ROUND_HALF_UP)
                ),
                fondo=format_euro(ente.fondo_risultato_po),
            )
        )
    # The 15% of posizione + risultato: wherever the Personale sheet gives every posizione.
    if eq and all(v.persona.posizione is not None for v in eq):
        posizioni = sum((v.persona.posizione or Decimal(0) for v in eq), Decimal(0))
        total = posizioni + ente.fondo_risultato_po
        if total > 0 and ente.fondo_risultato_po * 100 < 15 * total:
            problems.append(
                anomalia(
                    Codice.AGG_RISULTATO_EQ_MINIMO,
                    file=piano.origine,
                    foglio="Ente",
                    fondo=format_euro(ente.fondo_risultato_po),
                    totale=format_euro(total),
                )
            )
    return problems


def aggregate(outcome: Outcome) -> Relazione:
    """Every table of the Relazione, and each person's euros."""
    ente, regole = outcome.piano.ente, outcome.piano.sistema.premi
    shared = share_fund(ente.fondo_produttivita, quote(_dipendenti(outcome), outcome), regole)
    fund = shared.totale
    fund_po, eq_scaled = share_eq(
        ente.fondo_risultato_po,
        quote([v for v in outcome.valutazioni if v.ruolo == "eq"], outcome),
        regole,
    )
    premi = {**fund.importi, **fund_po.importi}
    parti = {
        m: {
            "organizzativa": shared.organizzativa.importi.get(m, ZERO),
            "individuale": shared.individuale.importi.get(m, ZERO),
            "maggiorazione": shared.maggiorazione.importi.get(m, ZERO),
        }
        for m in fund.importi
    }
    bands = fasce(outcome)
    evaluators = differenziazione(outcome)
    po = posizioni_organizzative(outcome)
    return Relazione(
        n_aree=len(outcome.piano.aree),
        n_posizioni_organizzative=len(po),
        posizioni_organizzative=po,
        n_dipendenti_valutati=len(_valutati(outcome)),
        n_dipendenti_non_valutati=len(non_valutati(outcome)),
        non_valutati=non_valutati(outcome),
        fasce=bands,
        media_punteggio_su_100=mean_su_100(_valutati(outcome)),
        obiettivi=obiettivi(outcome),
        performance_organizzativa=performance_organizzativa(outcome),
        genere=genere(outcome, premi),
        genere_eq=genere(outcome, premi, ("eq", "dirigente")),
        premialita=_fondo(fund),
        risultato_po=_fondo(fund_po),
        premialita_organizzativa=_fondo(shared.organizzativa),
        premialita_individuale=_fondo(shared.individuale),
        maggiorazione=_fondo(shared.maggiorazione),
        beneficiari_maggiorazione=shared.beneficiari,
        valutazioni_negative=tuple(
            NonValutato(
                v.persona.matricola,
                v.persona.nominativo,
                v.area,
                f"punteggio {format_number(v.punteggio)}, fascia «{v.fascia.etichetta}»",  # type: ignore[arg-type]
            )
            for v in outcome.valutazioni
            if v.stato == "valutato" and v.fascia is not None and v.fascia.negativa
        ),
        differenziazione=evaluators,
        dirigenti=posizioni_organizzative(outcome, "dirigente"),
        premi=premi,
        premi_parti=parti,
        anomalie=tuple(_checks(outcome, evaluators) + _money_checks(outcome, shared, eq_scaled)),
    )
