"""Webhooks: subscriptions, the outbox that turns decisions and life events into deliveries, and
signed delivery with retries.

Nothing in the cases or registry apps knows about webhooks: `webhooks_collect` reads their logs
after a stored cursor (decisions by key; life events by `events_after`, which never skips one), so
a crash between reading and recording only repeats work, and each (subscription, notification)
is delivered at most once by a unique constraint. Run `dost api_webhooks` every minute (cron or
a task scheduler); it collects and then sends what is due.

Signature: header `X-Dost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.api.models import (
    ApiClient,
    Delivery,
    DeliveryStatus,
    OutboxCursor,
    Subscription,
)
from dost.cases.models import Decision
from dost.registry.models import EventType, LifeEvent
from dost.registry.selectors import events_after

DECISION_MADE = "decision.made"
LIFE_EVENT_PREFIX = "life_event."
# Event type -> the scope a client needs to receive it.
EVENT_TYPES: dict[str, str] = {DECISION_MADE: "decisions:read"} | {
    f"{LIFE_EVENT_PREFIX}{kind}": "persons:read" for kind in EventType.values
}
RETRY_DELAYS = (
    dt.timedelta(minutes=1), dt.timedelta(minutes=5), dt.timedelta(minutes=30),
    dt.timedelta(hours=2), dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_SECONDS = 10
COLLECT_BATCH = 1000
SIGNATURE_HEADER = "X-Dost-Signature"

MSG_UNKNOWN_EVENT_TYPES = _("Unknown event types: %(types)s.")
MSG_TYPES_NOT_IN_SCOPE = _("Your scopes do not cover the event types: %(types)s.")


# --- Subscriptions --------------------------------------------------------------------------


@transaction.atomic
def subscription_create(*, client: ApiClient, url: str, event_types: list[str]) -> Subscription:
    """A subscription with a fresh signing secret (give it to the client once)."""
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError(
            MSG_UNKNOWN_EVENT_TYPES % {"types": ", ".join(unknown)}, code="unknown_event_types"
        )
    outside = sorted(t for t in set(event_types) if EVENT_TYPES[t] not in client.scopes)
    if outside:
        raise ValidationError(
            MSG_TYPES_NOT_IN_SCOPE % {"types": ", ".join(outside)}, code="scope"
        )
    return Subscription.objects.create(
        client=client, url=url, event_types=sorted(set(event_types)),
        secret=secrets.token_hex(32),
    )


@transaction.atomic
def subscription_deactivate(*, subscription: Subscription) -> Subscription:
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    return subscription


# --- Outbox ---------------------------------------------------------------------------------


def _decision_payload(decision: Decision) -> dict[str, Any]:
    case = decision.case
    return {
        "case": case.reference, "service": case.service.code,
        "household": case.household.reference, "applicant": case.applicant.personal_id,
        "period": decision.period, "outcome": decision.outcome, "basis": decision.basis,
        "amount": decision.amount, "currency": decision.currency,
        "reasons": decision.reason_codes, "decided_at": decision.decided_at,
    }


def _event_payload(event: LifeEvent) -> dict[str, Any]:
    # The envelope only: the subscriber reads the person through the API, where its scopes
    # decide which fields it sees.
    return {
        "event_id": event.pk, "type": event.type, "occurred_on": event.occurred_on,
        "personal_id": event.person.personal_id if event.person else None,
    }


def _fan_out(subscriptions: list[Subscription], event_type: str, event_id: str,
             payload: dict[str, Any]) -> int:
    created = 0
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    for subscription in subscriptions:
        if event_type not in subscription.event_types:
            continue
        try:
            with transaction.atomic():
                Delivery.objects.create(
                    subscription=subscription, event_id=event_id, event_type=event_type,
                    payload=body, next_attempt_at=timezone.now(),
                )
            created += 1
        except IntegrityError:
            pass  # already queued by an earlier, interrupted run
    return created


@transaction.atomic
def webhooks_collect() -> int:
    """Queue a delivery for every new decision and life event a subscription asks for."""
    cursors = {
        source: OutboxCursor.objects.select_for_update().get_or_create(source=source)[0]
        for source in ("decisions", "life_events")
    }
    subscriptions = list(Subscription.objects.filter(is_active=True, client__is_active=True))
    created = 0
    decisions = list(
        Decision.objects.filter(pk__gt=cursors["decisions"].last_id)
        .select_related("case__service", "case__household", "case__applicant")
        .order_by("pk")[:COLLECT_BATCH]
    )
    for decision in decisions:
        created += _fan_out(subscriptions, DECISION_MADE, f"decision-{decision.pk}",
                            _decision_payload(decision))
    events = events_after(cursors["life_events"].last_id, COLLECT_BATCH)
    for event in events:
        created += _fan_out(subscriptions, f"{LIFE_EVENT_PREFIX}{event.type}",
                            f"life-event-{event.pk}", _event_payload(event))
    for source, last in (("decisions", decisions), ("life_events", events)):
        if last:
            cursors[source].last_id = last[-1].pk
            cursors[source].save(update_fields=["last_id"])
    return created


# --- Delivery -------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Dost-Signature` value for this body at this time."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def _post(subscription: Subscription, delivery: Delivery) -> tuple[int | None, str]:
    body = json.dumps({
        "id": delivery.event_id, "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(), "data": delivery.payload,
    }, ensure_ascii=False).encode()
    if not subscription.url.startswith(("https://", "http://")):
        return None, "not an http(s) URL"
    # Only http(s) gets here (checked above and at subscription), so no file: or custom schemes.
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json",
        "X-Dost-Event-Id": delivery.event_id,
        "X-Dost-Event-Type": delivery.event_type,
        SIGNATURE_HEADER: webhook_signature(
            secret=subscription.secret, timestamp=int(time.time()), body=body
        ),
    })
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return exc.code, str(exc.reason)[:300]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(exc)[:300]


def delivery_attempt(*, delivery: Delivery) -> Delivery:
    """Send one delivery now; on failure schedule the next try, or give up after the last."""
    status, error = _post(delivery.subscription, delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    delivery.last_error = error
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(update_fields=[
        "attempts", "last_status_code", "last_error", "status", "delivered_at",
        "next_attempt_at",
    ])
    return delivery


def deliveries_send_due(*, limit: int = 500) -> list[Delivery]:
    """Attempt every pending delivery whose time has come, oldest first."""
    due = list(
        Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now(),
            subscription__is_active=True,
        ).select_related("subscription").order_by("next_attempt_at", "id")[:limit]
    )
    return [delivery_attempt(delivery=delivery) for delivery in due]
