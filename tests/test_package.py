"""The package as a map of the pipeline: what each side imports, what gets installed, what
runs on Windows, and rooms of a size a newcomer can read (STYLE.md)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "workbook"
PRODUCT = [*sorted(PACKAGE.rglob("*.py")), REPO / "cli.py"]

# Reading received files: ingest, the readers with their guards, verification, the check of
# the values. None of it needs the generation package or xlsxwriter.
READING_SIDE = [
    "workbook.reconcile",
    "workbook.reconcile.ingest",
    "workbook.reconcile.mime",
    "workbook.reconcile.readers",
    "workbook.reconcile.readers.xlsx",
    "workbook.reconcile.readers.xlsx_cells",
    "workbook.reconcile.readers.ods",
    "workbook.reconcile.verify",
    "workbook.reconcile.inputs",
    "workbook.reconcile.shown",
]


def test_the_reading_side_imports_neither_the_generation_package_nor_xlsxwriter() -> None:
    script = (
        f"import importlib, sys\nfor m in {READING_SIDE!r}: importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'xlsxwriter' "
        "or m.startswith('workbook.generate')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert proc.stdout.strip() == "[]"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def test_no_module_of_reconcile_imports_the_writing_side_even_inside_a_function() -> None:
    offenders = {
        path.relative_to(REPO).as_posix(): sorted(
            m for m in _imports(path) if m.startswith(("workbook.generate", "xlsxwriter"))
        )
        for path in sorted((PACKAGE / "reconcile").rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_exception_is_declared_in_errors_py() -> None:
    """One module lists every exception of valuta, with the exit code it becomes."""
    declared = [
        f"{path.relative_to(REPO).as_posix()}:{node.name}"
        for path in PRODUCT
        if path.name != "errors.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(
            getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
            for base in node.bases
        )
    ]
    assert declared == []


def test_only_the_writers_import_xlsxwriter() -> None:
    """The moduli, the results, the blank Piano and the Sistema's workbook form."""
    users = sorted(
        path.relative_to(REPO).as_posix()
        for path in PRODUCT
        if any(
            isinstance(node, ast.Import | ast.ImportFrom)
            and any(
                (getattr(node, "module", None) or alias.name).split(".")[0] == "xlsxwriter"
                for alias in node.names
            )
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    writers = (
        "workbook/generate/",
        "workbook/results/",
        "workbook/piano/blank.py",
        "workbook/sistema/export.py",
    )
    assert all(u.startswith(writers) for u in users), users


def _packages_on_disk() -> set[str]:
    found = {".".join(p.parent.relative_to(REPO).parts) for p in PACKAGE.rglob("__init__.py")}
    return found | {"workbook.templates", "workbook.samples"}


def test_pyproject_installs_every_package_of_the_tree() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert set(config["tool"]["setuptools"]["packages"]) == _packages_on_disk()
    assert config["project"]["scripts"] == {"valuta": "workbook.cli:run"}
    assert "py-modules" not in config["tool"]["setuptools"]


NOT_SOURCE = ("build", "dist", "*.egg-info", "__pycache__", ".*")  # .git, .venv, caches


def test_the_wheel_holds_the_whole_package_and_no_top_level_cli(tmp_path: Path) -> None:
    """What `pip install .` puts in site-packages: every subpackage, the bundled Sistemi and
    samples, the entry point inside the package — and no module named `cli` of its own."""
    source = tmp_path / "valuta"  # a clean copy: a build never leaves files in the checkout
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path)]
    proc = subprocess.run([*command, str(source)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("valuta-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "valuta = workbook.cli:run" in zf.read(entry_points).decode()
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"workbook"}
    for package in _packages_on_disk():
        assert f"{package.replace('.', '/')}/__init__.py" in names, package
    assert "workbook/templates/almenno-2017.yaml" in names
    assert "workbook/templates/almenno-2017.xlsx" in names  # the Sistema's workbook form
    assert any(n.startswith("workbook/samples/almenno-2017/") for n in names)


# Calls that exist only on Linux or POSIX, or behave there only: the Segreteria runs Windows.
POSIX_ONLY = {
    "os": {
        "fork", "forkpty", "_exit", "getuid", "geteuid", "getgid", "getegid", "killpg",
        "setsid", "setpgrp", "getpgid", "chown", "lchown", "fchown", "statvfs", "mkfifo",
        "mknod", "pipe2", "getloadavg", "nice", "uname", "sched_getaffinity", "fdatasync",
        "O_NOFOLLOW", "O_CLOEXEC", "O_DIRECTORY", "WNOHANG", "waitpid", "wait",
    },
    "signal": {
        "SIGKILL", "SIGCHLD", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGPIPE", "SIGQUIT",
        "SIGSTOP", "SIGCONT", "alarm", "setitimer", "pthread_kill", "pthread_sigmask",
    },
}  # fmt: skip
POSIX_MODULES = {"fcntl", "termios", "pty", "grp", "pwd", "resource", "posix", "tty", "crypt"}


def _posix_text(value: object) -> bool:
    """A POSIX path, or the name of the fork start method."""
    return isinstance(value, str) and (
        value.startswith(("/proc/", "/dev/", "/tmp/")) or value == "fork"
    )


def _posix_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                module = node.module if isinstance(node, ast.ImportFrom) else alias.name
                base = (module or "").split(".")[0]
                if base in POSIX_MODULES or alias.name in POSIX_ONLY.get(base, ()):
                    found.append(f"{path.name}:{node.lineno} import {module} {alias.name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in POSIX_ONLY.get(node.value.id, ()):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Constant) and _posix_text(node.value):
            found.append(f"{path.name}:{node.lineno} «{node.value}»")
    return found


def test_no_linux_only_call_in_the_product() -> None:
    assert [use for path in PRODUCT for use in _posix_uses(path)] == []


def test_the_scan_finds_linux_only_calls(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, signal\nimport resource\nfrom os import fork\nos.fork()\nos._exit(0)\n"
        "signal.signal(signal.SIGCHLD, None)\nopen('/proc/self/status')\n",
        encoding="utf-8",
    )
    assert len(_posix_uses(sample)) == 6


MAX_MODULE = 600
MAX_CLASS = 300
DATA_MODULES = {"anomalies.py"}  # the anomaly catalogue is data, one entry per anomaly


@pytest.mark.parametrize("path", PRODUCT, ids=[p.relative_to(REPO).as_posix() for p in PRODUCT])
def test_rooms_of_a_readable_size(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.name not in DATA_MODULES:
        assert len(text.splitlines()) <= MAX_MODULE
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and path.name not in DATA_MODULES:
            assert node.end_lineno - node.lineno + 1 <= MAX_CLASS, node.name  # type: ignore[operator]
