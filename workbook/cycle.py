"""The cycle folder: its layout, its settings (`valuta.toml`), its secrets, and `valuta init`.

DIR/valuta.toml        settings, commented in Italian
DIR/piano.xlsx         the Piano the secretary fills (or piano.ods, as LibreOffice saves it)
DIR/moduli/            the workbooks to send (one per Area, plus nucleo.xlsx)
DIR/ricevuti/          whatever came back, as it came (never modified)
DIR/archivio/          every ingested file, named by its SHA-256, and the ledger
DIR/risultati/         results workbook and JSON
DIR/posta/             messages written as .eml, and the register of what was sent
DIR/.valuta/           secrets (protection password, HMAC key) and generation records
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from workbook.errors import CycleError
from workbook.resources import bundled_samples, samples_dir

if TYPE_CHECKING:
    from workbook.piano.model import Piano

SETTINGS = "valuta.toml"
PIANO = "piano.xlsx"
# The forms of the Piano valuta reads: LibreOffice saves piano.ods by default. python-calamine
# reads both with the same values (tests/test_ods.py checks it on a file LibreOffice wrote).
PIANO_FORMATS = (".xlsx", ".ods")
SISTEMA = "sistema.xlsx"


@dataclass(frozen=True, slots=True)
class Posta:
    host: str = ""
    porta: int = 587
    sicurezza: str = "starttls"  # starttls | ssl | nessuna
    utente: str = ""
    mittente: str = ""
    cafile: str = ""
    timeout: float = 30.0


@dataclass(frozen=True, slots=True)
class Settings:
    scadenza: dt.date
    restituzione: str
    firma: str
    posta: Posta = field(default_factory=Posta)
    destinatari: tuple[str, ...] = ()

    def return_address(self) -> str:
        """Where the moduli come back: what the moduli and the messages tell the Responsabili
        and the Nucleo. Never guessed: without it, nothing is generated or sent."""
        from workbook.piano.sheets import EMAIL_RE

        address = self.restituzione.strip()
        if not address:
            raise CycleError(
                f"{SETTINGS}: manca l'indirizzo a cui i Responsabili e il Nucleo restituiscono "
                "i moduli compilati. Scriverlo nella sezione [ciclo], ad esempio "
                'restituzione = "segreteria@comune.it" (la casella della Segreteria, anche '
                "PEC), e ripetere il comando."
            )
        if not EMAIL_RE.match(address.rpartition("<")[2].rstrip(">").strip()):
            raise CycleError(
                f"{SETTINGS}: restituzione = «{address}» non è un indirizzo e-mail. Scriverlo "
                'come restituzione = "segreteria@comune.it" e ripetere il comando.'
            )
        return address


@dataclass(frozen=True, slots=True)
class Cycle:
    root: Path

    def __post_init__(self) -> None:
        # Absolute: the files written in it are compared with it («valuta reconcile» run in
        # the cycle folder, or with a relative --dir, once lost its results this way).
        object.__setattr__(self, "root", Path(self.root).absolute())

    @property
    def settings_path(self) -> Path:
        return self.root / SETTINGS

    @property
    def piano_path(self) -> Path:
        """The Piano every command reads (through `load_piano`): piano.xlsx, or piano.ods
        when only that one is there; piano.xlsx when neither is (`load_piano` says so)."""
        return piano_file(self.root)

    @property
    def moduli(self) -> Path:
        return self.root / "moduli"

    @property
    def ricevuti(self) -> Path:
        return self.root / "ricevuti"

    @property
    def archivio(self) -> Path:
        return self.root / "archivio"

    @property
    def registro(self) -> Path:
        """The ledger of arrivals (results/registers.py)."""
        return self.archivio / "registro.csv"

    @property
    def risultati(self) -> Path:
        return self.root / "risultati"

    @property
    def posta(self) -> Path:
        return self.root / "posta"

    @property
    def private(self) -> Path:
        return self.root / ".valuta"

    @property
    def manifests(self) -> Path:
        return self.private / "moduli"

    @property
    def nucleo_aggiornato(self) -> Path:
        """Present while moduli/nucleo.xlsx is the updated edition, with the Responsabili's
        declarations (generate/aggiornato.py); `generate` removes it."""
        return self.private / "nucleo-aggiornato.json"

    @property
    def commit_journal(self) -> Path:
        """Written while the results are being replaced (files.Commit)."""
        return self.private / "scrittura-risultati.json"

    def recover(self) -> None:
        """Finish, or undo, a writing of the results interrupted by a crash."""
        from workbook.files import recover

        recover(self.commit_journal, self.root, [self.risultati, self.archivio])

    def check(self) -> None:
        if not self.settings_path.is_file():
            raise CycleError(
                f"«{self.root}» non è una cartella di ciclo: manca {SETTINGS}. Crearla con "
                f"«valuta init {self.root}» oppure indicare la cartella giusta con --dir."
            )

    def settings(self) -> Settings:
        self.check()
        try:
            data = tomllib.loads(self.settings_path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError:
            raise CycleError(
                f"{SETTINGS}: il file non è scritto in UTF-8. Riaprirlo con il Blocco note e "
                "salvarlo con codifica «UTF-8»."
            ) from None
        except tomllib.TOMLDecodeError as exc:
            raise CycleError(f"{SETTINGS}: il file non è valido ({exc}). Correggerlo.") from None
        if not isinstance(data.get("ciclo", {}), dict) or not isinstance(
            data.get("posta", {}), dict
        ):
            raise CycleError(f"{SETTINGS}: [ciclo] e [posta] devono essere sezioni. Correggerlo.")
        ciclo = data.get("ciclo", {})
        posta = data.get("posta", {})
        scadenza = ciclo.get("scadenza")
        if not isinstance(scadenza, dt.date):
            raise CycleError(
                f"{SETTINGS}: «scadenza» nella sezione [ciclo] deve essere una "
                "data nel formato AAAA-MM-GG, ad esempio 2018-01-31."
            )
        known = set(Posta.__dataclass_fields__)
        unknown = sorted(set(posta) - known)
        if unknown:
            raise CycleError(
                f"{SETTINGS}: chiavi sconosciute nella sezione [posta]: "
                f"{', '.join(unknown)}. Chiavi ammesse: {', '.join(sorted(known))}."
            )
        result = Settings(
            scadenza=scadenza,
            restituzione=str(ciclo.get("restituzione", "")),
            firma=str(ciclo.get("firma", "Il Segretario Comunale")),
            posta=Posta(**posta),
            destinatari=tuple(data.get("risultati", {}).get("destinatari", [])),
        )
        for name, kind in (
            ("host", str),
            ("porta", int),
            ("utente", str),
            ("mittente", str),
            ("cafile", str),
            ("timeout", (int, float)),
            ("sicurezza", str),
        ):
            value = getattr(result.posta, name)
            if isinstance(value, bool) or not isinstance(value, kind):
                example = {"porta": "587", "timeout": "30"}.get(name, '"…"')
                raise CycleError(
                    f"{SETTINGS}: [posta] {name} = «{value}» non è valido: scrivere "
                    f"ad esempio {name} = {example}."
                )
        if not all(isinstance(d, str) for d in result.destinatari):
            raise CycleError(
                f"{SETTINGS}: [risultati] destinatari deve essere un elenco di "
                'indirizzi tra virgolette, ad esempio ["sindaco@comune.it"].'
            )
        if result.posta.sicurezza not in ("starttls", "ssl", "nessuna"):
            raise CycleError(
                f"{SETTINGS}: [posta] sicurezza = «{result.posta.sicurezza}» non "
                "è ammesso: usare «starttls», «ssl» oppure «nessuna»."
            )
        return result

    def secrets(self) -> tuple[str, bytes]:
        """(sheet protection password, HMAC key). They never leave the cycle folder."""
        path = self.private / "segreti.toml"
        if not path.is_file():
            raise CycleError(
                f"Manca {path}: senza la chiave del ciclo non si possono generare né "
                "verificare i moduli. Se la cartella è stata copiata, copiare anche "
                "la sottocartella nascosta .valuta."
            )
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return str(data["password"]), bytes.fromhex(data["chiave"])


def piano_file(root: Path) -> Path:
    """piano.xlsx or piano.ods in `root`. With both, which one the Segreteria means cannot be
    guessed (LibreOffice, asked to keep its own format, writes piano.ods beside piano.xlsx,
    and a copy brought back later is newer without being right): valuta stops and names both,
    rather than build moduli from the wrong one."""
    found = [root / f"piano{suffix}" for suffix in PIANO_FORMATS]
    present = [p for p in found if p.is_file()]
    if len(present) > 1:
        dates = ", ".join(
            f"{p.name} salvato il "
            f"{dt.datetime.fromtimestamp(p.stat().st_mtime):%d/%m/%Y alle %H:%M}"
            for p in present
        )
        raise CycleError(
            f"Nella cartella del ciclo «{root}» ci sono due Piani, {dates}: valuta non "
            "sceglie al posto della Segreteria. Tenere soltanto quello aggiornato: spostare "
            "l'altro in un'altra cartella (o rinominarlo, ad esempio piano-vecchio) e "
            "ripetere il comando."
        )
    return present[0] if present else root / PIANO


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


SETTINGS_TEMPLATE = """\
# Impostazioni del ciclo di valutazione della performance, create da «valuta init».
# Le righe che iniziano con # sono commenti.

[ciclo]
# Data entro cui i Responsabili e il Nucleo restituiscono i moduli compilati (AAAA-MM-GG).
scadenza = {scadenza}
# Indirizzo a cui restituire i moduli (la casella della Segreteria, anche PEC).
restituzione = "{restituzione}"
# Chi firma i messaggi di posta.
firma = "Il Segretario Comunale"

[posta]
# Server di posta in uscita per «valuta distribute», «valuta remind» e «valuta send». Se «host»
# è vuoto, i messaggi non vengono spediti ma scritti come file .eml nella cartella posta/, da
# inviare con il proprio programma di posta o PEC.
host = ""
# Porta del server: di solito 587 con "starttls", 465 con "ssl".
porta = 587
# Sicurezza della connessione: "starttls", "ssl" oppure "nessuna" (solo senza password).
# Il certificato del server è sempre verificato.
sicurezza = "starttls"
# Utente per l'autenticazione (vuoto se il server non la chiede). La password NON va scritta
# qui né in altri file: si legge dalla variabile d'ambiente VALUTA_SMTP_PASSWORD.
utente = ""
# Mittente dei messaggi (se vuoto, si usa l'indirizzo di restituzione). Le risposte vanno
# comunque all'indirizzo di restituzione.
mittente = ""
# File PEM del certificato dell'autorità di certificazione del Comune, solo se il server ne usa
# una propria (percorso assoluto o relativo a questa cartella).
cafile = ""
# Secondi di attesa massima per una risposta del server.
timeout = 30

[risultati]
# Destinatari dei risultati completi inviati da «valuta send» (ad esempio Segretario, Sindaco,
# Nucleo), anche con il nome: ["segretario@comune.it", "Nucleo <nucleo@comune.it>"].
# Con «valuta send --per-area» ogni Responsabile riceve invece solo i risultati della sua Area.
destinatari = []
"""


def init_cycle(root: Path, esempio: str | None = None, restituzione: str = "") -> Cycle:
    """Create a cycle folder with settings, secrets and a Piano (blank or a bundled sample);
    `restituzione` is the return address (a sample brings its own)."""
    from workbook.documents.modello import write_templates
    from workbook.documents.render import MODELLI
    from workbook.piano.blank import write_piano

    cycle = Cycle(root)
    pianos = [cycle.root / f"piano{suffix}" for suffix in PIANO_FORMATS]
    if any(p.exists() for p in (cycle.settings_path, *pianos, root / SISTEMA)):
        raise CycleError(
            f"«{root}» contiene già un ciclo di valutazione ({SETTINGS}, {PIANO} o {SISTEMA}): "
            "non viene sovrascritto. Scegliere un'altra cartella."
        )
    sample = None
    if esempio is not None:
        if esempio not in bundled_samples():
            raise CycleError(
                f"Esempio «{esempio}» sconosciuto. Esempi disponibili: "
                f"{', '.join(bundled_samples())}."
            )
        sample = load_sample(esempio)
    root.mkdir(parents=True, exist_ok=True)
    year = int(sample["ente"]["anno"]) if sample else dt.date.today().year
    restituzione = restituzione or (sample.get("restituzione", "") if sample else "")
    _write_sistema(cycle, sample)
    write_piano(cycle.root / PIANO, sample)
    cycle.settings_path.write_text(
        SETTINGS_TEMPLATE.format(
            scadenza=dt.date(year + 1, 1, 31).isoformat(), restituzione=restituzione
        ),
        encoding="utf-8",
    )
    _write_private(
        cycle.private / "segreti.toml",
        "# Segreti del ciclo: non condividere e non inviare.\n"
        f'password = "{secrets.token_urlsafe(12)}"\n'
        f'chiave = "{secrets.token_hex(32)}"\n',
    )
    for folder in (cycle.moduli, cycle.ricevuti):
        folder.mkdir(exist_ok=True)
    write_templates(root / MODELLI)
    return cycle


def _write_sistema(cycle: Cycle, sample: dict | None) -> None:
    """sistema.xlsx next to the Piano: a copy of the sample's Sistema, which the sample's Ente
    sheet then names (editing it changes the cycle's Sistema), or a blank one with its
    instructions."""
    import shutil

    from workbook.resources import templates_dir
    from workbook.sistema.export import write_workbook

    target = cycle.root / SISTEMA
    if sample is None:
        write_workbook(None, target)
        return
    name = str(sample["ente"]["sistema"])
    bundled = templates_dir() / f"{name}.xlsx"
    if bundled.is_file():
        shutil.copyfile(bundled, target)
    else:
        from workbook.sistema.load import load_sistema

        write_workbook(load_sistema(name), target)
    sample["ente"]["sistema"] = SISTEMA


def load_sample(name: str, part: str = "piano") -> dict:
    """A bundled sample's Piano (or its answers, `part="risposte"`) as plain data."""
    path = samples_dir() / name / f"{part}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def generation_record(cycle: Cycle) -> tuple[str, dt.datetime] | None:
    """(fingerprint, time) of the last `valuta generate`, or None before the first."""
    path = cycle.private / "generazione.json"
    if not path.is_file():
        return None
    record = json.loads(path.read_text(encoding="utf-8"))
    return record["impronta"], dt.datetime.fromisoformat(record["generato"])


def generation_stamp(cycle: Cycle, fingerprint: str, now: dt.datetime) -> dt.datetime:
    """The generation time of the moduli: kept while the Piano and Sistema are unchanged, so
    that generating again from the same cycle folder gives the same workbooks."""
    record = generation_record(cycle)
    if record is not None and record[0] == fingerprint:
        return record[1]
    path = cycle.private / "generazione.json"
    stamp = now.replace(microsecond=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"impronta": fingerprint, "generato": stamp.isoformat()}), encoding="utf-8"
    )
    return stamp


def fingerprint(cycle: Cycle, piano: Piano) -> str:
    """What the moduli are made from: the Piano, the settings they show (deadline and return
    address, not the mail server's), the Sistema and the tool version."""
    from workbook import __version__

    settings = cycle.settings()
    made_of = (
        f"{settings.scadenza.isoformat()}|{settings.restituzione}|{piano.sistema.hash}|"
        f"{__version__}"
    )
    return hashlib.sha256(cycle.piano_path.read_bytes() + made_of.encode()).hexdigest()
