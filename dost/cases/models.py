"""Cases: one application (or appeal) for one service, from any channel, with one clock,
one current decision and its frozen explanation.

Every way in (centre, portal, call centre, post, proactive) produces the same `Case`; the
channel is a field, not a type. Statuses move only through `dost.cases.transitions`; every move
is a `CaseEvent`, which is also what notifications are sent for. A `Decision` is never edited:
an override or an appeal adds a new one and marks the old one as no longer current.

Work queues are per centre and role: `centre` (empty for the national back office) and
`queue_role` (empty while nobody needs to act).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dost.audit.models import AppendOnlyRecord
from dost.catalog.models import IntakeChannel, Service
from dost.centres.models import Centre
from dost.registry.models import Household, Person


class CaseKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    APPEAL = "appeal", _("Appeal")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Waiting for a decision: these are the cases in work queues, on the SLA clock, and the ones a
# second application for the same service and household collides with.
OPEN_STATUSES: tuple[str, ...] = (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)


class QueueRole(models.TextChoices):
    OFFICER = "officer", _("Case officer")
    SUPERVISOR = "supervisor", _("Supervisor (second approval)")
    APPEALS = "appeals", _("Appeals officer")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DecisionBasis(models.TextChoices):
    RULES = "rules", _("Decided by the rules")
    STAFF = "staff", _("Decided by staff")
    OVERRIDE = "override", _("Rules outcome overridden, with a second approval")
    APPEAL = "appeal", _("Decided on appeal")


class Case(models.Model):
    kind = models.CharField(
        _("kind"), max_length=12, choices=CaseKind.choices, default=CaseKind.APPLICATION
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("applicant")
    )
    beneficiary = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="benefiting_cases",
        verbose_name=_("beneficiary"),
        help_text=_(
            "The person the benefit is computed for when not the applicant (a newborn, a "
            "deceased); empty means the applicant."
        ),
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=IntakeChannel.choices)
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    centre = models.ForeignKey(
        Centre, on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("centre"), help_text=_("Whose work queue; empty for the national office."),
    )
    queue_role = models.CharField(
        _("queue"), max_length=10, choices=QueueRole.choices, blank=True,
        help_text=_("Empty while no person needs to act on the case."),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_cases", verbose_name=_("assignee"),
    )
    appeal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
        verbose_name=_("appeal against"),
    )
    grounds = models.TextField(_("grounds of appeal"), blank=True, max_length=5000)
    notify_channels = models.JSONField(_("notification channels"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("submitted by"),
    )
    submitted_on = models.DateField(_("submitted on"))
    due_on = models.DateField(_("decision due on"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [
            ("work_case", _("Can work cases in the work queues and decide them")),
            ("approve_override", _("Can give the second approval to an override")),
            ("decide_appeal", _("Can decide appeals")),
        ]
        constraints = [
            # The database's own guard against two open applications for the same service and
            # household (the service checks first, to give a clear message).
            models.UniqueConstraint(
                fields=["service", "household"],
                condition=Q(kind="application", status__in=OPEN_STATUSES),
                name="cases_one_open_application",
            ),
        ]
        indexes = [
            # The work-queue page: cases someone must act on, per centre and role, by deadline.
            models.Index(
                fields=["centre", "queue_role", "due_on", "id"],
                condition=~Q(queue_role=""), name="cases_work_queue",
            ),
            models.Index(fields=["applicant", "-created_at"], name="cases_by_applicant"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        # Derived from the key, so it costs no second write; `case_id_from_reference` reverses it.
        return f"C-{self.pk:08d}" if self.pk else "C-?"

    @property
    def beneficiary_or_applicant_id(self) -> int:
        # Cases opened before the beneficiary existed (and most applications) leave it empty.
        return self.beneficiary_id or self.applicant_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("document"), max_length=40)
    reference = models.CharField(
        _("reference"), max_length=200, blank=True,
        help_text=_("Where the document is kept: a scan's file name or another system's ID."),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "code"]
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        constraints = [
            models.UniqueConstraint(fields=["case", "code"], name="cases_document_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.code}"


class CaseEvent(models.Model):
    """One status change (or a decision that keeps the status, such as an override)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    status_from = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    status_to = models.CharField(max_length=10, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.status_from or '-'} → {self.status_to}"


class ExplanationShape(AppendOnlyRecord):
    """What the explanations of one plan share (`dost.rules.explain`): the tree of variables,
    the parameter values used with their dates and citations, and every label, formula note,
    reference and word of the text in every language — the same for every household the rules
    explain with that rulebook version, period and outputs. Named by the SHA-256 of its
    canonical JSON, written once, never changed: a decision pointing here reads the same
    explanation forever."""

    digest = models.CharField(_("digest"), max_length=64, primary_key=True)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "digest"]
        verbose_name = _("explanation shape")
        verbose_name_plural = _("explanation shapes")

    def __str__(self) -> str:
        return self.digest[:12]


class Decision(models.Model):
    """A decision as it was taken, frozen: re-reading it years later shows the same thing.

    A decision by the rules keeps its explanation as `explanation_shape` (shared, frozen: see
    `ExplanationShape`) and `explanation_values` (this household's members and the value of
    every variable of the tree); the text and tree are rendered from the two in the reader's
    language (`cases.selectors.decision_explanation_text`). Decisions taken before shapes hold
    the explanation pre-rendered in every language instead, in `explanation` (JSON trees) and
    `explanation_text` (plain words), which readers fall back to.
    `parameters` the parameter values the rules used with their dates and citations,
    `rulebook`/`rulebook_version` which rulebook produced them.
    `reasons` is a list of {"code", "text": {language: plain words}}.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    basis = models.CharField(_("basis"), max_length=10, choices=DecisionBasis.choices)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    period = models.CharField(_("period"), max_length=7, blank=True)
    outputs = models.JSONField(_("rule outputs"), default=dict, blank=True)
    explanation_shape = models.ForeignKey(
        ExplanationShape, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("explanation shape"),
    )
    explanation_values = models.JSONField(_("explanation values"), default=dict, blank=True)
    # Decisions taken before explanation shapes: the explanation pre-rendered per language.
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    explanation_text = models.JSONField(_("explanation in plain words"), default=dict, blank=True)
    rulebook = models.CharField(_("rulebook"), max_length=40, blank=True)
    rulebook_version = models.CharField(_("rulebook version"), max_length=40, blank=True)
    parameters = models.JSONField(_("parameter values used"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
        help_text=_("Empty when the rules decided."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("second approval by"),
    )
    is_current = models.BooleanField(_("current"), default=True)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["case", "decided_at", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_current=True), name="cases_one_current_decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome} {self.amount or ''}".rstrip()

    @property
    def reason_codes(self) -> list[str]:
        return [str(r.get("code")) for r in self.reasons]


class OverrideStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class OverrideRequest(models.Model):
    """A staff member's proposal to replace a rules decision; a second person approves it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="override_requests")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    note = models.TextField(_("why"), max_length=5000)
    status = models.CharField(
        max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        verbose_name = _("override request")
        verbose_name_plural = _("override requests")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="cases_one_pending_override"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.outcome} ({self.status})"


class NotifyChannel(models.TextChoices):
    PORTAL = "portal", _("Portal inbox")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    NO_BACKEND = "no_backend", _("No backend for the channel")


class Notification(models.Model):
    """One message about one case event on one channel; portal rows are the citizen's inbox."""

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="notifications")
    channel = models.CharField(_("channel"), max_length=8, choices=NotifyChannel.choices)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=5)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="cases_notify_once"),
        ]
        indexes = [
            models.Index(fields=["person", "channel", "-created_at"], name="cases_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.person_id}: {self.subject}"
