"""Writing files safely: atomically, several at once, and CSV that no spreadsheet runs.

- `atomic_path`/`write_bytes`/`write_text`: one file, renamed onto its target only once it is
  complete, so that a crash never leaves a half-written file.
- `Commit`: several files replaced together (the results workbook, the JSON and the ledger):
  each is written complete beside its target, the targets are moved aside, a journal listing
  everything is saved, then the new files are renamed into place and the old ones removed.
  Killed at any moment, the folder holds the previous files or the new ones once `recover`
  has run — and every command that reads them runs it first: without a journal, what was
  moved aside goes back; with one, the renames are finished.
- `write_csv`/`read_csv`: the registers, as Italian Excel opens them (UTF-8 with BOM, «;»,
  CRLF). Text that a spreadsheet would take for a formula is written with a leading
  apostrophe (OWASP, «CSV injection»), and read back without it.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

TEMP_MARK = ".nuovo-"  # in the name of every temporary file we write: «.risultati.json.nuovo-…»


def _fsync(path: Path) -> None:
    # Opened for writing: on Windows os.fsync (FlushFileBuffers) refuses a read-only handle.
    with open(path, "r+b") as fh:
        os.fsync(fh.fileno())


def _temp_name(target: Path) -> Path:
    """A name for a temporary file beside `target`, not yet created: whoever removes it on an
    interruption knows it before it exists (SIGTERM, turned into SystemExit, can arrive
    between any two steps; with mkstemp the file could exist while nobody held its name)."""
    folder = target.parent.absolute()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".{target.name}{TEMP_MARK}{secrets.token_hex(6)}"


def _create(tmp: Path) -> None:
    """Create `tmp`, which must not exist (as mkstemp does: readable by the owner only)."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


@contextmanager
def atomic_path(target: Path, mode: int = 0o644) -> Iterator[Path]:
    """A temporary path next to `target`, renamed onto it only when writing succeeded."""
    tmp = _temp_name(target)
    try:
        _create(tmp)
        yield tmp
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes, mode: int = 0o644) -> None:
    with atomic_path(target, mode) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str, mode: int = 0o644) -> None:
    write_bytes(target, text.encode("utf-8"), mode)


# --- several files together ---------------------------------------------------------------------

OLD_MARK = ".vecchio-"  # a target moved aside while a Commit replaces it


class Commit:
    """Files replaced together (see the module's docstring). Use as a context manager: `path`
    gives the temporary file to write for a target; when the block ends without an error the
    files take their places; on an error nothing changes.

    Taking their places: every target is first moved aside (a target that cannot be moved,
    such as a results workbook open in Excel on Windows, stops everything here, and what was
    moved aside goes back); then a journal is saved, the new files are renamed into place and
    the old ones removed. `recover` finishes a commit whose journal exists and undoes one
    that had not got that far."""

    def __init__(self, journal: Path, root: Path) -> None:
        self.journal = journal
        self.root = root.absolute()  # the temporary paths are absolute (_temp_name)
        self.token = os.urandom(4).hex()
        self.pending: list[tuple[Path, Path]] = []  # (temporary, target)
        self.removals: list[Path] = []  # targets removed with the commit

    def path(self, target: Path) -> Path:
        tmp = _temp_name(target)
        self.pending.append((tmp, target))  # known before it exists (see _temp_name)
        _create(tmp)
        return tmp

    def write(self, target: Path, data: bytes) -> None:
        self.path(target).write_bytes(data)

    def remove(self, target: Path) -> None:
        """Remove `target` with the others: moved aside with them, deleted once they are in
        place (or put back if the commit does not get that far)."""
        self.removals.append(target)

    def _rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def __enter__(self) -> Commit:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            for tmp, _ in self.pending:
                _fsync(tmp)
            aside = self._move_aside()
        except BaseException:
            self._discard()
            raise
        entries = [[self._rel(t), self._rel(p)] for t, p in self.pending]
        old = [self._rel(b) for b, _ in aside]
        write_text(self.journal, json.dumps({"file": entries, "vecchi": old}), 0o600)
        _fsync(self.journal)
        finish(self.journal, self.root)

    def _discard(self) -> None:
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)

    def _move_aside(self) -> list[tuple[Path, Path]]:
        aside: list[tuple[Path, Path]] = []
        try:
            for target in [t for _, t in self.pending] + self.removals:
                if not target.exists():
                    continue
                if not target.is_file():
                    raise IsADirectoryError(errno.EISDIR, "non è un file", str(target))
                backup = target.with_name(f".{target.name}{OLD_MARK}{self.token}")
                os.replace(target, backup)
                aside.append((backup, target))
        except BaseException:
            for backup, target in reversed(aside):
                os.replace(backup, target)
            raise
        return aside


def finish(journal: Path, root: Path) -> None:
    """Complete the renames a journal lists, remove the old files it moved aside, then the
    journal."""
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        entries, old = record["file"], record.get("vecchi", [])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        journal.unlink(missing_ok=True)  # written only whole: an unreadable one never began
        return
    for tmp, target in entries:
        source = root / tmp
        if source.exists():
            os.replace(source, root / target)
    for backup in old:
        (root / backup).unlink(missing_ok=True)
    journal.unlink(missing_ok=True)


def recover(journal: Path, root: Path, folders: Iterable[Path]) -> None:
    """After an interruption: finish a commit whose journal was saved; otherwise put back what
    an unfinished one moved aside and remove its temporary files."""
    if journal.exists():
        finish(journal, root)
    for folder in folders:
        if not folder.is_dir():
            continue
        for backup in folder.rglob(f".*{OLD_MARK}*"):  # subfolders too (trasparenza/)
            original = backup.with_name(backup.name[1:].rsplit(OLD_MARK, 1)[0])
            with suppress(OSError):
                if original.exists():
                    backup.unlink()
                else:
                    os.replace(backup, original)
        for stray in folder.rglob(f".*{TEMP_MARK}*"):
            with suppress(OSError):
                stray.unlink()


# --- CSV ---------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")


def neutralise(text: str) -> str:
    """Text as a cell that no spreadsheet runs: a leading apostrophe before «=», «+», «-», «@»
    (also after spaces), a tab or a carriage return."""
    if text[:1] in ("\t", "\r") or text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


def _restore(text: str) -> str:
    return text[1:] if text.startswith("'") and neutralise(text[1:]) != text[1:] else text


def csv_text(fields: Iterable[str], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, list(fields), delimiter=";", extrasaction="ignore", lineterminator="\r\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()})
    return "\ufeff" + out.getvalue()


def write_csv(
    target: Path, fields: Iterable[str], rows: Iterable[Mapping[str, object]], mode: int = 0o644
) -> None:
    """A register as Italian Excel opens it: UTF-8 with BOM, «;», CRLF, text neutralised."""
    write_text(target, csv_text(fields, rows), mode)


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a register we wrote, also after Excel saved it again: UTF-8 (with or without
    BOM) or Windows-1252, «;» or «,». Raises OSError, or ValueError for a file that is not
    such a register (UnicodeDecodeError among them)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = []
    try:
        for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append({str(k): _restore(v or "") for k, v in row.items() if k is not None})
    except csv.Error as exc:  # a field longer than the module takes, a stray NUL, …
        raise ValueError(f"{path.name}: {exc}") from None
    return rows


# --- what went wrong with the disk, in words -------------------------------------------------

_REASONS = {
    errno.ENOSPC: ("lo spazio sul disco è esaurito", "liberare spazio e ripetere il comando"),
    errno.EDQUOT: (
        "è stata superata la quota di spazio disponibile",
        "liberare spazio e ripetere il comando",
    ),
    errno.EROFS: (
        "il disco è in sola lettura",
        "copiare la cartella del ciclo su un disco in cui si possa scrivere",
    ),
    errno.EACCES: (
        "permesso negato",
        "verificare i permessi della cartella e, se il file è aperto in un altro programma "
        "(ad esempio Excel), chiuderlo; poi ripetere il comando",
    ),
    errno.ENOTDIR: (
        "al posto di una cartella c'è un file con lo stesso nome",
        "spostare o rinominare quel file e ripetere il comando",
    ),
    errno.EISDIR: (
        "al posto del file c'è una cartella con lo stesso nome",
        "spostare o rinominare quella cartella e ripetere il comando",
    ),
    errno.ENOENT: ("il file o la cartella non esiste", "verificare la cartella del ciclo"),
}
_REASONS[errno.EPERM] = _REASONS[errno.EACCES]
_WINDOWS_IN_USE = (32, 33)  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION


def disk_problem(exc: OSError) -> str:
    """An operating-system error in Italian, with the file and what to do."""
    where = exc.filename or ""
    if getattr(exc, "winerror", None) in _WINDOWS_IN_USE:
        reason, fix = "il file è aperto in un altro programma", "chiuderlo e ripetere il comando"
    else:
        reason, fix = _REASONS.get(
            exc.errno or 0, (exc.strerror or type(exc).__name__, "ripetere il comando")
        )
    target = f" «{os.fsdecode(where)}»" if where else ""
    return (
        f"impossibile leggere o scrivere{target}: {reason}. I file già scritti non sono stati "
        f"modificati: {fix}."
    )
