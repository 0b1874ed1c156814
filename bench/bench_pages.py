"""Benchmark the server time of the main portal and back-office pages on a large registry.

    .venv/bin/python bench/bench_pages.py [--persons 1000000] [--reuse] [--keep] [--requests 30]

Creates the database `dost_bench_pages` on PostgreSQL (dropped first unless --reuse), migrates it
and loads the embedded demo at the given size with `dost demo` (realistic Azerbaijani names from
the population generator, the catalogue, a staffed centre, the demo accounts). Then it adds the
history a registry of that size carries after a year of service, with set-based SQL: one case
for every tenth household (a fifth still open in the centre's queues), an award for every
twentieth household with twelve months of payments, and an audit row per case. The payroll
runs are inserted approved, so their report totals are back-filled as on an upgrade.

Each page is requested through Django's test client in this process (the full middleware stack,
templates and queries on PostgreSQL, no network) for --requests different persons or cases, and
the median and 90th percentile of the wall time per request are printed, with the number of
SQL queries of the last request. The first request of each page is a warm-up and not counted.
"""

# ruff: noqa: S608 - the SQL below interpolates only integers read from the database
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "dost_bench_pages"
SERVER = "postgres://postgres@127.0.0.1:5432"
PERIODS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]


def _setup(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    os.environ.setdefault("DOST_COUNTRY", "az")
    import bench_snapshot

    if not args.reuse:
        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
        bench_snapshot.psql(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    # Also with --reuse: a kept database gets the migrations added since it was loaded.
    call_command("migrate", verbosity=0)
    if not args.reuse:
        started = time.perf_counter()
        call_command("demo", persons=args.persons)
        print(f"demo registry of {args.persons:,} persons loaded in "
              f"{time.perf_counter() - started:.0f} s")
    if not _history_done():
        started = time.perf_counter()
        _history()
        print(f"cases, awards, payments and audit rows added in "
              f"{time.perf_counter() - started:.0f} s")
    _totals()


def _totals() -> None:
    """The runs are inserted approved, as if signed off before the payroll totals existed: they
    get theirs the way an upgraded installation does (`dost payroll backfill-totals`)."""
    from dost.benefits.services.totals import payroll_totals_backfill

    started = time.perf_counter()
    written = payroll_totals_backfill()
    if written:
        print(f"payroll totals of {len(written)} approved runs back-filled "
              f"({sum(rows for _run, rows in written):,} rows) in "
              f"{time.perf_counter() - started:.1f} s")


def _history_done() -> bool:
    from dost.benefits.models import Payment

    return Payment.objects.count() > 1000


def _history() -> None:
    """A year of service in set-based SQL: cases, awards with payments, audit rows. In one
    transaction, so a stopped run leaves nothing half-made (the demo's own cases excepted)."""
    from django.db import connection, transaction

    with transaction.atomic():
        _history_sql(connection)


def _history_sql(connection: Any) -> None:

    from dost.catalog.models import Service
    from dost.centres.models import Centre

    centre = Centre.objects.order_by("id").first()
    services = list(Service.objects.order_by("id").values_list("id", flat=True)[:20])
    assert centre is not None and services, "the demo must have loaded a centre and a catalogue"
    services_sql = "ARRAY[" + ",".join(map(str, services)) + "]"
    with connection.cursor() as cursor:
        # One case per tenth household, applicant = its first member; every fifth still open
        # in the centre's officer queue; one application per service and household at most.
        cursor.execute(f"""
            INSERT INTO cases_case (kind, service_id, applicant_id, household_id, channel,
                period, status, centre_id, queue_role, grounds, notify_channels,
                submitted_on, due_on, decided_at, created_at, updated_at)
            SELECT 'application', ({services_sql})[1 + (h.id % {len(services)})], m.person_id,
                h.id, (ARRAY['centre','portal','proactive','call_centre'])[1 + h.id % 4],
                '2026-03',
                CASE WHEN h.id % 50 = 0 THEN 'submitted' ELSE 'decided' END,
                {centre.pk},
                CASE WHEN h.id % 50 = 0 THEN 'officer' ELSE '' END, '', '[]'::jsonb,
                DATE '2026-01-05' + (h.id % 60)::int, DATE '2026-01-25' + (h.id % 60)::int,
                CASE WHEN h.id % 50 = 0 THEN NULL ELSE now() END, now(), now()
            FROM registry_household h
            JOIN LATERAL (SELECT person_id FROM registry_membership
                          WHERE household_id = h.id ORDER BY id LIMIT 1) m ON true
            WHERE h.id % 10 = 0
        """)
        cursor.execute(f"""
            INSERT INTO benefits_award (service_id, household_id, person_id, frequency, currency,
                start, status, status_reason, bank, account, created_at, updated_at)
            SELECT ({services_sql})[1 + (h.id % {len(services)})], h.id, NULL, 'monthly',
                'AZN', DATE '2025-04-01', 'active', '', 'IBAZAZ2X',
                'AZ00IBAZ' || lpad(h.id::text, 20, '0'), now(), now()
            FROM registry_household h WHERE h.id % 20 = 0
        """)
        cursor.execute("""
            INSERT INTO benefits_awardamount (award_id, amount, valid_from, reason, created_at)
            SELECT id, 100 + id % 200, start, '', now() FROM benefits_award a
            WHERE NOT EXISTS (SELECT 1 FROM benefits_awardamount x WHERE x.award_id = a.id)
        """)
        for period in PERIODS:
            cursor.execute(
                "INSERT INTO benefits_payrollrun (period, status, started_at, completed_at) "
                "VALUES (%s, 'approved', now(), now()) ON CONFLICT (period) DO NOTHING",
                [period],
            )
        cursor.execute("""
            INSERT INTO benefits_payment (run_id, award_id, period, kind, amount, currency,
                bank, account, status, rejection_reason, created_at, updated_at)
            SELECT r.id, a.id, r.period, 'regular', 100 + a.id % 200, 'AZN', a.bank, a.account,
                'paid', '', now(), now()
            FROM benefits_award a CROSS JOIN benefits_payrollrun r
            WHERE a.bank = 'IBAZAZ2X'
        """)
        cursor.execute("""
            INSERT INTO audit_accessrecord (at, actor_id, api_client_id, actor_role, person_id,
                what, purpose, channel)
            SELECT now(), NULL, NULL, 'case officer', applicant_id, 'person 360', 'case work',
                'backoffice'
            FROM cases_case
        """)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


Page = tuple[str, str, Callable[[random.Random], tuple[str, dict[str, str]]]]
NAMES = ["Məmmədov", "Mamedov", "Əliyev", "Hüseynova", "Quliyev"]


def _pages() -> list[Page]:
    """(label, who, subject -> (path, query)): the pages a run visits, each for random subjects."""
    from django.urls import reverse

    from dost.cases.models import Case
    from dost.registry.models import Person

    open_cases = list(Case.objects.filter(queue_role="officer").order_by("id")
                      .values_list("id", flat=True)[:2000])
    persons = list(Person.objects.filter(pk__in=Case.objects.values("applicant_id")[:2000])
                   .values_list("id", "personal_id"))

    def fixed(name: str, query: dict[str, str] | None = None
              ) -> Callable[[random.Random], tuple[str, dict[str, str]]]:
        return lambda r: (reverse(name), dict(query or {}))

    return [
        ("back office: home", "officer", fixed("backoffice:home")),
        ("back office: search by personal ID", "officer",
         lambda r: (reverse("backoffice:search"),
                    {"query": r.choice(persons)[1], "purpose": "citizen enquiry"})),
        ("back office: search by name (fuzzy)", "officer",
         lambda r: (reverse("backoffice:search"),
                    {"query": r.choice(NAMES), "purpose": "citizen enquiry"})),
        ("back office: person 360", "officer",
         lambda r: (reverse("backoffice:person", args=[r.choice(persons)[0]]),
                    {"purpose": "case work"})),
        ("back office: work queue", "officer", fixed("backoffice:queue")),
        ("back office: case screen", "officer",
         lambda r: (reverse("backoffice:case", args=[r.choice(open_cases)]), {})),
        ("back office: approvals", "supervisor", fixed("backoffice:approvals")),
        ("back office: dashboards", "supervisor", fixed("backoffice:analysis:dashboards")),
        ("portal: cabinet", "citizen", fixed("portal:cabinet")),
        ("portal: my benefits and payments", "citizen", fixed("portal:benefits")),
        ("portal: my applications", "citizen", fixed("portal:applications")),
        ("portal: inbox", "citizen", fixed("portal:inbox")),
        ("portal: apply (service list)", "citizen", fixed("portal:apply")),
        ("portal: screener start", "anonymous", fixed("portal_tools:screener")),
        ("portal: pension calculator", "anonymous", fixed("portal_tools:pension")),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    _setup(args)
    clients = _clients(args.requests)
    print(f"{'page':40} {'median ms':>9} {'p90 ms':>8} {'queries':>8}")
    for label, who, path_of in _pages():
        times, queries = _measure(clients[who], path_of, args.requests, label)
        print(f"{label:40} {statistics.median(times):9.1f} "
              f"{statistics.quantiles(times, n=10)[-1]:8.1f} {queries:8d}", flush=True)
    if not args.keep:
        import bench_snapshot
        from django.db import connections

        connections.close_all()
        bench_snapshot.psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


def _measure(clients: list[Any], path_of: Callable[[random.Random], tuple[str, dict[str, str]]],
             requests: int, label: str) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(2026)
    times: list[float] = []
    queries = 0
    for index in range(requests + 1):
        path, query = path_of(rng)
        client = clients[index % len(clients)]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path, query, HTTP_HOST="127.0.0.1")
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{label}: {path} answered HTTP {response.status_code}")
        if index:
            times.append(elapsed)
        queries = len(captured)
    return times, queries


def _clients(citizens: int) -> dict[str, list[Any]]:
    """Signed-in test clients: the demo's officer and supervisor (past the second factor), a
    citizen for each of `citizens` households with history, and an anonymous visitor."""
    from django.contrib.auth.models import User
    from django.test import Client

    from dost.cases.models import Case
    from dost.security.models import CitizenLink
    from dost.security.testing import client_login_verified

    clients: dict[str, list[Any]] = {"anonymous": [Client()]}
    for username in ("officer", "supervisor"):
        clients[username] = [client_login_verified(Client(), User.objects.get(username=username))]
    clients["citizen"] = []
    applicants = Case.objects.order_by("id").values_list("applicant_id", flat=True)
    for person_id in list(dict.fromkeys(applicants[: citizens * 3]))[:citizens]:
        user, _created = User.objects.get_or_create(username=f"bench-citizen-{person_id}")
        CitizenLink.objects.get_or_create(person_id=person_id, defaults={"user": user})
        client = Client()
        client.force_login(user)
        clients["citizen"].append(client)
    return clients


if __name__ == "__main__":
    sys.exit(main())
