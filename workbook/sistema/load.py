"""Loading a Sistema: its YAML file read, every rule checked, each problem with its line.

A Sistema is a YAML file in `templates/` (or any path). Loading validates everything and
reports each problem with its YAML line, then builds the frozen model (model.py). A hostile
file is refused cleanly: aliases, nesting beyond any Sistema, numbers that are not finite or
not plausible, tags that build objects, encodings other than UTF-8, UTF-16 and Windows-1252.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from workbook.anomalies import Codice, anomalia, suggest
from workbook.errors import AnomaliesError
from workbook.resources import bundled_sistemi, templates_dir
from workbook.sistema.checker import CONTEXT_NAMES, Cella, Checker
from workbook.sistema.lines import MAX_BYTES, LineDict, LineLoader
from workbook.sistema.model import ETICHETTE_EQ, SANZIONI, Livello, RegolePremi, Scheda, Sistema
from workbook.sistema.rules import parse_grades, parse_levels, parse_premi, parse_scheda


def parse_sistema(text: str, filename: str) -> Sistema:
    """Validate a Sistema's YAML text; raise `AnomaliesError` listing every problem."""
    ck = Checker(filename)
    try:
        data = yaml.load(text, Loader=LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        ck.add(
            Codice.SIST_YAML,
            mark.line + 1 if mark else None,
            dettaglio=getattr(exc, "problem", None) or str(exc),
        )
        raise AnomaliesError(ck.problems) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        # PyYAML's own conversions: an integer of thousands of digits (Python refuses to
        # convert it), a structure it cannot build.
        ck.add(Codice.SIST_YAML, None, dettaglio=f"valore non convertibile ({str(exc)[:80]})")
        raise AnomaliesError(ck.problems) from None
    top = ck.mapping(data, "sistema", 1)
    if top is None:
        raise AnomaliesError(ck.problems)
    return sistema_from_data(ck, top, filename)


def sistema_from_data(ck: Checker, top: LineDict, filename: str) -> Sistema:
    """The model from a Sistema's data (as YAML has it, whichever form it was written in),
    each rule checked; raise `AnomaliesError` listing every problem, where it is."""
    scales: dict[str, tuple[Livello, ...]] = {}
    raw_scales = top.get("scale") or {}
    if isinstance(raw_scales, dict):
        for name, levels in raw_scales.items():
            scales[str(name)] = parse_levels(
                ck, levels, raw_scales.key_lines[name], raw_scales, str(name)
            )
    mesi = giorni = 0
    sanzione = ""
    motivo = "in servizio per un periodo inferiore al minimo previsto"
    idoneita = (
        ck.mapping(top.get("idoneita", LineDict()), "idoneita", top.key_lines.get("idoneita", 1))
        if "idoneita" in top
        else None
    )
    if idoneita is not None:
        mesi = int(ck.number(idoneita, "servizio_minimo_mesi", "idoneita") or 0)
        giorni = int(ck.number(idoneita, "servizio_minimo_giorni", "idoneita") or 0)
        for key, value, most in (
            ("servizio_minimo_mesi", mesi, 12),
            ("servizio_minimo_giorni", giorni, 366),
        ):
            if value > most:
                ck.add(
                    Codice.SIST_VALORE_NON_VALIDO,
                    idoneita.key_lines.get(key, idoneita.line),
                    chiave=key,
                    contesto=CONTEXT_NAMES["idoneita"],
                    regola=f"al più {most}, la durata di un anno",
                )
                mesi, giorni = (0, giorni) if key.endswith("mesi") else (mesi, 0)
        motivo = ck.text(idoneita, "motivo", "idoneita", motivo)
        sanzione = ck.text(idoneita, "sanzione_massima", "idoneita").strip().casefold()
        if sanzione and sanzione not in SANZIONI:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                idoneita.key_lines.get("sanzione_massima", idoneita.line),
                chiave="sanzione_massima",
                contesto=CONTEXT_NAMES["idoneita"],
                regola=f"«{sanzione}» non è una sanzione{suggest(sanzione, SANZIONI)}; dalla più "
                f"lieve: {', '.join(SANZIONI)}",
            )
            sanzione = ""
        if mesi and giorni:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                idoneita.line,
                chiave="servizio_minimo_mesi",
                contesto=CONTEXT_NAMES["idoneita"],
                regola="indicare il servizio minimo in mesi oppure in giorni, non entrambi",
            )
    modalita, gradi = ("percentuale", ())
    if "raggiungimento" in top:
        modalita, gradi = parse_grades(ck, top["raggiungimento"])

    schede: list[Scheda] = []
    raw_schede = top.get("schede")
    if isinstance(raw_schede, dict):
        for key in raw_schede:
            scheda = parse_scheda(ck, str(key), raw_schede[key], raw_schede.key_lines[key], scales)
            if scheda is not None:
                schede.append(scheda)
        if not raw_schede:
            ck.add(Codice.SIST_VALORE_NON_VALIDO, raw_schede.line, **_NO_SCHEDE)
    elif "schede" in top:
        ck.add(Codice.SIST_VALORE_NON_VALIDO, top.key_lines["schede"], **_NO_SCHEDE)
    etichetta = ck.text(top, "etichetta_eq", "sistema", ETICHETTE_EQ[0]).strip()
    if etichetta not in ETICHETTE_EQ:
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            top.key_lines.get("etichetta_eq", top.line),
            chiave="etichetta_eq",
            contesto=CONTEXT_NAMES["sistema"],
            regola=f"«{etichetta}» non è ammessa; scrivere «{ETICHETTE_EQ[0]}» oppure "
            f"«{ETICHETTE_EQ[1]}»",
        )
        etichetta = ETICHETTE_EQ[0]
    dirigente_valuta_eq = False
    if "regole" in top:
        regole = ck.mapping(top["regole"], "regole", top.key_lines["regole"])
        if regole is not None:
            dirigente_valuta_eq = ck.flag(regole, "dirigente_valuta_eq", "regole")
    premi = RegolePremi()
    if "premi" in top:
        premi = parse_premi(ck, top["premi"], top.key_lines["premi"])
    if ck.problems:
        raise AnomaliesError(ck.problems)

    return Sistema(
        codice=str(top["codice"]),
        nome=str(top["nome"]),
        note=str(top.get("note", "")),
        servizio_minimo_mesi=mesi,
        servizio_minimo_giorni=giorni,
        motivo_esclusione=motivo,
        modalita=modalita,  # type: ignore[arg-type]
        gradi=gradi,
        schede=tuple(schede),
        origine=filename,
        etichetta_eq=etichetta,
        dirigente_valuta_eq=dirigente_valuta_eq,
        premi=premi,
        sanzione_massima=sanzione,
    )


_NO_SCHEDE = {
    "chiave": "schede",
    "contesto": CONTEXT_NAMES["sistema"],
    "regola": "indicare almeno una scheda, ciascuna con il proprio codice",
}


FILE_SUFFIXES = (".yaml", ".yml", ".xlsx", ".ods")
WORKBOOK_SUFFIXES = (".xlsx", ".ods")


def sistema_path(name: str, base: Path | None = None) -> Path:
    """A bundled Sistema by name (`almenno-2017`) or a file, YAML or workbook (relative to
    `base`)."""
    if name.casefold().endswith(FILE_SUFFIXES):
        path = Path(name)
        return path if path.is_absolute() or base is None else base / path
    return templates_dir() / f"{name}.yaml"


def load_sistema(name: str, base: Path | None = None) -> Sistema:
    """Load and validate a Sistema; raise `AnomaliesError` when it cannot be used."""
    path = sistema_path(name, base)
    other = Path(name) if base is None or Path(name).is_absolute() else base / name
    if not path.is_file() and Path(name).suffix and other.is_file():
        # A file of another form (sistema.xls, sistema.csv): said as such, not «unknown name».
        raise AnomaliesError(
            [
                anomalia(
                    Codice.SIST_FILE,
                    file=other.name,
                    dettaglio=f"il formato «{other.suffix}» non è tra quelli che valuta legge, "
                    ".xlsx, .ods e .yaml",
                )
            ]
        )
    if not path.is_file():
        available = bundled_sistemi()
        raise AnomaliesError(
            [
                anomalia(
                    Codice.SIST_NON_TROVATO,
                    file=str(path.name),
                    nome=name,
                    suggerimento=suggest(name, available),
                    disponibili=", ".join(available),
                )
            ]
        )
    return load_sistema_file(path)


def load_sistema_file(path: Path) -> Sistema:
    """A Sistema file in either form, by its extension: YAML, or a workbook (.xlsx, .ods)."""
    if path.suffix.casefold() in WORKBOOK_SUFFIXES:
        from workbook.sistema.sheets import SETTINGS_SHEET
        from workbook.sistema.spreadsheet import read_sistema_workbook

        ck = Checker(path.name)
        top = read_sistema_workbook(path, ck)
        ck.mapping(top, "sistema", Cella(SETTINGS_SHEET, 1, "A"))
        return sistema_from_data(ck, top, path.name)
    return parse_sistema(read_text(path), path.name)


def read_text(path: Path) -> str:
    """A Sistema's text, as Windows editors save it: UTF-8 (with or without BOM), UTF-16 with
    its BOM, or Windows-1252. Raises `AnomaliesError` for anything else."""
    data = path.read_bytes()[: MAX_BYTES + 1]
    problem = None
    if len(data) > MAX_BYTES:
        problem = f"il file supera {MAX_BYTES // 1024} KB: un Sistema è lungo poche pagine"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            problem = "testo UTF-16 non valido"
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        problem = "codifica dei caratteri non riconosciuta: salvarlo in UTF-8"
    raise AnomaliesError([anomalia(Codice.SIST_YAML, file=path.name, dettaglio=problem)])
