"""The results workbook is written by a child process while the parent writes the rest.

Each test records, in files, which process ran the task and when, and asserts what the parent
can rely on: the task is done when the block ends, a failure in the child is repeated in the
parent with its real error, an error in the block or a Ctrl-C never leaves a child writing
behind it, and no fork happens while another thread is alive or when the system would reap
the child.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from workbook.files import atomic_path
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


def slow_write(target: Path, pid_file: Path, seconds: float = 1.0) -> Callable[[], None]:
    """A task that records its pid, then writes `target` as the outputs are written (through
    a temporary file renamed at the end), slowly."""

    def task() -> None:
        pid_file.write_text(str(os.getpid()))
        with atomic_path(target) as tmp:
            tmp.write_text("metà")
            time.sleep(seconds)
            tmp.write_text("tutto")

    return task


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("how", ["errore nel blocco", "Ctrl-C durante l'attesa"])
def test_an_error_or_an_interruption_stops_the_child_and_leaves_nothing_behind(
    how: str, tmp_path: Path
) -> None:
    out, pid_file = tmp_path / "out" / "risultati.xlsx", tmp_path / "pid"
    expected = ValueError if how == "errore nel blocco" else KeyboardInterrupt
    with pytest.raises(expected), meanwhile(slow_write(out, pid_file)):
        assert wait_for(pid_file)
        if expected is ValueError:
            raise ValueError("nel blocco")
        # Ctrl-C while the parent waits for the child, after the block.
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
    child = int(pid_file.read_text())
    assert gone(child)  # stopped and reaped: no orphan finishing the file after the command
    time.sleep(1.2)
    assert list(out.parent.iterdir()) == []  # neither the output nor its temporary file


ORPHANED = """
import os, signal, sys, time
from pathlib import Path
from workbook.files import atomic_path
from workbook.forked import meanwhile

out, pid_file = Path(sys.argv[1]), Path(sys.argv[2])

def task():
    pid_file.write_text(str(os.getpid()))
    with atomic_path(out) as tmp:
        tmp.write_text("metà")
        time.sleep(30)

with meanwhile(task):
    while not pid_file.exists():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)  # as the system does when memory runs out
"""


def ended(pid: int) -> bool:
    """Gone, or a zombie left for whoever adopted it to reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def test_a_child_whose_parent_is_killed_stops_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out, pid_file = tmp_path / "out" / "risultati.xlsx", tmp_path / "pid"
    run = subprocess.run(
        [sys.executable, "-c", ORPHANED, str(out), str(pid_file)],
        cwd=Path(__file__).resolve().parents[1],  # this checkout's workbook, not an installed one
        timeout=60,
        check=False,
    )
    assert run.returncode == -signal.SIGKILL
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while not ended(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(child)  # not still writing 30 s later, for nobody
    assert list(out.parent.iterdir()) == []  # its temporary file removed


def test_a_child_killed_outright_is_replaced_by_the_parent_writing_itself(tmp_path: Path) -> None:
    out = tmp_path / "risultati.xlsx"
    parent = os.getpid()

    def task() -> None:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # as the system does when memory runs out
        out.write_text(str(os.getpid()))

    with meanwhile(task):
        pass
    assert out.read_text() == str(parent)


def test_children_reaped_by_the_system_mean_no_fork(tmp_path: Path) -> None:
    """Started by a program that ignores SIGCHLD, we could never learn how the child ended."""
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert not can_fork()
        ran: list[int] = []
        with meanwhile(lambda: ran.append(os.getpid())):
            assert ran == [os.getpid()]
    finally:
        signal.signal(signal.SIGCHLD, previous)


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
