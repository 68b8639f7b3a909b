"""The rules of a Sistema: every scheda, part, item, scale, band and grade checked, each
problem an anomaly where it is (checker.py reads the values and locates them)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from workbook.anomalies import Codice, suggest
from workbook.sistema.checker import CONTEXT_NAMES, Checker, Where
from workbook.sistema.lines import LineDict
from workbook.sistema.model import (
    CATEGORIE,
    CAUSE_ASSENZA,
    CAUSE_PROTETTE,
    FONTI,
    PAROLE_RUOLO,
    TIPI_VOCE,
    VALUTATORE_TITOLO,
    VALUTATORI,
    Fascia,
    Grado,
    Livello,
    Maggiorazione,
    Parte,
    RegolePremi,
    Scheda,
    Voce,
)
from workbook.values import format_number


def _at(obj: LineDict, key: str) -> Where:
    """Where a key of an item is: its cell in a workbook, its line in YAML."""
    return obj.key_lines.get(key, obj.line)


def _check_bands(
    ck: Checker,
    bands: list[tuple[Fascia, LineDict]],
    massimo: Decimal | None,
    scheda: str,
    line: Where,
) -> None:
    """Bands from 0 to the scheda's maximum (when it is known), without gaps or overlaps;
    each problem at the value to correct."""
    if not bands:
        ck.add(
            Codice.SIST_FASCE_COPERTURA,
            line,
            scheda=scheda,
            massimo=_fmt(massimo) if massimo is not None else "il massimo",
            dettaglio="non è definita alcuna fascia",
        )
        return
    ordered = sorted(bands, key=lambda b: b[0].da)
    for (prev, _), (cur, cur_raw) in itertools.pairwise(ordered):
        if cur.da <= prev.a:
            ck.add(
                Codice.SIST_FASCE_SOVRAPPOSTE,
                _at(cur_raw, "da"),
                fascia=cur.etichetta,
                altra=prev.etichetta,
            )
        elif cur.da > prev.a + 1:
            ck.add(
                Codice.SIST_FASCE_BUCO,
                _at(cur_raw, "da"),
                fascia=cur.etichetta,
                altra=prev.etichetta,
                atteso=_fmt(prev.a + 1),
            )
    first, first_raw = ordered[0]
    last, last_raw = ordered[-1]
    if first.da != 0:
        ck.add(
            Codice.SIST_FASCE_COPERTURA,
            _at(first_raw, "da"),
            scheda=scheda,
            massimo=_fmt(massimo) if massimo is not None else "il massimo",
            dettaglio=f"la fascia più bassa inizia da {_fmt(first.da)} invece che da 0",
        )
    if massimo is not None and last.a != massimo:
        ck.add(
            Codice.SIST_FASCE_COPERTURA,
            _at(last_raw, "a"),
            scheda=scheda,
            massimo=_fmt(massimo),
            dettaglio=f"la fascia più alta arriva a {_fmt(last.a)} invece che a {_fmt(massimo)}",
        )
    for band, raw in bands:
        if band.a < band.da:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                _at(raw, "a"),
                chiave="a",
                contesto="in una fascia",
                regola=f"la fascia termina ({_fmt(band.a)}) prima di iniziare ({_fmt(band.da)})",
            )
        if not 0 <= band.premio <= 100:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                _at(raw, "premio"),
                chiave="premio",
                contesto="in una fascia",
                regola="il premio è una percentuale da 0 a 100",
            )


def _fmt(value: Decimal) -> str:
    return format_number(value)


def parse_levels(
    ck: Checker, raw: Any, line: Where, where: LineDict, key: str
) -> tuple[Livello, ...]:
    if not isinstance(raw, list) or not raw:
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            line,
            chiave=key,
            contesto="in una scala",
            regola="deve essere un elenco non vuoto di livelli «- valore: … descrizione: …»",
        )
        return ()
    levels: list[Livello] = []
    seen: dict[Decimal, Where] = {}
    for item, item_line in zip(raw, raw.item_lines, strict=True):
        obj = ck.mapping(item, "livello", item_line)
        if obj is None:
            continue
        value = ck.number(obj, "valore", "livello")
        if value is None:
            continue
        if value in seen:
            ck.add(
                Codice.SIST_CODICE_DUPLICATO,
                item_line,
                valore=_fmt(value),
                prima=seen[value],
                cosa="livello della scala",
            )
            continue
        seen[value] = item_line
        levels.append(Livello(value, ck.text(obj, "descrizione", "livello")))
    return tuple(sorted(levels, key=lambda lv: lv.valore))


def parse_scheda(
    ck: Checker, codice: str, raw: Any, line: Where, scales: dict[str, tuple[Livello, ...]]
) -> Scheda | None:
    """One scheda, `codice` being its key in «schede». Its role is «ruolo», or the key itself
    when the key names a role («dipendente», «po», «eq», «dirigente»)."""
    obj = ck.mapping(raw, "scheda", line)
    if obj is None:
        return None
    default_role = codice.casefold() if codice.casefold() in PAROLE_RUOLO else ""
    if "ruolo" not in obj and not default_role:
        ck.add(
            Codice.SIST_CHIAVE_MANCANTE,
            obj.key_lines.get("ruolo", line),
            chiave="ruolo",
            contesto=f"nella scheda «{codice}»",
        )
        return None
    word = ck.choice(obj, "ruolo", "scheda", tuple(PAROLE_RUOLO), default_role or "dipendente")
    ruolo = PAROLE_RUOLO[word]
    valutatore = ck.choice(obj, "valutatore", "scheda", VALUTATORI, "responsabile")
    massimo_read = ck.number(obj, "massimo", "scheda")
    massimo = massimo_read or Decimal(0)
    parts: list[Parte] = []
    damaged = getattr(raw, "danneggiata", False)
    every_part = massimo_read is not None and not damaged
    codes: dict[str, Where] = {}
    for part_raw, part_line in ck.items(obj, "parti", "scheda"):
        part = ck.mapping(part_raw, "parte", part_line)
        if part is None:
            every_part = False
            continue
        part_max_read = ck.number(part, "massimo", "parte")
        part_max = part_max_read or Decimal(0)
        complete = part_max_read is not None and not damaged
        voci: list[Voce] = []
        # A voce (or a maximum) refused is reported once: the total is not checked against it.
        for voce_raw, voce_line in ck.items(part, "voci", "parte"):
            voce = _parse_voce(ck, voce_raw, voce_line, scales, codes)
            if voce is not None:
                voci.append(voce)
            complete = complete and voce is not None
        every_part = every_part and complete
        parte = Parte(
            ck.text(part, "codice", "parte"),
            ck.text(part, "titolo", "parte"),
            part_max,
            tuple(voci),
        )
        total = sum((v.massimo for v in voci), Decimal(0))
        if voci and complete and total != part_max:
            ck.add(
                Codice.SIST_PARTE_MASSIMO,
                part.key_lines.get("massimo", part_line),
                parte=parte.titolo or parte.codice,
                somma=_fmt(total),
                massimo=_fmt(part_max),
            )
            every_part = False  # one mistake: not reported again in the scheda's total
        parts.append(parte)
    total = sum((p.massimo for p in parts), Decimal(0))
    if parts and every_part and total != massimo:
        ck.add(
            Codice.SIST_SCHEDA_MASSIMO,
            obj.key_lines.get("massimo", line),
            scheda=codice,
            somma=_fmt(total),
            massimo=_fmt(massimo),
        )
        massimo_read = None  # the bands are not checked against a maximum being corrected
    bands: list[tuple[Fascia, LineDict]] = []
    every_band = not damaged
    for band_raw, band_line in ck.items(obj, "fasce", "scheda"):
        band = ck.mapping(band_raw, "fascia", band_line)
        if band is None:
            every_band = False
            continue
        proporzionale = (
            isinstance(band.get("premio"), str) and band["premio"].strip().casefold() == "punteggio"
        )
        if proporzionale:
            da, a = (ck.number(band, k, "fascia") for k in ("da", "a"))
            premio: Decimal | None = Decimal(0)
        else:
            da, a, premio = (ck.number(band, k, "fascia") for k in ("da", "a", "premio"))
        negativa = ck.flag(band, "negativa", "fascia") if "negativa" in band else False
        if negativa and proporzionale:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                band.key_lines.get("premio", band.line),
                chiave="premio",
                contesto="in una fascia",
                regola="una fascia negativa non dà premio: indicare 0, non «punteggio»",
            )
        if negativa and premio:
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                band.key_lines.get("premio", band.line),
                chiave="premio",
                contesto="in una fascia",
                regola="una fascia negativa non dà premio: indicare 0",
            )
        if da is not None and a is not None and premio is not None:
            bands.append((Fascia(da, a, premio, negativa, proporzionale), band))
        else:
            every_band = False
    if every_band:  # a band refused is reported once, not again as a gap
        _check_bands(ck, bands, massimo_read, codice, obj.key_lines.get("fasce", line))
    titolo_valutatore = ck.text(obj, "titolo_valutatore", "scheda").strip()
    return Scheda(
        codice=codice,
        ruolo=ruolo,
        titolo=ck.text(obj, "titolo", "scheda"),
        valutatore=valutatore,  # type: ignore[arg-type]
        titolo_valutatore=titolo_valutatore
        or VALUTATORE_TITOLO[valutatore].removeprefix("il ").capitalize(),  # type: ignore[index]
        massimo=massimo,
        parti=tuple(parts),
        fasce=tuple(sorted((b for b, _ in bands), key=lambda b: b.da)),
        categorie=_categories(ck, obj),
        solo_indicata=ck.flag(obj, "solo_indicata", "scheda"),
    )


def _categories(ck: Checker, obj: LineDict) -> tuple[str, ...]:
    """«categorie»: a list («[B, C]»), or words separated by commas or semicolons."""
    raw = obj.get("categorie")
    if raw is None or raw == "":
        return ()
    items = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
    words = tuple(" ".join(str(x).split()) for x in items if str(x).strip())
    if not words or any(isinstance(x, dict | list) for x in items):
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            obj.key_lines.get("categorie", obj.line),
            chiave="categorie",
            contesto="in una scheda",
            regola="indicare le categorie a cui si applica la scheda, per esempio «B, C»",
        )
        return ()
    return words


def _parse_voce(
    ck: Checker,
    raw: Any,
    line: Where,
    scales: dict[str, tuple[Livello, ...]],
    codes: dict[str, Where],
) -> Voce | None:
    tipo = raw.get("tipo") if isinstance(raw, dict) else None
    if tipo not in TIPI_VOCE:
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            getattr(raw, "key_lines", {}).get("tipo", line),
            chiave="tipo",
            contesto="in una voce",
            regola=f"«{tipo}» non è un tipo di voce{suggest(str(tipo), TIPI_VOCE)}; tipi "
            "ammessi: " + ", ".join(TIPI_VOCE),
        )
        return None
    obj = ck.mapping(raw, tipo, line)
    if obj is None:
        return None
    codice = ck.text(obj, "codice", tipo)
    if codice in codes:
        ck.add(
            Codice.SIST_CODICE_DUPLICATO,
            obj.key_lines.get("codice", line),
            valore=codice,
            prima=codes[codice],
            cosa="voce della scheda",
        )
    codes[codice] = obj.key_lines.get("codice", line)
    common = {
        "codice": codice,
        "titolo": ck.text(obj, "titolo", tipo),
        "descrizione": ck.text(obj, "descrizione", tipo),
    }
    if tipo == "fattore":
        if ("scala" in obj) == ("livelli" in obj):
            ck.add(
                Codice.SIST_VALORE_NON_VALIDO,
                line,
                chiave="scala",
                contesto="in una voce",
                regola="un fattore indica o «scala» (una scala definita in «scale») o "
                "«livelli», uno dei due",
            )
            return None
        name = ""
        if "scala" in obj:
            name = str(obj["scala"])
            if name not in scales:
                ck.add(
                    Codice.SIST_SCALA_SCONOSCIUTA,
                    obj.key_lines["scala"],
                    voce=codice,
                    scala=name,
                    suggerimento=suggest(name, scales),
                    disponibili=", ".join(sorted(scales)) or "nessuna",
                )
                return None
            levels = scales[name]
        else:
            levels = parse_levels(ck, obj["livelli"], obj.key_lines["livelli"], obj, "livelli")
        if not levels:
            return None
        return Voce(
            tipo="fattore",
            massimo=max(lv.valore for lv in levels),
            livelli=levels,
            scala=name,
            **common,
        )
    massimo = ck.number(obj, "massimo", tipo) or Decimal(0)
    fonte = ck.choice(obj, "fonte", tipo, FONTI[tipo], "area")
    kind = ck.text(obj, "tipo_obiettivi", tipo).strip().casefold()
    if kind and kind not in CATEGORIE:
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            obj.key_lines.get("tipo_obiettivi", line),
            chiave="tipo_obiettivi",
            contesto=CONTEXT_NAMES[tipo],
            regola=f"«{kind}» non è un tipo di obiettivi{suggest(kind, CATEGORIE)}; tipi "
            "ammessi: " + ", ".join(CATEGORIE) + " (oppure nessuno: tutti gli obiettivi)",
        )
        kind = ""
    return Voce(
        tipo=tipo,
        massimo=massimo,
        fonte=fonte,  # type: ignore[arg-type]
        tipo_obiettivi=kind,
        **common,
    )


def parse_grades(ck: Checker, raw: LineDict) -> tuple[str, tuple[Grado, ...]]:
    obj = ck.mapping(raw, "raggiungimento", raw.line if isinstance(raw, LineDict) else 1)
    if obj is None:
        return "percentuale", ()
    modalita = ck.choice(obj, "modalita", "raggiungimento", ("percentuale", "grado"), "percentuale")
    grades: list[tuple[Grado, LineDict]] = []
    for item, line in ck.items(obj, "gradi", "raggiungimento"):
        g = ck.mapping(item, "grado", line)
        if g is None:
            continue
        da, a = ck.number(g, "da", "grado"), ck.number(g, "a", "grado")
        if da is None or a is None:
            continue
        valore = ck.number(g, "valore", "grado") if "valore" in g else a
        grades.append((Grado(ck.text(g, "descrizione", "grado"), da, a, valore or a), g))
    grades.sort(key=lambda x: x[0].da)
    if not grades:
        ck.add(Codice.SIST_GRADI, obj.line, dettaglio="è vuota")
        return modalita, ()
    if grades[0][0].da != 0:
        ck.add(Codice.SIST_GRADI, _at(grades[0][1], "da"), dettaglio="non inizia da 0")
    if grades[-1][0].a != 100:
        ck.add(Codice.SIST_GRADI, _at(grades[-1][1], "a"), dettaglio="non arriva a 100")
    for (prev, _), (cur, raw_cur) in itertools.pairwise(grades):
        if cur.da <= prev.a:
            ck.add(
                Codice.SIST_GRADI,
                _at(raw_cur, "da"),
                dettaglio=f"ha il grado «{cur.descrizione}» che si "
                f"sovrappone a «{prev.descrizione}»",
            )
        elif cur.da > prev.a + 1:
            ck.add(
                Codice.SIST_GRADI,
                _at(raw_cur, "da"),
                dettaglio=f"lascia un vuoto tra «{prev.descrizione}» e «{cur.descrizione}»",
            )
    for grade, raw_grade in grades:
        if not grade.da <= grade.valore <= grade.a:
            ck.add(
                Codice.SIST_GRADI,
                _at(raw_grade, "valore"),
                dettaglio=f"attribuisce al grado "
                f"«{grade.descrizione}» il valore {_fmt(grade.valore)}, fuori dal suo "
                "intervallo",
            )
    return modalita, tuple(g for g, _ in grades)


def parse_premi(ck: Checker, raw: object, line: Where) -> RegolePremi:
    """The money rules («premi»): how the productivity fund and the EQ result fund are shared
    (workbook/premi.py; docs/premi.md)."""
    obj = ck.mapping(raw, "premi", line)
    if obj is None:
        return RegolePremi()
    metodo = ck.choice(obj, "metodo", "premi", ("fasce", "punteggio"), "fasce")
    residuo = ck.choice(obj, "residuo", "premi", ("economia", "ridistribuito"), "economia")
    budget = ck.choice(obj, "budget", "premi", ("ente", "area"), "ente")
    quota = ck.number(obj, "quota_organizzativa", "premi") or Decimal(0)
    if quota > 100:
        ck.add(
            Codice.SIST_VALORE_NON_VALIDO,
            obj.key_lines.get("quota_organizzativa", obj.line),
            chiave="quota_organizzativa",
            contesto=CONTEXT_NAMES["premi"],
            regola="è una percentuale del fondo, da 0 a 100",
        )
    coefficienti: list[tuple[str, Decimal]] = []
    raw_coef = obj.get("coefficienti")
    if raw_coef is not None:
        table = ck.mapping_free(
            raw_coef, "coefficienti", obj.key_lines.get("coefficienti", obj.line)
        )
        for categoria in table or {}:
            value = ck.number(table, categoria, "premi", minimum=Decimal(0))  # type: ignore[arg-type]
            if value is not None:
                coefficienti.append((str(categoria), value))
    maggiorazione = None
    if "maggiorazione" in obj:
        m = ck.mapping(obj["maggiorazione"], "maggiorazione", obj.key_lines["maggiorazione"])
        if m is not None:
            p = ck.number(m, "percentuale", "maggiorazione")
            k = ck.number(m, "quota_personale", "maggiorazione")
            if p is not None and p < 30:
                ck.add(
                    Codice.SIST_VALORE_NON_VALIDO,
                    m.key_lines.get("percentuale", m.line),
                    chiave="percentuale",
                    contesto=CONTEXT_NAMES["maggiorazione"],
                    regola=f"{_fmt(p)}% è meno del minimo: la maggiorazione non può essere "
                    "inferiore al 30% del valore medio pro-capite dei premi individuali (CCNL "
                    "Funzioni Locali 21.5.2018 art. 69 c.2; 16.11.2022 art. 81 c.2)",
                )
            if k is not None and not 0 < k <= 100:
                ck.add(
                    Codice.SIST_VALORE_NON_VALIDO,
                    m.key_lines.get("quota_personale", m.line),
                    chiave="quota_personale",
                    contesto=CONTEXT_NAMES["maggiorazione"],
                    regola="è la percentuale del personale valutato positivamente che può "
                    "riceverla, più di 0 e al più 100 (il contratto integrativo la vuole "
                    "«limitata»)",
                )
            arrotondamento = ck.choice(
                m, "arrotondamento", "maggiorazione", ("difetto", "eccesso"), "difetto"
            )
            ck.choice(m, "parita", "maggiorazione", ("dividi",), "dividi")
            if p is not None and k is not None and p * k > 10_000:
                ck.add(
                    Codice.SIST_VALORE_NON_VALIDO,
                    m.key_lines.get("percentuale", m.line),
                    chiave="percentuale",
                    contesto=CONTEXT_NAMES["maggiorazione"],
                    regola=f"il {_fmt(p)}% del premio medio al {_fmt(k)}% del personale supera "
                    "la quota individuale del fondo da cui si preleva: percentuale × quota di "
                    "personale non può superare 100 × 100",
                )
            if p is not None and k is not None:
                maggiorazione = Maggiorazione(p, k, arrotondamento)  # type: ignore[arg-type]
    eq_base, eq_max = "fondo", Decimal(0)
    if "eq" in obj:
        e = ck.mapping(obj["eq"], "premi_eq", obj.key_lines["eq"])
        if e is not None:
            eq_base = ck.choice(e, "base", "premi_eq", ("fondo", "posizione"), "fondo")
            eq_max = ck.number(e, "percentuale_massima", "premi_eq") or Decimal(0)
            if eq_base == "posizione" and not 0 < eq_max <= 100:
                ck.add(
                    Codice.SIST_VALORE_NON_VALIDO,
                    e.key_lines.get("percentuale_massima", e.line),
                    chiave="percentuale_massima",
                    contesto=CONTEXT_NAMES["premi_eq"],
                    regola="con «base: posizione» indicare la percentuale massima della "
                    "retribuzione di posizione (per esempio 25)",
                )
    riducono: list[str] = []
    franchigia = 0
    if "assenze" in obj:
        a = ck.mapping(obj["assenze"], "assenze", obj.key_lines["assenze"])
        if a is not None:
            raw_causes = a.get("riducono", [])
            words = (
                [str(x) for x in raw_causes]
                if isinstance(raw_causes, list)
                else [w for w in str(raw_causes).replace(";", ",").split(",")]
            )
            where = a.key_lines.get("riducono", a.line)
            for word in (w.strip().casefold() for w in words if str(w).strip()):
                if word in CAUSE_PROTETTE:
                    ck.add(
                        Codice.SIST_VALORE_NON_VALIDO,
                        where,
                        chiave="riducono",
                        contesto=CONTEXT_NAMES["assenze"],
                        regola=f"«{word}» non può ridurre il premio: i periodi di congedo di "
                        "maternità, paternità e parentale non sono assenze ai fini della "
                        "performance (D.Lgs. 150/2009, art. 9, c. 3)",
                    )
                elif word not in CAUSE_ASSENZA:
                    ck.add(
                        Codice.SIST_VALORE_NON_VALIDO,
                        where,
                        chiave="riducono",
                        contesto=CONTEXT_NAMES["assenze"],
                        regola=f"«{word}» non è una causa di assenza{suggest(word, CAUSE_ASSENZA)}"
                        f"; cause: {', '.join(CAUSE_ASSENZA)}",
                    )
                else:
                    riducono.append(word)
            franchigia = int(ck.number(a, "franchigia", "assenze") or 0)
    return RegolePremi(
        assenze_riducono=tuple(dict.fromkeys(riducono)),
        franchigia=franchigia,
        metodo=metodo,  # type: ignore[arg-type]
        residuo=residuo,  # type: ignore[arg-type]
        quota_organizzativa=quota,
        budget=budget,  # type: ignore[arg-type]
        coefficienti=tuple(coefficienti),
        maggiorazione=maggiorazione,
        eq_base=eq_base,  # type: ignore[arg-type]
        eq_percentuale_massima=eq_max,
    )
