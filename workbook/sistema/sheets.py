"""The sheets of a Sistema written as a workbook, said once: which sheets, which columns (the
keys of the YAML form, with the same names), what each holds and which values it admits. The
reader (spreadsheet.py) and the writer (export.py) both follow it."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.sistema.model import CATEGORIE, ETICHETTE_EQ, FONTI, TIPI_VOCE, VALUTATORI


@dataclass(frozen=True, slots=True)
class Colonna:
    """A column of a sheet: its key (the YAML key, also its header), what it holds (shown
    when a cell of it is selected, and in the Istruzioni sheet), and the values it admits."""

    chiave: str
    spiegazione: str
    ammessi: tuple[str, ...] = ()  # a dropdown of these words
    elenco: str = ""  # a dropdown of the values of another sheet's column («Schede!A»)
    numero: bool = False
    obbligatoria: bool = False


@dataclass(frozen=True, slots=True)
class Foglio:
    nome: str
    scopo: str
    colonne: tuple[Colonna, ...]


SI_NO = ("sì", "no")
RUOLI_SCHEDA = ("dipendente", "eq", "dirigente")

# The «Sistema» sheet: one row per setting (key | valore | spiegazione), and where each goes
# in the YAML form.
IMPOSTAZIONI: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # (key, YAML section or «» for the top, explanation, admitted values)
    ("codice", "", "Codice breve del Sistema, senza spazi (es. «comune-2025»).", ()),
    ("nome", "", "Nome completo del Sistema, come lo riportano i moduli.", ()),
    ("note", "", "Note libere: da dove viene il Sistema, che cosa è stato adattato.", ()),
    (
        "etichetta_eq",
        "",
        "Come i moduli e i documenti chiamano i titolari di incarico: «Elevata "
        "Qualificazione» (CCNL 16.11.2022) o «Posizione Organizzativa».",
        ETICHETTE_EQ,
    ),
    (
        "servizio_minimo_mesi",
        "idoneita",
        "Mesi di servizio nell'anno sotto i quali una persona non è valutata (lasciare vuoto "
        "se il servizio minimo è in giorni, o se non c'è).",
        (),
    ),
    (
        "servizio_minimo_giorni",
        "idoneita",
        "Giorni di servizio nell'anno sotto i quali una persona non è valutata (in "
        "alternativa ai mesi).",
        (),
    ),
    ("motivo", "idoneita", "Il motivo dell'esclusione, come lo leggono i moduli.", ()),
    (
        "sanzione_massima",
        "idoneita",
        "Chi ha avuto nell'anno una sanzione disciplinare più grave di questa non è valutato "
        "(rimprovero verbale, rimprovero scritto, multa, sospensione). Vuoto = nessuna "
        "esclusione.",
        ("rimprovero verbale", "rimprovero scritto", "multa", "sospensione"),
    ),
    (
        "modalita",
        "raggiungimento",
        "Come si dichiara il raggiungimento di un obiettivo: «percentuale» (si scrive la "
        "percentuale) o «grado» (si sceglie un grado del foglio Gradi).",
        ("percentuale", "grado"),
    ),
    (
        "dirigente_valuta_eq",
        "regole",
        "«sì» se, nelle Aree guidate da un dirigente, le EQ sono valutate dal dirigente "
        "invece che dal Nucleo di Valutazione.",
        SI_NO,
    ),
    # The money rules (docs/premi.md): YAML «premi», its «maggiorazione» and «eq».
    (
        "metodo",
        "premi",
        "Come si divide la quota individuale del fondo: «fasce» (la quota intera di ciascuno "
        "per la percentuale della sua fascia) o «punteggio» (in proporzione al punteggio: il "
        "valore del punto).",
        ("fasce", "punteggio"),
    ),
    (
        "residuo",
        "premi",
        "Con il metodo «fasce»: «economia» (ciò che le fasce non danno resta economia) o "
        "«ridistribuito» (diviso in proporzione tra chi ha un premio).",
        ("economia", "ridistribuito"),
    ),
    (
        "quota_organizzativa",
        "premi",
        "Percentuale del fondo pagata sulla performance organizzativa (il raggiungimento "
        "dell'Area validato dal Nucleo); il resto va alla performance individuale (almeno il "
        "30%: CCNL 21.5.2018 art. 68 c.3; 16.11.2022 art. 80). Vuoto = 0.",
        (),
    ),
    (
        "budget",
        "premi",
        "«ente» (il fondo diviso su tutto l'Ente) o «area» (prima diviso tra le Aree, per "
        "numero pesato del loro personale, poi dentro ogni Area).",
        ("ente", "area"),
    ),
    (
        "maggiorazione_percentuale",
        "premi.maggiorazione",
        "Maggiorazione del premio individuale (CCNL 21.5.2018 art. 69; 16.11.2022 art. 81): "
        "percentuale del valore medio pro-capite, almeno 30. Vuoto = nessuna maggiorazione.",
        (),
    ),
    (
        "maggiorazione_quota_personale",
        "premi.maggiorazione",
        "Percentuale massima del personale valutato positivamente che riceve la maggiorazione, "
        "nell'ordine dei punteggi.",
        (),
    ),
    (
        "maggiorazione_arrotondamento",
        "premi.maggiorazione",
        "Il numero dei beneficiari arrotondato per «difetto» o per «eccesso».",
        ("difetto", "eccesso"),
    ),
    (
        "assenze_riducono",
        "premi.assenze",
        "Le cause di assenza (foglio Assenze del Piano) i cui giorni riducono i giorni di "
        "servizio contati per il premio, separate da virgole (malattia, legge 104, aspettativa, "
        "altro). Maternità, paternità e congedo parentale non possono ridurlo (D.Lgs. 150/2009, "
        "art. 9, c. 3). Vuoto = nessuna.",
        (),
    ),
    (
        "assenze_franchigia",
        "premi.assenze",
        "I giorni di quelle assenze che non si contano (franchigia).",
        (),
    ),
    (
        "eq_base",
        "premi.eq",
        "Risultato delle EQ: «fondo» (il fondo del foglio Ente diviso per fascia) o "
        "«posizione» (una percentuale della retribuzione di posizione di ciascuna, colonna del "
        "foglio Personale del Piano).",
        ("fondo", "posizione"),
    ),
    (
        "eq_percentuale_massima",
        "premi.eq",
        "Con «posizione»: la percentuale massima della retribuzione di posizione (es. 25), "
        "moltiplicata per la percentuale della fascia.",
        (),
    ),
)
# Keys of the Sistema sheet whose YAML name drops a prefix («maggiorazione_percentuale» is
# «percentuale» of «maggiorazione»).
PREFIXES = {
    "premi.maggiorazione": "maggiorazione_",
    "premi.eq": "eq_",
    "premi.assenze": "assenze_",
}
NUMERIC_SETTINGS = frozenset(
    {
        "servizio_minimo_mesi",
        "servizio_minimo_giorni",
        "quota_organizzativa",
        "maggiorazione_percentuale",
        "maggiorazione_quota_personale",
        "eq_percentuale_massima",
        "assenze_franchigia",
    }
)

SHEETS: tuple[Foglio, ...] = (
    Foglio(
        "Gradi",
        "I gradi di raggiungimento degli obiettivi, da 0% a 100% senza vuoti né sovrapposizioni.",
        (
            Colonna(
                "descrizione", "Il nome del grado (es. «Obiettivo raggiunto»).", obbligatoria=True
            ),
            Colonna("da", "La percentuale da cui inizia il grado.", numero=True, obbligatoria=True),
            Colonna("a", "La percentuale a cui finisce il grado.", numero=True, obbligatoria=True),
            Colonna(
                "valore",
                "La percentuale riconosciuta quando si sceglie il grado (modalità «grado»); "
                "vuoto = il valore «a».",
                numero=True,
            ),
        ),
    ),
    Foglio(
        "Scale",
        "Le scale dei fattori: una riga per livello; le righe con lo stesso nome di scala "
        "formano una scala.",
        (
            Colonna("scala", "Il nome della scala (es. «decimi»), senza spazi.", obbligatoria=True),
            Colonna("valore", "Il punteggio del livello.", numero=True, obbligatoria=True),
            Colonna(
                "descrizione", "Che cosa significa il livello (es. «Adeguato»).", obbligatoria=True
            ),
        ),
    ),
    Foglio(
        "Schede",
        "Le schede di valutazione: una riga per scheda.",
        (
            Colonna(
                "codice",
                "Il codice della scheda, senza spazi (es. «dipendente_bc»).",
                obbligatoria=True,
            ),
            Colonna(
                "ruolo",
                "Chi è valutato con la scheda: dipendente, eq (Elevata Qualificazione o "
                "Posizione Organizzativa) o dirigente.",
                ammessi=RUOLI_SCHEDA,
            ),
            Colonna(
                "titolo", "Il titolo della scheda, come lo mostrano i moduli.", obbligatoria=True
            ),
            Colonna(
                "valutatore",
                "Chi valuta: responsabile (il Responsabile dell'Area della persona), nucleo "
                "(il Nucleo di Valutazione) o segretario (il Segretario Comunale).",
                ammessi=VALUTATORI,
                obbligatoria=True,
            ),
            Colonna(
                "titolo_valutatore",
                "Come i moduli chiamano il valutatore (es. «Responsabile del Settore»).",
            ),
            Colonna(
                "massimo", "Il punteggio massimo della scheda.", numero=True, obbligatoria=True
            ),
            Colonna(
                "categorie",
                "Le categorie a cui si applica, separate da virgole (es. «B, C», o «Operatori, "
                "Operatori esperti»); vuoto = tutte.",
            ),
            Colonna(
                "solo_indicata",
                "«sì» se la scheda si applica solo a chi la indica nella colonna «Scheda» del "
                "foglio Personale del Piano.",
                ammessi=SI_NO,
            ),
        ),
    ),
    Foglio(
        "Parti",
        "Le parti di ogni scheda, nell'ordine in cui compaiono.",
        (
            Colonna(
                "scheda",
                "Il codice della scheda (foglio Schede).",
                elenco="Schede!A",
                obbligatoria=True,
            ),
            Colonna("codice", "Il codice della parte (es. «A», «I»).", obbligatoria=True),
            Colonna("titolo", "Il titolo della parte.", obbligatoria=True),
            Colonna(
                "massimo",
                "Il punteggio massimo della parte: la somma dei massimi delle sue voci.",
                numero=True,
                obbligatoria=True,
            ),
        ),
    ),
    Foglio(
        "Voci",
        "Le voci di ogni parte, nell'ordine in cui compaiono.",
        (
            Colonna(
                "scheda",
                "Il codice della scheda (foglio Schede).",
                elenco="Schede!A",
                obbligatoria=True,
            ),
            Colonna("parte", "Il codice della parte (foglio Parti).", obbligatoria=True),
            Colonna(
                "codice",
                "Il codice della voce, senza spazi (es. «collaborazione»).",
                obbligatoria=True,
            ),
            Colonna(
                "tipo",
                "fattore (il valutatore sceglie un livello della scala), obiettivi (punti = "
                "peso × raggiungimento degli obiettivi) o derivata (massimo × raggiungimento).",
                ammessi=TIPI_VOCE,
                obbligatoria=True,
            ),
            Colonna(
                "titolo", "Il titolo della voce, come lo mostrano i moduli.", obbligatoria=True
            ),
            Colonna(
                "massimo",
                "Per obiettivi e derivate: il punteggio massimo (per un fattore è il livello "
                "più alto della scala: lasciare vuoto).",
                numero=True,
            ),
            Colonna(
                "scala", "Per un fattore: il nome della scala (foglio Scale).", elenco="Scale!A"
            ),
            Colonna(
                "fonte",
                "Per obiettivi: area (gli obiettivi dell'Area) o assegnati (quelli assegnati "
                "alla persona); per una derivata: area (il raggiungimento dell'Area) o ente "
                "(quello di tutto l'Ente). Vuoto = area.",
                ammessi=tuple(dict.fromkeys(f for fonti in FONTI.values() for f in fonti)),
            ),
            Colonna(
                "tipo_obiettivi",
                "Solo gli obiettivi di questo tipo (strategico, struttura, individuale); "
                "vuoto = tutti.",
                ammessi=CATEGORIE,
            ),
            Colonna("descrizione", "Una spiegazione per il valutatore (facoltativa)."),
        ),
    ),
    Foglio(
        "Fasce",
        "Le fasce di premio di ogni scheda: da 0 al massimo della scheda, senza vuoti.",
        (
            Colonna(
                "scheda",
                "Il codice della scheda (foglio Schede).",
                elenco="Schede!A",
                obbligatoria=True,
            ),
            Colonna("da", "Il punteggio da cui inizia la fascia.", numero=True, obbligatoria=True),
            Colonna("a", "Il punteggio a cui finisce la fascia.", numero=True, obbligatoria=True),
            Colonna(
                "premio",
                "La percentuale del premio (0-100), oppure «punteggio»: il premio è il "
                "punteggio su 100 (una fascia «proporzionale al punteggio»).",
                numero=True,  # a number, or the word «punteggio» (kept as text)
                obbligatoria=True,
            ),
            Colonna(
                "negativa",
                "«sì» per la fascia della valutazione negativa (premio 0, elencata nella "
                "Relazione).",
                ammessi=SI_NO,
            ),
        ),
    ),
)
COEFFICIENTI = Foglio(
    "Coefficienti",
    "I coefficienti delle categorie nella divisione del fondo (facoltativo: senza righe, 1 "
    "per tutti). Una persona prende il coefficiente della voce più lunga con cui inizia la "
    "sua categoria.",
    (
        Colonna(
            "categoria", "La categoria, o il suo inizio (es. «B», «Istruttori»).", obbligatoria=True
        ),
        Colonna("coefficiente", "Il coefficiente (es. 1,2).", numero=True, obbligatoria=True),
    ),
)
SHEETS = (*SHEETS, COEFFICIENTI)
OPTIONAL_SHEETS = frozenset({"Coefficienti"})  # a Sistema workbook written before it
SETTINGS_SHEET = "Sistema"
SETTINGS_HEADER = ("chiave", "valore", "spiegazione")
MAX_ROWS = 5_000  # of any sheet of a Sistema: a few hundred at most


def sheet(name: str) -> Foglio:
    return next(s for s in SHEETS if s.nome == name)
