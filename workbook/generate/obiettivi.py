"""The Obiettivi sheet: each Area's objectives (the Nucleo's workbook lists every Area), with
the achievement to declare or validate, the evidence, and the points they give."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workbook.contract import OBIETTIVI, MapEntry, allowed_range, allowed_values, make_key
from workbook.generate.layout import FIRST_ROW, Layout, ObjectiveGroup
from workbook.generate.model import Dichiarato, Sheet, Validation
from workbook.piano.model import ObiettivoArea, Piano
from workbook.scoring import formulas as fx
from workbook.scoring.engine import TUTTI, round2
from workbook.sistema.model import CATEGORIE, Sistema
from workbook.values import format_date, format_number

Values = Mapping[str, Decimal | str]
HUNDRED = Decimal(100)
EVIDENCE = Validation(
    "length",
    "Evidenze",
    "Descrivere le attività svolte e i risultati, con gli "
    "indicatori e i documenti a supporto (massimo 5000 caratteri).",
    high=Decimal(5000),
)
# The Nucleo's updated modulo: what each Responsabile declared, after «Valore atteso».
DECLARED_COLUMN = 12
DECLARED_HEADERS = (
    ("Dichiarato dal Responsabile (%)", 14),
    ("Relazione del Responsabile, valore raggiunto e motivo dello scostamento", 55),
)
REACHED = Validation(
    "length",
    "Valore raggiunto",
    "Il valore dell'indicatore raggiunto a fine anno, da confrontare con il valore atteso "
    "(massimo 500 caratteri).",
    high=Decimal(500),
)
DEVIATION = Validation(
    "length",
    "Motivo dello scostamento",
    "Se l'obiettivo non è raggiunto del tutto, le cause dello scostamento dal valore atteso "
    "(massimo 5000 caratteri).",
    high=Decimal(5000),
)


def obiettivi(
    piano: Piano,
    layout: Layout,
    answers: Values,
    results: Values,
    declared: Mapping[str, Dichiarato] | None = None,
    declared_on: str = "",
) -> tuple[Sheet, list[MapEntry]]:
    """The sheet and its map. `declared`: the Nucleo's updated modulo shows, read-only, what
    each Responsabile declared, next to the cells the Nucleo fills."""
    sistema = piano.sistema
    ws = Sheet(OBIETTIVI, landscape=True)
    percent_mode = sistema.modalita == "percentuale"
    who = "validato dal Nucleo" if layout.nucleo else "dichiarato"
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
        ("Punti", 14),
        (
            "Motivazione del Nucleo"
            if layout.nucleo
            else "Relazione sul raggiungimento (evidenze)",
            45,
        ),
        ("Valore atteso", 20),
        *(() if layout.nucleo else (("Valore raggiunto", 20), ("Motivo dello scostamento", 40))),
        *(() if declared is None else DECLARED_HEADERS),
        ("Assegnato a", 24),
    ]
    last = len(headers) - 1
    title = (
        "Validazione del raggiungimento degli obiettivi delle Aree"
        if layout.nucleo
        else f"Obiettivi dell'Area {piano.area(layout.areas[0]).etichetta}"
    )
    ws.print_columns = last + 1
    ws.merge(0, 0, last, title, "title")
    ws.merge(
        1,
        0,
        last,
        "Indicare per ogni obiettivo il raggiungimento nella colonna gialla e "
        + (
            "la motivazione nella colonna «Motivazione del Nucleo»."
            if layout.nucleo
            else "le evidenze nella colonna «Relazione sul raggiungimento (evidenze)»; per un "
            "obiettivo non raggiunto del tutto, il valore raggiunto e il motivo dello scostamento."
        )
        + " Grado e punti si calcolano da soli."
        + (
            ""
            if declared is None
            else " Nelle colonne grigie, in sola lettura, ciò che ogni Responsabile ha "
            f"dichiarato nel suo modulo ({declared_on})."
        ),
        "note",
    )
    for col, (label, width) in enumerate(headers):
        ws.put(FIRST_ROW - 1, col, label, "header")
        ws.widths[col] = width
    ws.freeze = (FIRST_ROW, 1)
    ws.repeat_rows = (FIRST_ROW - 1, FIRST_ROW - 1)
    grade = grade_validation(sistema, layout.grade_source)
    mappa: list[MapEntry] = []
    for group in layout.groups.values():
        if group.heading_row is not None:
            ws.merge(
                group.heading_row, 0, last, f"Area {piano.area(group.area).etichetta}", "group"
            )
        for row, item in group.rows:
            mappa += _objective(ws, row, item, piano, layout, grade, answers, results, last)
            if declared is not None:
                _declared(ws, row, declared.get(item.id))
        mappa.append(_summary(ws, group, sistema, layout.pct_col, results))
    for tipo, row in layout.ente_rows.items():
        mappa.append(_ente(ws, row, tipo, layout, results))
    return ws, mappa


def grade_validation(sistema: Sistema, grade_source: str) -> tuple[Validation, str]:
    """The achievement's validation and what the map says is allowed: a percentage, or one of
    the grades (from the list on the Criteri sheet)."""
    if sistema.modalita == "percentuale":
        return (
            Validation(
                "decimal",
                "Raggiungimento (%)",
                "Percentuale di raggiungimento da 0 a 100. "
                + "; ".join(
                    f"{g.descrizione}: da {format_number(g.da)} a {format_number(g.a)}"
                    for g in sistema.gradi
                ),
                low=Decimal(0),
                high=HUNDRED,
            ),
            allowed_range(Decimal(0), HUNDRED),
        )
    names = tuple(g.descrizione for g in sistema.gradi)
    return (
        Validation(
            "list",
            "Grado di raggiungimento",
            "Scegliere il grado dall'elenco. "
            + "; ".join(f"{g.descrizione} = {format_number(g.valore)}%" for g in sistema.gradi),
            source=grade_source,
        ),
        allowed_values(names),
    )


def _objective(
    ws: Sheet,
    row: int,
    item: ObiettivoArea,
    piano: Piano,
    layout: Layout,
    grade: tuple[Validation, str],
    answers: Values,
    results: Values,
    assigned_col: int,
) -> list[MapEntry]:
    sistema = piano.sistema
    pct_col = layout.pct_col
    o = item.obiettivo
    r1 = row + 1
    texts = (o.codice, o.tipo, o.descrizione, o.risultati_attesi, o.indicatore)
    for col, value in enumerate(texts):
        ws.put(row, col, value, "wrap")
    ws.put(row, 5, o.peso, "number")
    ws.put(row, 6, format_date(o.scadenza) if o.scadenza else "", "text")
    percent_mode = sistema.modalita == "percentuale"
    key = make_key("obiettivo", item.id, "raggiungimento")
    style = "input_number" if percent_mode else "input_list"
    mappa = [ws.input(row, 7, key, answers.get(key), *grade, style)]
    if percent_mode:
        key = make_key("obiettivo", item.id, "grado")
        formula = fx.grade_label(sistema, f"H{r1}")
        mappa.append(ws.result(row, 8, key, formula, results[key], "calc_text"))
    else:
        key = make_key("obiettivo", item.id, "percentuale")
        formula = fx.percent_of_grade(sistema, f"H{r1}")
        mappa.append(ws.result(row, 8, key, formula, results[key], "calc"))
    key = make_key("obiettivo", item.id, "punti")
    formula = fx.objective_points(f"F{r1}", f"{pct_col}{r1}")
    mappa.append(ws.result(row, 9, key, formula, results[key], "calc"))
    key = make_key("obiettivo", item.id, "evidenze")
    mappa.append(ws.input(row, 10, key, answers.get(key), EVIDENCE, "", "input_text"))
    ws.put(row, 11, o.valore_atteso, "wrap")
    if not layout.nucleo:
        for col, field, validation in (
            (12, "valore_raggiunto", REACHED),
            (13, "motivo_scostamento", DEVIATION),
        ):
            key = make_key("obiettivo", item.id, field)
            mappa.append(ws.input(row, col, key, answers.get(key), validation, "", "input_text"))
    if o.assegnatari:
        names = [piano.persona(m) for m in o.assegnatari]
        ws.put(row, assigned_col, "; ".join(p.nominativo for p in names if p), "wrap")
    ws.heights[row] = 60
    return mappa


def _declared(ws: Sheet, row: int, d: Dichiarato | None) -> None:
    """What the Responsabile declared of the objective at `row` (Nucleo's updated modulo):
    plain locked cells, signed like every other, outside the map (nothing is read back)."""
    first = DECLARED_COLUMN
    if d is None or d.percentuale is None:
        why = d.stato if d is not None and d.stato else "non dichiarato"
        ws.put(row, first, why, "grey_wrap")
        for col in range(first + 1, first + len(DECLARED_HEADERS)):
            ws.put(row, col, None, "grey")
        return
    ws.put(row, first, d.percentuale, "calc")
    parts = [d.evidenze or "(nessuna relazione)"]
    if d.valore_raggiunto:
        parts.append(f"Valore raggiunto: {d.valore_raggiunto}")
    if d.motivo_scostamento:
        parts.append(f"Motivo dello scostamento: {d.motivo_scostamento}")
    ws.put(row, first + 1, "\n".join(parts), "wrap_calc")


def _ente(ws: Sheet, row: int, tipo: str, layout: Layout, results: Values) -> MapEntry:
    """The Ente's achievement over every Area's objectives (of one type): what the Ente-wide
    items of the schede are derived from."""
    what = f"di tipo «{tipo}»" if tipo else "di ogni tipo"
    ws.merge(
        row,
        0,
        4,
        f"Raggiungimento complessivo dell'Ente (obiettivi {what} di tutte le Aree: punti "
        "ottenuti sul totale dei pesi)",
        "label",
    )
    last = layout.last_objective_row  # 0-based: the last summary row, 1-based the one before
    types, points, pesi = (f"{c}{FIRST_ROW + 1}:{c}{last}" for c in "BJF")
    key = make_key("ente", tipo or TUTTI, "raggiungimento")
    formula = fx.ente_achievement(types, points, pesi, [tipo] if tipo else list(CATEGORIE))
    return ws.result(row, 7, key, formula, results[key], "calc_strong")


def _summary(
    ws: Sheet, group: ObjectiveGroup, sistema: Sistema, pct_col: str, results: Values
) -> MapEntry:
    """The Area's achievement (the mean of its objectives' achievements weighted by peso), its
    grade and the sum of the objectives' points."""
    row = group.summary_row
    first, last = group.rows[0][0] + 1, group.rows[-1][0] + 1
    n = len(group.rows)
    pesi, pcts = f"F{first}:F{last}", f"{pct_col}{first}:{pct_col}{last}"
    ws.merge(
        row,
        0,
        4,
        "Raggiungimento complessivo dell'Area (media dei raggiungimenti ponderata sui pesi)",
        "label",
    )
    weights = sum((item.obiettivo.peso for _, item in group.rows), Decimal(0))
    ws.put(row, 5, None, "calc", formula=f"SUM({pesi})", cached=weights)
    key = make_key("area", group.area, "raggiungimento")
    achieved = results[key]
    entry = ws.result(row, 7, key, fx.weighted_achievement(pesi, pcts, n), achieved, "calc_strong")
    label = sistema.grado(achieved).descrizione if isinstance(achieved, Decimal) else fx.DASH
    ws.put(row, 8, None, "calc_text", formula=fx.grade_label(sistema, f"H{row + 1}"), cached=label)
    points = [results[make_key("obiettivo", item.id, "punti")] for _, item in group.rows]
    total = (
        round2(sum(points, Decimal(0)))  # type: ignore[arg-type]
        if all(isinstance(p, Decimal) for p in points)
        else fx.INCOMPLETE
    )
    ws.put(row, 9, None, "calc_strong", formula=fx.total(f"J{first}:J{last}", n), cached=total)
    return entry
