"""API clients, their keys and scopes, the call log, webhook subscriptions and bulk exports.

A key is shown once, when it is issued; only its SHA-256 digest is stored. Keys are 256 random
bits, so a fast digest is as strong as a slow password hash here (there is nothing to guess)
and keeps a key check to one indexed look-up per request.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiClient(models.Model):
    """Another state system (a bank, the tax service, the civil registry) that calls the API."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    sender = models.CharField(
        _("event sender name"), max_length=40, unique=True,
        help_text=_("The `sender` its life events are logged under."),
    )
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    digest = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["client_id", "-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class ApiCall(models.Model):
    """One request: who called what, why, and how it ended."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField()
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class ApiRateCount(models.Model):
    """A client's calls in one minute through one database connection (`dost.api.ratelimit`):
    the rate limit is the sum over a client's rows of the current minute."""

    # Both indexes below start with the client: Django's own index on the key is not needed.
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    slot = models.PositiveIntegerField()
    minute = models.BigIntegerField()  # minutes since 1970-01-01 UTC
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "slot"], name="api_ratecount_one_per_slot"),
        ]
        # The key check reads a client's rows of the current minute only.
        indexes = [models.Index(fields=["client", "minute"])]

    def __str__(self) -> str:
        return f"{self.client_id}@{self.minute}: {self.used}"


class Subscription(models.Model):
    """A client's webhook: event types it wants, where to send them and the signing secret."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(_("callback URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list)
    # Needed in clear to sign each delivery (HMAC); shown to the client once, at creation.
    secret = models.CharField(_("signing secret"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.client_id} → {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed after every retry")


class Delivery(models.Model):
    """One notification to one subscription, with its attempts."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(_("notification ID"), max_length=64)
    event_type = models.CharField(_("event type"), max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="api_delivery_once_per_subscription"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.status})"


class OutboxCursor(models.Model):
    """How far the webhook dispatcher has read a source (decisions, life events)."""

    source = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source}@{self.last_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    PARQUET = "parquet", "Parquet"


class ExportJob(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="exports")
    period = models.CharField(_("period"), max_length=7, help_text=_("YYYY-MM"))
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.CharField(_("file path"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.period} {self.format} ({self.status})"


class ClientApplication(models.Model):
    """An application a client submitted on a citizen's behalf: the client may read it back."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="applications")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("application submitted through the API")
        verbose_name_plural = _("applications submitted through the API")

    def __str__(self) -> str:
        return f"{self.client_id}: {self.case_id}"
