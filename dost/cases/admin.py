"""Read-mostly admin for cases: decisions and events are records, changed only by services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dost.cases.models import Case, CaseEvent, Decision, Notification, OverrideRequest


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DecisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Decision
    fields = ("decided_at", "basis", "outcome", "amount", "currency", "decided_by",
              "approved_by", "is_current")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CaseEvent
    fields = ("created_at", "status_from", "status_to", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(_ReadOnly):
    list_display = ("id", "kind", "service", "status", "channel", "centre", "queue_role",
                    "due_on", "created_at")
    list_filter = ("kind", "status", "channel", "queue_role")
    search_fields = ("=id", "applicant__personal_id", "household__reference", "centre__code")
    list_select_related = ("service", "centre")
    raw_id_fields = (
        "applicant", "beneficiary", "household", "assignee", "appeal_of", "submitted_by"
    )
    inlines = (DecisionInline, EventInline)


@admin.register(OverrideRequest)
class OverrideRequestAdmin(_ReadOnly):
    list_display = ("case", "outcome", "status", "requested_by", "reviewed_by", "created_at")
    list_filter = ("status",)


@admin.register(Notification)
class NotificationAdmin(_ReadOnly):
    list_display = ("case", "channel", "language", "status", "attempts", "subject", "created_at")
    list_filter = ("channel", "status", "language")
    raw_id_fields = ("event", "case", "person")
