"""Compose the evaluation workbooks, an Area's and the Nucleo's, as `WorkbookModel`s.

Every formula comes from `formulas.py` and its cached result from `scoring.py`, both driven by
the same Sistema; every input and result cell is recorded in the map (`layout.MapEntry`).
Answers can be passed in to pre-fill the inputs (the demo and the benchmark use this to play
the Responsabili), and then every cached result reflects them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from workbook.contract import (
    CRITERI,
    FORMAT,
    IDENTITY_FIELDS,
    ISTRUZIONI,
    MAP_HEADER,
    MAP_HEADER_ROW,
    META,
    NUCLEO,
    OBIETTIVI,
    SCHEDE,
    VALUTAZIONI,
    MapEntry,
    allowed_range,
    allowed_values,
    cell_ref,
    col_letter,
    compilatore,
    make_key,
    workbook_id,
)
from workbook.generate.model import Sheet, Validation, WorkbookModel
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.scoring import formulas as fx
from workbook.scoring.engine import (
    Risultato,
    achievement_value,
    objective_points,
    round2,
    score,
    weighted_achievement,
)
from workbook.sistema.model import Scheda, Voce
from workbook.values import format_date, format_number

Answers = Mapping[str, Decimal | str]
HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class Context:
    """What every workbook of a cycle shares."""

    piano: Piano
    scadenza: dt.date
    restituzione: str  # the address the workbooks are sent back to
    generato: dt.datetime
    versione: str


def _value(raw: Decimal | None, placeholder: str) -> Decimal | str:
    return placeholder if raw is None else raw


@dataclass(slots=True)
class _Group:
    """Where an Area's objectives sit on the Obiettivi sheet."""

    area: str
    rows: list[int] = field(default_factory=list)
    achievements: list[tuple[Decimal, Decimal | None]] = field(default_factory=list)
    categories: dict[str, list[int]] = field(default_factory=dict)
    summary_row: int = 0
    percentuale: Decimal | None = None


@functools.lru_cache(maxsize=256)
def _factor_validation(voce: Voce) -> Validation:
    """A factor's dropdown: the same for every person (cached: thousands of rows)."""
    levels = "; ".join(
        f"{format_number(lv.valore)} = {lv.descrizione}" for lv in reversed(voce.livelli)
    )
    message = f"Scegliere un punteggio dall'elenco. {levels}"
    if len(message) > 250:
        message = (
            f"Scegliere un punteggio da {format_number(voce.valori[0])} a "
            f"{format_number(voce.valori[-1])}; il significato di ogni punteggio è "
            "nel foglio Criteri."
        )
    return Validation("list", voce.titolo[:32], message, values=voce.valori)


class _Builder:
    def __init__(self, ctx: Context, modulo: str, answers: Answers | None) -> None:
        self.ctx = ctx
        self.piano = ctx.piano
        self.sistema = ctx.piano.sistema
        self.modulo = modulo
        self.nucleo = modulo == NUCLEO
        self.answers = answers or {}
        self.mappa: list[MapEntry] = []
        self.lookups: dict[str, str] = {}  # factor code → VLOOKUP table on the Criteri sheet
        self.sheets: list[Sheet] = []
        self.grade_source = ""  # the grades' list on the Criteri sheet (grade mode dropdown)
        self.pct_col = "H"  # column of the objectives' achievement as a percentage

    # --- cells that enter the map --------------------------------------------------------------

    def input(
        self,
        sheet: Sheet,
        row: int,
        col: int,
        key: str,
        validation: Validation,
        ammessi: str,
        style: str,
    ) -> Decimal | str | None:
        answer = self.answers.get(key)
        sheet.put(row, col, answer, style, validation=validation)
        self.mappa.append(MapEntry(key, sheet.name, cell_ref(row, col), "input", ammessi))
        return answer

    def result(
        self,
        sheet: Sheet,
        row: int,
        col: int,
        key: str,
        formula: str,
        cached: Decimal | str,
        style: str,
    ) -> None:
        sheet.put(row, col, None, style, formula=formula, cached=cached)
        self.mappa.append(MapEntry(key, sheet.name, cell_ref(row, col), "calcolo"))

    # --- Obiettivi -----------------------------------------------------------------------------

    def objectives(self, areas: list[str]) -> dict[str, _Group]:
        ws = Sheet(OBIETTIVI, landscape=True, print_columns=11)
        percent_mode = self.sistema.modalita == "percentuale"
        who = "validato dal Nucleo" if self.nucleo else "dichiarato"
        headers = [
            ("Codice", 10),
            ("Tipo", 11),
            ("Descrizione", 40),
            ("Risultati attesi", 40),
            ("Indicatore", 30),
            ("Peso", 7),
            ("Scadenza", 11),
            (f"Raggiungimento {who} (%)" if percent_mode else f"Grado {who}", 16),
            ("Grado" if percent_mode else "Raggiungimento (%)", 18),
            ("Punti", 9),
            (
                "Motivazione del Nucleo"
                if self.nucleo
                else "Relazione sul raggiungimento (evidenze)",
                45,
            ),
        ]
        title = (
            "Validazione del raggiungimento degli obiettivi delle Aree"
            if self.nucleo
            else f"Obiettivi dell'Area {self._area_name(areas[0])}"
        )
        ws.merge(0, 0, 10, title, "title")
        ws.merge(
            1,
            0,
            10,
            "Indicare per ogni obiettivo il raggiungimento nella colonna "
            "gialla e le evidenze nell'ultima colonna. Grado e punti si calcolano da soli.",
            "note",
        )
        for col, (label, width) in enumerate(headers):
            ws.put(3, col, label, "header")
            ws.widths[col] = width
        ws.freeze = (4, 1)
        ws.repeat_rows = (3, 3)
        grade_validation = self._grade_validation()
        evidence_validation = Validation(
            "length",
            "Evidenze",
            "Descrivere le attività svolte e i risultati, con gli "
            "indicatori e i documenti a supporto (massimo 5000 caratteri).",
            high=Decimal(5000),
        )
        row = 4
        groups: dict[str, _Group] = {}
        for area in areas:
            group = _Group(area)
            groups[area] = group
            if self.nucleo:
                ws.merge(row, 0, 10, f"Area {self._area_name(area)}", "group")
                row += 1
            for item in self.piano.obiettivi_area(area):
                self._objective_row(
                    ws, row, item, group, percent_mode, grade_validation, evidence_validation
                )
                row += 1
            self._objective_summary(ws, row, group)
            row += 2
        self.sheets.append(ws)
        return groups

    def _grade_validation(self) -> tuple[Validation, str]:
        if self.sistema.modalita == "percentuale":
            return (
                Validation(
                    "decimal",
                    "Raggiungimento (%)",
                    "Percentuale di raggiungimento da 0 a 100. "
                    + "; ".join(
                        f"{g.descrizione}: da {format_number(g.da)} a {format_number(g.a)}"
                        for g in self.sistema.gradi
                    ),
                    low=Decimal(0),
                    high=HUNDRED,
                ),
                allowed_range(Decimal(0), HUNDRED),
            )
        names = tuple(g.descrizione for g in self.sistema.gradi)
        return (
            Validation(
                "list",
                "Grado di raggiungimento",
                "Scegliere il grado dall'elenco. "
                + "; ".join(
                    f"{g.descrizione} = {format_number(g.valore)}%" for g in self.sistema.gradi
                ),
                source=self.grade_source,
            ),
            allowed_values(names),
        )

    def _objective_row(
        self,
        ws: Sheet,
        row: int,
        item: ObiettivoArea,
        group: _Group,
        percent_mode: bool,
        grade_validation: tuple[Validation, str],
        evidence_validation: Validation,
    ) -> None:
        o = item.obiettivo
        r1 = row + 1
        for col, value in enumerate(
            (o.codice, o.tipo, o.descrizione, o.risultati_attesi, o.indicatore)
        ):
            ws.put(row, col, value, "wrap")
        ws.put(row, 5, o.peso, "number")
        ws.put(row, 6, format_date(o.scadenza) if o.scadenza else "", "text")
        raw = self.input(
            ws,
            row,
            7,
            make_key("obiettivo", item.id, "raggiungimento"),
            grade_validation[0],
            grade_validation[1],
            "input_number" if percent_mode else "input_list",
        )
        pct = achievement_value(
            self.sistema, raw if raw is None or isinstance(raw, str) else Decimal(raw)
        )
        if percent_mode:
            self.result(
                ws,
                row,
                8,
                make_key("obiettivo", item.id, "grado"),
                fx.grade_label(self.sistema, f"H{r1}"),
                self.sistema.grado(pct).descrizione if pct is not None else fx.DASH,
                "calc_text",
            )
            pct_col = "H"
        else:
            self.result(
                ws,
                row,
                8,
                make_key("obiettivo", item.id, "percentuale"),
                fx.percent_of_grade(self.sistema, f"H{r1}"),
                _value(pct, fx.DASH),
                "calc",
            )
            pct_col = "I"
        points = objective_points(o.peso, pct) if pct is not None else None
        self.result(
            ws,
            row,
            9,
            make_key("obiettivo", item.id, "punti"),
            fx.objective_points(f"F{r1}", f"{pct_col}{r1}"),
            _value(points, fx.DASH),
            "calc",
        )
        self.input(
            ws,
            row,
            10,
            make_key("obiettivo", item.id, "evidenze"),
            evidence_validation,
            "",
            "input_text",
        )
        ws.heights[row] = 60
        group.rows.append(row)
        group.achievements.append((o.peso, pct))
        group.categories.setdefault(o.tipo, []).append(row)
        self.pct_col = pct_col

    def _objective_summary(self, ws: Sheet, row: int, group: _Group) -> None:
        first, last = group.rows[0] + 1, group.rows[-1] + 1
        n = len(group.rows)
        pesi, pcts = f"F{first}:F{last}", f"{self.pct_col}{first}:{self.pct_col}{last}"
        ws.merge(
            row,
            0,
            4,
            "Raggiungimento complessivo dell'Area (media dei raggiungimenti ponderata sui pesi)",
            "label",
        )
        ws.put(
            row,
            5,
            None,
            "calc",
            formula=f"SUM({pesi})",
            cached=sum((w for w, _ in group.achievements), Decimal(0)),
        )
        group.percentuale = weighted_achievement(group.achievements)
        self.result(
            ws,
            row,
            7,
            make_key("area", group.area, "raggiungimento"),
            fx.weighted_achievement(pesi, pcts, n),
            _value(group.percentuale, fx.INCOMPLETE),
            "calc_strong",
        )
        ws.put(
            row,
            8,
            None,
            "calc_text",
            formula=fx.grade_label(self.sistema, f"H{row + 1}"),
            cached=(
                self.sistema.grado(group.percentuale).descrizione
                if group.percentuale is not None
                else fx.DASH
            ),
        )
        points = [objective_points(w, p) for w, p in group.achievements if p is not None]
        total = round2(sum(points, Decimal(0))) if len(points) == n else None
        ws.put(
            row,
            9,
            None,
            "calc_strong",
            formula=fx.total(f"J{first}:J{last}", n),
            cached=_value(total, fx.INCOMPLETE),
        )
        group.summary_row = row

    # --- Valutazioni ---------------------------------------------------------------------------

    def evaluations(
        self, scheda: Scheda, people: list[Persona], groups: dict[str, _Group]
    ) -> list[tuple[Persona, int, Risultato]]:
        soggetto = "po" if self.nucleo else "dipendente"
        ws = Sheet(VALUTAZIONI, landscape=True)
        voci = scheda.voci
        first_voce, n_voci = 4, len(voci)
        col_total = first_voce + n_voci
        ws.print_columns = col_total + 4
        what = (
            "dei titolari di Posizione Organizzativa"
            if self.nucleo
            else f"del personale dell'Area {self._area_name(self.modulo)}"
        )
        ws.merge(0, 0, col_total + 3, f"Valutazione {what} – anno {self.piano.ente.anno}", "title")
        ws.merge(
            1,
            0,
            col_total + 3,
            f"{scheda.titolo}. Valutatore: {scheda.valutatore}. "
            "Scegliere il punteggio di ogni fattore nelle celle gialle; il resto si calcola "
            "da solo.",
            "note",
        )
        for col, (label, width) in enumerate(
            (
                ("Matricola", 11),
                ("Cognome e nome", 26),
                ("Area" if self.nucleo else "Categoria", 10),
                ("Note", 24),
            )
        ):
            ws.put(2, col, "", "header")
            ws.put(3, col, label, "header")
            ws.widths[col] = width
        col = first_voce
        for parte in scheda.parti:
            last = col + len(parte.voci) - 1
            label = f"Parte {parte.codice} – {parte.titolo} (max {format_number(parte.massimo)})"
            if last > col:
                ws.merge(2, col, last, label, "header")
            else:
                ws.put(2, col, label, "header")
            for voce in parte.voci:
                ws.put(3, col, f"{voce.titolo} (max {format_number(voce.massimo)})", "header")
                ws.widths[col] = 15
                col += 1
        for offset, (label, width) in enumerate(
            (
                (f"Totale (max {format_number(scheda.massimo)})", 12),
                ("Su 100", 9),
                ("Fascia", 13),
                ("Premio (%)", 10),
            )
        ):
            ws.put(3, col_total + offset, label, "header")
            ws.widths[col_total + offset] = width
        ws.merge(2, col_total, col_total + 3, "Risultato", "header")
        ws.heights.update({1: 30, 2: 45, 3: 60})
        ws.freeze = (4, 2)
        ws.repeat_rows = (2, 3)

        scored: list[tuple[Persona, int, Risultato]] = []
        for i, person in enumerate(people):
            row = 4 + i
            r1 = row + 1
            ws.put(row, 0, person.matricola, "text")
            ws.put(row, 1, person.nominativo, "text")
            area = self.piano.area_of_po(person) if self.nucleo else person.area
            ws.put(row, 2, area if self.nucleo else person.categoria, "text")
            eligibility = self.piano.idoneita(person)
            if not eligibility.valutabile:
                ws.put(row, 3, f"Non valutabile: {eligibility.motivo}", "grey_wrap")
                ws.heights[row] = 45
                for c in range(first_voce, col_total + 4):
                    ws.put(row, c, None, "grey")
                continue
            factors: dict[str, Decimal | None] = {}
            group = groups.get(area)
            for j, voce in enumerate(voci):
                c = first_voce + j
                key = make_key(soggetto, person.matricola, voce.codice)
                if voce.tipo == "fattore":
                    answer = self.input(
                        ws,
                        row,
                        c,
                        key,
                        self._factor_validation(voce),
                        allowed_values(voce.valori),
                        "input_list",
                    )
                    factors[voce.codice] = Decimal(answer) if answer is not None else None
                elif voce.tipo == "derivata":
                    assert group is not None
                    self.result(
                        ws,
                        row,
                        c,
                        key,
                        fx.derived_points(voce.massimo, f"{OBIETTIVI}!H{group.summary_row + 1}"),
                        fx.INCOMPLETE,
                        "calc",
                    )
                else:
                    assert group is not None
                    rows = group.categories.get(voce.categoria, [])
                    first, last = rows[0] + 1, rows[-1] + 1
                    self.result(
                        ws,
                        row,
                        c,
                        key,
                        fx.category_points(
                            f"{OBIETTIVI}!F{first}:F{last}",
                            f"{OBIETTIVI}!{self.pct_col}{first}:{self.pct_col}{last}",
                            len(rows),
                        ),
                        fx.INCOMPLETE,
                        "calc",
                    )
            objectives = (
                {
                    cat: [group.achievements[group.rows.index(r)] for r in rows]
                    for cat, rows in group.categories.items()
                }
                if group
                else {}
            )
            result = score(
                scheda,
                factors,
                area_percentuale=group.percentuale if group else None,
                obiettivi=objectives,
            )
            for j, voce in enumerate(voci):  # cached values of the computed items
                cell = ws.cells[(row, first_voce + j)]
                if voce.tipo != "fattore":
                    cell.cached = _value(result.voci[voce.codice], fx.INCOMPLETE)
            span = f"{col_letter(first_voce)}{r1}:{col_letter(col_total - 1)}{r1}"
            total_ref = f"{col_letter(col_total)}{r1}"
            base = (soggetto, person.matricola)
            self.result(
                ws,
                row,
                col_total,
                make_key(*base, "totale"),
                fx.total(span, n_voci),
                _value(result.totale, fx.INCOMPLETE),
                "calc_strong",
            )
            # «su 100» is shown but is not in the map: the map's results are the Sistema's
            # items, the total, the band and the bonus.
            ws.put(
                row,
                col_total + 1,
                None,
                "calc",
                formula=fx.su_100(scheda, total_ref),
                cached=_value(result.su_100, fx.DASH),
            )
            self.result(
                ws,
                row,
                col_total + 2,
                make_key(*base, "fascia"),
                fx.band_label(scheda, total_ref),
                result.fascia.etichetta if result.fascia else fx.DASH,
                "calc_text",
            )
            self.result(
                ws,
                row,
                col_total + 3,
                make_key(*base, "premio"),
                fx.band_premio(scheda, total_ref),
                _value(result.premio, fx.DASH),
                "calc",
            )
            scored.append((person, row, result))
        self.sheets.append(ws)
        return scored

    def _factor_validation(self, voce: Voce) -> Validation:
        return _factor_validation(voce)

    # --- Schede --------------------------------------------------------------------------------

    def schede(self, scheda: Scheda, scored: list[tuple[Persona, int, Risultato]]) -> None:
        """One printable scheda per person, each on its own page. What every scheda shares
        (form title, evaluator, column headings) is written once and printed at the top of
        every page; Ente and year are in the page header. No merged cells: text overflows
        into the empty cells beside it. Thousands of schede: every cell counts."""
        ws = Sheet(SCHEDE, print_columns=4)
        for col, width in enumerate((24, 52, 12, 40)):
            ws.widths[col] = width
        ws.put(0, 0, f"{scheda.titolo} – anno {self.piano.ente.anno}", "subtitle")
        ws.put(1, 0, f"Valutatore: {scheda.valutatore}", "label")
        for col, label in enumerate(("Parte", "Voce (punteggio massimo)", "Punteggio", "Giudizio")):
            ws.put(2, col, label, "header")
        ws.repeat_rows = (0, 2)
        first_voce = 4
        col_total = first_voce + len(scheda.voci)
        row = 3
        for person, vrow, result in scored:
            if row > 3:
                ws.breaks.append(row)
            v1 = vrow + 1
            area = self.piano.area_of_po(person) if self.nucleo else person.area
            ws.put(row, 0, "Valutato", "label")
            ws.put(
                row,
                1,
                f"{person.nominativo} – matricola {person.matricola} – categoria "
                f"{person.categoria}",
                "text",
            )
            ws.put(row + 1, 0, "Area", "label")
            ws.put(row + 1, 1, self._area_name(area), "text")
            r = row + 3
            for parte in scheda.parti:
                for k, voce in enumerate(parte.voci):
                    j = scheda.voci.index(voce)
                    source = f"{VALUTAZIONI}!{col_letter(first_voce + j)}{v1}"
                    if k == 0:
                        ws.put(r, 0, f"{parte.codice} – {parte.titolo}", "wrap")
                    ws.put(r, 1, f"{voce.titolo} (max {format_number(voce.massimo)})", "wrap")
                    ws.heights[r] = 30
                    value = result.voci[voce.codice]
                    placeholder = fx.DASH if voce.tipo == "fattore" else fx.INCOMPLETE
                    ws.put(
                        r,
                        2,
                        None,
                        "calc",
                        formula=fx.mirror(source),
                        cached=_value(value, placeholder),
                    )
                    if voce.tipo == "fattore":
                        descr = next(
                            (
                                lv.descrizione
                                for lv in voce.livelli
                                if value is not None and lv.valore == value
                            ),
                            "",
                        )
                        ws.put(
                            r,
                            3,
                            None,
                            "wrap_calc",
                            formula=fx.lookup(source, self.lookups[voce.codice]),
                            cached=descr,
                        )
                    else:
                        ws.put(r, 3, voce.descrizione, "wrap")
                    r += 1
            for label, offset, value in (
                (
                    f"Punteggio totale (max {format_number(scheda.massimo)})",
                    0,
                    _value(result.totale, fx.INCOMPLETE),
                ),
                ("Punteggio su 100", 1, _value(result.su_100, fx.DASH)),
                ("Fascia di punteggio", 2, result.fascia.etichetta if result.fascia else fx.DASH),
                ("Premio (% del premio individuale)", 3, _value(result.premio, fx.DASH)),
            ):
                # These result cells are never empty: a plain reference shows them.
                ws.put(r, 0, label, "label")
                ws.put(
                    r,
                    2,
                    None,
                    "calc_strong",
                    formula=f"{VALUTAZIONI}!{col_letter(col_total + offset)}{v1}",
                    cached=value,
                )
                r += 1
            ws.put(r + 1, 0, "Data", "label")
            ws.put(r + 3, 0, "Firma del valutatore", "label")
            ws.put(r + 3, 1, "_______________________________", "text")
            ws.put(r + 5, 0, "Firma del valutato", "label")
            ws.put(r + 5, 1, "_______________________________ (per presa visione)", "text")
            row = r + 8
        if not scored:
            ws.put(3, 0, "Nessuna persona valutabile in questo modulo.", "note")
        self.sheets.append(ws)

    # --- Criteri, Istruzioni, _valuta ---------------------------------------------------------

    def criteri(self, schede: list[Scheda]) -> Sheet:
        ws = Sheet(CRITERI, print_columns=4)
        for col, width in enumerate((12, 50, 12, 40)):
            ws.widths[col] = width
        ws.merge(0, 0, 3, f"Criteri di valutazione – {self.sistema.nome}", "title")
        row = 2
        ws.merge(row, 0, 3, "Grado di raggiungimento degli obiettivi", "subtitle")
        row += 1
        for col, label in enumerate(("Da (%)", "Grado", "A (%)", "Valore attribuito (%)")):
            ws.put(row, col, label, "header")
        first = row + 1
        for g in self.sistema.gradi:
            row += 1
            ws.put(row, 0, g.da, "number")
            ws.put(row, 1, g.descrizione, "text")
            ws.put(row, 2, g.a, "number")
            ws.put(row, 3, g.valore, "number")
        self.grade_source = f"={CRITERI}!B{first + 1}:B{row + 1}"
        row += 2
        for scheda in schede:
            ws.merge(
                row,
                0,
                3,
                f"{scheda.titolo} (massimo {format_number(scheda.massimo)} "
                f"punti) – valutatore: {scheda.valutatore}",
                "subtitle",
            )
            row += 1
            for parte in scheda.parti:
                ws.merge(
                    row,
                    0,
                    3,
                    f"Parte {parte.codice} – {parte.titolo} (max "
                    f"{format_number(parte.massimo)} punti)",
                    "label",
                )
                row += 1
                for voce in parte.voci:
                    ws.merge(
                        row,
                        0,
                        3,
                        f"{voce.titolo} (max {format_number(voce.massimo)}) – "
                        + (
                            voce.descrizione
                            or {
                                "fattore": "punteggio scelto dal valutatore",
                                "obiettivi": f"obiettivi di tipo «{voce.categoria}»: peso × "
                                "raggiungimento",
                                "derivata": "grado di raggiungimento degli obiettivi dell'Area",
                            }[voce.tipo]
                        ),
                        "wrap",
                    )
                    ws.heights[row] = 30
                    row += 1
                    if voce.tipo == "fattore":
                        start = row
                        for lv in reversed(voce.livelli):
                            ws.put(row, 0, lv.valore, "number")
                            ws.put(row, 1, lv.descrizione, "text")
                            row += 1
                        self.lookups[voce.codice] = f"{CRITERI}!A{start + 1}:B{row}"
            row += 1
            for col, label in enumerate(("Da punti", "Fascia", "A punti", "Premio (%)")):
                ws.put(row, col, label, "header")
            for band in reversed(scheda.fasce):
                row += 1
                ws.put(row, 0, band.da, "number")
                ws.put(row, 1, band.etichetta, "text")
                ws.put(row, 2, band.a, "number")
                ws.put(row, 3, band.premio, "number")
            row += 1
            ws.merge(
                row,
                0,
                3,
                "Un punteggio non intero appartiene alla fascia il cui valore "
                "iniziale non lo supera (es. 53,5 è nella fascia che inizia da 37 se la "
                "successiva inizia da 54).",
                "note",
            )
            row += 2
        return ws

    def istruzioni(self, n_people: int, excluded: int) -> Sheet:
        ws = Sheet(ISTRUZIONI, print_columns=2)
        ws.widths[0], ws.widths[1] = 4, 110
        ente = self.piano.ente
        ctx = self.ctx
        if self.nucleo:
            who = "il Nucleo di Valutazione"
            what = [
                "Foglio «Obiettivi»: per ogni obiettivo di ogni Area indicare il raggiungimento "
                "validato dal Nucleo, sulla base delle relazioni dei Responsabili, e la "
                "motivazione. Il raggiungimento validato prevale su quello dichiarato dal "
                "Responsabile e determina i punti degli obiettivi di PO e dipendenti.",
                f"Foglio «Valutazioni»: per ognuno dei {n_people} titolari di Posizione "
                "Organizzativa valutabili scegliere dall'elenco il punteggio di ciascun fattore; "
                "i punti degli obiettivi, il totale, la fascia e il premio si calcolano da soli.",
            ]
        else:
            filler = compilatore(self.piano, self.modulo)
            name = filler.nome or self.piano.area(self.modulo).responsabile
            who = f"il Responsabile dell'Area, {name}"
            what = [
                "Foglio «Obiettivi»: per ogni obiettivo dell'Area indicare la percentuale di "
                "raggiungimento (da 0 a 100) e, nell'ultima colonna, la relazione sul "
                "raggiungimento con le evidenze. Il raggiungimento sarà validato dal Nucleo di "
                "Valutazione.",
                f"Foglio «Valutazioni»: per ognuno dei {n_people} dipendenti valutabili "
                "scegliere dall'elenco il punteggio di ciascun fattore. Il risultato dell'Area, "
                "il totale, la fascia e il premio si calcolano da soli.",
            ]
        what += [
            "Foglio «Schede»: la scheda individuale di ogni persona, pronta da stampare e "
            "firmare; si aggiorna da sola con i punteggi inseriti.",
            "Foglio «Criteri»: il significato di ogni punteggio, le fasce e i premi del Sistema.",
        ]
        lines: list[tuple[str, str]] = [
            ("title", f"{ente.denominazione} – Valutazione della performance {ente.anno}"),
            (
                "subtitle",
                "Modulo del Nucleo di Valutazione"
                if self.nucleo
                else f"Modulo dell'Area {self._area_name(self.modulo)}",
            ),
            ("text", f"Compila: {who}."),
            ("strong", f"Da restituire entro il {format_date(ctx.scadenza)} a {ctx.restituzione}."),
            ("text", ""),
            ("label", "Cosa compilare"),
            *(("wrap", f"{i}. {line}") for i, line in enumerate(what, start=1)),
            ("text", ""),
            (
                "wrap",
                "Le celle da compilare sono gialle finché sono vuote; tutte le altre sono "
                "protette. Per i punteggi usare l'elenco a discesa; se si incolla un valore, "
                "deve essere uno di quelli ammessi.",
            ),
        ]
        if excluded:
            lines.append(
                (
                    "wrap",
                    f"{excluded} persone non sono valutabili: il motivo è nella "
                    "colonna «Note» del foglio Valutazioni.",
                )
            )
        lines += [
            ("text", ""),
            ("label", "Come restituire il modulo"),
            (
                "wrap",
                f"Salvare il file, in formato Excel (.xlsx) oppure LibreOffice (.ods), e "
                f"inviarlo come allegato a {ctx.restituzione}, anche via PEC, entro il "
                f"{format_date(ctx.scadenza)}. Si può inviare più volte: conta la versione "
                "salvata più di recente.",
            ),
            (
                "wrap",
                "Non rinominare, spostare, aggiungere o eliminare fogli, righe o colonne e "
                "non modificare le parti protette: alla restituzione il modulo viene "
                "verificato e, se le parti protette risultano modificate, non è accettato.",
            ),
            ("text", ""),
            (
                "note",
                f"Modulo generato il {ctx.generato:%d/%m/%Y alle %H:%M} da valuta "
                f"{ctx.versione} – Sistema: {self.sistema.nome}.",
            ),
        ]
        for row, (style, text) in enumerate(lines):
            ws.put(row, 1, text, style)
            if style == "wrap":
                ws.heights[row] = 15 * (1 + len(text) // 120)
        return ws

    def meta(self, identity: dict[str, str]) -> Sheet:
        ws = Sheet(META, very_hidden=True)
        ws.widths.update({0: 40, 1: 14, 2: 8, 3: 8, 4: 30})
        ws.put(0, 0, "campo", "header")
        ws.put(0, 1, "valore", "header")
        for i, name in enumerate(IDENTITY_FIELDS, start=1):
            ws.put(i, 0, name, "text")
            ws.put(i, 1, identity.get(name, ""), "text")
        for col, label in enumerate(MAP_HEADER):
            ws.put(MAP_HEADER_ROW - 1, col, label, "header")
        for i, entry in enumerate(self.mappa, start=MAP_HEADER_ROW):
            for col, value in enumerate(
                (entry.chiave, entry.foglio, entry.cella, entry.tipo, entry.ammessi)
            ):
                if value:  # no cell for an empty «ammessi» (results have none): 1 in 9 fewer
                    ws.put(i, col, value, "text")
        return ws

    def _area_name(self, code: str) -> str:
        area = self.piano.area(code)
        return f"{area.codice} – {area.denominazione}"


def build(
    ctx: Context, modulo: str, answers: Answers | None = None, nonce: str = ""
) -> WorkbookModel:
    """The workbook of an Area (`modulo` = its code) or of the Nucleo (`modulo` = "nucleo")."""
    b = _Builder(ctx, modulo, answers)
    piano, sistema = ctx.piano, ctx.piano.sistema
    scheda = sistema.scheda("po" if b.nucleo else "dipendente")
    criteri = b.criteri([scheda])
    if b.nucleo:
        people = list(piano.po())
        areas = [a.codice for a in piano.aree]
    else:
        people = list(piano.dipendenti(modulo))
        areas = [modulo]
    groups = b.objectives(areas)
    scored = b.evaluations(scheda, people, groups)
    b.schede(scheda, scored)
    istruzioni = b.istruzioni(len(scored), len(people) - len(scored))
    identity = {
        "formato": FORMAT,
        "id": workbook_id(piano, modulo),
        "ente": piano.ente.denominazione,
        "anno": str(piano.ente.anno),
        "area": modulo,
        "modulo": "nucleo" if b.nucleo else "area",
        "sistema": sistema.codice,
        "sistema_hash": sistema.hash,
        "generato": ctx.generato.isoformat(timespec="seconds"),
        "versione": ctx.versione,
        "nonce": nonce,
        "hmac": "",
    }
    b.sheets = [istruzioni, *b.sheets, criteri]
    b.sheets.append(b.meta(identity))
    area_label = "Nucleo di Valutazione" if b.nucleo else b._area_name(modulo)
    return WorkbookModel(
        sheets=b.sheets,
        mappa=b.mappa,
        identity=identity,
        title=f"Valutazione della performance {piano.ente.anno} – {area_label}",
        header=(piano.ente.denominazione, area_label, f"Anno {piano.ente.anno}"),
    )
