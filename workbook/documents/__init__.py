"""The documents of the cycle's end, in Word: the Relazione sulla performance (D.Lgs. 150/2009
art. 10 c.1 b), the Nucleo's documento di validazione (art. 14 c.4 c) and the index of what the
Comune publishes in Amministrazione Trasparente (D.Lgs. 33/2013).

Each document is rendered from a Word template that the Comune can edit (`modelli/` in the
cycle folder, written by `valuta init`; `modello.py` builds the default ones) with docxtpl, from
the reconciled results (the results JSON) and the Piano's Ente sheet: `contesto.py` turns them
into the values the templates name, `render.py` fills a template and marks a provisional
document, `office.py`'s LibreOffice makes the PDF.
"""
