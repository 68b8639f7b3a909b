"""A Sistema written out in either of its forms, from the model: YAML, or a workbook whose
sheets spreadsheet.py describes (with dropdowns, an input message on every column and a sheet
of instructions). Both load back to the same model: the same fingerprint.

`valuta sistema converti IN OUT` goes through here; so do the bundled templates/*.xlsx
(`python -m workbook.sistema.export` rewrites them from their .yaml).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from workbook.sistema.model import VALUTATORE_TITOLO, RegolePremi, Scheda, Sistema, Voce
from workbook.sistema.sheets import (
    IMPOSTAZIONI,
    SETTINGS_HEADER,
    SETTINGS_SHEET,
    SHEETS,
    Foglio,
)

DATA_ROWS = 400  # rows below the header that get the dropdowns and input messages


def _num(value: Decimal) -> int | float:
    """A number as YAML and a workbook write it: 60, 12.5 (every Sistema number is short)."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _scale_names(sistema: Sistema) -> dict[tuple[str, str], str]:
    """The scale name of every factor: its own, or one made up for levels written inline in
    the YAML (a workbook names every scale), unique among the names in use."""
    used = {v.scala for s in sistema.schede for v in s.voci if v.scala}
    names: dict[tuple[str, str], str] = {}
    for s in sistema.schede:
        for v in s.fattori:
            name = v.scala
            if not name:
                name = base = f"{s.codice}_{v.codice}"
                n = 2
                while name in used:
                    name, n = f"{base}_{n}", n + 1
                used.add(name)
            names[(s.codice, v.codice)] = name
    return names


def _default_evaluator_title(scheda: Scheda) -> str:
    return VALUTATORE_TITOLO[scheda.valutatore].removeprefix("il ").capitalize()


def _voce(v: Voce, scala: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"codice": v.codice, "tipo": v.tipo, "titolo": v.titolo}
    if v.descrizione:
        out["descrizione"] = v.descrizione
    if v.tipo == "fattore":
        if scala is None:
            out["livelli"] = [
                {"valore": _num(lv.valore), "descrizione": lv.descrizione} for lv in v.livelli
            ]
        else:
            out["scala"] = scala
        return out
    out["fonte"] = v.fonte
    if v.tipo_obiettivi:
        out["tipo_obiettivi"] = v.tipo_obiettivi
    out["massimo"] = _num(v.massimo)
    return out


def to_data(sistema: Sistema) -> dict[str, Any]:
    """The Sistema as its YAML form's data (levels written inline stay inline)."""
    scales: dict[str, list[dict[str, Any]]] = {}
    for s in sistema.schede:
        for v in s.fattori:
            if v.scala:
                scales.setdefault(
                    v.scala,
                    [
                        {"valore": _num(lv.valore), "descrizione": lv.descrizione}
                        for lv in v.livelli
                    ],
                )
    idoneita: dict[str, Any] = {"motivo": sistema.motivo_esclusione}
    if sistema.sanzione_massima:
        idoneita["sanzione_massima"] = sistema.sanzione_massima
    if sistema.servizio_minimo_mesi:
        idoneita["servizio_minimo_mesi"] = sistema.servizio_minimo_mesi
    if sistema.servizio_minimo_giorni:
        idoneita["servizio_minimo_giorni"] = sistema.servizio_minimo_giorni
    data: dict[str, Any] = {
        "codice": sistema.codice,
        "nome": sistema.nome,
        "etichetta_eq": sistema.etichetta_eq,
    }
    if sistema.note:
        data["note"] = sistema.note
    data["idoneita"] = idoneita
    data["raggiungimento"] = {
        "modalita": sistema.modalita,
        "gradi": [
            {
                "descrizione": g.descrizione,
                "da": _num(g.da),
                "a": _num(g.a),
                "valore": _num(g.valore),
            }
            for g in sistema.gradi
        ],
    }
    if sistema.dirigente_valuta_eq:
        data["regole"] = {"dirigente_valuta_eq": True}
    if sistema.premi != RegolePremi():
        data["premi"] = _premi(sistema.premi)
    if scales:
        data["scale"] = scales
    schede: dict[str, Any] = {}
    for s in sistema.schede:
        entry: dict[str, Any] = {"ruolo": s.ruolo, "titolo": s.titolo, "valutatore": s.valutatore}
        if s.titolo_valutatore != _default_evaluator_title(s):
            entry["titolo_valutatore"] = s.titolo_valutatore
        if s.categorie:
            entry["categorie"] = list(s.categorie)
        if s.solo_indicata:
            entry["solo_indicata"] = True
        entry["massimo"] = _num(s.massimo)
        entry["parti"] = [
            {
                "codice": p.codice,
                "titolo": p.titolo,
                "massimo": _num(p.massimo),
                "voci": [_voce(v, v.scala or None) for v in p.voci],
            }
            for p in s.parti
        ]
        entry["fasce"] = [
            {
                "da": _num(f.da),
                "a": _num(f.a),
                "premio": "punteggio" if f.proporzionale else _num(f.premio),
            }
            | ({"negativa": True} if f.negativa else {})
            for f in reversed(s.fasce)
        ]
        schede[s.codice] = entry
    data["schede"] = schede
    return data


def _premi(r: RegolePremi) -> dict[str, Any]:
    out: dict[str, Any] = {
        "metodo": r.metodo,
        "residuo": r.residuo,
        "quota_organizzativa": _num(r.quota_organizzativa),
        "budget": r.budget,
    }
    if r.coefficienti:
        out["coefficienti"] = {c: _num(v) for c, v in r.coefficienti}
    if r.maggiorazione is not None:
        m = r.maggiorazione
        out["maggiorazione"] = {
            "percentuale": _num(m.percentuale),
            "quota_personale": _num(m.quota_personale),
            "arrotondamento": m.arrotondamento,
            "parita": m.parita,
        }
    if r.eq_base != "fondo":
        out["eq"] = {"base": r.eq_base, "percentuale_massima": _num(r.eq_percentuale_massima)}
    if r.assenze_riducono or r.franchigia:
        out["assenze"] = {"riducono": list(r.assenze_riducono), "franchigia": r.franchigia}
    return out


def to_yaml(sistema: Sistema) -> str:
    header = (
        f"# {sistema.nome}\n"
        f"# Scritto da «valuta sistema converti» a partire da {sistema.origine}.\n\n"
    )
    body = yaml.safe_dump(
        to_data(sistema), allow_unicode=True, sort_keys=False, width=96, default_flow_style=False
    )
    return header + body


# --- the workbook form -------------------------------------------------------------------------

ISTRUZIONI = (
    "Questo file descrive un Sistema di Misurazione e Valutazione della Performance in una forma "
    "che valuta legge: ogni foglio elenca un tipo di elemento, una riga per elemento, e la riga 1 "
    "dà il nome delle colonne (non va modificata). Selezionando una cella, Excel e LibreOffice "
    "mostrano che cosa va scritto; dove c'è un elenco a discesa, si sceglie un valore.",
    "Dopo ogni modifica, verificare il file con «valuta sistema controlla sistema.xlsx»: ogni "
    "problema è segnalato con foglio, riga e cella. Per usarlo, scrivere il nome del file "
    "(«sistema.xlsx») nel campo «Sistema di valutazione» del foglio Ente del Piano.",
    "Regole che valuta controlla: i massimi delle voci di una parte sommano al massimo della "
    "parte, e quelli delle parti al massimo della scheda; le fasce di ogni scheda coprono i "
    "punteggi da 0 al massimo senza vuoti; i gradi di raggiungimento coprono le percentuali da 0 "
    "a 100; ogni persona valutabile del Piano trova esattamente una scheda (per ruolo e "
    "categoria, o per la colonna «Scheda» del foglio Personale).",
)


def write_workbook(sistema: Sistema | None, path: Path) -> None:
    """The workbook form of `sistema` (or, with None, a blank one with its instructions)."""
    import xlsxwriter
    import xlsxwriter.worksheet

    from workbook.printing import FittedBook, FittedSheet

    class _Sheet(FittedSheet, xlsxwriter.worksheet.Worksheet):
        """Rows sized to their text when the workbook closes (workbook.printing)."""

    class _Book(FittedBook, xlsxwriter.Workbook):
        sheet_class = _Sheet

    wb = _Book(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties(
        {
            "title": sistema.nome if sistema else "Sistema di valutazione",
            "author": "valuta",
            "created": dt.datetime(2000, 1, 1),  # deterministic: the same model, the same file
        }
    )
    fmt = {
        "title": wb.add_format({"bold": True, "font_size": 14}),
        "header": wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "key": wb.add_format({"bold": True, "valign": "top"}),
        "name": wb.add_format({"valign": "top"}),
    }
    rows = _rows(sistema) if sistema else {s.nome: [] for s in SHEETS}
    settings = _settings(sistema) if sistema else {}
    _instructions(wb, fmt)
    _settings_sheet(wb, fmt, settings)
    for spec in SHEETS:
        _sheet(wb, fmt, spec, rows[spec.nome])
    wb.close()


def _printable(ws: Any, landscape: bool = True) -> None:
    """A4, one page wide, the header row on every page."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def _instructions(wb: Any, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Istruzioni")
    _printable(ws, landscape=False)
    ws.set_column(0, 0, 31)  # the longest key on one line
    ws.set_column(1, 1, 93)
    ws.write_string(0, 0, "Sistema di Misurazione e Valutazione della Performance", fmt["title"])
    row = 2
    for text in ISTRUZIONI:
        ws.merge_range(row, 0, row, 1, text, fmt["wrap"])  # the workbook sizes the row
        row += 2
    for spec in (None, *SHEETS):
        name = spec.nome if spec else SETTINGS_SHEET
        scopo = spec.scopo if spec else "Le impostazioni generali: una riga per impostazione."
        ws.write_string(row, 0, f"Foglio {name}", fmt["key"])
        ws.write_string(row, 1, scopo, fmt["wrap"])
        row += 1
        columns = (
            [(k, text) for k, _, text, _ in IMPOSTAZIONI]
            if spec is None
            else [(c.chiave, c.spiegazione) for c in spec.colonne]
        )
        for key, text in columns:
            ws.write_string(row, 0, key, fmt["name"])
            ws.write_string(row, 1, text, fmt["wrap"])
            row += 1
        row += 1
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _settings(sistema: Sistema) -> dict[str, object]:
    return {
        "codice": sistema.codice,
        "nome": sistema.nome,
        "note": sistema.note,
        "etichetta_eq": sistema.etichetta_eq,
        "servizio_minimo_mesi": sistema.servizio_minimo_mesi or "",
        "servizio_minimo_giorni": sistema.servizio_minimo_giorni or "",
        "motivo": sistema.motivo_esclusione,
        "sanzione_massima": sistema.sanzione_massima,
        "modalita": sistema.modalita,
        "dirigente_valuta_eq": "sì" if sistema.dirigente_valuta_eq else "no",
        **_premi_settings(sistema.premi),
    }


def _premi_settings(r: RegolePremi) -> dict[str, object]:
    out: dict[str, object] = {
        "metodo": r.metodo,
        "residuo": r.residuo,
        "quota_organizzativa": _num(r.quota_organizzativa),
        "budget": r.budget,
        "eq_base": r.eq_base,
    }
    if r.maggiorazione is not None:
        out |= {
            "maggiorazione_percentuale": _num(r.maggiorazione.percentuale),
            "maggiorazione_quota_personale": _num(r.maggiorazione.quota_personale),
            "maggiorazione_arrotondamento": r.maggiorazione.arrotondamento,
        }
    if r.eq_base == "posizione":
        out["eq_percentuale_massima"] = _num(r.eq_percentuale_massima)
    if r.assenze_riducono or r.franchigia:
        out["assenze_riducono"] = ", ".join(r.assenze_riducono)
        out["assenze_franchigia"] = r.franchigia
    return out


def _settings_sheet(wb: Any, fmt: dict[str, Any], values: dict[str, object]) -> None:
    ws = wb.add_worksheet(SETTINGS_SHEET)
    _printable(ws)
    ws.repeat_rows(0)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 2, 80)
    for col, name in enumerate(SETTINGS_HEADER):
        ws.write_string(0, col, name, fmt["header"])
    for r, (key, _, text, allowed) in enumerate(IMPOSTAZIONI, start=1):
        ws.write_string(r, 0, key, fmt["key"])
        _write(ws, r, 1, values.get(key, ""), fmt["wrap"])
        ws.write_string(r, 2, text, fmt["wrap"])
        rule: dict[str, Any] = {"input_title": key[:32], "input_message": text[:255]}
        if allowed:
            rule |= {"validate": "list", "source": list(allowed)}
        else:
            rule |= {"validate": "any"}
        ws.data_validation(r, 1, r, 1, rule)
    ws.freeze_panes(1, 0)


def _write(ws: Any, row: int, col: int, value: object, cell_format: Any = None) -> None:
    """Text always as text (a Sistema's titles may come from anywhere), numbers as numbers."""
    if isinstance(value, bool):
        ws.write_string(row, col, "sì" if value else "no", cell_format)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, cell_format)
    elif value not in ("", None):
        ws.write_string(row, col, str(value), cell_format)


def _sheet(wb: Any, fmt: dict[str, Any], spec: Foglio, rows: list[dict[str, object]]) -> None:
    ws = wb.add_worksheet(spec.nome)
    _printable(ws)
    ws.repeat_rows(0)
    for col, c in enumerate(spec.colonne):
        wide = c.chiave in ("titolo", "descrizione", "titolo_valutatore")
        width = 48 if wide else 24 if c.chiave in ("scheda", "codice", "categorie") else 14
        ws.set_column(col, col, width, fmt["wrap"] if wide else None)
        ws.write_string(0, col, c.chiave, fmt["header"])
        rule: dict[str, Any] = {"input_title": c.chiave[:32], "input_message": c.spiegazione[:255]}
        if c.ammessi:
            rule |= {"validate": "list", "source": list(c.ammessi)}
        elif c.elenco:
            sheet_name, letter = c.elenco.split("!")
            rule |= {
                "validate": "list",
                "source": f"={sheet_name}!${letter}$2:${letter}${DATA_ROWS + 1}",
                "error_type": "warning",
            }
        elif c.numero and not (spec.nome == "Fasce" and c.chiave == "premio"):
            rule |= {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": 1_000_000,
                "error_message": "Scrivere un numero.",
            }
        else:
            rule |= {"validate": "any"}
        ws.data_validation(1, col, DATA_ROWS, col, rule)
    keys = [c.chiave for c in spec.colonne]
    for r, row in enumerate(rows, start=1):
        for key, value in row.items():
            _write(ws, r, keys.index(key), value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(keys) - 1)


def _rows(sistema: Sistema) -> dict[str, list[dict[str, object]]]:
    names = _scale_names(sistema)
    out: dict[str, list[dict[str, object]]] = {s.nome: [] for s in SHEETS}
    out["Gradi"] = [
        {"descrizione": g.descrizione, "da": _num(g.da), "a": _num(g.a), "valore": _num(g.valore)}
        for g in sistema.gradi
    ]
    written: set[str] = set()
    for s in sistema.schede:
        for v in s.fattori:
            name = names[(s.codice, v.codice)]
            if name in written:
                continue
            written.add(name)
            out["Scale"] += [
                {"scala": name, "valore": _num(lv.valore), "descrizione": lv.descrizione}
                for lv in v.livelli
            ]
    for s in sistema.schede:
        out["Schede"].append(
            {
                "codice": s.codice,
                "ruolo": s.ruolo,
                "titolo": s.titolo,
                "valutatore": s.valutatore,
                "titolo_valutatore": s.titolo_valutatore,
                "massimo": _num(s.massimo),
                "categorie": ", ".join(s.categorie),
                "solo_indicata": "sì" if s.solo_indicata else "no",
            }
        )
        for p in s.parti:
            out["Parti"].append(
                {
                    "scheda": s.codice,
                    "codice": p.codice,
                    "titolo": p.titolo,
                    "massimo": _num(p.massimo),
                }
            )
            for v in p.voci:
                row: dict[str, object] = {
                    "scheda": s.codice,
                    "parte": p.codice,
                    "codice": v.codice,
                    "tipo": v.tipo,
                    "titolo": v.titolo,
                    "descrizione": v.descrizione,
                }
                if v.tipo == "fattore":
                    row["scala"] = names[(s.codice, v.codice)]
                else:
                    row |= {"massimo": _num(v.massimo), "fonte": v.fonte}
                    row["tipo_obiettivi"] = v.tipo_obiettivi
                out["Voci"].append(row)
        out["Fasce"] += [
            {
                "scheda": s.codice,
                "da": _num(f.da),
                "a": _num(f.a),
                "premio": "punteggio" if f.proporzionale else _num(f.premio),
            }
            | ({"negativa": "sì"} if f.negativa else {})
            for f in reversed(s.fasce)
        ]
    out["Coefficienti"] = [
        {"categoria": c, "coefficiente": _num(v)} for c, v in sistema.premi.coefficienti
    ]
    return out


def write_sistema(sistema: Sistema, path: Path, suffix: str) -> Sistema:
    """Write `sistema` to `path` in the form `suffix` names (.xlsx, or YAML), and return what
    the written file loads to (the caller compares the fingerprints)."""
    from workbook.sistema.load import load_sistema_file, parse_sistema

    if suffix.casefold() == ".xlsx":
        write_workbook(sistema, path)
        staged = path.with_name(path.name + ".xlsx") if path.suffix != ".xlsx" else path
        if staged != path:
            path.replace(staged)
            try:
                return load_sistema_file(staged)
            finally:
                staged.replace(path)
        return load_sistema_file(path)
    text = to_yaml(sistema)
    path.write_text(text, encoding="utf-8")
    return parse_sistema(text, path.name)


def convert(source: Path, target: Path) -> Sistema:
    """Load `source` (either form), write `target` in the form its extension names."""
    from workbook.sistema.load import load_sistema_file

    sistema = load_sistema_file(source)
    write_sistema(sistema, target, target.suffix)
    return sistema


def main() -> None:
    """Rewrite every bundled templates/<name>.xlsx from its .yaml."""
    from workbook.resources import templates_dir

    for source in sorted(templates_dir().glob("*.yaml")):
        convert(source, source.with_suffix(".xlsx"))
        print(source.with_suffix(".xlsx"))


if __name__ == "__main__":
    main()
