"""How the garbage collector is run during the two heavy stages, generate and reconcile.

Both keep a large, long-lived Piano (tens of thousands of objects in the largest Comuni) and
allocate millions of short-lived ones (cells, tuples, xlsxwriter's own cell records, which
live in reference cycles until a collection). With the default thresholds the collector keeps
traversing the long-lived objects: a quarter of `valuta generate`'s time (measured: 0.25 s →
0.22 s per Area workbook with the long-lived objects frozen, see benchmarks/README.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle(collect: bool = True) -> None:
    """Leave what exists now out of future collections, and collect less often: for a worker
    process that has just received the long-lived data (`collect=False`: without first
    collecting what it inherited, when its parent has just done so)."""
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def keep() -> None:
    """Leave what exists now out of future collections (within `long_lived`, until its end):
    for results that live until the end of the stage."""
    gc.freeze()


_depth = [0]  # long_lived() blocks open: only the outermost settles and restores


@contextmanager
def long_lived() -> Iterator[None]:
    """`settle()` for the duration of a stage, then back to the defaults. Nested uses (a
    stage within a stage) keep the outer one's setting."""
    if _depth[0]:
        _depth[0] += 1
        try:
            yield
        finally:
            _depth[0] -= 1
        return
    thresholds = gc.get_threshold()
    settle()
    _depth[0] = 1
    try:
        yield
    finally:
        _depth[0] = 0
        gc.unfreeze()
        gc.set_threshold(*thresholds)
