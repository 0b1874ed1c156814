"""The monthly payroll: one payment per active award and month, arrears, sign-off, re-issue.

A run for a period walks the active awards in key order, in batches, one transaction a batch.
For each award it pays every month from the later of its start and `arrears_months` before the
period, up to the earlier of its end and the period, that has no payment yet; the month of the
period is a regular payment, earlier ones are arrears, a lump sum is paid once for the month it
starts in. A month is paid in full whatever day the award starts or ends in it, at the amount in
force on the later of the month's first day and the award's start.

Idempotency is the database's: `Payment` has a unique constraint on award × month (for payments
not rejected), and rows are inserted with "on conflict do nothing". A second run, or a run
resumed after a crash (the batch in flight is rolled back, earlier ones are committed), finds the
months already paid and creates nothing for them.

Fault injection: with DOST_PAYROLL_FAIL_AFTER=K in the environment, the process kills itself
(`os._exit`, no clean-up, mid-transaction) once it has inserted K payments. Only tests set it.
"""

from __future__ import annotations

import datetime as dt
import os
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import (
    Award,
    AwardAmount,
    AwardStatus,
    Frequency,
    Payment,
    PaymentKind,
    PaymentStatus,
    PayrollRun,
    RunStatus,
)
from dost.benefits.services.totals import payroll_totals_write
from dost.registry.snapshot import SnapshotPeriodError, parse_period

FAIL_AFTER_ENV = "DOST_PAYROLL_FAIL_AFTER"
FAULT_EXIT_CODE = 75
DEFAULT_ARREARS_MONTHS = 36
BATCH_SIZE = 2000

MSG_BAD_PERIOD = _("The period must be a month written YYYY-MM (for example 2026-03).")
MSG_FROZEN = _("The payroll of %(period)s is approved and frozen; it cannot change.")
MSG_NOT_COMPLETE = _("The payroll of %(period)s has not finished; run it to the end first.")
MSG_NOT_REJECTED = _("Only a payment the bank rejected can be re-issued.")
MSG_ALREADY_REISSUED = _("This payment has already been re-issued.")


@dataclass(frozen=True)
class RunResult:
    run: PayrollRun
    created: int
    stopped: int


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_first(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def period_first(period: str) -> dt.date:
    try:
        return parse_period(period)
    except SnapshotPeriodError:
        raise ValidationError(MSG_BAD_PERIOD, code="bad_period") from None


def _fail_after() -> int | None:
    raw = os.environ.get(FAIL_AFTER_ENV, "").strip()
    return int(raw) if raw else None


@dataclass(frozen=True)
class _Due:
    """An award as the payroll reads it (a plain row: a million model instances cost minutes)."""

    id: int
    start: dt.date
    end: dt.date | None
    frequency: str
    currency: str
    bank: str
    account: str


# award, month, kind, amount, currency, bank, account
Row = tuple[int, str, str, Decimal, str, str, str]


def _batches(
    last: dt.date, window_start: dt.date, size: int, period: str
) -> Iterator[list[_Due]]:
    # An award already paid for the period got its arrears in the same transaction: a second
    # run (or a resumed one) skips it in the query instead of re-reading its payments.
    paid_for_period = Payment.objects.filter(
        award=OuterRef("pk"), period=period
    ).exclude(status=PaymentStatus.REJECTED)
    awards = (
        Award.objects.filter(status=AwardStatus.ACTIVE, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=window_start))
        .filter(~Exists(paid_for_period))
        .order_by("id")
        .values_list("id", "start", "end", "frequency", "currency", "bank", "account")
    )
    last_id = 0
    while True:
        batch = [_Due(*row) for row in awards.filter(id__gt=last_id)[:size]]
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


def _amount_on(versions: list[tuple[dt.date, Decimal]], day: dt.date) -> Decimal | None:
    at = bisect_right([v[0] for v in versions], day)
    return versions[at - 1][1] if at else None


def _due(
    award: _Due, target: int, earliest: int, versions: list[tuple[dt.date, Decimal]],
    paid: set[str],
) -> list[Row]:
    start = month_index(award.start)
    last = target if award.end is None else min(target, month_index(award.end))
    if award.frequency == Frequency.LUMP_SUM:
        last = start
    rows: list[Row] = []
    for index in range(max(start, earliest), last + 1):
        period = month_period(index)
        if period in paid:
            continue
        amount = _amount_on(versions, max(month_first(index), award.start))
        if not amount:
            continue
        kind = (
            PaymentKind.LUMP_SUM if award.frequency == Frequency.LUMP_SUM
            else PaymentKind.REGULAR if index == target else PaymentKind.ARREARS
        )
        rows.append((award.id, period, kind, amount, award.currency, award.bank, award.account))
    return rows


# PostgreSQL: one statement per batch from arrays, skipping any (award, month) already paid.
_PG_INSERT = """
INSERT INTO benefits_payment (run_id, award_id, period, kind, amount, currency, bank, account,
                              status, rejection_reason, created_at, updated_at)
SELECT %s, a, p, k, m, c, b, acc, 'pending', '', now(), now()
FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::numeric[], %s::varchar[],
            %s::varchar[], %s::varchar[]) AS t(a, p, k, m, c, b, acc)
ON CONFLICT DO NOTHING
"""


def _write(run: PayrollRun, rows: list[Row]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        columns = [list(column) for column in zip(*rows, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(_PG_INSERT, [run.pk, *columns])
        return
    Payment.objects.bulk_create(
        (
            Payment(run=run, award_id=a, period=p, kind=k, amount=m, currency=c, bank=b,
                    account=acc)
            for a, p, k, m, c, b, acc in rows
        ),
        ignore_conflicts=True, batch_size=1000,
    )


def _insert(run: PayrollRun, rows: list[Row], budget: int | None) -> int:
    """Insert in one transaction; with a fault budget, die mid-transaction when it runs out."""
    with transaction.atomic():
        if budget is not None and len(rows) >= budget:
            _write(run, rows[:budget])
            os._exit(FAULT_EXIT_CODE)
        _write(run, rows)
    return len(rows)


def payroll_run(
    *, period: str, arrears_months: int = DEFAULT_ARREARS_MONTHS, batch_size: int = BATCH_SIZE
) -> RunResult:
    """Create the payments due for `period`; safe to run again or to resume after a crash."""
    first = period_first(period)
    target = month_index(first)
    earliest = target - arrears_months
    run, _created = PayrollRun.objects.get_or_create(period=period)
    if run.status == RunStatus.APPROVED:
        raise ValidationError(MSG_FROZEN % {"period": period}, code="frozen")
    last_day = month_first(target + 1) - dt.timedelta(days=1)
    budget = _fail_after()
    created = 0
    for batch in _batches(last_day, month_first(earliest), batch_size, period):
        ids = [a.id for a in batch]
        versions: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for award_id, valid_from, amount in (
            AwardAmount.objects.filter(award_id__in=ids)
            .order_by("award_id", "valid_from").values_list("award_id", "valid_from", "amount")
        ):
            versions[award_id].append((valid_from, amount))
        paid: dict[int, set[str]] = defaultdict(set)
        for award_id, paid_period in Payment.objects.filter(
            award_id__in=ids, period__gte=month_period(earliest)
        ).values_list("award_id", "period"):
            paid[award_id].add(paid_period)
        rows = [
            row for award in batch
            for row in _due(award, target, earliest, versions[award.id], paid[award.id])
        ]
        if rows:
            created += _insert(run, rows, None if budget is None else budget - created)
    stopped = (
        Award.objects.filter(payments__period=month_period(target - 1))
        .exclude(status=AwardStatus.ACTIVE).distinct().count()
    )
    PayrollRun.objects.filter(pk=run.pk).update(
        status=RunStatus.COMPLETE, completed_at=timezone.now()
    )
    run.refresh_from_db()
    return RunResult(run=run, created=created, stopped=stopped)


@dataclass(frozen=True)
class RunTotals:
    by_service: dict[str, Decimal]
    by_region: dict[str, Decimal]
    by_bank: dict[str, Decimal]
    count: int
    total: Decimal


def payroll_totals(*, run: PayrollRun) -> RunTotals:
    """What a run pays, by service, region and bank, for sign-off before export."""
    payments = Payment.objects.filter(run=run).exclude(status=PaymentStatus.REJECTED)

    def by(field: str) -> dict[str, Decimal]:
        rows = payments.values(field).annotate(total=Sum("amount")).order_by(field)
        return {str(row[field] or ""): row["total"] for row in rows}

    by_region = by("award__person__district__region__code")
    for code, total in by("award__household__district__region__code").items():
        if code:
            by_region[code] = by_region.get(code, Decimal(0)) + total
    by_region.pop("", None)
    total = payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return RunTotals(
        by_service=by("award__service__code"), by_region=by_region, by_bank=by("bank"),
        count=payments.count(), total=total,
    )


@transaction.atomic
def payroll_approve(*, run: PayrollRun, approver: Any = None) -> PayrollRun:
    """Sign off a complete run; from now on it is frozen."""
    run = PayrollRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.APPROVED:
        return run
    if run.status != RunStatus.COMPLETE:
        raise ValidationError(MSG_NOT_COMPLETE % {"period": run.period}, code="not_complete")
    run.status, run.approved_at = RunStatus.APPROVED, timezone.now()
    run.approved_by = approver if getattr(approver, "pk", None) else None
    run.save(update_fields=["status", "approved_at", "approved_by"])
    # Frozen from here: its totals for the reports are written once, in the same transaction.
    payroll_totals_write(run=run)
    return run


@transaction.atomic
def payment_reissue(
    *, payment: Payment, period: str, bank: str | None = None, account: str | None = None
) -> Payment:
    """Pay a rejected payment again, in the run of `period` (to a corrected account if given)."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.REJECTED:
        raise ValidationError(MSG_NOT_REJECTED, code="not_rejected")
    if Payment.objects.filter(reissue_of=payment).exists():
        raise ValidationError(MSG_ALREADY_REISSUED, code="reissued")
    period_first(period)
    run, _created = PayrollRun.objects.get_or_create(period=period)
    if run.status == RunStatus.APPROVED:
        raise ValidationError(MSG_FROZEN % {"period": period}, code="frozen")
    return Payment.objects.create(
        run=run, award=payment.award, period=payment.period, kind=payment.kind,
        amount=payment.amount, currency=payment.currency,
        bank=payment.bank if bank is None else bank,
        account=payment.account if account is None else account, reissue_of=payment,
    )


def payments_reissue_rejected(*, period: str) -> list[Payment]:
    """Re-issue every rejected payment not yet re-issued, in the run of `period`."""
    rejected = Payment.objects.filter(
        status=PaymentStatus.REJECTED, reissued_as__isnull=True
    ).order_by("id")
    return [payment_reissue(payment=payment, period=period) for payment in rejected]
