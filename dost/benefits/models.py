"""Awards, their dated amounts, payroll runs and payments.

An award is an entitlement of a beneficiary (a person, or a household) to a service's benefit.
Its amount is never edited in place: a change or an indexation adds an `AwardAmount` valid from
a date, and the payroll pays each month the amount valid on its first day. A payment belongs to
one award and one month (`period`); the database refuses a second live payment for the same
award and month, which is what makes a payroll run safe to repeat or resume after a crash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dost.cases.models import Case, Decision
from dost.catalog.models import Service
from dost.registry.models import Household, Person, Region


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    LUMP_SUM = "lump_sum", _("Lump sum")


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class Award(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="awards", verbose_name=_("service")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
        verbose_name=_("beneficiary"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
        verbose_name=_("beneficiary household"),
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    currency = models.CharField(_("currency"), max_length=3)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    status_reason = models.CharField(_("reason of the status"), max_length=300, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
        verbose_name=_("case"),
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="awards",
        verbose_name=_("decision that created it"),
    )
    bank = models.CharField(_("paying bank"), max_length=11, blank=True, help_text=_("BIC"))
    account = models.CharField(_("payment account"), max_length=34, blank=True, help_text=_("IBAN"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="award_has_beneficiary",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="award_ends_after_start",
            ),
            # One award per decision: a proactive event handled twice finds the award it made.
            models.UniqueConstraint(
                fields=["decision"], condition=Q(decision__isnull=False),
                name="award_once_per_decision",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"], name="awards_by_status")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.person_id or self.household_id} {self.start}"


class AwardAmount(models.Model):
    """One dated version of an award's amount; the latest one in force on a day applies."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="amounts")
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award_id", "valid_from"]
        verbose_name = _("award amount")
        verbose_name_plural = _("award amounts")
        constraints = [
            models.UniqueConstraint(fields=["award", "valid_from"], name="award_amount_once_a_day"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} from {self.valid_from}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETE = "complete", _("Complete, waiting for sign-off")
    APPROVED = "approved", _("Approved (frozen)")


class PayrollRun(models.Model):
    period = models.CharField(_("period"), max_length=7, unique=True, help_text=_("YYYY-MM"))
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-period"]
        verbose_name = _("payroll run")
        verbose_name_plural = _("payroll runs")

    def __str__(self) -> str:
        return f"{self.period} ({self.status})"


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("Regular monthly payment")
    ARREARS = "arrears", _("Arrears for an earlier month")
    LUMP_SUM = "lump_sum", _("Lump sum")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for export")
    EXPORTED = "exported", _("Sent to the bank")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected by the bank")


class Payment(models.Model):
    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="payments")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    period = models.CharField(_("month paid for"), max_length=7, help_text=_("YYYY-MM"))
    kind = models.CharField(_("kind"), max_length=8, choices=PaymentKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    bank = models.CharField(_("paying bank"), max_length=11, blank=True)
    account = models.CharField(_("payment account"), max_length=34, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    rejection_reason = models.CharField(_("reason of rejection"), max_length=300, blank=True)
    reissue_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reissued_as"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run_id", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # The guard of idempotency: at most one payment that is not rejected per award and
            # month, whatever the code does (a rejected payment may be re-issued).
            models.UniqueConstraint(
                fields=["award", "period"], condition=~Q(status="rejected"),
                name="one_live_payment_per_award_month",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["run", "bank", "status"], name="payments_by_run_bank")]

    def __str__(self) -> str:
        return f"{self.award_id} {self.period} {self.amount} ({self.status})"


class PayrollTotal(models.Model):
    """What an approved run pays for one month, kind, service, region, bank and currency.

    Written once when the run is signed off (`services.totals`; the run is frozen then) so that
    reports sum a few thousand rows instead of scanning millions of payments. The only later
    change to a frozen run's payments is the bank's answer: a rejection rewrites the run's rows,
    whose `rejected_*` columns carry what the bank sent back. The region is the beneficiary
    household's (else the person's) when the rows were written.
    """

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="totals")
    period = models.CharField(_("month paid for"), max_length=7, help_text=_("YYYY-MM"))
    kind = models.CharField(_("kind"), max_length=8, choices=PaymentKind.choices)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bank = models.CharField(_("paying bank"), max_length=11, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    payments = models.PositiveIntegerField(_("payments"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    rejected_payments = models.PositiveIntegerField(_("payments rejected by the bank"), default=0)
    rejected_amount = models.DecimalField(
        _("amount rejected by the bank"), max_digits=16, decimal_places=2, default=0
    )
    written_at = models.DateTimeField(_("written at"), auto_now=True)

    class Meta:
        ordering = ["run_id", "period", "service_id", "region_id", "bank", "currency", "kind"]
        verbose_name = _("payroll total")
        verbose_name_plural = _("payroll totals")
        constraints = [
            # One row per group; a region may be unknown (a person without a district), and
            # NULLs are distinct in a unique index, hence the second constraint.
            models.UniqueConstraint(
                fields=["run", "period", "kind", "service", "region", "bank", "currency"],
                condition=Q(region__isnull=False), name="payroll_total_once",
            ),
            models.UniqueConstraint(
                fields=["run", "period", "kind", "service", "bank", "currency"],
                condition=Q(region__isnull=True), name="payroll_total_once_no_region",
            ),
        ]
        # The dashboards select months paid for, across runs.
        indexes = [models.Index(fields=["period", "region"], name="payroll_totals_by_month")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.period} {self.service_id} {self.amount}"
