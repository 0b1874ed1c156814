from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dost.centres import services
from dost.centres.models import (
    Appointment,
    AppointmentStatus,
    Escalation,
    EscalationStatus,
    Ticket,
    TicketStatus,
)

from .conftest import DAY, World, at


@pytest.fixture(autouse=True)
def _ten_o_clock() -> Iterator[None]:
    with time_machine.travel(at(10), tick=False):
        yield


def served(world: World) -> Ticket:
    services.ticket_issue(service_group=world.group_a, source="kiosk")
    ticket = services.ticket_call_next(counter=world.counter1, operator=world.operator1)
    assert ticket is not None
    services.ticket_start_service(ticket=ticket)
    return services.ticket_end_service(ticket=ticket)


def test_it_issues_a_ticket_at_the_kiosk_with_a_qr_code(world: World, client: Client) -> None:
    url = reverse("centres:kiosk", args=["baku-1"])
    response = client.post(url, {"service_group": world.group_b.pk,
                                 "priority_reason": "pregnant"})
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("centres:ticket", args=[ticket.rating_token])
    assert (ticket.code, ticket.is_priority, ticket.source) == ("B-001", True, "kiosk")
    page = client.get(response["Location"]).content.decode()
    assert "B-001" in page and '<svg' in page and ticket.rating_token[:8] in page


def test_it_explains_a_missing_choice_and_a_closed_centre(world: World, client: Client) -> None:
    url = reverse("centres:kiosk", args=["baku-1"])
    page = client.post(url, {}).content.decode()
    assert "error-summary" in page and "Choose the service you came for." in page
    with time_machine.travel(at(19), tick=False):
        page = client.post(url, {"service_group": world.group_a.pk}).content.decode()
    assert "The centre is closed now." in page
    assert not Ticket.objects.exists()


def test_it_checks_in_an_appointment_at_the_kiosk(world: World, client: Client) -> None:
    with time_machine.travel(at(8), tick=False):
        appointment = services.appointment_book(
            service_group=world.group_b, starts_at=at(10), name="Leyla",
        )
    response = client.post(reverse("centres:kiosk_code", args=["baku-1"]),
                            {"code": appointment.code})
    ticket = Ticket.objects.get()
    assert response["Location"] == reverse("centres:ticket", args=[ticket.rating_token])
    assert ticket.appointment == appointment
    response = client.post(reverse("centres:kiosk_code", args=["baku-1"]), {"code": "nothing!"})
    assert response.status_code == 400
    assert "No booking or ticket has this code." in response.content.decode()


def test_it_sends_a_ticket_code_from_the_kiosk_to_the_rating_page(
    world: World, client: Client,
) -> None:
    ticket = served(world)
    response = client.post(reverse("centres:kiosk_code", args=["baku-1"]),
                           {"code": ticket.rating_token[:8]})
    assert response["Location"].endswith(f"/rate/{ticket.rating_token}/?channel=kiosk")
    response = client.post(response["Location"], {
        "quality": 5, "timeliness": 5, "courtesy": 4, "channel": "kiosk",
    })
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.rating.channel == "kiosk"
    assert not Escalation.objects.exists()
    page = client.get(reverse("centres:rate", args=[ticket.rating_token])).content.decode()
    assert "already been rated" in page


def test_it_rates_only_finished_visits_and_404s_unknown_tokens(
    world: World, client: Client,
) -> None:
    waiting = services.ticket_issue(service_group=world.group_a, source="kiosk")
    page = client.get(reverse("centres:rate", args=[waiting.rating_token])).content.decode()
    assert "once it is finished" in page
    assert client.get(reverse("centres:rate", args=["guess"])).status_code == 404


def test_it_renders_the_board_and_its_fragment_in_few_queries(
    world: World, client: Client, django_assert_max_num_queries,
) -> None:
    for _ in range(5):
        services.ticket_issue(service_group=world.group_a, source="kiosk")
    services.ticket_call_next(counter=world.counter1, operator=world.operator1)
    services.ticket_call_next(counter=world.counter2, operator=world.operator2)
    url = reverse("centres:board", args=["baku-1"])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert 'http-equiv="refresh"' in page and "site.js" in page
    with django_assert_max_num_queries(20):
        fragment = client.get(url, {"fragment": 1}).content.decode()
    assert "<html" not in fragment and "A-002" in fragment and "A-001" in fragment


def test_it_keeps_the_desk_to_operators_with_a_shift(world: World, client: Client) -> None:
    url = reverse("centres:desk", args=[world.counter1.pk])
    assert client.get(url)["Location"].startswith(reverse("centres:login"))
    client.force_login(world.operator2)  # has a shift at counter 2, not 1
    assert client.get(url).status_code == 404
    client.force_login(world.supervisor)  # no operator permission
    assert client.get(url).status_code == 403
    client.force_login(world.operator1)
    assert client.get(url).status_code == 200


def test_it_calls_and_transfers_from_the_desk(world: World, client: Client) -> None:
    services.ticket_issue(service_group=world.group_a, source="kiosk")
    client.force_login(world.operator1)
    client.post(reverse("centres:desk_call", args=[world.counter1.pk]))
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED
    page = client.get(reverse("centres:desk", args=[world.counter1.pk])).content.decode()
    assert "A-001" in page and "Call next" not in page
    client.post(reverse("centres:desk_action", args=[world.counter1.pk, ticket.pk, "transfer"]),
                {"service_group": world.group_b.pk})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.TRANSFERRED
    assert ticket.transferred_to.code == "B-001"
    # Another counter's ticket cannot be touched from this desk.
    other = services.ticket_issue(service_group=world.group_a, source="kiosk")
    response = client.post(
        reverse("centres:desk_action", args=[world.counter1.pk, other.pk, "start"]),
    )
    assert response.status_code == 404


def test_it_books_moves_and_cancels_an_appointment(world: World, client: Client) -> None:
    url = reverse("centres:appointments", args=["baku-1"])
    query: dict[str, int | str] = {"service_group": world.group_b.pk, "day": DAY.isoformat()}
    page = client.get(url, query).content.decode()
    assert "10:20" in page and "10:00" not in page  # slots already begun are not offered
    response = client.post(f"{url}?service_group={world.group_b.pk}&day={DAY.isoformat()}", {
        "starts_at": at(11).isoformat(), "name": "Leyla Aliyeva", "phone": "+994501234567",
    })
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("centres:appointment", args=[appointment.token])
    manage = response["Location"]
    assert appointment.code in client.get(manage).content.decode()
    client.post(manage, {"starts_at": at(12).isoformat()})
    appointment.refresh_from_db()
    assert appointment.starts_at == at(12)
    client.post(manage, {"action": "cancel"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_it_lets_the_supervisor_resolve_an_escalation(
    world: World, client: Client, django_assert_max_num_queries,
) -> None:
    services.rating_submit(ticket=served(world), quality=1, timeliness=2, courtesy=3,
                           comment="Rude")
    for _ in range(3):
        services.rating_submit(ticket=served(world), quality=2, timeliness=2, courtesy=2)
    escalation = Escalation.objects.order_by("pk").first()
    assert escalation is not None
    client.force_login(world.supervisor)
    # The list costs the same for 4 escalations as for 1: one query for the rows.
    with django_assert_max_num_queries(8):
        page = client.get(reverse("centres:escalations", args=["baku-1"])).content.decode()
    assert "Rude" in page and "1 / 2 / 3" in page and page.count("2 / 2 / 2") == 3
    url = reverse("centres:escalation", args=[escalation.pk])
    assert "error-summary" in client.post(url, {"resolution": ""}).content.decode()
    client.post(url, {"resolution": "Talked to the operator; apologised by phone."})
    escalation.refresh_from_db()
    assert (escalation.status, escalation.resolved_by) == (EscalationStatus.RESOLVED,
                                                            world.supervisor)


def test_it_refuses_a_reversed_kpi_range(world: World, client: Client) -> None:
    client.force_login(world.supervisor)
    page = client.get(reverse("centres:kpis", args=["baku-1"]), {
        "start": "2026-03-05", "end": "2026-03-04", "by": "day",
    }).content.decode()
    assert "The end date must not be before the start date." in page


def test_it_lets_a_visitor_switch_the_kiosk_language(world: World, client: Client) -> None:
    kiosk = reverse("centres:kiosk", args=["baku-1"])
    response = client.post(reverse("set_language"), {"language": "ru", "next": kiosk})
    assert response["Location"] == kiosk
    assert '<html lang="ru">' in client.get(kiosk).content.decode()
