from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dost.catalog.models import Holiday
from dost.centres import services
from dost.centres.models import CentreClosure, TicketSource, TicketStatus
from dost.centres.selectors import board_state, estimated_wait_minutes

from .conftest import DAY, World, at


def issue(world: World, group=None, priority: str = "", when: dt.datetime | None = None):
    return services.ticket_issue(
        service_group=group or world.group_a, source=TicketSource.KIOSK,
        priority_reason=priority, now=when or at(10),
    )


def test_it_numbers_tickets_per_group_and_day(world: World) -> None:
    a1, a2 = issue(world), issue(world)
    b1 = issue(world, world.group_b)
    next_day = issue(world, when=at(10, day=DAY + dt.timedelta(days=1)))
    assert [a1.code, a2.code, b1.code, next_day.code] == ["A-001", "A-002", "B-001", "A-001"]


@pytest.mark.parametrize(
    "when", [at(8, 59), at(18), at(10, day=dt.date(2026, 3, 8))],  # before, after, a Sunday
)
def test_it_refuses_tickets_when_the_centre_is_closed(world: World, when: dt.datetime) -> None:
    with pytest.raises(ValidationError, match="closed"):
        issue(world, when=when)


def test_it_closes_on_country_holidays_and_centre_closures(world: World) -> None:
    Holiday.objects.create(country="az", date=DAY, kind="public", names={})
    with pytest.raises(ValidationError):
        issue(world)
    Holiday.objects.all().delete()
    CentreClosure.objects.create(centre=world.centre, date=DAY)
    with pytest.raises(ValidationError):
        issue(world)


def test_it_opens_on_a_working_saturday_declared_for_a_closed_weekday(world: World) -> None:
    world.centre.opening_hours.filter(weekday=5).delete()
    saturday = dt.date(2026, 3, 7)
    with pytest.raises(ValidationError):
        issue(world, when=at(10, day=saturday))
    Holiday.objects.create(country="az", date=saturday, kind="working_saturday", names={})
    assert issue(world, when=at(10, day=saturday)).code == "A-001"


def test_it_calls_priority_first_but_never_starves_the_normal_lane(world: World) -> None:
    normal = [issue(world, when=at(9, 1 + i)) for i in range(3)]
    priority = [issue(world, priority="elderly", when=at(9, 10 + i)) for i in range(5)]
    order = []
    for minute in range(8):
        ticket = services.ticket_call_next(
            counter=world.counter1, operator=world.operator1, now=at(10, minute),
        )
        assert ticket is not None
        order.append(ticket.pk)
        services.ticket_no_show(ticket=ticket)
    p, n = [t.pk for t in priority], [t.pk for t in normal]
    # Two priority calls, then one normal, while both lanes wait; then what is left.
    assert order == [p[0], p[1], n[0], p[2], p[3], n[1], p[4], n[2]]
    assert services.ticket_call_next(
        counter=world.counter1, operator=world.operator1, now=at(11),
    ) is None


def test_it_refuses_to_call_while_the_counter_has_a_ticket(world: World) -> None:
    issue(world)
    issue(world)
    services.ticket_call_next(counter=world.counter1, operator=world.operator1, now=at(10, 1))
    with pytest.raises(ValidationError, match="Finish the current ticket"):
        services.ticket_call_next(counter=world.counter1, operator=world.operator1, now=at(10, 2))


def test_it_only_calls_the_groups_a_counter_serves(world: World) -> None:
    issue(world, world.group_b)
    assert services.ticket_call_next(
        counter=world.counter1, operator=world.operator1, now=at(10, 1),
    ) is None
    called = services.ticket_call_next(
        counter=world.counter2, operator=world.operator2, now=at(10, 1),
    )
    assert called is not None and called.code == "B-001"


def test_it_runs_a_ticket_from_call_to_end_with_recall(world: World) -> None:
    issued = issue(world)
    ticket = services.ticket_call_next(
        counter=world.counter1, operator=world.operator1, now=at(10, 3),
    )
    assert ticket is not None and ticket.pk == issued.pk
    ticket = services.ticket_recall(ticket=ticket, now=at(10, 4))
    assert ticket.recall_count == 1 and ticket.called_at == at(10, 3)
    assert ticket.last_called_at == at(10, 4)
    with pytest.raises(ValidationError):
        services.ticket_end_service(ticket=ticket)
    ticket = services.ticket_start_service(ticket=ticket, now=at(10, 5))
    ticket = services.ticket_end_service(ticket=ticket, case_reference=" C-1 ", now=at(10, 12))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert ticket.case_reference == "C-1"
    assert (ticket.wait_seconds, ticket.service_seconds) == (180, 420)
    with pytest.raises(ValidationError):
        services.ticket_no_show(ticket=ticket)


def test_it_transfers_a_visitor_keeping_their_place(world: World) -> None:
    first = issue(world, when=at(9, 30))
    issue(world, world.group_b, when=at(9, 40))
    ticket = services.ticket_call_next(
        counter=world.counter1, operator=world.operator1, now=at(10),
    )
    assert ticket is not None
    with pytest.raises(ValidationError, match="another service"):
        services.ticket_transfer(ticket=ticket, service_group=world.group_a, now=at(10, 1))
    moved = services.ticket_transfer(ticket=ticket, service_group=world.group_b, now=at(10, 2))
    first.refresh_from_db()
    assert first.status == TicketStatus.TRANSFERRED
    assert (moved.code, moved.source, moved.queued_at) == ("B-002", "transfer", at(9, 30))
    # It queued at 09:30, before B-001 (09:40): counter 3 calls it first.
    nxt = services.ticket_call_next(counter=world.counter3, operator=world.operator2, now=at(10, 3))
    assert nxt is not None and nxt.pk == moved.pk


def test_it_estimates_the_wait_from_the_passport_then_from_recent_services(world: World) -> None:
    tickets = [issue(world, when=at(9, i)) for i in range(6)]
    # Six waiting, no history: 6 × 10 standard minutes ÷ 2 counters (1 and 2 serve A) = 30.
    assert estimated_wait_minutes(group=world.group_a, now=at(9, 30)) == 30
    # A ticket sees only those ahead of it: 2 × 10 ÷ 2 = 10.
    assert estimated_wait_minutes(group=world.group_a, ticket=tickets[2], now=at(9, 30)) == 10
    # Five visits of 4 minutes each: the recent mean takes over. 1 left × 4 min ÷ 2 = 2.
    for i, ticket in enumerate(tickets[:5]):
        ticket = services.ticket_call_next(
            counter=world.counter1, operator=world.operator1, now=at(10, 10 * i),
        )
        assert ticket is not None
        services.ticket_start_service(ticket=ticket, now=at(10, 10 * i))
        services.ticket_end_service(ticket=ticket, now=at(10, 10 * i + 4))
    assert estimated_wait_minutes(group=world.group_a, now=at(11)) == 2


def test_it_shows_the_most_recent_calls_on_the_board(world: World) -> None:
    for i in range(3):
        issue(world, when=at(9, i))
    one = services.ticket_call_next(counter=world.counter1, operator=world.operator1, now=at(10))
    two = services.ticket_call_next(counter=world.counter2, operator=world.operator2,
                                    now=at(10, 1))
    assert one is not None and two is not None
    services.ticket_recall(ticket=one, now=at(10, 2))
    board = board_state(centre=world.centre, now=at(10, 3))
    assert [t.code for t in board.called] == ["A-001", "A-002"]
    assert [(q.group.letter, q.waiting) for q in board.queues] == [("A", 1), ("B", 0)]


def test_it_takes_a_remote_ticket_for_a_known_person(world: World) -> None:
    from dost.registry.models import Person
    from dost.registry.tests.factories import PersonFactory

    person: Person = PersonFactory.create()
    ticket = services.ticket_issue(
        service_group=world.group_a, source=TicketSource.PORTAL, person=person,
        service=world.service_a, now=at(9, 30),
    )
    assert (ticket.code, ticket.person, ticket.source) == ("A-001", person, "portal")
    with pytest.raises(ValidationError, match="not offered"):
        services.ticket_issue(service_group=world.group_a, source=TicketSource.PORTAL,
                              service=world.service_b, now=at(9, 31))
