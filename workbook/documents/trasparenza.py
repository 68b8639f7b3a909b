"""`valuta trasparenza`: what the Comune publishes in Amministrazione Trasparente, gathered in
`risultati/trasparenza/` with an index of what goes where.

- The tables of «Performance › Dati relativi ai premi» and «Ammontare complessivo dei premi»
  (D.Lgs. 33/2013, art. 20, c. 1 and 2), written there by `valuta reconcile`.
- The Relazione sulla performance (D.Lgs. 150/2009, art. 10, c. 1, lett. b; published under
  «Performance › Relazione sulla Performance») and the Nucleo's documento di validazione
  (art. 14, c. 4, lett. c; under «Controlli e rilievi sull'amministrazione › Organismi
  indipendenti di valutazione, nuclei di valutazione o altri organismi con funzioni
  analoghe», D.Lgs. 33/2013 art. 31), once approved and signed: the Segreteria drops the
  signed files (PDF, or signed .p7m) into `firmati/`; they are copied, never moved or changed.

The index, `indice.csv` (as Italian Excel opens it, like the tables), has one row per file:
its content, the section where it is published, the article, and whether it is ready.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from workbook.cycle import Cycle
from workbook.documents.render import load_results
from workbook.files import atomic_path, csv_text, write_text

FIRMATI = "firmati"
INDICE = "indice.csv"
PREMI = "Performance › Dati relativi ai premi"
AMMONTARE = "Performance › Ammontare complessivo dei premi"
RELAZIONE = "Performance › Relazione sulla Performance"
NUCLEO = (
    "Controlli e rilievi sull'amministrazione › Organismi indipendenti di valutazione, nuclei "
    "di valutazione o altri organismi con funzioni analoghe"
)
SIGNED = (".pdf", ".p7m", ".docx", ".odt")
COLUMNS = ("File", "Contenuto", "Sezione di Amministrazione Trasparente", "Norma", "Stato")


@dataclass(frozen=True, slots=True)
class Voce:
    file: str
    contenuto: str
    sezione: str
    norma: str
    stato: str

    @property
    def pronta(self) -> bool:
        return self.stato == "pronto"


@dataclass(frozen=True, slots=True)
class Pubblicazione:
    cartella: Path
    indice: Path
    voci: tuple[Voce, ...]


def gather(cycle: Cycle) -> Pubblicazione:
    data, piano = load_results(cycle, False, "ciò che si pubblica", draft=False)
    anno = piano.ente.anno
    folder = cycle.risultati / "trasparenza"
    folder.mkdir(parents=True, exist_ok=True)
    voci = []
    for t in data.get("trasparenza", []):
        ready = (folder / t["file"]).is_file()
        amount = t["file"].startswith("premi-")
        voci.append(
            Voce(
                t["file"],
                t["titolo"],
                AMMONTARE if amount else PREMI,
                f"D.Lgs. 33/2013, art. 20, c. {1 if amount else 2}",
                "pronto" if ready else "manca: eseguire di nuovo «valuta reconcile»",
            )
        )
    firmati = cycle.root / FIRMATI
    firmati.mkdir(exist_ok=True)
    for key, name, content, section, norm in (
        (
            "relazione",
            f"relazione-sulla-performance-{anno}",
            f"Relazione sulla performance {anno}, approvata dalla Giunta",
            RELAZIONE,
            "D.Lgs. 150/2009, art. 10, c. 1, lett. b; D.Lgs. 33/2013, art. 10, c. 8, lett. b",
        ),
        (
            "validazione",
            f"documento-di-validazione-{anno}",
            f"Documento di validazione della Relazione sulla performance {anno} del Nucleo",
            NUCLEO,
            "D.Lgs. 150/2009, art. 14, c. 4, lett. c; D.Lgs. 33/2013, art. 31",
        ),
    ):
        source = _signed(firmati, key, str(anno))
        if source is None:
            voci.append(
                Voce(
                    name + ".pdf",
                    content,
                    section,
                    norm,
                    f"manca: mettere il documento firmato in {FIRMATI}/ (un file .pdf o .p7m "
                    f"con «{key}» nel nome) e ripetere il comando",
                )
            )
            continue
        target = folder / (name + _extension(source))
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        voci.append(Voce(target.name, content, section, norm, "pronto"))
    index = folder / INDICE
    write_text(index, csv_text(COLUMNS, [dict(zip(COLUMNS, _row(v), strict=True)) for v in voci]))
    return Pubblicazione(folder, index, tuple(voci))


def _row(v: Voce) -> tuple[str, ...]:
    return (v.file, v.contenuto, v.sezione, v.norma, v.stato)


def _extension(path: Path) -> str:
    name = path.name.lower()
    return next(e for e in (".pdf.p7m", ".docx.p7m", ".odt.p7m", *SIGNED) if name.endswith(e))


def _signed(folder: Path, key: str, anno: str) -> Path | None:
    """The newest file of `folder` whose name says what it is («relazione», «validazione»),
    preferring one of the year; None when there is none."""
    found = [
        p
        for p in folder.iterdir()
        if p.is_file()
        and key in p.name.lower()
        and p.name.lower().endswith(SIGNED)
        and not p.name.startswith((".", "~$"))
    ]
    of_year = [p for p in found if anno in p.name] or found
    return max(of_year, key=lambda p: (p.stat().st_mtime, p.name)) if of_year else None
