"""Helpers shared by the tests: reading generated workbooks back, random answers."""

from __future__ import annotations

import random
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl

from workbook.contract import MAP_HEADER_ROW, META, MapEntry, parse_ref
from workbook.cycle import Cycle
from workbook.generate.compose import Answers, Context, build
from workbook.generate.model import WorkbookModel
from workbook.piano.load import load_piano
from workbook.piano.model import Piano


def context(cycle: Cycle) -> Context:
    piano, _ = load_piano(cycle.piano_path)
    settings = cycle.settings()
    import datetime as dt

    return Context(
        piano, settings.scadenza, settings.restituzione, dt.datetime(2018, 1, 10), "test"
    )


def model_of(cycle: Cycle, modulo: str, answers: Answers | None = None) -> WorkbookModel:
    return build(context(cycle), modulo, answers)


def piano_of(cycle: Cycle) -> Piano:
    return load_piano(cycle.piano_path)[0]


def read_map(path: Path) -> list[MapEntry]:
    """The map of a workbook, read with openpyxl (independently of the product's reader)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[META]
    rows = list(ws.iter_rows(min_row=MAP_HEADER_ROW, values_only=True))
    assert rows[0][:5] == ("chiave", "foglio", "cella", "tipo", "ammessi")
    return [MapEntry(r[0], r[1], r[2], r[3], r[4] or "") for r in rows[1:] if r[0]]


def workbook_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/workbook.xml").decode()


def su_100_cell(entry: MapEntry) -> str:
    """The «su 100» cell, beside a total (not in the map)."""
    row, col = parse_ref(entry.cella)
    from workbook.contract import cell_ref

    return cell_ref(row, col + 1)


def expected_results(model: WorkbookModel) -> dict[str, Decimal | str]:
    """What the Python engine computed for every result cell of the map (the cached values),
    and for the «su 100» cell beside each total (key «…/su_100»)."""
    out: dict[str, Decimal | str] = {}
    for entry in model.mappa:
        if not entry.is_input:
            sheet = model.sheet(entry.foglio)
            out[entry.chiave] = sheet.cells[parse_ref(entry.cella)].cached  # type: ignore
            if entry.voce == "totale":
                cell = sheet.cells[parse_ref(su_100_cell(entry))]
                out[entry.chiave.replace("/totale", "/su_100")] = cell.cached  # type: ignore
    return out


def random_answers(
    model: WorkbookModel, rng: random.Random, fill: float = 1.0
) -> dict[str, Decimal | str]:
    """Valid random answers for the inputs of a workbook; each left empty with 1 - `fill`."""
    answers: dict[str, Decimal | str] = {}
    for entry in model.mappa:
        if not entry.is_input or rng.random() > fill:
            continue
        values, span = entry.allowed()
        if values is not None:
            choice = rng.choice(values)
            try:
                answers[entry.chiave] = Decimal(choice)
            except ArithmeticError:
                answers[entry.chiave] = choice
        elif span is not None:
            edge = [Decimal(v) for v in (0, 50, 51, 79, 80, 90, 91, 100)]
            pick = rng.random()
            if pick < 0.3:
                answers[entry.chiave] = rng.choice(edge)
            elif pick < 0.6:
                answers[entry.chiave] = Decimal(rng.randint(0, 1000)) / 10
            else:
                answers[entry.chiave] = Decimal(rng.randint(0, 100))
        else:
            answers[entry.chiave] = rng.choice(
                [
                    "Obiettivo raggiunto nei tempi previsti.",
                    "Attività svolta al 90%: manca l'ultima fase, rinviata al 2018.",
                    "Relazione agli atti (prot. n. 1234).",
                ]
            )
    return answers


def italian(value: Decimal | str) -> str:
    """How a person types a value in an Italian LibreOffice: «87,5»."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
        return text.replace(".", ",")
    return value


def band_fillings(
    cycle: Cycle, modulo: str, rng: random.Random
) -> list[tuple[dict[str, Decimal | str], dict[str, Decimal]]]:
    """Fillings of one workbook that put, between them, a person on the first score of every
    band of its scheda (or, where no filling reaches that score, on the lowest one the band
    can be reached with): [(answers, {person's totale key: the score aimed at})].

    A person's score is the points of the objectives or of the Area's achievement (the same
    achievement `p` typed for every objective of the Area) plus the factors' scores; for each
    band a `p` and factor scores are searched that add up to the band's start."""
    from workbook.scoring.engine import score

    piano = piano_of(cycle)
    model = model_of(cycle, modulo)
    soggetto = "po" if modulo == "nucleo" else "dipendente"
    scheda = piano.sistema.scheda(soggetto)  # type: ignore[arg-type]
    people = sorted(
        {
            e.chiave.split("/")[1]
            for e in model.mappa
            if e.is_input and e.chiave.startswith(soggetto)
        }
    )

    def area_of(matricola: str) -> str:
        person = piano.persona(matricola)
        assert person is not None
        return piano.area_of_po(person) if soggetto == "po" else person.area

    def points_without_factors(area: str, p: Decimal) -> Decimal | None:
        objectives: dict[str, list[tuple[Decimal, Decimal | None]]] = {}
        for o in piano.obiettivi_area(area):
            objectives.setdefault(o.obiettivo.tipo, []).append((o.obiettivo.peso, p))
        factors = {v.codice: v.valori[0] for v in scheda.fattori}
        result = score(scheda, factors, area_percentuale=p, obiettivi=objectives)
        if result.totale is None:
            return None
        return result.totale - sum(factors.values(), Decimal(0))

    def factors_for(remaining: Decimal) -> dict[str, Decimal] | None:
        chosen: dict[str, Decimal] = {}
        voci = list(scheda.fattori)
        for i, voce in enumerate(voci):
            rest = voci[i + 1 :]
            low = sum((v.valori[0] for v in rest), Decimal(0))
            high = sum((v.valori[-1] for v in rest), Decimal(0))
            pick = next((x for x in reversed(voce.valori) if low <= remaining - x <= high), None)
            if pick is None:
                return None
            chosen[voce.codice] = pick
            remaining -= pick
        return chosen if remaining == 0 else None

    percentages = [Decimal(x) for x in (100, 0, 50, *range(5, 100, 5))]
    plans: list[tuple[Decimal, Decimal, dict[str, Decimal]]] = []  # (p, target, factors)
    for band in scheda.fasce:
        found = None
        for target in sorted({band.da, *range(int(band.da), int(band.a) + 1)}):
            for p in percentages:
                base = points_without_factors(area_of(people[0]), p)
                if base is not None and (factors := factors_for(Decimal(target) - base)):
                    found = (p, Decimal(target), factors)
                    break
            if found:
                break
        assert found, (modulo, band)
        plans.append(found)
    fillings = []
    while plans:
        answers = random_answers(model, rng)
        aims: dict[str, Decimal] = {}
        used_areas: dict[str, Decimal] = {}
        for matricola in people:
            area = area_of(matricola)
            plan = next((x for x in plans if used_areas.get(area, x[0]) == x[0]), None)
            if plan is None:
                continue
            plans.remove(plan)
            p, target, factors = plan
            used_areas[area] = p
            for code, value in factors.items():
                answers[f"{soggetto}/{matricola}/{code}"] = value
            aims[f"{soggetto}/{matricola}/totale"] = target
            if not plans:
                break
        for area, p in used_areas.items():
            for o in piano.obiettivi_area(area):
                answers[f"obiettivo/{o.id}/raggiungimento"] = p
        fillings.append((answers, aims))
    return fillings
