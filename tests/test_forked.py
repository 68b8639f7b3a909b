"""The results workbook is written by a child process while the parent writes the rest.

Each test records, in files, which process ran the task and when, and asserts what the parent
can rely on: the task is done when the block ends, a failure in the child is repeated in the
parent with its real error, an error in the block never leaves a child writing behind it, and
no fork happens while another thread is alive.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from workbook.forked import can_fork, meanwhile

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork: Linux only")


def wait_for(path: Path, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_task_runs_in_a_child_at_the_same_time_as_the_block(tmp_path: Path) -> None:
    started, block_ran, record = tmp_path / "started", tmp_path / "block", tmp_path / "record"

    def task() -> None:
        started.write_text("")
        # Only a task running alongside the block sees the block's file appear.
        seen = wait_for(block_ran)
        record.write_text(f"{os.getpid()} {'insieme' if seen else 'da solo'}")

    assert can_fork()
    with meanwhile(task):
        assert wait_for(started)  # the task is under way while the block runs
        block_ran.write_text("")
    pid, how = record.read_text().split()  # done when the block ends
    assert int(pid) != os.getpid() and how == "insieme"


def test_a_task_failing_in_the_child_runs_again_here_and_its_error_is_raised(
    tmp_path: Path,
) -> None:
    runs = tmp_path / "runs"

    def task() -> None:
        with runs.open("a") as fh:
            fh.write(f"{os.getpid()}\n")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"), meanwhile(task):
        pass
    child, parent = runs.read_text().split()
    assert int(child) != os.getpid() and int(parent) == os.getpid()


def test_an_error_in_the_block_waits_for_the_child_before_rising(tmp_path: Path) -> None:
    done = tmp_path / "done"

    def task() -> None:
        time.sleep(0.3)
        done.write_text("scritto")

    with pytest.raises(ValueError, match="nel blocco"), meanwhile(task):
        raise ValueError("nel blocco")
    assert done.read_text() == "scritto"  # no child left writing after the error


def test_with_another_thread_alive_the_task_runs_here_before_the_block(tmp_path: Path) -> None:
    order: list[str] = []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        with meanwhile(lambda: order.append(f"task {os.getpid()}")):
            order.append("block")
    finally:
        stop.set()
        other.join()
    assert order == [f"task {os.getpid()}", "block"]  # here, and first


def test_valuta_no_fork_writes_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUTA_NO_FORK", "1")
    ran: list[int] = []
    with meanwhile(lambda: ran.append(os.getpid())):
        assert ran == [os.getpid()]
