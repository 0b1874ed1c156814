"""Who a signed-in citizen is: the link from a Django user to a person of the registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CitizenLink(models.Model):
    """Made at first sign-in from the identity provider's personal-ID claim; one per person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="citizen_link",
    )
    person = models.OneToOneField(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="citizen_link",
    )
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("citizen sign-in link")
        verbose_name_plural = _("citizen sign-in links")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id}"


class Capability(models.Model):
    """Holds the permissions that belong to no one table (searching the registry, simulating a
    reform, exporting a person's data). No table: only its permissions are created."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("search_person", "Can search persons of the registry"),
            ("view_person360", "Can open a person's 360° view"),
            ("run_policy_simulation", "Can simulate a change of rulebook parameters"),
            ("view_dashboards", "Can view management dashboards"),
            ("extract_pseudonymised", "Can download pseudonymised extracts"),
            ("export_person_data", "Can export everything held about a person"),
            ("grant_role", "Can request a role grant"),
            ("approve_role_grant", "Can approve a role grant requested by another"),
            ("manage_payroll", "Can prepare and export payroll runs"),
            ("approve_payroll", "Can approve a payroll run prepared by another"),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class StaffAssignment(models.Model):
    """Where a staff member works: a centre, a region, or both. Staff with no assignment and no
    superuser status see nothing scoped (see `selectors.staff_scope`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), on_delete=models.CASCADE,
        related_name="staff_assignments",
    )
    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("centre"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "id"]
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(centre__isnull=False) | models.Q(region__isnull=False),
                name="security_assignment_centre_or_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.centre_id or '-'} / {self.region_id or '-'}"


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RoleGrantRequest(models.Model):
    """A request to give a user a role (or take it away); applied only when a second person,
    neither the requester nor the user concerned, approves it. Decided once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user concerned"), on_delete=models.PROTECT,
        related_name="role_grant_requests",
    )
    role = models.CharField(_("role"), max_length=40)
    revoke = models.BooleanField(_("take the role away"), default=False)
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("role grant request")
        verbose_name_plural = _("role grant requests")

    def __str__(self) -> str:
        return f"{self.role} → {self.user_id} ({self.status})"


class PayrollSignOff(models.Model):
    """Who prepared a payroll run, so that its approval can be refused to the same person.
    Kept beside the benefits app's run, which records only the approver."""

    run = models.OneToOneField(
        "benefits.PayrollRun", verbose_name=_("payroll run"), on_delete=models.PROTECT,
        related_name="sign_off",
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT,
        related_name="+",
    )
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payroll sign-off")
        verbose_name_plural = _("payroll sign-offs")

    def __str__(self) -> str:
        return f"{self.run_id}: {self.prepared_by_id} / {self.approved_by_id or '-'}"


class RetentionRule(models.Model):
    """How long one kind of record is kept, and why: retention periods as data, read by
    `dost privacy purge`. `purgeable` False means the rule is informative only (the record is
    archived, never deleted by the application: the audit log, decisions)."""

    what = models.CharField(_("what"), max_length=80, unique=True,
                            help_text=_("app_label.model, as in the purge registry"))
    months = models.PositiveIntegerField(_("kept for (months)"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    purgeable = models.BooleanField(_("deleted when expired"), default=False)

    class Meta:
        ordering = ["what"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.what}: {self.months} months"
