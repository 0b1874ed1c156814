"""Benchmark the synthetic population generator: seconds, persons/s and peak memory.

    .venv/bin/python bench/bench_population.py --persons 1000000 [--country az] [--keep]

Runs 100,000 persons and then the size asked for, each in a fresh process so that the peak
resident memory reported is that run's own. Targets: 1M persons in at most 60 s; 10M within
24 GiB on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _one(country: str, persons: int, output: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import django

    django.setup()
    from dost.population.coverage import az_tssa_coverage, uz_low_income_coverage
    from dost.population.services import population_generate

    started = time.perf_counter()
    result = population_generate(country=country, persons=persons, output=output)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = sum(p.stat().st_size for p in result.files)
    measure = az_tssa_coverage if country == "az" else uz_low_income_coverage
    coverage = measure(output) if persons <= 2_000_000 else None
    return {
        "persons": persons,
        "households": result.households,
        "seconds": seconds,
        "persons_per_second": persons / seconds,
        "peak_rss_mib": peak_kib / 1024,
        "output_mib": size / 2**20,
        "income_rows": result.rows["incomes"],
        "coverage_percent": coverage.share * 100 if coverage else float("nan"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--country", choices=("az", "uz"), default="az")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.country, args.persons, args.output)))
        return 0

    root = Path(tempfile.mkdtemp(prefix="dost-bench-population-"))
    print(f"{'persons':>12} {'households':>11} {'seconds':>8} {'persons/s':>11} "
          f"{'peak RSS MiB':>13} {'files MiB':>10} {'income rows':>12} {'coverage %':>10}")
    try:
        for persons in sorted({100_000, args.persons}):
            output = root / f"{args.country}-{persons}"
            run = subprocess.run(
                [sys.executable, __file__, "--one", "--country", args.country,
                 "--persons", str(persons), "--output", str(output)],
                check=True, capture_output=True, text=True,
            )
            r = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{r['persons']:>12,} {r['households']:>11,} {r['seconds']:>8.1f} "
                  f"{r['persons_per_second']:>11,.0f} {r['peak_rss_mib']:>13,.0f} "
                  f"{r['output_mib']:>10,.0f} {r['income_rows']:>12,} "
                  f"{r['coverage_percent']:>10.2f}", flush=True)
    finally:
        if args.keep:
            print(f"files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
