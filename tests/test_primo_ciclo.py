"""The first cycle of a Comune that has never used valuta, as the Segretario lives it.

From a blank `valuta init`, the Segreteria fills in the Piano of an invented Comune (4 Aree, 25
people, part-time staff, a hire in October, an Area led by the Segretario) and makes, once
each, the mistakes a first-time user made: the Piano saved as piano.ods, a Responsabile
without e-mail, no e-mail for the Nucleo, a weight of an objective «di tutte le Aree» that
breaks every Area's sum. One
`generate --controlla` reports all of them (and nothing that is not a mistake); after one
correcting round the cycle runs through to definitive results: generate, distribute, the
Areas' moduli back, the Nucleo's updated modulo, reconcile.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import warnings
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from workbook.cli import main
from workbook.cycle import Cycle
from workbook.demo import fill_from_answers
from workbook.office import convert, find_soffice

from .helpers import model_of, random_answers, read_map
from .test_lingua import slips

ENTE = {
    "Denominazione dell'Ente": "Comune di Monteverde",
    "Anno di valutazione": 2025,
    "Sistema di valutazione": "esempio-2025",
    "Fondo per la produttività dei dipendenti (€)": 42000,
    "Fondo per la retribuzione di risultato delle PO (€)": 9000,
    "E-mail del Nucleo di Valutazione": None,  # mistake: forgotten
    "Segretario Comunale (cognome e nome)": "Benedetti Laura",
    "E-mail del Segretario Comunale": "segretario@monteverde.example",
}
AREE = [
    ("AFF", "Area Affari generali", "Segretario", None),
    ("FIN", "Area Economico-finanziaria", "5001", "fin@monteverde.example"),
    ("TEC", "Area Tecnica", "5002", None),  # mistake: the Responsabile's e-mail forgotten
    ("POL", "Area Polizia locale", "5003", "pol@monteverde.example"),
]
EQ = [("5001", "Rossi", "Marta", "F", "FIN"), ("5002", "Villa", "Piero", "M", "TEC"),
      ("5003", "Greco", "Sonia", "F", "POL")]  # fmt: skip
CATEGORIES = ["Operatori", "Operatori esperti", "Istruttori", "Funzionari ed EQ"]
NAMES = [
    ("Bianchi", "Anna", "F"), ("Colombo", "Luca", "M"), ("Ferri", "Giulia", "F"),
    ("Galli", "Marco", "M"), ("Lodi", "Irene", "F"), ("Mauri", "Paolo", "M"),
    ("Negri", "Silvia", "F"), ("Orsi", "Davide", "M"), ("Pini", "Elisa", "F"),
    ("Riva", "Matteo", "M"), ("Sala", "Chiara", "F"), ("Testa", "Andrea", "M"),
    ("Valli", "Sara", "F"), ("Zanetti", "Fabio", "M"), ("Brambilla", "Laura", "F"),
    ("Cattaneo", "Giorgio", "M"), ("De Luca", "Marta", "F"), ("Esposito", "Ciro", "M"),
    ("Fontana", "Rita", "F"), ("Gatti", "Enrico", "M"), ("Longhi", "Alice", "F"),
    ("Moretti", "Stefano", "M"),
]  # fmt: skip
AREA_OF = ["AFF"] * 6 + ["FIN"] * 5 + ["TEC"] * 6 + ["POL"] * 5


def _people() -> list[dict[str, Any]]:
    rows = [
        {"Matricola": m, "Cognome": c, "Nome": n, "Genere": g, "Categoria": "Funzionari ed EQ",
         "Area": a, "Ruolo": "EQ", "E-mail": f"{c.lower()}@monteverde.example",
         "Retribuzione di posizione (€ annui)": 12000}
        for m, c, n, g, a in EQ
    ]  # fmt: skip
    for i, ((cognome, nome, genere), area) in enumerate(zip(NAMES, AREA_OF, strict=True)):
        row = {
            "Matricola": str(6001 + i),
            "Cognome": cognome,
            "Nome": nome,
            "Genere": genere,
            "Categoria": CATEGORIES[i % 2] if i % 3 else "Istruttori",
            "Area": area,
            "Ruolo": "dipendente",
            "E-mail": f"{nome.lower()}.{cognome.lower().replace(' ', '')}@monteverde.example",
        }
        if i in (1, 7, 13):
            row["Part-time %"] = 50 if i != 13 else 83.33
        if i == 10:
            row["Inizio servizio"] = "01/10/2025"  # a hire in October
        rows.append(row)
    return rows


def _objectives(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Mistake: the objective of every Area weighs 15, where the EQ's scheda gives the
    # strategic objectives 10 points.
    rows = [
        {"Codice": "S1", "Area": "tutte", "Tipo": "strategico", "Peso": 15,
         "Descrizione": "Attuazione delle misure di prevenzione della corruzione",
         "Indicatore": "Misure attuate / programmate", "Valore atteso": "100%"}
    ]  # fmt: skip
    for area, *_ in AREE:
        rows += [
            {"Codice": f"{area}-1", "Area": area, "Tipo": "struttura", "Peso": 25,
             "Descrizione": f"Digitalizzazione dei procedimenti dell'Area {area}"},
            {"Codice": f"{area}-2", "Area": area, "Tipo": "struttura", "Peso": 15,
             "Descrizione": f"Riduzione dei tempi medi dell'Area {area}"},
        ]  # fmt: skip
        group = [
            p["Matricola"]
            for p in people
            if p["Area"] == area and p["Ruolo"] != "EQ" and p["Categoria"] in CATEGORIES[2:]
        ]
        if group:
            rows.append(
                {"Codice": f"{area}-G", "Area": area, "Tipo": "individuale", "Peso": 30,
                 "Descrizione": f"Obiettivo di gruppo dell'Area {area}",
                 "Assegnatari": "; ".join(group)}
            )  # fmt: skip
    return rows


def _fill_sheet(ws: Any, rows: list[dict[str, Any]]) -> None:
    """Type the rows under the headers, as the Segretario does in the blank Piano."""
    columns = {c.value: c.column for c in ws[1] if c.value}
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            if value is not None:
                ws.cell(r, columns[header], value)


def _write_piano(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    ente = wb["Ente"]
    for row in ente.iter_rows(min_row=2):
        if row[0].value in ENTE and ENTE[row[0].value] is not None:
            row[1].value = ENTE[row[0].value]
    _fill_sheet(
        wb["Aree"],
        [
            {"Codice": c, "Denominazione": d, "Matricola Responsabile": r, "E-mail Responsabile": e}
            for c, d, r, e in AREE
        ],
    )
    people = _people()
    _fill_sheet(wb["Personale"], people)
    _fill_sheet(wb["Obiettivi"], _objectives(people))
    wb.save(path)


def _set(path: Path, sheet: str, label_or_cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    if sheet == "Ente":
        (row,) = [r for r in ws.iter_rows(min_row=2) if r[0].value == label_or_cell]
        row[1].value = value
    else:
        ws[label_or_cell] = value
    wb.save(path)


SAID: list[str] = []  # everything the commands printed, for the language check


def _as_ods(xlsx: Path, root: Path) -> None:
    """`xlsx` saved by LibreOffice as root/piano.ods; no piano.xlsx left beside it."""
    if find_soffice() is None:
        if os.environ.get("VALUTA_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice richiesto ma non disponibile")
        pytest.skip("LibreOffice non disponibile")
    source = xlsx.with_name("piano.xlsx")
    if source != xlsx:
        shutil.copy(xlsx, source)
    convert([source], "ods", root)
    source.unlink()
    (root / "piano.xlsx").unlink(missing_ok=True)


def _run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    code = main(list(args))
    out = capsys.readouterr()
    SAID.append(out.out + out.err)
    return code, out.out + out.err


def test_a_blank_cycle_with_the_usual_mistakes_is_clean_after_one_correcting_round(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    root = tmp_path / "monteverde"
    assert _run(capsys, "init", str(root))[0] == 0
    cycle = Cycle(root)
    settings = (root / "valuta.toml").read_text(encoding="utf-8")
    (root / "valuta.toml").write_text(
        settings.replace('restituzione = ""', 'restituzione = "segreteria@monteverde.example"'),
        encoding="utf-8",
    )
    _write_piano(cycle.piano_path)
    # Saved in LibreOffice's own format, as LibreOffice proposes: piano.ods, no piano.xlsx.
    _as_ods(cycle.piano_path, root)
    assert cycle.piano_path.name == "piano.ods"

    # One check reports every mistake, each once, and nothing else.
    code, text = _run(capsys, "generate", "--dir", str(root), "--controlla")
    flat = " ".join(text.split())
    assert code == 1
    codes = re.findall(r"\b(?:PIANO|POSTA|SIST|GEN)-[A-Z]+(?:-[A-Z]+)*", flat)
    assert sorted(codes) == sorted(
        ["PIANO-PESI", "POSTA-INDIRIZZO-MANCANTE", "POSTA-INDIRIZZO-MANCANTE"]
    ), flat
    assert "piano.ods › Obiettivi, riga 2" in flat  # S1's row, which makes every sum wrong
    assert "non è nel foglio Aree" not in flat

    # One correcting round, in LibreOffice (here: the .ods opened as .xlsx, edited, saved back).
    (editing,) = convert([cycle.piano_path], "xlsx", tmp_path / "modifica")
    _set(editing, "Ente", "E-mail del Nucleo di Valutazione", "nucleo@monteverde.example")
    _set(editing, "Aree", "D4", "tec@monteverde.example")
    _set(editing, "Obiettivi", "H2", 10)
    _as_ods(editing, root)
    code, text = _run(capsys, "generate", "--dir", str(root), "--controlla")
    assert code == 0, text
    assert _run(capsys, "generate", "--dir", str(root))[0] == 0
    code, text = _run(capsys, "distribute", "--dir", str(root))
    assert code == 0, text
    assert len(list((root / "posta").rglob("*.eml"))) == 5  # 4 Aree and the Nucleo

    # The Areas send their moduli back; the Nucleo gets the updated modulo and fills it in.
    rng = random.Random(2025)
    answers = {m: random_answers(model_of(cycle, m), rng) for m in ("AFF", "FIN", "TEC", "POL")}
    filled = tmp_path / "compilati"
    filled.mkdir()
    fill_from_answers(cycle, answers, filled)
    for modulo in answers:
        shutil.copy(filled / f"{modulo}.xlsx", cycle.ricevuti / f"{modulo}.xlsx")
    code, text = _run(capsys, "reconcile", "--dir", str(root))
    assert code == 1 and "nucleo" in text  # only the Nucleo's modulo is missing
    assert _run(capsys, "generate", "--dir", str(root), "--nucleo-aggiornato")[0] == 0
    updated = cycle.moduli / "nucleo.xlsx"
    nucleo = random_answers(model_of(cycle, "nucleo"), rng)
    wb = openpyxl.load_workbook(updated)
    for e in read_map(updated):
        if e.is_input and e.chiave in nucleo:
            wb[e.foglio][e.cella] = nucleo[e.chiave]
    wb.save(cycle.ricevuti / "nucleo.xlsx")
    code, text = _run(capsys, "reconcile", "--dir", str(root))
    assert code == 0, text
    assert "Nessun errore: i risultati sono definitivi." in " ".join(text.split())
    data = json.loads((cycle.risultati / "risultati-2025.json").read_text(encoding="utf-8"))
    people = {p["matricola"]: p for p in data["valutazioni"]}
    assert len(people) == 25
    assert people["6011"]["stato"] == "valutato"  # hired on 1 October: three months
    assert {p["stato"] for p in people.values()} == {"valutato"}
    # Everything the Segretario read on the way is in correct, formal Italian.
    assert [s for text in SAID for s in slips(" ".join(text.split()))] == []
