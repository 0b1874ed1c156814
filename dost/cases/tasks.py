"""Background work of the cases app: thin, idempotent tasks that call a service by ID."""

from __future__ import annotations

from django.tasks import task

from dost.cases.notifications import notifications_send


@task()
def case_event_notify(event_id: int) -> int:
    """Send the notifications of one case event; returns how many were sent."""
    return len(notifications_send(event_id=event_id))
