"""The Relazione's tables, and the fund shared out exactly."""

from __future__ import annotations

import random
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.anomalies import Codice
from workbook.cycle import Cycle
from workbook.demo import fill_from_answers
from workbook.pipeline import reconcile_and_report
from workbook.premi import Quota, distribute

from .conftest import ANSWERS
from .helpers import model_of, random_answers

quota = st.builds(
    Quota,
    matricola=st.text("0123456789", min_size=1, max_size=4),
    peso=st.builds(
        lambda pt, days: Fraction(pt, 100) * Fraction(days, 365),
        st.integers(1, 100),
        st.integers(1, 365),
    ),
    premio=st.one_of(st.none(), st.sampled_from([Decimal(x) for x in (0, 25, 50, 80, 100)])),
)
fund = st.decimals(min_value=0, max_value=Decimal("10000000"), places=2)


@given(fondo=fund, quote=st.lists(quota, max_size=40, unique_by=lambda q: q.matricola))
def test_the_fund_is_never_exceeded_and_adds_up_to_the_cent(
    fondo: Decimal, quote: list[Quota]
) -> None:
    r = distribute(fondo, quote)
    assert r.distribuita + r.residuo == r.stanziata == fondo
    assert sum(r.importi.values(), Decimal(0)) == r.distribuita
    assert r.distribuita <= fondo
    assert all(v >= 0 and v == v.quantize(Decimal("0.01")) for v in r.importi.values())
    total = sum((q.peso for q in quote), Fraction(0))
    for q in quote:  # nobody gets more than their share, rounded up to the cent
        if q.premio is not None and total:
            share = Fraction(fondo) * q.peso * Fraction(q.premio) / 100 / total
            assert Fraction(r.importi[q.matricola]) <= share + Fraction(1, 100)


@given(fondo=fund, quote=st.lists(quota, min_size=1, max_size=30, unique_by=lambda q: q.matricola))
def test_when_everyone_earns_everything_the_whole_fund_goes_out(
    fondo: Decimal, quote: list[Quota]
) -> None:
    everyone = [Quota(q.matricola, q.peso, Decimal(100)) for q in quote]
    r = distribute(fondo, everyone)
    assert r.distribuita == fondo and r.residuo == 0


def test_a_known_split() -> None:
    r = distribute(
        Decimal("100.00"),
        [
            Quota("1", Fraction(1), Decimal(100)),
            Quota("2", Fraction(1), Decimal(100)),
            Quota("3", Fraction(1), Decimal(100)),
        ],
    )
    assert r.importi == {"1": Decimal("33.34"), "2": Decimal("33.33"), "3": Decimal("33.33")}
    r = distribute(
        Decimal("1000.00"),
        [
            Quota("1", Fraction(1), Decimal(100)),
            Quota("2", Fraction(1, 2), Decimal(80)),
            Quota("3", Fraction(1), None),
        ],
    )
    # full share per unit of weight: 1000 / 2,5 = 400
    assert r.importi == {"1": Decimal("400.00"), "2": Decimal("160.00")}
    assert (r.distribuita, r.residuo) == (Decimal("560.00"), Decimal("440.00"))


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6))
def test_whatever_valid_inputs_are_entered_the_fund_adds_up(
    seed: int,
    filled: Cycle,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("prop") / "ciclo"
    shutil.copytree(filled.root, root, ignore=shutil.ignore_patterns("compilati"))
    cycle = Cycle(root)
    rng = random.Random(seed)
    answers = {
        m: random_answers(model_of(cycle, m), rng, fill=rng.choice([0.9, 1.0]))
        for m in ("AREA1", "AREA2", "AREA3", "nucleo")
    }
    fill_from_answers(cycle, answers)
    t = reconcile_and_report(cycle).relazione.to_json()
    for key in ("premialita", "risultato_po"):
        f = t[key]
        assert f["distribuita"] + f["residuo"] == f["stanziata"]
        assert f["distribuita"] <= f["stanziata"]
    assert sum(b["n_dipendenti"] for b in t["fasce"]) == t["n_dipendenti_valutati"]


def test_identical_judgements_are_flagged(filled: Cycle, tmp_path: Path) -> None:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root, ignore=shutil.ignore_patterns("compilati"))
    cycle = Cycle(root)
    answers = {m: dict(a) for m, a in ANSWERS.items()}
    for key in answers["AREA3"]:
        if key.startswith("dipendente/"):
            answers["AREA3"][key] = Decimal(8)
    fill_from_answers(cycle, answers)
    results = reconcile_and_report(cycle)
    (a,) = [a for a in results.outcome.anomalie if a.codice is Codice.AGG_NESSUNA_DIFFERENZIAZIONE]
    assert "AREA3" in a.messaggio and "6 valutati" in a.messaggio
    diff = {d["modulo"]: d for d in results.relazione.to_json()["differenziazione"]}
    assert diff["AREA3"]["scarto_quadratico_medio"] == 0
    assert diff["AREA1"]["scarto_quadratico_medio"] > 0


def test_gender_balance_and_organisational_performance(
    filled: Cycle,
    tmp_path: Path,
) -> None:
    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    for name in ("AREA1", "AREA2", "AREA3", "nucleo"):
        shutil.copy(root / "compilati" / f"{name}.xlsx", cycle.ricevuti)
    t = reconcile_and_report(cycle).relazione.to_json()
    genders = {g["genere"]: g for g in t["genere"]}
    assert genders["F"]["n_valutati"] + genders["M"]["n_valutati"] == 20
    assert genders["F"]["n_dipendenti"] == 11  # Lombardo (215) is not evaluated
    assert genders["F"]["premi_euro"] + genders["M"]["premi_euro"] == Decimal("31500.00")
    assert t["performance_organizzativa"] == Decimal("100.00")


def test_a_missing_fund_is_a_warning(filled: Cycle, tmp_path: Path) -> None:
    import openpyxl

    root = tmp_path / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    wb = openpyxl.load_workbook(cycle.piano_path)
    wb["Ente"]["B6"] = None
    wb.save(cycle.piano_path)
    results = reconcile_and_report(cycle)
    assert Codice.AGG_FONDO_NON_INDICATO in {a.codice for a in results.outcome.anomalie}
    assert results.relazione.to_json()["risultato_po"]["stanziata"] == 0


def test_the_cents_left_by_rounding_go_to_the_largest_remainders() -> None:
    """One euro among three equal weights at 100%, 100% and 50%: 33,33 + 33,33 + 16,67 cents.
    The floors give 82 cents of the 83 due: the last cent goes to the largest remainder
    (0,67 of a cent, the third person), not to a smaller one."""
    third = Fraction(1, 3)
    r = distribute(
        Decimal("1.00"),
        [
            Quota("1", third, Decimal(100)),
            Quota("2", third, Decimal(100)),
            Quota("3", third, Decimal(50)),
        ],
    )
    assert r.importi == {"1": Decimal("0.33"), "2": Decimal("0.33"), "3": Decimal("0.17")}
    assert (r.distribuita, r.residuo) == (Decimal("0.83"), Decimal("0.17"))


def test_the_results_file_gives_back_the_same_tables_with_the_same_types(
    filled: Cycle, tmp_path: Path
) -> None:
    """The mail commands read the Relazione from the results JSON: every table comes back
    equal, and every amount or score a Decimal (JSON writes 54 for Decimal("54"))."""
    import dataclasses

    from workbook.results import results_paths
    from workbook.results.json import read_results

    root = tmp_path / "c"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    fill_from_answers(cycle, ANSWERS)
    relazione = reconcile_and_report(cycle).relazione
    _, data = results_paths(cycle, relazione_year(cycle))
    loaded = read_results(data)
    assert loaded is not None and loaded["relazione"] == relazione

    def walk(obj: object) -> None:
        if isinstance(obj, tuple):
            for item in obj:
                walk(item)
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                value = getattr(obj, f.name)
                if str(f.type) in ("Decimal", "Decimal | None") and value is not None:
                    assert type(value) is Decimal, (type(obj).__name__, f.name, value)
                walk(value)

    walk(loaded["relazione"])


def relazione_year(cycle: Cycle) -> int:
    from workbook.piano.load import load_piano

    return load_piano(cycle.piano_path)[0].ente.anno
