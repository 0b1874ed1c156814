"""The proactive engine's state: its place in the event log, what it did, and outreach lists.

Every evaluation the engine acts on leaves one `ProactiveAction`, keyed by what triggered it, the
service and the person: handling the same event (or the same birthday) twice finds the key taken
and does nothing, so the engine is safe to re-run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import Award
from dost.cases.models import Case
from dost.catalog.models import Service
from dost.registry.models import District, Household, LifeEvent, Person


class EventCursor(models.Model):
    """The id of the last life event a consumer handled; it resumes after it."""

    name = models.CharField(_("consumer"), max_length=40, unique=True)
    last_event_id = models.BigIntegerField(_("last event handled"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("event cursor")
        verbose_name_plural = _("event cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_event_id}"


class ActionKind(models.TextChoices):
    AWARD = "award", _("Awarded automatically (the citizen may refuse)")
    OFFER = "offer", _("Offered: the citizen accepts in one step")
    TASK = "task", _("Task for staff: data missing or unclear")
    INVITE = "invite", _("Citizen invited to apply")
    ENDED = "ended", _("Awards ended")
    NOT_ELIGIBLE = "not_eligible", _("Evaluated: not eligible")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Waiting")
    DONE = "done", _("Done")
    ACCEPTED = "accepted", _("Accepted by the citizen")
    REFUSED = "refused", _("Refused by the citizen")


class ProactiveAction(models.Model):
    key = models.CharField(
        _("trigger key"), max_length=120, unique=True,
        help_text=_("what triggered it, the service and the person; makes re-runs harmless"),
    )
    trigger = models.CharField(_("trigger"), max_length=24)
    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="proactive_actions")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActionKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.DONE
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7, blank=True)
    start = models.DateField(_("right arose on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    occurred_on = models.DateField(_("triggering fact on"), null=True, blank=True)
    # A task or invitation staff closed by hand: who, when, and what they did about it.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("what was done"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("proactive action")
        verbose_name_plural = _("proactive actions")
        indexes = [
            models.Index(fields=["kind", "status"], name="proactive_by_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.kind}"


class NonTakeUp(models.Model):
    """A person the nightly scan found likely eligible for a service they do not receive."""

    period = models.CharField(_("period"), max_length=7)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("likely amount"), max_digits=14, decimal_places=2, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["period", "district_id", "service_id", "person_id"]
        verbose_name = _("non-take-up")
        verbose_name_plural = _("non-take-up")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "service", "person"], name="non_take_up_once_a_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.service_id} {self.person_id}"


class OutreachOutcome(models.TextChoices):
    CONTACTED = "contacted", _("Contacted: told about the service")
    APPLIED = "applied", _("Applied")
    DECLINED = "declined", _("Declined")
    UNREACHABLE = "unreachable", _("Could not be reached")


class OutreachContact(models.Model):
    """What came of contacting a person on an outreach list, one row per attempt.

    Keyed by period, service and person rather than by the `NonTakeUp` row: the nightly scan
    replaces a period's rows when it runs again, and the outcomes must survive it."""

    period = models.CharField(_("period"), max_length=7)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=12, choices=OutreachOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("outreach contact")
        verbose_name_plural = _("outreach contacts")
        permissions = [
            ("work_proactive", _("Can resolve proactive tasks and record outreach outcomes")),
        ]
        indexes = [
            models.Index(fields=["period", "service", "person", "-recorded_at"],
                         name="outreach_contact_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.service_id} {self.person_id}: {self.outcome}"
