"""Where the bundled scoring systems and samples are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # Installed (pyproject maps templates/ and samples/ into the package) or in a checkout
    # where they sit next to the package, as the design card lays them out.
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def templates_dir() -> Path:
    return _data_dir("templates")


def samples_dir() -> Path:
    return _data_dir("samples")


def bundled_sistemi() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.yaml"))


def bundled_samples() -> list[str]:
    return sorted(p.name for p in samples_dir().iterdir() if (p / "piano.yaml").is_file())
