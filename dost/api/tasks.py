"""Background work of the API: thin, idempotent tasks that call a service."""

from __future__ import annotations

from django.tasks import task

from dost.api.exports import export_run
from dost.api.webhooks import deliveries_send_due, webhooks_collect


@task()
def webhooks_run() -> int:
    """Queue new notifications and send what is due; returns how many were sent."""
    webhooks_collect()
    return len(deliveries_send_due())


@task()
def export_job_run(job_id: int) -> str:
    """Build one export file; safe to run twice (a finished job is left alone)."""
    return export_run(job_id=job_id).status
