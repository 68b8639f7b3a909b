"""The Istruzioni sheet, the first one opened: who fills the workbook, what to fill in on
each sheet, by when and to whom it goes back."""

from __future__ import annotations

from workbook.contract import ISTRUZIONI, compilatore
from workbook.generate.layout import Layout
from workbook.generate.model import Context, Sheet
from workbook.piano.model import Piano
from workbook.scoring.formulas import PENDING
from workbook.values import format_date


def istruzioni(ctx: Context, layout: Layout) -> Sheet:
    ws = Sheet(ISTRUZIONI, print_columns=2)
    ws.widths[0], ws.widths[1] = 4, 110
    piano = ctx.piano
    n_people = len(layout.valutabili)
    excluded = len(layout.people) - n_people
    filler = compilatore(piano, layout.modulo)
    who = f"il {filler.descrizione}"
    pending = any(
        layout.obiettivi_of(p).of(v) is None
        for p, _, b in layout.valutabili
        for v in b.scheda.voci
        if v.tipo != "fattore"
    )
    what = []
    if layout.nucleo:
        what.append(
            "Foglio «Obiettivi»: per ogni obiettivo di ogni Area indicare il raggiungimento "
            "validato dal Nucleo, sulla base delle relazioni dei Responsabili, e la "
            "motivazione. Il raggiungimento validato prevale su quello dichiarato dal "
            f"Responsabile e determina i punti degli obiettivi di {piano.sistema.sigla_eq} e "
            "dipendenti."
        )
        if ctx.dichiarazioni is not None:
            what.append(
                "Questo modulo è aggiornato: nelle colonne grigie del foglio «Obiettivi» "
                "mostra, in sola lettura, il raggiungimento dichiarato da ogni Responsabile, la "
                "sua relazione, il valore raggiunto e il motivo dello scostamento "
                f"({ctx.dichiarato_il}). Un modulo del Nucleo già compilato in precedenza "
                "resta valido."
            )
    elif not layout.segretario:
        what.append(
            "Foglio «Obiettivi»: per ogni obiettivo dell'Area indicare la percentuale di "
            "raggiungimento (da 0 a 100) e, nella colonna della relazione, le evidenze; per "
            "un obiettivo non raggiunto del tutto, il valore raggiunto dell'indicatore e il "
            "motivo dello scostamento, che la Relazione sulla performance riporta. Il "
            "raggiungimento sarà validato dal Nucleo di Valutazione."
        )
    line = (
        f"Foglio «Valutazioni»: per ognuna delle {n_people} persone valutabili"
        if n_people != 1
        else "Foglio «Valutazioni»: per la persona valutabile"
    ) + (
        " scegliere dall'elenco il punteggio di ciascun fattore; i punti degli obiettivi, il "
        "totale, la fascia e il premio si calcolano da soli."
    )
    if pending:
        line += (
            f" Le voci che indicano «{PENDING}» si calcolano alla riconciliazione, dagli "
            "obiettivi validati dal Nucleo."
        )
    what.append(line)
    what += [
        "Foglio «Schede»: la scheda individuale di ogni persona, pronta da stampare e "
        "firmare; si aggiorna da sola con i punteggi inseriti.",
        "Foglio «Criteri»: il significato di ogni punteggio, le fasce e i premi del Sistema.",
    ]
    scadenza = format_date(ctx.scadenza)
    lines: list[tuple[str, str]] = [
        ("title", f"{piano.ente.denominazione} – Valutazione della performance {piano.ente.anno}"),
        ("subtitle", _title(piano, layout)),
        ("text", f"Compila: {who}."),
        ("strong", f"Da restituire entro il {scadenza} a {ctx.restituzione}."),
        ("text", ""),
        ("label", "Cosa compilare"),
        *(("wrap", f"{i}. {line}") for i, line in enumerate(what, start=1)),
        ("text", ""),
        (
            "wrap",
            "Le celle da compilare sono gialle finché sono vuote; tutte le altre sono "
            "protette. Per i punteggi usare l'elenco a discesa; se si incolla un valore, "
            "deve essere uno di quelli ammessi.",
        ),
    ]
    if excluded:
        lines.append(
            (
                "wrap",
                (
                    "Una persona non è valutabile"
                    if excluded == 1
                    else f"{excluded} persone non sono valutabili"
                )
                + ": il motivo è nella colonna «Note» del foglio Valutazioni.",
            )
        )
    lines += [
        ("text", ""),
        ("label", "Come restituire il modulo"),
        (
            "wrap",
            f"Salvare il file, in formato Excel (.xlsx) oppure LibreOffice (.ods), e "
            f"inviarlo come allegato a {ctx.restituzione}, anche via PEC, entro il "
            f"{scadenza}. Si può inviare più volte: conta la versione "
            "salvata più di recente.",
        ),
        (
            "wrap",
            "Non rinominare, spostare, aggiungere o eliminare fogli, righe o colonne e "
            "non modificare le parti protette: alla restituzione il modulo viene "
            "verificato e, se le parti protette risultano modificate, non è accettato.",
        ),
        ("text", ""),
        (
            "note",
            f"Modulo generato il {ctx.generato:%d/%m/%Y alle %H:%M} da valuta "
            f"{ctx.versione} – Sistema: {piano.sistema.nome}.",
        ),
    ]
    for row, (style, text) in enumerate(lines):
        ws.put(row, 1, text, style)  # the writer sizes each row to its text
    return ws


def _title(piano: Piano, layout: Layout) -> str:
    if layout.nucleo:
        return "Modulo del Nucleo di Valutazione"
    if layout.segretario:
        return "Modulo del Segretario Comunale"
    return f"Modulo dell'Area {piano.area(layout.modulo).etichetta}"
