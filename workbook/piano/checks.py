"""The rules of a Piano that involve more than one sheet, or the Sistema."""

from __future__ import annotations

from decimal import Decimal

from workbook.anomalies import Codice, suggest
from workbook.piano.model import Piano
from workbook.piano.reading import Reader, fmt
from workbook.piano.sheets import TUTTE


def check_consistency(r: Reader, piano: Piano) -> None:
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
                    somma=fmt(total),
                    voce=voce.titolo,
                    massimo=fmt(voce.massimo),
                )
        if not piano.dipendenti(area.codice):
            r.add(Codice.PIANO_AREA_SENZA_PERSONALE, "Personale", None, area=area.codice)
