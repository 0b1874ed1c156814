"""Benchmark the payroll on PostgreSQL: a run over N active awards, then a second run.

    .venv/bin/python bench/bench_payroll.py [--awards 1000000] [--keep]
    .venv/bin/python bench/bench_payroll.py --scan 1000000

With --scan N it times the nightly non-take-up scan instead: it builds the synthetic registry
of bench/bench_snapshot.py (database `dost_bench_snapshot`, N persons), loads the catalogue and
times `scan_non_take_up` for 2026-03 (target: 1M persons ≤ 60 s).

Creates the database `dost_bench_payroll` (dropped first), migrates it, loads the Azerbaijani
catalogue, N persons and N monthly awards with their first amount by COPY (2 % back-dated three
months, so they are owed arrears; 1 % suspended), then times `payroll_run` for the period
(target: 1M active awards ≤ 3 min) and a second run of the same period (target: 0 payments).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import polars as pl

DATABASE = "dost_bench_payroll"
SERVER = "postgres://postgres@127.0.0.1:5432"
PERIOD = "2026-03"


def _database(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {DATABASE}")


def _copy(table: str, frame: pl.DataFrame) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)") as cp:
            cp.write(frame.write_csv(include_header=False))
        cursor.execute(f"ANALYZE {table}")


def load(n: int) -> None:
    from dost.catalog.models import Service
    from dost.catalog.services import catalog_load

    catalog_load(country="az")
    service = Service.objects.get(country="az", code="04-01-01-01")
    now = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    ids = pl.int_range(1, n + 1, eager=True)
    _copy("registry_person", pl.DataFrame({"id": ids}).with_columns(
        country=pl.lit("az"), personal_id=pl.format("B{}", pl.col("id").cast(pl.String)),
        last_name=pl.lit("Bench"), first_name=pl.lit("Person"), patronymic=pl.lit(""),
        birth_date=pl.lit(dt.date(1955, 1, 1)), sex=pl.lit("M"), citizenship=pl.lit("AZ"),
        residence_status=pl.lit("permanent"), preferred_language=pl.lit("az"),
        phone=pl.lit(""), email=pl.lit(""), created_at=pl.lit(now), updated_at=pl.lit(now),
    ))
    awards = pl.DataFrame({"id": ids}).with_columns(
        service_id=pl.lit(service.pk), person_id=pl.col("id"), frequency=pl.lit("monthly"),
        currency=pl.lit("AZN"),
        start=pl.when(pl.col("id") % 50 == 0).then(pl.lit(dt.date(2025, 12, 1)))
        .otherwise(pl.lit(dt.date(2026, 3, 1))),
        status=pl.when(pl.col("id") % 100 == 1).then(pl.lit("suspended"))
        .otherwise(pl.lit("active")),
        status_reason=pl.lit(""),
        bank=pl.when(pl.col("id") % 3 == 0).then(pl.lit("IBAZAZ2X")).otherwise(pl.lit("KAPIAZ2X")),
        account=pl.format("AZ00KAPI{}", pl.col("id").cast(pl.String).str.zfill(20)),
        created_at=pl.lit(now), updated_at=pl.lit(now),
    )
    _copy("benefits_award", awards)
    _copy("benefits_awardamount", awards.select(
        award_id=pl.col("id"), amount=pl.lit("400.00"), valid_from=pl.col("start"),
        reason=pl.lit("award"), created_at=pl.lit(now),
    ))
    from django.db import connection

    with connection.cursor() as cursor:
        # Rows were copied with their ids: move the sequences past them.
        cursor.execute("SELECT setval(pg_get_serial_sequence('registry_person', 'id'), %s)", [n])
        cursor.execute("SELECT setval(pg_get_serial_sequence('benefits_award', 'id'), %s)", [n])


def scan(n: int) -> int:
    import subprocess

    here = Path(__file__).resolve().parent
    subprocess.run(
        [sys.executable, str(here / "bench_snapshot.py"), "--persons", str(n), "--keep"],
        check=True,
    )
    os.environ["DATABASE_URL"] = f"{SERVER}/dost_bench_snapshot"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import django

    django.setup()
    from dost.catalog.services import catalog_load
    from dost.proactive.services.scan import scan_non_take_up

    catalog_load(country="az")
    started = time.perf_counter()
    found = scan_non_take_up(period=PERIOD, country="az")
    print(f"scan of {n:,} persons: {found.found:,} likely eligible and not paid, "
          f"{time.perf_counter() - started:.1f} s; by service {dict(found.by_service)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--awards", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--scan", type=int, default=0, help="time the scan of N persons")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if args.scan:
        return scan(args.scan)
    _database()
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from dost.benefits.models import Payment
    from dost.benefits.services.payroll import payroll_run

    call_command("migrate", verbosity=0, skip_checks=True)
    started = time.perf_counter()
    load(args.awards)
    print(f"loaded {args.awards:,} awards in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    first = payroll_run(period=PERIOD)
    first_s = time.perf_counter() - started
    print(f"first run: {first.created:,} payments in {first_s:.1f} s "
          f"({Payment.objects.count():,} in the table)")
    started = time.perf_counter()
    second = payroll_run(period=PERIOD)
    print(f"second run: {second.created:,} payments in {time.perf_counter() - started:.1f} s")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _database(drop_only=True)
    return 0 if second.created == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
