"""Read-only admin for awards and payments: they change only through the services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from dost.benefits.models import Award, AwardAmount, Payment, PayrollRun


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AwardAmountInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AwardAmount
    fields = ("valid_from", "amount", "reason", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Award)
class AwardAdmin(_ReadOnly):
    list_display = ("id", "service", "person", "household", "frequency", "start", "end", "status")
    list_filter = ("status", "frequency", "service")
    raw_id_fields = ("person", "household", "case", "decision")
    inlines = [AwardAmountInline]


@admin.register(PayrollRun)
class PayrollRunAdmin(_ReadOnly):
    list_display = ("period", "status", "started_at", "completed_at", "approved_at")


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ("id", "run", "award", "period", "kind", "amount", "bank", "status")
    list_filter = ("status", "kind", "bank")
    raw_id_fields = ("award", "reissue_of")
