"""Webhooks delivered to a real HTTP server on loopback, signed, retried and logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dost.api.models import Delivery, DeliveryStatus
from dost.api.webhooks import (
    MAX_ATTEMPTS,
    deliveries_send_due,
    webhook_signature,
    webhooks_collect,
)
from dost.cases.tests.conftest import TSSA, az_world, head_of, make_household
from dost.catalog.working_days import calendar_forget
from dost.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
__all__ = ["az_world"]

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


class Receiver:
    """A loopback HTTP server that answers with the queued statuses and keeps what it got."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/dost"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


def _verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What an integrator does (docs/api.md): recompute the HMAC over "<t>.<body>"."""
    parts = dict(item.split("=", 1) for item in headers["X-Dost-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(parts["v1"], expected.hexdigest())


def test_it_signs_retries_and_logs_a_decision_webhook(caller, receiver, az_world, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=True)
    created = caller.post("/api/v1/subscriptions", {
        "url": receiver.url, "event_types": ["decision.made"],
    })
    assert created.status_code == 201
    subscription = created.json()
    household = make_household(head_wage="300.00")
    application = caller.post("/api/v1/applications", {
        "service": TSSA, "household": household.reference,
        "applicant": head_of(household).personal_id, "period": "2026-03",
        "documents": TSSA_DOCS,
    }).json()

    receiver.statuses = [503]
    assert webhooks_collect() == 1
    assert webhooks_collect() == 0  # nothing new: collecting again queues nothing
    [first] = deliveries_send_due()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 503)
    assert deliveries_send_due() == []  # the retry waits a minute

    time_machine.shift(dt.timedelta(minutes=2))
    [second] = deliveries_send_due()
    assert second.status == DeliveryStatus.DELIVERED and second.attempts == 2

    assert len(receiver.received) == 2
    headers, body = receiver.received[-1]
    assert _verify(subscription["secret"], headers, body)
    assert not _verify("another secret", headers, body)
    sent = json.loads(body)
    assert sent["type"] == "decision.made" and headers["X-Dost-Event-Type"] == "decision.made"
    assert sent["data"]["case"] == application["reference"]
    assert sent["data"]["outcome"] == "approved" and sent["data"]["amount"] == "600.00"

    log = caller.get(f"/api/v1/subscriptions/{subscription['id']}/deliveries").json()
    assert [(d["status"], d["attempts"]) for d in log] == [("delivered", 2)]
    assert "secret" not in caller.get("/api/v1/subscriptions").json()[0]


def test_it_gives_up_after_the_last_retry(caller, receiver, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=True)
    PersonFactory(personal_id="5ZJ8K2L")
    caller.post("/api/v1/subscriptions", {"url": receiver.url, "event_types": ["life_event.death"]})
    caller.post("/api/v1/events", {"sender_event_id": "d1", "type": "death",
                                   "occurred_on": "2026-03-01",
                                   "payload": {"personal_id": "5ZJ8K2L"}})
    webhooks_collect()
    receiver.statuses = [500] * MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        deliveries_send_due()
        time_machine.shift(dt.timedelta(hours=13))
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert json.loads(receiver.received[0][1])["data"]["personal_id"] == "5ZJ8K2L"
    assert deliveries_send_due() == []


def test_it_refuses_event_types_unknown_or_outside_the_scopes(make_caller, receiver):
    bank = make_caller("bank", scopes=["subscriptions:write"])
    response = bank.post("/api/v1/subscriptions", {"url": receiver.url,
                                                   "event_types": ["decision.made"]})
    assert response.status_code == 422 and response.json()["type"] == "urn:dost:problem:scope"
    response = bank.post("/api/v1/subscriptions", {"url": receiver.url,
                                                   "event_types": ["award.stolen"]})
    assert response.status_code == 422


def test_it_ends_a_subscription_and_sends_it_nothing_more(caller, receiver):
    PersonFactory(personal_id="5ZJ8K2L")
    created = caller.post("/api/v1/subscriptions", {"url": receiver.url,
                                                    "event_types": ["life_event.death"]}).json()
    assert caller.http.delete(
        f"/api/v1/subscriptions/{created['id']}",
        headers={"Authorization": f"Bearer {caller.key}"},
    ).status_code == 204
    caller.post("/api/v1/events", {"sender_event_id": "d1", "type": "death",
                                   "occurred_on": "2026-03-01",
                                   "payload": {"personal_id": "5ZJ8K2L"}})
    assert webhooks_collect() == 0
    assert receiver.received == []


def test_it_signs_the_timestamp_and_body_together():
    signature = webhook_signature(secret="s", timestamp=1700000000, body=b"{}")
    expected = hmac.new(b"s", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert signature == f"t=1700000000,v1={expected}"
