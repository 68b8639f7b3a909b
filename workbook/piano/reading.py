"""Reading the rows of the Piano's sheets tolerantly (Excel dates, ISO or Italian text, «8,5»),
collecting anomalies as it goes, each with sheet and the row number the user sees in Excel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from workbook.anomalies import Anomalia, Codice, anomalia, suggest
from workbook.errors import UnreadableValue
from workbook.lingua import parola
from workbook.piano.sheets import ADDED_LATER, CODE_RE, COLUMNS, EMAIL_RE
from workbook.values import format_number, looks_like_formula, parse_date, parse_number


def norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def text_of(value: object) -> str:
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


class Reader:
    """Reads the Piano's sheets and collects anomalies as it goes."""

    def __init__(self, path: Path) -> None:
        self.file = path.name
        self.problems: list[Anomalia] = []
        # Rows with errors are left out; checks across sheets skip what they touch, so that
        # one mistake is reported once, not again as a knock-on effect.
        self.tainted_areas: set[str] = set()
        self.tainted_people: set[str] = set()
        # Areas with an objective assigned to someone it cannot be: the weights of the people's
        # assigned objectives there are not checked again (the assignment is the mistake).
        self.tainted_assignments: set[str] = set()
        # Area codes of Aree rows refused for their code (reported there): the rows that name
        # them are left out without a second error each.
        self.broken_areas: set[str] = set()
        # (sheet, unknown Area) → the rows that name it: one anomaly each (`report_unknown`).
        self.unknown_areas: dict[tuple[str, str], list[int]] = {}

    def add(self, codice: Codice, foglio: str, riga: int | None, **params: object) -> None:
        self.problems.append(anomalia(codice, file=self.file, foglio=foglio, riga=riga, **params))

    def unknown_area(self, sheet: str, row: int, area: str) -> None:
        """A row naming an Area the Aree sheet does not define: reported once per sheet and
        Area, with every row (`report_unknown`); silent for a code refused in the Aree sheet."""
        if area not in self.broken_areas:
            self.unknown_areas.setdefault((sheet, area), []).append(row)

    def report_unknown(self, choices: dict[str, list[str]]) -> None:
        """One PIANO-AREA-SCONOSCIUTA per sheet and unknown Area, at its first row, naming the
        others; `choices`: the codes each sheet may use."""
        for (sheet, area), rows in self.unknown_areas.items():
            others = rows[1:]
            shown = ", ".join(str(n) for n in others[:10])
            if len(others) > 10:
                shown += f" e altre {len(others) - 10}"
            self.add(
                Codice.PIANO_AREA_SCONOSCIUTA,
                sheet,
                rows[0],
                valore=area,
                suggerimento=suggest(area, choices[sheet]),
                ammessi=", ".join(choices[sheet]),
                altre=f" (la indicano anche {parola(len(others), 'la riga', 'le righe')} {shown})"
                if others
                else "",
            )
        self.unknown_areas.clear()

    def rows(
        self, ws_rows: list[tuple[object, ...]], sheet: str
    ) -> Iterator[tuple[int, dict[str, object]]]:
        """Data rows as {field: value}, with the row number the user sees in Excel."""
        columns = COLUMNS[sheet]
        header_index, positions = None, {}
        for i, row in enumerate(ws_rows[:10]):
            labels = [norm(c) for c in row]
            found = {f: labels.index(norm(h)) for f, h, _ in columns if norm(h) in labels}
            if len(found) > len(positions):
                header_index, positions = i, found
        if header_index is None:
            header_index = 0
        headers = [text_of(c) for c in ws_rows[header_index]] if ws_rows else []
        for field, header, _ in columns:
            if field not in positions and field not in ADDED_LATER:
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
            values.update((f, None) for f, _, _ in columns if f not in positions)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue  # blank rows are skipped but keep the numbering of those that follow
            yield i + 1, values

    def not_allowed(
        self,
        sheet: str,
        row: int,
        campo: str,
        valore: object,
        choices: Iterable[str],
        ammessi: str = "",
    ) -> None:
        """A value that is not one of `choices`: the anomaly, with the closest choice."""
        choices = list(choices)
        self.add(
            Codice.PIANO_VALORE_NON_AMMESSO,
            sheet,
            row,
            campo=campo,
            valore=valore,
            suggerimento=suggest(str(valore).casefold(), choices),
            ammessi=ammessi or ", ".join(choices),
        )

    def required(self, sheet: str, row: int, values: dict[str, object]) -> bool:
        ok = True
        for field, header, req in COLUMNS[sheet]:
            if req and not text_of(values.get(field)):
                self.add(Codice.PIANO_CAMPO_MANCANTE, sheet, row, campo=header)
                ok = False
        return ok

    def text(self, sheet: str, row: int, header: str, value: object) -> str:
        text = text_of(value)
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
                f" compreso tra {fmt(low or Decimal(0))} e {fmt(high)}"
                if high is not None
                else f" maggiore di {fmt(low or Decimal(0))}"
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
                valore=text_of(value),
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


def fmt(value: Decimal) -> str:
    return format_number(value)
