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
