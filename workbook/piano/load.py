"""Loading piano.xlsx: every sheet read and checked against the Sistema, each problem with
its sheet and row.

The Segreteria fills `piano.xlsx` (sheets Ente, Aree, Obiettivi, Personale). Loading reads it
(file.py), row by row (reading.py), builds the model (model.py) and checks what involves more
than one sheet (checks.py); every problem of the Piano is reported at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from workbook.anomalies import Anomalia, Codice, has_errors, suggest
from workbook.contract import SEGRETARIO
from workbook.cycle import PIANO_FORMATS
from workbook.errors import AnomaliesError, CycleError
from workbook.piano.checks import check_consistency
from workbook.piano.file import read_sheets
from workbook.piano.model import Area, Assenza, Ente, Obiettivo, Persona, Piano
from workbook.piano.reading import Reader, norm, text_of
from workbook.piano.sheets import (
    ACTS,
    ADDED_LATER,
    ASSIGNEE_SEPARATORS,
    ENTE_FIELDS,
    GENERI,
    MAX_FUND,
    PAROLE_RUOLO,
    PAROLE_SEGRETARIO,
    RESERVED_AREA_CODES,
    RUOLI_AMMESSI,
    SHEETS,
    TUTTE,
)
from workbook.sistema.load import load_sistema
from workbook.sistema.model import CATEGORIE, CAUSE_ASSENZA, SANZIONI, Sistema


def load_piano(
    path: Path, sistema: Sistema | None = None, *, partial: bool = False
) -> tuple[Piano, list[Anomalia]]:
    """Load and validate `piano.xlsx` (or `piano.ods`): the Piano and its avvisi. Every
    command reads the Piano here, from `Cycle.piano_path`.

    Raises `AnomaliesError` with every problem found when there is any errore, `CycleError`
    when there is no Piano to read. With `partial`, `AnomaliesError` only when not even a
    partial Piano could be built (no Ente, no Sistema, a sheet missing): otherwise the Piano
    of the rows without errors, and every problem (for `controllo.py`, which checks the rest
    of the cycle against it).
    """
    r = Reader(path)
    if not path.is_file():
        raise CycleError(_missing(path))
    if path.suffix.casefold() not in PIANO_FORMATS:
        r.add(Codice.PIANO_FILE, "", None, dettaglio=_other_format(path.suffix))
        raise AnomaliesError(r.problems)
    try:
        sheets = read_sheets(path)
    except Exception as exc:
        r.add(Codice.PIANO_FILE, "", None, dettaglio=str(exc) or type(exc).__name__)
        raise AnomaliesError(r.problems) from None
    for name in SHEETS:
        if name not in sheets:
            r.add(
                Codice.PIANO_FOGLIO_MANCANTE,
                "",
                None,
                nome=name,
                suggerimento=suggest(name, sheets),
                attesi=", ".join(SHEETS),
            )
    if r.problems:
        raise AnomaliesError(r.problems)

    ente = _read_ente(r, sheets["Ente"])
    if sistema is None and ente is not None and ente.sistema:
        try:
            sistema = load_sistema(ente.sistema, path.parent)
        except AnomaliesError as exc:
            r.problems.extend(exc.anomalies)
    anno = ente.anno if ente else dt.date.today().year

    aree: list[Area] = []
    seen: dict[str, int] = {}
    for row, v in r.rows(sheets["Aree"], "Aree"):
        codice = r.text("Aree", row, "Codice", v["codice"])
        responsabile = text_of(v.get("responsabile"))
        led_by_segretario = " ".join(responsabile.split()).upper() in PAROLE_SEGRETARIO
        # The Segretario's e-mail is in the Ente sheet. A row with a value missing is still an
        # Area: its people and objectives are not reported again as «unknown Area».
        r.required(
            "Aree",
            row,
            {**v, "responsabile": "x", "email": "x" if led_by_segretario else v["email"]},
        )
        if not text_of(v["codice"]):
            continue
        if not r.code("Aree", row, codice, seen, "Area"):
            if codice.casefold() not in seen:  # refused for its characters, not a duplicate
                r.broken_areas.add(codice)
            continue
        if codice.casefold() in RESERVED_AREA_CODES:  # kept: its rows are not «unknown Area»
            r.add(
                Codice.PIANO_CODICE_RISERVATO,
                "Aree",
                row,
                valore=codice,
                motivo=RESERVED_AREA_CODES[codice.casefold()],
            )
        if led_by_segretario:
            responsabile = SEGRETARIO
        if not responsabile:
            r.add(Codice.PIANO_AREA_SENZA_RESPONSABILE, "Aree", row, area=codice)
        aree.append(
            Area(
                codice=codice,
                denominazione=r.text("Aree", row, "Denominazione", v["denominazione"]),
                responsabile=responsabile,
                email=r.email("Aree", row, "E-mail Responsabile", text_of(v["email"])),
                riga=row,
            )
        )
    area_codes = [a.codice for a in aree]

    personale = _read_personale(r, sheets["Personale"], area_codes, anno)
    obiettivi = _read_obiettivi(r, sheets["Obiettivi"], area_codes, anno)
    r.report_unknown({"Personale": area_codes, "Obiettivi": [*area_codes, TUTTE]})
    assenze = _read_assenze(r, sheets.get("Assenze", []), {p.matricola for p in personale})

    if ente is None or sistema is None:
        raise AnomaliesError(r.problems)
    piano = Piano(
        ente, tuple(aree), tuple(obiettivi), tuple(personale), sistema, path.name, assenze
    )
    check_consistency(r, piano)
    if has_errors(r.problems) and not partial:
        raise AnomaliesError(r.problems)
    return piano, r.problems


def _missing(path: Path) -> str:
    """Where the Piano should be, and what is there instead (a piano.xls, a piano.csv)."""
    others = sorted(
        p.name
        for p in path.parent.glob("*")
        if p.stem.casefold() == path.stem.casefold() and p.is_file()
    )
    text = (
        f"Nella cartella del ciclo «{path.parent}» manca il Piano: valuta legge "
        f"{path.stem}.xlsx oppure {path.stem}.ods (il formato di LibreOffice)."
    )
    if others:
        text += (
            f" C'è {', '.join(others)}: aprirlo con Excel o LibreOffice e salvarlo con "
            f"«Salva con nome» come {path.stem}.xlsx (Cartella di lavoro di Excel) o "
            f"{path.stem}.ods."
        )
    else:
        text += " Crearlo con «valuta init» in una nuova cartella e copiarlo qui."
    return text


def _other_format(suffix: str) -> str:
    shown = suffix or "senza estensione"
    return f"il formato «{shown}» non è tra quelli che valuta legge, .xlsx e .ods"


def _read_ente(r: Reader, rows: list[tuple[object, ...]]) -> Ente | None:
    found: dict[str, tuple[int, object]] = {}
    for i, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        label = norm(row[0])
        for field, header, _ in ENTE_FIELDS:
            if label == norm(header):
                found[field] = (i, row[1] if len(row) > 1 else None)
    ok = True
    for field, header, req in ENTE_FIELDS:
        if field not in found and field in ADDED_LATER:
            found[field] = (0, None)
        elif field not in found:
            labels = [text_of(row[0]) for row in rows if row and row[0]]
            r.add(
                Codice.PIANO_COLONNA_MANCANTE,
                "Ente",
                None,
                colonna=header,
                suggerimento=suggest(header, labels),
            )
            ok = False
        elif req and not text_of(found[field][1]):
            r.add(Codice.PIANO_CAMPO_MANCANTE, "Ente", found[field][0], campo=header)
            ok = False
    if not ok:
        return None

    def value(field: str) -> tuple[int, object]:
        return found[field]

    anno_row, anno_raw = value("anno")
    anno = r.number(
        "Ente",
        anno_row,
        "Anno di valutazione",
        anno_raw,
        default=Decimal(0),
        low=Decimal(2000),
        high=Decimal(2100),
        example="2017",
    )
    if anno != anno.to_integral_value():
        r.add(
            Codice.PIANO_NUMERO_NON_VALIDO,
            "Ente",
            anno_row,
            campo="Anno di valutazione",
            valore=anno_raw,
            regola=" intero",
            esempio="2017",
        )
        anno = Decimal(0)
    money = {}
    for field in ("fondo_produttivita", "fondo_risultato_po"):
        row, raw = value(field)
        header = next(h for f, h, _ in ENTE_FIELDS if f == field)
        money[field] = r.number(
            "Ente",
            row,
            header,
            raw,
            default=Decimal(0),
            low=Decimal(0),
            high=MAX_FUND,
            example="30.000,00",
        ).quantize(Decimal("0.01"))
    email_row, email_raw = value("email_nucleo")
    segretario_row, segretario_raw = value("segretario")
    sec_email_row, sec_email_raw = value("email_segretario")
    if anno == 0:
        return None
    return Ente(
        denominazione=r.text(
            "Ente", value("denominazione")[0], "Denominazione dell'Ente", value("denominazione")[1]
        ),
        anno=int(anno),
        sistema=text_of(value("sistema")[1]),
        fondo_produttivita=money["fondo_produttivita"],
        fondo_risultato_po=money["fondo_risultato_po"],
        email_nucleo=r.email(
            "Ente", email_row, "E-mail del Nucleo di Valutazione", text_of(email_raw)
        ),
        segretario=r.text("Ente", segretario_row, "Segretario Comunale", segretario_raw),
        email_segretario=r.email(
            "Ente", sec_email_row, "E-mail del Segretario Comunale", text_of(sec_email_raw)
        ),
        **{
            field: r.text("Ente", value(field)[0], header, value(field)[1])
            for field, header, _ in ENTE_FIELDS
            if field in ACTS
        },
    )


def _read_obiettivi(
    r: Reader, rows: list[tuple[object, ...]], area_codes: list[str], anno: int
) -> list[Obiettivo]:
    result: list[Obiettivo] = []
    seen: dict[str, int] = {}
    for row, v in r.rows(rows, "Obiettivi"):
        if not r.required("Obiettivi", row, v):
            r.tainted_areas.add(text_of(v["area"]))
            continue
        codice = text_of(v["codice"])
        area = text_of(v["area"])
        tipo = text_of(v["tipo"]).casefold()
        ok = r.code("Obiettivi", row, codice, seen, "obiettivo")
        if area.casefold() == TUTTE:
            area = TUTTE
        elif area not in area_codes:
            r.unknown_area("Obiettivi", row, area)
            ok = False
        if tipo not in CATEGORIE:
            r.not_allowed("Obiettivi", row, "Tipo", tipo, CATEGORIE)
            ok = False
        assegnatari = tuple(
            dict.fromkeys(
                m.strip() for m in ASSIGNEE_SEPARATORS.split(text_of(v["assegnatari"])) if m.strip()
            )
        )
        if assegnatari and area == TUTTE:
            r.add(
                Codice.PIANO_ASSEGNATARI,
                "Obiettivi",
                row,
                obiettivo=codice,
                dettaglio="è di tutte le Aree e non può essere assegnato a persone: indicare "
                "l'Area delle persone a cui è assegnato",
            )
            ok = False
        peso = r.number(
            "Obiettivi",
            row,
            "Peso",
            v["peso"],
            default=Decimal(-1),
            low=Decimal("0.01"),
            high=Decimal(100),
        )
        if not ok or peso < 0:
            r.tainted_areas.add(area)
            continue
        result.append(
            Obiettivo(
                codice=codice,
                area=area,
                tipo=tipo,
                descrizione=r.text("Obiettivi", row, "Descrizione", v["descrizione"]),
                risultati_attesi=r.text(
                    "Obiettivi", row, "Risultati attesi", v["risultati_attesi"]
                ),
                indicatore=r.text("Obiettivi", row, "Indicatore", v["indicatore"]),
                valore_atteso=r.text("Obiettivi", row, "Valore atteso", v["valore_atteso"]),
                peso=peso,
                scadenza=r.date("Obiettivi", row, "Scadenza", v["scadenza"], anno),
                riga=row,
                assegnatari=assegnatari,
            )
        )
    return result


def _read_assenze(
    r: Reader, rows: list[tuple[object, ...]], people: set[str]
) -> tuple[Assenza, ...]:
    """The Assenze sheet, when the Piano has one: a person of the Personale sheet, a cause of
    the list, a number of days."""
    out: list[Assenza] = []
    for row, v in r.rows(rows, "Assenze") if rows else ():
        if not r.required("Assenze", row, v):
            continue
        matricola = text_of(v["matricola"])
        causa = " ".join(text_of(v["causa"]).split()).casefold()
        giorni = r.number(
            "Assenze",
            row,
            "Giorni",
            v["giorni"],
            default=Decimal(0),
            low=Decimal(0),
            high=Decimal(366),
            example="12",
        )
        ok = True
        if matricola not in people and matricola not in r.tainted_people:
            r.not_allowed(
                "Assenze", row, "Matricola", matricola, people, "le matricole del foglio Personale"
            )
            ok = False
        if causa not in CAUSE_ASSENZA:
            r.not_allowed("Assenze", row, "Causa", text_of(v["causa"]), CAUSE_ASSENZA)
            ok = False
        if ok:
            out.append(Assenza(matricola, causa, int(giorni), row))
    return tuple(out)


def _read_personale(
    r: Reader, rows: list[tuple[object, ...]], area_codes: list[str], anno: int
) -> list[Persona]:
    result: list[Persona] = []
    seen: dict[str, int] = {}
    known_areas = set(area_codes)
    for row, v in r.rows(rows, "Personale"):
        if not r.required("Personale", row, v):
            r.tainted_people.add(text_of(v["matricola"]))
            continue
        matricola = r.text("Personale", row, "Matricola", v["matricola"])
        ok = True
        if matricola in seen:
            r.add(
                Codice.PIANO_MATRICOLA_DUPLICATA,
                "Personale",
                row,
                valore=matricola,
                prima=seen[matricola],
            )
            ok = False
        seen.setdefault(matricola, row)
        genere = GENERI.get(text_of(v["genere"]).upper())
        if genere is None:
            r.add(
                Codice.PIANO_VALORE_NON_AMMESSO,
                "Personale",
                row,
                campo="Genere",
                valore=text_of(v["genere"]),
                suggerimento="",
                ammessi="M, F",
            )
            ok = False
        ruolo = PAROLE_RUOLO.get(text_of(v["ruolo"]).upper())
        if ruolo is None:
            r.add(
                Codice.PIANO_VALORE_NON_AMMESSO,
                "Personale",
                row,
                campo="Ruolo",
                valore=text_of(v["ruolo"]),
                suggerimento=suggest(text_of(v["ruolo"]), ["EQ", "PO", "dipendente", "dirigente"]),
                ammessi=RUOLI_AMMESSI,
            )
            ok = False
        area = text_of(v["area"])
        if area not in known_areas:
            r.unknown_area("Personale", row, area)
            ok = False
        inizio = r.date("Personale", row, "Inizio servizio", v["inizio"], anno)
        fine = r.date("Personale", row, "Fine servizio", v["fine"], anno)
        if inizio and fine and fine < inizio:
            r.add(
                Codice.PIANO_DATE_IMPOSSIBILI,
                "Personale",
                row,
                dettaglio=f"la fine del servizio ({fine:%d/%m/%Y}) precede l'inizio "
                f"({inizio:%d/%m/%Y})",
            )
            ok = False
        for label, day in (("inizio", inizio), ("fine", fine)):
            if day and not 1950 <= day.year <= anno + 50:
                r.add(
                    Codice.PIANO_DATE_IMPOSSIBILI,
                    "Personale",
                    row,
                    dettaglio=f"la data di {label} del servizio ({day:%d/%m/%Y}) non è plausibile",
                )
                ok = False
        part_time = r.number(
            "Personale",
            row,
            "Part-time %",
            v["part_time"],
            default=Decimal(100),
            low=Decimal(1),
            high=Decimal(100),
            example="50",
        )
        email = r.email("Personale", row, "E-mail", text_of(v["email"]))
        posizione = r.number(
            "Personale",
            row,
            "Retribuzione di posizione (€ annui)",
            v["posizione"],
            default=Decimal(-1),
            low=Decimal(0),
            high=MAX_FUND,
            example="12.000",
        )
        sanzione = " ".join(text_of(v["sanzione"]).split()).casefold()
        if sanzione in ("", "nessuna"):
            sanzione = ""
        elif sanzione not in SANZIONI:
            r.not_allowed(
                "Personale",
                row,
                "Sanzione disciplinare nell'anno",
                text_of(v["sanzione"]),
                SANZIONI,
                "nessuna, " + ", ".join(SANZIONI),
            )
            sanzione = ""
        if not ok or genere is None or ruolo is None:
            r.tainted_people.add(matricola)
            continue
        result.append(
            Persona(
                matricola=matricola,
                cognome=r.text("Personale", row, "Cognome", v["cognome"]),
                nome=r.text("Personale", row, "Nome", v["nome"]),
                genere=genere,  # type: ignore[arg-type]
                categoria=r.text("Personale", row, "Categoria", v["categoria"]),
                area=area,
                ruolo=ruolo,  # type: ignore[arg-type]
                inizio=inizio,
                fine=fine,
                part_time=part_time,
                email=email,
                riga=row,
                scheda=text_of(v["scheda"]),
                posizione=posizione if posizione >= 0 else None,
                sanzione=sanzione,
            )
        )
    return result
