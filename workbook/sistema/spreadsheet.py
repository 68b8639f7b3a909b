"""A Sistema written as a workbook (sistema.xlsx or .ods), in the way XLSForm lets people
write forms in Excel: one sheet per kind of thing (the settings, the grades of achievement,
the scales, the schede, their parts, their items, the bands), one row per thing, one column
per key of the YAML form, with the same names.

`sheets.SHEETS` says, once, what each sheet holds: the reader (here) turns the rows into the
data the YAML form would have given — every value carrying its sheet, row and column as a
`Cella` — and load.py checks it with the same rules; the writer (export.py) writes the same
sheets, with dropdowns and an input message on every column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from workbook.anomalies import Codice, suggest
from workbook.contract import col_letter as column_letter
from workbook.errors import AnomaliesError, UnreadableValue
from workbook.sistema.checker import Cella, Checker
from workbook.sistema.lines import LineDict, LineList
from workbook.sistema.sheets import (
    IMPOSTAZIONI,
    MAX_ROWS,
    NUMERIC_SETTINGS,
    OPTIONAL_SHEETS,
    PREFIXES,
    SETTINGS_HEADER,
    SETTINGS_SHEET,
    SHEETS,
    sheet,
)
from workbook.values import format_number, parse_number

# --- reading ------------------------------------------------------------------------------------


def read_sistema_workbook(path: Path, ck: Checker) -> LineDict:
    """The data of a Sistema workbook as its YAML form would give it, each value located by a
    `Cella`. The structure is checked first (every sheet and column there, no unknown column):
    its problems are reported together, and stop the reading."""
    from workbook.piano.file import read_sheets

    try:
        sheets = read_sheets(path)
    except Exception as exc:  # the guards', or python-calamine's on a damaged file
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        ck.add(Codice.SIST_FILE, None, dettaglio=detail)
        raise AnomaliesError(ck.problems) from None
    rows = {name: _located_rows(ck, name, body) for name, body in _structure(ck, sheets)}
    if ck.problems:
        raise AnomaliesError(ck.problems)
    return _assemble(ck, rows)


def _structure(
    ck: Checker, sheets: dict[str, list[tuple[object, ...]]]
) -> Iterator[tuple[str, list[tuple[object, ...]]]]:
    """(sheet name, its rows) for every sheet of `SHEETS` and the settings sheet, once each is
    found with its headers; what is missing or unknown is reported."""
    by_fold = {name.strip().casefold(): name for name in sheets}
    for name in (SETTINGS_SHEET, *(s.nome for s in SHEETS)):
        found = by_fold.get(name.casefold())
        if found is None and name in OPTIONAL_SHEETS:
            yield name, [tuple(c.chiave for c in sheet(name).colonne)]
            continue
        if found is None:
            ck.add(
                Codice.SIST_FOGLIO_MANCANTE,
                None,
                nome=name,
                suggerimento=suggest(name, list(sheets)),
            )
            continue
        body = sheets[found]
        if len(body) > MAX_ROWS:
            ck.add(
                Codice.SIST_FILE,
                Cella(name, MAX_ROWS + 1, "A"),
                dettaglio=f"il foglio {name} ha più di {MAX_ROWS} righe",
            )
            continue
        yield name, body


def _located_rows(ck: Checker, name: str, body: list[tuple[object, ...]]) -> list[LineDict]:
    """The non-empty rows of a sheet below its header, as LineDicts keyed by column key; a
    header that is not a column of the sheet, or a required column missing, is reported."""
    if name == SETTINGS_SHEET:
        expected = list(SETTINGS_HEADER)
        required = {"chiave", "valore"}
    else:
        spec = sheet(name)
        expected = [c.chiave for c in spec.colonne]
        required = {c.chiave for c in spec.colonne if c.obbligatoria}
    header = [_text(v).casefold() for v in (body[0] if body else ())]
    present = set(header)
    missing = [k for k in expected if k in required and k not in present]
    unknown = [k for k in header if k and k not in expected]
    # One unknown header where one required column is missing: the same column, renamed.
    renamed = missing[0] if len(missing) == 1 and len(unknown) == 1 else ""
    columns: dict[str, int] = {}
    for index, key in enumerate(header):
        if not key:
            continue
        if key not in expected:
            ck.add(
                Codice.SIST_COLONNA_SCONOSCIUTA,
                Cella(name, 1, column_letter(index)),
                colonna=key,
                tabella=name,
                suggerimento=f" (forse intendeva «{renamed}»?)"
                if renamed
                else suggest(key, expected),
                ammesse=", ".join(expected),
            )
        elif key in columns:
            ck.add(
                Codice.SIST_COLONNA_SCONOSCIUTA,
                Cella(name, 1, column_letter(index)),
                colonna=key,
                tabella=name,
                suggerimento=" (è già la colonna " + column_letter(columns[key]) + ")",
                ammesse=", ".join(expected),
            )
        else:
            columns[key] = index
    for key in missing:
        if key != renamed:
            ck.add(Codice.SIST_COLONNA_MANCANTE, Cella(name, 1, "A"), colonna=key, tabella=name)
    out: list[LineDict] = []
    for r, values in enumerate(body[1:], start=2):
        row = LineDict()
        row.line = Cella(name, r, column_letter(min(columns.values(), default=0)))  # type: ignore[assignment]
        row.key_lines = {}
        for key, index in columns.items():
            row.key_lines[key] = Cella(name, r, column_letter(index))  # type: ignore[assignment]
            value = _value(values[index] if index < len(values) else "")
            if value != "":
                row[key] = value
        if row:
            out.append(row)
    return out


def _value(raw: object) -> object:
    """A cell's value as the YAML form would have it: text stripped, whole numbers as int,
    other numbers exact, dates as ISO text (no Sistema value is a date)."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool) or raw is None:
        return "" if raw is None else raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        return Decimal(repr(raw))
    if isinstance(raw, dt.date | dt.datetime | dt.time | dt.timedelta):
        return raw.isoformat() if hasattr(raw, "isoformat") else str(raw)
    return raw


def _text(raw: object) -> str:
    value = _value(raw)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return format_number(Decimal(value)).replace(",", ".")
    return str(value).strip()


def _as_number(value: str) -> object:
    """A number typed as text, as an Italian keyboard types it («12,5»), is the number; any
    other text stays text, for the rules to report «non è un numero»."""
    try:
        return parse_number(value)
    except (UnreadableValue, ArithmeticError, ValueError):
        return value


def _number_or_text(row: LineDict, key: str) -> None:
    if isinstance(row.get(key), str):
        row[key] = _as_number(row[key])


def _codes_as_text(row: LineDict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in row and not isinstance(row[key], str):
            row[key] = _text(row[key])


def _sub(where: Cella | int) -> LineDict:
    out = LineDict()
    out.line = where  # type: ignore[assignment]
    out.key_lines = {}
    return out


def _list(where: Cella | int) -> LineList:
    out = LineList()
    out.line = where  # type: ignore[assignment]
    out.item_lines = []
    return out


def _put(target: LineDict, key: str, value: object, where: object) -> None:
    target[key] = value
    target.key_lines[key] = where  # type: ignore[assignment]


def _assemble(ck: Checker, rows: dict[str, list[LineDict]]) -> LineDict:
    """The YAML form's tree from the rows of every sheet."""
    for name, body in rows.items():
        if name == SETTINGS_SHEET:
            continue
        spec = sheet(name)
        for row in body:
            for col in spec.colonne:
                if col.numero:
                    _number_or_text(row, col.chiave)
                else:
                    _codes_as_text(row, (col.chiave,))
    origin = Cella(SETTINGS_SHEET, 1, "A")
    top = _sub(origin)
    sections = {
        "idoneita": _sub(origin),
        "raggiungimento": _sub(Cella("Gradi", 1, "A")),
        "premi": _sub(origin),
        "premi.maggiorazione": _sub(origin),
        "premi.eq": _sub(origin),
        "premi.assenze": _sub(origin),
    }
    regole = _sub(origin)
    known = {key: section for key, section, _, _ in IMPOSTAZIONI}
    for row in rows[SETTINGS_SHEET]:
        key = _text(row.get("chiave", "")).casefold()
        where_key, where_value = row.key_lines["chiave"], row.key_lines.get("valore", row.line)
        if key not in known:
            ck.add(
                Codice.SIST_CHIAVE_SCONOSCIUTA,
                where_key,
                chiave=key,
                contesto=f"nel foglio {SETTINGS_SHEET}",
                suggerimento=suggest(key, known),
                ammesse=", ".join(known),
            )
            continue
        section = known[key]
        target = top if not section else regole if section == "regole" else sections[section]
        name = key.removeprefix(PREFIXES.get(section, ""))
        if "valore" not in row:
            target.key_lines[name] = where_value  # a required one is reported at its empty cell
            continue
        value = row["valore"]
        if key in NUMERIC_SETTINGS and isinstance(value, str):
            value = _as_number(value)
        elif key in ("codice", "nome", "note", "motivo") and not isinstance(value, str):
            value = _text(value)
        _put(target, name, value, where_value)
    _put(top, "idoneita", sections["idoneita"], origin)
    premi = sections["premi"]
    for sub, yaml_key in (
        ("premi.maggiorazione", "maggiorazione"),
        ("premi.eq", "eq"),
        ("premi.assenze", "assenze"),
    ):
        if sections[sub]:
            _put(premi, yaml_key, sections[sub], origin)
    coefficienti = _sub(Cella("Coefficienti", 1, "A"))
    for row in rows.get("Coefficienti", []):
        categoria = _text(row.get("categoria", ""))
        if categoria and "coefficiente" in row:
            _put(coefficienti, categoria, row["coefficiente"], row.key_lines["coefficiente"])
    if coefficienti:
        _put(premi, "coefficienti", coefficienti, coefficienti.line)
    if premi:
        _put(top, "premi", premi, origin)
    if regole:
        _put(top, "regole", regole, origin)
    gradi = _list(Cella("Gradi", 1, "A"))
    for row in rows["Gradi"]:
        gradi.append(row)
        gradi.item_lines.append(row.line)  # type: ignore[arg-type]
    _put(sections["raggiungimento"], "gradi", gradi, Cella("Gradi", 1, "A"))
    sections["raggiungimento"].setdefault("modalita", "percentuale")
    _put(top, "raggiungimento", sections["raggiungimento"], Cella("Gradi", 1, "A"))

    scale = _sub(Cella("Scale", 1, "A"))
    for row in rows["Scale"]:
        name = row.pop("scala", "")
        if not name:
            continue
        if name not in scale:
            _put(scale, name, _list(row.key_lines["scala"]), row.key_lines["scala"])
        scale[name].append(row)
        scale[name].item_lines.append(row.line)
    _put(top, "scale", scale, Cella("Scale", 1, "A"))

    schede = _sub(Cella("Schede", 1, "A"))
    firsts: dict[str, Cella] = {}
    for row in rows["Schede"]:
        codice = row.pop("codice", "")
        if not codice:
            continue
        if codice in schede:
            ck.add(
                Codice.SIST_CODICE_DUPLICATO,
                row.key_lines["codice"],
                valore=codice,
                prima=firsts[codice],
                cosa="scheda",
            )
            continue
        firsts[codice] = row.key_lines["codice"]
        _put(schede, codice, row, row.key_lines["codice"])
    _put(top, "schede", schede, Cella("Schede", 1, "A"))

    # (what, code, sheet referred to): the cells that name it
    unknown: dict[tuple[str, str, str], list[Cella]] = {}

    def owner(row: LineDict, what: str) -> LineDict | None:
        codice = row.pop("scheda", "")
        found = schede.get(codice)
        if found is None and codice:
            first = next(
                (k for k in unknown if k[1:] == (codice, "Schede")), (what, codice, "Schede")
            )
            unknown.setdefault(first, []).append(row.key_lines["scheda"])
        return found

    parts: dict[tuple[str, str], LineDict] = {}
    for row in rows["Parti"]:
        scheda_code = row.get("scheda", "")
        found = owner(row, "la parte")
        if found is None:
            continue
        if "parti" not in found:
            _put(found, "parti", _list(row.line), row.line)
        found["parti"].append(row)
        found["parti"].item_lines.append(row.line)
        parts.setdefault((scheda_code, row.get("codice", "")), row)
    for row in rows["Voci"]:
        scheda_code = row.get("scheda", "")
        if owner(row, "la voce") is None:
            continue
        parte_code = row.pop("parte", "")
        part = parts.get((scheda_code, parte_code))
        if part is None:
            where = f"Parti (per la scheda «{scheda_code}»)"
            unknown.setdefault(("la voce", parte_code, where), []).append(row.key_lines["parte"])
            schede[scheda_code].danneggiata = True
            continue
        if "voci" not in part:
            _put(part, "voci", _list(row.line), row.line)
        part["voci"].append(row)
        part["voci"].item_lines.append(row.line)
    for row in rows["Fasce"]:
        found = owner(row, "la fascia")
        if found is None:
            continue
        if "fasce" not in found:
            _put(found, "fasce", _list(row.line), row.line)
        found["fasce"].append(row)
        found["fasce"].item_lines.append(row.line)
    if unknown:
        # Rows naming a scheda that does not exist were probably meant for one that has none:
        # its missing parts and bands are the same mistake, not reported again.
        for scheda in schede.values():
            for key in ("parti", "fasce"):
                if key not in scheda:
                    _put(scheda, key, _list(scheda.line), scheda.line)
                    scheda.danneggiata = True
    # One problem per code that names nothing, at its first cell (a scheda renamed in one
    # sheet is one mistake, whatever the number of rows that still name it).
    for (what, code, where), cells in unknown.items():
        scheda_code = where.partition("«")[2].rstrip("»)")
        choices = [c for s, c in parts if s == scheda_code] if scheda_code else list(schede)
        ck.add(
            Codice.SIST_RIFERIMENTO,
            cells[0],
            cosa=what,
            valore=code,
            tabella=where,
            suggerimento=suggest(code, choices),
            altre=_elsewhere(cells[0], cells[1:]),
        )
    return top


def _elsewhere(first: Cella, others: list[Cella]) -> str:
    """«; lo stesso alla riga 6 e nel foglio Voci (righe 7, 8)»: the other cells of a mistake
    reported once."""
    by_sheet: dict[str, list[str]] = {}
    for c in others:
        by_sheet.setdefault(c.foglio, []).append(str(c.riga))
    parts = []
    for sheet_name, rows in by_sheet.items():
        if sheet_name == first.foglio:
            parts.append(
                f"alla riga {rows[0]}" if len(rows) == 1 else f"alle righe {', '.join(rows)}"
            )
        else:
            label = "riga" if len(rows) == 1 else "righe"
            parts.append(f"nel foglio {sheet_name} ({label} {', '.join(rows)})")
    if not parts:
        return ""
    return "; lo stesso " + (
        ", ".join(parts[:-1]) + " e " + parts[-1] if len(parts) > 1 else parts[0]
    )
