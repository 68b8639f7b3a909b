"""Fill a Word template of `modelli/` with the reconciled results and save the document.

The results must be those of the last `valuta reconcile` (the results JSON) and final, unless
the user asks for a provisional document, which then says so at the top of every page. A
template that is missing, is not a Word file, or uses a tag valuta does not know gets an
Italian message naming the file; the document is written whole or not at all.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from lxml.etree import XMLSyntaxError

from workbook.cycle import Cycle
from workbook.errors import CycleError
from workbook.files import atomic_path
from workbook.piano.load import load_piano
from workbook.piano.model import Piano
from workbook.results import results_paths
from workbook.results.json import read_results

MODELLI = "modelli"


def template_path(cycle: Cycle, name: str) -> Path:
    return cycle.root / MODELLI / name


def load_results(
    cycle: Cycle, provvisorio: bool, what: str, *, draft: bool = True
) -> tuple[dict[str, Any], Piano]:
    """(results JSON, Piano) for a document; refused while the results are provisional,
    unless `provvisorio`. `draft`: the command offers --provvisorio (what is published never
    does)."""
    cycle.check()
    cycle.recover()
    piano, _ = load_piano(cycle.piano_path)
    _, data_path = results_paths(cycle, piano.ente.anno)
    rel = data_path.relative_to(cycle.root).as_posix()
    data = read_results(data_path) if data_path.is_file() else None
    if data is None:
        raise CycleError(
            f"Mancano i risultati riconciliati ({rel}), oppure sono di un'altra versione di "
            f"valuta: eseguire prima «valuta reconcile», poi di nuovo questo comando."
        )
    if not data["stato"]["definitivo"] and not provvisorio:
        errors = sum(a.get("gravita") == "errore" for a in data["anomalie"])
        raise CycleError(
            f"I risultati in {rel} sono provvisori ({errors} "
            f"{'errore' if errors == 1 else 'errori'} nei moduli, elencati nel foglio Anomalie "
            f"dei risultati): {what} si scrive sui risultati definitivi. "
            + (
                "Per una bozza da rivedere, che lo dichiara su ogni pagina, ripetere il comando "
                "con --provvisorio."
                if draft
                else "Correggere gli errori, ripetere «valuta reconcile», poi questo comando."
            )
        )
    return data, piano


def render(cycle: Cycle, template: Path, context: dict[str, Any], target: Path) -> None:
    """Write `target` from `template` filled with `context`."""
    rel = _rel(cycle, template)
    if not template.is_file():
        raise CycleError(
            f"Il modello {rel} non esiste. Per ricreare i modelli predefiniti: «valuta "
            "relazione --modelli» (quelli già presenti non vengono toccati)."
        )
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        doc = DocxTemplate(str(template))
        doc.render(context, jinja_env=env, autoescape=True)
    except (zipfile.BadZipFile, PackageNotFoundError, XMLSyntaxError, KeyError, ValueError):
        raise CycleError(
            f"Il modello {rel} non è un documento Word (.docx) leggibile: ripristinarlo "
            "da una copia, oppure cancellarlo e ricreare quello predefinito con «valuta "
            "relazione --modelli»."
        ) from None
    except jinja2.UndefinedError as exc:
        name = str(exc).split("'")[-2] if str(exc).count("'") >= 2 else str(exc)
        raise CycleError(
            f"Il modello {rel} usa «{name}», che valuta non conosce: correggere il segnaposto "
            "(i nomi ammessi sono in docs/relazione.md)."
        ) from None
    except jinja2.TemplateError as exc:
        raise CycleError(
            f"Il modello {rel} contiene un segnaposto scritto in modo errato ({exc}): "
            "controllare le parentesi {{ … }} e {% … %} modificate (docs/relazione.md)."
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        doc.save(str(tmp))


def _rel(cycle: Cycle, path: Path) -> str:
    try:
        return path.relative_to(cycle.root).as_posix()
    except ValueError:
        return str(path)
