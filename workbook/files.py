"""Writing files safely: atomically, so that a crash never leaves a half-written file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: Path, mode: int = 0o644) -> Iterator[Path]:
    """A temporary path next to `target`, renamed onto it only when writing succeeded."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
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
