"""Benchmark cases on PostgreSQL: submit-to-decision, and a work-queue page.

    .venv/bin/python bench/bench_cases.py [--persons 1000000] [--queue 100000] [--reuse] [--keep]

Creates the database `dost_bench_cases` (dropped first unless --reuse), migrates it, loads a
synthetic registry with COPY (the generator of bench/bench_snapshot.py: 4 persons per household,
incomes, contracts, statuses, vehicles, real estate, utilities), the Azerbaijani catalogue and
holidays, and `--queue` open staff-decided cases in one centre's officer queue (COPY too).

Then it times, in this process (server time, no network):
- `case_submit` of a TSSA application for 50 different households, each decided by the rules
  at once (snapshot of the household, evaluation with explanation in four languages, decision,
  events, and the notification tasks queued in the database as in production; with
  `--immediate` the embedded backend sends them inside the call instead): median;
- the work-queue page (`/cases/queue/`, 50 rows) through Django's test Client as a logged-in
  officer: the first page and a page near the end of the queue, median of 20 requests each,
  with the number of queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import polars as pl

DATABASE = "dost_bench_cases"
SERVER = "postgres://postgres@127.0.0.1:5432"
PERIOD = "2026-03"
CENTRE = "baku-1"
STAFF_SERVICE = "02-01-01-01"  # complaint about labour rights: decided by staff
TSSA = "05-01-01-01"
TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


def load_queue(n_cases: int, n_households: int) -> None:
    """`n_cases` open cases for distinct households, in the officer queue of one centre."""
    from django.db import connection

    from dost.catalog.models import Service
    from dost.centres.models import Centre

    service = Service.objects.get(country="az", code=STAFF_SERVICE)
    centre = Centre.objects.create(code=CENTRE, country="az", names={
        "az": "Bakı 1", "uz": "Boku 1", "ru": "Баку 1", "en": "Baku 1",
    })
    now = dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC)
    step = max(1, n_households // n_cases)
    households = pl.int_range(0, n_cases, eager=True) * step + 1
    frame = pl.DataFrame({"household_id": households}).with_columns(
        applicant_id=(pl.col("household_id") - 1) * 4 + 1,
        kind=pl.lit("application"), service_id=pl.lit(service.pk), channel=pl.lit("portal"),
        period=pl.lit(PERIOD), status=pl.lit("submitted"), centre_id=pl.lit(centre.pk),
        queue_role=pl.lit("officer"), grounds=pl.lit(""), notify_channels=pl.lit('["portal"]'),
        submitted_on=pl.lit(dt.date(2026, 3, 2)),
        # Deadlines spread over a year, so the page really has to be ordered.
        due_on=pl.lit(dt.date(2026, 3, 16)) + pl.duration(days=pl.col("household_id") % 365),
        created_at=pl.lit(now), updated_at=pl.lit(now),
    )
    with connection.cursor() as cursor:
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        with cursor.cursor.copy(f"COPY cases_case ({columns}) FROM STDIN WITH (FORMAT csv)") as cp:
            cp.write(frame.write_csv(include_header=False))
        cursor.execute("ANALYZE cases_case")


def time_submissions(n: int) -> list[float]:
    from dost.cases.models import Decision
    from dost.cases.services import case_submit
    from dost.registry.models import Membership

    # Households spread over the registry whose head is alive.
    heads = list(
        Membership.objects.filter(
            role="head", person__death_date__isnull=True,
            household_id__in=range(11, 11 + n * 2 * 2003, 2003),
        ).order_by("household_id").values_list("household_id", "person_id")[:n]
    )
    timings = []
    for household_id, person_id in heads:
        started = time.perf_counter()
        case = case_submit(service=TSSA, applicant=person_id, household=household_id,
                           channel="portal", period=PERIOD, documents=TSSA_DOCS)
        timings.append(time.perf_counter() - started)
        assert Decision.objects.filter(case=case, is_current=True).exists()
    return timings


def time_snapshot_only(n: int) -> list[float]:
    from dost.cases.rules_bridge import _snapshot_frames

    timings = []
    for household_id in range(7, 7 + n * 4001, 4001):
        started = time.perf_counter()
        _snapshot_frames(PERIOD, household_id)
        timings.append(time.perf_counter() - started)
    return timings


def time_queue(runs: int) -> dict[str, tuple[float, int]]:
    from django.contrib.auth.models import Permission, User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dost.cases.models import Case

    user, _created = User.objects.get_or_create(username="bench-officer")
    user.user_permissions.add(Permission.objects.get(codename="work_case"))
    client = Client()
    client.force_login(user)
    queue = Case.objects.filter(centre__code=CENTRE, queue_role="officer").order_by(
        "due_on", "id"
    )
    deep = queue.values_list("due_on", "id")[max(0, queue.count() - 60)]
    results = {}
    for label, params in (
        ("first page", {"centre": CENTRE, "role": "officer"}),
        ("page near the end", {"centre": CENTRE, "role": "officer",
                               "after": f"{deep[0].isoformat()}_{deep[1]}"}),
    ):
        client.get("/cases/queue/", params)  # warm: calendar cache, templates
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/cases/queue/", params)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200
            assert response.content.count(b"<tr>") > 1
        results[label] = (statistics.median(timings), len(queries))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queue", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--reuse", action="store_true", help="time an existing database")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--build-only", action="store_true", help="build, time nothing (--keep)")
    parser.add_argument("--skip-submit", action="store_true", help="time the work queue only")
    parser.add_argument(
        "--immediate", action="store_true",
        help="send notifications inside the request (embedded mode) instead of queueing them",
    )
    args = parser.parse_args()
    if not args.immediate:
        # Production's task backend: the request only inserts the task; a worker sends.
        os.environ["DOST_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

    bench_dir = Path(__file__).resolve().parent
    sys.path.insert(0, str(bench_dir.parent))
    sys.path.insert(0, str(bench_dir))
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the log backend would print every message
    from bench_snapshot import generate, load, psql

    if not args.reuse:
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        psql(f"CREATE DATABASE {DATABASE}")

    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from dost.catalog.services import catalog_load, holidays_load

    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        frames = generate(args.persons)
        print(f"registry generated in {time.perf_counter() - started:.1f} s; loading with COPY:")
        connection.set_autocommit(True)
        load(frames)
        n_households = frames["registry_household"].height
        del frames
        catalog_load(country="az")
        holidays_load(country="az")
        started = time.perf_counter()
        load_queue(args.queue, n_households)
        print(f"{args.queue:,} open cases loaded in {time.perf_counter() - started:.1f} s")

    if args.build_only:
        connection.close()
        return 0
    if not args.skip_submit:
        snap = time_snapshot_only(10)
        print(f"household snapshot alone: median {statistics.median(snap) * 1000:.0f} ms")
        subs = time_submissions(args.submissions)
        mode = "notifications sent in-request" if args.immediate else "notifications queued"
        print(f"submit-to-decision (TSSA, rules; {mode}): "
              f"median {statistics.median(subs) * 1000:.0f} ms, "
              f"p90 {sorted(subs)[int(len(subs) * 0.9)] * 1000:.0f} ms over {len(subs)} "
              f"submissions (first {subs[0] * 1000:.0f} ms)")
    for label, (median, queries) in time_queue(20).items():
        print(f"work queue, {label}: median {median * 1000:.0f} ms, {queries} queries")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
