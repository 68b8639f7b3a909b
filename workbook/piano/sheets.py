"""The file the Segreteria fills, piano.xlsx: its sheets, their columns and the words they
take. Read by load.py, written blank (or with a sample) by blank.py."""

from __future__ import annotations

import re
from decimal import Decimal

from workbook.contract import NUCLEO, SEGRETARIO

TUTTE = "tutte"
MAX_FUND = Decimal("999999999999.99")  # euro: a fund of the largest Comune is some 10**7
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
# An Area's code names its workbook, moduli/<code>.xlsx: it cannot be the Nucleo's, nor the
# word for «every Area» of the Obiettivi sheet, nor a name Windows keeps for a device whatever
# the extension (CON.xlsx cannot be created there).
_DEVICE = "è un nome che Windows riserva a un dispositivo e che nessun file può avere"
RESERVED_AREA_CODES = {
    NUCLEO: "è il nome del modulo del Nucleo di Valutazione",
    SEGRETARIO: "è il nome del modulo del Segretario Comunale",
    TUTTE: "nel foglio Obiettivi indica tutte le Aree",
    **{name: _DEVICE for name in ("con", "prn", "aux", "nul")},
    **{f"{port}{n}": _DEVICE for port in ("com", "lpt") for n in range(10)},
}
EMAIL_RE = re.compile(r"^[^@\s;,<>]+@[^@\s;,<>]+\.[A-Za-z]{2,}$")

# Sheet → ordered columns: (field, header as the user sees it, required).
COLUMNS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "Aree": (
        ("codice", "Codice", True),
        ("denominazione", "Denominazione", True),
        ("responsabile", "Matricola Responsabile", False),
        # Needed to send the modulo, not to generate it: checked by the mail commands.
        ("email", "E-mail Responsabile", False),
    ),
    "Obiettivi": (
        ("codice", "Codice", True),
        ("area", "Area", True),
        ("tipo", "Tipo", True),
        ("descrizione", "Descrizione", True),
        ("risultati_attesi", "Risultati attesi", False),
        ("indicatore", "Indicatore", False),
        ("valore_atteso", "Valore atteso", False),
        ("peso", "Peso", True),
        ("scadenza", "Scadenza", False),
        ("assegnatari", "Assegnatari", False),
    ),
    "Personale": (
        ("matricola", "Matricola", True),
        ("cognome", "Cognome", True),
        ("nome", "Nome", True),
        ("genere", "Genere", True),
        ("categoria", "Categoria", True),
        ("area", "Area", True),
        ("ruolo", "Ruolo", True),
        ("inizio", "Inizio servizio", False),
        ("fine", "Fine servizio", False),
        ("part_time", "Part-time %", False),
        ("email", "E-mail", False),
        ("scheda", "Scheda", False),
        ("posizione", "Retribuzione di posizione (€ annui)", False),
        ("sanzione", "Sanzione disciplinare nell'anno", False),
    ),
    # Optional (a Piano without it has no absences): one row per absence of a cause.
    "Assenze": (
        ("matricola", "Matricola", True),
        ("causa", "Causa", True),
        ("giorni", "Giorni", True),
    ),
}
# Sheet Ente: one row per setting, label in column A and value in column B.
ENTE_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("denominazione", "Denominazione dell'Ente", True),
    ("anno", "Anno di valutazione", True),
    ("sistema", "Sistema di valutazione", True),
    ("fondo_produttivita", "Fondo per la produttività dei dipendenti (€)", False),
    ("fondo_risultato_po", "Fondo per la retribuzione di risultato delle PO (€)", False),
    ("email_nucleo", "E-mail del Nucleo di Valutazione", False),
    ("segretario", "Segretario Comunale (cognome e nome)", False),
    ("email_segretario", "E-mail del Segretario Comunale", False),
    # The acts the Relazione sulla performance names (DFP guidelines 3/2018, section 1).
    ("provincia", "Provincia", False),
    ("atto_piano", "Atto di approvazione del Piano della performance (o PIAO)", False),
    ("atto_sistema", "Atto di adozione del Sistema di valutazione", False),
    ("atto_nucleo", "Atto di nomina del Nucleo di Valutazione", False),
    ("nucleo_componenti", "Componenti del Nucleo di Valutazione", False),
    ("atto_ccdi", "Contratto decentrato integrativo (sottoscrizione)", False),
)
ACTS = ("provincia", "atto_piano", "atto_sistema", "atto_nucleo", "nucleo_componenti", "atto_ccdi")
SHEETS = ("Ente", "Aree", "Obiettivi", "Personale")
# Optional columns and Ente rows that came with later versions: a Piano written before them
# stays valid without them.
ADDED_LATER = frozenset(
    {
        "assegnatari",
        "scheda",
        "segretario",
        "email_segretario",
        "posizione",
        "sanzione",
        "valore_atteso",
        *ACTS,
    }
)
OPTIONAL_SHEETS = ("Assenze",)
GENERI = {
    "M": "M",
    "F": "F",
    "MASCHIO": "M",
    "FEMMINA": "F",
    "UOMO": "M",
    "DONNA": "F",
    "MASCHILE": "M",
    "FEMMINILE": "F",
}
PAROLE_RUOLO = {  # how a Piano may write a role (upper case)
    "PO": "eq",
    "P.O.": "eq",
    "POSIZIONE ORGANIZZATIVA": "eq",
    "EQ": "eq",
    "E.Q.": "eq",
    "ELEVATA QUALIFICAZIONE": "eq",
    "DIPENDENTE": "dipendente",
    "DIRIGENTE": "dirigente",
}
RUOLI_AMMESSI = "dipendente, EQ (o PO), dirigente"
# How the Aree sheet says that the Segretario Comunale leads an Area (upper case).
PAROLE_SEGRETARIO = ("SEGRETARIO", "SEGRETARIO COMUNALE", "SEGRETARIA", "SEGRETARIA COMUNALE")
ASSIGNEE_SEPARATORS = re.compile(r"[;,\n]")
