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
    SIST_FILE = (
        "SIST-FILE",
        E,
        "Sistema non leggibile",
        "il file del Sistema non si può leggere come foglio di calcolo ({dettaglio}). Salvarlo "
        "di nuovo come .xlsx o .ods, oppure usare la forma YAML.",
    )
    SIST_FOGLIO_MANCANTE = (
        "SIST-FOGLIO-MANCANTE",
        E,
        "Foglio del Sistema mancante",
        "manca il foglio «{nome}»{suggerimento}. Un Sistema in forma di foglio di calcolo ha i "
        "fogli Sistema, Gradi, Scale, Schede, Parti, Voci e Fasce: ripartire da quello scritto "
        "da «valuta init» o da «valuta sistema converti».",
    )
    SIST_COLONNA_SCONOSCIUTA = (
        "SIST-COLONNA-SCONOSCIUTA",
        E,
        "Colonna sconosciuta",
        "la colonna «{colonna}» non è prevista nel foglio {tabella}{suggerimento}. Colonne "
        "ammesse: {ammesse}.",
    )
    SIST_COLONNA_MANCANTE = (
        "SIST-COLONNA-MANCANTE",
        E,
        "Colonna obbligatoria mancante",
        "nel foglio {tabella} manca la colonna «{colonna}» (la riga 1 dà il nome delle "
        "colonne). Aggiungerla.",
    )
    SIST_RIFERIMENTO = (
        "SIST-RIFERIMENTO",
        E,
        "Riferimento a una scheda o parte inesistente",
        "{cosa} indica «{valore}», che non è nel foglio {tabella}{suggerimento}{altre}. "
        "Correggere il codice.",
    )
    SIST_CHIAVE_SCONOSCIUTA = (
        "SIST-CHIAVE-SCONOSCIUTA",
        E,
        "Chiave sconosciuta",
        "«{chiave}» non è previsto {contesto}{suggerimento}. Ammessi: {ammesse}.",
    )
    SIST_CHIAVE_MANCANTE = (
        "SIST-CHIAVE-MANCANTE",
        E,
        "Chiave obbligatoria mancante",
        "{contesto} manca «{chiave}», che è obbligatorio. Aggiungerlo.",
    )
    SIST_VALORE_NON_VALIDO = (
        "SIST-VALORE-NON-VALIDO",
        E,
        "Valore non valido",
        "il valore di «{chiave}» {contesto} non è valido: {regola}.",
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

    # --- Piano della performance (piano.xlsx or piano.ods) ---------------------------------
    PIANO_FILE = (
        "PIANO-FILE",
        E,
        "Piano non leggibile",
        "il file non si apre come foglio di calcolo ({dettaglio}). Salvarlo da Excel o "
        "LibreOffice in formato .xlsx o .ods, oppure ricrearlo con «valuta init».",
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
        "«{campo}» vale «{valore}», che non è ammesso{suggerimento}. Ammessi: {ammessi}.",
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
    PIANO_CODICE_RISERVATO = (
        "PIANO-CODICE-RISERVATO",
        E,
        "Codice di Area riservato",
        "il codice «{valore}» non può essere quello di un'Area, perché il modulo dell'Area "
        "prende il nome dal codice e «{valore}» {motivo}. Scegliere un altro codice (per "
        "esempio «{valore}-1») e usarlo anche nei fogli Obiettivi e Personale.",
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
        "l'Area «{valore}» non è nel foglio Aree{suggerimento}{altre}. Aree definite: {ammessi}.",
    )
    PIANO_AREA_SENZA_RESPONSABILE = (
        "PIANO-AREA-SENZA-RESPONSABILE",
        E,
        "Area senza Responsabile",
        "l'Area «{area}» non ha un Responsabile. Indicare la matricola della persona che la "
        "guida (EQ o dirigente), oppure «Segretario» se la guida il Segretario Comunale.",
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
        "{quali} pesano in tutto {somma}, ma la voce «{voce}» della scheda «{scheda}» del "
        "Sistema (la scheda {chi}) vale {massimo} punti. Correggere i pesi nel foglio "
        "Obiettivi perché la somma sia {massimo}.",
    )
    PIANO_AREA_SENZA_OBIETTIVI = (
        "PIANO-AREA-SENZA-OBIETTIVI",
        E,
        "Area senza obiettivi",
        "{mancanza}, ma la voce «{voce}» della scheda «{scheda}»{di_chi} ne ricava i punti. "
        "{rimedio}.",
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
        "EQ che non è Responsabile di un'Area",
        "la persona con matricola «{valore}» ha ruolo {ruolo} ma non guida alcuna Area: gli "
        "obiettivi che contano per lei sono quelli dell'Area della sua riga. Verificare il ruolo.",
    )
    PIANO_AREA_SENZA_PERSONALE = (
        "PIANO-AREA-SENZA-PERSONALE",
        A,
        "Area senza personale",
        "l'Area «{area}» non ha dipendenti nel foglio Personale: il suo modulo conterrà solo gli "
        "obiettivi.",
    )
    PIANO_ASSEGNATARI = (
        "PIANO-ASSEGNATARI",
        E,
        "Assegnatari non validi",
        "l'obiettivo «{obiettivo}» {dettaglio}.",
    )
    PIANO_SCHEDA_NESSUNA = (
        "PIANO-SCHEDA-NESSUNA",
        E,
        "Nessuna scheda per la persona",
        "nessuna scheda del Sistema si applica a {chi}, con ruolo «{ruolo}» e categoria "
        "«{categoria}». Schede del Sistema per il ruolo: {schede}. {rimedio}.",
    )
    PIANO_SCHEDA_PIU = (
        "PIANO-SCHEDA-PIU",
        E,
        "Più schede per la persona",
        "a {chi}, con ruolo «{ruolo}» e categoria «{categoria}», si applicano più schede del "
        "Sistema: {schede}. Indicare quale nella colonna «Scheda».",
    )
    PIANO_SCHEDA_SCONOSCIUTA = (
        "PIANO-SCHEDA-SCONOSCIUTA",
        E,
        "Scheda non valida",
        "per {chi} la colonna «Scheda» indica «{valore}», {dettaglio}.",
    )
    PIANO_POSIZIONE_MANCANTE = (
        "PIANO-POSIZIONE-MANCANTE",
        E,
        "Retribuzione di posizione mancante",
        "per {chi} manca la «Retribuzione di posizione (€ annui)»: il Sistema calcola il "
        "risultato delle EQ come percentuale della posizione. Compilarla nel foglio Personale.",
    )
    PIANO_SEGRETARIO = (
        "PIANO-SEGRETARIO",
        E,
        "Dati del Segretario mancanti",
        "{perche}, ma nel foglio Ente manca il campo «{campo}», necessario per intestare e "
        "inviare il modulo. Compilarlo.",
    )
    PIANO_VALUTATORE = (
        "PIANO-VALUTATORE",
        E,
        "Valutatore non valido",
        "la valutazione di {chi} sarebbe fatta {dettaglio}. Correggere il Sistema (chi valuta "
        "con la scheda «{scheda}») o il Piano.",
    )

    # --- Ingestion of received files (ricevuti/) -------------------------------------------
    ING_FILE_VUOTO = (
        "ING-FILE-VUOTO",
        E,
        "File vuoto",
        "il file è vuoto (0 byte o solo spazi). Chiedere al mittente di inviarlo di nuovo.",
    )
    ING_NON_FOGLIO = (
        "ING-NON-FOGLIO",
        E,
        "Non è un foglio di calcolo",
        "il file non è un foglio di calcolo ({dettaglio}), anche se il nome lo fa pensare. "
        "Chiedere al mittente il modulo .xlsx o .ods ricevuto da valuta.",
    )
    ING_ZIP_DANNEGGIATO = (
        "ING-ZIP-DANNEGGIATO",
        E,
        "File danneggiato",
        "il file è danneggiato o incompleto ({dettaglio}): forse la trasmissione si è "
        "interrotta. Chiedere al mittente di inviarlo di nuovo.",
    )
    ING_CIFRATO = (
        "ING-CIFRATO",
        E,
        "File protetto da password di apertura",
        "il file è cifrato con una password di apertura e non può essere letto. Chiedere al "
        "mittente di salvarlo senza password (File › Proprietà / Informazioni › Proteggi) e "
        "di inviarlo di nuovo.",
    )
    ING_XLS = (
        "ING-XLS",
        E,
        "Formato Excel 97-2003",
        "il file è nel vecchio formato Excel 97-2003 (.xls), che non conserva le protezioni del "
        "modulo. Chiedere al mittente di compilare il modulo originale e salvarlo in formato "
        ".xlsx o .ods.",
    )
    ING_MACRO = (
        "ING-MACRO",
        E,
        "File con macro",
        "il file contiene macro (ad esempio è un .xlsm): per sicurezza non viene aperto. "
        "Chiedere al mittente di salvare il modulo in formato .xlsx (senza macro) o .ods.",
    )
    ING_COLLEGAMENTI_ESTERNI = (
        "ING-COLLEGAMENTI-ESTERNI",
        E,
        "Collegamenti ad altri file",
        "il file contiene collegamenti ad altri file o fonti esterne ({dettaglio}): per "
        "sicurezza non viene usato. Chiedere al mittente di compilare il modulo originale senza "
        "incollarvi dati da altri fogli.",
    )
    ING_OGGETTI_INCORPORATI = (
        "ING-OGGETTI-INCORPORATI",
        E,
        "Oggetti incorporati",
        "il file contiene oggetti incorporati (documenti, controlli ActiveX o OLE): per "
        "sicurezza non viene usato. Chiedere al mittente di toglierli o di compilare il modulo "
        "originale.",
    )
    ING_TROPPO_GRANDE = (
        "ING-TROPPO-GRANDE",
        E,
        "File troppo grande una volta decompresso",
        "il file, una volta decompresso, supera i limiti di sicurezza ({dettaglio}): potrebbe "
        "essere un file costruito per bloccare il sistema. Non viene aperto; verificarne la "
        "provenienza.",
    )
    ING_XML_ENTITA = (
        "ING-XML-ENTITA",
        E,
        "XML con dichiarazioni di entità",
        "una parte interna del file ({dettaglio}) contiene una dichiarazione DOCTYPE o ENTITY, "
        "che nessun foglio di calcolo scrive: il file è stato manipolato e non viene aperto.",
    )
    ING_CODIFICA = (
        "ING-CODIFICA",
        E,
        "Testo in una codifica non ammessa",
        "una parte interna del file ({dettaglio}) non è scritta in UTF-8, la codifica di Excel e "
        "di LibreOffice: il file è stato prodotto o modificato da un altro programma e non "
        "viene aperto. Chiedere al mittente di compilare il modulo originale con Excel o "
        "LibreOffice e di inviarlo di nuovo.",
    )
    ING_ALLEGATO_IGNORATO = (
        "ING-ALLEGATO-IGNORATO",
        A,
        "File ignorato",
        "il file non è un foglio di calcolo ({dettaglio}) ed è stato ignorato (conservato "
        "nell'archivio). Se doveva contenere un modulo, chiedere al mittente il file .xlsx o "
        ".ods.",
    )
    ING_DA_ESAMINARE = (
        "ING-DA-ESAMINARE",
        E,
        "File da esaminare",
        "il file ({dettaglio}) non è stato letto e potrebbe contenere un modulo: finché non è "
        "esaminato, i risultati restano provvisori. Aprirlo: se contiene un modulo, salvare il "
        "modulo in ricevuti/ in formato .xlsx o .ods; poi registrare il file come esaminato con "
        "«valuta accetta {impronta}».",
    )
    ING_MESSAGGIO_ILLEGGIBILE = (
        "ING-MESSAGGIO-ILLEGGIBILE",
        E,
        "Messaggio non leggibile",
        "il messaggio, o una sua parte, non si può leggere ({dettaglio}) e potrebbe contenere un "
        "modulo: finché non è esaminato, i risultati restano provvisori. Aprirlo con il programma "
        "di posta e salvarne gli allegati in ricevuti/; poi registrarlo come esaminato con "
        "«valuta accetta {impronta}».",
    )
    ING_FILE_ENORME = (
        "ING-FILE-ENORME",
        E,
        "File troppo grande",
        "il file pesa {mb} MB, molto più di qualsiasi modulo (il limite è {limite} MB): non "
        "viene letto né copiato nell'archivio. Verificarne la provenienza; se contiene un modulo, "
        "chiedere al mittente di inviare il solo modulo; poi registrare il file come esaminato "
        "con «valuta accetta {impronta}».",
    )
    ING_COLLEGAMENTO = (
        "ING-COLLEGAMENTO",
        E,
        "Collegamento o file speciale",
        "non è un file ma un collegamento (o un file speciale) e non viene seguito: potrebbe "
        "puntare a file fuori da ricevuti/, anche riservati. Copiare in ricevuti/ il file vero e "
        "togliere il collegamento, oppure registrarlo come esaminato con «valuta accetta "
        "{impronta}».",
    )
    ING_OUTLOOK = (
        "ING-OUTLOOK",
        E,
        "Messaggio di Outlook",
        "è un messaggio salvato da Outlook (.msg), che valuta non legge: aprirlo in Outlook e "
        "salvarne gli allegati in ricevuti/ (oppure salvare il messaggio come .eml); poi "
        "registrarlo come esaminato con «valuta accetta {impronta}».",
    )
    ING_FIRMATO = (
        "ING-FIRMATO",
        E,
        "File firmato digitalmente",
        "è un file firmato digitalmente (.p7m): aprirlo con il programma di verifica della "
        "firma, salvarne il contenuto (il modulo .xlsx o .ods) in ricevuti/ e registrare il "
        ".p7m come esaminato con «valuta accetta {impronta}».",
    )
    ING_TEMPO_SCADUTO = (
        "ING-TEMPO-SCADUTO",
        E,
        "Lettura troppo lunga",
        "la lettura del file ha superato il tempo massimo ({dettaglio} secondi): potrebbe essere "
        "un file costruito per bloccare il sistema. Non viene usato; verificarne la provenienza "
        "e chiedere al mittente il modulo originale.",
    )
    ING_ERRORE_LETTURA = (
        "ING-ERRORE-LETTURA",
        E,
        "Errore imprevisto nella lettura",
        "la lettura del file si è interrotta per un errore imprevisto di valuta ({dettaglio}): "
        "il file non viene usato. Segnalarlo a chi assiste valuta, allegando il file; intanto "
        "chiedere al mittente il modulo originale compilato.",
    )
    ING_ESAMINATO = (
        "ING-ESAMINATO",
        A,
        "File esaminato e messo da parte",
        "il file è stato esaminato dalla Segreteria ({data}) e messo da parte{nota}: non è "
        "usato per i risultati.",
    )
    ING_EMAIL_SENZA_MODULI = (
        "ING-EMAIL-SENZA-MODULI",
        A,
        "Messaggio senza moduli allegati",
        "il messaggio «{oggetto}» di {mittente} non ha allegati di foglio di calcolo. Se era "
        "una restituzione, chiedere al mittente di allegare il modulo.",
    )

    # --- Verification and reconciliation -------------------------------------------------
    REC_FOGLIO_ESTRANEO = (
        "REC-FOGLIO-ESTRANEO",
        E,
        "Foglio di calcolo non generato da valuta",
        "il foglio di calcolo non è un modulo di valuta (manca il foglio di identità «_valuta»): "
        "non viene usato. Chiedere al mittente di compilare il modulo che gli è stato inviato.",
    )
    REC_ALTRO_CICLO = (
        "REC-ALTRO-CICLO",
        E,
        "Modulo di un altro Ente o anno",
        "il modulo è di {ente}, anno {anno}, mentre questo ciclo è di {ente_ciclo}, anno "
        "{anno_ciclo}: non viene usato. Verificare di aver ricevuto il file giusto.",
    )
    REC_IDENTITA_INCOERENTE = (
        "REC-IDENTITA-INCOERENTE",
        E,
        "Identità del modulo incoerente",
        "l'identità scritta nel foglio «_valuta» non coincide con quella delle proprietà del "
        "documento ({dettaglio}): il modulo è stato manipolato e non viene usato. Chiedere al "
        "mittente di compilare il modulo originale.",
    )
    REC_FIRMA_NON_VALIDA = (
        "REC-FIRMA-NON-VALIDA",
        E,
        "Firma del modulo non valida",
        "la firma del modulo non corrisponde a nessun modulo generato in questo ciclo "
        "({dettaglio}): il modulo è falso o viene da un'altra cartella di ciclo e non viene "
        "usato.",
    )
    REC_GENERAZIONE_PRECEDENTE = (
        "REC-GENERAZIONE-PRECEDENTE",
        E,
        "Modulo di una generazione precedente",
        "il modulo è stato generato il {generato}, ma i moduli in vigore sono quelli generati il "
        "{corrente}: non viene usato. Inviare al mittente il modulo aggiornato (moduli/"
        "{modulo}.xlsx) e chiedergli di ricompilarlo.",
    )
    REC_CELLA_MODIFICATA = (
        "REC-CELLA-MODIFICATA",
        E,
        "Cella protetta modificata",
        "la cella protetta conteneva «{atteso}» e ora contiene «{trovato}». Il modulo non viene "
        "usato: chiedere al mittente di compilare di nuovo il modulo originale, modificando "
        "solo le celle gialle.",
    )
    REC_FORMULA_MODIFICATA = (
        "REC-FORMULA-MODIFICATA",
        E,
        "Formula modificata",
        "la formula della cella è stata modificata (attesa «={atteso}», trovata «{trovato}»). "
        "Il modulo non viene usato: chiedere al mittente di compilare di nuovo il modulo "
        "originale.",
    )
    REC_FORMULA_SOSTITUITA = (
        "REC-FORMULA-SOSTITUITA",
        E,
        "Formula sostituita da un valore",
        "la formula della cella è stata sostituita dal valore «{trovato}». Il modulo non viene "
        "usato: chiedere al mittente di compilare di nuovo il modulo originale.",
    )
    REC_CONTENUTO_AGGIUNTO = (
        "REC-CONTENUTO-AGGIUNTO",
        E,
        "Contenuto aggiunto fuori dalle celle da compilare",
        "la cella, che doveva essere vuota, contiene «{trovato}» (righe o colonne aggiunte, o "
        "testo scritto fuori dalle celle gialle). Il modulo non viene usato: chiedere al "
        "mittente di compilare di nuovo il modulo originale.",
    )
    REC_CONTENUTO_RIMOSSO = (
        "REC-CONTENUTO-RIMOSSO",
        E,
        "Contenuto protetto cancellato",
        "la cella protetta conteneva «{atteso}» ed è stata svuotata (righe o colonne eliminate?). "
        "Il modulo non viene usato: chiedere al mittente di compilare di nuovo il modulo "
        "originale.",
    )
    REC_ALTRE_MODIFICHE = (
        "REC-ALTRE-MODIFICHE",
        E,
        "Altre celle protette modificate",
        "oltre a quelle elencate, altre {n} celle protette del foglio risultano modificate.",
    )
    REC_MAPPA_MODIFICATA = (
        "REC-MAPPA-MODIFICATA",
        E,
        "Mappa del modulo modificata",
        "la mappa delle celle nel foglio «_valuta» è stata modificata: il modulo non viene "
        "usato. Chiedere al mittente di compilare di nuovo il modulo originale.",
    )
    REC_FOGLIO_MANCANTE = (
        "REC-FOGLIO-MANCANTE",
        E,
        "Foglio eliminato",
        "manca il foglio «{nome}» del modulo: il modulo non viene usato. Chiedere al mittente "
        "di compilare di nuovo il modulo originale.",
    )
    REC_FOGLIO_AGGIUNTO = (
        "REC-FOGLIO-AGGIUNTO",
        E,
        "Foglio aggiunto o rinominato",
        "il modulo contiene il foglio «{nome}», che non fa parte del modulo generato: il modulo "
        "non viene usato. Chiedere al mittente di compilare di nuovo il modulo originale.",
    )
    REC_FORMATO_MODIFICATO = (
        "REC-FORMATO-MODIFICATO",
        E,
        "Formato di una cella protetta modificato",
        "il formato della cella protetta è stato cambiato in «{formato}»: sullo schermo e sulla "
        "carta la cella potrebbe mostrare un valore diverso da quello che contiene. Il modulo "
        "non viene usato: chiedere al mittente di compilare di nuovo il modulo originale.",
    )
    REC_DISEGNI = (
        "REC-DISEGNI",
        E,
        "Immagini o forme sopra le celle",
        "il foglio contiene {dettaglio}: possono coprire le celle e cambiare ciò che si vede e si "
        "stampa. Il modulo non viene usato: chiedere al mittente di toglierle e di inviarlo di "
        "nuovo (la firma si appone sulla scheda stampata).",
    )
    REC_VALORE_MOSTRATO_DIVERSO = (
        "REC-VALORE-MOSTRATO-DIVERSO",
        E,
        "La cella mostra un valore diverso da quello calcolato",
        "la cella mostra «{mostrato}», ma con i valori inseriti nel modulo la sua formula dà "
        "«{calcolato}»: il file è stato salvato senza ricalcolare le formule, oppure è stato "
        "alterato, e stampato mostrerebbe un valore sbagliato. valuta usa il valore calcolato; "
        "chiedere al mittente di aprire il modulo, ricalcolare (tasto F9) e salvarlo di nuovo.",
    )
    REC_VISIBILITA_MODIFICATA = (
        "REC-VISIBILITA-MODIFICATA",
        A,
        "Foglio mostrato o nascosto",
        "il foglio «{nome}» è stato {azione}. Il contenuto protetto risulta comunque integro e "
        "il modulo viene usato; segnalare al mittente di non modificare la struttura del modulo.",
    )
    REC_PROTEZIONE_RIMOSSA = (
        "REC-PROTEZIONE-RIMOSSA",
        A,
        "Protezione rimossa",
        "la protezione {dettaglio} è stata rimossa. Il contenuto protetto risulta comunque "
        "integro e il modulo viene usato; segnalare al mittente di non togliere le protezioni.",
    )
    REC_STESSO_MODULO_MITTENTI_DIVERSI = (
        "REC-STESSO-MODULO-MITTENTI-DIVERSI",
        A,
        "Stesso modulo da mittenti diversi",
        "lo stesso modulo ({modulo}) è arrivato da mittenti diversi: {mittenti}. Potrebbe "
        "essere una copia inoltrata: verificare chi lo ha compilato.",
    )
    REC_MITTENTE_INATTESO = (
        "REC-MITTENTE-INATTESO",
        A,
        "Mittente diverso dal Responsabile",
        "il modulo {modulo} è stato inviato da {mittente}, non dall'indirizzo del valutatore "
        "indicato nel Piano ({atteso}). Verificare che sia stato compilato da chi deve.",
    )
    REC_VERSIONE_SUPERATA = (
        "REC-VERSIONE-SUPERATA",
        A,
        "Versione superata",
        "è una versione precedente del modulo {modulo} (salvata il {salvato}): conta quella più "
        "recente, {usato}. Non viene conteggiata.",
    )
    REC_DATA_NON_ATTENDIBILE = (
        "REC-DATA-NON-ATTENDIBILE",
        A,
        "Data di salvataggio non attendibile",
        "il file dichiara di essere stato salvato il {salvato}, dopo il suo arrivo ({arrivo}): "
        "la data non è attendibile e, per scegliere la versione del modulo {modulo} che conta, "
        "vale la data di arrivo. Verificare l'orologio del computer del mittente.",
    )
    REC_VALORE_MANCANTE = (
        "REC-VALORE-MANCANTE",
        E,
        "Valore mancante",
        "manca {cosa}. Chiedere al {valutatore} di compilarlo.",
    )
    REC_VALORE_NON_AMMESSO = (
        "REC-VALORE-NON-AMMESSO",
        E,
        "Valore non ammesso",
        "il valore «{valore}» non è ammesso per {cosa} (valori ammessi: {ammessi}). Chiedere al "
        "{valutatore} di scegliere un valore dall'elenco.",
    )
    REC_TESTO_NON_NUMERO = (
        "REC-TESTO-NON-NUMERO",
        E,
        "Testo al posto di un numero",
        "per {cosa} è scritto «{valore}», che non è un numero. Chiedere al {valutatore} di "
        "scrivere o scegliere un numero (valori ammessi: {ammessi}).",
    )
    REC_PERCENTUALE_COME_FRAZIONE = (
        "REC-PERCENTUALE-COME-FRAZIONE",
        E,
        "Percentuale scritta con il simbolo %",
        "per {cosa} è scritto «{valore}» con il simbolo %: il foglio di calcolo lo conta come "
        "{letto} e ne calcola punti e totali sbagliati. Chiedere al {valutatore} di scrivere il "
        "numero senza il simbolo % (ad esempio 85).",
    )
    REC_NUMERO_COME_TESTO = (
        "REC-NUMERO-COME-TESTO",
        A,
        "Numero scritto come testo",
        "per {cosa} il valore «{valore}» è scritto come testo: è stato letto come {letto}. Il "
        "foglio del mittente potrebbe non averlo conteggiato nei totali.",
    )
    REC_FORMULA_IN_INPUT = (
        "REC-FORMULA-IN-INPUT",
        E,
        "Formula al posto di un valore",
        "per {cosa} è stata scritta una formula («{formula}») invece di un valore. Chiedere al "
        "{valutatore} di scrivere il valore.",
    )
    REC_NON_VALUTABILE = (
        "REC-NON-VALUTABILE",
        E,
        "Punteggi a una persona non valutabile",
        "{nominativo} (matricola {matricola}) ha dei punteggi, ma secondo il Piano non è "
        "valutabile ({motivo}). I punteggi non sono conteggiati: verificare il Piano o il "
        "modulo.",
    )
    REC_MODULO_MANCANTE = (
        "REC-MODULO-MANCANTE",
        E,
        "Modulo non ricevuto",
        "il modulo {modulo} ({chi}) non è ancora stato ricevuto: i risultati che ne dipendono "
        "restano provvisori. Sollecitarlo con «valuta remind».",
    )
    REC_PERSONA_NON_VALUTATA = (
        "REC-PERSONA-NON-VALUTATA",
        E,
        "Persona non valutata",
        "{nominativo} (matricola {matricola}, {area}) è valutabile ma non compare in alcun "
        "modulo ricevuto ({motivo}). Rigenerare i moduli se il Piano è cambiato.",
    )
    REC_PERSONA_SCONOSCIUTA = (
        "REC-PERSONA-SCONOSCIUTA",
        E,
        "Persona non presente nel Piano",
        "il modulo valuta la matricola «{matricola}», che non è nel foglio Personale del Piano "
        "(o è in un'altra Area): la valutazione non è conteggiata. Verificare il Piano.",
    )
    REC_RAGGIUNGIMENTO_DIVERSO = (
        "REC-RAGGIUNGIMENTO-DIVERSO",
        A,
        "Raggiungimento validato diverso da quello dichiarato",
        "per l'obiettivo {obiettivo} il Responsabile ha dichiarato {dichiarato}%, il Nucleo ha "
        "validato {validato}%: vale il dato del Nucleo.",
    )
    REC_RAGGIUNGIMENTO_NON_VALIDATO = (
        "REC-RAGGIUNGIMENTO-NON-VALIDATO",
        A,
        "Raggiungimento non validato dal Nucleo",
        "il raggiungimento dell'obiettivo {obiettivo} non è stato validato dal Nucleo: si usa "
        "quello dichiarato dal Responsabile ({dichiarato}%), provvisoriamente.",
    )
    REC_PIANO_MODIFICATO = (
        "REC-PIANO-MODIFICATO",
        A,
        "Piano modificato dopo la generazione",
        "il Piano (o le impostazioni) è stato modificato dopo la generazione dei moduli: i "
        "punteggi sono ricalcolati con il Piano attuale. Se sono cambiati pesi, obiettivi o "
        "personale, rigenerare i moduli con «valuta generate --force» e inviarli di nuovo.",
    )
    REC_TESTO_TROPPO_LUNGO = (
        "REC-TESTO-TROPPO-LUNGO",
        A,
        "Testo più lungo di una cella",
        "per {cosa} sono stati scritti {n} caratteri, più dei 32.767 che una cella di Excel può "
        "contenere: il testo è conservato per intero nei risultati in formato JSON, mentre nella "
        "cartella dei risultati la cella ne riporta l'inizio, seguito da «[testo troncato]».",
    )
    REC_EVIDENZE_MANCANTI = (
        "REC-EVIDENZE-MANCANTI",
        A,
        "Evidenze mancanti",
        "per l'obiettivo {obiettivo} è indicato il raggiungimento ma non la relazione con le "
        "evidenze. Chiedere al Responsabile di descrivere le attività svolte.",
    )
    REC_SCOSTAMENTO_SENZA_MOTIVO = (
        "REC-SCOSTAMENTO-SENZA-MOTIVO",
        A,
        "Scostamento senza motivo",
        "l'obiettivo {obiettivo} è raggiunto al {raggiungimento}% ma il motivo dello scostamento "
        "non è indicato: la Relazione sulla performance deve riportarlo. Chiedere al Responsabile "
        "di indicarlo nel modulo.",
    )

    # --- Aggregation -----------------------------------------------------------------------
    AGG_QUOTA_INDIVIDUALE = (
        "AGG-QUOTA-INDIVIDUALE",
        A,
        "Quota individuale sotto il 30%",
        "alla performance individuale va il {quota}% del fondo per la produttività: il CCNL "
        "vuole almeno il 30% (CCNL Funzioni Locali 21.5.2018 art. 68 c.3; 16.11.2022 art. 80). "
        "Verificare «quota_organizzativa» nel Sistema.",
    )
    AGG_MAGGIORAZIONE_NON_APPLICATA = (
        "AGG-MAGGIORAZIONE-NON-APPLICATA",
        A,
        "Maggiorazione non applicata",
        "la maggiorazione del premio individuale non è stata applicata: {motivo}.",
    )
    AGG_FONDO_EQ_INSUFFICIENTE = (
        "AGG-FONDO-EQ-INSUFFICIENTE",
        A,
        "Fondo di risultato insufficiente",
        "i risultati delle EQ calcolati sulla retribuzione di posizione sommano {richiesto}, "
        "più del fondo per il risultato ({fondo}): sono stati ridotti in proporzione.",
    )
    AGG_RISULTATO_EQ_MINIMO = (
        "AGG-RISULTATO-EQ-MINIMO",
        A,
        "Risorse per il risultato delle EQ sotto il 15%",
        "il fondo per il risultato delle EQ ({fondo}) è meno del 15% di posizione e risultato "
        "di tutte le EQ ({totale}): il CCNL prevede almeno il 15% (CCNL Funzioni Locali 21.5.2018 "
        "art. 15 c.4; 16.11.2022 art. 17).",
    )
    AGG_FONDO_NON_INDICATO = (
        "AGG-FONDO-NON-INDICATO",
        A,
        "Fondo non indicato",
        "nel foglio Ente del Piano il {fondo} è vuoto o zero: i premi in euro non sono "
        "calcolati. Indicarlo per ripartirlo.",
    )
    AGG_NESSUNA_DIFFERENZIAZIONE = (
        "AGG-NESSUNA-DIFFERENZIAZIONE",
        A,
        "Giudizi non differenziati",
        "{valutatore} ha attribuito a tutti i {n} valutati lo stesso punteggio ({punteggio} su "
        "100): la legge chiede una significativa differenziazione dei giudizi (art. 9, c. 1, "
        "lett. d, D.Lgs. 150/2009).",
    )

    # --- Mail: valuta distribute, remind, send -------------------------------------------
    POSTA_RISULTATI_MANCANTI = (
        "POSTA-RISULTATI-MANCANTI",
        E,
        "Risultati non ancora elaborati",
        "manca {percorso}: i risultati non sono ancora stati elaborati. Mettere i moduli "
        "restituiti in ricevuti/ ed eseguire prima «valuta reconcile».",
    )
    POSTA_RISULTATI_PROVVISORI = (
        "POSTA-RISULTATI-PROVVISORI",
        E,
        "Risultati provvisori",
        "i risultati sono provvisori: ci sono {n} errori da correggere (foglio Anomalie) e non "
        "vengono inviati. Correggere, ripetere «valuta reconcile» e poi inviarli; per inviarli "
        "comunque, segnati come PROVVISORI, aggiungere --provvisorio.",
    )
    POSTA_NESSUN_DESTINATARIO = (
        "POSTA-NESSUN-DESTINATARIO",
        E,
        "Nessun destinatario dei risultati",
        "nella sezione [risultati] l'elenco «destinatari» è vuoto: non c'è nessuno a cui inviare "
        "i risultati. Indicarvi gli indirizzi, ad esempio destinatari = "
        '["segretario@comune.it", "nucleo@comune.it"], oppure usare --per-area per inviare '
        "a ogni Responsabile i risultati della sua Area.",
    )
    POSTA_MODULO_NON_GENERATO = (
        "POSTA-MODULO-NON-GENERATO",
        E,
        "Modulo da inviare non generato",
        "il modulo {modulo} ({chi}) non esiste: eseguire prima «valuta generate».",
    )
    POSTA_MITTENTE_MANCANTE = (
        "POSTA-MITTENTE-MANCANTE",
        E,
        "Mittente non indicato",
        "non è indicato da quale indirizzo inviare i messaggi: scrivere «mittente» nella "
        "sezione [posta] oppure «restituzione» nella sezione [ciclo].",
    )
    POSTA_PASSWORD_MANCANTE = (
        "POSTA-PASSWORD-MANCANTE",
        E,
        "Password del server di posta mancante",
        "nella sezione [posta] è indicato l'utente «{utente}», ma la variabile d'ambiente "
        "VALUTA_SMTP_PASSWORD è vuota. Impostarla prima del comando (la password non si "
        "scrive mai in valuta.toml), ad esempio: export VALUTA_SMTP_PASSWORD='…'.",
    )
    POSTA_PASSWORD_IN_CHIARO = (
        "POSTA-PASSWORD-IN-CHIARO",
        E,
        "Password su una connessione non protetta",
        "nella sezione [posta] sicurezza = «nessuna» ma è indicato un utente: la password "
        "viaggerebbe in chiaro verso {host}. Usare sicurezza = «starttls» (di solito porta 587) "
        "oppure «ssl» (porta 465).",
    )
    POSTA_CAFILE_NON_VALIDO = (
        "POSTA-CAFILE-NON-VALIDO",
        E,
        "Certificato dell'autorità non leggibile",
        "il file indicato in cafile ({cafile}) non si legge come certificato PEM ({dettaglio}). "
        "Indicare il percorso del certificato dell'autorità di certificazione del Comune, "
        "fornito dal servizio informatico.",
    )
    POSTA_REGISTRO = (
        "POSTA-REGISTRO",
        E,
        "Registro della posta non scrivibile",
        "il registro dei messaggi non si può aggiornare ({dettaglio}): senza registro un nuovo "
        "comando invierebbe di nuovo gli stessi messaggi, quindi l'invio si ferma. Chiudere il "
        "file se è aperto in un altro programma, verificare i permessi della cartella e "
        "ripetere il comando.",
    )
    POSTA_FILE_NON_SCRIVIBILE = (
        "POSTA-FILE-NON-SCRIVIBILE",
        E,
        "File della posta non scrivibile",
        "il file {percorso} non si può scrivere ({dettaglio}): il messaggio per {chi} non è "
        "stato inviato né scritto. Verificare lo spazio libero e i permessi della cartella "
        "posta/ (o che non vi sia una cartella con lo stesso nome) e ripetere il comando.",
    )
    POSTA_INDIRIZZO_MANCANTE = (
        "POSTA-INDIRIZZO-MANCANTE",
        E,
        "Destinatario senza indirizzo e-mail",
        "{chi} non ha un indirizzo e-mail nel Piano: nessun messaggio può partire per questo "
        "destinatario. Indicarlo nel Piano e ripetere il comando (i messaggi già inviati agli "
        "altri non saranno inviati di nuovo).",
    )
    POSTA_SCHEDE_MANCANTI = (
        "POSTA-SCHEDE-MANCANTI",
        E,
        "Schede individuali mancanti o superate",
        "le schede individuali in risultati/schede/ {motivo}: non vengono inviate. Eseguire "
        "prima «valuta schede» e poi ripetere il comando.",
    )
    POSTA_INDIRIZZO_NON_VALIDO = (
        "POSTA-INDIRIZZO-NON-VALIDO",
        E,
        "Indirizzo e-mail non valido",
        "«{indirizzo}» ({chi}) non è un indirizzo e-mail valido: il messaggio non è inviato. "
        "Correggerlo come «nome.cognome@comune.it» e ripetere il comando.",
    )
    POSTA_SERVER_IRRAGGIUNGIBILE = (
        "POSTA-SERVER-IRRAGGIUNGIBILE",
        E,
        "Server di posta irraggiungibile",
        "il server di posta {server} non risponde ({dettaglio}): nessun messaggio è stato "
        "inviato. Verificare host e porta nella sezione [posta] e la connessione di rete, poi "
        "ripetere il comando.",
    )
    POSTA_CERTIFICATO = (
        "POSTA-CERTIFICATO",
        E,
        "Certificato del server non verificato",
        "il certificato del server di posta {server} non è verificabile ({dettaglio}): la "
        "connessione è stata interrotta e nessun messaggio è stato inviato. Se il Comune usa "
        "una propria autorità di certificazione, indicarne il certificato in «cafile» nella "
        "sezione [posta]; altrimenti verificare con il servizio informatico il nome del server.",
    )
    POSTA_CONNESSIONE_PROTETTA = (
        "POSTA-CONNESSIONE-PROTETTA",
        E,
        "Connessione protetta non riuscita",
        "la connessione protetta ({sicurezza}) con il server di posta {server} non è riuscita "
        "({dettaglio}): nessun messaggio è stato inviato. Verificare porta e sicurezza nella "
        "sezione [posta]: di solito 587 con «starttls», 465 con «ssl».",
    )
    POSTA_AUTENTICAZIONE = (
        "POSTA-AUTENTICAZIONE",
        E,
        "Autenticazione rifiutata",
        "il server di posta {server} ha rifiutato l'autenticazione {dettaglio}: nessun "
        "messaggio è stato inviato. Verificare «utente» nella sezione [posta] e la password "
        "nella variabile d'ambiente VALUTA_SMTP_PASSWORD.",
    )
    POSTA_MITTENTE_RIFIUTATO = (
        "POSTA-MITTENTE-RIFIUTATO",
        E,
        "Mittente rifiutato dal server",
        "il server di posta {server} non accetta messaggi dal mittente {mittente} "
        "({dettaglio}): nessun messaggio è stato inviato. Indicare in «mittente» un indirizzo "
        "che l'utente del server può usare.",
    )
    POSTA_DESTINATARIO_RIFIUTATO = (
        "POSTA-DESTINATARIO-RIFIUTATO",
        E,
        "Destinatario rifiutato dal server",
        "il server di posta ha rifiutato il destinatario {indirizzo} ({chi}): {dettaglio}. Il "
        "messaggio non è inviato; verificare l'indirizzo e ripetere il comando (gli altri "
        "messaggi non saranno inviati di nuovo).",
    )
    POSTA_MESSAGGIO_RIFIUTATO = (
        "POSTA-MESSAGGIO-RIFIUTATO",
        E,
        "Messaggio rifiutato dal server",
        "il server di posta non ha accettato il messaggio per {indirizzo} ({chi}): "
        "{dettaglio}. Se il motivo è la dimensione dell'allegato, inviarlo dal proprio "
        "programma di posta; altrimenti ripetere il comando più tardi.",
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
    """« (forse intendeva «x»?)», or nothing when no choice is close."""
    match = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (forse intendeva «{match[0]}»?)" if match else ""


def has_errors(anomalies: Iterable[Anomalia]) -> bool:
    return any(a.gravita is Gravita.ERRORE for a in anomalies)


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
