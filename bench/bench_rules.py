"""Benchmark the rules engine against its targets and two baselines.

    .venv/bin/python bench/bench_rules.py [--persons 100000 1000000 10000000] [--repeat 3]
        [--period 2026-03] [--single 500] [--no-openfisca] [--scattered] [--json FILE]

For each size, over one synthetic snapshot (bench/snapshot_data.py, cached in bench/out/):

- ``core e2e``: dost.rules, the TSSA core (family size without the members not counted,
  12-month average income, amount), Parquet in → Parquet out;
- ``core compute``: the same over frames already in memory;
- ``az e2e``: the whole az rulebook, Parquet in → Parquet out, with the process's peak RSS;
- ``OpenFisca``: the same core in openfisca-core 46 (bench/openfisca_baseline/, in its own
  virtualenv bench/out/openfisca-venv, created here if missing): read, build, compute;
- ``NumPy``: the same sums as two ``bincount`` calls over arrays already in memory.

then one household through the whole rulebook with its explanation (median latency). Each
dost.rules and OpenFisca measurement runs in a fresh process whose peak RSS is read with
``os.wait4``; times are medians of ``--repeat`` runs in that process. The three core
implementations' totals are compared, so a fast wrong answer cannot pass. Prints a Markdown
table and the ratios the targets ask for (docs/performance.md, "Rules engine").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engine_adapter
import numpy as np
import numpy.typing as npt
import polars as pl

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
VENV = OUT / "openfisca-venv"
OPENFISCA = "openfisca-core==46.*"
# The need criterion (AZN) by year, as dost/rulebooks/az and the OpenFisca system both date it.
NEED_CRITERION = {2024: 270.0, 2025: 285.0, 2026: 300.0}

# Targets of the rules issue.
AZ_SECONDS_10M = 10.0
AZ_PEAK_GIB_10M = 8.0
SINGLE_MS = 5.0
OPENFISCA_SPEEDUP = 10.0
NUMPY_FACTOR = 3.0


@dataclass
class Child:
    """One measuring process: its JSON, wall time and peak resident memory."""

    result: dict[str, Any]
    wall_s: float
    peak_mib: float
    command: list[str] = field(default_factory=list)


def run_child(command: list[str]) -> Child:
    """Run ``command``, read its last stdout line as JSON, and its own peak RSS via wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=BENCH.parent)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        result = {}
    if proc.returncode != 0 or "error" in result:
        raise RuntimeError(
            f"{' '.join(command)} failed ({proc.returncode}): "
            f"{result.get('error') or stdout[-2000:]}"
        )
    return Child(result, wall, usage.ru_maxrss / 1024, command)


# -- the OpenFisca virtualenv -------------------------------------------------------------


def _python_for_openfisca() -> str:
    """openfisca-core 46 wants Python ≥ 3.11: the system 3.11 if it runs, else ours."""
    for candidate in ("python3.11", "python3.12", "python3"):
        path = shutil.which(candidate)
        if not path:
            continue
        probe = subprocess.run(
            [path, "-c", "import sys, venv; assert sys.version_info >= (3, 11)"],
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return path
    return sys.executable


def openfisca_python() -> Path:
    """The virtualenv's interpreter, after creating it and installing OpenFisca if needed."""
    python = VENV / "bin" / "python"
    check = [str(python), "-c", "import openfisca_core, pyarrow"]
    if python.exists() and subprocess.run(check, capture_output=True, check=False).returncode == 0:
        return python
    print(f"creating {VENV} and installing {OPENFISCA} …", file=sys.stderr)
    subprocess.run([_python_for_openfisca(), "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", OPENFISCA, "pyarrow"], check=True)
    subprocess.run(check, check=True)
    return python


# -- the plain NumPy baseline -------------------------------------------------------------

Arrays = dict[str, npt.NDArray[Any]]


def numpy_arrays(directory: Path) -> Arrays:
    """The core's inputs as plain arrays: a household position per person, an exclusion flag,
    citizenship as 2-byte strings, income; reading them is not timed."""
    persons = pl.read_parquet(
        directory / "persons.parquet",
        columns=["household_id", "exclusion_status", "citizenship", "income_12m"],
    )
    households = pl.read_parquet(directory / "households.parquet", columns=["household_id"])
    ids = households["household_id"].to_numpy()
    order = np.argsort(ids)
    position = order[np.searchsorted(ids, persons["household_id"].to_numpy(), sorter=order)]
    return {
        "household": position.astype(np.int64),
        "excluded": persons["exclusion_status"].is_not_null().to_numpy(),
        "citizenship": persons["citizenship"].to_numpy().astype("S2"),
        "income_12m": persons["income_12m"].fill_null(0.0).to_numpy(),
        "households": np.array([len(ids)]),
    }


def _cents(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Round half away from zero, as the engine does (np.round rounds half to even)."""
    return np.sign(values) * np.floor(np.abs(values) * 100 + 0.5) / 100


def numpy_core(a: Arrays, criterion: float) -> dict[str, npt.NDArray[Any]]:
    """Family size, average income and amount, as a NumPy programmer would write them."""
    n = int(a["households"][0])
    counted = ~a["excluded"] & ((a["citizenship"] == b"AZ") | (a["citizenship"] == b""))
    size = np.bincount(a["household"], weights=counted, minlength=n)
    income = np.bincount(
        a["household"], weights=np.where(counted, a["income_12m"], 0.0), minlength=n
    )
    average = income / 12
    amount = np.maximum(size * criterion - average, 0.0)
    return {
        "family_size": size,
        "average_monthly_income": _cents(average),
        "tssa_amount": _cents(amount),
    }


def numpy_baseline(directory: Path, repeat: int, period: str) -> dict[str, Any]:
    arrays = numpy_arrays(directory)
    criterion = NEED_CRITERION[int(period[:4])]
    times, cpus = [], []
    out: dict[str, npt.NDArray[Any]] = {}
    for _ in range(max(repeat, 3)):
        started, cpu = time.perf_counter(), time.process_time()
        out = numpy_core(arrays, criterion)
        times.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    return {
        "seconds": times,
        "cpu": cpus,
        "sums": {
            "family_size": int(out["family_size"].sum()),
            "average_monthly_income": float(out["average_monthly_income"].sum()),
            "tssa_amount": float(out["tssa_amount"].sum()),
        },
    }


# -- one size -----------------------------------------------------------------------------


def adapter(what: str, directory: Path, period: str, repeat: int) -> Child:
    return run_child(
        [
            sys.executable,
            str(BENCH / "engine_adapter.py"),
            what,
            str(directory),
            "--period",
            period,
            "--repeat",
            str(repeat),
        ]
    )


def agree(*sums: dict[str, float]) -> bool:
    """Totals equal to 1e-6 relative (OpenFisca computes in float32: 1e-5 for it)."""
    first = sums[0]
    return all(
        abs(float(other[k]) - float(first[k])) <= 1e-5 * max(1.0, abs(float(first[k])))
        for other in sums[1:]
        for k in first
    )


def contention() -> str:
    """Load average and the share of time runnable tasks waited for a CPU (PSI, last 60 s)."""
    text = f"load {os.getloadavg()[0]:.1f}"
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
        text += f", CPU pressure {some.split()[2].split('=')[1]} %"
    except (OSError, IndexError):
        pass
    return text


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(n: int, args: argparse.Namespace, of_python: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    made = run_child(
        [
            sys.executable,
            str(BENCH / "snapshot_data.py"),
            "--persons",
            str(n),
            "--period",
            args.period,
            "--json",
            *(["--scattered"] if args.scattered else []),
        ]
    )
    directory = Path(made.result["path"])
    mismatches = engine_adapter.snapshot_mismatches(directory)
    if mismatches:
        raise SystemExit("the synthetic snapshot breaks docs/snapshot.md: " + "; ".join(mismatches))
    print(
        f"[{n:,}] snapshot {directory.name}: {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    row: dict[str, Any] = {
        "persons": n,
        "households": made.result["households"],
        "snapshot": str(directory),
        "load_before": contention(),
    }

    core = adapter("core", directory, args.period, args.repeat)
    row["core_e2e_s"] = median(core.result["seconds"])
    row["core_e2e_cpu_s"] = median(core.result["cpu"])
    row["core_sums"] = core.result["sums"]
    compute = adapter("compute", directory, args.period, args.repeat)
    row["core_compute_s"] = median(compute.result["seconds"])
    row["core_compute_cpu_s"] = median(compute.result["cpu"])
    book = adapter("rulebook", directory, args.period, args.repeat)
    row["az_e2e_s"] = median(book.result["seconds"])
    row["az_e2e_runs_s"] = book.result["seconds"]
    row["az_e2e_cpu_s"] = median(book.result["cpu"])
    row["az_peak_gib"] = book.peak_mib / 1024
    row["az_process_wall_s"] = book.wall_s
    row["az_output"] = {
        k: book.result[k] for k in ("person_columns", "household_columns", "tssa_eligible")
    }
    print(
        f"[{n:,}] dost.rules: core {row['core_e2e_s']:.3f} s, az {row['az_e2e_s']:.3f} s",
        file=sys.stderr,
    )

    numpy = numpy_baseline(directory, args.repeat, args.period)
    row["numpy_s"] = median(numpy["seconds"])
    row["numpy_cpu_s"] = median(numpy["cpu"])
    row["numpy_sums"] = numpy["sums"]
    sums = [row["core_sums"], compute.result["sums"], numpy["sums"]]

    if of_python is not None:
        of = run_child(
            [
                str(of_python),
                str(BENCH / "openfisca_baseline" / "run.py"),
                str(directory),
                "--period",
                args.period,
                "--repeat",
                str(args.repeat),
                "--single",
                "0",
            ]
        )
        row["openfisca"] = {
            k: of.result[k]
            for k in ("engine", "read_s", "build_s", "compute_s", "build_compute_cpu_s", "sums")
        }
        row["openfisca"]["peak_gib"] = of.peak_mib / 1024
        of_total = of.result["build_s"] + of.result["compute_s"]
        row["speedup_vs_openfisca"] = of_total / row["core_e2e_s"]
        row["speedup_vs_openfisca_cpu"] = of.result["build_compute_cpu_s"] / row["core_e2e_cpu_s"]
        sums.append(of.result["sums"])
        print(
            f"[{n:,}] OpenFisca: build {of.result['build_s']:.3f} s, "
            f"compute {of.result['compute_s']:.3f} s",
            file=sys.stderr,
        )
    row["compute_vs_numpy"] = row["core_compute_s"] / row["numpy_s"]
    row["compute_vs_numpy_cpu"] = row["core_compute_cpu_s"] / row["numpy_cpu_s"]
    row["agree"] = agree(*sums)
    row["load_after"] = contention()
    return row


def single(directory: Path, args: argparse.Namespace, of_python: Path | None) -> dict[str, Any]:
    ours = adapter("single", directory, args.period, args.single)
    out: dict[str, Any] = {
        "ms": ours.result["ms"][0],
        "members": ours.result["members"],
        "explanation_bytes": ours.result["explanation_bytes"],
    }
    if of_python is not None:
        of = run_child(
            [
                str(of_python),
                str(BENCH / "openfisca_baseline" / "run.py"),
                str(directory),
                "--period",
                args.period,
                "--repeat",
                "1",
                "--single",
                str(args.single * 4),
            ]
        )
        out["openfisca_core_ms"] = of.result["single_ms"]
    return out


# -- report -------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


COLUMNS: list[tuple[str, Any]] = [
    ("persons", lambda r, of: f"{r['persons']:,}"),
    ("households", lambda r, of: f"{r['households']:,}"),
    ("core e2e s", lambda r, of: _fmt(r["core_e2e_s"])),
    ("core compute s", lambda r, of: _fmt(r["core_compute_s"])),
    ("NumPy s", lambda r, of: _fmt(r["numpy_s"], 4)),
    ("compute ÷ NumPy", lambda r, of: f"{_fmt(r['compute_vs_numpy'], 1)}×"),
    ("OpenFisca read s", lambda r, of: _fmt(of.get("read_s"))),
    ("build s", lambda r, of: _fmt(of.get("build_s"))),
    ("compute s", lambda r, of: _fmt(of.get("compute_s"))),
    ("build+compute ÷ core e2e", lambda r, of: f"{_fmt(r.get('speedup_vs_openfisca'), 1)}×"),
    ("az e2e s", lambda r, of: _fmt(r["az_e2e_s"])),
    ("az peak GiB", lambda r, of: _fmt(r["az_peak_gib"], 2)),
    ("totals agree", lambda r, of: "yes" if r["agree"] else "NO"),
]


def _targets(r: dict[str, Any]) -> str:
    checks = [
        f"compute ÷ NumPy {r['compute_vs_numpy']:.1f}× wall, "
        f"{r['compute_vs_numpy_cpu']:.1f}× CPU (≤ {NUMPY_FACTOR:g}×)"
    ]
    if "speedup_vs_openfisca" in r:
        checks.append(
            f"OpenFisca ÷ core e2e {r['speedup_vs_openfisca']:.1f}× wall, "
            f"{r['speedup_vs_openfisca_cpu']:.1f}× CPU (≥ {OPENFISCA_SPEEDUP:g}×)"
        )
    if r["persons"] >= 10_000_000:
        checks.append(f"az e2e {r['az_e2e_s']:.2f} s (≤ {AZ_SECONDS_10M:g} s)")
        checks.append(f"az peak {r['az_peak_gib']:.2f} GiB (≤ {AZ_PEAK_GIB_10M:g} GiB)")
    return f"- {r['persons']:,}: " + "; ".join(checks)


def _cpu_line(r: dict[str, Any]) -> str:
    of = r.get("openfisca") or {}
    runs = ", ".join(f"{x:.2f}" for x in r["az_e2e_runs_s"])
    return (
        f"- {r['persons']:,}: core e2e {r['core_e2e_cpu_s']:.3f}, "
        f"core compute {r['core_compute_cpu_s']:.3f}, NumPy {r['numpy_cpu_s']:.4f}, "
        f"az e2e {r['az_e2e_cpu_s']:.3f}, "
        f"OpenFisca build+compute {_fmt(of.get('build_compute_cpu_s'))}; "
        f"az e2e runs {runs} s; before: {r['load_before']}; after: {r['load_after']}"
    )


def report(rows: list[dict[str, Any]], one: dict[str, Any] | None) -> str:
    lines = [
        "| " + " | ".join(name for name, _ in COLUMNS) + " |",
        "|" + " ---: |" * (len(COLUMNS) - 1) + " :---: |",
    ]
    for r in rows:
        of = r.get("openfisca") or {}
        lines.append("| " + " | ".join(cell(r, of) for _, cell in COLUMNS) + " |")
    lines += ["", "CPU seconds (user + system, all threads; less sensitive to other load):"]
    lines += [_cpu_line(r) for r in rows]
    if one is not None:
        lines += [
            "",
            f"One household ({one['members']} members), whole az rulebook with explanation "
            f"({one['explanation_bytes']:,} bytes of JSON): median {one['ms']:.2f} ms",
        ]
        if "openfisca_core_ms" in one:
            lines.append(
                f"OpenFisca, TSSA core, one-household simulation: {one['openfisca_core_ms']:.2f} ms"
            )
    lines += ["", "Targets:", *(_targets(r) for r in rows)]
    if one is not None:
        lines.append(f"- one household: {one['ms']:.2f} ms (≤ {SINGLE_MS:g} ms)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--single", type=int, default=500, help="runs for the one-household median")
    parser.add_argument("--no-openfisca", action="store_true")
    parser.add_argument(
        "--scattered",
        action="store_true",
        help="snapshot whose household members are not consecutive (bench/snapshot_data.py)",
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()

    of_python = None if args.no_openfisca else openfisca_python()
    rows = [measure(n, args, of_python) for n in args.persons]
    one = single(Path(rows[0]["snapshot"]), args, of_python) if rows else None
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"\n{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"polars {pl.__version__}, "
        f"numpy {np.__version__}; period {args.period}; medians of {args.repeat}; "
        f"members {'scattered' if args.scattered else 'consecutive'}\n"
    )
    print(report(rows, one))
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "single": one, "cpu": cpu}, indent=2, default=str)
        )


if __name__ == "__main__":
    main()
