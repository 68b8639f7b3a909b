"""Check the inputs of one received workbook, in the process that read it.

Once a file is proven ours, untouched and of the current generation (`verify.py`), every input
its map names is taken at its cell, checked against what the scoring grid allows there (a list
of grades or a range of scores) and converted: scores to `Decimal`, grades to the Sistema's
spelling. What is wrong becomes an anomaly naming the file, sheet and cell.

This runs in the reading processes, next to the file: only the checked values cross back to
the main process, which scores people with them (`sources.py`). The anomalies stay with the
version they come from and count only if that version is the one that counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import NUCLEO, CellValue, MapEntry, compilatore, modulo_areas
from workbook.errors import UnreadableValue
from workbook.piano.model import Piano
from workbook.scoring.engine import achievement_value
from workbook.sistema.model import RUOLI
from workbook.values import canonical_number, format_count, format_number, is_blank, parse_number

Raw = tuple[CellValue, str | None]  # (value, formula) as read from the cell
BLANK: Raw = (None, None)


class Dichiarazione(NamedTuple):
    """What one workbook says of one objective: the achievement credited (%) and the report
    on it, with the cell of the achievement."""

    percentuale: Decimal | None
    evidenze: str  # the Responsabile's report, or the Nucleo's motivation
    foglio: str
    cella: str
    valore_raggiunto: str = ""  # the indicator's value reached (an Area's workbook)
    motivo_scostamento: str = ""  # why the objective fell short of its target


@dataclass(slots=True)
class Compilazione:
    """The checked inputs of one version of a workbook."""

    # matricola → factor code → score; only the people this workbook evaluates and the Piano
    # knows, when they can be evaluated (see `check_inputs`).
    schede: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    obiettivi: dict[str, Dichiarazione] = field(default_factory=dict)  # by ObiettivoArea.id
    anomalie: list[Anomalia] = field(default_factory=list)

    def as_inputs(self, piano: Piano) -> dict[str, Decimal | str | None]:
        """The checked inputs by map key, as `scoring.shown_results` takes them."""
        out: dict[str, Decimal | str | None] = {
            f"obiettivo/{ident}/raggiungimento": d.percentuale
            for ident, d in self.obiettivi.items()
        }
        for matricola, factors in self.schede.items():
            person = piano.persona(matricola)
            for code, value in factors.items():
                out[f"{person.ruolo if person else ''}/{matricola}/{code}"] = value
        return out


class _Checker:
    """Checks one version of the workbook `modulo`; what it finds goes into `out`."""

    def __init__(
        self,
        piano: Piano,
        modulo: str,
        etichetta: str,
        mappa: list[MapEntry],
        raw: dict[str, Raw],
        formats: dict[str, str],
    ) -> None:
        self.piano = piano
        self.modulo = modulo
        self.etichetta = etichetta
        self.valutatore = compilatore(piano, modulo).ruolo
        self.raw = raw
        self.formats = formats
        self.out = Compilazione()
        # The map's entries of each person or objective, by voce.
        self.index: dict[tuple[str, str], dict[str, MapEntry]] = {}
        for e in mappa:
            soggetto, ident, voce = e.chiave.split("/", 2)
            self.index.setdefault((soggetto, ident), {})[voce] = e

    def filled(self, entry: MapEntry) -> bool:
        """Whether the cell holds anything: a cell of spaces only (no-break and zero-width
        ones too) is as empty to the person reading it as an empty one."""
        raw, formula = self.raw.get(entry.chiave, BLANK)
        return bool(formula) or not _empty(raw)

    def value(self, entry: MapEntry, cosa: str) -> Decimal | str | None:
        """The checked value of one input, or None (missing or wrong: reported here)."""
        raw, formula = self.raw.get(entry.chiave, BLANK)
        values, span = entry.allowed()
        if formula:
            self.report(
                entry,
                Codice.REC_FORMULA_IN_INPUT,
                cosa=cosa,
                formula=_short(formula),
                valutatore=self.valutatore,
            )
            return None
        if _empty(raw):
            return None
        if values is None and span is None:  # free text
            text = str(raw).strip()
            if len(text) > CELL_TEXT:
                self.report(
                    entry, Codice.REC_TESTO_TROPPO_LUNGO, cosa=cosa, n=format_count(len(text))
                )
            return text
        ammessi = (
            ", ".join(values)
            if values is not None
            else f"da {format_number(span[0])} a {format_number(span[1])}"  # type: ignore[index]
        )
        numeric = span is not None or all(_is_number(x) for x in values or ())
        if not numeric:  # a grade, chosen from the list
            text = str(raw).strip()
            match = next((x for x in values or () if x.casefold() == text.casefold()), None)
            if match is None:
                self.not_allowed(entry, _short(text), cosa, ammessi)
            return match
        try:
            number = parse_number(raw)
        except UnreadableValue:
            self.report(
                entry,
                Codice.REC_TESTO_NON_NUMERO,
                cosa=cosa,
                valore=_short(str(raw)),
                ammessi=ammessi,
                valutatore=self.valutatore,
            )
            return None
        if isinstance(raw, str):
            self.report(
                entry,
                Codice.REC_NUMERO_COME_TESTO,
                cosa=cosa,
                valore=raw.strip(),
                letto=format_number(number),
            )
        shown_as = self.formats.get(entry.chiave, "")
        if span is not None and span[1] == 100 and ("%" in shown_as or shown_as == "percentuale"):
            # «85%» typed into an achievement from 0 to 100: stored as 0,85, which the sheet's
            # formulas count as 0,85%.
            self.report(
                entry,
                Codice.REC_PERCENTUALE_COME_FRAZIONE,
                cosa=cosa,
                valore=f"{format_number(number * 100)}%",
                letto=f"{format_number(number)}%",
                valutatore=self.valutatore,
            )
            return None
        allowed = (
            (span[0] <= number <= span[1]) if span else (canonical_number(number) in (values or ()))
        )
        if not allowed:
            self.not_allowed(entry, format_number(number), cosa, ammessi)
            return None
        return number

    def not_allowed(self, entry: MapEntry, valore: str, cosa: str, ammessi: str) -> None:
        self.report(
            entry,
            Codice.REC_VALORE_NON_AMMESSO,
            valore=valore,
            cosa=cosa,
            ammessi=ammessi,
            valutatore=self.valutatore,
        )

    def text(self, entry: MapEntry | None, cosa: str) -> str:
        """A free-text input, checked as `value` checks it; "" when the map has no such cell
        (a workbook generated before it) or the cell is empty or wrong."""
        value = self.value(entry, cosa) if entry is not None else None
        return value if isinstance(value, str) else ""

    def required(self, entry: MapEntry, cosa: str) -> Decimal | str | None:
        """`value`, with an empty cell reported as missing."""
        value = self.value(entry, cosa)
        if value is None and not self.filled(entry):
            self.report(entry, Codice.REC_VALORE_MANCANTE, cosa=cosa, valutatore=self.valutatore)
        return value

    def report(self, entry: MapEntry | None, codice: Codice, **params: object) -> None:
        """An anomaly of this workbook, at the input's cell when there is one."""
        self.out.anomalie.append(
            anomalia(
                codice,
                file=self.etichetta,
                foglio=entry.foglio if entry else "",
                cella=entry.cella if entry else "",
                **params,
            )
        )

    def objectives(self) -> None:
        """The achievement of each objective of the Piano this workbook reports on: declared
        by the Responsabile (an Area's workbook) or validated by the Nucleo."""
        piano, modulo = self.piano, self.modulo
        what = "validato" if modulo == NUCLEO else "dichiarato"
        for area in modulo_areas(piano, modulo):
            for item in piano.obiettivi_area(area):
                entries = self.index.get(("obiettivo", item.id), {})
                entry = entries.get("raggiungimento")
                if entry is None:
                    continue
                cosa = f"il raggiungimento {what} dell'obiettivo {item.obiettivo.codice}"
                raw = self.required(entry, cosa)
                percent = achievement_value(piano.sistema, raw) if raw is not None else None
                codice = item.obiettivo.codice
                texts = {
                    field: self.text(entries.get(field), f"{cosa} dell'obiettivo {codice}")
                    for field, cosa in (
                        ("evidenze", "la relazione sul raggiungimento"),
                        ("valore_raggiunto", "il valore raggiunto"),
                        ("motivo_scostamento", "il motivo dello scostamento"),
                    )
                }
                if modulo != NUCLEO and percent is not None and not texts["evidenze"]:
                    self.report(
                        entries.get("evidenze"), Codice.REC_EVIDENZE_MANCANTI, obiettivo=codice
                    )
                reason = entries.get("motivo_scostamento")
                if (
                    reason is not None
                    and percent is not None
                    and percent < 100
                    and not texts["motivo_scostamento"]
                ):
                    self.report(
                        reason,
                        Codice.REC_SCOSTAMENTO_SENZA_MOTIVO,
                        obiettivo=codice,
                        raggiungimento=format_number(percent),
                    )
                self.out.obiettivi[item.id] = Dichiarazione(
                    percent,
                    texts["evidenze"],
                    entry.foglio,
                    entry.cella,
                    texts["valore_raggiunto"],
                    texts["motivo_scostamento"],
                )

    def people(self) -> None:
        """The factor scores of each person this workbook evaluates. Someone the Piano does
        not put here (the Piano changed since) is reported and left out; someone who cannot be
        evaluated this year is left out, and reported if scored all the same."""
        piano = self.piano
        for (soggetto, matricola), entries in self.index.items():
            if soggetto not in RUOLI:
                continue
            person = piano.persona(matricola)
            scheda = piano.scheda_of(person) if person else None
            if (
                person is None
                or scheda is None
                or person.ruolo != soggetto
                or piano.modulo_of(person) != self.modulo
            ):
                self.report(None, Codice.REC_PERSONA_SCONOSCIUTA, matricola=matricola)
                continue
            inputs = [e for e in entries.values() if e.is_input]
            eligibility = piano.idoneita(person)
            if not eligibility.valutabile:
                if any(self.filled(e) for e in inputs):
                    self.report(
                        inputs[0],
                        Codice.REC_NON_VALUTABILE,
                        nominativo=person.nominativo,
                        matricola=person.matricola,
                        motivo=eligibility.motivo,
                    )
                continue
            factors: dict[str, Decimal | None] = {}
            for voce in scheda.fattori:
                entry = entries.get(voce.codice)
                if entry is None:
                    factors[voce.codice] = None
                    continue
                cosa = (
                    f"il punteggio di «{voce.titolo}» di {person.nominativo} ({person.matricola})"
                )
                value = self.required(entry, cosa)
                factors[voce.codice] = value if isinstance(value, Decimal) else None
            self.out.schede[matricola] = factors


def check_inputs(
    piano: Piano,
    modulo: str,
    etichetta: str,
    mappa: list[MapEntry],
    raw: dict[str, Raw],
    formats: dict[str, str] | None = None,
) -> Compilazione:
    """Every input of one version of the workbook `modulo`, checked (see the module's
    docstring). `raw` holds what the file has at each input cell, by key; `formats` the number
    format of the input cells that have one other than the neutral one."""
    check = _Checker(piano, modulo, etichetta, mappa, raw, formats or {})
    check.objectives()
    check.people()
    return check.out


CELL_TEXT = 32_767  # the characters an Excel cell holds


def _empty(raw: CellValue) -> bool:
    return raw is None or (isinstance(raw, str) and is_blank(raw))


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
