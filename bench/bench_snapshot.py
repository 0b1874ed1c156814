"""Benchmark the period snapshot on PostgreSQL.

    .venv/bin/python bench/bench_snapshot.py [--persons 1000000] [--period 2026-03] [--keep]

Creates the database `dost_bench_snapshot` (dropped first if it exists), migrates it, loads a
synthetic registry straight from Polars frames with COPY (about 4 persons per household, 15 months
of incomes for working adults and pensioners, contracts, insurance records, statuses,
disabilities, job offers, vehicles, real estate, utilities), then times `period_snapshot`
(median of 3) and prints seconds and rows. The generator is deliberately tiny and independent of
dost.population: it only has to produce realistic volumes, not realistic people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

DATABASE = "dost_bench_snapshot"
SERVER = "postgres://postgres@127.0.0.1:5432"
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
MONTHS = [dt.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(0, 15)]  # 2025-01 … 2026-03
FACT = {"recorded_at": NOW, "source": "system", "reason": "", "retracted_reason": ""}


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True
    )


def generate(n_persons: int, seed: int = 2026) -> dict[str, pl.DataFrame]:
    """The registry's tables as frames whose columns are the tables' own columns."""
    rng = np.random.default_rng(seed)
    n_households = (n_persons + 3) // 4
    person_id = np.arange(1, n_persons + 1)
    slot = (person_id - 1) % 4  # 0 head, 1 spouse, 2 and 3 children
    household_id = (person_id - 1) // 4 + 1
    adult = slot < 2
    age_days = np.where(adult, rng.integers(20 * 365, 80 * 365, n_persons),
                        rng.integers(0, 18 * 365, n_persons))
    birth = np.datetime64("2026-03-01") - age_days.astype("timedelta64[D]")
    dead = rng.random(n_persons) < 0.01
    death = np.where(dead, np.datetime64("2024-01-01")
                     + rng.integers(0, 820, n_persons).astype("timedelta64[D]"),
                     np.datetime64("NaT", "D"))
    district_id = rng.integers(1, 11, n_households)
    spouse_of_household = (household_id - 1) * 4 + 2

    frames: dict[str, pl.DataFrame] = {}
    frames["registry_household"] = pl.DataFrame({
        "id": np.arange(1, n_households + 1),
        "district_id": district_id,
        "created_on": dt.date(2010, 1, 1),
    }).with_columns(
        reference=pl.format("H-{}", pl.col("id")),
        address=pl.format("Street {}", pl.col("id")),
        dissolved_on=pl.lit(None, pl.Date()),
        created_at=pl.lit(NOW), updated_at=pl.lit(NOW),
    )
    persons = pl.DataFrame({
        "id": person_id,
        "birth_date": birth,
        "death_date": death,
        "sex": np.where(slot == 1, "F", np.where(rng.random(n_persons) < 0.5, "M", "F")),
        "district_id": district_id[household_id - 1],
        "mother_id": np.where(slot >= 2, spouse_of_household, 0),
        "father_id": np.where(slot >= 2, spouse_of_household - 1, 0),
    })
    frames["registry_person"] = persons.with_columns(
        pl.col("birth_date").cast(pl.Date()), pl.col("death_date").cast(pl.Date()),
        pl.col("mother_id").replace(0, None), pl.col("father_id").replace(0, None),
        country=pl.lit("az"),
        personal_id=pl.col("id").cast(pl.String()).str.zfill(7),
        last_name=pl.format("Name{}", pl.col("id") % 997),
        first_name=pl.format("Given{}", pl.col("id") % 113),
        patronymic=pl.lit(""), citizenship=pl.lit("AZ"), residence_status=pl.lit("permanent"),
        preferred_language=pl.lit("az"), phone=pl.lit(""), email=pl.lit(""),
        created_at=pl.lit(NOW), updated_at=pl.lit(NOW),
    )
    frames["registry_membership"] = pl.DataFrame({
        "id": person_id, "household_id": household_id, "person_id": person_id,
        "role": np.array(["head", "spouse", "child", "child"])[slot],
    }).with_columns(joined_on=pl.lit(dt.date(2010, 1, 1)), left_on=pl.lit(None, pl.Date()),
                    created_at=pl.lit(NOW))

    # Incomes: 60 % of adults earn a wage every month, 25 % of adults get a pension.
    earners = person_id[adult & (rng.random(n_persons) < 0.6)]
    pensioners = person_id[adult & (rng.random(n_persons) < 0.25)]
    income_parts = []
    for kind, who, low, high in (("wage", earners, 300, 3000), ("pension", pensioners, 250, 600)):
        income_parts.append(pl.DataFrame({
            "person_id": np.repeat(who, len(MONTHS)),
            "month": np.tile(np.array(MONTHS, dtype="datetime64[D]"), len(who)),
            "amount": rng.integers(low * 100, high * 100, len(who) * len(MONTHS)) / 100,
        }).with_columns(pl.col("month").cast(pl.Date()), type=pl.lit(kind)))
    frames["registry_income"] = pl.concat(income_parts).with_columns(**_fact())

    n_contracts = len(earners)
    start = np.datetime64("2015-01-01") + rng.integers(0, 3800, n_contracts).astype(
        "timedelta64[D]")
    ended = rng.random(n_contracts) < 0.3
    end = np.where(ended, start + rng.integers(30, 1500, n_contracts).astype("timedelta64[D]"),
                   np.datetime64("NaT", "D"))
    frames["registry_employmentcontract"] = pl.DataFrame({
        "person_id": earners, "start_date": start, "end_date": end,
    }).with_columns(
        pl.col("start_date").cast(pl.Date()), pl.col("end_date").cast(pl.Date()),
        employer_name=pl.lit("Employer"), employer_tax_id=pl.lit(""),
        termination_reason=pl.lit(""), monthly_wage=pl.lit(1000.0), **_fact(),
    )
    insured = np.concatenate([earners, earners])
    frames["registry_insurancerecord"] = pl.DataFrame({
        "person_id": insured,
        "as_of": np.repeat(np.array(["2025-01-01", "2026-01-01"], dtype="datetime64[D]"),
                           len(earners)),
        "record_months": rng.integers(0, 400, len(insured)),
        "pension_capital": rng.integers(0, 5_000_000, len(insured)) / 100,
    }).with_columns(pl.col("as_of").cast(pl.Date()), **_fact())

    def some(share: float) -> np.ndarray:
        return person_id[rng.random(n_persons) < share]

    statused = some(0.08)
    frames["registry_personstatus"] = pl.DataFrame({
        "person_id": statused,
        "kind": rng.choice(["conscript", "imprisoned", "abroad", "jobseeker", "jobseeker"],
                           len(statused)),
        "valid_from": np.datetime64("2024-01-01")
        + rng.integers(0, 800, len(statused)).astype("timedelta64[D]"),
    }).with_columns(pl.col("valid_from").cast(pl.Date()), valid_to=pl.lit(None, pl.Date()),
                    **_fact())
    disabled = some(0.05)
    frames["registry_disabilitydetermination"] = pl.DataFrame({
        "person_id": disabled,
        "impairment_percent": rng.integers(30, 100, len(disabled)),
        "group": rng.integers(1, 4, len(disabled)),
    }).with_columns(valid_from=pl.lit(dt.date(2024, 1, 1)), valid_to=pl.lit(None, pl.Date()),
                    **_fact())
    offered = some(0.03)
    frames["registry_joboffer"] = pl.DataFrame({
        "person_id": offered,
        "offered_on": np.datetime64("2025-01-01")
        + rng.integers(0, 450, len(offered)).astype("timedelta64[D]"),
        "refused": rng.random(len(offered)) < 0.5,
    }).with_columns(pl.col("offered_on").cast(pl.Date()), employer_name=pl.lit("Employer"),
                    suitable=pl.lit(True), **_fact())
    heads = person_id[slot == 0]
    drivers = heads[rng.random(len(heads)) < 0.15]
    frames["registry_vehicle"] = pl.DataFrame({
        "person_id": drivers,
        "acquired_on": np.datetime64("2020-01-01")
        + rng.integers(0, 2200, len(drivers)).astype("timedelta64[D]"),
        "value": rng.integers(100_000, 3_000_000, len(drivers)) / 100,
        "issued_for_rehabilitation": rng.random(len(drivers)) < 0.05,
    }).with_columns(pl.col("acquired_on").cast(pl.Date()), disposed_on=pl.lit(None, pl.Date()),
                    registration_number=pl.format("10-AA-{}", pl.col("person_id")), **_fact())
    frames["registry_realestate"] = pl.DataFrame({
        "person_id": heads,
        "purpose": "residential",
    }).with_columns(address=pl.format("Street {}", pl.col("person_id") // 4 + 1),
                    acquired_on=pl.lit(dt.date(2012, 1, 1)), disposed_on=pl.lit(None, pl.Date()),
                    value=pl.lit(50_000.0), **_fact())
    households = np.arange(1, n_households + 1)
    frames["registry_utilityspending"] = pl.DataFrame({
        "household_id": np.repeat(households, 12),
        "month": np.tile(np.array(MONTHS[2:14], dtype="datetime64[D]"), n_households),
        "amount": rng.integers(1000, 15000, n_households * 12) / 100,
    }).with_columns(pl.col("month").cast(pl.Date()), kind=pl.lit("electricity"), **_fact())
    return frames


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a local PostgreSQL backend has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fact() -> dict[str, pl.Expr]:
    return {name: pl.lit(value) for name, value in FACT.items()}


def load(frames: dict[str, pl.DataFrame]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        # The generator's keys are consistent by construction: skip the foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("INSERT INTO registry_region (id, country, code, name, names) "
                       "VALUES (1, 'az', 'AZ-BA', 'Bakı', '{}')")
        for i in range(1, 11):
            cursor.execute("INSERT INTO registry_district (id, region_id, code, name, names) "
                           "VALUES (%s, 1, %s, %s, '{}')", [i, f"AZ-BA-{i:02d}", f"D{i}"])
        for table, frame in frames.items():
            started = time.perf_counter()
            columns = ", ".join(f'"{name}"' for name in frame.columns)
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                for offset in range(0, frame.height, 500_000):
                    copy.write(frame.slice(offset, 500_000).write_csv(include_header=False))
            print(f"  {table}: {frame.height:,} rows in {time.perf_counter() - started:.1f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--period", default="2026-03")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument("--serial", action="store_true", help="no parallel workers (CPU figures)")
    parser.add_argument("--same-priority", action="store_true",
                        help="give the PostgreSQL backend this process's priority")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    if not args.reuse:
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        psql(f"CREATE DATABASE {DATABASE}")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dost.registry.snapshot import period_snapshot

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        frames = generate(args.persons)
        print(f"generated in {time.perf_counter() - started:.1f} s; loading with COPY:")
        connection.set_autocommit(True)
        load(frames)
        del frames

    # The machine may be shared: besides wall time, report the CPU time of this process and of
    # its PostgreSQL backend (parallel workers not included; --serial makes the backend do it all).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
        if args.serial:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    if args.same_priority:
        # On a shared machine, run as `nice -n -10 … --same-priority`: the backend that does most
        # of the work then competes for the CPUs on the same terms as this process.
        os.setpriority(os.PRIO_PROCESS, backend, os.getpriority(os.PRIO_PROCESS, 0))
    timings = []
    for _ in range(3):
        started, cpu, server = time.perf_counter(), time.process_time(), backend_cpu(backend)
        snapshot = period_snapshot(args.period)
        timings.append(time.perf_counter() - started)
        print(f"  run: {timings[-1]:.2f} s wall, {time.process_time() - cpu:.2f} s CPU here, "
              f"{backend_cpu(backend) - server:.2f} s CPU in the PostgreSQL backend")
    print(f"period_snapshot({args.period!r}): median {statistics.median(timings):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in timings)}); "
          f"{snapshot.persons.height:,} persons, {snapshot.households.height:,} households; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
