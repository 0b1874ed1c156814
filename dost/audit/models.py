"""The audit log: one row per read of a person's data (`AccessRecord`) and one per change made
by staff or the system (`ChangeRecord`, before and after). Rows are written once, never changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MSG_APPEND_ONLY = _("The audit log is append-only: its records cannot be changed or deleted.")


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit record through the application."""

    def __init__(self) -> None:
        super().__init__(str(MSG_APPEND_ONLY))


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    # Bulk paths bypass save()/delete(), so they are closed here too.
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError


class AppendOnlyRecord(models.Model):
    """A row written once: saving it again or deleting it raises, whatever the caller."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError


class Channel(models.TextChoices):
    ADMIN = "admin", _("administration")
    BACKOFFICE = "backoffice", _("back office")
    API = "api", _("API")


class AccessRecord(AppendOnlyRecord):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff user"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    api_client = models.ForeignKey(
        "api.ApiClient", verbose_name=_("API client"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # What the citizen is shown instead of a staff member's name: an agency or a role.
    actor_role = models.CharField(_("agency or role"), max_length=120, blank=True)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+",
    )
    what = models.CharField(_("what was read"), max_length=80)
    purpose = models.CharField(_("stated purpose"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)

    objects = AppendOnlyQuerySet["AccessRecord"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="audit_access_person_at")]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.what} ({self.person_id})"


class ChangeRecord(AppendOnlyRecord):
    """One change to something that matters (an award, a decision, a role, a payroll run, a
    staff assignment): who, when, what, and the object's state before and after."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    actor_role = models.CharField(_("agency or role"), max_length=120, blank=True)
    # "app_label.model" and the key as text: one log for every kind of object.
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object key"), max_length=64)
    action = models.CharField(_("action"), max_length=40)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person concerned"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = AppendOnlyQuerySet["ChangeRecord"].as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_change_object"),
            models.Index(fields=["person", "-at"], name="audit_change_person_at"),
        ]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"
