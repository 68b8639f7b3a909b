"""The Excel formulas of the workbooks, built from the Sistema (the spreadsheet engine).

Each function mirrors one function of `scoring.engine`, with the same rounding at the same step.
Formulas use only functions that Excel 2007+ and LibreOffice share, no absolute references and
no whitespace, so that the text LibreOffice writes back normalises to the same string
(`contract.normalize_formula`).
"""

from __future__ import annotations

import re
from decimal import Decimal

from workbook.sistema.model import Fascia, Scheda, Sistema
from workbook.values import canonical_number

# Every worksheet function the workbooks use: all of Excel 2007 and LibreOffice alike, none
# that Excel stores with an `_xlfn.` prefix (generate/writer.py writes formulas as they are).
FUNCTIONS = frozenset(
    {"IF", "ISNUMBER", "ROUND", "COUNT", "SUM", "SUMPRODUCT", "IFERROR", "VLOOKUP", "SUMIF"}
    | {"COUNTIF"}
)

INCOMPLETE = "da completare"
PENDING = "dopo la validazione"  # an item whose objectives the modulo does not hold
DASH = "–"


def _n(value: Decimal) -> str:
    return canonical_number(value)


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def grade_label(sistema: Sistema, pct: str) -> str:
    """The grade (Torchiarolo grid) of an achievement percentage."""
    grades = sorted(sistema.gradi, key=lambda g: g.da, reverse=True)
    expr = _q(grades[-1].descrizione)
    for g in reversed(grades[:-1]):
        expr = f"IF({pct}>={_n(g.da)},{_q(g.descrizione)},{expr})"
    return f"IF(ISNUMBER({pct}),{expr},{_q(DASH)})"


def percent_of_grade(sistema: Sistema, grade_cell: str) -> str:
    """The percentage credited for a grade chosen from the list (grade mode)."""
    expr = _q(DASH)
    for g in reversed(sistema.gradi):
        expr = f"IF({grade_cell}={_q(g.descrizione)},{_n(g.valore)},{expr})"
    return expr


def objective_points(peso: str, pct: str) -> str:
    return f"IF(ISNUMBER({pct}),ROUND({peso}*{pct}/100,2),{_q(DASH)})"


def weighted_achievement(pesi: str, pcts: str, count: int) -> str:
    return (
        f"IF(COUNT({pcts})<{count},{_q(INCOMPLETE)},ROUND(SUMPRODUCT({pesi},{pcts})/SUM({pesi}),2))"
    )


def category_points(pesi: str, pcts: str, count: int) -> str:
    return f"IF(COUNT({pcts})<{count},{_q(INCOMPLETE)},ROUND(SUMPRODUCT({pesi},{pcts})/100,2))"


def points_of(pesi: list[str], pcts: list[str]) -> str:
    """Σ peso × achievement / 100 of objectives on any rows (those assigned to a person need
    not be adjacent): `category_points` of cells named one by one."""
    count, products = len(pcts), "+".join(f"{w}*{p}" for w, p in zip(pesi, pcts, strict=True))
    return f"IF(COUNT({','.join(pcts)})<{count},{_q(INCOMPLETE)},ROUND(({products})/100,2))"


def derived_weighted(massimo: Decimal, pesi: str, pcts: str, count: int) -> str:
    """`massimo` × the weighted achievement of some of an Area's objectives (one type)."""
    mean = f"ROUND(SUMPRODUCT({pesi},{pcts})/SUM({pesi}),2)"
    return f"IF(COUNT({pcts})<{count},{_q(INCOMPLETE)},ROUND({_n(massimo)}*{mean}/100,2))"


def ente_achievement(types: str, points: str, pesi: str, tipi: list[str]) -> str:
    """The Ente's achievement over its objectives of the types `tipi`, on the Nucleo's sheet
    of every Area's objectives: Σ points × 100 / Σ peso, over the rows whose type (`types`
    column) is one of them; «da completare» while any of them has no points."""
    of_type = "+".join(f"({types}={_q(t)})" for t in tipi)
    counted = "+".join(f"COUNTIF({types},{_q(t)})" for t in tipi)
    earned = "+".join(f"SUMIF({types},{_q(t)},{points})" for t in tipi)
    weights = "+".join(f"SUMIF({types},{_q(t)},{pesi})" for t in tipi)
    return (
        f"IF(SUMPRODUCT(({of_type})*ISNUMBER({points}))<{counted},{_q(INCOMPLETE)},"
        f"ROUND(({earned})*100/({weights}),2))"
    )


def derived_points(massimo: Decimal, area_pct: str) -> str:
    return f"IF(ISNUMBER({area_pct}),ROUND({_n(massimo)}*{area_pct}/100,2),{_q(INCOMPLETE)})"


def total(items: str, count: int, pending: bool = False) -> str:
    """The total of a person's items; with `pending` (an item this modulo cannot compute, an
    achievement known only after the Nucleo's validation), «dopo la validazione» once the
    `count` items it can compute are all there."""
    if pending:
        return f"IF(COUNT({items})<{count},{_q(INCOMPLETE)},{_q(PENDING)})"
    return f"IF(COUNT({items})<{count},{_q(INCOMPLETE)},ROUND(SUM({items}),2))"


def su_100(scheda: Scheda, total_cell: str) -> str:
    return f"IF(ISNUMBER({total_cell}),ROUND({total_cell}*100/{_n(scheda.massimo)},2),{_q(DASH)})"


def band_label(scheda: Scheda, total_cell: str) -> str:
    bands = list(scheda.fasce)
    expr = _q(bands[0].etichetta)
    for band in bands[1:]:
        expr = f"IF({total_cell}>={_n(band.da)},{_q(band.etichetta)},{expr})"
    return f"IF(ISNUMBER({total_cell}),{expr},{_q(DASH)})"


def band_premio(scheda: Scheda, total_cell: str) -> str:
    """The premio (%) of the band a total is in: the band's, or — for a band «premio:
    punteggio» — the score su 100, rounded as the «su 100» cell rounds it."""

    def premio(band: Fascia) -> str:
        if band.proporzionale:
            return f"ROUND({total_cell}*100/{_n(scheda.massimo)},2)"
        return _n(band.premio)

    bands = list(scheda.fasce)
    expr = premio(bands[0])
    for band in bands[1:]:
        expr = f"IF({total_cell}>={_n(band.da)},{premio(band)},{expr})"
    return f"IF(ISNUMBER({total_cell}),{expr},{_q(DASH)})"


def mirror(source: str) -> str:
    """A cell of the printable scheda showing an input: a dash while it is empty."""
    return f'IF({source}="",{_q(DASH)},{source})'


def lookup(source: str, table: str) -> str:
    """The descriptor of the score chosen for a factor (empty while no score is chosen)."""
    return f'IFERROR(VLOOKUP({source},{table},2,0),"")'


# The formulas above that only show a value from elsewhere, as contract.normalize_formula
# gives them back (upper case, no «$»): reconcile/shown.py checks that each shows that value.
_SHEET = r"('(?:[^']|'')+'|[A-Z_][A-Z0-9_.]*)"
_CELL = r"([A-Z]{1,3}[0-9]{1,7})"
REFERENCE = re.compile(rf"{_SHEET}!{_CELL}")  # a plain reference to another sheet's cell
MIRROR = re.compile(rf'IF\({_SHEET}!{_CELL}="","–",{_SHEET}!{_CELL}\)')  # mirror()
SU_100 = re.compile(rf'IF\(ISNUMBER\({_CELL}\),ROUND\({_CELL}\*100/([0-9.]+),2\),"–"\)')
LOOKUP = re.compile(rf'IFERROR\(VLOOKUP\({_SHEET}!{_CELL},{_SHEET}!{_CELL}:{_CELL},2,0\),""\)')
