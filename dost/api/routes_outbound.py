"""Webhook subscriptions with their delivery log, and bulk exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from dost.api.auth import require_scope
from dost.api.exports import export_job_create
from dost.api.models import ApiClient, ExportJob, ExportStatus, Subscription
from dost.api.problems import ProblemError
from dost.api.routes_registry import Purpose
from dost.api.schemas import (
    DeliveryOut,
    ExportIn,
    ExportOut,
    SubscriptionCreatedOut,
    SubscriptionIn,
    SubscriptionOut,
)
from dost.api.webhooks import subscription_create, subscription_deactivate

router = Router(tags=["subscriptions and exports"])

MSG_SUBSCRIPTION_NOT_FOUND = _("You have no subscription with this ID.")
MSG_EXPORT_NOT_FOUND = _("You have no export with this ID.")
MSG_EXPORT_NOT_READY = _("The export is not ready (status: %(status)s).")
DELIVERY_LOG_PAGE = 100
MAX_ID = 2**62  # larger path IDs cannot be keys; answer 404 instead of a database error


def _subscription(client: ApiClient, subscription_id: int) -> Subscription:
    found = (
        Subscription.objects.filter(client=client, pk=subscription_id).first()
        if 0 < subscription_id < MAX_ID else None
    )
    if found is None:
        raise ProblemError(404, "not_found", MSG_SUBSCRIPTION_NOT_FOUND)
    return found


def _export(client: ApiClient, export_id: int) -> ExportJob:
    found = (
        ExportJob.objects.filter(client=client, pk=export_id).first()
        if 0 < export_id < MAX_ID else None
    )
    if found is None:
        raise ProblemError(404, "not_found", MSG_EXPORT_NOT_FOUND)
    return found


def _export_dict(request: HttpRequest, job: ExportJob) -> dict[str, Any]:
    return {
        "id": job.pk, "period": job.period, "format": job.format, "status": job.status,
        "rows": job.rows, "error": job.error, "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download": f"/api/v1/exports/{job.pk}/file" if job.status == ExportStatus.DONE
        else None,
    }


@router.post("/subscriptions", response={201: SubscriptionCreatedOut},
             operation_id="subscription_create", summary="Subscribe a URL to event types")
def subscription_add(request: HttpRequest, body: SubscriptionIn) -> Status[Subscription]:
    """The answer holds the signing secret; it is not shown again."""
    client = require_scope(request, "subscriptions:write")
    return Status(201, subscription_create(
        client=client, url=body.url, event_types=body.event_types
    ))


@router.get("/subscriptions", response=list[SubscriptionOut], operation_id="subscription_list",
            summary="Your subscriptions")
def subscription_list(request: HttpRequest) -> list[Subscription]:
    client = require_scope(request, "subscriptions:write")
    return list(Subscription.objects.filter(client=client).order_by("id"))


@router.delete("/subscriptions/{subscription_id}", response={204: None},
               operation_id="subscription_delete", summary="End a subscription")
def subscription_end(request: HttpRequest, subscription_id: int) -> Status[None]:
    client = require_scope(request, "subscriptions:write")
    subscription_deactivate(subscription=_subscription(client, subscription_id))
    return Status(204, None)


@router.get("/subscriptions/{subscription_id}/deliveries", response=list[DeliveryOut],
            operation_id="subscription_deliveries", summary="The delivery log, newest first")
def subscription_deliveries(request: HttpRequest, subscription_id: int) -> list[Any]:
    client = require_scope(request, "subscriptions:write")
    subscription = _subscription(client, subscription_id)
    return list(subscription.deliveries.order_by("-id")[:DELIVERY_LOG_PAGE])


@router.post("/exports", response={202: ExportOut}, operation_id="export_create",
             summary="Export a period's beneficiaries (asynchronous)")
def export_add(
    request: HttpRequest, body: ExportIn, purpose: Purpose
) -> Status[dict[str, Any]]:
    """Poll the job until `status` is `done`, then fetch `download`. The rows may hold personal
    IDs, so the purpose is required and logged as for any personal-data read."""
    client = require_scope(request, "exports:write")
    job = export_job_create(client=client, period=body.period, format=body.format)
    job.refresh_from_db()
    return Status(202, _export_dict(request, job))


@router.get("/exports/{export_id}", response=ExportOut, operation_id="export_get",
            summary="An export job's status")
def export_read(request: HttpRequest, export_id: int) -> dict[str, Any]:
    client = require_scope(request, "exports:write")
    return _export_dict(request, _export(client, export_id))


@router.get("/exports/{export_id}/file", operation_id="export_file",
            summary="Download a finished export",
            openapi_extra={"responses": {200: {
                "description": "The file",
                "content": {"text/csv": {}, "application/vnd.apache.parquet": {}},
            }}})
def export_file(request: HttpRequest, export_id: int) -> FileResponse:
    client = require_scope(request, "exports:write")
    job = _export(client, export_id)
    if job.status != ExportStatus.DONE:
        raise ProblemError(409, "not_ready", MSG_EXPORT_NOT_READY % {"status": job.status})
    content_type = "text/csv" if job.format == "csv" else "application/vnd.apache.parquet"
    return FileResponse(
        Path(job.file).open("rb"), as_attachment=True, content_type=content_type,
        filename=f"beneficiaries-{job.period}.{job.format}",
    )
