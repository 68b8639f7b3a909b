"""The garbage collector during the two heavy stages, generate and reconcile.

Both keep a large, long-lived Piano (tens of thousands of objects in the largest Comuni) and
allocate millions of short-lived ones (cells, tuples, xlsxwriter's cell records). With the
default thresholds the collector keeps traversing the long-lived objects: a quarter of
`valuta generate`'s time (see benchmarks/README.md). So a stage freezes what exists when it
starts (`gc.freeze`) and collects less often, and so does each of its worker processes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (50_000, 20, 20)


def settle_worker() -> None:
    """For a worker process that has just received the long-lived data, for its whole life:
    what it inherited needs no collection, only freezing."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def long_lived() -> Iterator[None]:
    """Within the block, what exists at its start is left out of collections, which run
    less often; the defaults come back at its end."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
