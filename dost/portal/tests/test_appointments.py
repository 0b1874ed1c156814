"""Booking, moving and cancelling an appointment, and rating a visit, as a signed-in citizen."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dost.centres.models import Appointment, Rating, Ticket, TicketSource, TicketStatus

from .conftest import World


def _day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def _at(hour: int) -> str:
    return dt.datetime.combine(
        _day(), dt.time(hour), tzinfo=timezone.get_current_timezone()
    ).isoformat()


def test_it_books_moves_and_cancels_my_appointment(world: World, citizen_client: Client) -> None:
    c = citizen_client
    response = c.get(reverse("portal:book_centre"), {"centre": "baku-1"})
    assert response["Location"] == reverse("portal:book_slot", args=["baku-1"])
    url = reverse("portal:book_slot", args=["baku-1"])
    query = f"?service_group={world.group.pk}&day={_day().isoformat()}"
    page = c.get(url + query).content.decode()
    assert "Free times for Pensions" in page and 'value="' + _at(10) + '"' in page
    response = c.post(url + query, {"starts_at": _at(10)})
    assert response["Location"] == reverse("portal:appointments")
    appointment = Appointment.objects.get(person=world.citizen)
    assert appointment.name == world.citizen.full_name and appointment.phone == "+994501234567"
    listing = c.get(reverse("portal:appointments")).content.decode()
    assert appointment.code in listing
    move = reverse("portal:appointment_move", args=[appointment.pk])
    response = c.post(move + f"?day={_day().isoformat()}", {"starts_at": _at(11)})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == dt.datetime.fromisoformat(_at(11))
    cancel = reverse("portal:appointment_cancel", args=[appointment.pk])
    assert "will be cancelled" in c.get(cancel).content.decode()
    c.post(cancel)
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    # A cancelled appointment can no longer be moved.
    assert c.get(move)["Location"] == reverse("portal:appointments")


def test_it_shows_a_slot_error_in_the_summary(world: World, citizen_client: Client) -> None:
    url = reverse("portal:book_slot", args=["baku-1"])
    query = f"?service_group={world.group.pk}&day={_day().isoformat()}"
    html = citizen_client.post(url + query, {}).content.decode()
    assert 'href="#id_starts_at_0"' in html and "Choose a time." in html


def test_it_lets_me_rate_a_finished_visit_once(world: World, citizen_client: Client) -> None:
    now = timezone.now()
    ticket = Ticket.objects.create(
        centre=world.centre, service_group=world.group, day=timezone.localdate(), number=1,
        source=TicketSource.KIOSK, person=world.citizen, status=TicketStatus.DONE,
        issued_at=now, queued_at=now,
    )
    other = Ticket.objects.create(
        centre=world.centre, service_group=world.group, day=timezone.localdate(), number=2,
        source=TicketSource.KIOSK, person=world.other, status=TicketStatus.DONE,
        issued_at=now, queued_at=now,
    )
    url = reverse("portal:visit_rate", args=[ticket.pk])
    assert url in citizen_client.get(reverse("portal:appointments")).content.decode()
    response = citizen_client.post(url, {"quality": "5", "timeliness": "4", "courtesy": "5"})
    assert response.status_code == 302
    assert Rating.objects.get(ticket=ticket).timeliness == 4
    assert citizen_client.get(url).status_code == 404  # rated already
    assert citizen_client.get(
        reverse("portal:visit_rate", args=[other.pk])).status_code == 404
