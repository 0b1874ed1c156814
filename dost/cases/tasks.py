"""Background work of the cases app: thin, idempotent tasks that call a service by ID."""

from __future__ import annotations

import logging

from django.tasks import task

from dost.cases.notifications import notifications_send

logger = logging.getLogger(__name__)


class NotifyError(RuntimeError):
    """Some case events of a batch could not be notified (the others were)."""


@task()
def case_event_notify(event_id: int) -> int:
    """Send the notifications of one case event; returns how many were sent."""
    return len(notifications_send(event_id=event_id))


@task()
def case_events_notify(event_ids: list[int]) -> int:
    """Send the notifications of many case events (the cases a batch opened: one queued task
    instead of one per event); returns how many were sent. An event that fails does not stop
    the others; the task then fails naming them, and running it again sends only what is
    missing (`notifications_send` is safe to run twice)."""
    sent, failed = 0, []
    for event_id in event_ids:
        try:
            sent += len(notifications_send(event_id=event_id))
        except Exception:
            logger.exception("notifying case event %s failed", event_id)
            failed.append(event_id)
    if failed:
        raise NotifyError(f"case events not notified: {failed}")
    return sent
