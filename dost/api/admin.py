"""Admin views of the API: clients and their scopes; keys, calls and deliveries read-only (keys
are issued with `dost api_clients`, which shows the key once)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dost.api.models import ApiCall, ApiClient, ApiKey, Delivery, ExportJob, Subscription


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiKeyInline(admin.TabularInline[ApiKey, ApiClient]):
    model = ApiKey
    fields = ("prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = ("name", "sender", "rate_limit_per_minute", "is_active", "created_at")
    search_fields = ("name", "sender")
    inlines = (ApiKeyInline,)


@admin.register(ApiCall)
class ApiCallAdmin(ReadOnlyAdmin):
    list_display = ("at", "client", "method", "path", "status", "purpose", "duration_ms")
    list_filter = ("status", "client")
    search_fields = ("path", "purpose")
    list_select_related = ("client",)


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("client", "url", "event_types", "is_active", "created_at")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "subscription", "event_type", "status", "attempts",
                    "last_status_code")
    list_filter = ("status", "event_type")


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "client", "period", "format", "status", "rows")
