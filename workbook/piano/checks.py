"""The rules of a Piano that involve more than one sheet, or the Sistema: who leads each Area,
to whom objectives are assigned, which scheda each person is evaluated with and by whom, and
whether the objectives' weights fit the schede."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workbook.anomalies import Codice, suggest
from workbook.contract import NUCLEO, SEGRETARIO
from workbook.piano.model import ObiettivoArea, Persona, Piano
from workbook.piano.reading import Reader, fmt
from workbook.piano.sheets import TUTTE
from workbook.sistema.model import Scheda, Voce

ROLE_WORDS = {"dipendente": "dipendente", "eq": "EQ", "dirigente": "dirigente"}


def check_consistency(r: Reader, piano: Piano) -> None:
    """Rules that involve more than one sheet, or the Sistema."""
    _leaders(r, piano)
    _assignees(r, piano)
    for p in piano.personale:
        if p.matricola in r.tainted_people or not piano.idoneita(p).valutabile:
            continue
        scheda = _scheda(r, piano, p)
        if scheda is not None:
            _evaluator(r, piano, p, scheda)
        if p.ruolo == "eq" and piano.sistema.premi.eq_base == "posizione" and p.posizione is None:
            r.add(Codice.PIANO_POSIZIONE_MANCANTE, "Personale", p.riga, chi=_chi(p))
    _weights(r, piano)
    for area in piano.aree:
        if not piano.valutati(area.codice) and area.codice not in r.tainted_areas:
            r.add(Codice.PIANO_AREA_SENZA_PERSONALE, "Personale", None, area=area.codice)


def _chi(p: Persona) -> str:
    return f"{p.nominativo} (matricola {p.matricola})"


def _leaders(r: Reader, piano: Piano) -> None:
    """Each Area is led by an EQ or a dirigente of the Personale sheet (one may lead two, ad
    interim), or by the Segretario Comunale, whose name and address the Ente sheet gives."""
    people = {p.matricola: p for p in piano.personale}
    for area in piano.aree:
        if not area.responsabile or area.responsabile in r.tainted_people:
            continue
        if area.del_segretario:
            _segretario(r, piano, f"l'Area «{area.codice}» è guidata dal Segretario Comunale")
            continue
        person = people.get(area.responsabile)
        if person is None:
            r.add(
                Codice.PIANO_RESPONSABILE_NON_VALIDO,
                "Aree",
                area.riga,
                area=area.codice,
                valore=area.responsabile,
                dettaglio="che non è nel foglio Personale (per il Segretario Comunale scrivere "
                "«Segretario»)",
                suggerimento=suggest(area.responsabile, people),
            )
        elif person.ruolo == "dipendente":
            r.add(
                Codice.PIANO_RESPONSABILE_NON_VALIDO,
                "Aree",
                area.riga,
                area=area.codice,
                valore=area.responsabile,
                dettaglio=f"ma {person.nominativo} ha ruolo «dipendente» nel foglio Personale: "
                "indicare il ruolo EQ (o PO) o dirigente",
                suggerimento="",
            )
    for p in piano.personale:
        if p.ruolo == "eq" and not piano.guidate(p.matricola):
            r.add(
                Codice.PIANO_PO_SENZA_AREA,
                "Personale",
                p.riga,
                valore=p.matricola,
                ruolo=piano.sistema.sigla_eq,
            )


def _segretario(r: Reader, piano: Piano, perche: str) -> None:
    for field, label in (
        ("segretario", "Segretario Comunale (cognome e nome)"),
        ("email_segretario", "E-mail del Segretario Comunale"),
    ):
        if not getattr(piano.ente, field):
            r.add(Codice.PIANO_SEGRETARIO, "Ente", None, perche=perche, campo=label)


def _assignees(r: Reader, piano: Piano) -> None:
    """The people an objective is assigned to are in the Personale sheet, belong to the
    objective's Area (whose Responsabile declares its achievement) and have a scheda with an
    item for the objectives assigned to them (else the assignment would count for nothing)."""
    for o in piano.obiettivi:
        for matricola in o.assegnatari:
            person = piano.persona(matricola)
            if person is None:
                if matricola not in r.tainted_people:
                    r.tainted_assignments.add(o.area)
                    r.add(
                        Codice.PIANO_ASSEGNATARI,
                        "Obiettivi",
                        o.riga,
                        obiettivo=o.codice,
                        dettaglio=f"è assegnato alla matricola «{matricola}», che non è nel "
                        "foglio Personale"
                        f"{suggest(matricola, [p.matricola for p in piano.personale])}",
                    )
            elif piano.area_of(person) != o.area:
                r.tainted_assignments |= {o.area, piano.area_of(person)}
                r.add(
                    Codice.PIANO_ASSEGNATARI,
                    "Obiettivi",
                    o.riga,
                    obiettivo=o.codice,
                    dettaglio=f"è dell'Area «{o.area}», ma {_chi(person)} è dell'Area "
                    f"«{piano.area_of(person)}»: si può assegnare un obiettivo solo a persone "
                    "dell'Area che lo ha",
                )
            elif (scheda := piano.scheda_of(person)) is not None and not any(
                v.tipo == "obiettivi" and v.fonte == "assegnati" for v in scheda.voci
            ):
                r.add(
                    Codice.PIANO_ASSEGNATARI,
                    "Obiettivi",
                    o.riga,
                    obiettivo=o.codice,
                    dettaglio=f"è assegnato a {_chi(person)}, ma la scheda «{scheda.codice}» "
                    "della persona non ha una voce per gli obiettivi assegnati: l'assegnazione "
                    "non conterebbe. Togliere la matricola dalla colonna «Assegnatari», oppure "
                    "indicare un'altra scheda nella colonna «Scheda» del foglio Personale",
                )


def _scheda(r: Reader, piano: Piano, p: Persona) -> Scheda | None:
    """The scheda of an evaluable person: the one their row names, or the only one of their
    role that applies to their category."""
    sistema = piano.sistema
    for_role = [s.codice for s in sistema.schede if s.ruolo == p.ruolo]
    ruolo = ROLE_WORDS[p.ruolo]
    if p.scheda:
        found = sistema.scheda_codice(p.scheda)
        if found is None:
            detail = (
                "che non è una scheda del Sistema"
                f"{suggest(p.scheda, [s.codice for s in sistema.schede])}; schede per il ruolo "
                f"«{ruolo}»: {', '.join(for_role) or 'nessuna'}"
            )
        elif found.ruolo != p.ruolo:
            detail = (
                f"che è una scheda per il ruolo «{ROLE_WORDS[found.ruolo]}», mentre la persona "
                f"ha ruolo «{ruolo}»"
            )
        else:
            return found
        r.add(
            Codice.PIANO_SCHEDA_SCONOSCIUTA,
            "Personale",
            p.riga,
            chi=_chi(p),
            valore=p.scheda,
            dettaglio=detail,
        )
        return None
    candidates = sistema.schede_di(p.ruolo, p.categoria)
    if len(candidates) == 1:
        return candidates[0]
    described = [_described(s) for s in (candidates or sistema.schede) if s.ruolo == p.ruolo]
    if candidates:
        r.add(
            Codice.PIANO_SCHEDA_PIU,
            "Personale",
            p.riga,
            chi=_chi(p),
            ruolo=ruolo,
            categoria=p.categoria,
            schede="; ".join(described),
        )
        return None
    r.add(
        Codice.PIANO_SCHEDA_NESSUNA,
        "Personale",
        p.riga,
        chi=_chi(p),
        ruolo=ruolo,
        categoria=p.categoria,
        schede="; ".join(described) or "nessuna",
        rimedio="Correggere la categoria, oppure indicare la scheda nella colonna «Scheda»"
        if described
        else "Il Sistema non ha schede per questo ruolo: correggere il ruolo, oppure "
        "aggiungere al Sistema una scheda per il ruolo",
    )
    return None


def _described(s: Scheda) -> str:
    if s.solo_indicata:
        return f"«{s.codice}» (solo per chi la indica nella colonna «Scheda»)"
    if s.categorie:
        return f"«{s.codice}» (categorie {', '.join(s.categorie)})"
    return f"«{s.codice}» (tutte le categorie)"


def _evaluator(r: Reader, piano: Piano, p: Persona, scheda: Scheda) -> None:
    """Nobody evaluates themselves; the Segretario's modulo needs the Segretario's address."""
    modulo = piano.modulo_of(p)
    if modulo == SEGRETARIO:
        _segretario(r, piano, f"la valutazione di {_chi(p)} spetta al Segretario Comunale")
    elif modulo != NUCLEO and modulo in piano.guidate(p.matricola):
        r.add(
            Codice.PIANO_VALUTATORE,
            "Personale",
            p.riga,
            chi=_chi(p),
            dettaglio=f"dalla persona stessa: la scheda «{scheda.codice}» affida la "
            f"valutazione al Responsabile dell'Area «{modulo}», che è la stessa persona",
            scheda=scheda.codice,
        )


def _weights(r: Reader, piano: Piano) -> None:
    """The objectives an item of objectives counts weigh what the item is worth, for every
    person evaluated with it; an item derived from an achievement has objectives to derive it
    from. Each problem once, however many people share it."""
    seen: set[tuple[str, ...]] = set()
    wrong_sums: dict[tuple[str, str], list[_WrongSum]] = {}
    for p in piano.personale:
        scheda = piano.scheda_of(p)
        if scheda is None or p.matricola in r.tainted_people:
            continue
        if not piano.idoneita(p).valutabile:
            continue
        area = piano.area_of(p)
        if {area, TUTTE} & r.tainted_areas:
            continue
        for voce in scheda.voci:
            if voce.tipo == "fattore":
                continue
            if voce.fonte == "assegnati":
                if area in r.tainted_assignments:
                    continue
                items, whose, key = piano.assegnati(p.matricola), _chi(p), p.matricola
                quali = f"gli obiettivi assegnati a {_chi(p)}"
            elif voce.fonte == "ente":
                items, whose, key = piano.obiettivi_ente(), "l'Ente", "ente"
                quali = "gli obiettivi dell'Ente"
            else:
                items, whose, key = piano.obiettivi_area(area), area, f"area {area}"
                quali = f"gli obiettivi dell'Area «{area}»"
            counted = [o for o in items if voce.conta(o.obiettivo.tipo)]
            if voce.tipo_obiettivi:
                quali += f" di tipo «{voce.tipo_obiettivi}»"
            signature = (scheda.codice, voce.codice, key)
            if signature in seen:
                continue
            seen.add(signature)
            wrong = _check_items(r, p, scheda, voce, counted, quali, whose)
            if wrong is not None:
                wrong_sums.setdefault((scheda.codice, voce.codice), []).append(wrong)
    for found in wrong_sums.values():
        _report_weights(r, found)


@dataclass(frozen=True, slots=True)
class _WrongSum:
    """Objectives whose weights do not add up to what their item is worth."""

    counted: tuple[ObiettivoArea, ...]
    total: Decimal
    details: dict[str, str]


def _report_weights(r: Reader, found: list[_WrongSum]) -> None:
    """Each wrong sum once, at the row that makes it wrong where there is one. When every Area
    is off by the same amount and an objective of «tutte» the Aree is among those counted,
    that objective is the one to look at: one anomaly, at its row, instead of one per Area."""
    deltas = {w.total - Decimal(w.details["massimo_n"]) for w in found}
    common = set.intersection(*({o.obiettivo.codice for o in w.counted} for w in found))
    shared = [
        o for o in found[0].counted if o.obiettivo.area == TUTTE and o.obiettivo.codice in common
    ]
    if len(found) > 1 and len(deltas) == 1 and shared:
        delta = deltas.pop()
        culprit = next((o for o in shared if o.obiettivo.peso == delta), shared[0])
        first = found[0]
        details = {
            **first.details,
            "quali": f"gli obiettivi di ciascuna delle {len(found)} Aree, compreso "
            f"«{culprit.obiettivo.codice}», valido per tutte le Aree,",
            "somma": " e ".join(sorted({fmt(w.total) for w in found})),
            "chi": "di chi è valutato con essa in ciascuna Area",
        }
        details.pop("massimo_n")
        r.add(Codice.PIANO_PESI, "Obiettivi", culprit.obiettivo.riga, **details)
        return
    for w in found:
        delta = w.total - Decimal(w.details["massimo_n"])
        own = [o for o in w.counted if o.obiettivo.area != TUTTE] or list(w.counted)
        culprit = next((o for o in reversed(own) if o.obiettivo.peso == delta), own[0])
        details = {k: v for k, v in w.details.items() if k != "massimo_n"}
        r.add(Codice.PIANO_PESI, "Obiettivi", culprit.obiettivo.riga, **details)


def _check_items(
    r: Reader,
    p: Persona,
    scheda: Scheda,
    voce: Voce,
    counted: list[ObiettivoArea],
    quali: str,
    whose: str,
) -> _WrongSum | None:
    """The problems of the objectives an item counts; a wrong sum of weights is returned, to
    be reported once for all the Aree it concerns (`_report_weights`)."""
    shared = voce.fonte == "area" and p.ruolo == "dipendente"
    # Inside brackets in the message: «(la scheda di Rossi Anna, matricola 12)».
    chi = (
        f"del personale dell'Area «{whose}»"
        if shared
        else f"di {p.nominativo}, matricola {p.matricola}"
    )
    if not counted:
        of_type = f" di tipo «{voce.tipo_obiettivi}»" if voce.tipo_obiettivi else ""
        if voce.fonte == "assegnati":
            mancanza = (
                f"a {_chi(p)} non è assegnato alcun obiettivo{of_type} (colonna «Assegnatari» "
                "del foglio Obiettivi)"
            )
            rimedio = (
                "Assegnare almeno un obiettivo, oppure indicare un'altra scheda nella colonna "
                "«Scheda» del foglio Personale"
            )
        else:
            who = "l'Ente" if voce.fonte == "ente" else f"l'Area «{whose}»"
            mancanza = f"{who} non ha obiettivi{of_type} nel foglio Obiettivi"
            rimedio = "Aggiungere almeno un obiettivo"
        r.add(
            Codice.PIANO_AREA_SENZA_OBIETTIVI,
            "Personale" if voce.fonte == "assegnati" else "Obiettivi",
            p.riga if voce.fonte == "assegnati" else None,
            mancanza=mancanza,
            voce=voce.titolo,
            scheda=scheda.codice,
            di_chi="" if voce.fonte == "assegnati" else f" (la scheda {chi})",
            rimedio=rimedio,
        )
        return None
    if voce.tipo != "obiettivi":
        return None
    total = sum((o.obiettivo.peso for o in counted), Decimal(0))
    if total == voce.massimo:
        return None
    details = {
        "quali": quali,
        "somma": fmt(total),
        "voce": voce.titolo,
        "scheda": scheda.codice,
        "chi": chi,
        "massimo": fmt(voce.massimo),
        "massimo_n": str(voce.massimo),
    }
    return _WrongSum(tuple(counted), total, details)
