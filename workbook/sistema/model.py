"""The scoring system (Sistema di Misurazione e Valutazione) as data: a frozen model.

Both engines read it — the Excel formulas of the workbooks (scoring/formulas.py) and the Python
recomputation (scoring/engine.py) — so that no threshold or weight is written in two places.
It is built by load.py, from a Sistema written in YAML or in a workbook (sistema.xlsx), once
every rule has been checked.

A Sistema has one or more schede. Each scheda applies to one role (dipendente, EQ, dirigente)
and, if it says so, only to some categories of staff; it names who evaluates with it (the
Responsabile of the person's Area, the Nucleo di Valutazione or the Segretario Comunale). Its
items are factors the evaluator scores, points earned on objectives (the Area's, or those
assigned to the person), or points derived from an achievement (the Area's, or the whole
Ente's).
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Ruolo = Literal["dipendente", "eq", "dirigente"]
RUOLI: tuple[Ruolo, ...] = ("dipendente", "eq", "dirigente")
# The word a Piano or a Sistema may use for each role («PO» is the EQ of before 2022).
PAROLE_RUOLO: dict[str, Ruolo] = {
    "dipendente": "dipendente",
    "eq": "eq",
    "po": "eq",
    "dirigente": "dirigente",
}
CATEGORIE = ("strategico", "struttura", "individuale")  # the types of objectives
TIPI_VOCE = ("fattore", "obiettivi", "derivata")
Valutatore = Literal["responsabile", "nucleo", "segretario"]
VALUTATORI: tuple[Valutatore, ...] = ("responsabile", "nucleo", "segretario")
VALUTATORE_TITOLO: dict[Valutatore, str] = {
    "responsabile": "il Responsabile dell'Area",
    "nucleo": "il Nucleo di Valutazione",
    "segretario": "il Segretario Comunale",
}
Fonte = Literal["area", "assegnati", "ente"]
FONTI: dict[str, tuple[Fonte, ...]] = {
    "obiettivi": ("area", "assegnati"),  # whose objectives earn the points
    "derivata": ("area", "ente"),  # whose achievement the points follow
}
ETICHETTE_EQ = ("Elevata Qualificazione", "Posizione Organizzativa")
# Disciplinary sanctions, from the lightest (the Personale column «Sanzione disciplinare»).
SANZIONI = ("rimprovero verbale", "rimprovero scritto", "multa", "sospensione")
# Causes of absence (the Piano's Assenze sheet); those protected never reduce a premio.
CAUSE_ASSENZA = (
    "malattia",
    "maternità",
    "paternità",
    "congedo parentale",
    "legge 104",
    "aspettativa",
    "altro",
)
CAUSE_PROTETTE = frozenset({"maternità", "paternità", "congedo parentale"})


@dataclass(frozen=True, slots=True)
class Livello:
    """An allowed score of a factor and what it means."""

    valore: Decimal
    descrizione: str


@dataclass(frozen=True, slots=True)
class Voce:
    """An item of a scheda.

    - `fattore`: a score the evaluator chooses from a scale (`livelli`);
    - `obiettivi`: Σ peso × achievement / 100 of the objectives of the person's Area
      (`fonte="area"`) or of those assigned to the person (`fonte="assegnati"`), of one type
      (`tipo_obiettivi`) or of every type («»); their weights add up to `massimo`;
    - `derivata`: `massimo` × an achievement / 100: the person's Area's (`fonte="area"`, the
      mean of its objectives weighted by peso) or the whole Ente's (`fonte="ente"`: the
      points of all its objectives over their weights), of one type or of every type.
    """

    codice: str
    titolo: str
    tipo: Literal["fattore", "obiettivi", "derivata"]
    massimo: Decimal
    descrizione: str = ""
    livelli: tuple[Livello, ...] = ()
    fonte: Fonte = "area"
    tipo_obiettivi: str = ""  # «» = objectives of every type
    scala: str = ""  # the name of the scale the levels come from (not part of the model)

    @property
    def is_input(self) -> bool:
        return self.tipo == "fattore"

    @property
    def valori(self) -> tuple[Decimal, ...]:
        return tuple(lv.valore for lv in self.livelli)

    def conta(self, tipo: str) -> bool:
        """Whether an objective of this type counts for the item."""
        return not self.tipo_obiettivi or tipo == self.tipo_obiettivi


@dataclass(frozen=True, slots=True)
class Parte:
    codice: str
    titolo: str
    massimo: Decimal
    voci: tuple[Voce, ...]


@dataclass(frozen=True, slots=True)
class Fascia:
    """A score band: scores from `da` (included) up to the next band belong to it."""

    da: Decimal
    a: Decimal
    premio: Decimal
    negativa: bool = False  # a negative evaluation (with its legal effects): no premio
    proporzionale: bool = False  # «premio: punteggio»: the premio (%) is the score su 100

    def premio_di(self, su_100: Decimal) -> Decimal:
        """The premio (%) of a score in this band."""
        return su_100 if self.proporzionale else self.premio

    @property
    def premio_testo(self) -> str:
        """«80%», or «pari al punteggio su 100»."""
        from workbook.values import format_number

        return (
            "pari al punteggio su 100" if self.proporzionale else f"{format_number(self.premio)}%"
        )

    @property
    def etichetta(self) -> str:
        """«fino a 18», «da 54 a 60»."""
        return _band_label(self.da, self.a)


@dataclass(frozen=True, slots=True)
class Scheda:
    """One evaluation form: for one role and, when `categorie` says so, only some categories
    of staff (see `applies_to`); `solo_indicata` schede go only to the people whose Personale
    row names them."""

    codice: str
    ruolo: Ruolo
    titolo: str
    valutatore: Valutatore
    titolo_valutatore: str  # as the workbooks name the evaluator («Responsabile del Settore»)
    massimo: Decimal
    parti: tuple[Parte, ...]
    fasce: tuple[Fascia, ...]  # ascending by `da`
    categorie: tuple[str, ...] = ()
    solo_indicata: bool = False

    @property
    def voci(self) -> tuple[Voce, ...]:
        return tuple(v for p in self.parti for v in p.voci)

    @property
    def fattori(self) -> tuple[Voce, ...]:
        return tuple(v for v in self.voci if v.tipo == "fattore")

    def fascia(self, punteggio: Decimal) -> Fascia:
        """The band of a (rounded) total: the highest band whose `da` does not exceed it."""
        found = self.fasce[0]
        for f in self.fasce:
            if punteggio >= f.da:
                found = f
        return found

    def applies_to(self, categoria: str) -> bool:
        """Whether the scheda is for staff of this category (the Personale «Categoria»). An
        entry matches the same word, or the same word followed by a number: «C» matches «C»,
        «C1» and «C 3», not «CD»; «Istruttori» matches «Istruttori», not «Istruttori
        direttivi»."""
        if not self.categorie:
            return True
        text = " ".join(categoria.split()).casefold()
        for entry in self.categorie:
            head = " ".join(entry.split()).casefold()
            rest = text[len(head) :].strip()
            if text.startswith(head) and (not rest or rest.isdigit()):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Grado:
    """A grade of achievement of an objective (Torchiarolo grid)."""

    descrizione: str
    da: Decimal
    a: Decimal
    valore: Decimal  # the percentage credited when the grade is chosen instead of a number


@dataclass(frozen=True, slots=True)
class Maggiorazione:
    """The maggiorazione del premio individuale (CCNL Funzioni Locali 21.5.2018 art. 69;
    16.11.2022 art. 81): `percentuale` of the average individual premio, to the first
    `quota_personale` % of the people evaluated positively, in the ranking of scores."""

    percentuale: Decimal
    quota_personale: Decimal
    arrotondamento: Literal["difetto", "eccesso"] = "difetto"
    parita: Literal["dividi"] = "dividi"


@dataclass(frozen=True, slots=True)
class RegolePremi:
    """How the funds of the Ente sheet are shared (docs/premi.md, one worked example each)."""

    metodo: Literal["fasce", "punteggio"] = "fasce"
    residuo: Literal["economia", "ridistribuito"] = "economia"
    quota_organizzativa: Decimal = Decimal(0)  # % of the fund paid on the Area's achievement
    budget: Literal["ente", "area"] = "ente"
    coefficienti: tuple[tuple[str, Decimal], ...] = ()  # (category prefix, coefficient)
    maggiorazione: Maggiorazione | None = None
    eq_base: Literal["fondo", "posizione"] = "fondo"
    eq_percentuale_massima: Decimal = Decimal(0)  # % of the retribuzione di posizione
    assenze_riducono: tuple[str, ...] = ()  # causes whose days reduce the days of service
    franchigia: int = 0  # days of those absences not counted

    def coefficiente(self, categoria: str) -> Decimal:
        """The coefficient of a category: the longest prefix that matches it (1 if none)."""
        text = categoria.strip().casefold()
        best, value = -1, Decimal(1)
        for prefix, coefficient in self.coefficienti:
            p = prefix.strip().casefold()
            if text.startswith(p) and len(p) > best:
                best, value = len(p), coefficient
        return value


@dataclass(frozen=True, slots=True)
class Sistema:
    codice: str
    nome: str
    note: str
    servizio_minimo_mesi: int
    servizio_minimo_giorni: int
    motivo_esclusione: str
    modalita: Literal["percentuale", "grado"]
    gradi: tuple[Grado, ...]
    schede: tuple[Scheda, ...]
    origine: str
    etichetta_eq: str = "Elevata Qualificazione"
    dirigente_valuta_eq: bool = False  # EQ in an Area led by a dirigente: evaluated by them
    premi: RegolePremi = RegolePremi()
    sanzione_massima: str = ""  # people with a heavier sanction in the year are not evaluated

    @property
    def hash(self) -> str:
        """The fingerprint of the model: the same whichever form (YAML or workbook) it was
        written in, and whatever its scales are called."""
        return hashlib.sha256(fingerprint_text(self).encode()).hexdigest()

    @property
    def sigla_eq(self) -> str:
        """«PO» or «EQ», as the documents abbreviate the role."""
        return "PO" if self.etichetta_eq == "Posizione Organizzativa" else "EQ"

    def scheda_codice(self, codice: str) -> Scheda | None:
        return next((s for s in self.schede if s.codice == codice), None)

    def schede_di(self, ruolo: Ruolo, categoria: str) -> list[Scheda]:
        """The schede that apply by themselves to a person of this role and category."""
        return [
            s
            for s in self.schede
            if s.ruolo == ruolo and not s.solo_indicata and s.applies_to(categoria)
        ]

    def grado(self, percentuale: Decimal) -> Grado:
        found = self.gradi[0]
        for g in self.gradi:
            if percentuale >= g.da:
                found = g
        return found

    def grado_per_descrizione(self, descrizione: str) -> Grado | None:
        for g in self.gradi:
            if g.descrizione.casefold() == descrizione.strip().casefold():
                return g
        return None


def fingerprint_text(sistema: Sistema) -> str:
    """The model as canonical JSON: every field that changes a score, a label or who is
    evaluated how, and nothing else (not the file it came from, not the scales' names)."""

    def plain(obj: object) -> object:
        if isinstance(obj, tuple | list):
            return [plain(x) for x in obj]
        if isinstance(obj, Decimal):
            return format(obj.normalize(), "f")
        if hasattr(obj, "__dataclass_fields__"):
            return {
                name: plain(getattr(obj, name))
                for name in obj.__dataclass_fields__  # type: ignore[attr-defined]
                if name not in ("origine", "scala")
                # The money rules, where the Sistema has them: a Sistema written before them
                # keeps its fingerprint.
                and not (name == "premi" and getattr(obj, name) == RegolePremi())
                and not (
                    name in ("negativa", "proporzionale", "sanzione_massima")
                    and not getattr(obj, name)
                )
            }
        return obj

    return json.dumps(plain(sistema), sort_keys=True, ensure_ascii=False)


@functools.lru_cache(maxsize=1024)
def _band_label(da: Decimal, a: Decimal) -> str:
    """A band's label, asked once per person and table by the results of the largest Comuni:
    computed once per band."""
    from workbook.values import format_number

    if da == 0:
        return f"fino a {format_number(a)}"
    return f"da {format_number(da)} a {format_number(a)}"
