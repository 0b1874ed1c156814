"""Benchmark: a synthetic snapshot of N persons, the whole rulebook, Parquet in and out.

    python -m dost.rules.bench --persons 10000000 --dir /tmp/snap   # writes, then runs
    python -m dost.rules.bench --dir /tmp/snap --no-generate        # runs an existing one

Prints seconds and peak RSS for the run (the generation is not timed), and the median time
of one household with explanation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

from dost.rules.cases import parse_case
from dost.rules.engine import evaluate_case, run_snapshot
from dost.rules.rulebook import load_rulebook
from dost.rules.snapshot import HOUSEHOLD_SCHEMA, PERSON_SCHEMA

EXCLUSIONS_CODES = [""] * 95 + ["conscript", "state_care", "imprisoned", "wanted", "abroad"]


def generate(persons: int, directory: Path, seed: int = 7) -> None:
    """Columns and types of docs/snapshot.md; values plausible, not realistic."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 8, size=persons // 3 + 1)  # mean 4 members; cut at N persons
    household_of = np.repeat(np.arange(1, sizes.size + 1), sizes)[:persons]
    households = int(household_of[-1])
    first = np.r_[True, household_of[1:] != household_of[:-1]]
    roles = np.where(
        first, "head", rng.choice(["spouse", "child", "parent", "other"], size=persons)
    )
    epoch = dt.date(1940, 1, 1)
    birth = np.datetime64(epoch) + rng.integers(0, 86 * 365, size=persons).astype("timedelta64[D]")
    p = pl.DataFrame(
        {
            "person_id": np.arange(1, persons + 1, dtype=np.int64),
            "household_id": household_of.astype(np.int64),
            "role": roles,
            "personal_id": pl.Series(rng.integers(0, 36**7, size=persons)).cast(pl.String),
            "sex": rng.choice(["M", "F"], size=persons),
            "birth_date": birth,
            "citizenship": rng.choice(["AZ"] * 98 + ["RU", ""], size=persons),
            "residence_status": rng.choice(["permanent", "temporary"], size=persons),
            "registered_jobseeker": rng.random(persons) < 0.05,
            "income_12m": np.round(rng.gamma(1.5, 3000, size=persons), 2),
            "income_3m": np.round(rng.gamma(1.5, 750, size=persons), 2),
            "wage_12m": np.round(rng.gamma(1.5, 2500, size=persons), 2),
            "pension_3m": np.where(rng.random(persons) < 0.15, 960.0, 0.0),
            "employed": rng.random(persons) < 0.4,
            "insured_months_24m": rng.integers(0, 25, size=persons).astype(np.int32),
            "insurance_record_months": rng.integers(0, 480, size=persons).astype(np.int32),
            "pension_capital": np.round(rng.gamma(2.0, 20000, size=persons), 2),
            "job_offers_refused_12m": rng.integers(0, 3, size=persons).astype(np.int32),
            "deceased_parents": (rng.random(persons) < 0.02).astype(np.int32),
        }
    ).with_columns(
        pl.lit(None, dtype=pl.Date).alias("death_date"),
        pl.Series("exclusion_status", rng.choice(EXCLUSIONS_CODES, size=persons)).replace("", None),
        pl.Series(
            "disability_percent",
            np.where(rng.random(persons) < 0.05, rng.integers(31, 101, size=persons), -1),
        )
        .cast(pl.Int32)
        .replace(-1, None),
        pl.lit(None, dtype=pl.Date).alias("employment_end_date"),
        pl.lit(None, dtype=pl.Int32).alias("disability_group"),
    )
    h = pl.DataFrame(
        {
            "household_id": np.arange(1, households + 1, dtype=np.int64),
            "region": rng.choice(["AB", "GA", "SM"], size=households),
            "district": rng.choice(["01", "02", "03"], size=households),
            "vehicles": (rng.random(households) < 0.2).astype(np.int32),
            "vehicles_rehab": np.zeros(households, dtype=np.int32),
            "real_estate_same_purpose_max": rng.integers(0, 3, size=households).astype(np.int32),
            "purchases_12m": np.round(rng.gamma(0.5, 2000, size=households), 2),
            "utilities_monthly": np.round(rng.gamma(2.0, 40, size=households), 2),
        }
    )
    # The contract's types (code lists Categorical) and file format, as the registry writes.
    p = p.select(pl.col(name).cast(dtype) for name, dtype in PERSON_SCHEMA.items())
    h = h.select(pl.col(name).cast(dtype) for name, dtype in HOUSEHOLD_SCHEMA.items())
    directory.mkdir(parents=True, exist_ok=True)
    p.write_parquet(directory / "persons.parquet", compression="uncompressed")
    h.write_parquet(directory / "households.parquet", compression="uncompressed")


def run(directory: Path, rulebook: str, period: str) -> dict[str, object]:
    book = load_rulebook(rulebook)
    started = time.perf_counter()
    persons, households = run_snapshot(book, period, directory, directory / f"results-{period}")
    seconds = time.perf_counter() - started
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return {
        "persons": persons,
        "households": households,
        "seconds": round(seconds, 2),
        "peak_rss_gib": round(peak_gib, 2),
    }


def one_household(rulebook: str, period: str, repeat: int = 300) -> float:
    book = load_rulebook(rulebook)
    case = parse_case(
        {
            "persons": [
                {
                    "person_id": 1,
                    "role": "head",
                    "sex": "M",
                    "birth_date": "1960-01-01",
                    "income_12m": 2400,
                    "insurance_record_months": 300,
                    "pension_capital": 50000,
                },
                {
                    "person_id": 2,
                    "role": "spouse",
                    "sex": "F",
                    "birth_date": "1965-01-01",
                    "disability_percent": 70,
                },
                {"person_id": 3, "role": "child", "sex": "F", "birth_date": "2025-12-01"},
            ],
            "household": {"utilities_monthly": 40},
        },
        book.variables,
    )
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = evaluate_case(book, case, period, explain=True)
        assert result.explanation is not None
        result.explanation.to_json("az")
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m dost.rules.bench")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("var/bench-snapshot"))
    parser.add_argument("--rulebook", default="az")
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--no-generate", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_generate:
        generate(args.persons, args.dir)
    report = run(args.dir, args.rulebook, args.period)
    report["one_household_median_ms"] = round(one_household(args.rulebook, args.period), 2)
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
