"""Write one output in a child process while this one writes the others.

`valuta reconcile` ends with three outputs of the same results: the results workbook (the
longest step after reading, 2–4 s for the largest Ente), the JSON and the ledger, then the
summary on screen. On Linux the workbook is written by a forked child, which shares the
results without copying or pickling them, while the parent writes the rest; the parent then
waits for it. A failed child is not trusted to explain itself: the parent writes the same
output again, itself, so that any error (a full disk, a folder without permission) reaches the
user exactly as it would have without the child.

Forking is done only where it is safe: a platform with `fork` and no other thread alive in
this process (a thread holding a lock at the moment of the fork would leave it held forever in
the child). Otherwise, and with `VALUTA_NO_FORK=1`, the output is written here, first.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def can_fork() -> bool:
    return (
        hasattr(os, "fork")
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
        and os.environ.get("VALUTA_NO_FORK", "") != "1"
    )


@contextmanager
def meanwhile(task: Callable[[], None]) -> Iterator[None]:
    """Run `task` in a child while the block runs; at the end of the block, `task` is done.

    Whatever the block raises is raised after the child has finished (never an orphan writing
    files after the command has returned)."""
    if not can_fork():
        task()
        yield
        return
    sys.stdout.flush()  # nothing buffered is left to be written twice
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the task, then leave without any of the parent's clean-up
        code = 1
        try:
            gc.freeze()  # the inherited objects are never collected here: not even visited
            task()
            code = 0
        finally:
            os._exit(code)
    try:
        yield
    finally:
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        task()  # again, here: its error, if it fails again, is the one the user sees
