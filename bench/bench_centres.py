"""Benchmark: many counters calling tickets at once against PostgreSQL.

    .venv/bin/python bench/bench_centres.py                          # 50 counters, 10,000 calls
    .venv/bin/python bench/bench_centres.py --counters 20 --calls 2000

Creates the database `dost_bench_centres` (dropping an old one), migrates it, makes one centre
with one queue served by every counter and `--calls` waiting tickets (one in ten in the
priority lane), then starts one thread per counter, each with its own database connection.
Every thread loops `ticket_call_next` → `ticket_no_show` (so its counter is free for the next
call) until the queue is empty. It prints calls per second (calls ÷ wall time, the no-show
transaction included) and the number of tickets called more than once (must be 0), then drops
the database unless `--keep`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

import psycopg

DATABASE = "dost_bench_centres"
SERVER = "postgres://postgres@127.0.0.1:5432"


def recreate_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def drop_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    recreate_database()
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dost.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # As in production: DEBUG would record every query in memory.
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from dost.centres import services
    from dost.centres.models import Centre, Counter, ServiceGroup, Ticket, TicketStatus

    try:
        call_command("migrate", verbosity=0)
        now = timezone.now()
        day = timezone.localdate(now)
        centre = Centre.objects.create(code="bench", country="az", names={"en": "Bench"})
        group = ServiceGroup.objects.create(
            centre=centre, letter="A", names={"en": "All"}, standard_minutes=7,
        )
        operator = User.objects.create_user("bench-operator")
        counters = []
        for number in range(1, args.counters + 1):
            counter = Counter.objects.create(centre=centre, number=number)
            counter.service_groups.add(group)
            counters.append(counter)
        issued = now - dt.timedelta(hours=1)
        Ticket.objects.bulk_create(
            (
                Ticket(
                    centre=centre, service_group=group, day=day, number=n,
                    is_priority=n % 10 == 0, priority_reason="elderly" if n % 10 == 0 else "",
                    source="kiosk", issued_at=issued,
                    queued_at=issued + dt.timedelta(milliseconds=n),
                )
                for n in range(1, args.calls + 1)
            ),
            batch_size=2000,
        )
        connections.close_all()

        called: list[list[int]] = [[] for _ in counters]
        errors: list[BaseException] = []
        barrier = threading.Barrier(args.counters + 1)

        def work(index: int) -> None:
            try:
                barrier.wait()
                while True:
                    ticket = services.ticket_call_next(counter=counters[index], operator=operator)
                    if ticket is None:
                        return
                    called[index].append(ticket.pk)
                    services.ticket_no_show(ticket=ticket)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(args.counters)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started

        every = [pk for ids in called for pk in ids]
        duplicates = len(every) - len(set(every))
        left = Ticket.objects.filter(status=TicketStatus.WAITING).count()
        busiest, idlest = max(map(len, called)), min(map(len, called))
        print(f"counters            {args.counters}")
        print(f"calls               {len(every)}")
        print(f"seconds             {seconds:.2f}")
        print(f"calls/s             {len(every) / seconds:.0f}")
        print(f"duplicate calls     {duplicates}")
        print(f"tickets left        {left}")
        print(f"calls per counter   {idlest}–{busiest}")
        print(f"errors              {len(errors)}")
        for error in errors[:3]:
            print(f"  {error!r}")
        connections.close_all()
        return 0 if not errors and duplicates == 0 and len(every) == args.calls else 1
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    sys.exit(main())
