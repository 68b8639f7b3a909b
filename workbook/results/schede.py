"""The final individual schede (`valuta schede`): one printable A4 workbook per evaluated
person in risultati/schede/, from the results JSON, with what their Responsabile's modulo
showed beside every value the Nucleo's validation changed; and their PDFs when LibreOffice is
installed. Written together (files.Commit) with an index, `schede.json`, that names each
person's files and the results they were made from: the mail reads it to send each person
only their own scheda, and to refuse schede older than the results.

What the modulo showed is recomputed, not stored by reconcile (which stays as fast as it
was): `scoring.engine.shown_results` — the same function that checks the cached values of a
received modulo — with the factors the evaluator chose (the results JSON) and the
achievements the modulo itself held (the Responsabile's declared ones; the Nucleo's for the
Nucleo's modulo).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook.contract import NUCLEO, make_key, modulo_areas
from workbook.cycle import Cycle
from workbook.files import Commit
from workbook.piano.model import Piano
from workbook.results.area import results_created
from workbook.results.tables import OPTIONS, Book
from workbook.scoring.engine import shown_results
from workbook.scoring.engine import su_100 as score_su_100
from workbook.scoring.formulas import DASH, INCOMPLETE, PENDING
from workbook.values import cell_text, format_number

INDEX = "schede.json"
PROVISIONAL = "SCHEDA PROVVISORIA: i risultati non sono ancora definitivi e possono cambiare."
CHANGED_NOTE = (
    "I valori segnati «nel modulo» sono diversi da quelli della scheda compilata dal "
    "valutatore perché il Nucleo di Valutazione ha validato un raggiungimento degli obiettivi "
    "diverso da quello dichiarato: vale il valore validato."
)
RUOLI = {"dipendente": "Dipendente", "eq": "Elevata Qualificazione", "dirigente": "Dirigente"}
PARTI = {
    "organizzativa": "performance organizzativa",
    "individuale": "performance individuale",
    "maggiorazione": "maggiorazione del premio individuale",
}


@dataclass(frozen=True, slots=True)
class Scritte:
    folder: Path
    files: dict[str, list[str]]  # matricola → file names in the folder
    removed: int
    pdf: bool
    provvisorie: bool = False


def file_stem(matricola: str, nominativo: str) -> str:
    """«<matricola> <Cognome Nome>», safe as a file name on Windows: no reserved
    characters, no control characters, no trailing dots or spaces, not too long."""
    text = f"{matricola} {nominativo}"
    text = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f]', "_", text)
    text = re.sub(r"\s+", " ", text).strip().rstrip(". ")[:120].rstrip(". ")
    return text or "scheda"


def json_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def evaluated(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in data["valutazioni"] if v.get("stato") == "valutato"]


def modulo_values(piano: Piano, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each evaluated person, what their modulo showed: voce code → points, and
    «totale», «su_100», «fascia», «premio»."""
    declared: dict[str, Decimal | None] = {}
    validated: dict[str, Decimal | None] = {}
    for area in data["relazione"].obiettivi:
        for o in area.obiettivi:
            declared[f"{area.area}.{o.codice}"] = o.dichiarato
            validated[f"{area.area}.{o.codice}"] = o.validato
    people = evaluated(data)
    out: dict[str, dict[str, Any]] = {}
    for modulo in sorted({v["valutatore"] for v in people}):
        source = validated if modulo == NUCLEO else declared
        inputs: dict[str, Decimal | str | None] = {}
        for area in modulo_areas(piano, modulo):
            for item in piano.obiettivi_area(area):
                inputs[make_key("obiettivo", item.id, "raggiungimento")] = source.get(item.id)
        mine = [v for v in people if v["valutatore"] == modulo]
        for v in mine:
            for voce in v["voci"]:
                if voce["tipo"] == "fattore" and voce["punti"] is not None:
                    # The results JSON may give whole points as int: the engine takes Decimal.
                    points = Decimal(str(voce["punti"]))
                    inputs[make_key(v["ruolo"], v["matricola"], voce["codice"])] = points
        shown = shown_results(piano, modulo, inputs)
        for v in mine:
            base = (v["ruolo"], v["matricola"])
            values: dict[str, Any] = {
                voce["codice"]: shown.get(make_key(*base, voce["codice"]), voce["punti"])
                for voce in v["voci"]
            }
            totale = shown.get(make_key(*base, "totale"))
            scheda = piano.sistema.scheda_codice(v["scheda"] or "")
            values["totale"] = totale
            values["su_100"] = (
                score_su_100(scheda, totale)
                if isinstance(totale, Decimal) and scheda is not None
                else totale
            )
            values["fascia"] = shown.get(make_key(*base, "fascia"))
            values["premio"] = shown.get(make_key(*base, "premio"))
            out[v["matricola"]] = values
    return out


NOT_SHOWN = {PENDING, INCOMPLETE, DASH}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return str(a) == str(b)


def _shown(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_number(value, 2)
    return "–" if value is None else str(value)


def scheda_workbook(
    data: dict[str, Any], v: dict[str, Any], piano: Piano, modulo: dict[str, Any]
) -> bytes:
    """One person's final scheda, as an A4 portrait workbook."""
    provisional = not data["stato"]["definitivo"]
    anno = data["anno"]
    out = io.BytesIO()
    wb = Book(out, {"in_memory": True, **OPTIONS})
    wb.set_properties(
        {
            "title": f"Scheda di valutazione {anno} – {v['nominativo']}",
            "author": "valuta",
            "created": results_created(data, anno),
        }
    )
    ws = wb.add_worksheet("Scheda")
    border = {"border": 1, "border_color": "#A6A6A6"}
    f_title = wb.add_format({"bold": True, "font_size": 14, "text_wrap": True})
    f_alert = wb.add_format(
        {"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE", "text_wrap": True}
    )
    f_label = wb.add_format({"bold": True, "valign": "top", **border})
    f_text = wb.add_format({"valign": "top", "text_wrap": True, **border})
    f_head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, **border})
    f_num = wb.add_format({"num_format": "0.00", "valign": "top", **border})
    f_num_b = wb.add_format({"num_format": "0.00", "bold": True, **border})
    f_euro = wb.add_format({"num_format": "€ #,##0.00", "bold": True, **border})
    f_euro_p = wb.add_format({"num_format": "€ #,##0.00", **border})
    f_mark = wb.add_format(
        {
            "italic": True,
            "font_color": "#9C5700",
            "bg_color": "#FFEB9C",
            "text_wrap": True,
            "valign": "top",
            **border,
        }
    )
    f_note = wb.add_format({"italic": True, "text_wrap": True, "valign": "top"})
    f_box = wb.add_format({"text_wrap": True, "valign": "top", **border})
    widths = (46, 13, 13, 22)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    scheda = piano.sistema.scheda_codice(v["scheda"] or "")
    area = next((a for a in data["relazione"].obiettivi if a.area == v["area"]), None)
    row = 0

    def put(r: int, c: int, value: Any, fmt: Any) -> None:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            ws.write_number(r, c, float(value), fmt)
        elif value is None:
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_string(r, c, cell_text(str(value)), fmt)

    def wide(r: int, text: str, fmt: Any) -> None:
        ws.merge_range(r, 0, r, 3, cell_text(text), fmt)  # the workbook fits the row to it

    title = f"Scheda individuale di valutazione della performance – anno {anno}"
    wide(row, title + (" – PROVVISORIA" if provisional else ""), f_title)
    row += 1
    if provisional:
        wide(row, PROVISIONAL, f_alert)
        row += 1
    row += 1
    valutatore = scheda.titolo_valutatore if scheda else v["valutatore"]
    header = [
        ("Ente", data["ente"]),
        ("Anno", str(anno)),
        ("Area", f"{v['area']} – {area.denominazione}" if area else v["area"]),
        ("Valutato", v["nominativo"]),
        ("Matricola", v["matricola"]),
        ("Categoria", v["categoria"]),
        (
            "Ruolo",
            piano.sistema.etichetta_eq if v["ruolo"] == "eq" else RUOLI.get(v["ruolo"], v["ruolo"]),
        ),
        ("Scheda del Sistema", f"{scheda.titolo} ({scheda.codice})" if scheda else v["scheda"]),
        ("Valutatore", valutatore),
    ]
    for label, value in header:
        put(row, 0, label, f_label)
        ws.merge_range(row, 1, row, 3, cell_text(str(value)), f_text)
        row += 1
    row += 1
    for col, label in enumerate(("Voce", "Punti", "Massimo", "Nel modulo")):
        put(row, col, label, f_head)
    ws.repeat_rows(row)
    row += 1
    changed = False

    def mark(r: int, final: Any, shown: Any) -> None:
        nonlocal changed
        if isinstance(shown, str) and shown in NOT_SHOWN:
            shown = None  # the modulo could not compute it (it waited for the Nucleo)
        if shown is not None and not _same(final, shown):
            changed = True
            put(r, 3, f"nel modulo: {_shown(shown)}", f_mark)
        else:
            put(r, 3, None, f_text)

    for voce in v["voci"]:
        put(row, 0, voce["titolo"], f_text)
        put(row, 1, voce["punti"], f_num)
        put(row, 2, voce["massimo"], f_num)
        mark(row, voce["punti"], modulo.get(voce["codice"]))
        row += 1
    massimo = scheda.massimo if scheda else sum((x["massimo"] for x in v["voci"]), Decimal(0))
    summary = [
        ("Punteggio totale", v["punteggio"], massimo, "totale", f_num_b),
        ("Punteggio su 100", v["punteggio_su_100"], Decimal(100), "su_100", f_num_b),
    ]
    for label, value, top, key, fmt in summary:
        put(row, 0, label, f_label)
        put(row, 1, value, fmt)
        put(row, 2, top, f_num)
        mark(row, value, modulo.get(key))
        row += 1
    put(row, 0, "Fascia di punteggio", f_label)
    ws.merge_range(row, 1, row, 2, cell_text(str(v["fascia"] or "–")), f_text)
    mark(row, v["fascia"], modulo.get("fascia"))
    row += 1
    put(row, 0, "Premio (% del premio individuale)", f_label)
    put(row, 1, v["premio_percentuale"], f_num_b)
    put(row, 2, None, f_text)
    mark(row, v["premio_percentuale"], modulo.get("premio"))
    row += 1
    put(row, 0, "Premio in euro", f_label)
    put(row, 1, v["premio_euro"], f_euro)
    put(row, 2, None, f_text)
    put(row, 3, None, f_text)
    row += 1
    for part, amount in (v.get("premi") or {}).items():
        put(row, 0, f"   di cui {PARTI.get(part, part)}", f_text)
        put(row, 1, amount, f_euro_p)
        put(row, 2, None, f_text)
        put(row, 3, None, f_text)
        row += 1
    row += 1
    if changed:
        wide(row, CHANGED_NOTE, f_note)
        row += 2
    for label, lines in (
        ("Motivazione del valutatore", 5),
        ("Osservazioni del valutato", 5),
    ):
        wide(row, label, f_label)
        row += 1
        ws.merge_range(row, 0, row + lines - 1, 3, "", f_box)
        row += lines + 1
    f_line = wb.add_format({"bottom": 1, "bottom_color": "#000000"})
    f_sign = wb.add_format({"bold": True, "valign": "bottom", "text_wrap": True})
    # Side by side, the evaluator's (column A) and the person's (C–D; B keeps the lines
    # apart): a label, then a bottom border to sign on; the same for the date.
    for left, right, height in (
        ("Firma del valutatore", "Firma del valutato, per presa visione", 30),
        ("Data", "Data", 24),
    ):
        ws.write_string(row, 0, left, f_sign)
        ws.merge_range(row, 2, row, 3, right, f_sign)
        put(row + 1, 0, None, f_line)
        ws.merge_range(row + 1, 2, row + 1, 3, "", f_line)
        ws.set_row(row + 1, height)
        row += 2
    ws.print_area(0, 0, row, 3)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 1)  # one sheet of paper: signatures never on a page of their own
    ws.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.7)
    centre = '&C&"-,Bold"PROVVISORIA' if provisional else ""
    ws.set_header(f"&L{data['ente'].replace('&', '&&')}{centre}&RValutazione {anno}")
    ws.set_footer(
        f"&L{v['nominativo'].replace('&', '&&')} – matricola "
        f"{v['matricola'].replace('&', '&&')}&RPagina &P di &N"
    )
    wb.close()
    return out.getvalue()


def write_schede(
    folder: Path,
    journal: Path,
    root: Path,
    data: dict[str, Any],
    digest: str,
    piano: Piano,
    pdf: bool,
) -> Scritte:
    """Write every evaluated person's scheda (and, with `pdf`, its PDF), the index, and remove
    the schede of people no longer evaluated, all in one Commit."""
    from workbook.office import convert

    people = evaluated(data)
    shown = modulo_values(piano, data)
    previous = _index(folder)
    files: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="valuta-schede-") as tmp:
        build = Path(tmp)
        used: set[str] = set()
        for v in people:
            stem = file_stem(v["matricola"], v["nominativo"])
            while stem.lower() in used:  # two people the same once sanitised
                stem += "_"
            used.add(stem.lower())
            (build / f"{stem}.xlsx").write_bytes(
                scheda_workbook(data, v, piano, shown.get(v["matricola"], {}))
            )
            files[v["matricola"]] = [f"{stem}.xlsx"]
        if pdf and files:
            books = [build / names[0] for names in files.values()]
            convert(books, "pdf", build)
            for names in files.values():
                names.append(names[0][: -len(".xlsx")] + ".pdf")
        index = {
            "risultati": digest,
            "provvisorie": not data["stato"]["definitivo"],
            "scritte": dt.datetime.now().isoformat(timespec="seconds"),
            "schede": files,
        }
        keep = {n for names in files.values() for n in names} | {INDEX}
        stale = [
            folder / n
            for names in previous.values()
            for n in names
            if n not in keep and (folder / n).is_file()
        ]
        with Commit(journal, root) as commit:
            for names in files.values():
                for name in names:
                    commit.write(folder / name, (build / name).read_bytes())
            commit.write(folder / INDEX, json.dumps(index, ensure_ascii=False, indent=1).encode())
            for path in stale:
                commit.remove(path)
    return Scritte(folder, files, len(stale), pdf, not data["stato"]["definitivo"])


def _index(folder: Path) -> dict[str, list[str]]:
    record = read_index(folder)
    return record.get("schede", {}) if record else {}


def read_index(folder: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("schede"), dict) else None


def cycle_schede(cycle: Cycle, pdf: bool, *, provvisorio: bool = False) -> tuple[Scritte, str]:
    """Write the schede of the cycle's current results, with `pdf` their PDFs too (when
    LibreOffice is not installed: the workbooks, and a note saying how to get PDFs).
    Provisional results are refused unless `provvisorio`. Returns (Scritte, a note)."""
    from workbook.errors import CycleError
    from workbook.office import find_soffice
    from workbook.piano.load import load_piano
    from workbook.results import results_paths  # the package imports this module's siblings
    from workbook.results.json import read_results

    cycle.recover()
    piano, _ = load_piano(cycle.piano_path)
    _, data_path = results_paths(cycle, piano.ente.anno)
    data = read_results(data_path) if data_path.is_file() else None
    if data is None:
        raise CycleError(
            f"Mancano i risultati ({data_path.name}): eseguire prima «valuta reconcile»."
        )
    if not data["stato"]["definitivo"] and not provvisorio:
        raise CycleError(
            f"I risultati ({data_path.name}) sono provvisori: ci sono errori da correggere "
            "(foglio «Anomalie» dei risultati). Le schede individuali non vengono scritte; "
            "per scriverle comunque, segnate PROVVISORIE su ogni pagina, ripetere il comando "
            "con --provvisorio."
        )
    note = ""
    if pdf and find_soffice() is None:
        pdf = False
        note = (
            "PDF non scritti: LibreOffice non è installato, le schede sono solo cartelle di "
            "lavoro Excel. Per avere i PDF, installare LibreOffice "
            "(https://www.libreoffice.org/download/) e ripetere il comando con --pdf, oppure "
            "aprire ogni scheda in Excel e scegliere «Salva con nome» → PDF."
        )
    written = write_schede(
        cycle.risultati / "schede",
        cycle.commit_journal,
        cycle.root,
        data,
        json_digest(data_path),
        piano,
        pdf,
    )
    return written, note
