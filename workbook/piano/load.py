"""The Piano della Performance and the staff roster: model, loading of `piano.xlsx`, validation.

The secretary fills `piano.xlsx` (sheets Ente, Aree, Obiettivi, Personale). Loading reads it
tolerantly (Excel dates, ISO or Italian text, «8,5»), validates everything against the Sistema
and reports each problem with sheet and row, the row number the user sees in Excel.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal

from workbook.anomalies import Anomalia, Codice, anomalia, has_errors, suggest
from workbook.errors import AnomaliesError, PianoIllegibile, UnreadableValue
from workbook.sistema.load import CATEGORIE, Ruolo, Sistema, load_sistema
from workbook.values import looks_like_formula, parse_date, parse_number

TUTTE = "tutte"
MAX_FUND = Decimal("999999999999.99")  # euro: a fund of the largest Comune is some 10**7
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
EMAIL_RE = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[A-Za-z]{2,}$")

# Sheet → ordered columns: (field, header as the user sees it, required).
COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "Aree": (
        ("codice", "Codice", True),
        ("denominazione", "Denominazione", True),
        ("responsabile", "Matricola Responsabile", False),
        ("email", "E-mail Responsabile", True),
    ),
    "Obiettivi": (
        ("codice", "Codice", True),
        ("area", "Area", True),
        ("tipo", "Tipo", True),
        ("descrizione", "Descrizione", True),
        ("risultati_attesi", "Risultati attesi", False),
        ("indicatore", "Indicatore", False),
        ("peso", "Peso", True),
        ("scadenza", "Scadenza", False),
    ),
    "Personale": (
        ("matricola", "Matricola", True),
        ("cognome", "Cognome", True),
        ("nome", "Nome", True),
        ("genere", "Genere", True),
        ("categoria", "Categoria", True),
        ("area", "Area", True),
        ("ruolo", "Ruolo", True),
        ("inizio", "Inizio servizio", False),
        ("fine", "Fine servizio", False),
        ("part_time", "Part-time %", False),
        ("email", "E-mail", False),
    ),
}
# Sheet Ente: one row per setting, label in column A and value in column B.
ENTE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("denominazione", "Denominazione dell'Ente", True),
    ("anno", "Anno di valutazione", True),
    ("sistema", "Sistema di valutazione", True),
    ("fondo_produttivita", "Fondo per la produttività dei dipendenti (€)", False),
    ("fondo_risultato_po", "Fondo per la retribuzione di risultato delle PO (€)", False),
    ("email_nucleo", "E-mail del Nucleo di Valutazione", False),
)
SHEETS = ("Ente", "Aree", "Obiettivi", "Personale")
GENERI = {
    "M": "M",
    "F": "F",
    "MASCHIO": "M",
    "FEMMINA": "F",
    "UOMO": "M",
    "DONNA": "F",
    "MASCHILE": "M",
    "FEMMINILE": "F",
}
RUOLI = {
    "PO": "po",
    "P.O.": "po",
    "POSIZIONE ORGANIZZATIVA": "po",
    "EQ": "po",
    "DIPENDENTE": "dipendente",
}


@dataclass(frozen=True, slots=True)
class Ente:
    denominazione: str
    anno: int
    sistema: str
    fondo_produttivita: Decimal
    fondo_risultato_po: Decimal
    email_nucleo: str


@dataclass(frozen=True, slots=True)
class Area:
    codice: str
    denominazione: str
    responsabile: str
    email: str
    riga: int


@dataclass(frozen=True, slots=True)
class Obiettivo:
    codice: str
    area: str  # an Area code or «tutte»
    tipo: str
    descrizione: str
    risultati_attesi: str
    indicatore: str
    peso: Decimal
    scadenza: dt.date | None
    riga: int


@dataclass(frozen=True, slots=True)
class ObiettivoArea:
    """An objective as it applies to one Area («tutte» objectives apply to every Area)."""

    area: str
    obiettivo: Obiettivo

    @property
    def id(self) -> str:
        """The objective's id in the workbook map: `<area>.<code>`."""
        return f"{self.area}.{self.obiettivo.codice}"


@dataclass(frozen=True, slots=True)
class Persona:
    matricola: str
    cognome: str
    nome: str
    genere: Literal["M", "F"]
    categoria: str
    area: str
    ruolo: Ruolo
    inizio: dt.date | None
    fine: dt.date | None
    part_time: Decimal
    email: str
    riga: int

    @property
    def nominativo(self) -> str:
        return f"{self.cognome} {self.nome}"


@dataclass(frozen=True, slots=True)
class Idoneita:
    valutabile: bool
    motivo: str
    giorni_servizio: int
    giorni_anno: int


@dataclass(frozen=True, slots=True)
class Piano:
    ente: Ente
    aree: tuple[Area, ...]
    obiettivi: tuple[Obiettivo, ...]
    personale: tuple[Persona, ...]
    sistema: Sistema
    origine: str
    # Indexes, built once: the largest Comuni have some 20,000 people and 300 Areas.
    _areas: dict[str, Area] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _people: dict[str, Persona] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _staff: dict[str, tuple[Persona, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _led: dict[str, str] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _objectives: dict[str, tuple[ObiettivoArea, ...]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _by_area: dict[str, list[Obiettivo]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._areas.update((a.codice, a) for a in self.aree)
        self._people.update((p.matricola, p) for p in self.personale)
        self._led.update((a.responsabile, a.codice) for a in self.aree if a.responsabile)
        staff: dict[str, list[Persona]] = {}
        for p in self.personale:
            if p.ruolo == "dipendente":
                staff.setdefault(p.area, []).append(p)
        self._staff.update((k, tuple(v)) for k, v in staff.items())

    def area(self, codice: str) -> Area:
        return self._areas[codice]

    def obiettivi_area(self, area: str) -> tuple[ObiettivoArea, ...]:
        """The Area's objectives, ordered by category (as in the PO scheda), then code, so that
        the objectives of one category sit on adjacent rows of the workbooks."""
        if area not in self._objectives:
            if not self._by_area:
                for o in self.obiettivi:
                    self._by_area.setdefault(o.area, []).append(o)
            rank = {c: i for i, c in enumerate(CATEGORIE)}
            mine = list(self._by_area.get(area, ()))
            if area != TUTTE:
                mine += self._by_area.get(TUTTE, ())
            mine.sort(key=lambda o: (rank.get(o.tipo, 99), o.codice))
            self._objectives[area] = tuple(ObiettivoArea(area, o) for o in mine)
        return self._objectives[area]

    def dipendenti(self, area: str) -> tuple[Persona, ...]:
        return self._staff.get(area, ())

    def po(self) -> tuple[Persona, ...]:
        """Every PO, ordered by the Area they lead (as in the Nucleo's workbook)."""
        order = {a.responsabile: i for i, a in enumerate(self.aree)}
        return tuple(
            sorted(
                (p for p in self.personale if p.ruolo == "po"),
                key=lambda p: (order.get(p.matricola, len(order)), p.matricola),
            )
        )

    def area_of_po(self, persona: Persona) -> str:
        """The Area a PO leads (or, when they lead none, the Area of their row)."""
        return self._led.get(persona.matricola, persona.area)

    def persona(self, matricola: str) -> Persona | None:
        return self._people.get(matricola)

    def idoneita(self, persona: Persona) -> Idoneita:
        return eligibility(persona, self.ente.anno, self.sistema)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def eligibility(persona: Persona, anno: int, sistema: Sistema) -> Idoneita:
    """Whether a person can be evaluated for the year, and the days of service in it."""
    first, last = dt.date(anno, 1, 1), dt.date(anno, 12, 31)
    start = max(persona.inizio or first, first)
    end = min(persona.fine or last, last)
    days_year = (last - first).days + 1
    if end < start:
        return Idoneita(False, "non in servizio nell'anno", 0, days_year)
    days = (end - start).days + 1
    enough = True
    if sistema.servizio_minimo_mesi:
        enough = add_months(start, sistema.servizio_minimo_mesi) <= end + dt.timedelta(days=1)
    elif sistema.servizio_minimo_giorni:
        enough = days >= sistema.servizio_minimo_giorni
    if not enough:
        return Idoneita(False, sistema.motivo_esclusione, days, days_year)
    return Idoneita(True, "", days, days_year)


# --- reading ---------------------------------------------------------------------------------


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def _text(value: object) -> str:
    """Cell value as text; whole numbers read from Excel lose their «.0» (matricola 1024)."""
    if type(value) is str:  # the usual case first: this runs for every cell of the Piano
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


class _Reader:
    """Reads the Piano's sheets and collects anomalies as it goes."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        self.problems: list[Anomalia] = []
        # Rows with errors are left out; checks across sheets skip what they touch, so that
        # one mistake is reported once, not again as a knock-on effect.
        self.tainted_areas: set[str] = set()
        self.tainted_people: set[str] = set()

    def add(self, codice: Codice, foglio: str, riga: int | None, **params: object) -> None:
        self.problems.append(anomalia(codice, file=self.file, foglio=foglio, riga=riga, **params))

    def rows(
        self, ws_rows: list[tuple[object, ...]], sheet: str
    ) -> Iterator[tuple[int, dict[str, object]]]:
        """Data rows as {field: value}, with the row number the user sees in Excel."""
        columns = COLUMNS[sheet]
        header_index, positions = None, {}
        for i, row in enumerate(ws_rows[:10]):
            labels = [_norm(c) for c in row]
            found = {f: labels.index(_norm(h)) for f, h, _ in columns if _norm(h) in labels}
            if len(found) > len(positions):
                header_index, positions = i, found
        if header_index is None:
            header_index = 0
        headers = [_text(c) for c in ws_rows[header_index]] if ws_rows else []
        for field, header, _ in columns:
            if field not in positions:
                self.add(
                    Codice.PIANO_COLONNA_MANCANTE,
                    sheet,
                    header_index + 1,
                    colonna=header,
                    suggerimento=suggest(header, [h for h in headers if h]),
                )
        if any(f not in positions for f, _, req in columns if req):
            return
        for i in range(header_index + 1, len(ws_rows)):
            row = ws_rows[i]
            values = {f: (row[p] if p < len(row) else None) for f, p in positions.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue  # blank rows are skipped but keep the numbering of those that follow
            yield i + 1, values

    def required(self, sheet: str, row: int, values: dict[str, object]) -> bool:
        ok = True
        for field, header, req in COLUMNS[sheet]:
            if req and not _text(values.get(field)):
                self.add(Codice.PIANO_CAMPO_MANCANTE, sheet, row, campo=header)
                ok = False
        return ok

    def text(self, sheet: str, row: int, header: str, value: object) -> str:
        text = _text(value)
        if looks_like_formula(text):
            self.add(Codice.PIANO_FORMULA, sheet, row, campo=header, inizio=text.lstrip()[:1])
        return text

    def number(
        self,
        sheet: str,
        row: int | None,
        header: str,
        value: object,
        *,
        default: Decimal,
        low: Decimal | None = None,
        high: Decimal | None = None,
        example: str = "8,5",
    ) -> Decimal:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        try:
            number = parse_number(value)
        except UnreadableValue:
            self.add(
                Codice.PIANO_NUMERO_NON_VALIDO,
                sheet,
                row,
                campo=header,
                valore=value,
                regola="",
                esempio=example,
            )
            return default
        if (low is not None and number < low) or (high is not None and number > high):
            rule = (
                f" compreso tra {_fmt(low or Decimal(0))} e {_fmt(high)}"
                if high is not None
                else f" maggiore di {_fmt(low or Decimal(0))}"
            )
            self.add(
                Codice.PIANO_NUMERO_NON_VALIDO,
                sheet,
                row,
                campo=header,
                valore=value,
                regola=rule,
                esempio=example,
            )
            return default
        return number

    def date(self, sheet: str, row: int, header: str, value: object, anno: int) -> dt.date | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_date(value)
        except UnreadableValue:
            self.add(
                Codice.PIANO_DATA_NON_VALIDA,
                sheet,
                row,
                campo=header,
                valore=_text(value),
                anno=anno,
            )
            return None

    def code(self, sheet: str, row: int, value: str, seen: dict[str, int], cosa: str) -> bool:
        if not CODE_RE.match(value):
            self.add(Codice.PIANO_CODICE_NON_VALIDO, sheet, row, valore=value)
            return False
        if value.casefold() in seen:
            self.add(
                Codice.PIANO_CODICE_DUPLICATO,
                sheet,
                row,
                valore=value,
                prima=seen[value.casefold()],
                cosa=cosa,
            )
            return False
        seen[value.casefold()] = row
        return True

    def email(self, sheet: str, row: int, header: str, value: str) -> str:
        if value and not EMAIL_RE.match(value):
            self.add(Codice.PIANO_EMAIL_NON_VALIDA, sheet, row, campo=header, valore=value)
        return value


def _read_sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's values. python-calamine (Rust) reads 20,000 rows in a few hundredths of a
    second, where openpyxl takes seconds; dates arrive as dates, empty cells as «»."""
    from python_calamine import CalamineWorkbook

    _guard(path)
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {
            name: [tuple(r) for r in wb.get_sheet_by_name(name).to_python(skip_empty_area=False)]
            for name in wb.sheet_names
        }
    finally:
        wb.close()


def _guard(path: Path) -> None:
    """The hostile-file guards of the received files, on the Piano too: a Piano that inflates
    without bound (or lies about its size) is refused before python-calamine opens it."""
    from workbook.errors import FileProblem
    from workbook.reconcile.readers.limits import MAX_FILE
    from workbook.reconcile.readers.zipped import Zip, sniff

    if path.stat().st_size > MAX_FILE:
        raise PianoIllegibile(f"il file pesa più di {MAX_FILE // 2**20} MB")
    data = path.read_bytes()
    if sniff(data) != "zip":
        return
    try:
        z = Zip(data)
        parts = {name: z.read(name) for name in sorted(z.names)}
    except FileProblem as exc:
        raise PianoIllegibile(exc.dettaglio or exc.codice.titolo) from None
    # python-calamine holds each sheet as a grid from A1 to its last cell: one far-away cell
    # (XFD1048576) asks for hundreds of GB, and the process aborts where no error can be
    # caught. A Piano has a few columns and one row per person.
    for name, body in parts.items():
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            rows = [int(r) for r in _ROW_REF.findall(body)] or [0]
            cols = [_column(c) for c in _COL_REF.findall(body)] or [0]
            if max(rows) > MAX_PIANO_ROWS or max(cols) > MAX_PIANO_COLUMNS:
                raise PianoIllegibile(
                    "un foglio ha celle molto lontane dai dati (fino alla riga "
                    f"{max(rows)}, colonna {max(cols)}): cancellarle e salvare di nuovo"
                )
        if name == "content.xml" and _ODS_REPEAT.search(body):
            raise PianoIllegibile(
                "un foglio ripete una cella con un valore per milioni di righe o colonne: "
                "cancellare le celle oltre i dati e salvare di nuovo"
            )


MAX_PIANO_ROWS = 200_000  # people and objectives of the largest Ente, with room to spare
MAX_PIANO_COLUMNS = 200
_ROW_REF = re.compile(rb"<(?:\w+:)?row[^>]*?\sr=\"(\d{1,9})\"")
_COL_REF = re.compile(rb"<(?:\w+:)?c[^>]*?\sr=\"([A-Z]{1,3})\d")
# A non-empty ODS cell repeated far beyond any Piano (LibreOffice repeats empty ones only).
_ODS_REPEAT = re.compile(
    rb"<table:table-cell[^>]*number-columns-repeated=\"(?:[2-9]\d{2,}|1\d{3,})\"[^>]*"
    rb"office:value-type"
)


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


def load_piano(path: Path, sistema: Sistema | None = None) -> tuple[Piano, list[Anomalia]]:
    """Load and validate `piano.xlsx`: the Piano and its avvisi.

    Raises `AnomaliesError` with every problem found when there is any errore.
    """
    r = _Reader(path)
    try:
        sheets = _read_sheets(path)
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
        if not r.required("Aree", row, {**v, "responsabile": "x"}) or not r.code(
            "Aree", row, codice, seen, "Area"
        ):
            continue
        responsabile = _text(v.get("responsabile"))
        if not responsabile:
            r.add(Codice.PIANO_AREA_SENZA_RESPONSABILE, "Aree", row, area=codice)
        aree.append(
            Area(
                codice=codice,
                denominazione=r.text("Aree", row, "Denominazione", v["denominazione"]),
                responsabile=responsabile,
                email=r.email("Aree", row, "E-mail Responsabile", _text(v["email"])),
                riga=row,
            )
        )
    area_codes = [a.codice for a in aree]

    personale = _read_personale(r, sheets["Personale"], area_codes, anno)
    obiettivi = _read_obiettivi(r, sheets["Obiettivi"], area_codes, anno)

    if ente is None or sistema is None:
        raise AnomaliesError(r.problems)
    piano = Piano(ente, tuple(aree), tuple(obiettivi), tuple(personale), sistema, path.name)
    _check_consistency(r, piano)
    if has_errors(r.problems):
        raise AnomaliesError(r.problems)
    return piano, r.problems


def _read_ente(r: _Reader, rows: list[tuple[object, ...]]) -> Ente | None:
    found: dict[str, tuple[int, object]] = {}
    for i, row in enumerate(rows, start=1):
        if not row or row[0] is None:
            continue
        label = _norm(row[0])
        for field, header, _ in ENTE_FIELDS:
            if label == _norm(header):
                found[field] = (i, row[1] if len(row) > 1 else None)
    ok = True
    for field, header, req in ENTE_FIELDS:
        if field not in found:
            labels = [_text(row[0]) for row in rows if row and row[0]]
            r.add(
                Codice.PIANO_COLONNA_MANCANTE,
                "Ente",
                None,
                colonna=header,
                suggerimento=suggest(header, labels),
            )
            ok = False
        elif req and not _text(found[field][1]):
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
    if anno == 0:
        return None
    return Ente(
        denominazione=r.text(
            "Ente", value("denominazione")[0], "Denominazione dell'Ente", value("denominazione")[1]
        ),
        anno=int(anno),
        sistema=_text(value("sistema")[1]),
        fondo_produttivita=money["fondo_produttivita"],
        fondo_risultato_po=money["fondo_risultato_po"],
        email_nucleo=r.email(
            "Ente", email_row, "E-mail del Nucleo di Valutazione", _text(email_raw)
        ),
    )


def _read_obiettivi(
    r: _Reader, rows: list[tuple[object, ...]], area_codes: list[str], anno: int
) -> list[Obiettivo]:
    result: list[Obiettivo] = []
    seen: dict[str, int] = {}
    for row, v in r.rows(rows, "Obiettivi"):
        if not r.required("Obiettivi", row, v):
            r.tainted_areas.add(_text(v["area"]))
            continue
        codice = _text(v["codice"])
        area = _text(v["area"])
        tipo = _text(v["tipo"]).casefold()
        ok = r.code("Obiettivi", row, codice, seen, "obiettivo")
        if area.casefold() == TUTTE:
            area = TUTTE
        elif area not in area_codes:
            r.add(
                Codice.PIANO_AREA_SCONOSCIUTA,
                "Obiettivi",
                row,
                valore=area,
                suggerimento=suggest(area, [*area_codes, TUTTE]),
                ammessi=", ".join([*area_codes, TUTTE]),
            )
            ok = False
        if tipo not in CATEGORIE:
            r.add(
                Codice.PIANO_VALORE_NON_AMMESSO,
                "Obiettivi",
                row,
                campo="Tipo",
                valore=tipo,
                suggerimento=suggest(tipo, CATEGORIE),
                ammessi=", ".join(CATEGORIE),
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
                peso=peso,
                scadenza=r.date("Obiettivi", row, "Scadenza", v["scadenza"], anno),
                riga=row,
            )
        )
    return result


def _read_personale(
    r: _Reader, rows: list[tuple[object, ...]], area_codes: list[str], anno: int
) -> list[Persona]:
    result: list[Persona] = []
    seen: dict[str, int] = {}
    known_areas = set(area_codes)
    for row, v in r.rows(rows, "Personale"):
        if not r.required("Personale", row, v):
            r.tainted_people.add(_text(v["matricola"]))
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
        genere = GENERI.get(_text(v["genere"]).upper())
        if genere is None:
            r.add(
                Codice.PIANO_VALORE_NON_AMMESSO,
                "Personale",
                row,
                campo="Genere",
                valore=_text(v["genere"]),
                suggerimento="",
                ammessi="M, F",
            )
            ok = False
        ruolo = RUOLI.get(_text(v["ruolo"]).upper())
        if ruolo is None:
            r.add(
                Codice.PIANO_VALORE_NON_AMMESSO,
                "Personale",
                row,
                campo="Ruolo",
                valore=_text(v["ruolo"]),
                suggerimento=suggest(_text(v["ruolo"]), ["PO", "dipendente"]),
                ammessi="PO, dipendente",
            )
            ok = False
        area = _text(v["area"])
        if area not in known_areas:
            r.add(
                Codice.PIANO_AREA_SCONOSCIUTA,
                "Personale",
                row,
                valore=area,
                suggerimento=suggest(area, area_codes),
                ammessi=", ".join(area_codes),
            )
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
        email = r.email("Personale", row, "E-mail", _text(v["email"]))
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
            )
        )
    return result


def _check_consistency(r: _Reader, piano: Piano) -> None:
    """Rules that involve more than one sheet, or the Sistema."""
    people = {p.matricola: p for p in piano.personale}
    led: dict[str, str] = {}
    for area in piano.aree:
        if not area.responsabile or area.responsabile in r.tainted_people:
            continue
        person = people.get(area.responsabile)
        if person is None:
            r.add(
                Codice.PIANO_RESPONSABILE_NON_VALIDO,
                "Aree",
                area.riga,
                area=area.codice,
                valore=area.responsabile,
                dettaglio="che non è nel foglio Personale",
                suggerimento=suggest(area.responsabile, people),
            )
        elif person.ruolo != "po":
            r.add(
                Codice.PIANO_RESPONSABILE_NON_VALIDO,
                "Aree",
                area.riga,
                area=area.codice,
                valore=area.responsabile,
                dettaglio=f"ma {person.nominativo} ha ruolo "
                "«dipendente» nel foglio Personale: indicare ruolo PO",
                suggerimento="",
            )
        elif area.responsabile in led:
            r.add(
                Codice.PIANO_RESPONSABILE_NON_VALIDO,
                "Aree",
                area.riga,
                area=area.codice,
                valore=area.responsabile,
                dettaglio=f"che è già Responsabile dell'Area "
                f"«{led[area.responsabile]}»: ogni PO risponde di una sola Area",
                suggerimento="",
            )
        led.setdefault(area.responsabile, area.codice)
    for p in piano.personale:
        if p.ruolo == "po" and p.matricola not in led:
            r.add(Codice.PIANO_PO_SENZA_AREA, "Personale", p.riga, valore=p.matricola)

    scheda_po = piano.sistema.scheda("po")
    has_derived = any(v.tipo == "derivata" for v in piano.sistema.scheda("dipendente").voci)
    for area in piano.aree:
        if {area.codice, TUTTE} & r.tainted_areas:
            continue
        objectives = piano.obiettivi_area(area.codice)
        if not objectives and has_derived:
            r.add(Codice.PIANO_AREA_SENZA_OBIETTIVI, "Obiettivi", None, area=area.codice)
        for voce in scheda_po.voci:
            if voce.tipo != "obiettivi":
                continue
            total = sum(
                (o.obiettivo.peso for o in objectives if o.obiettivo.tipo == voce.categoria),
                Decimal(0),
            )
            if total != voce.massimo:
                rows = [o.obiettivo.riga for o in objectives if o.obiettivo.tipo == voce.categoria]
                r.add(
                    Codice.PIANO_PESI,
                    "Obiettivi",
                    rows[0] if rows else None,
                    area=area.codice,
                    tipo=voce.categoria,
                    somma=_fmt(total),
                    voce=voce.titolo,
                    massimo=_fmt(voce.massimo),
                )
        if not piano.dipendenti(area.codice):
            r.add(Codice.PIANO_AREA_SENZA_PERSONALE, "Personale", None, area=area.codice)


def _fmt(value: Decimal) -> str:
    from workbook.values import format_number

    return format_number(value)
