from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from dost.centres import services
from dost.centres.models import AppointmentStatus, TicketSource
from dost.centres.selectors import appointment_slots, slot_capacity

from .conftest import DAY, World, at


def test_it_cuts_the_day_into_slots_of_the_standard_minutes(world: World) -> None:
    # Group B: 20 standard minutes, 09:00–18:00 → 27 slots; counters 2 and 3 at 50 % → 1 each.
    slots = appointment_slots(service_group=world.group_b, day=DAY, now=at(8))
    assert len(slots) == 27
    assert (slots[0].starts_at, slots[-1].starts_at) == (at(9), at(17, 40))
    assert {s.capacity for s in slots} == {1}
    world.group_b.appointment_share = 100
    world.group_b.save()
    assert slot_capacity(service_group=world.group_b) == 2
    # Slots already begun are not offered; a closed day has none.
    assert appointment_slots(service_group=world.group_b, day=DAY, now=at(17, 30))[0].starts_at \
        == at(17, 40)
    assert appointment_slots(service_group=world.group_b, day=dt.date(2026, 3, 8), now=at(8)) == []


def test_it_books_until_the_slot_is_full_and_frees_it_on_cancel(world: World) -> None:
    first = services.appointment_book(
        service_group=world.group_b, starts_at=at(9, 20), name="Leyla", now=at(8),
    )
    with pytest.raises(ValidationError, match="no longer available"):
        services.appointment_book(
            service_group=world.group_b, starts_at=at(9, 20), name="Aysel", now=at(8),
        )
    with pytest.raises(ValidationError):  # not a slot boundary
        services.appointment_book(
            service_group=world.group_b, starts_at=at(9, 25), name="Aysel", now=at(8),
        )
    services.appointment_cancel(appointment=first)
    with pytest.raises(ValidationError):
        services.appointment_cancel(appointment=first)
    services.appointment_book(
        service_group=world.group_b, starts_at=at(9, 20), name="Aysel", now=at(8),
    )


def test_it_reschedules_to_a_free_slot_only(world: World) -> None:
    mine = services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", now=at(8),
    )
    services.appointment_book(
        service_group=world.group_b, starts_at=at(11), name="Aysel", now=at(8),
    )
    with pytest.raises(ValidationError):
        services.appointment_reschedule(appointment=mine, starts_at=at(11), now=at(8))
    # Its own slot stays available to it.
    services.appointment_reschedule(appointment=mine, starts_at=at(10), now=at(8))
    moved = services.appointment_reschedule(appointment=mine, starts_at=at(12), now=at(8))
    assert moved.starts_at == at(12)


def test_it_checks_in_ahead_of_later_walk_ins_within_the_grace(world: World) -> None:
    appointment = services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", now=at(8),
    )
    services.ticket_issue(service_group=world.group_b, source=TicketSource.KIOSK, now=at(10, 2))
    ticket = services.appointment_check_in(appointment=appointment, now=at(10, 8))
    assert (ticket.source, ticket.queued_at, ticket.code) == ("appointment", at(10), "B-002")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    called = services.ticket_call_next(counter=world.counter3, operator=world.operator2,
                                       now=at(10, 9))
    assert called is not None and called.pk == ticket.pk
    with pytest.raises(ValidationError):
        services.appointment_check_in(appointment=appointment, now=at(10, 9))


def test_it_queues_a_late_arrival_as_a_walk_in(world: World) -> None:
    appointment = services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", now=at(8),
    )
    ticket = services.appointment_check_in(appointment=appointment, now=at(10, 30))
    assert ticket.queued_at == at(10, 30)


def test_it_refuses_check_in_on_another_day(world: World) -> None:
    appointment = services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", now=at(8),
    )
    with pytest.raises(ValidationError, match="another day"):
        services.appointment_check_in(
            appointment=appointment, now=at(10, day=DAY - dt.timedelta(days=1)),
        )


@pytest.mark.django_db(transaction=True)
def test_it_sends_each_reminder_once(world: World) -> None:
    services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", email="l@example.org",
        phone="+994501234567", now=at(8, day=DAY - dt.timedelta(days=1)),
    )
    services.appointment_book(
        service_group=world.group_b, starts_at=at(12, day=DAY + dt.timedelta(days=1)),
        name="Later", email="x@example.org", now=at(8),
    )
    eve = at(11, day=DAY - dt.timedelta(days=1))
    assert services.appointment_reminders_send(now=eve) == 1
    assert services.appointment_reminders_send(now=eve) == 0
    assert [m.to for m in mail.outbox] == [["l@example.org"]]
    assert "DOST centre No. 1" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_reminder_task(world: World) -> None:
    import time_machine

    from dost.centres.tasks import send_appointment_reminders

    services.appointment_book(
        service_group=world.group_b, starts_at=at(10), name="Leyla", email="l@example.org",
        now=at(8, day=DAY - dt.timedelta(days=1)),
    )
    with time_machine.travel(at(12, day=DAY - dt.timedelta(days=1)), tick=False):
        assert send_appointment_reminders.call() == 1
        assert send_appointment_reminders.call() == 0
    assert len(mail.outbox) == 1
