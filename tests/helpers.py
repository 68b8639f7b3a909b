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
from workbook.generate.layout import Layout, plan
from workbook.generate.model import WorkbookModel
from workbook.piano.load import load_piano
from workbook.piano.model import Persona, Piano


def context(cycle: Cycle) -> Context:
    piano, _ = load_piano(cycle.piano_path)
    settings = cycle.settings()
    import datetime as dt

    return Context(
        piano, settings.scadenza, settings.restituzione, dt.datetime(2018, 1, 10), "test"
    )


def model_of(cycle: Cycle, modulo: str, answers: Answers | None = None) -> WorkbookModel:
    return build(context(cycle), modulo, answers)


def layout_of(cycle: Cycle, modulo: str) -> Layout:
    return plan(piano_of(cycle), modulo)


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
    cycle: Cycle, modulo: str, rng: random.Random, skip: frozenset[str] = frozenset()
) -> list[tuple[dict[str, Decimal | str], dict[str, Decimal]]]:
    """Fillings of one workbook that put, between them, a person of each of its schede on the
    first score of every band of that scheda (or, where no filling reaches that score, on the
    lowest one the band can be reached with): [(answers, {person's totale key: the score
    aimed at})].

    A person's score is the points of the objectives or of an achievement (the same
    achievement `p` typed for every objective of the modulo) plus the factors' scores; for
    each band a `p` and factor scores are searched that add up to the band's start. People
    whose total the modulo cannot compute (an item made of objectives it does not hold) are
    left out, and so are the schede in `skip` (already covered in another modulo)."""
    from workbook.scoring.engine import Obiettivi, score

    piano = piano_of(cycle)
    model = model_of(cycle, modulo)
    inputs = {e.chiave.split("/")[1] for e in model.mappa if e.is_input}
    at_hand = layout_of(cycle, modulo).obiettivi_of
    people = [
        p
        for p in piano.valutati(modulo)
        if p.matricola in inputs
        and all(
            at_hand(p).of(v) is not None for v in piano.scheda_of(p).voci if v.tipo != "fattore"
        )
    ]

    def points_without_factors(person: Persona, p: Decimal) -> Decimal | None:
        scheda = piano.scheda_of(person)
        found = at_hand(person)
        uniform = Obiettivi(
            *(
                None if items is None else [(t, w, p) for t, w, _ in items]
                for items in (found.area, found.assegnati, found.ente)
            )
        )
        factors = {v.codice: v.valori[0] for v in scheda.fattori}
        result = score(scheda, factors, uniform)
        if result.totale is None:
            return None
        return result.totale - sum(factors.values(), Decimal(0))

    def factors_for(person: Persona, remaining: Decimal) -> dict[str, Decimal] | None:
        chosen: dict[str, Decimal] = {}
        voci = list(piano.scheda_of(person).fattori)
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
    # (scheda, p, target, factors): one plan per band of each scheda, for a person of it.
    plans: list[tuple[str, Decimal, Decimal, dict[str, Decimal]]] = []
    for code in dict.fromkeys(piano.scheda_of(p).codice for p in people):
        if code in skip:
            continue
        person = next(p for p in people if piano.scheda_of(p).codice == code)
        for band in piano.scheda_of(person).fasce:
            found = None
            for target in sorted({band.da, *range(int(band.da), int(band.a) + 1)}):
                for pct in percentages:
                    base = points_without_factors(person, pct)
                    if base is not None and (factors := factors_for(person, target - base)):
                        found = (code, pct, Decimal(target), factors)
                        break
                if found:
                    break
            assert found, (modulo, code, band)
            plans.append(found)
    fillings = []
    while plans:
        answers = random_answers(model, rng)
        aims: dict[str, Decimal] = {}
        chosen_p: Decimal | None = None
        for person in people:
            code = piano.scheda_of(person).codice
            plan = next((x for x in plans if x[0] == code and chosen_p in (None, x[1])), None)
            if plan is None:
                continue
            plans.remove(plan)
            _, chosen_p, target, factors = plan
            for voce, value in factors.items():
                answers[f"{person.ruolo}/{person.matricola}/{voce}"] = value
            aims[f"{person.ruolo}/{person.matricola}/totale"] = target
        for entry in model.mappa:
            if entry.chiave.startswith("obiettivo/") and entry.chiave.endswith("/raggiungimento"):
                answers[entry.chiave] = chosen_p if chosen_p is not None else Decimal(100)
        fillings.append((answers, aims))
    return fillings
