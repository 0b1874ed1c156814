"""An issued certificate: what it certified, who for, and the fingerprints that prove it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.registry.models import Person


class CertificateKind(models.TextChoices):
    BENEFITS = "benefits", _("Benefits received")
    PENSION = "pension", _("Pension amount")


class IssuedBy(models.TextChoices):
    CITIZEN = "citizen", _("the citizen, in the portal")
    STAFF = "staff", _("a member of staff")


class Certificate(models.Model):
    # Random and unguessable (secrets.token_urlsafe): the code is the only key of the public
    # verification page, so it must not be enumerable.
    code = models.CharField(_("verification code"), max_length=40, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CertificateKind.choices)
    language = models.CharField(_("language"), max_length=5)
    # The certified facts exactly as printed, canonical JSON; `content_sha256` is their hash.
    facts = models.JSONField(_("certified facts"))
    content_sha256 = models.CharField(_("SHA-256 of the facts"), max_length=64)
    pdf = models.BinaryField(_("PDF as issued"))
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.CharField(_("issued by"), max_length=8, choices=IssuedBy.choices)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("staff user"),
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        permissions = [("issue_certificate", "Can issue a certificate for a person")]
        indexes = [models.Index(fields=["person", "-issued_at"], name="certificates_by_person")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"
