"""The default Word templates of the Relazione and of the validation, built with python-docx.

`valuta init` writes them into `modelli/` of the cycle folder; the Comune may then edit them
in Word or LibreOffice (text, styles, order, its logo) as long as the tags stay: `{{ name }}`
prints a value, `{%tr for … %}` repeats a table row, `{%tc for … %}` a table column and
`{%p if … %}` keeps a paragraph only when true (docxtpl's syntax, see docs/relazione.md).
What only the Segretario or the Nucleo can write is a highlighted placeholder in brackets,
never invented text.

The structure follows the Almenno San Bartolomeo 2017 seed and the DFP guidelines 3/2018 (§3):
identification of the Ente and of its acts, the cycle and who evaluated whom, the objectives of
every Area with their deviations, organisational and individual performance, differentiation,
premialità, bilancio di genere, conciliation, validation.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt
from docx.table import Table

RELAZIONE = "relazione.docx"
VALIDAZIONE = "validazione.docx"


def _document(title: str) -> DocumentType:
    doc = Document()
    doc.core_properties.author = "valuta"
    doc.core_properties.title = title
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.0))
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_before = Pt(6)
    header = section.header.paragraphs[0]
    header.text = "{{ ente }} – " + title + " {{ anno }}"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.runs[0].font.size = Pt(8)
    # A provisional document says so at the top of every page.
    warning = section.header.add_paragraph("{{ avviso_provvisorio }}")
    warning.alignment = WD_ALIGN_PARAGRAPH.CENTER
    warning.runs[0].font.bold = True
    warning.runs[0].font.size = Pt(10)
    return doc


def placeholder(doc: DocumentType, text: str) -> None:
    """A paragraph only a person can write: highlighted, in brackets."""
    run = doc.add_paragraph().add_run(f"[{text}]")
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _centred(doc: DocumentType, text: str, size: int, bold: bool = False) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold


def table(
    doc: DocumentType,
    headers: Sequence[str],
    cells: Sequence[str],
    loop: str,
    widths: Sequence[float] = (),
) -> Table:
    """A Word table: a header row, then one row per item of `loop` («r in righe»)."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        t.cell(0, i).text = h
        t.cell(0, i).paragraphs[0].runs[0].font.bold = True
        t.cell(2, i).text = cells[i]
    for row in t.rows:  # a row is never split across two pages; the header repeats
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    header = OxmlElement("w:tblHeader")
    t.rows[0]._tr.get_or_add_trPr().append(header)
    t.cell(1, 0).text = "{%tr for " + loop + " %}"
    t.cell(3, 0).text = "{%tr endfor %}"
    _small(t)
    if widths:
        t.autofit = False
        for i, w in enumerate(widths):
            t.columns[i].width = Cm(w)
            for row in t.rows:
                row.cells[i].width = Cm(w)
    return t


TABLE_STYLE = "Testo tabella"


def _small(t: Table) -> None:
    """9-point text in every cell: as a paragraph style, which the runs that docxtpl puts in
    place of a «{{r …}}» tag inherit too."""
    styles = t.part.document.styles
    if TABLE_STYLE not in [s.name for s in styles]:
        style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.font.size = Pt(9)
    for row in t.rows:
        for c in row.cells:
            for p in c.paragraphs:
                p.style = styles[TABLE_STYLE]
                for r in p.runs:
                    r.font.size = Pt(9)


def columns_table(doc: DocumentType, rows: Sequence[tuple[str, str]], loop: str) -> Table:
    """A table whose columns repeat: one column per item of `loop` («f in s.fasce»), a first
    column of labels, one row per (label, value) of `rows` — the shape of the seed's table
    «Valutazione compresa tra 54 e 60 punti | 100% | 20»."""
    t = doc.add_table(rows=len(rows), cols=4)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (label, value) in enumerate(rows):
        t.cell(i, 0).text = label
        t.cell(i, 1).text = "{%tc for " + loop + " %}"
        t.cell(i, 2).text = value
        t.cell(i, 3).text = "{%tc endfor %}"
    _small(t)
    return t


def _heading(doc: DocumentType, text: str, level: int = 1) -> None:
    doc.add_heading(text, level=level)


def _people_table(doc: DocumentType, rows: str) -> None:
    """The EQ or the dirigenti, one row each, with how they were rated."""
    table(
        doc,
        ("Nominativo", "Area", "Punteggio su 100", "Fascia", "Premio"),
        tuple(f"{{{{ r.{k} }}}}" for k in ("nominativo", "area", "su_100", "fascia", "premio")),
        f"r in {rows}",
        (5.0, 2.5, 3.0, 3.5, 3.0),
    )


def relazione_template() -> DocumentType:
    doc = _document("Relazione sulla performance")
    _centred(doc, "{{ ente_maiuscolo }}", 16, bold=True)
    doc.add_paragraph("{%p if provincia %}")
    _centred(doc, "{{ provincia }}", 12)
    doc.add_paragraph("{%p endif %}")
    _centred(doc, "Relazione sulla performance anno {{ anno }}", 14, bold=True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("Allegato alla deliberazione della Giunta Comunale ")
    run = p.add_run("[n. ___ del ___]")
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    _heading(doc, "1. Presentazione e sintesi dei principali risultati")
    doc.add_paragraph(
        "La presente Relazione, prevista dall'art. 10, comma 1, lettera b), del D.Lgs. 27 "
        "ottobre 2009, n. 150, evidenzia a consuntivo, con riferimento all'anno {{ anno }}, i "
        "risultati organizzativi e individuali raggiunti rispetto ai singoli obiettivi "
        "programmati e alle risorse, con rilevazione degli eventuali scostamenti."
    )
    placeholder(
        doc,
        "Da scrivere a cura del Segretario Comunale: sintesi dei principali risultati "
        "dell'anno, per i cittadini e gli altri portatori di interesse.",
    )

    _heading(doc, "2. Gli atti del ciclo della performance")
    doc.add_paragraph(
        "Il Piano della Performance (o la sezione Performance del PIAO) dell'anno {{ anno }} è "
        "stato approvato con {{r atto_piano }}."
    )
    doc.add_paragraph(
        "Per rendicontare i risultati, la presente Relazione si rifà al Sistema di "
        "misurazione e valutazione della performance (di seguito «Sistema»: {{ sistema }}), "
        "approvato con {{r atto_sistema }}."
    )
    doc.add_paragraph(
        "Il Nucleo di Valutazione è stato nominato con {{r atto_nucleo }}; ne fanno parte: "
        "{{r nucleo_componenti }}."
    )
    doc.add_paragraph(
        "Le risorse per la produttività sono distribuite secondo il contratto decentrato: "
        "{{r atto_ccdi }}."
    )

    _heading(doc, "3. Il contesto interno: l'organizzazione")
    doc.add_paragraph(
        "L'organizzazione {{ del_ente }} è articolata in {{ n_aree_parole }}, "
        "ciascuna affidata a un Responsabile o, in assenza, al Segretario Comunale:"
    )
    table(
        doc,
        ("Area", "Denominazione", "Responsabile", "Personale valutato"),
        ("{{ r.codice }}", "{{ r.denominazione }}", "{{ r.responsabile }}", "{{ r.valutati }}"),
        "r in aree",
        (2.5, 7.5, 4.5, 2.5),
    )
    placeholder(
        doc,
        "Da completare a cura del Segretario Comunale: le risorse umane e finanziarie "
        "dell'anno e i fatti che hanno inciso sull'organizzazione.",
    )

    _heading(doc, "4. Il processo: chi ha valutato chi")
    doc.add_paragraph(
        "Come stabilito dal Sistema, le valutazioni dell'anno {{ anno }} sono state compiute "
        "sui moduli di valutazione generati da valuta, compilati e restituiti dai valutatori "
        "e riconciliati il {{ elaborato }}:"
    )
    table(
        doc,
        ("Valutatore", "Modulo", "Ha valutato"),
        ("{{ r.valutatore }}", "{{ r.modulo }}", "{{ r.valutati }}"),
        "r in valutatori",
        (7.0, 3.0, 7.0),
    )
    doc.add_paragraph(
        "Il Nucleo di Valutazione ha validato il grado di raggiungimento degli obiettivi "
        "dichiarato dai Responsabili."
    )

    _heading(doc, "5. Gli obiettivi delle Aree e il loro raggiungimento")
    doc.add_paragraph("{%p for a in obiettivi_aree %}")
    _heading(doc, "Area {{ a.codice }} – {{ a.denominazione }}", 2)
    table(
        doc,
        ("Codice", "Obiettivo", "Indicatore e valore atteso", "Peso", "Dichiarato", "Validato"),
        (
            "{{ o.codice }}",
            "{{ o.descrizione }}",
            "{{ o.indicatore }}",
            "{{ o.peso }}",
            "{{ o.dichiarato }}",
            "{{ o.validato }}",
        ),
        "o in a.obiettivi",
        (1.8, 6.7, 4.5, 1.3, 1.8, 1.8),
    )
    doc.add_paragraph("Raggiungimento degli obiettivi dell'Area: {{ a.raggiungimento }}.")
    doc.add_paragraph("{%p if a.scostamenti %}")
    doc.add_paragraph("Scostamenti rispetto ai risultati attesi e loro motivi:")
    table(
        doc,
        ("Codice", "Valore atteso", "Valore raggiunto", "Raggiungimento", "Motivo"),
        (
            "{{ s.codice }}",
            "{{ s.valore_atteso }}",
            "{{ s.valore_raggiunto }}",
            "{{ s.raggiungimento }}",
            "{{r s.motivo }}",
        ),
        "s in a.scostamenti",
        (1.7, 2.8, 2.8, 3.4, 6.4),
    )
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Nessuno scostamento: tutti gli obiettivi dell'Area sono raggiunti al 100%.")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")

    _heading(doc, "6. La performance organizzativa")
    doc.add_paragraph(
        "La performance organizzativa è misurata sul raggiungimento degli obiettivi "
        "assegnati nel Piano, validato dal Nucleo di Valutazione, ponderato sui loro pesi:"
    )
    table(
        doc,
        ("Area", "Denominazione", "Raggiungimento"),
        ("{{ r.codice }}", "{{ r.denominazione }}", "{{ r.raggiungimento }}"),
        "r in obiettivi_aree",
        (2.5, 11.0, 3.5),
    )
    doc.add_paragraph("Performance organizzativa complessiva dell'Ente: {{ performance_ente }}.")

    _heading(doc, "7. La performance individuale")
    _heading(doc, "Sintesi della valutazione del personale di {{ etichetta_eq }}", 2)
    doc.add_paragraph("N. Aree dell'Ente assegnate: {{ n_aree }}")
    doc.add_paragraph("N. {{ etichetta_eq_plurale }}: {{ n_eq }}")
    _people_table(doc, "eq")
    doc.add_paragraph("{%p if dirigenti %}")
    _heading(doc, "Sintesi della valutazione dei dirigenti", 2)
    _people_table(doc, "dirigenti")
    doc.add_paragraph("{%p endif %}")
    _heading(doc, "Sintesi della valutazione del resto del personale", 2)
    doc.add_paragraph("Dipendenti valutati: {{ n_valutati }}.")
    doc.add_paragraph("{%p if non_valutati %}")
    doc.add_paragraph("Non sono stati valutati, per i motivi indicati:")
    table(
        doc,
        ("Nominativo", "Area", "Motivo"),
        ("{{ r.nominativo }}", "{{ r.area }}", "{{ r.motivo }}"),
        "r in non_valutati",
        (5.0, 2.5, 9.5),
    )
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for s in schede_fasce %}")
    doc.add_paragraph("{%p if schede_fasce|length > 1 %}")
    doc.add_paragraph("Distribuzione per fascia di punteggio, scheda «{{ s.titolo }}»:")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Distribuzione dei dipendenti valutati per fascia di punteggio:")
    doc.add_paragraph("{%p endif %}")
    columns_table(
        doc,
        (
            ("Fascia", "{{ f.etichetta }}"),
            ("Premio", "{{ f.premio }}"),
            ("Dipendenti", "{{ f.n }}"),
        ),
        "f in s.fasce",
    )
    doc.add_paragraph("{%p endfor %}")
    p = doc.add_paragraph()
    p.add_run("MEDIA PUNTEGGIO: {{ media }} (SU 100)").font.bold = True
    doc.add_paragraph("{%p if negative %}")
    doc.add_paragraph("Valutazioni negative, con gli effetti che la legge vi collega:")
    table(
        doc,
        ("Nominativo", "Area", "Valutazione"),
        ("{{ r.nominativo }}", "{{ r.area }}", "{{ r.motivo }}"),
        "r in negative",
        (5.0, 2.5, 9.5),
    )
    doc.add_paragraph("{%p endif %}")

    _heading(doc, "8. La differenziazione dei giudizi")
    doc.add_paragraph(
        "La capacità di differenziare i giudizi (art. 9, comma 1, lettera d), del D.Lgs. "
        "150/2009) per ciascun valutatore; la quota nella fascia più alta si riferisce alla "
        "fascia più alta della scheda prevista dal Sistema:"
    )
    table(
        doc,
        (
            "Valutatore",
            "Valutati",
            "Media su 100",
            "Scarto quadr. medio",
            "Min – max",
            "Fasce utilizzate",
            "Nella fascia più alta",
        ),
        (
            "{{ r.valutatore }}",
            "{{ r.n }}",
            "{{ r.media }}",
            "{{ r.scarto }}",
            "{{ r.intervallo }}",
            "{{ r.fasce }}",
            "{{ r.quota }}",
        ),
        "r in differenziazione",
        (4.2, 1.9, 1.8, 2.0, 2.4, 2.2, 2.5),
    )
    placeholder(doc, "Da scrivere a cura del Segretario Comunale: commento sulla differenziazione.")

    _heading(doc, "9. Premialità stanziata e premialità distribuita")
    doc.add_paragraph("{{ regole_premi }}")
    table(
        doc,
        ("Fondo", "Stanziata", "Distribuita", "Residuo"),
        ("{{ r.fondo }}", "{{ r.stanziata }}", "{{ r.distribuita }}", "{{ r.residuo }}"),
        "r in fondi",
        (7.0, 3.3, 3.3, 3.4),
    )
    doc.add_paragraph(
        "Le tabelle seguenti sono quelle da pubblicare in Amministrazione Trasparente, "
        "sezione «Performance», sottosezione «Dati relativi ai premi» (art. 20 del D.Lgs. 14 "
        "marzo 2013, n. 33):"
    )
    doc.add_paragraph("{%p for t in trasparenza %}")
    doc.add_paragraph("{{ t.titolo }}")
    t = doc.add_table(rows=4, cols=3)
    t.style = "Table Grid"
    t.cell(0, 0).text = "{%tc for c in t.colonne %}"
    t.cell(0, 1).text = "{{ c }}"
    t.cell(0, 2).text = "{%tc endfor %}"
    t.cell(1, 0).text = "{%tr for riga in t.righe %}"
    t.cell(2, 0).text = "{%tc for v in riga %}"
    t.cell(2, 1).text = "{{ v }}"
    t.cell(2, 2).text = "{%tc endfor %}"
    t.cell(3, 0).text = "{%tr endfor %}"
    _small(t)
    doc.add_paragraph("{%p endfor %}")

    _heading(doc, "10. Il bilancio di genere")
    doc.add_paragraph(
        "Il personale valutato per genere ({{ etichetta_eq_plurale }} comprese), con la "
        "distribuzione nelle fasce e i premi:"
    )
    table(
        doc,
        ("Genere", "Personale", "Valutati", "Media su 100", "Per fascia", "Premi"),
        (
            "{{ r.genere }}",
            "{{ r.n }}",
            "{{ r.valutati }}",
            "{{ r.media }}",
            "{{ r.fasce }}",
            "{{ r.premi }}",
        ),
        "r in genere",
        (1.8, 2.0, 2.0, 2.2, 6.0, 3.0),
    )
    placeholder(
        doc,
        "Da scrivere a cura del Segretario Comunale: le azioni per le pari opportunità e il "
        "commento al bilancio di genere.",
    )

    _heading(doc, "11. Condivisione del Sistema e procedure di conciliazione")
    doc.add_paragraph(
        "Resta ferma la possibilità dei dipendenti valutati di attivare le procedure di "
        "conciliazione previste dal Sistema e il ricorso al giudice del lavoro."
    )
    placeholder(
        doc,
        "Da scrivere a cura del Segretario Comunale: il grado di condivisione delle "
        "valutazioni e le procedure di conciliazione attivate nell'anno (o che non ne sono "
        "state attivate).",
    )

    _heading(doc, "12. Conclusioni")
    placeholder(doc, "Da scrivere a cura del Segretario Comunale: conclusioni.")
    doc.add_paragraph(
        "La presente Relazione è sottoposta alla validazione del Nucleo di Valutazione (art. "
        "14, comma 4, lettera c), del D.Lgs. 150/2009), condizione per l'accesso agli "
        "strumenti premiali."
    )
    doc.add_paragraph("{{ luogo_data }}")
    doc.add_paragraph("Il Segretario Comunale ______________________________")
    return doc


def validazione_template() -> DocumentType:
    doc = _document("Documento di validazione della Relazione sulla performance")
    _centred(doc, "{{ ente_maiuscolo }}", 16, bold=True)
    _centred(doc, "Nucleo di Valutazione", 13, bold=True)
    _centred(doc, "Documento di validazione della Relazione sulla performance {{ anno }}", 14, True)
    doc.add_paragraph(
        "Il Nucleo di Valutazione {{ del_ente }}, nominato con {{r atto_nucleo }} "
        "({{r nucleo_componenti }}), ai sensi dell'art. 14, comma 4, lettera c), del D.Lgs. "
        "27 ottobre 2009, n. 150, ha preso in esame la Relazione sulla performance dell'anno "
        "{{ anno }}, approvata dalla Giunta Comunale con "
    ).add_run("[deliberazione n. ___ del ___]").font.highlight_color = WD_COLOR_INDEX.YELLOW
    doc.add_paragraph(
        "Il Nucleo ha svolto il proprio lavoro di validazione sulla base dei moduli di "
        "valutazione restituiti dai Responsabili e dal Nucleo stesso, riconciliati il "
        "{{ elaborato }}, e degli accertamenti che ha ritenuto opportuni, verificando:"
    )
    table(
        doc,
        ("Verifica", "Esito dai risultati", "Conforme (sì/no) e note del Nucleo"),
        ("{{ c.verifica }}", "{{ c.esito }}", "{{r c.note }}"),
        "c in verifiche",
        (5.5, 7.5, 4.0),
    )
    doc.add_paragraph("Sintesi dei risultati verificati:")
    table(
        doc,
        ("Dato", "Valore"),
        ("{{ r.dato }}", "{{ r.valore }}"),
        "r in sintesi",
        (10.0, 7.0),
    )
    placeholder(
        doc,
        "Da scrivere a cura del Nucleo di Valutazione: gli accertamenti svolti, le eventuali "
        "osservazioni e raccomandazioni.",
    )
    doc.add_paragraph("Alla luce dell'analisi svolta, il Nucleo di Valutazione ").add_run(
        "[VALIDA / NON VALIDA]"
    ).font.highlight_color = WD_COLOR_INDEX.YELLOW
    doc.add_paragraph("la Relazione sulla performance dell'anno {{ anno }}.")
    doc.add_paragraph("{{ luogo_data }}")
    doc.add_paragraph("Il Nucleo di Valutazione")
    doc.add_paragraph("{%p for m in firme %}")
    doc.add_paragraph("{{ m }} ______________________________")
    doc.add_paragraph("{%p endfor %}")
    return doc


TEMPLATES = {RELAZIONE: relazione_template, VALIDAZIONE: validazione_template}


def write_templates(folder: Path, *, replace: bool = False) -> list[Path]:
    """The default templates in `folder` (an existing one is kept unless `replace`)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        path = folder / name
        if path.exists() and not replace:
            continue
        build().save(str(path))
        written.append(path)
    return written
