"""Concurrent calling from many counters against PostgreSQL, each thread on its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dost.centres import services
from dost.centres.models import Counter, Ticket, TicketStatus

from .conftest import DAY, World, at

THREADS = 20
TICKETS = 400

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time (BEGIN IMMEDIATE), so there is no concurrent "
    "calling to test; row locks with SKIP LOCKED exist on PostgreSQL only.",
)


@pytest.mark.django_db(transaction=True)
def test_it_never_calls_a_ticket_twice_from_concurrent_counters(world: World) -> None:
    counters = []
    for number in range(10, 10 + THREADS):
        counter = Counter.objects.create(centre=world.centre, number=number)
        counter.service_groups.set([world.group_a])
        counters.append(counter)
    Ticket.objects.bulk_create(
        Ticket(centre=world.centre, service_group=world.group_a, day=DAY, number=n,
               is_priority=n % 5 == 0, priority_reason="elderly" if n % 5 == 0 else "",
               source="kiosk", issued_at=at(9), queued_at=at(9, 0, n % 60))
        for n in range(1, TICKETS + 1)
    )
    called: list[list[int]] = [[] for _ in counters]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(index: int) -> None:
        try:
            start.wait()
            while True:
                ticket = services.ticket_call_next(
                    counter=counters[index], operator=world.operator1, now=at(10),
                )
                if ticket is None:
                    return
                called[index].append(ticket.pk)
                services.ticket_no_show(ticket=ticket)
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    every = [pk for ids in called for pk in ids]
    assert len(every) == TICKETS
    assert len(set(every)) == TICKETS
    # The work was shared: more than one counter called tickets.
    assert sum(1 for ids in called if ids) > 1
    assert Ticket.objects.filter(status=TicketStatus.NO_SHOW).count() == TICKETS
