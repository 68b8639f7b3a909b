"""Benchmark valuta at the scale of the largest Comune, against the floor and openpyxl.

    python benchmarks/run.py                    # 300 Aree, 21,000 people
    python benchmarks/run.py --aree 30 --persone 2000 --json risultati.json
    python benchmarks/run.py --confronta ../valuta-vecchio   # another checkout, alternating

Steps, each in a fresh process so that its peak memory is its own: wall seconds, CPU seconds
of all its processes (its own and its workers'), the peak RSS of its largest process, and the
peak of all its processes together (PSS, sampled every 50 ms where /proc exists):
1. build a synthetic cycle folder (almenno-2017 Sistema) — setup, not measured;
2. `valuta generate`;
3. fill every workbook with random valid answers (programmatically) into `ricevuti/`;
4. `valuta reconcile` over all of them;
5. the floor: open each workbook's zip and parse every worksheet XML part with lxml
   iterparse, touching every cell element and nothing else;
6. the usual alternative: `openpyxl.load_workbook` of each file, reading every value of every
   sheet;
7. `valuta --help` (start-up time).
The floor and openpyxl get the same number of processes as reconcile's reading (a pool over
the files, `reconcile.reading_workers`), so that the ratios compare like with like.
reconcile, floor and openpyxl run in rounds (one of each, --ripeti times) so that each round
meets the shared machine in about the same state; each stage counts its best run. With
--confronta, `generate` and `reconcile` of the other checkout run in the same rounds,
alternating which goes first, on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGETS = {
    "reconcile_peak_mb": 400,
    "generate_seconds": 30,
    "help_seconds": 0.5,
    "cpu_growth": 1.10,  # with --confronta: reconcile's CPU seconds ≤ 1.10 × the other's
}

SURNAMES = [
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Romano",
    "Colombo",
    "Ricci",
    "Marino",
    "Greco",
    "Bruno",
    "Gallo",
    "Conti",
    "De Luca",
    "Mancini",
    "Costa",
]
NAMES = [
    "Marco",
    "Giulia",
    "Luca",
    "Sara",
    "Paolo",
    "Anna",
    "Davide",
    "Elena",
    "Matteo",
    "Chiara",
    "Andrea",
    "Laura",
    "Simone",
    "Marta",
    "Stefano",
    "Elisa",
]


def synthetic_piano(n_aree: int, n_people: int, seed: int = 2017) -> dict:
    """A Piano of a large Ente, in the samples' shape (see samples/*/piano.yaml)."""
    rng = random.Random(seed)
    aree, obiettivi, personale = [], [], []
    for a in range(1, n_aree + 1):
        code = f"A{a:03d}"
        po = f"P{a:05d}"
        aree.append(
            {
                "codice": code,
                "denominazione": f"Area {a} – Servizi",
                "responsabile": po,
                "email": f"area{a}@grande-comune.example",
            }
        )
        personale.append(
            {
                "matricola": po,
                "cognome": rng.choice(SURNAMES),
                "nome": rng.choice(NAMES),
                "genere": rng.choice("MF"),
                "categoria": "D3",
                "area": code,
                "ruolo": "PO",
            }
        )
        for o in range(1, 7):  # six objectives of weight 10: the PO scheda's 60 points
            obiettivi.append(
                {
                    "codice": f"{code}-{o}",
                    "area": code,
                    "tipo": "strategico",
                    "descrizione": f"Obiettivo {o} dell'Area {a}: miglioramento dei "
                    "tempi di risposta ai cittadini",
                    "risultati_attesi": "Riduzione dei tempi medi del 10%",
                    "indicatore": "Tempo medio di risposta (giorni)",
                    "peso": 10,
                    "scadenza": "2017-12-31",
                }
            )
    staff = n_people - n_aree
    for i in range(staff):
        area = f"A{i % n_aree + 1:03d}"
        person = {
            "matricola": f"D{i + 1:06d}",
            "cognome": rng.choice(SURNAMES),
            "nome": rng.choice(NAMES),
            "genere": rng.choice("MF"),
            "categoria": rng.choice(["B1", "B3", "C1", "C2", "D1"]),
            "area": area,
            "ruolo": "dipendente",
        }
        if rng.random() < 0.1:
            person["part_time"] = rng.choice([50, 66.67, 83.33])
        if rng.random() < 0.03:
            person["inizio"] = f"2017-{rng.randint(2, 11):02d}-01"
        personale.append(person)
    return {
        "restituzione": "segreteria@grande-comune.example",
        "ente": {
            "denominazione": "Comune Grande (sintetico)",
            "anno": 2017,
            "sistema": "almenno-2017",
            "fondo_produttivita": 25_000_000.00,
            "fondo_risultato_po": 3_000_000.00,
            "email_nucleo": "nucleo@grande-comune.example",
        },
        "aree": aree,
        "obiettivi": obiettivi,
        "personale": personale,
    }


# --- the stages, each run in a fresh process --------------------------------------------------


def stage_build(root: str, n_aree: str, n_people: str) -> None:
    from workbook.cycle import init_cycle
    from workbook.piano.blank import write_piano

    cycle = init_cycle(Path(root), restituzione="segreteria@grande-comune.example")
    cycle.piano_path.unlink()
    write_piano(cycle.piano_path, synthetic_piano(int(n_aree), int(n_people)))


def stage_valuta(code: str, command: str, root: str) -> dict:
    """`valuta generate` or `valuta reconcile` with the checkout in `code` (this one, or the
    one given to --confronta): its own entry point and package, nothing of this one."""
    sys.path[:] = [code, *(p for p in sys.path if p and Path(p).resolve() != REPO)]
    if command == "reconcile":  # every repetition starts from a cycle never reconciled
        for folder in ("archivio", "risultati"):
            shutil.rmtree(Path(root) / folder, ignore_errors=True)
    import cli  # the checkout's cli.py

    argv = ["generate", "--dir", root, "--force"] if command == "generate" else [command]
    if command == "reconcile":
        argv += ["--dir", root]
    result = cli.main(argv)
    assert result in ((0,) if command == "generate" else (0, 1)), result
    import workbook

    return {"codice": str(Path(workbook.__file__).resolve().parents[1])}  # what really ran


def stage_fill(root: str) -> None:
    from concurrent.futures import ProcessPoolExecutor

    from workbook.cycle import Cycle

    cycle = Cycle(Path(root))
    moduli = sorted(p.stem for p in cycle.moduli.glob("*.xlsx"))
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_fill_one, [(root, m) for m in moduli], chunksize=8))


def _fill_one(job: tuple[str, str]) -> None:
    from tests.helpers import random_answers  # the test suite's generator of valid answers
    from workbook.cycle import Cycle, generation_record
    from workbook.generate import cycle_context, write_modulo
    from workbook.generate.compose import build
    from workbook.piano.load import load_piano

    root, modulo = job
    cycle = Cycle(Path(root))
    global _CTX
    if "_CTX" not in globals():
        piano, _ = load_piano(cycle.piano_path)
        _CTX = cycle_context(cycle, piano, generation_record(cycle)[1])  # type: ignore[index]
    rng = random.Random(modulo)
    answers = random_answers(build(_CTX, modulo), rng)
    password, key = cycle.secrets()
    write_modulo(
        _CTX, modulo, cycle.ricevuti / f"{modulo}.xlsx", password, key, cycle.manifests, answers
    )


def _workers() -> int:
    from workbook.reconcile import reading_workers

    return reading_workers()


def _received(root: str) -> list[Path]:
    return sorted((Path(root) / "ricevuti").glob("*.xlsx"), key=lambda p: -p.stat().st_size)


def stage_floor(root: str) -> None:
    """The least any Python reader can do: unzip and parse every worksheet, touching each
    cell element; in as many processes as reconcile reads with."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(_workers()) as pool:
        cells = sum(pool.map(_floor_one, _received(root)))
    print(f"cells={cells}", file=sys.stderr)


def _floor_one(path: Path) -> int:
    import zipfile

    from lxml import etree

    tag = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}c"
    cells = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                with zf.open(name) as fh:
                    for _, el in etree.iterparse(fh, tag=tag):
                        cells += 1
                        el.clear()
    return cells


def stage_openpyxl(root: str) -> None:
    """What a technically-minded user would write, given the same processes."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(_workers()) as pool:
        values = sum(pool.map(_openpyxl_one, _received(root)))
    print(f"values={values}", file=sys.stderr)


def _openpyxl_one(path: Path) -> int:
    import warnings

    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path)
    values = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            values += sum(v is not None for v in row)
    wb.close()
    return values


STAGES = {
    "build": stage_build,
    "valuta": stage_valuta,
    "fill": stage_fill,
    "floor": stage_floor,
    "openpyxl": stage_openpyxl,
}


def _child(stage: str, args: list[str]) -> None:
    """Run one stage in this process; print its seconds and peak RSS (self and children)."""
    start = time.perf_counter()
    extra = STAGES[stage](*args) or {}
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": max(own, children), **extra}))


SAMPLE_EVERY = 0.05  # seconds between two readings of a stage's memory


def tree_pss_mb(pid: int) -> float:
    """The memory a process and all its descendants use now, in MB: the sum of their
    proportional set sizes (PSS: a page shared by n processes counts 1/n in each), so that a
    forked worker sharing its parent's pages is not counted twice. 0 without Linux's /proc."""
    total_kb, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as fh:
                total_kb += next(int(line.split()[1]) for line in fh if line.startswith("Pss:"))
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
        except (OSError, ValueError, StopIteration):
            continue  # ended in the meantime
    return total_kb / 1024


def run_stage(stage: str, *args: object) -> dict:
    """Run a stage in a fresh process; its own figures, plus the peak memory of its whole
    process tree (the reading processes included), sampled."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = _children_cpu()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--stage", stage, *map(str, args)],
            stdout=out,
            stderr=err,
            text=True,
            cwd=REPO,
        )
        tree = 0.0
        while proc.poll() is None:
            tree = max(tree, tree_pss_mb(proc.pid))
            time.sleep(SAMPLE_EVERY)
        out.seek(0)
        err.seek(0)
        cpu = _children_cpu() - before
        if proc.returncode != 0:
            sys.exit(f"stage {stage} failed:\n{err.read()[-4000:]}")
        figures = json.loads(out.read().strip().splitlines()[-1])
    return {**figures, "cpu": cpu, "tree_mb": tree}


def _children_cpu() -> float:
    """CPU seconds (user and system) of every process this one has waited for, and of the
    processes they waited for: a stage's, its workers' included, once it has ended."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_help() -> float:
    valuta = shutil.which("valuta")
    command = [valuta, "--help"] if valuta else [sys.executable, str(REPO / "cli.py"), "--help"]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Misura valuta alla scala del Comune più grande, contro il pavimento "
        "(lxml iterparse) e openpyxl. Vedere benchmarks/README.md."
    )
    parser.add_argument("--aree", type=int, default=300, help="numero di Aree (300)")
    parser.add_argument("--persone", type=int, default=21000, help="numero di persone (21000)")
    parser.add_argument("--dir", type=Path, help="cartella del ciclo (predefinita: temporanea)")
    parser.add_argument("--json", type=Path, help="scrive qui le cifre in JSON")
    parser.add_argument("--keep", action="store_true", help="conserva la cartella del ciclo")
    parser.add_argument(
        "--ripeti",
        type=int,
        default=2,
        help="prove di ogni fase misurata; conta la migliore (su macchine condivise le misure "
        "variano di decine di punti percentuali)",
    )
    parser.add_argument(
        "--confronta",
        type=Path,
        help="un'altra copia del codice (git worktree): generate e reconcile misurati anche con "
        "quella, alternati, sugli stessi file",
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.stage:
        _child(args.stage, rest)
        return

    root = args.dir or Path(tempfile.mkdtemp(prefix="valuta-bench-")) / "ciclo"
    if root.exists():
        shutil.rmtree(root)
    print(f"Ciclo sintetico: {args.aree} Aree, {args.persone} persone in {root}", flush=True)
    run_stage("build", root, args.aree, args.persone)
    codes = [("", REPO)]
    if args.confronta:
        codes.append((" (altro)", args.confronta.resolve()))
    runs: dict[str, list[dict]] = {}

    def measure(name: str, *stage: object) -> None:
        runs.setdefault(name, []).append(run_stage(*stage))
        r = runs[name][-1]
        print(f"  {name:<22} {r['seconds']:7.2f} s  CPU {r['cpu']:7.2f} s", flush=True)

    def in_turn(i: int) -> list[tuple[str, Path]]:
        """The checkouts in round i: which goes first alternates."""
        return codes if i % 2 == 0 else codes[::-1]

    for i in range(args.ripeti):
        for label, code in in_turn(i):
            measure(f"generate{label}", "valuta", code, "generate", root)
    if in_turn(args.ripeti - 1)[-1][1] != REPO:  # the files to fill are this checkout's
        run_stage("valuta", REPO, "generate", root)
    measure("fill", "fill", root)
    # The compared stages run in rounds, one after the other, so that on a shared machine
    # each round measures them in about the same conditions.
    for i in range(args.ripeti):
        for label, code in in_turn(i):
            measure(f"reconcile{label}", "valuta", code, "reconcile", root)
        measure("floor", "floor", root)
        measure("openpyxl", "openpyxl", root)
    report(args, root, runs)
    if not args.keep and not args.dir:
        shutil.rmtree(root.parent, ignore_errors=True)


def report(args: argparse.Namespace, root: Path, runs: dict[str, list[dict]]) -> None:
    results: dict[str, dict] = {}
    for stage, measured in runs.items():
        results[stage] = {
            "seconds": min(r["seconds"] for r in measured),
            "cpu": min(r["cpu"] for r in measured),
            "peak_mb": max(r["peak_mb"] for r in measured),
            "tree_mb": max(r["tree_mb"] for r in measured),
            "runs": [round(r["seconds"], 2) for r in measured],
            "cpu_runs": [round(r["cpu"], 2) for r in measured],
            "codice": measured[0].get("codice", str(REPO)),
        }
    help_seconds = time_help()
    files = list((root / "ricevuti").glob("*.xlsx"))
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    rec, flo, opx = results["reconcile"], results["floor"], results["openpyxl"]
    ratios = {
        "reconcile_vs_floor": rec["seconds"] / flo["seconds"],
        "openpyxl_vs_reconcile": opx["seconds"] / rec["seconds"],
        "reconcile_vs_floor_cpu": rec["cpu"] / flo["cpu"],
        "openpyxl_vs_reconcile_cpu": opx["cpu"] / rec["cpu"],
    }
    checks = {
        "reconcile: picco ≤ 400 MB": max(rec["peak_mb"], rec["tree_mb"])
        <= TARGETS["reconcile_peak_mb"],
        "generate ≤ 30 s": results["generate"]["seconds"] <= TARGETS["generate_seconds"],
        "valuta --help ≤ 0,5 s": help_seconds <= TARGETS["help_seconds"],
    }
    other = results.get("reconcile (altro)")
    if other:
        ratios["cpu_vs_other"] = rec["cpu"] / other["cpu"]
        ratios["seconds_vs_other"] = rec["seconds"] / other["seconds"]
        checks["reconcile: CPU ≤ 1,10 × l'altro"] = ratios["cpu_vs_other"] <= TARGETS["cpu_growth"]
        checks["reconcile: processo più grande non cresciuto"] = rec["peak_mb"] <= other["peak_mb"]
        checks["reconcile: tutti i processi insieme non cresciuti"] = (
            rec["tree_mb"] <= other["tree_mb"]
        )
        ratios["peak_mb_vs_other"] = rec["peak_mb"] - other["peak_mb"]
    print()
    print(f"{'fase':<22}{'secondi':>9}{'CPU s':>9}{'picco MB':>10}{'insieme MB':>12}  prove")
    for stage, r in results.items():
        print(
            f"{stage:<22}{r['seconds']:>9.2f}{r['cpu']:>9.2f}{r['peak_mb']:>10.0f}"
            f"{r['tree_mb']:>12.0f}  {r['runs']} CPU {r['cpu_runs']}"
        )
    print(f"{'--help':<22}{help_seconds:>9.3f}")
    print()
    print(f"processi di lettura: {_workers()} (reconcile, pavimento e openpyxl)")
    print(
        f"reconcile / pavimento = {ratios['reconcile_vs_floor']:.2f} "
        f"(CPU {ratios['reconcile_vs_floor_cpu']:.2f})"
    )
    print(
        f"openpyxl / reconcile  = {ratios['openpyxl_vs_reconcile']:.2f} "
        f"(CPU {ratios['openpyxl_vs_reconcile_cpu']:.2f})"
    )
    if other:
        print(
            f"reconcile / altro     = {ratios['seconds_vs_other']:.2f} "
            f"(CPU {ratios['cpu_vs_other']:.2f}); processo più grande "
            f"{ratios['peak_mb_vs_other']:+.1f} MB"
        )
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'NO'}] {label}")
    figures = {
        "macchina": {
            "cpu": os.cpu_count(),
            "python": platform.python_version(),
            "sistema": platform.platform(),
        },
        "dimensione": {
            "aree": args.aree,
            "persone": args.persone,
            "file": len(files),
            "mb_su_disco": round(size_mb, 1),
        },
        "confronto": str(args.confronta) if args.confronta else None,
        "fasi": results,
        "help_secondi": help_seconds,
        "rapporti": ratios,
        "obiettivi": {k: bool(v) for k, v in checks.items()},
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
