"""The checker of a Sistema's data, whichever form it was written in: which keys each part
may and must have, how a value is read (a number, a text, a yes/no, one word of a list), and
where a problem is (a YAML line, or a `Cella` of the workbook form)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbook.anomalies import Anomalia, Codice, anomalia, suggest
from workbook.sistema.lines import MAX_NUMBER, LineDict
from workbook.values import format_number

YES_NO = {"sì": True, "si": True, "vero": True, "no": False, "falso": False, "": False}

# --- validation --------------------------------------------------------------------------------

KEYS: dict[str, tuple[set[str], set[str]]] = {
    # context: (required, optional)
    "sistema": (
        {"codice", "nome", "idoneita", "raggiungimento", "schede"},
        {"note", "scale", "etichetta_eq", "regole", "premi"},
    ),
    "regole": (set(), {"dirigente_valuta_eq"}),
    "premi": (
        set(),
        {
            "metodo",
            "residuo",
            "quota_organizzativa",
            "budget",
            "coefficienti",
            "maggiorazione",
            "eq",
            "assenze",
        },
    ),
    "maggiorazione": ({"percentuale", "quota_personale"}, {"arrotondamento", "parita"}),
    "premi_eq": ({"base"}, {"percentuale_massima"}),
    "assenze": (set(), {"riducono", "franchigia"}),
    "idoneita": (
        set(),
        {"servizio_minimo_mesi", "servizio_minimo_giorni", "motivo", "sanzione_massima"},
    ),
    "raggiungimento": ({"modalita", "gradi"}, set()),
    "grado": ({"descrizione", "da", "a"}, {"valore"}),
    "livello": ({"valore", "descrizione"}, set()),
    "scheda": (
        {"titolo", "valutatore", "massimo", "parti", "fasce"},
        {"ruolo", "categorie", "solo_indicata", "titolo_valutatore"},
    ),
    "parte": ({"codice", "titolo", "massimo", "voci"}, set()),
    "fascia": ({"da", "a", "premio"}, {"negativa"}),
    "fattore": ({"codice", "titolo", "tipo"}, {"descrizione", "scala", "livelli"}),
    "obiettivi": (
        {"codice", "titolo", "tipo", "massimo"},
        {"descrizione", "fonte", "tipo_obiettivi"},
    ),
    "derivata": (
        {"codice", "titolo", "tipo", "massimo"},
        {"descrizione", "fonte", "tipo_obiettivi"},
    ),
}

CONTEXT_NAMES = {  # where a value is, with its preposition: «in una scheda»
    "sistema": "nelle impostazioni generali del Sistema",
    "regole": "nelle regole («regole»)",
    "premi": "nelle regole dei premi («premi»)",
    "maggiorazione": "nella maggiorazione del premio individuale («maggiorazione»)",
    "premi_eq": "nel risultato delle EQ («eq» dei premi)",
    "assenze": "nelle assenze che riducono il premio («assenze» dei premi)",
    "idoneita": "nel servizio minimo («idoneita»)",
    "raggiungimento": "nel raggiungimento degli obiettivi («raggiungimento»)",
    "grado": "in un grado di raggiungimento",
    "livello": "in un livello di scala",
    "scheda": "in una scheda",
    "parte": "in una parte",
    "fascia": "in una fascia",
    "fattore": "in una voce di tipo fattore",
    "obiettivi": "in una voce di tipo obiettivi",
    "derivata": "in una voce di tipo derivata",
}


@dataclass(frozen=True, slots=True)
class Cella:
    """Where a value of a Sistema written as a workbook is: its sheet, row and column."""

    foglio: str
    riga: int
    colonna: str

    def __str__(self) -> str:  # «è già usato alla riga 12 del foglio Voci»
        return f"{self.riga} del foglio {self.foglio}"


Where = int | Cella | None  # a YAML line, or a cell of the workbook


class Checker:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Anomalia] = []

    def add(self, codice: Codice, line: Where, **params: object) -> None:
        if isinstance(line, Cella):
            place = {
                "foglio": line.foglio,
                "riga": line.riga,
                "cella": f"{line.colonna}{line.riga}",
            }
            self.problems.append(anomalia(codice, file=self.filename, **place, **params))
        else:
            self.problems.append(anomalia(codice, file=self.filename, riga=line, **params))

    def flag(self, obj: LineDict, key: str, context: str) -> bool:
        """A yes/no value: YAML's true/false, or «sì»/«no» in a workbook."""
        value = obj.get(key, False)
        if isinstance(value, str) and value.strip().casefold() in YES_NO:
            return YES_NO[value.strip().casefold()]
        if isinstance(value, bool):
            return value
        self.add(
            Codice.SIST_VALORE_NON_VALIDO,
            obj.key_lines.get(key, obj.line),
            chiave=key,
            contesto=CONTEXT_NAMES[context],
            regola="indicare sì oppure no",
        )
        return False

    def choice(
        self, obj: LineDict, key: str, context: str, allowed: tuple[str, ...], default: str
    ) -> str:
        """One word of a short list (a role, an evaluator, a source)."""
        value = self.text(obj, key, context, default).strip().casefold()
        if value not in allowed:
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines.get(key, obj.line),
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola=f"«{value}» non è ammesso{suggest(value, allowed)}; valori ammessi: "
                + ", ".join(allowed),
            )
            return default
        return value

    def mapping(self, obj: Any, context: str, line: Where) -> LineDict | None:
        if not isinstance(obj, dict):
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                line,
                chiave=context,
                contesto=CONTEXT_NAMES[context],
                regola="deve essere un elenco di chiavi",
            )
            return None
        required, optional = KEYS[context]
        allowed = required | optional
        for key in obj:
            if key not in allowed:
                self.add(
                    Codice.SIST_CHIAVE_SCONOSCIUTA,
                    obj.key_lines.get(key, obj.line),
                    chiave=key,
                    contesto=CONTEXT_NAMES[context],
                    suggerimento=suggest(key, allowed),
                    ammesse=", ".join(sorted(allowed)),
                )
        for key in sorted(required - set(obj)):
            # Reported where the mapping is named (YAML), or at the empty cell (a workbook).
            self.add(
                Codice.SIST_CHIAVE_MANCANTE,
                obj.key_lines.get(key, line),
                chiave=key,
                contesto=CONTEXT_NAMES[context],
            )
        return obj

    def mapping_free(self, obj: Any, context: str, line: Where) -> LineDict | None:
        """A mapping whose keys are the user's own (the categories of «coefficienti»)."""
        if not isinstance(obj, dict):
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                line,
                chiave=context,
                contesto=CONTEXT_NAMES["premi"],
                regola="deve essere un elenco «categoria: coefficiente»",
            )
            return None
        return obj  # type: ignore[return-value]

    def number(
        self, obj: LineDict, key: str, context: str, *, minimum: Decimal = Decimal(0)
    ) -> Decimal | None:
        if key not in obj:
            return None
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines[key],
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola=f"«{str(value)[:40]}» non è un numero",
            )
            return None
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines[key],
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola=f"deve essere un numero finito, al più {format_number(MAX_NUMBER)}",
            )
            return None
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        # (a workbook's numbers arrive as Decimal: exact, as typed)
        if number < minimum:
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines[key],
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola=f"deve essere almeno {minimum}",
            )
            return None
        return number

    def text(self, obj: LineDict, key: str, context: str, default: str = "") -> str:
        value = obj.get(key, default)
        if value is None or isinstance(value, dict | list):
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines.get(key, obj.line),
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola="deve essere un testo",
            )
            return default
        return str(value)

    def items(self, obj: LineDict, key: str, context: str) -> list[tuple[Any, int]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(
                Codice.SIST_VALORE_NON_VALIDO,
                obj.key_lines[key],
                chiave=key,
                contesto=CONTEXT_NAMES[context],
                regola="deve essere un elenco («- …»)",
            )
            return []
        return list(zip(value, value.item_lines, strict=True))
