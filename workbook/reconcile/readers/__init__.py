"""Read a received spreadsheet, treating it as hostile: the only code that parses them.

`read_book` tells the format from the bytes (zipped.py: the guards every file goes through)
and hands the archive to the reader of its format (xlsx.py, ods.py). Both return the same
`Book` (book.py): per sheet, the (value, formula) of every non-empty cell with its signed line,
its number format where it is not the neutral one, the sheet's state and protection, the
custom document properties and the last-saved time. Reading is bounded by a `Budget`
(limits.py): whatever the file holds, it costs at most so many cells, characters and seconds.
"""

from __future__ import annotations

from workbook.anomalies import Codice
from workbook.errors import FileProblem
from workbook.reconcile.readers.book import Book, Cells, SheetData
from workbook.reconcile.readers.limits import Budget
from workbook.reconcile.readers.ods import read_ods
from workbook.reconcile.readers.xlsx import read_xlsx
from workbook.reconcile.readers.zipped import OLE_MAGIC, Zip, ole_problem, sniff

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

__all__ = ["OLE_MAGIC", "Book", "Budget", "Cells", "FileProblem", "SheetData", "read_book", "sniff"]


def read_book(data: bytes, budget: Budget | None = None) -> Book:
    """Read a workbook from its bytes; raise `FileProblem` for anything else."""
    budget = budget or Budget()
    kind = sniff(data)
    if kind == "empty":
        raise FileProblem(Codice.ING_FILE_VUOTO)
    if kind == "ole":
        raise ole_problem(data)
    if kind == "other":
        raise FileProblem(Codice.ING_NON_FOGLIO)
    z = Zip(data)
    if z.has("mimetype") and z.read("mimetype", limit=200).strip() == ODS_MIME:
        return read_ods(z, budget)
    if z.has("[Content_Types].xml") and z.has("xl/workbook.xml"):
        return read_xlsx(z, budget)
    if z.has("mimetype") or z.has("[Content_Types].xml"):
        raise FileProblem(Codice.ING_NON_FOGLIO, "documento Office non di foglio di calcolo")
    raise FileProblem(Codice.ING_NON_FOGLIO, "archivio zip")
