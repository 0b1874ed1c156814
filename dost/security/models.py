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
