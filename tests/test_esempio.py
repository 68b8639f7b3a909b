"""The third bundled sample (esempio-2025, an invented Comune): schede per category, an Ente
component, the Area's and individual objectives, an Area led by the Segretario and an EQ who
leads two Areas. Generated, filled with its sample answers, reconciled: the scores are the
ones computed by hand below."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from workbook.anomalies import Codice, Gravita
from workbook.cycle import Cycle, load_sample
from workbook.demo import fill_from_answers, sample_answers
from workbook.pipeline import Results, reconcile_and_report

from .helpers import piano_of, read_map


@pytest.fixture(scope="module")
def compilato(esempio: Cycle, tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    """A copy of the sample's cycle, with the moduli filled with its answers and received."""
    import shutil

    root = tmp_path_factory.mktemp("esempio-compilato") / "ciclo"
    shutil.copytree(esempio.root, root)
    cycle = Cycle(root)
    fill_from_answers(
        cycle, sample_answers(load_sample("esempio-2025", "risposte"), piano_of(cycle))
    )
    return cycle


@pytest.fixture(scope="module")
def results(compilato: Cycle) -> Results:
    return reconcile_and_report(compilato)


def test_one_modulo_per_area_each_to_whoever_leads_it(esempio: Cycle) -> None:
    """AFF goes to the Segretario, FIN and TRI both to Bruno (ad interim), the Nucleo's modulo
    holds exactly the two EQ."""
    from workbook.contract import compilatore

    piano = piano_of(esempio)
    assert sorted(p.stem for p in esempio.moduli.glob("*.xlsx")) == [
        "AFF",
        "FIN",
        "TEC",
        "TRI",
        "nucleo",
    ]
    who = {m: compilatore(piano, m) for m in ("AFF", "FIN", "TRI", "TEC")}
    assert (who["AFF"].nome, who["AFF"].email) == ("Conti Laura", "segretario@valleverde.example")
    assert who["FIN"].email == who["TRI"].email == "m.bruno@valleverde.example"
    assert [p.matricola for p in piano.valutati("nucleo")] == ["1001", "1002"]
    nucleo_people = {e.chiave.split("/")[1] for e in read_map(esempio.moduli / "nucleo.xlsx")}
    assert {"1001", "1002"} <= nucleo_people and not nucleo_people & {"3001", "3009"}
    # Each category found its scheda; the EQ are the only ones on the EQ scheda.
    schede = {p.matricola: piano.scheda_of(p).codice for p in piano.personale if piano.scheda_of(p)}
    assert schede["3002"] == schede["3003"] == "dipendente_operatori"
    assert schede["3001"] == schede["3009"] == "dipendente_istruttori"
    assert schede["1001"] == schede["1002"] == "eq"


def test_the_segretario_is_not_evaluated_and_the_cycle_reconciles_clean(results: Results) -> None:
    outcome = results.outcome
    errors = [a for a in outcome.anomalie if a.gravita is Gravita.ERRORE]
    assert errors == []
    stati = {v.persona.matricola: v.stato for v in outcome.valutazioni}
    assert stati.pop("3008") == "non valutabile"  # hired in November: less than three months
    assert set(stati.values()) == {"valutato"} and len(stati) == 13
    assert all("Conti" not in v.persona.cognome for v in outcome.valutazioni)


# By hand, with the Nucleo's figures (TEC-2 validated at 70% instead of the 80% declared):
# Ente, every objective: points 71,5 (AFF) + 77 (FIN) + 67 (TRI) + 105,5 (TEC) = 321 of 350
#   weight → 91,71% → 10 × 91,71% = 9,17 for the EQ; the strategic S1 at 100% everywhere → 5
#   (Istruttori) or 10 (Operatori).
# Bruno (EQ, FIN): 9,17 + S1 10 + FIN-1 20 + FIN-2 20 + factors 8+8+6+8 = 89,17 → 80%.
# Gallo (EQ, TEC): 9,17 + 10 + TEC-1 25 + TEC-2 15 × 70% = 10,5 + 10+8+8+6 = 86,67 → 80%.
# Ferrara (Istruttori, AFF, evaluated by the Segretario): Ente 5; AFF (10×100 + 25×90 + 15×100
#   + 30×80)/80 = 89,375 → 89,38% → 15 × 89,38% = 13,41; her AFF-I1 30 × 80% = 24; factors
#   8+8+10+8+10 = 44 → 86,41 → 80%.
# Ricci (Funzionari ed EQ, a dipendente of TEC): 5; TEC (1000 + 2500 + 15×70 + 3000 +
#   3000)/110 = 95,91% → 14,39; TEC-I1 30; factors 50 → 99,39 → 100%.
HAND = {
    "1001": ("89.17", "80"),
    "1002": ("86.67", "80"),
    "3001": ("86.41", "80"),
    "3009": ("99.39", "100"),
}


def test_the_scores_are_the_ones_computed_by_hand(results: Results) -> None:
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    for matricola, (total, premio) in HAND.items():
        assert people[matricola].punteggio == Decimal(total), matricola
        assert people[matricola].fascia.premio == Decimal(premio), matricola


def test_the_results_file_gives_each_item_of_each_scheda(
    compilato: Cycle, results: Results
) -> None:
    path = compilato.risultati / "risultati-2025.json"
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    people = {p["matricola"]: p for p in data["valutazioni"]}
    ferrara = people["3001"]
    assert (ferrara["scheda"], ferrara["categoria"]) == ("dipendente_istruttori", "Istruttori")
    voci = {v["codice"]: v for v in ferrara["voci"]}
    assert [v["codice"] for v in ferrara["voci"]] == [
        "performance_ente",
        "performance_area",
        "obiettivi_assegnati",
        "collaborazione",
        "iniziativa",
        "relazioni",
        "competenza",
        "qualita",
    ]
    assert (voci["performance_ente"]["tipo"], voci["performance_ente"]["massimo"]) == (
        "derivata",
        5,
    )
    assert (
        Decimal(voci["performance_area"]["punti"]),
        Decimal(voci["obiettivi_assegnati"]["punti"]),
    ) == (
        Decimal("13.41"),
        Decimal("24"),
    )
    assert sum(Decimal(v["punti"]) for v in ferrara["voci"]) == Decimal("86.41")
    assert people["3002"]["scheda"] == "dipendente_operatori"


def test_a_total_that_waits_for_the_validation_says_so_once_the_rest_is_filled(
    esempio: Cycle,
) -> None:
    """Ferrara's scheda draws on the Ente's achievement, which her Area's modulo does not
    hold: her total says «da completare» until the Segretario has filled everything the
    modulo asks, then «dopo la validazione» (not «da completare» for ever)."""
    from .helpers import expected_results, model_of

    answers = sample_answers(load_sample("esempio-2025", "risposte"), piano_of(esempio))["AFF"]
    shown = expected_results(model_of(esempio, "AFF", answers))
    assert shown["dipendente/3001/totale"] == "dopo la validazione"
    assert shown["dipendente/3001/obiettivi_assegnati"] == Decimal("24")
    del answers["dipendente/3001/qualita"]
    shown = expected_results(model_of(esempio, "AFF", answers))
    assert shown["dipendente/3001/totale"] == "da completare"


def test_the_results_workbook_shows_each_item_per_scheda(
    compilato: Cycle, results: Results
) -> None:
    """The Voci sheet: a table per scheda, a column per item, a row per person."""
    import openpyxl

    ws = openpyxl.load_workbook(compilato.risultati / "risultati-2025.xlsx")["Voci"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    title = next(
        i for i, r in enumerate(rows) if str(r[0]).startswith("Scheda «dipendente_istruttori»")
    )
    header = rows[title + 1]
    ferrara = next(r for r in rows[title + 2 :] if r[0] == "3001")
    by_header = dict(zip(header, ferrara, strict=False))
    assert by_header["Raggiungimento degli obiettivi dell'Area (max 15)"] == 13.41
    assert by_header["Obiettivi assegnati alla persona (max 30)"] == 24
    assert by_header["Totale (max 100)"] == 86.41


# --- the money of the sample (docs/premi.md) -----------------------------------------------------


def test_the_sample_shares_its_funds_by_its_contract_rules(
    compilato: Cycle, results: Results
) -> None:
    """20% (6.000 €) on the Areas' validated achievement, a maggiorazione of 30% of the
    average individual premio (24.000 / 10 valutati positivamente × 30% = 720 €) to the first
    10% of the ranking (Ricci, 99,39), the EQ result at 25% of the posizione × the band's 80%;
    every pot adds up to the cent."""
    path = compilato.risultati / "risultati-2025.json"
    data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    rel = data["relazione"]
    assert rel["premialita_organizzativa"]["stanziata"] == Decimal("6000.00")
    assert rel["maggiorazione"]["stanziata"] == Decimal("720.00")
    assert rel["premialita_individuale"]["stanziata"] == Decimal("23280.00")
    assert rel["beneficiari_maggiorazione"] == ["3009"]
    for key in (
        "premialita",
        "premialita_organizzativa",
        "maggiorazione",
        "premialita_individuale",
    ):
        pot = rel[key]
        assert pot["distribuita"] + pot["residuo"] == pot["stanziata"], key
    people = {p["matricola"]: p for p in data["valutazioni"]}
    assert people["3009"]["premi"]["maggiorazione"] == Decimal("720.00")
    for p in people.values():
        if p["premi"]:
            assert sum(p["premi"].values()) == p["premio_euro"], p["matricola"]
    assert people["1001"]["premio_euro"] == Decimal("2400.00")  # 25% × 12.000 × 80%
    assert people["1002"]["premio_euro"] == Decimal("2800.00")  # 25% × 14.000 × 80%
    assert (people["3003"]["peso_servizio"], people["3001"]["coefficiente"]) == (
        Decimal("0.5"),
        Decimal("1.1"),
    )
    total = sum(
        p["premio_euro"] for p in people.values() if p["ruolo"] == "dipendente" and p["premio_euro"]
    )
    assert total == rel["premialita"]["distribuita"]


def _edit(cycle: Cycle, workbook: str, sheet: str, label: str, value: object) -> None:
    import openpyxl

    path = cycle.root / workbook
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    row = next(r for r in ws.iter_rows() if str(r[0].value or "").startswith(label))
    row[1].value = value
    wb.save(path)


@pytest.mark.parametrize(
    ("workbook", "sheet", "label", "value", "code"),
    [
        (
            "piano.xlsx",
            "Ente",
            "Fondo per la retribuzione di risultato",
            3000,
            Codice.AGG_FONDO_EQ_INSUFFICIENTE,
        ),
        (
            "piano.xlsx",
            "Ente",
            "Fondo per la retribuzione di risultato",
            3000,
            Codice.AGG_RISULTATO_EQ_MINIMO,
        ),
        ("sistema.xlsx", "Sistema", "quota_organizzativa", 75, Codice.AGG_QUOTA_INDIVIDUALE),
        (
            "sistema.xlsx",
            "Sistema",
            "maggiorazione_quota_personale",
            5,
            Codice.AGG_MAGGIORAZIONE_NON_APPLICATA,
        ),
    ],
)
def test_what_the_money_rules_find_is_said(
    compilato: Cycle,
    tmp_path: Path,
    workbook: str,
    sheet: str,
    label: str,
    value: object,
    code: str,
) -> None:
    """An EQ fund that does not cover 25% of the posizioni (scaled down) and is under 15% of
    posizione + risultato (CCNL 2018 art. 15 c.4; 2022 art. 17); an individual part under 30%
    (art. 68 c.3; art. 80); a quota of staff that gives no one the maggiorazione (5% of 10,
    rounded up: 1 — rounded down, with «difetto», none)."""
    import shutil

    root = tmp_path / "ciclo"
    shutil.copytree(compilato.root, root)
    cycle = Cycle(root)
    _edit(cycle, workbook, sheet, label, value)
    if code is Codice.AGG_MAGGIORAZIONE_NON_APPLICATA:
        _edit(cycle, "sistema.xlsx", "Sistema", "maggiorazione_arrotondamento", "difetto")
    found = {a.codice for a in reconcile_and_report(cycle).outcome.anomalie}
    assert code in found


def test_an_eq_without_a_posizione_is_refused_when_the_result_is_on_it(tmp_path: Path) -> None:
    from workbook.anomalies import Codice
    from workbook.errors import AnomaliesError
    from workbook.piano.blank import write_piano
    from workbook.piano.load import load_piano

    data = load_sample("esempio-2025")
    del data["personale"][0]["posizione"]
    write_piano(tmp_path / "piano.xlsx", data)
    with pytest.raises(AnomaliesError) as exc:
        load_piano(tmp_path / "piano.xlsx")
    assert [(a.codice, a.riga) for a in exc.value.anomalies] == [
        (Codice.PIANO_POSIZIONE_MANCANTE, 2)
    ]


# --- absences, sanctions, negative evaluations --------------------------------------------


def test_absences_reduce_the_days_counted_only_as_the_sistema_says(
    compilato: Cycle, results: Results
) -> None:
    """Marini: 40 days of illness, 10 of them allowed: 335 of 365 days count for the premio.
    Rinaldi: 120 days of maternity leave, which never count (D.Lgs. 150/2009 art. 9 c.3)."""
    data = json.loads(
        (compilato.risultati / "risultati-2025.json").read_text(encoding="utf-8"),
        parse_float=Decimal,
    )
    people = {p["matricola"]: p for p in data["valutazioni"]}
    assert people["3002"]["peso_servizio"] == Decimal("0.917808")  # 335 / 365
    assert people["3004"]["peso_servizio"] == Decimal("1")
    assert people["3004"]["stato"] == "valutato"


def test_a_negative_evaluation_is_listed_and_paid_nothing(
    compilato: Cycle, results: Results
) -> None:
    """Fumagalli (57,18) is in the band the Sistema marks negative."""
    rel = results.relazione
    assert [(n.matricola, n.motivo) for n in rel.valutazioni_negative] == [
        ("3012", "punteggio 57,18, fascia «fino a 59»")
    ]
    assert rel.premi_parti["3012"]["individuale"] == Decimal("0.00")
    import openpyxl

    ws = openpyxl.load_workbook(compilato.risultati / "risultati-2025.xlsx")["Relazione"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Valutazioni negative" in texts and "Fumagalli Pietro" in texts


def test_a_sanction_heavier_than_the_sistemas_limit_excludes_from_the_evaluation(
    tmp_path: Path,
) -> None:
    from workbook.piano.blank import write_piano
    from workbook.piano.load import load_piano

    data = load_sample("esempio-2025")
    person = {p["matricola"]: p for p in data["personale"]}
    person["3006"]["sanzione"] = "multa"  # Amato Rita
    person["3007"]["sanzione"] = "rimprovero scritto"  # Monti Sergio: allowed
    write_piano(tmp_path / "piano.xlsx", data)
    piano, _ = load_piano(tmp_path / "piano.xlsx")
    amato, monti = piano.persona("3006"), piano.persona("3007")
    assert not piano.idoneita(amato).valutabile  # type: ignore[arg-type]
    assert "multa" in piano.idoneita(amato).motivo  # type: ignore[arg-type]
    assert piano.idoneita(monti).valutabile  # type: ignore[arg-type]


# --- transparency (D.Lgs. 33/2013, art. 20) ----------------------------------------------------


def test_the_transparency_tables_are_written_as_csv_ready_to_publish(
    compilato: Cycle, results: Results
) -> None:
    """One CSV per table and role, UTF-8 with BOM, «;», decimal comma; the figures are the
    results' own: the euros per band add up to what was distributed, the classes to the
    people evaluated."""
    import csv

    folder = compilato.risultati / "trasparenza"
    names = sorted(p.name for p in folder.glob("*.csv"))
    assert names == sorted(
        [
            *(
                f"{t}-dipendenti.csv"
                for t in ("premi", "fasce", "categorie", "statistiche", "classi")
            ),
            "maggiorazione-dipendenti.csv",
            *(f"{t}-eq.csv" for t in ("premi", "fasce", "categorie", "statistiche", "classi")),
        ]
    )

    def read(name: str) -> list[dict[str, str]]:
        raw = (folder / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))

    def euro(text: str) -> Decimal:
        return Decimal(text.replace(",", "."))

    rel = results.relazione
    bands = read("fasce-dipendenti.csv")
    assert sum(euro(r["Premi (€)"]) for r in bands) == rel.premialita.distribuita
    assert sum(int(r["Persone"]) for r in bands) == rel.n_dipendenti_valutati
    assert "," in bands[0]["Premi (€)"] and "." not in bands[0]["Premi (€)"]
    classes = read("classi-dipendenti.csv")
    assert sum(int(r["Persone"]) for r in classes) == rel.n_dipendenti_valutati
    [magg] = read("maggiorazione-dipendenti.csv")
    assert (magg["Beneficiari"], magg["Ammontare (€)"]) == ("1", "720,00")
    [eq] = read("premi-eq.csv")
    assert (eq["Stanziato (€)"], eq["Distribuito (€)"]) == ("8000,00", "5200,00")
    import openpyxl

    ws = openpyxl.load_workbook(compilato.risultati / "risultati-2025.xlsx")["Trasparenza"]
    titles = [c.value for c in ws["A"] if c.value]
    assert any(str(t).startswith("Premi per fascia di punteggio – dipendenti") for t in titles)


# --- what-if before signing the contratto decentrato ---------------------------------------------


def test_premi_simulates_other_rules_without_touching_the_results(
    compilato: Cycle, results: Results, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """By score instead of by band, without the maggiorazione: a comparison workbook, the same
    scores, and risultati/ exactly as it was."""
    import dataclasses

    import openpyxl

    from workbook import cli
    from workbook.sistema.export import to_yaml

    current = piano_of(compilato).sistema
    other = dataclasses.replace(
        current,
        premi=dataclasses.replace(current.premi, metodo="punteggio", maggiorazione=None),
    )
    path = tmp_path / "punteggio.yaml"
    path.write_text(to_yaml(other), encoding="utf-8")
    before = {p: p.read_bytes() for p in compilato.risultati.rglob("*") if p.is_file()}
    assert cli.main(["premi", "--sistema", str(path), "--dir", str(compilato.root)]) == 0
    assert {p: p.read_bytes() for p in compilato.risultati.rglob("*") if p.is_file()} == before
    said = capsys.readouterr().out.replace("\n", "")
    assert "premi-punteggio.xlsx" in said and "non sono cambiati" in said
    wb = openpyxl.load_workbook(compilato.root / "simulazioni" / "premi-punteggio.xlsx")
    rows = {r[0].value: [c.value for c in r] for r in wb["Persone"].iter_rows(min_row=2)}
    assert rows["3009"][5] == 720 + float(
        results.relazione.premi_parti["3009"]["individuale"]
    ) + float(results.relazione.premi_parti["3009"]["organizzativa"])
    assert rows["3009"][6] != rows["3009"][5]  # no maggiorazione, and by score
    # A Sistema that scores differently cannot be compared this way.
    changed = dataclasses.replace(current, servizio_minimo_mesi=6)
    path.write_text(to_yaml(changed), encoding="utf-8")
    assert cli.main(["premi", "--sistema", str(path), "--dir", str(compilato.root)]) == 2
    assert "non valuta come quello del ciclo" in capsys.readouterr().err


def test_the_area_results_show_each_ones_parts(compilato: Cycle, results: Results) -> None:
    """The file «valuta send --per-area» sends to a Responsabile: the same parts as the JSON."""
    import datetime as dt
    import io

    import openpyxl

    from workbook.results.area import area_workbook
    from workbook.results.json import read_results

    data = read_results(compilato.risultati / "risultati-2025.json")
    assert data is not None
    raw = area_workbook(
        data,
        "AFF",
        "Affari generali",
        "Conti Laura",
        provvisorio=False,
        created=dt.datetime(2026, 1, 1),
    )
    ws = openpyxl.load_workbook(io.BytesIO(raw))["Valutazioni"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(r for r in rows if r[0] == "Matricola")
    ferrara = dict(zip(header, next(r for r in rows if r[0] == "3001"), strict=False))
    parts = results.relazione.premi_parti["3001"]
    assert ferrara["di cui organizzativa (€)"] == float(parts["organizzativa"])
    assert ferrara["di cui individuale (€)"] == float(parts["individuale"])
    assert ferrara["Premio (€)"] == float(results.relazione.premi["3001"])


def test_a_score_of_zero_shows_its_meaning_and_the_reconciler_agrees(
    esempio: Cycle, tmp_path: Path
) -> None:
    """A factor scored 0 («Non adeguato» on the scale «dieci»): the modulo's Schede sheet shows
    the meaning of 0, and reconcile recomputes the same (a 0 in the Criteri sheet is a value,
    not an empty cell)."""
    import shutil

    root = tmp_path / "ciclo"
    shutil.copytree(esempio.root, root)
    cycle = Cycle(root)
    answers = sample_answers(load_sample("esempio-2025", "risposte"), piano_of(cycle))
    answers["AFF"]["dipendente/3002/affidabilita"] = Decimal(0)
    fill_from_answers(cycle, answers)
    results = reconcile_and_report(cycle)
    shown = [a for a in results.outcome.anomalie if a.codice.code == "REC-VALORE-MOSTRATO-DIVERSO"]
    assert shown == []
    people = {v.persona.matricola: v for v in results.outcome.valutazioni}
    assert people["3002"].stato == "valutato"
