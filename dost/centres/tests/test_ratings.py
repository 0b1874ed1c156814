from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dost.catalog.models import Holiday
from dost.centres import services
from dost.centres.models import Escalation, EscalationStatus, Rating, Ticket, TicketSource
from dost.centres.selectors import escalations_for_supervisor

from .conftest import World, at, make_user


def served(world: World) -> Ticket:
    services.ticket_issue(service_group=world.group_a, source=TicketSource.KIOSK, now=at(9))
    ticket = services.ticket_call_next(counter=world.counter1, operator=world.operator1,
                                       now=at(9, 5))
    assert ticket is not None
    services.ticket_start_service(ticket=ticket, now=at(9, 6))
    return services.ticket_end_service(ticket=ticket, now=at(9, 15))


def test_it_escalates_a_score_of_three_with_a_working_day_deadline(world: World) -> None:
    ticket = served(world)
    # Wednesday 4 March + 2 working days, with Thursday 5 March a holiday → Monday 9 March.
    Holiday.objects.create(country="az", date=dt.date(2026, 3, 5), kind="public", names={})
    rating = services.rating_submit(
        ticket=ticket, quality=5, timeliness=3, courtesy=5, comment="Slow", now=at(9, 20),
    )
    escalation = Escalation.objects.get(rating=rating)
    assert escalation.deadline == dt.date(2026, 3, 9)
    assert list(escalations_for_supervisor(user=world.supervisor)) == [escalation]
    assert list(escalations_for_supervisor(user=world.operator1)) == []
    services.escalation_resolve(escalation=escalation, user=world.supervisor,
                                resolution="Called back")
    assert list(escalations_for_supervisor(user=world.supervisor)) == []
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED
    with pytest.raises(ValidationError):
        services.escalation_resolve(escalation=escalation, user=world.supervisor, resolution="")


def test_it_does_not_escalate_fours_and_fives(world: World) -> None:
    rating = services.rating_submit(ticket=served(world), quality=4, timeliness=5, courtesy=4)
    assert rating.is_satisfied
    assert not Escalation.objects.exists()


def test_it_hides_escalations_of_other_centres_from_a_supervisor(world: World) -> None:
    services.rating_submit(ticket=served(world), quality=1, timeliness=1, courtesy=1)
    stranger = make_user("other", "supervise_centre")
    assert list(escalations_for_supervisor(user=stranger)) == []


def test_it_rates_a_visit_once_and_only_when_finished(world: World) -> None:
    waiting = services.ticket_issue(service_group=world.group_b, source="kiosk", now=at(9))
    with pytest.raises(ValidationError, match="finished visit"):
        services.rating_submit(ticket=waiting, quality=5, timeliness=5, courtesy=5)
    ticket = served(world)
    with pytest.raises(ValidationError, match="1 to 5"):
        services.rating_submit(ticket=ticket, quality=6, timeliness=5, courtesy=5)
    services.rating_submit(ticket=ticket, quality=5, timeliness=5, courtesy=5)
    with pytest.raises(ValidationError, match="already been rated"):
        services.rating_submit(ticket=ticket, quality=5, timeliness=5, courtesy=5)


def test_it_reads_a_rating_from_an_sms_reply(world: World) -> None:
    ticket = served(world)
    rating = services.rating_submit_sms(
        text=f"{ticket.rating_token[:8]} 5 2 4 long wait", now=at(10),
    )
    assert (rating.channel, rating.timeliness, rating.comment) == ("sms", 2, "long wait")
    assert Escalation.objects.filter(rating=rating).exists()
    for text in ("hello", f"{ticket.rating_token[:8]} 5 9 4", "XXXXXXXX 5 5 5"):
        with pytest.raises(ValidationError):
            services.rating_submit_sms(text=text)


def test_it_takes_a_rating_from_the_sms_gateway(world: World, client, settings) -> None:
    ticket = served(world)
    url = "/centres/sms/inbound/"
    text = f"{ticket.rating_token[:8]} 5 3 5 slow"

    settings.DOST_SMS_INBOUND_TOKEN = ""
    assert client.post(url, {"text": text}).status_code == 403  # closed until configured
    settings.DOST_SMS_INBOUND_TOKEN = "gateway-secret-7"
    gateway = {"X-Gateway-Token": "gateway-secret-7"}
    assert client.post(url, {"text": text}, headers={"X-Gateway-Token": "wrong"}).status_code == 403
    unreadable = client.post(url, {"text": "hello"}, headers=gateway)
    assert unreadable.status_code == 400
    assert not Rating.objects.exists()

    response = client.post(url, {"text": text}, headers=gateway)

    assert response.status_code == 201
    assert response.json()["escalated"] is True  # timeliness 3 escalates
    assert Escalation.objects.get(rating__ticket=ticket).status == EscalationStatus.OPEN
