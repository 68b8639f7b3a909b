"""The sources of each score: each objective's achievement (the Nucleo's validated figure
stands over the Responsabile's declaration), each Area's, and each person's scheda scored with
the inputs checked where their modulo was read."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import NUCLEO
from workbook.piano.model import Persona, Piano
from workbook.reconcile.inputs import Compilazione
from workbook.reconcile.outcome import EsitoObiettivo, StatoModulo, Valutazione
from workbook.reconcile.verify import Verifica
from workbook.scoring.engine import Obiettivi, score, weighted_achievement
from workbook.values import format_number


def objectives(
    piano: Piano, used: dict[str, Verifica], problems: list[Anomalia]
) -> tuple[list[EsitoObiettivo], dict[str, Decimal | None]]:
    """Each objective's achievement as declared by its Area and validated by the Nucleo, and
    each Area's weighted achievement."""
    nucleo = _compiled(used.get(NUCLEO))
    results: list[EsitoObiettivo] = []
    areas: dict[str, Decimal | None] = {}
    for area in piano.aree:
        declared_by = _compiled(used.get(area.codice))
        outcome = []
        for item in piano.obiettivi_area(area.codice):
            declared = declared_by.obiettivi.get(item.id) if declared_by else None
            validated = nucleo.obiettivi.get(item.id) if nucleo else None
            dichiarato = declared.percentuale if declared else None
            validato = validated.percentuale if validated else None
            what = f"{item.obiettivo.codice} dell'Area {area.codice}"
            if (
                validated is not None
                and validato is not None
                and dichiarato is not None
                and dichiarato != validato
            ):
                problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_DIVERSO,
                        file=used[NUCLEO].documento.etichetta,
                        foglio=validated.foglio,
                        cella=validated.cella,
                        obiettivo=what,
                        dichiarato=format_number(dichiarato),
                        validato=format_number(validato),
                    )
                )
            if nucleo is not None and validato is None and dichiarato is not None:
                problems.append(
                    anomalia(
                        Codice.REC_RAGGIUNGIMENTO_NON_VALIDATO,
                        file=used[NUCLEO].documento.etichetta,
                        obiettivo=what,
                        dichiarato=format_number(dichiarato),
                    )
                )
            outcome.append(
                EsitoObiettivo(
                    item,
                    dichiarato,
                    validato,
                    declared.evidenze if declared else "",
                    declared.valore_raggiunto if declared else "",
                    declared.motivo_scostamento if declared else "",
                    validated.evidenze if validated else "",
                )
            )
        results.extend(outcome)
        areas[area.codice] = weighted_achievement(
            [(o.obiettivo.obiettivo.peso, o.raggiungimento) for o in outcome]
        )
    return results, areas


def _compiled(v: Verifica | None) -> Compilazione | None:
    return v.compilazione if v is not None else None


def evaluate(
    piano: Piano,
    person: Persona,
    used: dict[str, Verifica],
    statuses: dict[str, StatoModulo],
    draws_on: Callable[[Persona], Obiettivi],
    problems: list[Anomalia],
) -> Valutazione:
    """One person's outcome, scored with the inputs checked where their modulo was read and
    the objectives' achievements that count (`draws_on`)."""
    modulo = piano.modulo_of(person) or ""
    area = piano.area_of(person)
    eligibility = piano.idoneita(person)
    scheda = piano.scheda_of(person)
    base = {
        "persona": person,
        "area": area,
        "valutatore": modulo,
        "scheda": scheda,
        "giorni_servizio": eligibility.giorni_servizio,
        "giorni_anno": eligibility.giorni_anno,
    }
    if not eligibility.valutabile or scheda is None:  # scored all the same: see inputs.py
        return Valutazione(stato="non valutabile", motivo=eligibility.motivo, **base)
    v = used.get(modulo)
    if v is None:
        status = statuses[modulo].stato
        why = "modulo non ricevuto" if status == "mancante" else "modulo con errori"
        return Valutazione(stato="in attesa", motivo=f"{why} ({modulo})", **base)
    factors = v.compilazione.schede.get(person.matricola) if v.compilazione else None
    if factors is None:
        problems.append(
            anomalia(
                Codice.REC_PERSONA_NON_VALUTATA,
                file=v.documento.etichetta,
                nominativo=person.nominativo,
                matricola=person.matricola,
                area=f"Area {area}",
                motivo=f"assente dal modulo {modulo}",
            )
        )
        return Valutazione(stato="incompleto", motivo="assente dal modulo", **base)
    result = score(scheda, factors, draws_on(person))
    if not result.completo:
        missing_factor = any(x is None for x in factors.values())
        why = (
            "punteggi mancanti o non validi"
            if missing_factor
            else "raggiungimento degli obiettivi incompleto"
        )
        return Valutazione(stato="incompleto", motivo=why, risultato=result, **base)
    return Valutazione(stato="valutato", risultato=result, **base)
