"""A Sistema written as a workbook (sistema.xlsx): it loads to the same model as its YAML
form, every problem is reported with sheet, row and cell, a hostile file is refused cleanly,
and `valuta sistema controlla|converti` and `valuta init` use it."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from workbook import cli
from workbook.anomalies import Codice
from workbook.errors import AnomaliesError
from workbook.resources import bundled_sistemi, templates_dir
from workbook.sistema.export import write_workbook
from workbook.sistema.load import load_sistema, load_sistema_file, parse_sistema


@pytest.mark.parametrize("name", bundled_sistemi())
def test_each_bundled_workbook_is_its_yaml(name: str) -> None:
    """templates/<name>.xlsx ships beside templates/<name>.yaml: the same model."""
    xlsx = templates_dir() / f"{name}.xlsx"
    assert xlsx.is_file(), f"manca {xlsx.name}: python -m workbook.sistema.export"
    assert load_sistema_file(xlsx).hash == load_sistema(name).hash, (
        f"{xlsx.name} non corrisponde a {name}.yaml: rigenerarlo con "
        "«python -m workbook.sistema.export»"
    )


@pytest.mark.parametrize("name", bundled_sistemi())
def test_converted_both_ways_every_bundled_sistema_keeps_its_fingerprint(
    name: str, tmp_path: Path
) -> None:
    source = templates_dir() / f"{name}.yaml"
    assert cli.main(["sistema", "converti", str(source), str(tmp_path / "s.xlsx")]) == 0
    assert (
        cli.main(["sistema", "converti", str(tmp_path / "s.xlsx"), str(tmp_path / "s.yaml")]) == 0
    )
    original = load_sistema(name)
    for path in (tmp_path / "s.xlsx", tmp_path / "s.yaml"):
        assert load_sistema_file(path).hash == original.hash, path.name
    # The workbook names every scale, the YAML written back is plain data: no tags, no aliases.
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    assert "!!" not in text and "&" not in text.replace("&amp;", "")


def test_levels_written_inline_become_a_named_scale_of_the_same_model(tmp_path: Path) -> None:
    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    inline = text.replace(
        "            titolo: Collaborazione e lavoro di gruppo\n"
        "            descrizione: Collabora con i colleghi e con le altre Aree; condivide "
        "informazioni.\n            scala: decimi\n",
        "            titolo: Collaborazione e lavoro di gruppo\n"
        "            livelli:\n"
        + "".join(f"              - {{valore: {v}, descrizione: L{v}}}\n" for v in range(11)),
    )
    assert inline != text
    model = parse_sistema(inline, "inline.yaml")
    write_workbook(model, tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert "dipendente_collaborazione" in {r[0].value for r in wb["Scale"].iter_rows(min_row=2)}
    assert load_sistema_file(tmp_path / "s.xlsx").hash == model.hash


def test_the_workbook_has_instructions_dropdowns_and_text_kept_as_text(tmp_path: Path) -> None:
    """A title that looks like a formula stays text in the workbook, as every text from
    outside does; closed columns have a dropdown, every column an input message."""
    text = (templates_dir() / "almenno-2017.yaml").read_text(encoding="utf-8")
    hostile = text.replace(
        "titolo: Orientamento all'utenza", 'titolo: \'=HYPERLINK("http://x","clic")\''
    )
    write_workbook(parse_sistema(hostile, "h.yaml"), tmp_path / "s.xlsx")
    with zipfile.ZipFile(tmp_path / "s.xlsx") as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets"))
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert wb.sheetnames == [
        "Istruzioni",
        "Sistema",
        "Gradi",
        "Scale",
        "Schede",
        "Parti",
        "Voci",
        "Fasce",
        "Coefficienti",
    ]
    voci = wb["Voci"]
    titles = [r[4].value for r in voci.iter_rows(min_row=2)]
    assert '=HYPERLINK("http://x","clic")' in titles
    rules = {str(dv.sqref).split(":")[0]: dv for dv in voci.data_validations.dataValidation}
    assert rules["D2"].type == "list" and "fattore" in rules["D2"].formula1
    assert rules["A2"].formula1.startswith("Schede!")
    assert all(dv.prompt for dv in voci.data_validations.dataValidation)


# --- problems, with sheet, row and cell -----------------------------------------------------------


def _edited(tmp_path: Path, edit: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.load_workbook(templates_dir() / "almenno-2017.xlsx")
    edit(wb)
    path = tmp_path / "sistema.xlsx"
    wb.save(path)
    return path


def _found(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(AnomaliesError) as exc:
        load_sistema_file(path)
    return [(a.codice.code, a.foglio, a.cella) for a in exc.value.anomalies]


def _set(sheet: str, cell: str, value: object) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb: openpyxl.Workbook) -> None:
        wb[sheet][cell] = value

    return edit


BROKEN = {
    "unknown scale": (_set("Voci", "G4", "decimo"), [("SIST-SCALA-SCONOSCIUTA", "Voci", "G4")]),
    "items over the part's maximum": (
        _set("Voci", "F2", 25),
        [("SIST-PARTE-MASSIMO", "Parti", "D2")],
    ),
    "an item of a part that does not exist": (
        _set("Voci", "B3", "Z"),
        [("SIST-RIFERIMENTO", "Voci", "B3")],
    ),
    "a misspelt column": (
        _set("Schede", "B1", "ruoli"),
        [("SIST-COLONNA-SCONOSCIUTA", "Schede", "B1")],
    ),
    "an empty required cell": (
        _set("Schede", "C2", None),
        [("SIST-CHIAVE-MANCANTE", "Schede", "C2")],
    ),
    "a maximum in words": (
        _set("Parti", "D2", "venti"),
        [("SIST-VALORE-NON-VALIDO", "Parti", "D2")],
    ),
    "overlapping bands": (_set("Fasce", "B3", 36), [("SIST-FASCE-SOVRAPPOSTE", "Fasce", "B3")]),
    "an unknown evaluator": (
        _set("Schede", "D2", "sindaco"),
        [("SIST-VALORE-NON-VALIDO", "Schede", "D2")],
    ),
    "an unknown setting value": (
        _set("Sistema", "B9", "forse"),
        [("SIST-VALORE-NON-VALIDO", "Sistema", "B9")],
    ),
    "a missing sheet": (lambda wb: wb.remove(wb["Fasce"]), [("SIST-FOGLIO-MANCANTE", "", "")]),
    "a required column emptied": (
        lambda wb: wb["Fasce"].delete_cols(4),
        [("SIST-COLONNA-MANCANTE", "Fasce", "A1")],
    ),
    "a scheda renamed in one sheet only": (
        _set("Schede", "A3", "eq"),
        [("SIST-RIFERIMENTO", "Parti", "A5")],  # «lo stesso alla riga 6 e nei fogli Voci…»
    ),
    "a part's maximum that its items do not make": (
        _set("Parti", "D2", 35),
        [("SIST-PARTE-MASSIMO", "Parti", "D2")],  # not again as the scheda's total
    ),
    "a scheda's maximum that its parts do not make": (
        _set("Schede", "F2", 90),
        [("SIST-SCHEDA-MASSIMO", "Schede", "F2")],  # not again as the bands' top
    ),
    "a band gap": (_set("Fasce", "B3", 38), [("SIST-FASCE-BUCO", "Fasce", "B3")]),
    "a premio over 100": (_set("Fasce", "D2", 150), [("SIST-VALORE-NON-VALIDO", "Fasce", "D2")]),
    "an empty role of a scheda whose code is no role": (
        lambda wb: (
            wb["Schede"].__setitem__("A2", "personale"),
            _rename_refs(wb, "dipendente", "personale"),
            wb["Schede"].__setitem__("B2", None),
        ),
        [("SIST-CHIAVE-MANCANTE", "Schede", "B2")],
    ),
    "a renamed header": (
        _set("Parti", "D1", "max"),
        [("SIST-COLONNA-SCONOSCIUTA", "Parti", "D1")],  # «forse intendeva «massimo»?»
    ),
    "a misspelt mode": (
        _set("Sistema", "B9", "percentule"),
        [("SIST-VALORE-NON-VALIDO", "Sistema", "B9")],
    ),
}


def _rename_refs(wb: openpyxl.Workbook, old: str, new: str) -> None:
    for name in ("Parti", "Voci", "Fasce"):
        for row in wb[name].iter_rows(min_row=2):
            if row[0].value == old:
                row[0].value = new


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_workbook_names_sheet_row_and_cell_once(case: str, tmp_path: Path) -> None:
    """Each mistake is reported where it is, once: not again as the totals it spoils."""
    edit, expected = BROKEN[case]
    assert _found(_edited(tmp_path, edit)) == expected


def test_a_renamed_scheda_is_one_mistake_listing_every_row_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(AnomaliesError) as exc:
        load_sistema_file(_edited(tmp_path, _set("Schede", "A3", "eq")))
    [problem] = exc.value.anomalies
    assert "lo stesso alla riga 6" in problem.messaggio
    assert "nel foglio Voci (righe 7, 8, 9, 10, 11)" in problem.messaggio
    assert "nel foglio Fasce" in problem.messaggio


def test_a_blank_setting_is_reported_at_its_empty_cell(tmp_path: Path) -> None:
    with pytest.raises(AnomaliesError) as exc:
        load_sistema_file(_edited(tmp_path, _set("Sistema", "B2", None)))
    [problem] = exc.value.anomalies
    assert (problem.foglio, problem.cella) == ("Sistema", "B2")
    assert problem.messaggio.startswith("Nelle impostazioni generali del Sistema manca «codice»")


def test_numbers_typed_as_italian_text_are_numbers(tmp_path: Path) -> None:
    path = _edited(tmp_path, _set("Fasce", "B2", "54,0"))
    assert load_sistema_file(path).hash == load_sistema("almenno-2017").hash


def test_sistema_controlla_exits_1_with_every_problem_and_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def two(wb: openpyxl.Workbook) -> None:
        wb["Voci"]["G4"] = "decimo"
        wb["Schede"]["D3"] = "sindaco"

    path = _edited(tmp_path, two)
    assert cli.main(["sistema", "controlla", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "sistema.xlsx › Voci!G4" in text and "sistema.xlsx › Schede!D3" in text
    assert "Traceback" not in text
    assert cli.main(["sistema", "controlla", str(templates_dir() / "torchiarolo-2022.xlsx")]) == 0
    assert "dipendente_obiettivi" in capsys.readouterr().out


def test_a_cycle_whose_sistema_xlsx_is_broken_stops_generate_with_its_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "ciclo"
    assert cli.main(["init", str(root), "--esempio", "almenno-2017"]) == 0
    wb = openpyxl.load_workbook(root / "sistema.xlsx")
    wb["Fasce"]["D2"] = "tanto"
    wb.save(root / "sistema.xlsx")
    capsys.readouterr()
    assert cli.main(["generate", "--dir", str(root)]) == 1
    out = capsys.readouterr()
    assert "sistema.xlsx › Fasce!D2" in out.out + out.err
    assert not list((root / "moduli").glob("*.xlsx"))


def test_converti_refuses_to_overwrite_and_unknown_forms(tmp_path: Path) -> None:
    source = templates_dir() / "almenno-2017.yaml"
    target = tmp_path / "s.xlsx"
    target.write_bytes(b"mine")
    assert cli.main(["sistema", "converti", str(source), str(target)]) == 2
    assert target.read_bytes() == b"mine"
    assert cli.main(["sistema", "converti", str(source), str(tmp_path / "s.ods")]) == 2
    # Never onto itself, even with --force: the comments and formatting would be lost.
    own = tmp_path / "proprio.yaml"
    own.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli.main(["sistema", "converti", str(own), str(own), "--force"]) == 2
    assert own.read_text(encoding="utf-8") == source.read_text(encoding="utf-8")
    assert (
        cli.main(["sistema", "converti", str(tmp_path / "nessuno.xlsx"), str(tmp_path / "t.yaml")])
        == 2
    )


# --- hostile files ------------------------------------------------------------------------------


def _rezipped(tmp_path: Path, change: Callable[[str, bytes], bytes]) -> Path:
    good = (templates_dir() / "almenno-2017.xlsx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    path = tmp_path / "ostile.xlsx"
    path.write_bytes(out.getvalue())
    return path


def _sheet_xml(tmp_path: Path, title: str) -> str:
    """The part name of a sheet of the bundled workbook («xl/worksheets/sheet8.xml»)."""
    wb = openpyxl.load_workbook(templates_dir() / "almenno-2017.xlsx")
    return f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"


def test_a_workbook_that_inflates_without_bound_is_refused_before_it_is_opened(
    tmp_path: Path,
) -> None:
    part = _sheet_xml(tmp_path, "Fasce")
    path = _rezipped(
        tmp_path,
        lambda n, b: (
            b.replace(b"</worksheet>", b" " * (50 * 2**20) + b"</worksheet>") if n == part else b
        ),
    )
    assert path.stat().st_size < 2 * 2**20
    assert _found(path) == [("SIST-FILE", "", "")]


def test_one_cell_far_away_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    part = _sheet_xml(tmp_path, "Fasce")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = _rezipped(
        tmp_path, lambda n, b: b.replace(b"</sheetData>", far + b"</sheetData>") if n == part else b
    )
    assert _found(path) == [("SIST-FILE", "", "")]


@pytest.mark.parametrize("number", [b"INF", b"NaN", b"1E+300"])
def test_numbers_that_are_not_finite_or_plausible_are_refused_at_their_cell(
    number: bytes, tmp_path: Path
) -> None:
    """A premio written in the XML as no spreadsheet would: refused at its cell (or, if the
    reader cannot make a number of it, as not a number), never a crash."""
    import re

    part = _sheet_xml(tmp_path, "Fasce")

    def change(name: str, body: bytes) -> bytes:
        if name != part:
            return body
        return re.sub(rb'(<c r="D2"[^>]*>)<v>[^<]*</v>', rb"\1<v>" + number + rb"</v>", body)

    found = _found(_rezipped(tmp_path, change))
    assert found[0] in {
        ("SIST-VALORE-NON-VALIDO", "Fasce", "D2"),
        ("SIST-CHIAVE-MANCANTE", "Fasce", "D2"),
    }, found


def test_a_file_that_is_not_a_workbook_is_an_anomaly(tmp_path: Path) -> None:
    path = tmp_path / "sistema.xlsx"
    path.write_text("codice: finto\n", encoding="utf-8")
    assert _found(path) == [("SIST-FILE", "", "")]


# --- init --------------------------------------------------------------------------------------


def test_init_writes_the_sample_sistema_and_the_piano_names_it(tmp_path: Path) -> None:
    from workbook.piano.load import load_piano

    root = tmp_path / "ciclo"
    assert cli.main(["init", str(root), "--esempio", "torchiarolo-2022"]) == 0
    piano, _ = load_piano(root / "piano.xlsx")
    assert piano.ente.sistema == "sistema.xlsx"
    assert piano.sistema.hash == load_sistema("torchiarolo-2022").hash
    assert piano.sistema.origine == "sistema.xlsx"


def test_a_blank_init_writes_a_blank_sistema_with_instructions(tmp_path: Path) -> None:
    root = tmp_path / "ciclo"
    assert cli.main(["init", str(root)]) == 0
    wb = openpyxl.load_workbook(root / "sistema.xlsx")
    assert "valuta sistema controlla" in " ".join(
        str(c.value) for row in wb["Istruzioni"].iter_rows() for c in row if c.value
    )
    codes = {c for c, _, _ in _found(root / "sistema.xlsx")}
    assert Codice.SIST_CHIAVE_MANCANTE.code in codes  # codice, nome: to be written
    assert Codice.SIST_VALORE_NON_VALIDO.code in codes  # no scheda yet
