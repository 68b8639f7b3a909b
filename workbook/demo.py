"""`valuta demo`: the whole cycle on the bundled almenno-2017 sample.

init → generate → the Responsabili and the Nucleo «fill in» their workbooks with the answers
kept in `samples/almenno-2017/risposte.yaml` (the files land in `ricevuti/` as if sent back)
→ reconcile. The results reproduce the seed's Relazione sulla performance 2017.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from workbook.contract import NUCLEO, make_key, moduli
from workbook.cycle import Cycle, generation_record, init_cycle, load_sample
from workbook.generate import cycle_context, generate, write_modulo
from workbook.generate.compose import Answers
from workbook.piano.load import load_piano
from workbook.piano.model import Piano
from workbook.pipeline import Results, reconcile_and_report
from workbook.reconcile.outcome import Progress

SAMPLE = "almenno-2017"
# What a sample's answer on an objective may give after the achievement, in this order.
TEXTS = ("evidenze", "valore_raggiunto", "motivo_scostamento")


def sample_answers(risposte: dict[str, Any], piano: Piano | None = None) -> dict[str, Answers]:
    """The sample's answers (per workbook: objectives and scores) as map keys → values; each
    person's key begins with their role (from the Piano, or: EQ in the Nucleo's modulo,
    dipendenti in the Areas')."""
    answers: dict[str, Answers] = {}
    for modulo, data in risposte.items():
        default = "eq" if modulo == NUCLEO else "dipendente"
        out: dict[str, Decimal | str] = {}
        for code, (pct, *texts) in data.get("obiettivi", {}).items():
            ident = code if modulo == NUCLEO else f"{modulo}.{code}"
            out[make_key("obiettivo", ident, "raggiungimento")] = Decimal(str(pct))
            for field, text in zip(TEXTS, texts, strict=False):
                if text:
                    out[make_key("obiettivo", ident, field)] = str(text)
        for matricola, scores in data.get("valutazioni", {}).items():
            person = piano.persona(str(matricola)) if piano else None
            soggetto = person.ruolo if person else default
            for voce, value in scores.items():
                out[make_key(soggetto, str(matricola), voce)] = Decimal(str(value))
        answers[modulo] = out
    return answers


def fill_from_answers(
    cycle: Cycle, answers: dict[str, Answers], folder: Path | None = None
) -> list[Path]:
    """Write each workbook, filled in with its answers, into `ricevuti/` (or `folder`)."""
    piano, _ = load_piano(cycle.piano_path)
    record = generation_record(cycle)
    assert record is not None, "generate first"
    ctx = cycle_context(cycle, piano, record[1])
    password, key = cycle.secrets()
    written = []
    for modulo in moduli(piano):
        target = (folder or cycle.ricevuti) / f"{modulo}.xlsx"
        written.append(
            write_modulo(
                ctx, modulo, target, password, key, cycle.manifests, answers.get(modulo, {})
            )
        )
    return written


def demo(root: Path, progress: Progress | None = None) -> Results:
    cycle = init_cycle(root, SAMPLE)
    generate(cycle)
    fill_from_answers(cycle, sample_answers(load_sample(SAMPLE, "risposte")))
    results = reconcile_and_report(cycle, progress)
    from workbook.results.schede import cycle_schede

    # The final schede too (workbooks only: the demo stays quick).
    cycle_schede(cycle, pdf=False, provvisorio=True)
    return results
