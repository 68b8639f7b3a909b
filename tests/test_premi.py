"""The money rules (docs/premi.md): each rule against the worked example of the document,
computed by hand; then the invariants of every pot on random cycles (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.premi import Quota, beneficiaries, distribute, share_eq, share_fund
from workbook.sistema.model import Maggiorazione, RegolePremi

FONDO = D("10000.00")


def _people(scores: tuple[int, int, int, int] = (95, 80, 92, 40)) -> list[Quota]:
    """The example of docs/premi.md: A and B full time in Area X (achieved 100%), C half
    time and D full time in Area Y (80%); bands 100%, 80%, 100%, 0%."""
    a, b, c, d = scores
    return [
        Quota("A", Fraction(1), D(100), D(a), Fraction(1), "X", D(100)),
        Quota("B", Fraction(1), D(80), D(b), Fraction(1), "X", D(100)),
        Quota("C", Fraction(1, 2), D(100), D(c), Fraction(1), "Y", D(80)),
        Quota("D", Fraction(1), D(0), D(d), Fraction(1), "Y", D(80)),
    ]


def _euros(amounts: dict[str, D]) -> dict[str, str]:
    return {m: str(v) for m, v in amounts.items()}


def test_by_band_with_the_rest_saved() -> None:
    """Full share 10.000 / 3,5 = 2.857,142857…: A 100%, B 80%, C half time 100%, D 0%."""
    premi = share_fund(FONDO, _people(), RegolePremi())
    assert _euros(premi.individuale.importi) == {
        "A": "2857.14",
        "B": "2285.71",
        "C": "1428.57",
        "D": "0.00",
    }
    assert (premi.individuale.distribuita, premi.individuale.residuo) == (
        D("6571.42"),
        D("3428.58"),
    )


def test_by_band_with_the_rest_redistributed() -> None:
    """Divided by Σ w p = 2,3: nothing left; the cent lost to rounding goes to A (0,6087)."""
    premi = share_fund(FONDO, _people(), RegolePremi(residuo="ridistribuito"))
    assert _euros(premi.individuale.importi) == {
        "A": "4347.83",
        "B": "3478.26",
        "C": "2173.91",
        "D": "0.00",
    }
    assert premi.individuale.residuo == D("0.00")


def test_by_score_the_value_of_the_point() -> None:
    """Σ w s over those with a premio = 95 + 80 + 46 = 221: A 4.298,64, B and C get the two
    cents of the largest remainders."""
    premi = share_fund(FONDO, _people(), RegolePremi(metodo="punteggio"))
    assert _euros(premi.individuale.importi) == {
        "A": "4298.64",
        "B": "3619.91",
        "C": "2081.45",
        "D": "0.00",
    }
    assert premi.individuale.distribuita == FONDO


def test_a_quota_for_the_organisational_performance() -> None:
    """20% (2.000 €) on the Area's achievement, by w c r / Σ w c; 8.000 € by band."""
    premi = share_fund(FONDO, _people(), RegolePremi(quota_organizzativa=D(20)))
    assert premi.organizzativa.stanziata == D("2000.00")
    assert _euros(premi.organizzativa.importi) == {
        "A": "571.43",
        "B": "571.43",
        "C": "228.57",
        "D": "457.14",
    }
    assert premi.organizzativa.residuo == D("171.43")
    assert _euros(premi.individuale.importi) == {
        "A": "2285.71",
        "B": "1828.57",
        "C": "1142.86",
        "D": "0.00",
    }
    total = premi.totale
    assert total.stanziata == FONDO and total.distribuita + total.residuo == FONDO
    assert total.importi["A"] == D("571.43") + D("2285.71")


def test_the_maggiorazione_goes_to_the_top_of_the_ranking_first() -> None:
    """30% of the average (10.000 / 3 valutati positivamente) to the first 50% of 3, rounded
    down: one person, A (95): 1.000 €, taken out first; the 9.000 left by band."""
    regole = RegolePremi(maggiorazione=Maggiorazione(D(30), D(50)))
    premi = share_fund(FONDO, _people(), regole)
    assert premi.beneficiari == ("A",)
    assert _euros(premi.maggiorazione.importi) == {"A": "1000.00"}
    assert premi.individuale.stanziata == D("9000.00")
    assert _euros(premi.individuale.importi) == {
        "A": "2571.43",
        "B": "2057.14",
        "C": "1285.71",
        "D": "0.00",
    }
    assert premi.totale.importi["A"] == D("3571.43")


def test_people_tied_on_the_cut_share_the_maggiorazioni_left() -> None:
    """Two places (67% of 3), A first, B and C tied on 92: the second maggiorazione is
    shared, half each, and C, half time, gets half of that."""
    regole = RegolePremi(maggiorazione=Maggiorazione(D(30), D(67)))
    premi = share_fund(FONDO, _people((95, 92, 92, 40)), regole)
    assert premi.beneficiari == ("A", "B", "C")
    assert _euros(premi.maggiorazione.importi) == {"A": "1000.00", "B": "500.00", "C": "250.00"}


def test_a_quota_that_gives_nobody_is_not_applied_and_says_why() -> None:
    regole = RegolePremi(maggiorazione=Maggiorazione(D(30), D(10)))  # 10% of 3: none
    premi = share_fund(FONDO, _people(), regole)
    assert premi.beneficiari == () and premi.maggiorazione.distribuita == D("0.00")
    assert premi.note and "nessun beneficiario" in premi.note[0].replace("alcun", "nessun")


def test_budgets_per_area_first() -> None:
    """X gets 10.000 × 2 / 3,5, Y the rest; redistributed inside each Area, C (the only
    one of Y with a premio) takes all of Y's."""
    regole = RegolePremi(residuo="ridistribuito", budget="area")
    premi = share_fund(FONDO, _people(), regole)
    assert _euros(premi.individuale.importi) == {
        "A": "3174.60",
        "B": "2539.68",
        "C": "4285.72",
        "D": "0.00",
    }
    assert premi.individuale.distribuita == FONDO


def test_category_coefficients_by_the_longest_prefix() -> None:
    regole = RegolePremi(coefficienti=(("B", D(1)), ("C", D("1.2")), ("C1", D("1.2"))))
    assert regole.coefficiente("C2") == D("1.2") and regole.coefficiente("B3") == D(1)
    assert regole.coefficiente("D1") == D(1)
    people = [
        Quota(q.matricola, q.peso, q.premio, q.punteggio, c, q.area, q.raggiungimento)
        for q, c in zip(
            _people(), (Fraction(6, 5), Fraction(1), Fraction(6, 5), Fraction(1)), strict=True
        )
    ]
    premi = share_fund(FONDO, people, regole)
    assert _euros(premi.individuale.importi) == {
        "A": "3157.89",
        "B": "2105.26",
        "C": "1578.95",
        "D": "0.00",
    }


def test_the_eq_result_on_the_retribuzione_di_posizione() -> None:
    """25% of 12.000 × 100% and of 9.000 × 80%: 3.000 and 1.800 of a 6.000 € fund; with a
    4.000 € fund both are scaled down by 4.000 / 4.800."""
    eq = [
        Quota("E1", Fraction(1), D(100), posizione=D(12000)),
        Quota("E2", Fraction(1), D(80), posizione=D(9000)),
    ]
    regole = RegolePremi(eq_base="posizione", eq_percentuale_massima=D(25))
    shared, scaled = share_eq(D(6000), eq, regole)
    assert _euros(shared.importi) == {"E1": "3000.00", "E2": "1800.00"} and not scaled
    assert shared.residuo == D("1200.00")
    shared, scaled = share_eq(D(4000), eq, regole)
    assert _euros(shared.importi) == {"E1": "2500.00", "E2": "1500.00"} and scaled


def test_the_default_rules_are_todays_rule() -> None:
    """Without «premi», the fund is shared as before: each full share × the band's premio."""
    people = _people()
    assert (
        share_fund(FONDO, people, RegolePremi()).totale.importi == distribute(FONDO, people).importi
    )


# --- invariants on random cycles ----------------------------------------------------------------

people_st = st.lists(
    st.tuples(
        st.integers(1, 100),  # part-time %
        st.integers(1, 365),  # days
        st.sampled_from([None, D(0), D(25), D(50), D(80), D(100)]),
        st.integers(0, 100),  # score su 100
        st.sampled_from([Fraction(1), Fraction(6, 5), Fraction(13, 10)]),
        st.sampled_from(["X", "Y", "Z"]),
        st.sampled_from([None, D(0), D(50), D("87.5"), D(100)]),
    ),
    min_size=0,
    max_size=25,
)
rules_st = st.builds(
    RegolePremi,
    metodo=st.sampled_from(["fasce", "punteggio"]),
    residuo=st.sampled_from(["economia", "ridistribuito"]),
    quota_organizzativa=st.sampled_from([D(0), D(20), D("33.3"), D(70)]),
    budget=st.sampled_from(["ente", "area"]),
    maggiorazione=st.one_of(
        st.none(),
        st.builds(
            Maggiorazione,
            st.sampled_from([D(30), D(50), D(100)]),
            st.sampled_from([D(5), D(10), D(34), D(100)]),
            st.sampled_from(["difetto", "eccesso"]),
        ),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    people=people_st,
    regole=rules_st,
    fondo=st.decimals(min_value=0, max_value=500_000, places=2),
)
def test_every_pot_adds_up_to_the_cent(people: list, regole: RegolePremi, fondo: D) -> None:
    quote = [
        Quota(f"{i:03}", Fraction(pt, 100) * days / 365, p, D(s), c, area, r)
        for i, (pt, days, p, s, c, area, r) in enumerate(people)
    ]
    premi = share_fund(fondo, quote, regole)
    pots = (premi.organizzativa, premi.maggiorazione, premi.individuale)
    for pot in pots:
        assert pot.distribuita + pot.residuo == pot.stanziata
        assert sum(pot.importi.values(), D(0)) == pot.distribuita
        assert all(v >= 0 for v in pot.importi.values()) and pot.residuo >= 0
    total = premi.totale
    assert total.stanziata == fondo and total.distribuita + total.residuo == fondo
    for m, amount in total.importi.items():
        assert amount == sum((pot.importi.get(m, D(0)) for pot in pots), D(0))
    if regole.maggiorazione is not None:
        # Exactly ⌊K% × n⌋ (⌈⌉) maggiorazioni, whoever shares them: never chosen by a threshold.
        import math

        chosen, n = beneficiaries(quote, regole.maggiorazione)
        exact = Fraction(regole.maggiorazione.quota_personale) * n / 100
        count = (
            math.ceil(exact)
            if regole.maggiorazione.arrotondamento == "eccesso"
            else math.floor(exact)
        )
        assert sum((share for _, share in chosen), Fraction(0)) == (count if chosen else 0)
        scores = [q.punteggio for q, _ in chosen]
        assert scores == sorted(scores, reverse=True)
    # Nobody without a premio gets an individual part or a maggiorazione.
    for q in quote:
        if not q.premio:
            assert premi.individuale.importi.get(q.matricola, D(0)) == 0
            assert q.matricola not in premi.maggiorazione.importi


@settings(max_examples=200, deadline=None)
@given(people=people_st, fondo=st.decimals(min_value=0, max_value=500_000, places=2))
def test_the_integer_form_of_the_default_rule_is_the_fraction_form(people: list, fondo: D) -> None:
    """The largest Comuni take the integer path (premi._by_band_fast): to the cent the same
    as the rule written with fractions."""
    from workbook.premi import _by_band_fast, _individuale, share_out

    quote = [
        Quota(f"{i:03}", Fraction(pt, 100) * days / 365, p, D(s), c, area, r)
        for i, (pt, days, p, s, c, area, r) in enumerate(people)
    ]
    pot = Fraction(fondo)
    assert share_out(fondo, _by_band_fast(pot, quote)) == share_out(
        fondo, _individuale(pot, quote, RegolePremi())
    )


def test_a_maggiorazione_never_takes_more_than_the_individual_part() -> None:
    """250% of the average to half the staff would be 1.250 € of a 1.000 € fund: the
    individual premi went negative (found in review; test first). The Sistema refuses such a
    rule, and the engine never shares a negative pot."""
    from workbook.sistema.checker import Checker
    from workbook.sistema.lines import LineDict
    from workbook.sistema.rules import parse_premi

    people = [Quota("A", Fraction(1), D(100), D(95)), Quota("B", Fraction(1), D(100), D(80))]
    premi = share_fund(D(1000), people, RegolePremi(maggiorazione=Maggiorazione(D(250), D(50))))
    assert premi.individuale.stanziata >= 0
    assert all(v >= 0 for v in premi.individuale.importi.values())
    assert premi.totale.distribuita + premi.totale.residuo == D(1000)
    raw, inner = LineDict(), LineDict()
    inner.update(percentuale=250, quota_personale=50)
    inner.line, inner.key_lines = 3, {"percentuale": 3, "quota_personale": 3}
    raw.update(maggiorazione=inner)
    raw.line, raw.key_lines = 2, {"maggiorazione": 2}
    ck = Checker("premi.yaml")
    parse_premi(ck, raw, 1)
    assert any("supera" in a.messaggio for a in ck.problems)


def test_someone_whose_days_all_went_to_absences_takes_no_place_of_the_maggiorazione() -> None:
    """A (no days counted, score 99) would take the only place and get 0: B (95) gets it."""
    people = [Quota("A", Fraction(0), D(100), D(99)), Quota("B", Fraction(1), D(100), D(95))]
    regole = RegolePremi(maggiorazione=Maggiorazione(D(30), D(50), "eccesso"))
    premi = share_fund(D(1000), people, regole)
    assert premi.beneficiari == ("B",) and premi.maggiorazione.importi["B"] == D("300.00")
