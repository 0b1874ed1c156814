"""Read-only admin for what the proactive engine did and found."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dost.proactive.models import EventCursor, NonTakeUp, ProactiveAction


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProactiveAction)
class ProactiveActionAdmin(_ReadOnly):
    list_display = ("id", "trigger", "service", "person", "kind", "status", "created_at")
    list_filter = ("kind", "status", "trigger")
    raw_id_fields = ("person", "household", "case", "award", "life_event")


@admin.register(NonTakeUp)
class NonTakeUpAdmin(_ReadOnly):
    list_display = ("period", "district", "service", "person", "amount")
    list_filter = ("period", "service")
    raw_id_fields = ("person", "household")


@admin.register(EventCursor)
class EventCursorAdmin(_ReadOnly):
    list_display = ("name", "last_event_id", "updated_at")
