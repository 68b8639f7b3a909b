"""Write one output in a child process while this one prepares the others.

`valuta reconcile` ends with three outputs of the same results: the results workbook (the
longest step after reading, 2–4 s for the largest Ente), the JSON and the ledger, then the
summary on screen. On Linux the workbook is written by a forked child, which shares the
results without copying or pickling them, while the parent prepares the rest.

What the parent can rely on when `meanwhile` ends:
- the task is done: the child said so through a pipe, once the task returned. A child that
  did not (it failed, or was killed) is not trusted to explain itself: the parent runs the
  task again, itself, so that any error (a full disk, a folder without permission) reaches
  the user exactly as it would have without the child;
- no child is left behind: if the block fails or the parent is interrupted while waiting,
  the child is stopped (its temporary file removed: see files.atomic_path) and reaped; if
  the parent dies, the system stops the child (PR_SET_PDEATHSIG).

Forking is done only where it is safe: Linux, no other Python thread alive in this process (a
thread holding a lock at the moment of the fork would leave it held forever in the child; the
progress bar of cli.py runs without one), and children not set to be reaped by the system
(SIGCHLD ignored by whoever started us). Threads of C libraries (OpenBLAS, once numpy is
imported) are theirs to make safe across a fork, as they do with pthread_atfork; the child
uses none of them.
Otherwise, and with `VALUTA_NO_FORK=1`, the task runs here, first.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_STOPPING = {signal.SIGINT, signal.SIGTERM}


def can_fork() -> bool:
    return (
        hasattr(os, "fork")
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
        and signal.getsignal(signal.SIGCHLD) is not signal.SIG_IGN
        and os.environ.get("VALUTA_NO_FORK", "") != "1"
    )


@contextmanager
def meanwhile(task: Callable[[], None]) -> Iterator[None]:
    """Run `task` in a child while the block runs; when the block ends, `task` is done."""
    if not can_fork():
        task()
        yield
        return
    sys.stdout.flush()  # nothing buffered is left to be written twice
    sys.stderr.flush()
    done_r, done_w = os.pipe()
    pid = _fork(task, done_r, done_w)
    if pid is None:  # the system refused a new process: write it here
        task()
        yield
        return
    try:
        # Ctrl-C and SIGTERM were held back across the fork (see _fork): from here on they
        # reach this `try`, which stops the child before the exception goes on.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
        yield
        finished = _wait_for_word(done_r)
    except BaseException:
        _stop(pid)
        raise
    finally:
        os.close(done_r)
    _reap(pid)
    if not finished:
        task()  # again, here: its error, if it fails again, is the one the user sees


def _fork(task: Callable[[], None], done_r: int, done_w: int) -> int | None:
    """The child's pid, in the parent, with Ctrl-C and SIGTERM still held back; None (and
    nothing held back) if there is no child."""
    parent = os.getpid()
    # No Ctrl-C between the fork and the child's own handlers: it would run the parent's code.
    signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
        os.close(done_r)
        os.close(done_w)
        return None
    if pid == 0:
        _child(task, parent, done_r, done_w)  # never returns
    os.close(done_w)
    return pid


def _child(task: Callable[[], None], parent: int, done_r: int, done_w: int) -> None:
    code = 1
    try:
        os.close(done_r)
        # Stopped by the parent (or by the system, if the parent dies) as by an exception, so
        # that the temporary file is removed; Ctrl-C is the parent's to handle.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)
        if os.getppid() != parent:  # the parent died before prctl took effect
            return
        gc.freeze()  # the inherited objects are never collected here: not even visited
        task()
        os.write(done_w, b"1")
        code = 0
    finally:
        os._exit(code)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(1)


def _wait_for_word(fd: int) -> bool:
    """Whether the child wrote that the task is done (else it ended without saying so)."""
    return os.read(fd, 1) == b"1"


def _stop(pid: int) -> None:
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    _reap(pid)


def _reap(pid: int) -> None:
    with suppress(ChildProcessError):
        os.waitpid(pid, 0)
