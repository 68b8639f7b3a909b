"""The Piano: the samples load; a broken one is reported sheet by sheet, row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook.anomalies import Codice
from workbook.errors import AnomaliesError, UnreadableValue
from workbook.piano.load import load_piano
from workbook.values import parse_date, parse_number

PianoData = dict[str, Any]


def test_almenno_sample(sample: Callable[..., PianoData], piano_file: Callable) -> None:
    piano, avvisi = load_piano(piano_file(sample("almenno-2017")))
    assert avvisi == []
    assert piano.ente.anno == 2017
    assert [a.codice for a in piano.aree] == ["AREA1", "AREA2", "AREA3"]
    assert len(piano.obiettivi) == 27
    assert len(piano.eq()) == 3
    dipendenti = [p for p in piano.personale if p.ruolo == "dipendente"]
    assert len(dipendenti) == 21
    excluded = [p.matricola for p in dipendenti if not piano.idoneita(p).valutabile]
    assert excluded == ["215"]  # in service from 1 September: less than six months
    assert "sei mesi" in piano.idoneita(piano.persona("215")).motivo  # type: ignore[arg-type]
    # The weights of each Area's objectives fill the PO scheda's part A (60 points).
    for area in piano.aree:
        assert sum(o.obiettivo.peso for o in piano.obiettivi_area(area.codice)) == 60
    # The acts the seed's Relazione names, from the Ente sheet.
    assert piano.ente.atto_piano == "deliberazione della Giunta Comunale n. 30 del 03/04/2017"
    assert piano.ente.atto_sistema == "deliberazione di Giunta Comunale n. 24 del 07/03/2013"
    assert piano.ente.nucleo_componenti.startswith("Melchionne Dr. Maurizio (Segretario);")


def test_the_target_of_an_objective_and_a_piano_written_before_it(
    sample: Callable[..., PianoData], piano_file: Callable, tmp_path: Path
) -> None:
    """«Valore atteso» (Obiettivi) and the acts (Ente) are read when given; a Piano written
    before they existed, without the column and the rows, loads with them empty."""
    path = piano_file(sample("esempio-2025"))
    piano, _ = load_piano(path)
    targets = {o.codice: o.valore_atteso for o in piano.obiettivi}
    assert targets["TEC-2"] == "5 scuole su 5" and targets["TEC-1"] == ""
    wb = openpyxl.load_workbook(path)
    ws = wb["Obiettivi"]
    headers = [c.value for c in ws[1]]
    # In the blank Piano the column keeps what is typed as text («100%» is not 1).
    letter = openpyxl.utils.get_column_letter(headers.index("Valore atteso") + 1)
    assert ws.column_dimensions[letter].number_format == "@"
    ws.delete_cols(headers.index("Valore atteso") + 1)
    ente = wb["Ente"]
    for row in range(ente.max_row, 0, -1):
        if str(ente.cell(row, 1).value).startswith(
            ("Provincia", "Atto", "Componenti", "Contratto")
        ):
            ente.delete_rows(row)
    wb.save(tmp_path / "vecchio.xlsx")
    old, avvisi = load_piano(tmp_path / "vecchio.xlsx")
    assert {o.valore_atteso for o in old.obiettivi} == {""} and old.ente.atto_piano == ""
    assert len(old.obiettivi) == len(piano.obiettivi) and avvisi == []


def test_torchiarolo_sample(sample: Callable[..., PianoData], piano_file: Callable) -> None:
    piano, _ = load_piano(piano_file(sample("torchiarolo-2022")))
    po02 = piano.obiettivi_area("PO02")
    # «tutte» objectives apply to every Area, with an id per Area
    assert [o.id for o in po02] == [
        "PO02.OB1",
        "PO02.OB2",
        "PO02.PI02-1",
        "PO02.PI02-2",
        "PO02.PI02-3",
    ]
    assert next(o.id for o in piano.obiettivi_area("PO01")) == "PO01.OB1"
    assert piano.persona("2007") is not None
    assert not piano.idoneita(piano.persona("2007")).valutabile  # type: ignore[arg-type]
    assert piano.idoneita(piano.persona("2010")).valutabile  # type: ignore[arg-type]


def test_italian_text_and_excel_values_are_both_read(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["ente"]["fondo_produttivita"] = "31.500,50"
    person = data["personale"][5]
    person["inizio"] = "01/03/2017"
    person["part_time"] = "83,5"
    data["obiettivi"][0]["peso"] = "10"
    path = piano_file(data)
    piano, _ = load_piano(path)
    assert piano.ente.fondo_produttivita == D("31500.50")
    p = piano.persona(str(person["matricola"]))
    assert p is not None
    assert p.inizio == dt.date(2017, 3, 1)
    assert p.part_time == D("83.5")


def _problems(path: Path) -> list[tuple[str, str, int | None]]:
    with pytest.raises(AnomaliesError) as exc:
        load_piano(path)
    return [(a.codice.code, a.foglio, a.riga) for a in exc.value.anomalies]


def _row_of(data: PianoData, sheet: str, index: int) -> int:
    return index + 2  # header on row 1


BROKEN: dict[str, tuple[Callable[[PianoData], None], Codice, str, int | None]] = {
    "duplicate matricola": (
        lambda d: d["personale"][4].update(matricola="201"),
        Codice.PIANO_MATRICOLA_DUPLICATA,
        "Personale",
        6,
    ),
    "unknown Area": (
        lambda d: d["personale"][3].update(area="AREA 1"),
        Codice.PIANO_AREA_SCONOSCIUTA,
        "Personale",
        5,
    ),
    "Area without Responsabile": (
        lambda d: d["aree"][1].update(responsabile=None),
        Codice.PIANO_AREA_SENZA_RESPONSABILE,
        "Aree",
        3,
    ),
    "weights that do not fit the Sistema": (
        lambda d: d["obiettivi"][0].update(peso=12),
        Codice.PIANO_PESI,
        "Obiettivi",
        2,
    ),
    "service ends before it starts": (
        lambda d: d["personale"][6].update(inizio="2017-05-01", fine="2017-03-01"),
        Codice.PIANO_DATE_IMPOSSIBILI,
        "Personale",
        8,
    ),
    "a date that is not a day": (
        lambda d: d["personale"][6].update(inizio="31/02/2017"),
        Codice.PIANO_DATA_NON_VALIDA,
        "Personale",
        8,
    ),
    "formula-looking text": (
        lambda d: d["obiettivi"][3].update(descrizione='=HYPERLINK("http://x")'),
        Codice.PIANO_FORMULA,
        "Obiettivi",
        5,
    ),
    "a weight written in words": (
        lambda d: d["obiettivi"][2].update(peso="otto"),
        Codice.PIANO_NUMERO_NON_VALIDO,
        "Obiettivi",
        4,
    ),
    "unknown role": (
        lambda d: d["personale"][8].update(ruolo="direttore"),
        Codice.PIANO_VALORE_NON_AMMESSO,
        "Personale",
        10,
    ),
    "a role the Sistema has no scheda for": (
        lambda d: d["personale"][8].update(ruolo="dirigente"),
        Codice.PIANO_SCHEDA_NESSUNA,
        "Personale",
        10,
    ),
    "Responsabile who is not a PO": (
        lambda d: d["aree"][0].update(responsabile="201"),
        Codice.PIANO_RESPONSABILE_NON_VALIDO,
        "Aree",
        2,
    ),
    "invalid e-mail": (
        lambda d: d["aree"][2].update(email="p.ricci@"),
        Codice.PIANO_EMAIL_NON_VALIDA,
        "Aree",
        4,
    ),
    "duplicate objective code": (
        lambda d: d["obiettivi"][1].update(codice="A1-01"),
        Codice.PIANO_CODICE_DUPLICATO,
        "Obiettivi",
        3,
    ),
    "missing required value": (
        lambda d: d["personale"][10].update(cognome=None),
        Codice.PIANO_CAMPO_MANCANTE,
        "Personale",
        12,
    ),
    "a code with spaces": (
        lambda d: d["obiettivi"][1].update(codice="A1 02"),
        Codice.PIANO_CODICE_NON_VALIDO,
        "Obiettivi",
        3,
    ),
    "an Area without objectives": (
        lambda d: d.update(obiettivi=[o for o in d["obiettivi"] if o["area"] != "AREA3"]),
        Codice.PIANO_AREA_SENZA_OBIETTIVI,
        "Obiettivi",
        None,
    ),
    "unknown Sistema": (
        lambda d: d["ente"].update(sistema="almeno-2017"),
        Codice.SIST_NON_TROVATO,
        "",
        None,
    ),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_piano_names_sheet_and_row(
    case: str, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    mutate, code, sheet, row = BROKEN[case]
    data = sample()
    mutate(data)
    assert (code.code, sheet, row) in _problems(piano_file(data))


def _anomalies(path: Path) -> list[Any]:
    try:
        return load_piano(path)[1]
    except AnomaliesError as exc:
        return exc.anomalies


def test_one_mistake_in_the_aree_sheet_is_one_error_not_one_per_person(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """No cascade: an Area code refused for its characters (and used as such everywhere) is
    reported once at its row, not again for each of its people and objectives; a row with a
    value missing is still an Area; an Area named by rows but defined nowhere is one error at
    its first row that names the others."""
    data = sample()
    for item in [*data["aree"], *data["personale"], *data["obiettivi"]]:
        if item.get("area") == "AREA1" or item.get("codice") == "AREA1":
            item["area" if "area" in item else "codice"] = "AREA 1"
    data["aree"][1]["email"] = ""  # a Responsabile without e-mail: checked when mailing
    data["aree"][2]["denominazione"] = ""
    problems = _anomalies(piano_file(data))
    assert sorted((a.codice.code, a.foglio, a.riga) for a in problems) == [
        ("PIANO-CAMPO-MANCANTE", "Aree", 4),
        ("PIANO-CODICE-NON-VALIDO", "Aree", 2),
    ]
    data = sample()
    moved = [i for i, p in enumerate(data["personale"]) if p["area"] == "AREA3"]
    for i in moved:
        data["personale"][i]["area"] = "AREA4"
    problems = [a for a in _anomalies(piano_file(data)) if a.gravita.value == "errore"]
    (unknown,) = [a for a in problems if a.codice is Codice.PIANO_AREA_SCONOSCIUTA]
    first, *others = [i + 2 for i in moved]
    assert unknown.riga == first and len(others) >= 5
    assert f"(la indicano anche le righe {', '.join(map(str, others))})" in unknown.messaggio


def test_unknown_area_suggests_the_right_one(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["personale"][3]["area"] = "AREA 1"
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    (a,) = [a for a in exc.value.anomalies if a.codice is Codice.PIANO_AREA_SCONOSCIUTA]
    assert "forse intendeva «AREA1»" in a.messaggio
    assert a.testo.startswith("piano.xlsx › Personale, riga 5: ")


def test_all_problems_are_reported_together(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    for mutate, *_ in list(BROKEN.values())[:6]:
        mutate(data)
    codes = {c for c, _, _ in _problems(piano_file(data))}
    assert len(codes) >= 5


def test_missing_sheet_and_column(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    path = piano_file(sample())
    wb = openpyxl.load_workbook(path)
    del wb["Obiettivi"]
    wb["Personale"]["D1"] = "Sesso"
    wb.save(path)
    problems = _problems(path)
    assert (Codice.PIANO_FOGLIO_MANCANTE.code, "", None) in problems
    wb = openpyxl.load_workbook(piano_file(sample()))
    wb["Personale"]["D1"] = "Sesso"
    wb.save(path)
    assert (Codice.PIANO_COLONNA_MANCANTE.code, "Personale", 1) in _problems(path)


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "piano.xlsx"
    path.write_text("non è un foglio di calcolo")
    assert _problems(path) == [(Codice.PIANO_FILE.code, "", None)]


def test_a_po_who_leads_no_area_is_a_warning(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["personale"].append(
        {
            "matricola": "104",
            "cognome": "Vice",
            "nome": "Vera",
            "genere": "F",
            "categoria": "D1",
            "area": "AREA1",
            "ruolo": "PO",
        }
    )
    _, avvisi = load_piano(piano_file(data))
    assert [(a.codice, a.foglio, a.riga) for a in avvisi] == [
        (Codice.PIANO_PO_SENZA_AREA, "Personale", 26)
    ]


def test_warnings_do_not_stop_loading(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["personale"] = [p for p in data["personale"] if p["area"] != "AREA3" or p["ruolo"] == "PO"]
    piano, avvisi = load_piano(piano_file(data))
    assert [(a.codice, a.gravita.value) for a in avvisi] == [
        (Codice.PIANO_AREA_SENZA_PERSONALE, "avviso")
    ]
    assert piano.valutati("AREA3") == ()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("8,5", "8.5"),
        ("8.5", "8.5"),
        ("1.234,56", "1234.56"),
        ("€ 31.500,00", "31500.00"),
        ("85%", "85"),
        (" 10 ", "10"),
        (7, "7"),
        (8.5, "8.5"),
        (0.1, "0.1"),
    ],
)
def test_numbers_as_people_type_them(text: object, value: str) -> None:
    assert parse_number(text) == D(value)


@pytest.mark.parametrize("text", ["otto", "", "8,5,1", "1.2.3,4,5", True, None])
def test_words_are_not_numbers(text: object) -> None:
    with pytest.raises(UnreadableValue):
        parse_number(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01/03/2017", dt.date(2017, 3, 1)),
        ("1/3/17", dt.date(2017, 3, 1)),
        ("2017-03-01", dt.date(2017, 3, 1)),
        ("2017-03-01T00:00:00", dt.date(2017, 3, 1)),
        ("01.03.2017", dt.date(2017, 3, 1)),
        (42795, dt.date(2017, 3, 1)),
        (dt.datetime(2017, 3, 1, 10, 0), dt.date(2017, 3, 1)),
    ],
)
def test_dates_as_people_type_them(text: object, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["31/02/2017", "marzo 2017", "2017/13/01", 0])
def test_impossible_dates(text: object) -> None:
    with pytest.raises(UnreadableValue):
        parse_date(text)


# --- hostile Piani ------------------------------------------------------------------------------


def test_a_piano_that_inflates_without_bound_is_refused_before_it_is_opened(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    import io
    import zipfile

    good = piano_file(sample()).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            body = src.read(name)
            if name == "xl/worksheets/sheet2.xml":  # «Ente»: 50 MiB of nothing
                body = body.replace(b"</worksheet>", b" " * (50 * 2**20) + b"</worksheet>")
            dst.writestr(name, body)
    path = tmp_path / "bomba.xlsx"
    path.write_bytes(out.getvalue())
    assert path.stat().st_size < 2 * 2**20
    assert _problems(path) == [(Codice.PIANO_FILE.code, "", None)]


@pytest.mark.parametrize(
    "field, value",
    [("fondo_produttivita", 1e300), ("fondo_risultato_po", "1e300"), ("anno", 2017.5)],
)
def test_impossible_amounts_and_years_are_refused_at_their_row(
    field: str, value: object, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["ente"][field] = value
    problems = _problems(piano_file(data))
    assert (Codice.PIANO_NUMERO_NON_VALIDO.code, "Ente") in [(c, s) for c, s, _ in problems]


@pytest.mark.parametrize(
    "sistema, inizio, fine, valutabile",
    [
        # six months (almenno-2017): from 1 July to 31 December is six months exactly
        ("almenno-2017", dt.date(2017, 7, 1), None, True),
        ("almenno-2017", dt.date(2017, 7, 2), None, False),  # the day after: one day short
        ("almenno-2017", None, dt.date(2017, 6, 30), True),  # January to June
        ("almenno-2017", None, dt.date(2017, 6, 29), False),
        # ninety days (torchiarolo-2022)
        ("torchiarolo-2022", dt.date(2022, 10, 3), None, True),  # 3 October–31 December: 90
        ("torchiarolo-2022", dt.date(2022, 10, 4), None, False),  # 89
    ],
)
def test_the_minimum_service_on_both_sides_of_the_boundary(
    sistema: str, inizio: dt.date | None, fine: dt.date | None, valutabile: bool
) -> None:
    from workbook.piano.model import Persona, eligibility
    from workbook.sistema.load import load_sistema

    person = Persona(
        "1", "Rossi", "Anna", "F", "C1", "A", "dipendente", inizio, fine, D(100), "", 2
    )
    anno = 2017 if sistema == "almenno-2017" else 2022
    found = eligibility(person, anno, load_sistema(sistema))
    assert found.valutabile is valutabile
    if inizio and inizio.year == 2022:
        assert found.giorni_servizio == (dt.date(2022, 12, 31) - inizio).days + 1


def test_one_cell_far_away_in_the_piano_is_refused_before_it_is_opened(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """python-calamine holds a sheet as a grid up to its last cell: one value at XFD1048576
    once asked for 500 GB and aborted the process, where no error can be caught."""
    import io
    import zipfile

    good = piano_file(sample()).read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            body = src.read(name)
            if name == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                    b"</sheetData>",
                )
            dst.writestr(name, body)
    path = tmp_path / "lontano.xlsx"
    path.write_bytes(out.getvalue())
    assert _problems(path) == [(Codice.PIANO_FILE.code, "", None)]


def _rename_area(data: PianoData, old: str, new: str) -> None:
    for sheet in ("aree", "obiettivi", "personale"):
        for row in data[sheet]:
            for field in ("codice", "area"):
                if row.get(field) == old:
                    row[field] = new


@pytest.mark.parametrize(
    "code", ["nucleo", "Nucleo", "tutte", "CON", "aux", "NUL", "com0", "com1", "LPT0", "LPT9"]
)
def test_an_area_code_that_cannot_name_its_workbook_is_refused_at_its_row(
    code: str, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """Each Area's workbook is moduli/<code>.xlsx: «nucleo» is the Nucleo's, and Windows
    gives no file the name of a device (CON, AUX, COM1, … whatever the extension)."""
    data = sample()
    _rename_area(data, "AREA3", code)
    problems = _problems(piano_file(data))
    assert (Codice.PIANO_CODICE_RISERVATO.code, "Aree", 4) in problems
    # Reported where it is: the Area's objectives and people are not «unknown Area» (with
    # «tutte» its objectives do become every Area's, and their weights are reported).
    assert Codice.PIANO_AREA_SCONOSCIUTA.code not in {c for c, _, _ in problems}
    if code != "tutte":
        assert len(problems) == 1


def test_codes_that_only_look_like_reserved_ones_are_accepted(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    _rename_area(data, "AREA3", "CON1")
    _rename_area(data, "AREA2", "COM10")
    piano, _ = load_piano(piano_file(data))
    assert {"CON1", "COM10"} <= {a.codice for a in piano.aree}


# --- the model of issue 14: assignees, schede, the Segretario, evaluators --------------------


def _custom_sistema(tmp_path: Path, data: PianoData, edit: Callable[[str], str]) -> None:
    """The almenno Sistema, edited, saved beside the Piano and named by its Ente sheet."""
    from workbook.resources import templates_dir

    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text
    (tmp_path / "sistema.yaml").write_text(edited, encoding="utf-8")
    data["ente"]["sistema"] = "sistema.yaml"


def test_an_objective_assigned_to_nobody_known_is_refused_at_its_row(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample("esempio-2025")
    data["obiettivi"][3].update(assegnatari="3001; 3999")  # AFF-I1, on row 5
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    [problem] = exc.value.anomalies
    assert (problem.codice, problem.foglio, problem.riga) == (
        Codice.PIANO_ASSEGNATARI,
        "Obiettivi",
        5,
    )
    assert "«3999»" in problem.messaggio


def test_an_assignment_the_persons_scheda_would_not_count_is_refused(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """Almenno's dipendente scheda has no item for assigned objectives: assigning one to
    Rossi Marco would change nothing, silently."""
    data = sample()
    data["obiettivi"][1].update(assegnatari="201")
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    [problem] = exc.value.anomalies
    assert (problem.codice, problem.riga) == (Codice.PIANO_ASSEGNATARI, 3)
    assert "non conterebbe" in problem.messaggio


def test_an_objective_assigned_to_the_wrong_person_is_one_mistake(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """AFF-I1 given to Rinaldi (FIN) instead of Ferrara (AFF): not also «Ferrara has no
    assigned objectives» and «Rinaldi's weigh 60» (test first: three errors for one)."""
    data = sample("esempio-2025")
    data["obiettivi"][3].update(assegnatari="3004")
    problems = _problems(piano_file(data))
    assert problems == [(Codice.PIANO_ASSEGNATARI.code, "Obiettivi", 5)]


def test_a_role_the_sistema_has_no_scheda_for_says_so(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["personale"][8].update(ruolo="dirigente")
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    found = [a for a in exc.value.anomalies if a.codice is Codice.PIANO_SCHEDA_NESSUNA]
    assert found and "non ha schede per questo ruolo" in found[0].messaggio
    assert "Correggere la categoria" not in found[0].messaggio


def test_an_objective_assigned_to_someone_of_another_area_is_refused(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """The Responsabile who declares an objective's achievement is its Area's: a person of
    another Area would be scored on what someone else declares."""
    data = sample()
    other = next(p for p in data["personale"] if p["area"] == "AREA2" and p["ruolo"] != "PO")
    data["obiettivi"][1].update(assegnatari=other["matricola"])
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    [problem] = exc.value.anomalies
    assert (problem.codice, problem.foglio, problem.riga) == (
        Codice.PIANO_ASSEGNATARI,
        "Obiettivi",
        3,
    )
    assert "AREA2" in problem.messaggio and other["cognome"] in problem.messaggio


def test_a_scheda_the_sistema_does_not_have_is_refused_with_the_ones_it_has(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["personale"][8].update(scheda="dipendenti")
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    [problem] = exc.value.anomalies
    assert (problem.codice, problem.foglio, problem.riga) == (
        Codice.PIANO_SCHEDA_SCONOSCIUTA,
        "Personale",
        10,
    )
    assert "«dipendente»" in problem.messaggio


def test_a_person_whom_two_schede_fit_is_refused_with_both(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """A second dipendente scheda for category C: the C people match two, the others one."""
    data = sample()
    _custom_sistema(
        tmp_path,
        data,
        lambda t: t.replace(
            "\n  po:\n",
            "\n  dipendente_c:\n    ruolo: dipendente\n    categorie: [C]\n"
            + t.split("\n  dipendente:\n")[1].split("\n  po:\n")[0]
            + "\n  po:\n",
        ),
    )
    problems = _problems(piano_file(data))
    c_rows = [
        i + 2
        for i, p in enumerate(data["personale"])
        if p["ruolo"] == "dipendente"
        and str(p["categoria"]).startswith("C")
        and p["matricola"] != "215"  # in service for less than six months: not evaluated
    ]
    assert c_rows
    assert problems == [(Codice.PIANO_SCHEDA_PIU.code, "Personale", r) for r in c_rows]


def test_an_area_led_by_the_segretario_needs_the_segretario_in_the_ente_sheet(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample()
    data["aree"][2].update(responsabile="Segretario")
    data["personale"] = [p for p in data["personale"] if p["matricola"] != "103"]
    problems = _problems(piano_file(data))
    assert (Codice.PIANO_SEGRETARIO.code, "Ente", None) in problems
    data["ente"].update(segretario="Bianchi Anna", email_segretario="segretario@almenno.example")
    piano, _ = load_piano(piano_file(data))
    assert piano.responsabile("AREA3") is None and piano.area("AREA3").del_segretario


def test_a_scheda_that_would_have_people_evaluate_themselves_is_refused(
    tmp_path: Path, sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """The PO scheda evaluated by «the Responsabile of the person's Area»: each PO would
    evaluate themself."""
    data = sample()
    _custom_sistema(
        tmp_path,
        data,
        lambda t: t.replace("    valutatore: nucleo\n", "    valutatore: responsabile\n"),
    )
    problems = _problems(piano_file(data))
    assert problems == [(Codice.PIANO_VALUTATORE.code, "Personale", r) for r in (2, 3, 4)]


def test_an_absence_of_nobody_or_of_no_cause_is_refused_at_its_row(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    data = sample("esempio-2025")
    data["assenze"] = [
        {"matricola": "3002", "causa": "malattia", "giorni": 12},
        {"matricola": "3999", "causa": "malattia", "giorni": 3},
        {"matricola": "3001", "causa": "ferie", "giorni": 3},
    ]
    problems = _problems(piano_file(data))
    assert problems == [
        (Codice.PIANO_VALORE_NON_AMMESSO.code, "Assenze", 3),
        (Codice.PIANO_VALORE_NON_AMMESSO.code, "Assenze", 4),
    ]


def test_an_objective_of_every_area_that_breaks_the_sums_is_reported_once_at_its_row(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """An objective of «tutte» the Aree that makes every Area's weights exceed the item: one
    PIANO-PESI, at that objective's row, not one per Area at each Area's first row."""
    data = sample()
    data["obiettivi"].append(
        {
            "codice": "T-01",
            "area": "tutte",
            "tipo": "strategico",
            "descrizione": "Trasparenza e anticorruzione",
            "peso": 5,
        }
    )
    row = len(data["obiettivi"]) + 1  # the header is row 1
    pesi = [p for p in _problems(piano_file(data)) if p[0] == "PIANO-PESI"]
    assert pesi == [("PIANO-PESI", "Obiettivi", row)]
    with pytest.raises(AnomaliesError) as exc:
        load_piano(piano_file(data))
    (a,) = [a for a in exc.value.anomalies if a.codice is Codice.PIANO_PESI]
    assert "compreso «T-01», valido per tutte le Aree" in a.messaggio


def test_a_wrong_sum_points_at_the_objective_that_makes_it_wrong(
    sample: Callable[..., PianoData], piano_file: Callable
) -> None:
    """An objective added to an Area whose weights already made the item: the anomaly is at
    the added row, not at the Area's first objective."""
    data = sample()
    extra = {"codice": "A2-11", "area": "AREA2", "tipo": "strategico", "descrizione": "Nuovo"}
    data["obiettivi"].insert(20, {**extra, "peso": 4})
    pesi = [p for p in _problems(piano_file(data)) if p[0] == "PIANO-PESI"]
    assert pesi == [("PIANO-PESI", "Obiettivi", 22)]
