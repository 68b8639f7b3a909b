"""The values the Word templates name, from the results JSON and the Piano's Ente sheet.

Every number is the results JSON's, written the Italian way («99,25», «€ 1.575,00», «100%»);
every text that came from outside (the Piano, the moduli) is passed as text, and docxtpl
escapes it (autoescape), so that nothing in it can become Word markup or a template tag. What
the Piano does not give is a highlighted placeholder, never invented.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from docxtpl import RichText

from workbook.contract import compilatore
from workbook.lingua import conta
from workbook.piano.model import SEGRETARIO, Piano
from workbook.relazione import Relazione, RigaGenere
from workbook.results.workbook import funds_of, rules_in_words
from workbook.values import format_euro, format_number

DASH = "–"
PROVVISORIO = (
    "DOCUMENTO PROVVISORIO – i risultati contengono errori e possono ancora cambiare: "
    "non va approvato né pubblicato."
)
ROLES = {"dipendente": ("dipendente", "dipendenti"), "dirigente": ("dirigente", "dirigenti")}
NUMBERS = {1: "una", 2: "due", 3: "tre", 4: "quattro", 5: "cinque", 6: "sei", 7: "sette"}


def highlighted(text: str) -> RichText:
    return RichText(f"[{text}]", highlight="#FFFF00")


def given(value: str, missing: str) -> RichText:
    """A value of the Piano, or the highlighted request to write it."""
    return RichText(value) if value.strip() else highlighted(missing)


def number(value: Decimal | int | None) -> str:
    return DASH if value is None else format_number(value, 2 if _fractional(value) else None)


def _fractional(value: Decimal | int) -> bool:
    return isinstance(value, Decimal) and value != value.to_integral()


def percent(value: Decimal | int | None) -> str:
    return DASH if value is None else f"{format_number(value)}%"


def euro(value: Decimal | None) -> str:
    return DASH if value is None else format_euro(Decimal(value))


def eq_labels(piano: Piano) -> tuple[str, str]:
    """(«Posizione Organizzativa», «Posizioni Organizzative») or the EQ's."""
    one = piano.sistema.etichetta_eq
    many = {
        "Posizione Organizzativa": "Posizioni Organizzative",
        "Elevata Qualificazione": "Elevate Qualificazioni",
    }.get(one, one)
    return one, many


def ente_fields(piano: Piano) -> dict[str, Any]:
    e = piano.ente
    name = e.denominazione.strip()
    if not name.lower().startswith(("comune ", "città ", "unione ")):
        name = f"Comune di {name}"
    return {
        "ente": name,
        "ente_maiuscolo": name.upper(),
        "del_ente": f"del {name}" if name.lower().startswith("comune ") else f"di {name}",
        "provincia": e.provincia,
        "anno": str(e.anno),
        "sistema": piano.sistema.nome,
        "atto_piano": given(e.atto_piano, "atto di approvazione del Piano: n. ___ del ___"),
        "atto_sistema": given(e.atto_sistema, "atto di approvazione del Sistema: n. ___ del ___"),
        "atto_nucleo": given(e.atto_nucleo, "atto di nomina del Nucleo: n. ___ del ___"),
        "nucleo_componenti": given(e.nucleo_componenti, "componenti del Nucleo"),
        "atto_ccdi": given(e.atto_ccdi, "contratto decentrato: sottoscritto il ___"),
        "luogo_data": f"{name.removeprefix('Comune di ')}, lì {'_' * 12}",
    }


def relazione_context(data: dict[str, Any], piano: Piano, provvisorio: bool) -> dict[str, Any]:
    """Everything the Relazione's template names (docs/relazione.md lists them)."""
    r: Relazione = data["relazione"]
    people: list[dict[str, Any]] = data["valutazioni"]
    one_eq, many_eq = eq_labels(piano)
    persons = {p.matricola: p for p in piano.personale}
    valutati = Counter(p["area"] for p in people if p["stato"] == "valutato")
    return {
        **ente_fields(piano),
        "provvisorio": provvisorio,
        "avviso_provvisorio": PROVVISORIO if provvisorio else "",
        "elaborato": date_text(data["elaborato"]),
        "etichetta_eq": one_eq,
        "etichetta_eq_plurale": many_eq,
        "n_aree": str(r.n_aree),
        "n_aree_parole": f"{NUMBERS.get(r.n_aree, r.n_aree)} Are{'a' if r.n_aree == 1 else 'e'}",
        "aree": [
            {
                "codice": a.codice,
                "denominazione": a.denominazione,
                "responsabile": "il Segretario Comunale"
                if a.responsabile == SEGRETARIO
                else (persons[a.responsabile].nominativo if a.responsabile in persons else ""),
                "valutati": str(valutati.get(a.codice, 0)),
            }
            for a in piano.aree
        ],
        "valutatori": _evaluators(data, piano, many_eq),
        "obiettivi_aree": [_area(a) for a in r.obiettivi],
        "performance_ente": percent(r.performance_organizzativa),
        "n_eq": str(r.n_posizioni_organizzative),
        "eq": [_po(p) for p in r.posizioni_organizzative],
        "dirigenti": [_po(p) for p in r.dirigenti],
        "n_valutati": str(r.n_dipendenti_valutati),
        "non_valutati": [_person(n) for n in r.non_valutati],
        "schede_fasce": _band_tables(r, piano),
        "media": number(r.media_punteggio_su_100),
        "negative": [_person(n) for n in r.valutazioni_negative],
        "differenziazione": [
            {
                "valutatore": d.valutatore,
                "n": str(d.n_valutati),
                "media": number(d.media_su_100),
                "scarto": number(d.scarto_quadratico_medio),
                "intervallo": f"{number(d.minimo)} – {number(d.massimo)}",
                "fasce": str(d.fasce_utilizzate),
                "quota": percent(d.quota_fascia_massima),
            }
            for d in r.differenziazione
        ],
        "regole_premi": _rules(piano),
        "fondi": [
            {
                "fondo": name,
                "stanziata": euro(f.stanziata),
                "distribuita": euro(f.distribuita),
                "residuo": euro(f.residuo),
            }
            for name, f in funds_of(r, piano.sistema.sigla_eq)
            if f is not None and (f.stanziata or f is r.premialita or f is r.risultato_po)
        ],
        "trasparenza": [
            {"titolo": t["titolo"], "colonne": t["colonne"], "righe": t["righe"]}
            for t in data.get("trasparenza", [])
        ],
        "genere": [_gender(g, "Personale dipendente") for g in r.genere]
        + [_gender(g, many_eq) for g in r.genere_eq if g.n_dipendenti],
    }


def date_text(iso: str) -> str:
    try:
        return f"{dt.datetime.fromisoformat(iso):%d/%m/%Y}"
    except ValueError:
        return iso


def _evaluators(data: dict[str, Any], piano: Piano, many_eq: str) -> list[dict[str, str]]:
    by_module: dict[str, Counter[str]] = {}
    for p in data["valutazioni"]:
        if p["stato"] == "valutato":
            by_module.setdefault(p["valutatore"], Counter())[p["ruolo"]] += 1
    rows = []
    for m in data["moduli"]:
        counts = by_module.get(m["modulo"], Counter())
        what = [
            f"{n} {many_eq if n != 1 else eq_labels(piano)[0]}"
            if role == "eq"
            else conta(n, *ROLES.get(role, (role, role)))
            for role, n in sorted(counts.items())
        ]
        rows.append(
            {
                "valutatore": m["compilato_da"] or compilatore(piano, m["modulo"]).titolo,
                "modulo": m["modulo"],
                "valutati": ", ".join(what)
                if what
                else "obiettivi (validazione)"
                if m["modulo"] == "nucleo"
                else DASH,
            }
        )
    return rows


def _area(a: Any) -> dict[str, Any]:
    rows, deviations = [], []
    for o in a.obiettivi:
        target, indicator = o.valore_atteso, o.indicatore
        rows.append(
            {
                "codice": o.codice,
                "descrizione": o.descrizione,
                "indicatore": " – ".join(
                    x for x in (indicator, f"atteso: {target}" if target else "") if x
                )
                or DASH,
                "peso": number(o.peso),
                "dichiarato": percent(o.dichiarato),
                "validato": percent(o.validato),
            }
        )
        if o.raggiungimento is not None and o.raggiungimento < 100:
            reason = given(o.motivo_scostamento, "motivo non indicato nel modulo: da completare")
            if o.motivazione_nucleo.strip() and o.validato != o.dichiarato:
                reason.add(f"\nNucleo di Valutazione: {o.motivazione_nucleo}")
            deviations.append(
                {
                    "codice": o.codice,
                    "valore_atteso": o.valore_atteso or DASH,
                    "valore_raggiunto": o.valore_raggiunto or DASH,
                    "raggiungimento": percent(o.raggiungimento),
                    "scostamento": f"{format_number(o.raggiungimento - 100)} punti %",
                    "motivo": reason,
                }
            )
    return {
        "codice": a.area,
        "denominazione": a.denominazione,
        "raggiungimento": percent(a.raggiungimento),
        "obiettivi": rows,
        "scostamenti": deviations,
    }


def _po(p: Any) -> dict[str, str]:
    return {
        "nominativo": p.nominativo,
        "area": p.area,
        "su_100": number(p.punteggio_su_100) if p.stato == "valutato" else p.motivo or p.stato,
        "fascia": p.fascia or DASH,
        "premio": percent(p.premio_percentuale),
    }


def _person(n: Any) -> dict[str, str]:
    return {"nominativo": n.nominativo, "area": n.area, "motivo": n.motivo}


def _band_tables(r: Relazione, piano: Piano) -> list[dict[str, Any]]:
    titles = {s.codice: s.titolo for s in piano.sistema.schede}
    by_scheda: dict[str, list[dict[str, str]]] = {}
    for f in r.fasce:
        by_scheda.setdefault(f.scheda, []).append(
            {"etichetta": f.descrizione, "premio": f.premio_testo, "n": str(f.n_dipendenti)}
        )
    return [{"titolo": titles.get(k, k), "fasce": v} for k, v in by_scheda.items()]


def _gender(g: RigaGenere, who: str) -> dict[str, str]:
    return {
        "genere": f"{g.genere} – {who}",
        "n": str(g.n_dipendenti),
        "valutati": str(g.n_valutati),
        "media": number(g.media_su_100),
        "fasce": "; ".join(f"{b.etichetta}: {b.n}" for b in g.fasce),
        "premi": euro(g.premi_euro),
    }


def _rules(piano: Piano) -> str:
    words = rules_in_words(piano.sistema.premi)
    words = words.replace(" Gli importi di ogni persona sono nel foglio Valutazioni.", "")
    return f"Il fondo per la produttività è stato ripartito secondo il Sistema. {words}"
