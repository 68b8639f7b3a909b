"""What the messages say: plans of `valuta distribute`, `valuta remind` and `valuta send`.

Each `plan_*` reads the cycle (settings, Piano, and for reminders and results the results JSON
of the last `valuta reconcile`) and returns a `Lotto`: one `Messaggio` per recipient, with its
Italian subject and text and its attachment, plus an anomaly for each recipient who cannot be
written to. Nothing is sent or written here: `workbook.mail.deliver.deliver` does that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbook.anomalies import Anomalia, Codice, anomalia
from workbook.contract import NUCLEO, compilatore, moduli
from workbook.cycle import SETTINGS, Cycle, Settings
from workbook.errors import PostaError
from workbook.lingua import conta
from workbook.mail.deliver import (
    Allegato,
    Destinatario,
    Lotto,
    Messaggio,
    configured,
    valid_address,
)
from workbook.piano.load import load_piano
from workbook.piano.model import Piano
from workbook.results import results_paths
from workbook.results.json import read_results
from workbook.values import format_date, format_number

# --- recipients ------------------------------------------------------------------------------


def _module_recipient(piano: Piano, modulo: str) -> Destinatario | None:
    if modulo != NUCLEO and modulo not in {a.codice for a in piano.aree}:
        return None
    filler = compilatore(piano, modulo)
    return Destinatario(
        filler.email,
        filler.nome,
        filler.chi,
        file=piano.origine,
        foglio=filler.foglio,
        riga=filler.riga,
        saluto=filler.saluto,
    )


def _address_problem(r: Destinatario) -> Anomalia | None:
    """Why a message cannot go to this recipient, or None."""
    if not r.indirizzo.strip():
        return anomalia(
            Codice.POSTA_INDIRIZZO_MANCANTE, file=r.file, foglio=r.foglio, riga=r.riga, chi=r.chi
        )
    if not valid_address(r.indirizzo):
        return anomalia(
            Codice.POSTA_INDIRIZZO_NON_VALIDO,
            file=r.file,
            foglio=r.foglio,
            riga=r.riga,
            indirizzo=r.indirizzo,
            chi=r.chi,
        )
    return None


# --- what the messages say -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Context:
    cycle: Cycle
    settings: Settings
    piano: Piano

    @property
    def anno(self) -> int:
        return self.piano.ente.anno

    @property
    def scadenza(self) -> str:
        return format_date(self.settings.scadenza)

    @property
    def restituzione(self) -> str:
        """Where to return the workbooks: as their «Istruzioni» sheet says (see
        `generate.cycle_context`), so that message and workbook agree."""
        return self.settings.return_address()

    def greeting(self, r: Destinatario) -> str:
        if r.saluto:
            return r.saluto
        return f"Gentile {r.nome}," if r.nome else "Buongiorno,"

    def closing(self) -> str:
        return f"Cordiali saluti,\n{self.settings.firma}\n{self.piano.ente.denominazione}"

    def what(self, modulo: str, *, short: bool = False) -> str:
        """The workbook in words: «dell'Area AREA1 – Denominazione» (`short`: without the
        denomination, for subjects) or «del Nucleo di Valutazione»."""
        if modulo == NUCLEO:
            return "del Nucleo di Valutazione"
        area = next((a for a in self.piano.aree if a.codice == modulo), None)
        if short or area is None:
            return f"dell'Area {modulo}"
        return f"dell'Area {area.etichetta}"

    def how_to_return(self) -> str:
        return (
            f"Come restituirlo: entro il {self.scadenza}, salvare il file in formato Excel "
            f"(.xlsx) oppure LibreOffice (.ods) e inviarlo come allegato a "
            f"{self.restituzione}, anche tramite PEC. Non rinominare, aggiungere o eliminare "
            "fogli, righe o colonne. Si può inviare più volte: conta la versione salvata più "
            "di recente."
        )


def _context(cycle: Cycle) -> _Context:
    settings = cycle.settings()
    piano, _ = load_piano(cycle.piano_path)
    return _Context(cycle, settings, piano)


def _text(*paragraphs: str) -> str:
    return "\n\n".join(p for p in paragraphs if p) + "\n"


def _workbook(cycle: Cycle, modulo: str, chi: str) -> Allegato | Anomalia:
    path = cycle.moduli / f"{modulo}.xlsx"
    if not path.is_file():
        return anomalia(
            Codice.POSTA_MODULO_NON_GENERATO, file=f"moduli/{path.name}", modulo=modulo, chi=chi
        )
    return Allegato(path.name, path.read_bytes(), f"moduli/{path.name}")


def _collect(
    comando: str,
    ctx: _Context,
    planned: Iterable[tuple[Destinatario | None, Callable[[Destinatario], Messaggio]]],
    provvisorio: bool = False,
) -> Lotto:
    """Messages from (recipient, build(recipient)) pairs: recipients without a usable address
    become anomalies instead; the same message twice (an address listed twice) is kept once."""
    messages, problems, seen = [], [], set()
    for recipient, build in planned:
        if recipient is None:
            continue
        problem = _address_problem(recipient)
        if problem is not None:
            problems.append(problem)
            continue
        message = build(recipient)
        identity = (message.indirizzo.lower(), message.impronta)
        if identity not in seen:
            seen.add(identity)
            messages.append(message)
    ente = ctx.piano.ente.denominazione
    return Lotto(comando, ente, tuple(messages), tuple(problems), provvisorio)


# --- valuta distribute -----------------------------------------------------------------------


def plan_distribute(cycle: Cycle) -> Lotto:
    """Each Responsabile gets their Area's workbook; the Nucleo gets nucleo.xlsx."""
    ctx = _context(cycle)
    ctx.settings.return_address()  # where to send them back: stated, or nothing goes out
    attachments: dict[str, Allegato] = {}
    missing = []
    for modulo in moduli(ctx.piano):
        r = _module_recipient(ctx.piano, modulo)
        found = _workbook(cycle, modulo, r.chi if r else modulo)
        if isinstance(found, Anomalia):
            missing.append(found)
        else:
            attachments[modulo] = found
    if missing:
        raise PostaError(missing)
    updated = cycle.nucleo_aggiornato.is_file()

    def build(modulo: str) -> Callable[[Destinatario], Messaggio]:
        def message(r: Destinatario) -> Messaggio:
            ente = ctx.piano.ente
            if modulo == NUCLEO:
                fill = (
                    "- foglio «Obiettivi»: per ogni obiettivo di ogni Area, il raggiungimento "
                    "validato dal Nucleo, sulla base delle relazioni dei Responsabili, e la "
                    "motivazione;\n"
                    "- foglio «Valutazioni»: per ogni persona che il Nucleo valuta "
                    f"({ctx.piano.sistema.sigla_eq}), il punteggio di ciascun fattore, scelto "
                    "dall'elenco."
                )
                if updated:
                    fill += (
                        "\nQuesto modulo è aggiornato: nel foglio «Obiettivi» riporta, in sola "
                        "lettura, ciò che ogni Responsabile ha dichiarato e scritto nel suo "
                        "modulo. Se il Nucleo ha già compilato il modulo precedente, può "
                        "restituire quello: resta valido."
                    )
            else:
                fill = (
                    "- foglio «Obiettivi»: per ogni obiettivo dell'Area, la percentuale di "
                    "raggiungimento (da 0 a 100) e la relazione con le evidenze;\n"
                    "- foglio «Valutazioni»: per ogni dipendente valutabile dell'Area, il "
                    "punteggio di ciascun fattore, scelto dall'elenco."
                )
            allegato = attachments[modulo]
            return Messaggio(
                comando="distribute",
                modulo=modulo,
                indirizzo=r.indirizzo,
                nome=r.nome,
                chi=r.chi,
                oggetto=f"Valutazione della performance {ctx.anno} – modulo "
                f"{ctx.what(modulo, short=True)} "
                f"da restituire entro il {ctx.scadenza}",
                testo=_text(
                    ctx.greeting(r),
                    f"in allegato il modulo per la valutazione della performance {ctx.anno} "
                    f"{ctx.what(modulo)} ({ente.denominazione}): {allegato.nome}.",
                    "Che cosa compilare (solo le celle gialle: il resto del modulo è "
                    f"protetto):\n{fill}\nLe istruzioni complete sono nel foglio «Istruzioni», "
                    "il significato dei punteggi nel foglio «Criteri».",
                    ctx.how_to_return(),
                    ctx.closing(),
                ),
                allegato=allegato,
            )

        return message

    return _collect(
        "distribute",
        ctx,
        ((_module_recipient(ctx.piano, m), build(m)) for m in moduli(ctx.piano)),
    )


# --- the results -----------------------------------------------------------------------------


def load_results(ctx: _Context, *, workbook: bool = False) -> dict[str, Any]:
    """The results JSON of the last `valuta reconcile` (and, if asked, its workbook must be
    there too)."""
    ctx.cycle.recover()  # a reconcile interrupted while writing: its results, whole
    xlsx, data_path = results_paths(ctx.cycle, ctx.anno)
    for path in (data_path, xlsx) if workbook else (data_path,):
        if not path.is_file():
            rel = path.relative_to(ctx.cycle.root).as_posix()
            raise PostaError([anomalia(Codice.POSTA_RISULTATI_MANCANTI, file=rel, percorso=rel)])
    data = read_results(data_path)
    if data is None:  # unreadable or from another version: reconcile again
        rel = data_path.relative_to(ctx.cycle.root).as_posix()
        raise PostaError([anomalia(Codice.POSTA_RISULTATI_MANCANTI, file=rel, percorso=rel)])
    return data


def _where(a: dict[str, Any]) -> str:
    """«File «AREA1.xlsx», foglio «Valutazioni», cella F12» for a results anomaly."""
    name = str(a.get("file", "")).removeprefix("ricevuti/")
    parts = [f"file «{name}»"] if name else []
    if a.get("foglio"):
        parts.append(f"foglio «{a['foglio']}»")
    cella = str(a.get("cella", ""))
    if cella:
        parts.append(cella if cella.startswith("riga") else f"cella {cella}")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


# --- valuta remind ---------------------------------------------------------------------------


def plan_remind(cycle: Cycle) -> Lotto:
    """A reminder for each workbook missing or with errori, listing exactly what to fix."""
    ctx = _context(cycle)
    ctx.settings.return_address()
    data = load_results(ctx)
    planned = []
    missing_files = []
    for stato in data["moduli"]:
        modulo = stato["modulo"]
        errors = [
            a
            for a in data["anomalie"]
            if a.get("modulo") == modulo
            and a.get("gravita") == "errore"
            and a.get("codice") != Codice.REC_MODULO_MANCANTE.code
        ]
        is_missing = stato["stato"] == "mancante"
        if not is_missing and not errors:
            continue
        r = _module_recipient(ctx.piano, modulo) or Destinatario(
            str(stato.get("email", "")), "", str(stato.get("compilato_da", modulo))
        )
        allegato = None
        # A workbook that was altered or cannot be read must be filled in again from the
        # original: send the original along, as for a missing one.
        if is_missing or any(a.get("codice") in REFILL for a in errors):
            found = _workbook(cycle, modulo, r.chi)
            if isinstance(found, Anomalia):
                missing_files.append(found)
                continue
            allegato = found
        planned.append((r, _reminder(ctx, modulo, errors, allegato)))
    if missing_files:
        raise PostaError(missing_files)
    return _collect("remind", ctx, planned)


# Errors after which the sender must fill in the original workbook again.
REFILL = frozenset(
    c.code
    for c in (
        Codice.REC_CELLA_MODIFICATA,
        Codice.REC_FORMULA_MODIFICATA,
        Codice.REC_FORMULA_SOSTITUITA,
        Codice.REC_CONTENUTO_AGGIUNTO,
        Codice.REC_CONTENUTO_RIMOSSO,
        Codice.REC_ALTRE_MODIFICHE,
        Codice.REC_MAPPA_MODIFICATA,
        Codice.REC_FOGLIO_MANCANTE,
        Codice.REC_FOGLIO_AGGIUNTO,
        Codice.REC_IDENTITA_INCOERENTE,
        Codice.REC_FIRMA_NON_VALIDA,
        Codice.REC_GENERAZIONE_PRECEDENTE,
    )
) | frozenset(c.code for c in Codice if c.code.startswith("ING-"))

_TO_SECRETARY = re.compile(r"\s*(?:Il modulo non viene usato:\s*)?[Cc]hiedere al\b.*$", re.S)


def for_sender(message: str) -> str:
    """A catalogue message as the sender reads it: without the advice to the Segreteria
    («Chiedere al Responsabile di…»), which the reminder replaces with its own."""
    text = _TO_SECRETARY.sub("", message).rstrip(" :")
    return text if text.endswith((".", "»", ")")) else text + "."


def _reminder(
    ctx: _Context, modulo: str, errors: list[dict[str, Any]], allegato: Allegato | None
) -> Callable[[Destinatario], Messaggio]:
    def message(r: Destinatario) -> Messaggio:
        intro = f"valutazione della performance {ctx.anno}"
        if allegato is not None and not errors:
            subject = (
                f"Sollecito – {intro}: modulo {ctx.what(modulo, short=True)} non ancora ricevuto"
            )
            body = [
                f"non risulta ancora ricevuto il modulo per la {intro} {ctx.what(modulo)}, da "
                f"restituire entro il {ctx.scadenza}. Lo alleghiamo di nuovo: {allegato.nome}.",
                "Compilare le celle gialle (le istruzioni sono nel foglio «Istruzioni»).",
                ctx.how_to_return(),
                "Se il modulo è stato inviato negli ultimi giorni, non tenga conto di questo "
                "messaggio.",
            ]
        else:
            subject = f"Sollecito – {intro}: correzioni al modulo {ctx.what(modulo, short=True)}"
            items = "\n".join(
                f"{i}. {_where(a)}: {for_sender(str(a.get('messaggio', '')))} "
                f"[{a.get('codice', '')}]"
                for i, a in enumerate(errors, start=1)
            )
            body = [
                f"nel modulo per la {intro} {ctx.what(modulo)} che ci è pervenuto "
                f"{'risulta' if len(errors) == 1 else 'risultano'} da correggere "
                f"{conta(len(errors), 'problema', 'problemi')}; finché non "
                f"{'è corretto' if len(errors) == 1 else 'sono corretti'}, i risultati "
                f"restano provvisori:\n\n{items}",
                (
                    f"Il modulo restituito è stato alterato o non è leggibile: compilare di nuovo "
                    f"il modulo originale, che alleghiamo ({allegato.nome}), modificando solo le "
                    "celle gialle, e inviarlo come allegato a "
                    if allegato is not None
                    else "Correggere il modulo e inviarlo di nuovo come allegato a "
                )
                + f"{ctx.restituzione}, in formato .xlsx oppure .ods, anche tramite PEC, entro il "
                f"{ctx.scadenza}: conta la versione salvata più di recente.",
            ]
        return Messaggio(
            comando="remind",
            modulo=modulo,
            indirizzo=r.indirizzo,
            nome=r.nome,
            chi=r.chi,
            oggetto=subject,
            testo=_text(ctx.greeting(r), *body, ctx.closing()),
            allegato=allegato,
        )

    return message


# --- valuta send -----------------------------------------------------------------------------


def plan_send(
    cycle: Cycle, *, per_area: bool = False, provvisorio: bool = False, schede: bool = False
) -> Lotto:
    """The results workbook to the recipients of `[risultati] destinatari`, or, `per_area`,
    to each Responsabile a workbook with only their Area's results. Provisional results (with
    errori) are refused unless `provvisorio`, and then marked PROVVISORI everywhere."""
    ctx = _context(cycle)
    data = load_results(ctx, workbook=True)
    xlsx, _ = results_paths(ctx.cycle, ctx.anno)
    provisional = not data["stato"]["definitivo"]
    if provisional and not provvisorio:
        n_errors = sum(a.get("gravita") == "errore" for a in data["anomalie"])
        rel = xlsx.relative_to(cycle.root).as_posix()
        raise PostaError([anomalia(Codice.POSTA_RISULTATI_PROVVISORI, file=rel, n=n_errors)])
    if schede:  # each person their own scheda (mail/schede.py)
        from workbook.mail.schede import plan_schede

        return plan_schede(ctx, data, provisional)
    if per_area:
        return _send_per_area(ctx, data, xlsx, provisional)
    return _send_whole(ctx, data, xlsx, provisional)


PRIVACY = (
    "Il file contiene dati personali: va trattato secondo la normativa sulla protezione dei "
    "dati personali e non va inoltrato."
)


def _status(provisional: bool, errors: str) -> str:
    if not provisional:
        return "I risultati sono definitivi: nei moduli non ci sono errori."
    return (
        f"ATTENZIONE: i risultati sono PROVVISORI. {errors} e i valori possono ancora "
        "cambiare; i risultati definitivi saranno inviati dopo le correzioni."
    )


def _marks(provisional: bool) -> tuple[str, str]:
    """(subject prefix, file name suffix) of provisional results."""
    return ("RISULTATI PROVVISORI – ", "-PROVVISORI") if provisional else ("", "")


def _send_whole(ctx: _Context, data: dict[str, Any], xlsx: Path, provisional: bool) -> Lotto:
    if not ctx.settings.destinatari:
        raise PostaError([anomalia(Codice.POSTA_NESSUN_DESTINATARIO, file=SETTINGS)])
    prefix, suffix = _marks(provisional)
    allegato = Allegato(
        f"{xlsx.stem}{suffix}.xlsx", xlsx.read_bytes(), xlsx.relative_to(ctx.cycle.root).as_posix()
    )
    ente = ctx.piano.ente.denominazione
    n_errors = sum(a.get("gravita") == "errore" for a in data["anomalie"])
    tabelle = data["relazione"]
    media = tabelle.media_punteggio_su_100
    facts = (
        f"Moduli ricevuti: {len(data['stato']['ricevuti'])} su "
        f"{len(data['stato']['attesi'])}. Dipendenti valutati: "
        f"{tabelle.n_dipendenti_valutati}; non valutati: "
        f"{tabelle.n_dipendenti_non_valutati}. Media del punteggio: "
        f"{format_number(media, 2) if media is not None else '–'} su 100."
    )
    errors = f"Ci sono {conta(n_errors, 'errore', 'errori')} da correggere (foglio Anomalie)"

    def message(r: Destinatario) -> Messaggio:
        return Messaggio(
            comando="send",
            modulo="risultati",
            indirizzo=r.indirizzo,
            nome=r.nome,
            chi=r.chi,
            oggetto=f"{prefix}Valutazione della performance {ctx.anno} – risultati ({ente})",
            testo=_text(
                ctx.greeting(r),
                f"in allegato i risultati della valutazione della performance {ctx.anno} "
                f"({ente}): {allegato.nome}, con i fogli Riepilogo, Anomalie, Relazione, "
                "Valutazioni, Obiettivi e Premi.",
                facts,
                _status(provisional, errors),
                PRIVACY,
                ctx.closing(),
            ),
            allegato=allegato,
        )

    planned = [(configured(entry), message) for entry in ctx.settings.destinatari]
    return _collect("send", ctx, planned, provisional)


def _send_per_area(ctx: _Context, data: dict[str, Any], xlsx: Path, provisional: bool) -> Lotto:
    """Each Responsabile: a workbook built for them, with only their Area (results/area.py)."""
    from workbook.results.area import area_workbook, results_created

    prefix, suffix = _marks(provisional)
    created = results_created(data, ctx.anno)
    errors = (
        "Nei moduli ci sono ancora errori da correggere (quelli del modulo dell'Area sono nel "
        "foglio Anomalie)"
    )
    planned = []
    for area in ctx.piano.aree:
        name = f"risultati-{ctx.anno}-{area.codice}{suffix}.xlsx"
        person = ctx.piano.persona(area.responsabile) if area.responsabile else None
        dati = area_workbook(
            data,
            area.codice,
            area.denominazione,
            person.nominativo if person else area.responsabile,
            provvisorio=provisional,
            created=created,
        )
        allegato = Allegato(name, dati, f"posta/{name}", ctx.cycle.posta / name)

        def message(
            r: Destinatario, allegato: Allegato = allegato, codice: str = area.codice
        ) -> Messaggio:
            return Messaggio(
                comando="send",
                modulo=codice,
                indirizzo=r.indirizzo,
                nome=r.nome,
                chi=r.chi,
                oggetto=f"{prefix}Valutazione della performance {ctx.anno} – risultati "
                f"{ctx.what(codice, short=True)}",
                testo=_text(
                    ctx.greeting(r),
                    f"in allegato i risultati della valutazione della performance {ctx.anno} "
                    f"{ctx.what(codice)}: {allegato.nome}, con le valutazioni dei dipendenti "
                    "dell'Area, il raggiungimento degli obiettivi dell'Area e le anomalie del "
                    "modulo dell'Area.",
                    _status(provisional, errors),
                    PRIVACY,
                    ctx.closing(),
                ),
                allegato=allegato,
            )

        planned.append((_module_recipient(ctx.piano, area.codice), message))
    return _collect("send", ctx, planned, provisional)
