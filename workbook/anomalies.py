"""The catalogue of anomalies: stable codes, severity, and the Italian message of each.

Every problem a user can cause is an `Anomalia` built from a `Codice`. A code is never renumbered
or reused; `docs/anomalie.md` is generated from this module (`python -m workbook.anomalies`).
Messages read location → what → rule → fix, in the user's coordinates (file, sheet, A1 cell,
1-based row, YAML line).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Gravita(StrEnum):
    """`errore`: results are provisional until fixed; `avviso`: to look at, results stand."""

    ERRORE = "errore"
    AVVISO = "avviso"


E, A = Gravita.ERRORE, Gravita.AVVISO


class Codice(Enum):
    """Each member: (stable code, severity, title, message template)."""

    # --- Sistema di misurazione e valutazione (templates/*.yaml) ---------------------------
    SIST_NON_TROVATO = (
        "SIST-NON-TROVATO",
        E,
        "Sistema non trovato",
        "il Sistema «{nome}» non esiste{suggerimento}. Sistemi disponibili: {disponibili}.",
    )
    SIST_YAML = (
        "SIST-YAML",
        E,
        "File YAML non leggibile",
        "il file non è YAML valido ({dettaglio}). Correggere la sintassi alla riga indicata.",
    )
    SIST_CHIAVE_SCONOSCIUTA = (
        "SIST-CHIAVE-SCONOSCIUTA",
        E,
        "Chiave sconosciuta",
        "la chiave «{chiave}» non è prevista in {contesto}{suggerimento}. "
        "Chiavi ammesse: {ammesse}.",
    )
    SIST_CHIAVE_MANCANTE = (
        "SIST-CHIAVE-MANCANTE",
        E,
        "Chiave obbligatoria mancante",
        "in {contesto} manca la chiave obbligatoria «{chiave}». Aggiungerla.",
    )
    SIST_VALORE_NON_VALIDO = (
        "SIST-VALORE-NON-VALIDO",
        E,
        "Valore non valido",
        "il valore di «{chiave}» in {contesto} non è valido: {regola}.",
    )
    SIST_CODICE_DUPLICATO = (
        "SIST-CODICE-DUPLICATO",
        E,
        "Codice ripetuto",
        "il codice «{valore}» è già usato alla riga {prima}: ogni {cosa} deve avere un codice "
        "diverso.",
    )
    SIST_PARTE_MASSIMO = (
        "SIST-PARTE-MASSIMO",
        E,
        "Voci che non corrispondono al massimo della parte",
        "le voci della parte «{parte}» valgono in tutto {somma} punti, ma il massimo della parte "
        "è {massimo}. Correggere i massimi delle voci o della parte perché coincidano.",
    )
    SIST_SCHEDA_MASSIMO = (
        "SIST-SCHEDA-MASSIMO",
        E,
        "Parti che non corrispondono al massimo della scheda",
        "le parti della scheda «{scheda}» valgono in tutto {somma} punti, ma il massimo della "
        "scheda è {massimo}. Correggere i massimi perché coincidano.",
    )
    SIST_FASCE_SOVRAPPOSTE = (
        "SIST-FASCE-SOVRAPPOSTE",
        E,
        "Fasce sovrapposte",
        "la fascia {fascia} si sovrappone alla fascia {altra}: ogni punteggio deve cadere in una "
        "sola fascia.",
    )
    SIST_FASCE_BUCO = (
        "SIST-FASCE-BUCO",
        E,
        "Fasce non contigue",
        "tra la fascia {altra} e la fascia {fascia} restano punteggi senza fascia: la fascia "
        "successiva deve iniziare da {atteso}.",
    )
    SIST_FASCE_COPERTURA = (
        "SIST-FASCE-COPERTURA",
        E,
        "Fasce che non coprono tutti i punteggi",
        "le fasce della scheda «{scheda}» devono coprire i punteggi da 0 a {massimo}: {dettaglio}.",
    )
    SIST_SCALA_SCONOSCIUTA = (
        "SIST-SCALA-SCONOSCIUTA",
        E,
        "Scala sconosciuta",
        "la voce «{voce}» usa la scala «{scala}», che non è definita{suggerimento}. "
        "Scale definite: {disponibili}.",
    )
    SIST_GRADI = (
        "SIST-GRADI",
        E,
        "Griglia dei gradi di raggiungimento non valida",
        "la griglia dei gradi di raggiungimento {dettaglio}: i gradi devono coprire senza "
        "sovrapposizioni le percentuali da 0 a 100.",
    )

    # --- Piano della performance (piano.xlsx) ----------------------------------------------
    PIANO_FILE = (
        "PIANO-FILE",
        E,
        "Piano non leggibile",
        "il file non si apre come cartella di lavoro Excel ({dettaglio}). Salvarlo da Excel o "
        "LibreOffice in formato .xlsx, oppure ricrearlo con «valuta init».",
    )
    PIANO_FOGLIO_MANCANTE = (
        "PIANO-FOGLIO-MANCANTE",
        E,
        "Foglio mancante",
        "manca il foglio «{nome}»{suggerimento}. Il Piano deve avere i fogli {attesi}.",
    )
    PIANO_COLONNA_MANCANTE = (
        "PIANO-COLONNA-MANCANTE",
        E,
        "Colonna mancante",
        "manca la colonna «{colonna}»{suggerimento}. Ripristinare l'intestazione come nel "
        "modello creato da «valuta init».",
    )
    PIANO_CAMPO_MANCANTE = (
        "PIANO-CAMPO-MANCANTE",
        E,
        "Dato obbligatorio mancante",
        "«{campo}» è vuoto ma è obbligatorio. Compilarlo.",
    )
    PIANO_NUMERO_NON_VALIDO = (
        "PIANO-NUMERO-NON-VALIDO",
        E,
        "Numero non valido",
        "«{campo}» vale «{valore}», che non è un numero{regola}. Scrivere un numero, ad esempio "
        "«{esempio}».",
    )
    PIANO_DATA_NON_VALIDA = (
        "PIANO-DATA-NON-VALIDA",
        E,
        "Data non valida",
        "«{campo}» vale «{valore}», che non è una data. Scrivere la data come «01/03/{anno}».",
    )
    PIANO_DATE_IMPOSSIBILI = (
        "PIANO-DATE-IMPOSSIBILI",
        E,
        "Date impossibili",
        "{dettaglio}. Correggere le date di servizio.",
    )
    PIANO_VALORE_NON_AMMESSO = (
        "PIANO-VALORE-NON-AMMESSO",
        E,
        "Valore non ammesso",
        "«{campo}» vale «{valore}», che non è ammesso{suggerimento}. Valori ammessi: {ammessi}.",
    )
    PIANO_FORMULA = (
        "PIANO-FORMULA",
        E,
        "Testo che sembra una formula",
        "«{campo}» inizia con «{inizio}» e un foglio di calcolo potrebbe eseguirlo come formula. "
        "Togliere il carattere iniziale o riformulare il testo.",
    )
    PIANO_CODICE_NON_VALIDO = (
        "PIANO-CODICE-NON-VALIDO",
        E,
        "Codice non valido",
        "il codice «{valore}» contiene caratteri non ammessi: usare solo lettere, cifre, «-» e "
        "«_», al massimo 20 caratteri.",
    )
    PIANO_CODICE_DUPLICATO = (
        "PIANO-CODICE-DUPLICATO",
        E,
        "Codice ripetuto",
        "il codice «{valore}» è già usato alla riga {prima}: ogni {cosa} deve avere un codice "
        "diverso.",
    )
    PIANO_MATRICOLA_DUPLICATA = (
        "PIANO-MATRICOLA-DUPLICATA",
        E,
        "Matricola ripetuta",
        "la matricola «{valore}» è già usata alla riga {prima}: ogni persona deve comparire una "
        "sola volta.",
    )
    PIANO_AREA_SCONOSCIUTA = (
        "PIANO-AREA-SCONOSCIUTA",
        E,
        "Area sconosciuta",
        "l'Area «{valore}» non è nel foglio Aree{suggerimento}. Aree definite: {ammessi}.",
    )
    PIANO_AREA_SENZA_RESPONSABILE = (
        "PIANO-AREA-SENZA-RESPONSABILE",
        E,
        "Area senza Responsabile",
        "l'Area «{area}» non ha un Responsabile. Indicare la matricola del titolare di Posizione "
        "Organizzativa che valuta il personale dell'Area.",
    )
    PIANO_RESPONSABILE_NON_VALIDO = (
        "PIANO-RESPONSABILE-NON-VALIDO",
        E,
        "Responsabile non valido",
        "il Responsabile dell'Area «{area}» ha matricola «{valore}», {dettaglio}{suggerimento}.",
    )
    PIANO_PESI = (
        "PIANO-PESI",
        E,
        "Pesi che non corrispondono al Sistema",
        "nell'Area «{area}» gli obiettivi di tipo «{tipo}» pesano in tutto {somma}, ma la voce "
        "«{voce}» della scheda PO del Sistema vale {massimo} punti. Correggere i pesi nel foglio "
        "Obiettivi perché la somma sia {massimo}.",
    )
    PIANO_AREA_SENZA_OBIETTIVI = (
        "PIANO-AREA-SENZA-OBIETTIVI",
        E,
        "Area senza obiettivi",
        "l'Area «{area}» non ha obiettivi nel foglio Obiettivi: il Sistema ricava il risultato del "
        "personale dal raggiungimento degli obiettivi dell'Area. Assegnarle almeno un obiettivo.",
    )
    PIANO_EMAIL_NON_VALIDA = (
        "PIANO-EMAIL-NON-VALIDA",
        E,
        "Indirizzo e-mail non valido",
        "«{campo}» vale «{valore}», che non è un indirizzo e-mail. Scriverlo come "
        "«nome.cognome@comune.it».",
    )
    PIANO_PO_SENZA_AREA = (
        "PIANO-PO-SENZA-AREA",
        A,
        "PO che non è Responsabile di un'Area",
        "la persona con matricola «{valore}» ha ruolo PO ma non è Responsabile di alcuna Area: "
        "sarà valutata dal Nucleo con la scheda PO senza obiettivi di Area. Verificare il ruolo.",
    )
    PIANO_AREA_SENZA_PERSONALE = (
        "PIANO-AREA-SENZA-PERSONALE",
        A,
        "Area senza personale",
        "l'Area «{area}» non ha dipendenti nel foglio Personale: il suo modulo conterrà solo gli "
        "obiettivi.",
    )

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def gravita(self) -> Gravita:
        return self.value[1]

    @property
    def titolo(self) -> str:
        return self.value[2]

    @property
    def modello(self) -> str:
        return self.value[3]


@dataclass(frozen=True, slots=True)
class Anomalia:
    """One problem, where it is, and what to do about it."""

    codice: Codice
    messaggio: str
    file: str = ""
    foglio: str = ""
    cella: str = ""
    riga: int | None = None
    dati: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def gravita(self) -> Gravita:
        return self.codice.gravita

    @property
    def luogo(self) -> str:
        """«piano.xlsx › Personale, riga 7», «A1.xlsx › Valutazioni!F12», «x.yaml, riga 3»."""
        where = self.file
        if self.foglio:
            where += f" › {self.foglio}"
            if self.cella:
                where += f"!{self.cella}"
        elif self.cella:
            where += f" › {self.cella}"
        if self.riga is not None and not self.cella:
            where += f", riga {self.riga}"
        return where

    @property
    def testo(self) -> str:
        """The message with its location in front, as the user reads it."""
        return f"{self.luogo}: {self.messaggio}" if self.luogo else self.messaggio

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "codice": self.codice.code,
            "gravita": str(self.gravita),
            "file": self.file,
            "foglio": self.foglio,
            "cella": self.cella or (f"riga {self.riga}" if self.riga is not None else ""),
            "messaggio": self.messaggio,
        }


def anomalia(
    codice: Codice,
    *,
    file: str = "",
    foglio: str = "",
    cella: str = "",
    riga: int | None = None,
    **params: object,
) -> Anomalia:
    """Build an anomaly from the catalogue, filling its template with `params`."""
    params.setdefault("suggerimento", "")
    text = codice.modello.format(**params)
    return Anomalia(
        codice=codice,
        messaggio=text[:1].upper() + text[1:],
        file=file,
        foglio=foglio,
        cella=cella,
        riga=riga,
        dati=tuple(sorted((k, str(v)) for k, v in params.items())),
    )


def suggest(word: str, choices: Iterable[str]) -> str:
    """« (forse intendevi «x»?)», or nothing when no choice is close."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (forse intendevi «{match[0]}»?)" if match else ""


def has_errors(anomalies: Iterable[Anomalia]) -> bool:
    return any(a.gravita is Gravita.ERRORE for a in anomalies)


class AnomaliesError(Exception):
    """A stage could not produce its result; `anomalies` says why, in the user's terms."""

    def __init__(self, anomalies: list[Anomalia]) -> None:
        super().__init__("\n".join(a.testo for a in anomalies))
        self.anomalies = anomalies


def catalogue_markdown() -> str:
    """The catalogue as a Markdown page (docs/anomalie.md)."""
    lines = [
        "# Catalogo delle anomalie",
        "",
        "Generato da `workbook/anomalies.py`: `python -m workbook.anomalies > docs/anomalie.md`.",
        "I codici sono stabili: non vengono mai rinumerati né riutilizzati.",
        "",
        "- **errore**: i risultati dell'Area interessata restano provvisori finché non è corretto;",
        "- **avviso**: da verificare, i risultati restano validi.",
        "",
        "| codice | gravità | titolo | messaggio |",
        "|---|---|---|---|",
    ]
    for c in Codice:
        lines.append(f"| `{c.code}` | {c.gravita} | {c.titolo} | {c.modello.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
