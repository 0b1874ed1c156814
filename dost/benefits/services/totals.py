"""Payroll totals: what each approved run pays, grouped, written once for the reports.

A run is frozen when it is signed off (`payroll_approve`), so its figures by month paid for,
kind, service, region, bank and currency can be summed once then, in one grouped query, and
read by the management dashboards instead of scanning the payments of every month shown (a
million a month on a national payroll). The region is the beneficiary household's, else the
person's (the rule of the dashboards), as it stands when the rows are written: a later move does
not re-attribute money already paid.

The one change a frozen run still sees is the bank's answer. A rejected payment stays in the
run (it may be re-issued in a later one), so the rows keep what was approved and count the
rejections apart; `bank_results_import` rewrites the rows of the runs whose payments it rejects.

Runs approved before these rows existed have none: `dost payroll backfill-totals` writes them,
and until then the dashboards read those runs' payments directly, so no figure is ever missing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce

from dost.benefits.models import Payment, PaymentStatus, PayrollRun, PayrollTotal, RunStatus

REJECTED = Q(status=PaymentStatus.REJECTED)
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))
# The beneficiary's region: the household's (a household always has a district), else the
# person's (who may have none).
BENEFICIARY_REGION = Coalesce(
    "award__household__district__region", "award__person__district__region"
)


@transaction.atomic
def payroll_totals_write(*, run: PayrollRun) -> int:
    """Replace the totals of `run` by its payments grouped; returns the number of rows."""
    grouped = (
        Payment.objects.filter(run=run)
        .values(
            "period",
            "kind",
            "bank",
            "currency",
            service_ref=F("award__service"),
            region_ref=BENEFICIARY_REGION,
        )
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            rejected_n=Count("id", filter=REJECTED),
            rejected_total=Coalesce(Sum("amount", filter=REJECTED), ZERO),
        )
        .order_by()
    )
    rows = [
        PayrollTotal(
            run=run,
            period=row["period"],
            kind=row["kind"],
            service_id=row["service_ref"],
            region_id=row["region_ref"],
            bank=row["bank"],
            currency=row["currency"],
            payments=row["n"],
            amount=row["total"],
            rejected_payments=row["rejected_n"],
            rejected_amount=row["rejected_total"],
        )
        for row in grouped
    ]
    PayrollTotal.objects.filter(run=run).delete()
    PayrollTotal.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def payroll_totals_rewrite(*, run_ids: Iterable[int]) -> None:
    """Rewrite the totals of those of `run_ids` that have some (after a bank's rejections)."""
    for run in PayrollRun.objects.filter(pk__in=set(run_ids)).filter(_has_totals()):
        payroll_totals_write(run=run)


def _has_totals() -> Exists:
    return Exists(PayrollTotal.objects.filter(run=OuterRef("pk")))


def runs_without_totals() -> list[int]:
    """Runs whose figures must be read from their payments: not approved yet (still changing),
    or approved before the totals existed and not back-filled. A handful at most."""
    return list(PayrollRun.objects.exclude(_has_totals()).values_list("pk", flat=True))


def payroll_totals_backfill(*, rewrite: bool = False) -> list[tuple[PayrollRun, int]]:
    """Write the totals of approved runs that have none (of every approved run with
    `rewrite`), one transaction a run; returns each run written with its number of rows."""
    runs = PayrollRun.objects.filter(status=RunStatus.APPROVED).order_by("period")
    if not rewrite:
        runs = runs.exclude(_has_totals())
    return [(run, payroll_totals_write(run=run)) for run in runs]
