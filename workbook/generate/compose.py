"""Compose the evaluation workbook of an Area, or the Nucleo's, as a `WorkbookModel`.

First where everything sits (`layout.plan`), then each sheet on its own. Every formula comes
from `scoring.formulas`; every result it shows comes from the Python engine
(`scoring.engine.shown_results`, the same function that checks, at reconcile, what a received
workbook shows), both driven by the same Sistema. Every input and result cell is recorded in
the map (`contract.MapEntry`). Answers can be passed in to pre-fill the inputs (the demo and
the benchmark use this to play the Responsabili), and then every result shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workbook.contract import FORMAT, NUCLEO, SEGRETARIO, workbook_id
from workbook.generate.criteri import criteri
from workbook.generate.istruzioni import istruzioni
from workbook.generate.layout import plan
from workbook.generate.meta import meta
from workbook.generate.model import Context, WorkbookModel
from workbook.generate.obiettivi import obiettivi
from workbook.generate.schede import schede
from workbook.generate.valutazioni import valutazioni
from workbook.scoring.engine import shown_results

Answers = Mapping[str, Decimal | str]

__all__ = ["Answers", "Context", "build"]


def build(
    ctx: Context, modulo: str, answers: Answers | None = None, nonce: str = ""
) -> WorkbookModel:
    """The workbook of an Area (`modulo` = its code), of the Nucleo (NUCLEO) or of the
    Segretario (SEGRETARIO), who has no objectives to report on."""
    piano = ctx.piano
    answers = answers or {}
    layout = plan(piano, modulo)
    results = shown_results(piano, modulo, answers)
    objectives, objective_map = (
        obiettivi(
            piano,
            layout,
            answers,
            results,
            ctx.dichiarazioni if layout.nucleo else None,
            ctx.dichiarato_il,
        )
        if layout.areas
        else (None, [])
    )
    evaluations, evaluation_map = valutazioni(piano, layout, answers, results)
    mappa = objective_map + evaluation_map
    identity = {
        "formato": FORMAT,
        "id": workbook_id(piano, modulo),
        "ente": piano.ente.denominazione,
        "anno": str(piano.ente.anno),
        "area": modulo,
        "modulo": modulo if modulo in (NUCLEO, SEGRETARIO) else "area",
        "sistema": piano.sistema.codice,
        "sistema_hash": piano.sistema.hash,
        "generato": ctx.generato.isoformat(timespec="seconds"),
        "versione": ctx.versione,
        "nonce": nonce,
        "hmac": "",
    }
    sheets = [
        istruzioni(ctx, layout),
        *([objectives] if objectives else []),
        evaluations,
        schede(piano, layout, answers, results),
        criteri(piano.sistema, layout.criteri),
        meta(identity, mappa),
    ]
    area_label = {NUCLEO: "Nucleo di Valutazione", SEGRETARIO: "Segretario Comunale"}.get(
        modulo
    ) or piano.area(modulo).etichetta
    return WorkbookModel(
        sheets=sheets,
        mappa=mappa,
        identity=identity,
        title=f"Valutazione della performance {piano.ente.anno} – {area_label}",
        header=(piano.ente.denominazione, area_label, f"Anno {piano.ente.anno}"),
    )
