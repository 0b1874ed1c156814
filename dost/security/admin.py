"""Security data in the admin: assignments and retention rules are edited here; role grant
requests and payroll sign-offs are read-only (they change only through the four-eyes services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dost.security.models import PayrollSignOff, RetentionRule, RoleGrantRequest, StaffAssignment


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin[StaffAssignment]):
    list_display = ["user", "centre", "region", "created_at"]
    list_select_related = ["user", "centre", "region"]
    raw_id_fields = ["user"]


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin[RetentionRule]):
    list_display = ["what", "months", "purgeable", "legal_basis"]


class ReadOnly[M: Any](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RoleGrantRequest)
class RoleGrantRequestAdmin(ReadOnly[RoleGrantRequest]):
    list_display = ["requested_at", "user", "role", "revoke", "status", "requested_by",
                    "decided_by"]
    list_filter = ["status", "role"]


@admin.register(PayrollSignOff)
class PayrollSignOffAdmin(ReadOnly[PayrollSignOff]):
    list_display = ["run", "prepared_by", "prepared_at", "approved_by", "approved_at"]
