from __future__ import annotations

from django.tasks import task

from dost.centres.services import appointment_reminders_send


@task()
def send_appointment_reminders() -> int:
    """Remind the appointments of the next 24 hours; run it every few minutes (idempotent)."""
    return appointment_reminders_send()
