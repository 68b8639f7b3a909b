"""Loading a Sistema: its YAML file read, every rule checked, each problem with its line.

A Sistema is a YAML file in `templates/` (or any path). Loading validates everything and
reports each problem with its YAML line, then builds the frozen model (model.py). A hostile
file is refused cleanly: aliases, nesting beyond any Sistema, numbers that are not finite or
not plausible, tags that build objects, encodings other than UTF-8, UTF-16 and Windows-1252.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from workbook.anomalies import Codice, anomalia, suggest
from workbook.errors import AnomaliesError
from workbook.resources import bundled_sistemi, templates_dir
from workbook.sistema.lines import MAX_BYTES, LineDict, LineLoader
from workbook.sistema.model import (
    RUOLI,
    Livello,
    Ruolo,
    Scheda,
    Sistema,
)
from workbook.sistema.rules import Checker, parse_grades, parse_levels, parse_scheda


def _plain(obj: Any) -> Any:
    """Plain JSON-able data, for the definition hash."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


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

    scales: dict[str, tuple[Livello, ...]] = {}
    raw_scales = top.get("scale") or {}
    if isinstance(raw_scales, dict):
        for name, levels in raw_scales.items():
            scales[str(name)] = parse_levels(
                ck, levels, raw_scales.key_lines[name], raw_scales, str(name)
            )
    mesi = giorni = 0
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
                    contesto="«idoneita»",
                    regola=f"al più {most}, la durata di un anno",
                )
                mesi, giorni = (0, giorni) if key.endswith("mesi") else (mesi, 0)
        motivo = ck.text(idoneita, "motivo", "idoneita", motivo)
        if mesi and giorni:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                idoneita.line,
                chiave="servizio_minimo_mesi",
                contesto="«idoneita»",
                regola="indicare il servizio minimo in mesi oppure in giorni, non entrambi",
            )
    modalita, gradi = ("percentuale", ())
    if "raggiungimento" in top:
        modalita, gradi = parse_grades(ck, top["raggiungimento"])

    schede: dict[Ruolo, Scheda] = {}
    raw_schede = top.get("schede")
    if isinstance(raw_schede, dict):
        for key in raw_schede:
            if key not in RUOLI:
                ck.add(
                    Codice.SIST_CHIAVE_SCONOSCIUTA,
                    raw_schede.key_lines[key],
                    chiave=key,
                    contesto="«schede»",
                    suggerimento=suggest(str(key), RUOLI),
                    ammesse=", ".join(RUOLI),
                )
        for ruolo in RUOLI:
            if ruolo not in raw_schede:
                ck.add(
                    Codice.SIST_CHIAVE_MANCANTE, raw_schede.line, chiave=ruolo, contesto="«schede»"
                )
                continue
            scheda = parse_scheda(ck, ruolo, raw_schede[ruolo], raw_schede.key_lines[ruolo], scales)
            if scheda is not None:
                schede[ruolo] = scheda
        if "po" in schede and any(v.tipo == "derivata" for v in schede["po"].voci):
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                raw_schede.key_lines["po"],
                chiave="tipo",
                contesto="la scheda po",
                regola="le voci «derivata» valgono solo per i "
                "dipendenti: la PO risponde direttamente degli obiettivi (voci «obiettivi»)",
            )
        if "dipendente" in schede and any(v.tipo == "obiettivi" for v in schede["dipendente"].voci):
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                raw_schede.key_lines["dipendente"],
                chiave="tipo",
                contesto="la scheda dipendente",
                regola="il dipendente concorre agli obiettivi dell'Area con una voce "
                "«derivata», non con voci «obiettivi»",
            )
    if ck.problems:
        raise AnomaliesError(ck.problems)

    definition = json.dumps(_plain(data), sort_keys=True, ensure_ascii=False, default=str)
    return Sistema(
        codice=str(top["codice"]),
        nome=str(top["nome"]),
        note=str(top.get("note", "")),
        servizio_minimo_mesi=mesi,
        servizio_minimo_giorni=giorni,
        motivo_esclusione=motivo,
        modalita=modalita,  # type: ignore[arg-type]
        gradi=gradi,
        schede=schede,
        hash=hashlib.sha256(definition.encode()).hexdigest(),
        origine=filename,
    )


def sistema_path(name: str, base: Path | None = None) -> Path:
    """A bundled Sistema by name (`almenno-2017`) or a YAML file (relative to `base`)."""
    if name.endswith((".yaml", ".yml")):
        path = Path(name)
        return path if path.is_absolute() or base is None else base / path
    return templates_dir() / f"{name}.yaml"


def load_sistema(name: str, base: Path | None = None) -> Sistema:
    """Load and validate a Sistema; raise `AnomaliesError` when it cannot be used."""
    path = sistema_path(name, base)
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
