"""Killed at any moment, `valuta reconcile` leaves the previous results or the new ones.

The results workbook, the JSON and the ledger are replaced together (files.Commit). The
process is killed for real (SIGKILL: no clean-up of any kind) at every rename of the commit,
and at random moments of whole runs (SIGKILL and SIGTERM); afterwards, once the next command
has recovered the folder, the three files are all the previous ones or all the new ones.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbook.cycle import Cycle
from workbook.pipeline import reconcile_and_report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="kills with POSIX signals")
REPO = Path(__file__).resolve().parent.parent

# Runs `valuta reconcile` and kills itself, as SIGKILL would, at the N-th rename made while
# the results are replaced.
KILL_AT_RENAME = """
import os, signal, sys
sys.path.insert(0, {repo!r})
import workbook.files as files
calls = [0]
real = os.replace
def replace(src, dst):
    calls[0] += 1
    if calls[0] == {n}:
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
files.os.replace = replace
import cli
code = cli.main(["reconcile", "--dir", {root!r}])
print("rinomine:", calls[0])
sys.exit(code)
"""


def _outputs(cycle: Cycle) -> tuple[str, ...]:
    paths = [
        cycle.risultati / "risultati-2017.xlsx",
        cycle.risultati / "risultati-2017.json",
        cycle.archivio / "registro.csv",
    ]
    return tuple(hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "" for p in paths)


def _strays(cycle: Cycle) -> list[str]:
    return [
        p.name
        for folder in (cycle.risultati, cycle.archivio)
        for p in folder.iterdir()
        if ".nuovo-" in p.name or ".vecchio-" in p.name
    ]


@pytest.fixture(scope="module")
def states(filled: Cycle, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The cycle with the previous results (three moduli returned) and a fourth modulo just
    arrived; and the outputs of both states, known in advance (outputs are deterministic)."""
    root = tmp_path_factory.mktemp("atomico") / "ciclo"
    shutil.copytree(filled.root, root)
    cycle = Cycle(root)
    for modulo in ("AREA1", "AREA2", "AREA3"):
        shutil.copy2(root / "compilati" / f"{modulo}.xlsx", cycle.ricevuti / f"{modulo}.xlsx")
    reconcile_and_report(cycle)
    old = _outputs(cycle)
    shutil.copy2(root / "compilati" / "nucleo.xlsx", cycle.ricevuti / "nucleo.xlsx")
    check = Cycle(root.parent / "verifica")
    shutil.copytree(root, check.root)
    reconcile_and_report(check)
    new = _outputs(check)
    assert old != new and all(old) and all(new)
    return {"root": root, "old": old, "new": new}


def _copy(states: dict[str, object], tmp_path: Path, name: str) -> Cycle:
    target = tmp_path / name
    shutil.copytree(states["root"], target)  # type: ignore[arg-type]
    return Cycle(target)


def test_killed_at_each_rename_of_the_commit_the_results_stay_whole(
    states: dict[str, object], tmp_path: Path
) -> None:
    def run(n: int, cycle: Cycle) -> subprocess.CompletedProcess[str]:
        script = KILL_AT_RENAME.format(repo=str(REPO), n=n, root=str(cycle.root))
        return subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )

    whole = run(0, _copy(states, tmp_path, "conta"))
    renames = int(whole.stdout.rsplit("rinomine:", 1)[1])
    assert renames >= 6  # the archive copy of the new file, three moved aside, three put in place
    for n in range(1, renames + 1):
        cycle = _copy(states, tmp_path, f"n{n}")
        assert run(n, cycle).returncode == -signal.SIGKILL
        cycle.recover()  # what the next command does first
        assert _outputs(cycle) in (states["old"], states["new"]), n
        assert not _strays(cycle), n
        reconcile_and_report(cycle)
        assert _outputs(cycle) == states["new"], n  # a rerun gives the same results


def test_killed_at_random_moments_the_results_stay_whole(
    states: dict[str, object], tmp_path: Path
) -> None:
    rng = random.Random(12)
    start = time.monotonic()
    reference = _copy(states, tmp_path, "durata")
    command = [sys.executable, str(REPO / "cli.py"), "reconcile", "--dir"]
    subprocess.run([*command, str(reference.root)], capture_output=True, timeout=120)
    duration = time.monotonic() - start
    for trial in range(6):
        cycle = _copy(states, tmp_path, f"t{trial}")
        proc = subprocess.Popen(
            [*command, str(cycle.root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.3, duration))
        how = signal.SIGTERM if trial % 2 else signal.SIGKILL
        proc.send_signal(how)
        _, errors = proc.communicate(timeout=120)
        assert b"Traceback" not in errors
        if how == signal.SIGTERM and proc.returncode == 128 + signal.SIGTERM:
            assert not _strays(cycle)  # interrupted, it removed its own temporary files
        # (-SIGTERM: stopped while Python was still starting, before anything was written)
        cycle.recover()
        assert _outputs(cycle) in (states["old"], states["new"]), trial
        assert not _strays(cycle)


def test_the_commit_syncs_files_as_windows_allows(
    states: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On Windows `os.fsync` is FlushFileBuffers, which refuses a handle opened only for
    reading (EBADF): the commit must sync through a handle opened for writing."""
    import errno
    import fcntl
    import os

    real = os.fsync

    def windows_fsync(fd: int) -> None:
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            raise OSError(errno.EBADF, "Bad file descriptor")
        real(fd)

    monkeypatch.setattr(os, "fsync", windows_fsync)
    cycle = _copy(states, tmp_path, "windows")
    reconcile_and_report(cycle)
    assert _outputs(cycle) == states["new"] and _strays(cycle) == []


@pytest.mark.parametrize("how", ["atomic_path", "Commit"])
def test_interrupted_just_after_its_temporary_file_exists_nothing_is_left(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (SystemExit) may arrive right after the temporary file is created, before the
    code that will remove it knows its name: the name is known first, then the file made."""
    from workbook import files

    real_close = os.close

    def interrupted(fd: int) -> None:
        real_close(fd)
        raise SystemExit(128 + signal.SIGTERM)

    monkeypatch.setattr(files.os, "close", interrupted)
    target = tmp_path / "risultati.json"
    with pytest.raises(SystemExit):
        if how == "atomic_path":
            files.write_bytes(target, b"{}")
        else:
            with files.Commit(tmp_path / "journal.json", tmp_path) as commit:
                commit.write(target, b"{}")
    assert list(tmp_path.iterdir()) == []
