"""What reading one received file may cost: the hostile-file guards, in one place.

A received file is hostile until proven ours. Whatever it holds, reading it is bounded:
- its size (ingest.py: MAX_FILE, checked before it is read or copied);
- what its zip archive inflates to, counted while inflating (declared sizes can lie);
- what its sheets expand to: cells (repeated ODS cells counted one by one) and the characters
  of text the cells show (a shared string shown by a thousand cells counts a thousand times);
- the processor time spent reading and verifying it (`Budget`, per file, in the process that
  reads it).
With these caps the memory of reading one file stays under MEMORY (tests/test_hostile.py
measures it on the worst files we know how to build). The README («Come si riconcilia»)
states them for the Segreteria.
"""

from __future__ import annotations

import time

from workbook.anomalies import Codice
from workbook.errors import FileProblem
from workbook.values import format_count

MAX_FILE = 32 * 2**20  # bytes of one received file (a modulo of the largest Ente: under 2 MiB)
MAX_ENTRIES = 5_000  # parts of a zip archive
MAX_PART = 100 * 2**20  # inflated bytes of one part
MAX_TOTAL = 300 * 2**20  # inflated bytes of the whole archive
MAX_RATIO = 200  # a part inflating more than this (and over 1 MiB) is a zip bomb
MAX_TREE = 16 * 2**20  # inflated bytes of a part parsed whole (all but sheets and strings)
MAX_CELLS = 500_000  # non-empty cells of one file (the Nucleo of the largest Ente: ~70,000)
MAX_TEXT = 32 * 2**20  # characters of text shown by the cells of one file
MAX_CELL_TEXT = 2**20  # characters of one cell (Excel holds 32,767; longer text is reported)
MAX_FORMULA = 8_192  # characters of one formula, as in Excel
SECONDS = 30.0  # processor seconds to read and verify one file (a modulo: well under one)
MEMORY = 512 * 2**20  # the memory a file may take to read, stated and tested


class Budget:
    """The time and expansion budget of reading one file."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = SECONDS if seconds is None else seconds
        self.deadline = time.process_time() + self.seconds
        self.cells = 0
        self.text = 0

    def tick(self) -> None:
        """Called once per row (or other unit of work): stop when the time is up."""
        if time.process_time() > self.deadline:
            raise FileProblem(Codice.ING_TEMPO_SCADUTO, f"{self.seconds:.0f}")

    def add(self, cells: int, text: int) -> None:
        self.cells += cells
        self.text += text
        if self.cells > MAX_CELLS:
            raise FileProblem(Codice.ING_TROPPO_GRANDE, f"più di {format_count(MAX_CELLS)} celle")
        if self.text > MAX_TEXT:
            raise FileProblem(
                Codice.ING_TROPPO_GRANDE,
                f"più di {MAX_TEXT // 2**20} milioni di caratteri di testo",
            )
