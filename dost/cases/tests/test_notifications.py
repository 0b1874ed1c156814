from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core import mail

from dost.cases.models import CaseEvent, Notification, NotificationStatus, Outcome
from dost.cases.notifications import notifications_send
from dost.cases.selectors import inbox_for_person
from dost.cases.services import case_decide_by_staff, case_submit
from dost.cases.tasks import NotifyError, case_events_notify
from dost.cases.tests.conftest import TSSA, head_of, make_household

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    answer = 200

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append({
            "body": json.loads(self.rfile.read(length)),
            "auth": self.headers.get("Authorization"),
        })
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        return None


@pytest.fixture
def gateway() -> Iterator[tuple[str, type[_Gateway]]]:
    handler = type("Gateway", (_Gateway,), {"received": [], "answer": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send", handler
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_it_puts_every_status_change_in_the_inbox_in_the_persons_language(
    az_world, django_capture_on_commit_callbacks
):
    household = make_household(head_wage="3000.00", language="az")
    head = head_of(household)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(service=TSSA, applicant=head, household=household,
                           channel="portal", period="2026-03", documents=TSSA_DOCS)
    inbox = list(inbox_for_person(person=head))
    assert [n.event.status_to for n in inbox] == ["decided", "submitted"]
    decided, submitted = inbox
    assert decided.language == "az"
    assert submitted.subject == f"İş {case.reference}: Təqdim edilib"
    assert "ərizənizi aldıq" in submitted.body
    assert decided.subject == f"İş {case.reference}: Qərar verilib"
    assert "rədd edilib" in decided.body
    # The refusal reason in plain words, from the service passport, in Azerbaijani.
    assert "Ailənin orta aylıq gəliri ehtiyac meyarından az deyil" in decided.body
    assert "şikayət edə bilərsiniz" in decided.body


@pytest.mark.django_db
def test_it_writes_english_for_an_english_speaker(staff_service, officer,
                                                  django_capture_on_commit_callbacks):
    household = make_household(language="en")
    head = head_of(household)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(service=staff_service, applicant=head, household=household,
                           channel="portal", period="2026-03", documents=["id_card"])
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED,
                             reasons=["false_information"])
    newest = inbox_for_person(person=head).first()
    assert newest is not None
    assert newest.subject == f"Case {case.reference}: Decided"
    assert "- False information was given" in newest.body
    assert "You can appeal until" in newest.body


@pytest.mark.django_db
def test_it_sends_sms_through_the_gateway_and_email_through_django(
    staff_service, settings, gateway, django_capture_on_commit_callbacks
):
    url, handler = gateway
    settings.DOST_NOTIFICATION_BACKENDS = [
        "dost.cases.notifications.InboxBackend",
        {"BACKEND": "dost.cases.notifications.SmsGatewayBackend",
         "OPTIONS": {"url": url, "token": "t0ken", "sender": "DOST"}},
        {"BACKEND": "dost.cases.notifications.EmailBackend",
         "OPTIONS": {"from_email": "noreply@dost.test"}},
    ]
    household = make_household(language="ru", phone="+994501234567", email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(service=staff_service, applicant=head_of(household),
                           household=household, channel="centre", period="2026-03",
                           documents=["id_card"])
    assert case.notify_channels == ["portal", "sms", "email"]
    assert len(handler.received) == 1
    assert handler.received[0]["auth"] == "Bearer t0ken"
    assert handler.received[0]["body"]["to"] == "+994501234567"
    assert case.reference in handler.received[0]["body"]["text"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.org"]
    assert mail.outbox[0].from_email == "noreply@dost.test"
    assert "Мы получили ваше заявление" in mail.outbox[0].body
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_it_keeps_a_failed_sms_for_a_retry_and_sends_nothing_twice(
    staff_service, settings, gateway, django_capture_on_commit_callbacks
):
    url, handler = gateway
    handler.answer = 503
    settings.DOST_NOTIFICATION_BACKENDS = [
        "dost.cases.notifications.InboxBackend",
        {"BACKEND": "dost.cases.notifications.SmsGatewayBackend", "OPTIONS": {"url": url}},
    ]
    household = make_household(phone="+994501234567")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(service=staff_service, applicant=head_of(household),
                           household=household, channel="portal", period="2026-03",
                           documents=["id_card"])
    sms = Notification.objects.get(case=case, channel="sms")
    assert sms.status == NotificationStatus.FAILED
    assert "503" in sms.error
    assert Notification.objects.get(case=case, channel="portal").status == "sent"

    handler.answer = 200
    notifications_send(event_id=sms.event_id)
    notifications_send(event_id=sms.event_id)  # a task run twice sends nothing twice
    sms.refresh_from_db()
    assert sms.status == NotificationStatus.SENT
    assert sms.attempts == 2
    assert len(handler.received) == 2  # the failed try and the retry


@pytest.mark.django_db
def test_it_tells_the_applicant_about_a_withdrawal_in_russian(
    staff_service, django_capture_on_commit_callbacks
):
    from dost.cases.services import case_withdraw

    household = make_household(language="ru")
    head = head_of(household)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_submit(service=staff_service, applicant=head, household=household,
                           channel="call_centre", period="2026-03", documents=["id_card"])
        case_withdraw(case=case, note="Asked by phone.")
    newest = inbox_for_person(person=head).first()
    assert newest is not None
    assert newest.subject == f"Дело {case.reference}: Отозвано"
    assert newest.body == "Ваше заявление на услугу «Тестовая услуга» отозвано."


@pytest.mark.django_db
def test_it_notifies_a_batch_of_case_events_in_one_task_despite_one_failing(staff_service):
    cases = [
        case_submit(service=staff_service, applicant=head_of(household), household=household,
                    channel="portal", period="2026-03", documents=["id_card"])
        for household in (make_household(), make_household())
    ]  # on_commit hooks do not run here: nothing is sent yet
    events = list(CaseEvent.objects.filter(case__in=cases).order_by("id"))
    missing = max(e.pk for e in events) + 1000
    with pytest.raises(NotifyError, match=str(missing)):
        case_events_notify.call([events[0].pk, missing, *[e.pk for e in events[1:]]])
    # The failing event did not stop the others.
    sent = Notification.objects.filter(case__in=cases, status=NotificationStatus.SENT)
    assert sorted(n.event_id for n in sent) == [e.pk for e in events]
    assert case_events_notify.call([e.pk for e in events]) == len(events)  # nothing sent twice
    assert Notification.objects.filter(case__in=cases).count() == len(events)
