"""Everything the rules benchmark knows about dost.rules, in one place.

    .venv/bin/python bench/engine_adapter.py core|compute|rulebook|single DIR [--period 2026-03]
        [--output OUT] [--repeat 3]

Each measurement runs as its own process (bench/bench_rules.py starts it and reads the peak
memory of that process alone) and prints one JSON object:

- ``core``: the TSSA core end to end — persons/households Parquet read, family size, average
  income and amount evaluated, the household results written as Parquet (all three outputs
  are household variables, so ``run_snapshot`` writes no person file);
- ``compute``: the same core over frames already in memory (collect only, no I/O);
- ``rulebook``: the whole ``az`` rulebook end to end, as ``dost rules run`` does it;
- ``single``: one household through the whole rulebook with its explanation tree, in-process,
  as a caseworker screen would ask for it (median over many).

"The TSSA core" is the az rulebook with ``tssa_amount`` replaced, through the engine's own
reform mechanism, by max(0, need threshold − average income): the refusal grounds dropped, so
it computes exactly what bench/openfisca_baseline/tssa_system.py does.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from dost.rules import Formula

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORE_OUTPUTS = ("tssa_family_size", "tssa_average_income", "tssa_amount")


class EngineUnavailableError(RuntimeError):
    """dost.rules or the az rulebook cannot be imported or compiled yet."""


def _engine() -> Any:
    try:
        import dost.rules as rules
    except Exception as exc:
        raise EngineUnavailableError(f"dost.rules cannot be imported: {exc}") from exc
    return rules


def rulebook() -> Any:
    """The az rulebook as shipped."""
    try:
        return _engine().load_rulebook("az")
    except EngineUnavailableError:
        raise
    except Exception as exc:
        raise EngineUnavailableError(f"the az rulebook does not load: {exc}") from exc


def core_rulebook() -> Any:
    """The az rulebook whose ``tssa_amount`` is the core formula (no refusal grounds)."""
    rules = _engine()
    book = rulebook()
    amount = book.variables["tssa_amount"]

    def tssa_amount(f: Formula) -> pl.Expr:
        return (f.var("tssa_need_threshold") - f.var("tssa_average_income")).clip(lower_bound=0.0)

    core = rules.variable(
        rules.HOUSEHOLD,
        rules.MONEY,
        label=amount.label,
        reference="benchmark: TSSA core without refusal grounds",
    )(tssa_amount)
    return book.with_reform(rules.Reform("bench-core", variables=(core,)))


def snapshot_mismatches(directory: Path) -> list[str]:
    """Where the Parquet files differ from the engine's input contract (empty: they match)."""
    try:
        from dost.rules import snapshot
    except Exception as exc:
        raise EngineUnavailableError(f"dost.rules.snapshot cannot be imported: {exc}") from exc
    problems = []
    for name, contract in (
        ("persons", snapshot.PERSON_SCHEMA),
        ("households", snapshot.HOUSEHOLD_SCHEMA),
    ):
        found = dict(pl.read_parquet_schema(directory / f"{name}.parquet"))
        if list(found) != list(contract):
            problems.append(f"{name}: columns {list(found)} != {list(contract)}")
        problems += [
            f"{name}.{col}: {found[col]} != {dtype}"
            for col, dtype in contract.items()
            if col in found and found[col] != dtype
        ]
    return problems


def _collect(
    book: Any, period: str, persons: Any, households: Any, outputs: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    p, h = _engine().evaluate_population(book, period, persons, households, outputs)
    people, homes = pl.collect_all([p, h])
    return people, homes


def end_to_end(
    book: Any, directory: Path, output: Path, period: str, outputs: Any = None
) -> dict[str, Any]:
    """``run_snapshot``, as ``dost rules run`` calls it: Parquet in, result files out.

    The results are read back after the clock stops, for their sizes and totals.
    """
    started, cpu = time.perf_counter(), time.process_time()
    persons, _ = _engine().run_snapshot(book, period, directory, output, outputs)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # No person file when no output is a person variable (the core's case).
    people = output / "persons.parquet"
    homes = pl.read_parquet(output / "households.parquet")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "persons": persons,
        "households": homes.height,
        "person_columns": len(pl.read_parquet_schema(people)) if people.exists() else 0,
        "household_columns": homes.width,
        "frame": homes,
    }


def core_sums(homes: pl.DataFrame) -> dict[str, float]:
    """Totals to compare with the baselines' (same names as the OpenFisca run prints)."""
    return {
        "family_size": int(homes["tssa_family_size"].sum()),
        "average_monthly_income": float(homes["tssa_average_income"].sum()),
        "tssa_amount": float(homes["tssa_amount"].sum()),
    }


def single_case(book: Any, directory: Path, household_id: int | None = None) -> tuple[Any, int]:
    """One household of the snapshot as the engine's Case (the first one by default)."""
    persons = pl.scan_parquet(directory / "persons.parquet")
    households = pl.scan_parquet(directory / "households.parquet")
    if household_id is None:
        household_id = int(households.select(pl.col("household_id").first()).collect().item())
    members = persons.filter(pl.col("household_id") == household_id).collect()
    home = households.filter(pl.col("household_id") == household_id).collect()
    return _engine().Case(persons=members, household=home), members.height


def explain_once(book: Any, case: Any, period: str) -> dict[str, Any]:
    """The whole rulebook for one household, with its explanation tree as JSON."""
    result = _engine().evaluate_case(book, case, period, explain=True)
    out: dict[str, Any] = result.to_json("en")
    return out


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    period: str = args.period
    if args.what == "core":
        book = core_rulebook()
        runs = [
            end_to_end(book, args.directory, args.output, period, CORE_OUTPUTS)
            for _ in range(args.repeat)
        ]
        return {
            "seconds": [r["seconds"] for r in runs],
            "cpu": [r["cpu"] for r in runs],
            "sums": core_sums(runs[-1]["frame"]),
            "households": runs[-1]["households"],
        }
    if args.what == "rulebook":
        book = rulebook()
        runs = [end_to_end(book, args.directory, args.output, period) for _ in range(args.repeat)]
        last = runs[-1]
        homes: pl.DataFrame = last["frame"]
        return {
            "seconds": [r["seconds"] for r in runs],
            "cpu": [r["cpu"] for r in runs],
            "persons": last["persons"],
            "households": last["households"],
            "person_columns": last["person_columns"],
            "household_columns": last["household_columns"],
            "tssa_eligible": int(homes["tssa_eligible"].sum()),
            "tssa_amount": float(homes["tssa_amount"].sum()),
        }
    if args.what == "compute":
        book = core_rulebook()
        persons = pl.read_parquet(args.directory / "persons.parquet")
        households = pl.read_parquet(args.directory / "households.parquet")
        seconds, cpus = [], []
        homes = pl.DataFrame()
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            _, homes = _collect(book, period, persons, households, CORE_OUTPUTS)
            seconds.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        return {"seconds": seconds, "cpu": cpus, "sums": core_sums(homes)}
    # single
    book = rulebook()
    case, size = single_case(book, args.directory)
    first = explain_once(book, case, period)  # compiles and caches the plan, as a server would
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        explain_once(book, case, period)
        times.append(time.perf_counter() - started)
    return {
        "ms": [statistics.median(times) * 1000],
        "runs": len(times),
        "members": size,
        "explanation_bytes": len(json.dumps(first, default=str)),
        "tssa_amount": first["outputs"].get("tssa_amount"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="one dost.rules measurement, printed as JSON")
    parser.add_argument("what", choices=["core", "compute", "rulebook", "single"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if args.output is None:
        args.output = args.directory / f"results-{args.what}"
    try:
        result = _measure(args)
    except EngineUnavailableError as exc:
        print(json.dumps({"error": str(exc)}))
        raise SystemExit(3) from exc
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
