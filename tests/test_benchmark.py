"""The benchmark script runs from a checkout and reports every stage (no timing is asserted:
the targets live in benchmarks/README.md, not in the suite)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_every_stage_on_a_tiny_cycle(tmp_path: Path) -> None:
    """Every stage, with the CPU seconds of all its processes; with --confronta, generate and
    reconcile of another checkout (here a copy of this one) in the same rounds."""
    out = tmp_path / "bench.json"
    other = tmp_path / "altro"
    shutil.copytree(REPO, other, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info"))
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            *("--aree", "2", "--persone", "30", "--ripeti", "2", "--confronta", str(other)),
            *("--dir", str(tmp_path / "ciclo"), "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(out.read_text())
    compared = ("generate", "reconcile")
    assert set(report["fasi"]) == {
        *compared,
        *(f"{s} (altro)" for s in compared),
        *("fill", "floor", "openpyxl"),
    }
    for stage in report["fasi"].values():
        assert stage["seconds"] > 0 and stage["peak_mb"] > 0
        # Processor time of the stage's processes, start-up included: at least its own.
        assert stage["cpu"] > 0
    # The memory of all of reconcile's processes together, sampled while it runs.
    assert report["fasi"]["reconcile"]["tree_mb"] > 10
    assert report["dimensione"]["file"] == 3  # two Aree and the Nucleo, all filled
    assert {"reconcile_vs_floor", "openpyxl_vs_reconcile", "cpu_vs_other"} <= set(
        report["rapporti"]
    )
    # Each checkout ran its own code.
    assert report["fasi"]["reconcile (altro)"]["codice"] == str(other.resolve())
    assert report["fasi"]["generate (altro)"]["codice"] == str(other.resolve())
    assert report["fasi"]["reconcile"]["codice"] == str(REPO)
    runs = [len(report["fasi"][s]["runs"]) for s in ("reconcile", "reconcile (altro)", "floor")]
    assert runs == [2, 2, 2]
    assert "reconcile / pavimento" in proc.stdout and "reconcile / altro" in proc.stdout
    results = json.loads(next((tmp_path / "ciclo" / "risultati").glob("*.json")).read_text())
    assert len(results["valutazioni"]) == 30  # the reconcile stage really read every file


def test_the_memory_of_a_stage_counts_its_child_processes() -> None:
    """A reading process or the results workbook's child counts with its parent."""
    import importlib.util
    import os
    import time

    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    alone = bench.tree_pss_mb(os.getpid())
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; b = b'x' * (100 * 2**20); time.sleep(30)"]
    )
    try:
        deadline = time.monotonic() + 20
        together = alone
        while together < alone + 90 and time.monotonic() < deadline:
            time.sleep(0.1)
            together = bench.tree_pss_mb(os.getpid())
        assert alone + 90 <= together < alone + 200
    finally:
        child.kill()
        child.wait()
