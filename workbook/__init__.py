"""valuta: the yearly staff-performance evaluation cycle of an Italian Comune, on spreadsheets.

The package follows the data through the cycle:

    sistema/     the scoring system: model.py (Scheda, Voce, Fascia, Grado), load.py with
                 rules.py and lines.py (a YAML file checked line by line)
    piano/       the Piano della Performance: model.py (Ente, Area, Obiettivo, Persona),
                 file.py (the guarded opening of piano.xlsx), sheets.py (its sheets and
                 words), reading.py and load.py (rows → model), checks.py, blank.py (the
                 blank Piano that `valuta init` writes)
    scoring/     one Sistema, two engines side by side: engine.py (Python, exact) and
                 formulas.py (the spreadsheet formulas of the same steps)
    contract.py  what the written and the read workbooks share: sheet names, the map of
                 inputs and results, identity, signed lines, nonce, the moduli of a cycle
    generate/    `valuta generate`: layout.py (where everything sits, computed first), one
                 module per sheet (istruzioni, obiettivi, valutazioni, schede, criteri,
                 meta), compose.py (a WorkbookModel from them), writer.py (xlsxwriter)
    reconcile/   `valuta reconcile`: ingest.py with mime.py (what arrived, PEC included),
                 readers/ (one per format, with the hostile-file guards), verify.py (ours
                 and untouched?), inputs.py (the values), shown.py (what the sheets show),
                 versions.py and sources.py (which file counts, which source wins),
                 aggregate.py (the tables of the Relazione)
    relazione.py the Relazione's tables, typed;  premi.py  the fund shared out to the cent
    results/     the results: json.py, workbook.py (the Ente's), area.py (one Area's),
                 registers.py (the ledger of arrivals), tables.py (their look)
    mail/        messages.py (what each message says), deliver.py (sending and its
                 register), transport.py (SMTP or .eml files)
    pipeline.py  reconcile → aggregate → results;  demo.py  the whole cycle on a sample
    cli.py       the command line (the only module that prints or exits), console.py

Shared vocabulary stays flat: anomalies.py (the catalogue of every message), errors.py (every
exception and its exit code), values.py (numbers, dates, text from outside), files.py
(atomic writes, CSV), cycle.py (the cycle folder), memory.py, resources.py.

Domain nouns are Italian, as the Segreteria says them (Piano, Area, Scheda, Fascia, premio);
the machinery is English (reader, layout, commit).
"""

__version__ = "0.1.0"
