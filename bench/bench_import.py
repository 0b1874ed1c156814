"""Benchmark: bulk import of persons, households, memberships and a year of incomes into PostgreSQL.

    .venv/bin/python bench/bench_import.py                      # 100,000 persons
    .venv/bin/python bench/bench_import.py --persons 1000000    # the target: <= 3 minutes
    .venv/bin/python bench/bench_import.py --from DIR           # files written by dost/population

Creates the database `dost_bench_import` (dropping an old one), migrates it, loads a geography,
imports with `import_directory` and prints seconds per file and in total, then drops the database.
The built-in generator is deliberately simple and vectorised (NumPy): households of four (head,
spouse, two children whose parents are the couple) and 12 months of wages for every adult.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl
import psycopg

DATABASE = "dost_bench_import"
SERVER = "postgres://postgres@127.0.0.1:5432"
FIN_ALPHABET = np.array(list("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"))
LAST_NAMES = ["Aliyev", "Mammadov", "Hasanov", "Huseynov", "Guliyev", "Ismayilov", "Rzayev"]
MALE_NAMES = ["Ali", "Rashad", "Elvin", "Farid", "Tural", "Orkhan", "Vugar", "Kamran"]
FEMALE_NAMES = ["Leyla", "Aygun", "Nigar", "Sevinj", "Gunay", "Aysel", "Narmin", "Lala"]
REGIONS = 10
DISTRICTS_PER_REGION = 8
MEMBERS = 4  # per household


def fins(numbers: np.ndarray) -> pl.Series:
    """Distinct valid FINs: the numbers written in base 34 over the FIN alphabet."""
    digits = []
    rest = numbers.copy()
    for _ in range(7):
        rest, digit = np.divmod(rest, len(FIN_ALPHABET))
        digits.append(FIN_ALPHABET[digit])
    columns = [pl.Series(d) for d in reversed(digits)]
    return pl.select(pl.concat_str(columns)).to_series()


def generate(persons: int, directory: Path, fmt: str) -> None:
    rng = np.random.default_rng(20260101)
    n = persons - persons % MEMBERS
    index = np.arange(n)
    household = index // MEMBERS
    member = index % MEMBERS
    pid = fins(index + 10_000)
    sex = np.where(member == 0, "M", np.where(member == 1, "F", rng.choice(["M", "F"], n)))
    adult_birth = rng.integers(-12_000, 0, n)  # days from 1970: born 1937-1969
    child_birth = rng.integers(5_000, 19_000, n)  # born 1983-2022
    birth = np.where(member < 2, adult_birth, child_birth).astype("datetime64[D]")
    first = np.where(sex == "M", rng.choice(MALE_NAMES, n), rng.choice(FEMALE_NAMES, n))
    district_codes = [
        f"BN-{r:02d}-{d:02d}" for r in range(REGIONS) for d in range(DISTRICTS_PER_REGION)
    ]
    household_district = rng.choice(district_codes, n // MEMBERS)
    base = household * MEMBERS
    is_child = member >= 2
    persons_frame = pl.DataFrame({
        "personal_id": pid,
        "last_name": rng.choice(LAST_NAMES, n),
        "first_name": first,
        "birth_date": pl.Series(birth).cast(pl.Date),
        "sex": sex,
        "district": household_district[household],
        "mother_id": pid.gather(base + 1),
        "father_id": pid.gather(base),
        "is_child": is_child,
    })
    # Children's parents are the couple heading their household; adults' parents are unknown.
    persons_frame = persons_frame.with_columns(
        pl.when("is_child").then(pl.col("mother_id")).alias("mother_id"),
        pl.when("is_child").then(pl.col("father_id")).alias("father_id"),
    ).drop("is_child")
    references = pl.Series([f"HH{h:09d}" for h in range(n // MEMBERS)])
    households = pl.DataFrame({
        "reference": references,
        "district": household_district,
        "address": pl.Series([f"Street {h % 500}, house {h % 97}" for h in range(n // MEMBERS)]),
        "created_on": pl.Series(rng.integers(0, 18_000, n // MEMBERS).astype("datetime64[D]"))
        .cast(pl.Date),
    })
    memberships = pl.DataFrame({
        "household": references.gather(household),
        "personal_id": pid,
        "role": np.array(["head", "spouse", "child", "child"])[member],
        "joined_on": households["created_on"].gather(household),
    })
    adults = pid.filter(pl.Series(member < 2))
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    incomes = pl.DataFrame({"personal_id": adults}).join(
        pl.DataFrame({"month": months}), how="cross"
    ).with_columns(
        pl.lit("wage").alias("type"),
        pl.Series(np.round(rng.gamma(4, 120, len(adults) * 12), 2)).cast(pl.String).alias("amount"),
    )
    for name, frame in (
        ("persons", persons_frame), ("households", households), ("memberships", memberships),
        ("incomes", incomes),
    ):
        if fmt == "csv":
            frame.write_csv(directory / f"{name}.csv")
        else:
            frame.write_parquet(directory / f"{name}.parquet")


def create_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def load_geography(from_population: bool) -> None:
    from dost.registry import models

    if from_population:
        from dost.registry.geography import geography_load

        geography_load(country=os.environ["DOST_COUNTRY"])
        return
    for r in range(REGIONS):
        region = models.Region.objects.create(country="az", code=f"BN-{r:02d}", name=f"R{r}")
        models.District.objects.bulk_create(
            models.District(region=region, code=f"BN-{r:02d}-{d:02d}", name=f"D{r}.{d}")
            for d in range(DISTRICTS_PER_REGION)
        )


@contextmanager
def _never_bulk(self: object, table: str) -> Iterator[bool]:
    yield False


def _server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    assert row is not None
    fields = Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--from", dest="source", type=Path, help="import this directory instead")
    parser.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument(
        "--no-bulk", action="store_true",
        help="load empty tables with their indexes and constraints in place (for comparison)",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DOST_COUNTRY", "az")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    os.environ.setdefault("DEBUG", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from dost.registry.importing import import_directory
    from dost.registry.importing.database import Database

    if args.no_bulk:
        Database.bulk_load = _never_bulk  # type: ignore[method-assign]

    with tempfile.TemporaryDirectory(prefix="dost_bench_import_") as scratch:
        directory = args.source
        if directory is None:
            directory = Path(scratch)
            started = time.perf_counter()
            generate(args.persons, directory, args.format)
            print(f"generated {args.persons:,} persons in {time.perf_counter() - started:.1f} s")
        create_database()
        try:
            call_command("migrate", verbosity=0)
            load_geography(from_population=args.source is not None)
            server = _server_cpu()
            client = time.process_time()
            started = time.perf_counter()
            report = import_directory(directory, progress=not args.no_progress)
            total = time.perf_counter() - started
            client = time.process_time() - client
            server = _server_cpu() - server
            for file in report.files:
                state = "ok" if file.ok else f"REJECTED ({len(file.errors)} errors)"
                print(f"{file.path.name:24} {file.rows:>12,} rows {file.seconds:8.1f} s  {state}")
                for error in file.errors[:5]:
                    print(f"    {error}")
            print(f"{'total':24} {report.imported:>12,} rows {total:8.1f} s")
            # CPU seconds do not depend on what else the machine is doing, unlike the wall clock.
            print(f"cpu: client {client:.1f} s, PostgreSQL backend {server:.1f} s")
        finally:
            connections.close_all()
            if not args.keep:
                drop_database()
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
