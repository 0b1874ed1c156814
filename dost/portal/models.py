"""Files a citizen uploads with an application.

`dost.cases.CaseDocument` records that a document of the passport was brought and where it is
kept (`reference`); the file itself is held here, with what was checked about it, so that it is
only ever handed back to its owner (as a download, never rendered by the browser).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from dost.cases.models import Case
from dost.catalog.models import Service
from dost.registry.models import Person


class Upload(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="portal_uploads",
        verbose_name=_("uploaded by"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    code = models.CharField(_("document"), max_length=40)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="portal_uploads",
        verbose_name=_("case"), help_text=_("Empty while the application is not yet sent."),
    )
    file = models.FileField(_("file"), upload_to="portal/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("uploaded document")
        verbose_name_plural = _("uploaded documents")
        indexes = [models.Index(fields=["person", "service", "code"], name="portal_upload_draft")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.code} {self.original_name}"

    @property
    def reference(self) -> str:
        # What the case's document row points at; `upload_id_from_reference` reverses it.
        return f"portal-upload:{self.pk}"
