"""The Sistema: the bundled ones reproduce the seeds; a broken one is reported line by line."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from workbook.anomalies import Codice
from workbook.errors import AnomaliesError
from workbook.resources import templates_dir
from workbook.sistema.load import load_sistema, parse_sistema

SEED_BANDS = [(54, 60, 100), (37, 53, 80), (25, 36, 50), (19, 24, 25), (0, 18, 0)]


def test_almenno_reproduces_the_seed_table() -> None:
    s = load_sistema("almenno-2017")
    dip = s.scheda_codice("dipendente")
    assert dip.massimo == 60
    assert sorted(((f.da, f.a, f.premio) for f in dip.fasce), reverse=True) == [
        tuple(D(x) for x in band) for band in SEED_BANDS
    ]
    # «Valutazione fino a 18 punti» and «compresa tra 54 e 60 punti», as in the Relazione
    assert [f.etichetta for f in dip.fasce] == [
        "fino a 18",
        "da 19 a 24",
        "da 25 a 36",
        "da 37 a 53",
        "da 54 a 60",
    ]
    # The objective component is derived from the Area's achievement (Almenno seed).
    assert [v.tipo for v in dip.voci].count("derivata") == 1
    assert s.scheda_codice("po").massimo == 100
    assert s.servizio_minimo_mesi == 6


@pytest.mark.parametrize(
    ("score", "band"),
    [
        ("60", "da 54 a 60"),
        ("54", "da 54 a 60"),
        ("53.99", "da 37 a 53"),
        ("37", "da 37 a 53"),
        ("24.5", "da 19 a 24"),
        ("19", "da 19 a 24"),
        ("18.99", "fino a 18"),
        ("0", "fino a 18"),
    ],
)
def test_a_score_belongs_to_the_band_whose_start_it_reaches(score: str, band: str) -> None:
    dipendente = load_sistema("almenno-2017").scheda_codice("dipendente")
    assert dipendente.fascia(D(score)).etichetta == band  # type: ignore[union-attr]


def test_torchiarolo_po_scheda_is_the_seed() -> None:
    s = load_sistema("torchiarolo-2022")
    po = s.scheda_codice("po")
    assert [(p.codice, p.massimo) for p in po.parti] == [
        ("I", 20),
        ("II", 35),
        ("III", 20),
        ("IV", 15),
        ("V", 10),
    ]
    parte_i = po.parti[0]
    assert [(v.tipo_obiettivi, v.massimo) for v in parte_i.voci] == [
        ("strategico", 10),
        ("struttura", 10),
    ]
    assert [(v.tipo, v.tipo_obiettivi, v.massimo) for v in po.parti[1].voci] == [
        ("obiettivi", "individuale", 35)
    ]
    assert "Capacità di valutazione dei collaboratori" in po.parti[4].titolo
    assert [(g.descrizione, g.da, g.a) for g in s.gradi] == [
        ("Obiettivo non raggiunto", 0, 50),
        ("Obiettivo parzialmente raggiunto", 51, 79),
        ("Obiettivo ampiamente raggiunto", 80, 90),
        ("Obiettivo superato", 91, 100),
    ]
    assert s.grado(D("50.5")).descrizione == "Obiettivo non raggiunto"
    assert s.grado(D(91)).descrizione == "Obiettivo superato"


def test_every_bundled_sistema_loads() -> None:
    for path in templates_dir().glob("*.yaml"):
        assert load_sistema(path.stem).codice == path.stem


def _yaml(**replace: str) -> str:
    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    return lines[occurrence - 1]


PART_B = "        massimo: {}\n        voci:\n          - codice: collaborazione"
SCALE = "            scala: {}\n          - codice: utenza"
PARTIAL = "{{descrizione: Obiettivo parzialmente raggiunto, da: {}"
SUPERATO = "{descrizione: Obiettivo superato, da: 91, a: 100"

BAD = {
    "unknown key, with suggestion": (
        {"    massimo: 60\n": "    masimo: 60\n"},
        Codice.SIST_CHIAVE_SCONOSCIUTA,
        "masimo: 60",
    ),
    "items exceed the part": (
        {PART_B.format(20): PART_B.format(15)},
        Codice.SIST_PARTE_MASSIMO,
        "        massimo: 15",  # the part's maximum: the number to correct
    ),
    "overlapping bands": (
        {"{da: 37, a: 53, premio: 80}": "{da: 37, a: 54, premio: 80}"},
        Codice.SIST_FASCE_SOVRAPPOSTE,
        "{da: 54, a: 60, premio: 100}",
    ),
    "gap between bands": (
        {"{da: 37, a: 53, premio: 80}": "{da: 37, a: 52, premio: 80}"},
        Codice.SIST_FASCE_BUCO,
        "{da: 54, a: 60, premio: 100}",
    ),
    "bands do not reach the maximum": (
        {"{da: 54, a: 60, premio: 100}": "{da: 54, a: 59, premio: 100}"},
        Codice.SIST_FASCE_COPERTURA,
        "{da: 54, a: 59, premio: 100}",
    ),
    "bands do not start from zero": (
        {"{da: 0, a: 18, premio: 0}": "{da: 1, a: 18, premio: 0}"},
        Codice.SIST_FASCE_COPERTURA,
        "{da: 1, a: 18, premio: 0}",
    ),
    "unknown scale": (
        {SCALE.format("decimi"): SCALE.format("decimo")},
        Codice.SIST_SCALA_SCONOSCIUTA,
        "scala: decimo",
    ),
    "duplicate item code": (
        {"codice: utenza": "codice: collaborazione"},
        Codice.SIST_CODICE_DUPLICATO,
        ("codice: collaborazione", 2),
    ),
    "grades overlap": (
        {PARTIAL.format(51): PARTIAL.format(50)},
        Codice.SIST_GRADI,
        "da: 50, a: 79",
    ),
    "parts that miss the scheda's maximum": (
        {"    massimo: 60\n": "    massimo: 70\n"},
        Codice.SIST_SCHEDA_MASSIMO,
        "    massimo: 70",
    ),
    "a value of the wrong kind": (
        {"{da: 37, a: 53, premio: 80}": "{da: 37, a: 53, premio: ottanta}"},
        Codice.SIST_VALORE_NON_VALIDO,
        "premio: ottanta",
    ),
    "missing key": (
        {"    valutatore: nucleo\n": ""},
        Codice.SIST_CHIAVE_MANCANTE,
        "  po:",
    ),
    "not YAML": ({"schede:\n": "schede: [\n"}, Codice.SIST_YAML, None),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_broken_sistema_is_reported_with_its_yaml_line(case: str) -> None:
    replace, code, fragment = BAD[case]
    text = _yaml(**replace)
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "rotto.yaml")
    found = [a for a in exc.value.anomalies if a.codice is code]
    assert found, [a.testo for a in exc.value.anomalies]
    assert found[0].file == "rotto.yaml"
    if fragment is not None:
        text_fragment, occurrence = fragment if isinstance(fragment, tuple) else (fragment, 1)
        expected_line = _line_of(text, text_fragment.splitlines()[0], occurrence)
        assert expected_line in [a.riga for a in found], [a.testo for a in found]
    if code is Codice.SIST_CHIAVE_SCONOSCIUTA:
        assert "forse intendeva «massimo»" in found[0].messaggio


def test_every_problem_is_reported_at_once() -> None:
    text = _yaml(
        **{
            "    massimo: 60\n": "    masimo: 60\n",
            "{da: 37, a: 53, premio: 80}": "{da: 37, a: 52, premio: 80}",
        }
    )
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "rotto.yaml")
    codes = {a.codice for a in exc.value.anomalies}
    assert {Codice.SIST_CHIAVE_SCONOSCIUTA, Codice.SIST_FASCE_BUCO} <= codes


def test_unknown_sistema_name_suggests_the_bundled_one(tmp_path: Path) -> None:
    with pytest.raises(AnomaliesError) as exc:
        load_sistema("almeno-2017")
    (a,) = exc.value.anomalies
    assert a.codice is Codice.SIST_NON_TROVATO
    assert "forse intendeva «almenno-2017»" in a.messaggio


def test_grade_mode_credits_the_value_of_each_grade() -> None:
    text = _yaml(
        **{
            "modalita: percentuale": "modalita: grado",
            SUPERATO + "}": SUPERATO + ", valore: 95}",
        }
    )
    s = parse_sistema(text, "grado.yaml")
    assert s.modalita == "grado"
    assert s.grado_per_descrizione("obiettivo superato").valore == 95  # type: ignore[union-attr]
    assert s.grado_per_descrizione("Obiettivo non raggiunto").valore == 50  # type: ignore


def test_the_definition_hash_ignores_comments() -> None:
    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    assert parse_sistema(text, "a").hash == parse_sistema("# nota\n" + text, "a").hash
    assert (
        parse_sistema(text, "a").hash
        != parse_sistema(text.replace("premio: 80", "premio: 75"), "a").hash
    )


# --- hostile Sistemi ------------------------------------------------------------------------------


def _valid() -> str:
    return (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text, code",
    [
        # «billion laughs» in YAML: nine lines, 10**9 strings once expanded
        (
            "a: &a ['x','x','x','x','x','x','x','x','x','x']\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
                for i in range(8)
            ),
            Codice.SIST_YAML,
        ),
        ("codice: " + "[" * 10_000 + "]" * 10_000, Codice.SIST_YAML),
        ("codice: " + "9" * 5_000, Codice.SIST_YAML),
        ("codice: !!python/object/apply:os.system ['echo no']", Codice.SIST_YAML),
    ],
    ids=["alias", "annidamento", "cifre", "oggetti"],
)
def test_a_hostile_sistema_is_refused_cleanly(text: str, code: Codice) -> None:
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "ostile.yaml")
    assert [a.codice for a in exc.value.anomalies] == [code]


@pytest.mark.parametrize("number", [".nan", ".inf", "-.inf", "1e300"])
def test_numbers_that_are_not_finite_or_plausible_are_refused_at_their_line(number: str) -> None:
    text = _valid().replace("    massimo: 60\n", f"    massimo: {number}\n", 1)
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "rotto.yaml")
    found = [a for a in exc.value.anomalies if a.codice is Codice.SIST_VALORE_NON_VALIDO]
    assert found and found[0].riga == _line_of(text, f"    massimo: {number}", 1)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_a_sistema_saved_by_a_windows_editor_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "sistema.yaml"
    path.write_bytes(_valid().encode(encoding, errors="replace"))  # the comments have arrows
    assert load_sistema("sistema.yaml", tmp_path).codice == "almenno-2017"


def test_a_sistema_in_an_unknown_encoding_is_an_anomaly(tmp_path: Path) -> None:
    path = tmp_path / "sistema.yaml"
    path.write_bytes(b"codice: \x81\x8d\x8f\x90\x9d")  # undefined in Windows-1252 and not UTF-8
    with pytest.raises(AnomaliesError) as exc:
        load_sistema("sistema.yaml", tmp_path)
    assert [a.codice for a in exc.value.anomalies] == [Codice.SIST_YAML]


def test_a_key_that_is_a_list_is_refused_at_its_line() -> None:
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema("codice: x\n? [a, b]\n: 1\n", "chiavi.yaml")
    assert [(a.codice, a.riga) for a in exc.value.anomalies] == [(Codice.SIST_YAML, 2)]


def test_a_minimum_service_longer_than_a_year_is_refused() -> None:
    text = _valid().replace("servizio_minimo_mesi: 6", "servizio_minimo_mesi: 99999")
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "lungo.yaml")
    assert [a.codice for a in exc.value.anomalies] == [Codice.SIST_VALORE_NON_VALIDO]


@pytest.mark.parametrize(
    ("fragment", "problem"),
    [
        ("assenze: {riducono: [malattia, maternità]}", "art. 9, c. 3"),
        ("assenze: {riducono: [congedo parentale]}", "art. 9, c. 3"),
        ("assenze: {riducono: [ferie]}", "non è una causa"),
        ("maggiorazione: {percentuale: 20, quota_personale: 10}", "art. 69 c.2"),
        ("eq: {base: posizione}", "percentuale massima"),
    ],
)
def test_money_rules_the_contract_forbids_are_refused_with_the_article(
    fragment: str, problem: str
) -> None:
    text = _yaml() + f"\npremi:\n  {fragment}\n"
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "premi.yaml")
    assert any(problem in a.messaggio for a in exc.value.anomalies), [
        a.messaggio for a in exc.value.anomalies
    ]


def test_a_negative_band_with_a_premio_is_refused() -> None:
    text = _yaml(**{"{da: 0, a: 18, premio: 0}": "{da: 0, a: 18, premio: 10, negativa: true}"})
    with pytest.raises(AnomaliesError) as exc:
        parse_sistema(text, "negativa.yaml")
    assert any("negativa" in a.messaggio for a in exc.value.anomalies)


def test_a_band_whose_premio_is_the_score() -> None:
    """Torchiarolo's dipendenti between 50 and 69 points: the premio is the score su 100, in
    the Python engine and in the formula the workbooks carry."""
    from workbook.scoring import formulas as fx
    from workbook.scoring.engine import Obiettivi, score

    scheda = load_sistema("torchiarolo-2022").scheda_codice("dipendente")
    assert scheda is not None
    band = scheda.fascia(D(62))
    assert band.proporzionale and band.premio_testo == "pari al punteggio su 100"
    factors = {v.codice: D(6) for v in scheda.fattori}  # 36 points
    result = score(scheda, factors, Obiettivi([("struttura", D(10), D(65))], [], None))
    assert (result.totale, result.premio) == (D("62.00"), D("62.00"))
    assert "ROUND(L5*100/100,2)" in fx.band_premio(scheda, "L5")
    with pytest.raises(AnomaliesError):
        parse_sistema(
            _yaml(**{"{da: 0, a: 18, premio: 0}": "{da: 0, a: 18, premio: punti}"}), "x.yaml"
        )
