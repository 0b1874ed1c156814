"""Time the TSSA core in OpenFisca over a snapshot directory; print JSON.

    bench/out/openfisca-venv/bin/python bench/openfisca_baseline/run.py DIR [--period 2026-03]
        [--repeat 3] [--single 2000]

Runs only inside the OpenFisca virtualenv that bench/bench_rules.py creates. Three steps are
timed apart: ``read_s`` (the snapshot's Parquet into the NumPy arrays OpenFisca takes),
``build_s`` (SimulationBuilder: entities, household memberships and roles, ``set_input`` of
each input) and ``compute_s`` (``calculate`` of the three outputs); build and compute are the
medians of ``--repeat`` fresh simulations. ``single_ms`` is the median over ``--single`` runs
of building and computing a one-household simulation (the snapshot's first household).
The sums of the outputs let the caller check both engines agree.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from openfisca_core.simulation_builder import SimulationBuilder
from tssa_system import OUTPUTS, TssaSystem

Arrays = dict[str, np.ndarray[Any, Any]]


def read(directory: Path) -> Arrays:
    """The person columns the core needs, as plain NumPy arrays (strings as ``str_``)."""
    table = pq.read_table(
        directory / "persons.parquet",
        columns=["household_id", "role", "exclusion_status", "citizenship", "income_12m"],
    )
    households = pq.read_table(directory / "households.parquet", columns=["household_id"])

    def strings(name: str, fill: str) -> np.ndarray[Any, Any]:
        column = pc.fill_null(table[name], fill)
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=str)

    return {
        "household_ids": households["household_id"].to_numpy(),
        "household_id": table["household_id"].to_numpy(),
        "role": strings("role", "other"),
        "exclusion_status": strings("exclusion_status", "none"),
        "citizenship": strings("citizenship", ""),
        "income_12m": pc.fill_null(table["income_12m"], 0.0).to_numpy(),
    }


def build(system: TssaSystem, data: Arrays, period: str) -> Any:
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(len(data["household_id"])))
    household = builder.declare_entity("household", data["household_ids"])
    builder.join_with_persons(household, data["household_id"], data["role"])
    simulation = builder.build(system)
    for name in ("exclusion_status", "citizenship", "income_12m"):
        simulation.set_input(name, period, data[name])
    return simulation


def compute(simulation: Any, period: str) -> dict[str, np.ndarray[Any, Any]]:
    return {name: simulation.calculate(name, period) for name in OUTPUTS}


def one_household(data: Arrays) -> Arrays:
    first = data["household_ids"][0]
    members = data["household_id"] == first
    return {
        "household_ids": data["household_ids"][:1],
        **{k: v[members] for k, v in data.items() if k != "household_ids"},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--single", type=int, default=2000)
    args = parser.parse_args()

    system = TssaSystem()
    started = time.perf_counter()
    data = read(args.directory)
    read_s = time.perf_counter() - started

    builds, computes, cpus = [], [], []
    results: dict[str, np.ndarray[Any, Any]] = {}
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        simulation = build(system, data, args.period)
        builds.append(time.perf_counter() - started)
        started = time.perf_counter()
        results = compute(simulation, args.period)
        computes.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        del simulation

    single = one_household(data)
    times = []
    if args.single:
        compute(build(system, single, args.period), args.period)  # warm the parameter caches
    for _ in range(args.single):
        started = time.perf_counter()
        compute(build(system, single, args.period), args.period)
        times.append(time.perf_counter() - started)

    print(
        json.dumps(
            {
                "engine": "openfisca-core "
                + __import__("importlib.metadata").metadata.version("openfisca-core"),
                "python": sys.version.split()[0],
                "persons": len(data["household_id"]),
                "households": len(data["household_ids"]),
                "read_s": read_s,
                "build_s": statistics.median(builds),
                "compute_s": statistics.median(computes),
                "builds_s": builds,
                "computes_s": computes,
                "build_compute_cpu_s": statistics.median(cpus),
                "single_ms": statistics.median(times) * 1000 if times else None,
                "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "sums": {
                    "family_size": int(results["family_size"].sum()),
                    "average_monthly_income": float(results["average_monthly_income"].sum()),
                    "tssa_amount": float(results["tssa_amount"].sum()),
                },
            }
        )
    )


if __name__ == "__main__":
    main()
