"""The auditor's search page: read-only, searchable by personal ID and staff user."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dost.audit.models import AccessRecord, ChangeRecord


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin[AccessRecord]):
    list_display = ["at", "person", "what", "purpose", "channel", "actor", "api_client",
                    "actor_role"]
    list_filter = ["channel", "at", "what"]
    list_select_related = ["person", "actor", "api_client"]
    date_hierarchy = "at"
    # Exact matches only: both use an index, and an auditor searches for one person or one user.
    search_fields = ["=person__personal_id", "=actor__username", "=api_client__name"]
    search_help_text = _("A personal ID, a staff username or an API client's name.")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin[ChangeRecord]):
    list_display = ["at", "object_type", "object_id", "action", "actor", "person"]
    list_filter = ["object_type", "action", "at"]
    list_select_related = ["actor", "person"]
    date_hierarchy = "at"
    search_fields = ["=person__personal_id", "=actor__username", "=object_id"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
