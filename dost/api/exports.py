"""Bulk export of a period's beneficiaries (approved decisions) for statistics, CSV or Parquet.

The request returns at once with a job; a background task writes the file under
MEDIA_ROOT/api-exports/ and the client downloads it through the API. Personal IDs are included
only for clients that may read persons; otherwise the rows carry district, sex and birth year.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dost.api.models import ApiClient, ExportFormat, ExportJob, ExportStatus
from dost.cases.models import Decision, Outcome

EXPORT_DIR = "api-exports"

COLUMNS: dict[str, Any] = {
    "case": pl.String, "service": pl.String, "period": pl.String, "district": pl.String,
    "household": pl.String, "sex": pl.String, "birth_year": pl.Int32,
    "amount": pl.Decimal(14, 2), "currency": pl.String, "decided_on": pl.Date,
}


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def export_job_create(*, client: ApiClient, period: str, format: str) -> ExportJob:
    """Queue an export; the task starts once this transaction commits."""
    from dost.api.tasks import export_job_run  # the tasks module imports this one

    job = ExportJob.objects.create(client=client, period=period, format=ExportFormat(format))
    transaction.on_commit(lambda: export_job_run.enqueue(job.pk))
    return job


def beneficiaries_frame(*, period: str, with_personal_id: bool) -> pl.DataFrame:
    rows = (
        Decision.objects.filter(period=period, is_current=True, outcome=Outcome.APPROVED)
        .select_related("case__service", "case__household__district", "case__applicant")
        .order_by("id")
    )
    data: dict[str, list[Any]] = {name: [] for name in COLUMNS}
    ids: list[str] = []
    for decision in rows.iterator(chunk_size=2000):
        case = decision.case
        data["case"].append(case.reference)
        data["service"].append(case.service.code)
        data["period"].append(decision.period)
        data["district"].append(case.household.district.code)
        data["household"].append(case.household.reference)
        data["sex"].append(case.applicant.sex)
        data["birth_year"].append(case.applicant.birth_date.year)
        data["amount"].append(decision.amount)
        data["currency"].append(decision.currency)
        data["decided_on"].append(timezone.localdate(decision.decided_at))
        ids.append(case.applicant.personal_id)
    frame = pl.DataFrame(data, schema=COLUMNS)
    if with_personal_id:
        frame = frame.with_columns(pl.Series("personal_id", ids, dtype=pl.String))
    return frame


def export_run(*, job_id: int) -> ExportJob:
    """Write the job's file; a job already done or failed is returned unchanged."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("client").get(pk=job_id)
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return job
        job.status = ExportStatus.RUNNING
        job.save(update_fields=["status"])
    try:
        frame = beneficiaries_frame(
            period=job.period, with_personal_id="persons:read" in job.client.scopes
        )
        # A random name: the file is reachable only through the API, never by guessing.
        path = export_dir() / f"{job.pk}-{secrets.token_hex(8)}.{job.format}"
        if job.format == ExportFormat.PARQUET:
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
    except Exception as exc:
        job.status = ExportStatus.FAILED
        job.error = str(exc)[:300]
    else:
        job.status = ExportStatus.DONE
        job.file = str(path)
        job.rows = frame.height
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "file", "rows", "finished_at"])
    return job
