"""Setting up a centre happens here (docs/centres.md): the centre with its hours and closures,
its service groups (queues) and their services, its counters and the staff shifts. Tickets,
ratings and escalations are read-only here: they change through the centre's own pages."""

from __future__ import annotations

from django.contrib import admin

from dost.centres.models import (
    Appointment,
    Centre,
    CentreClosure,
    Counter,
    Escalation,
    OpeningHours,
    Rating,
    ServiceGroup,
    Shift,
    Ticket,
)


class OpeningHoursInline(admin.TabularInline[OpeningHours, Centre]):
    model = OpeningHours
    extra = 0


class CentreClosureInline(admin.TabularInline[CentreClosure, Centre]):
    model = CentreClosure
    extra = 0


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin[Centre]):
    list_display = ["code", "country", "address", "is_active"]
    list_filter = ["country", "is_active"]
    search_fields = ["code", "address"]
    filter_horizontal = ["supervisors"]
    inlines = [OpeningHoursInline, CentreClosureInline]


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin[ServiceGroup]):
    list_display = ["letter", "centre", "standard_minutes", "appointment_share", "position"]
    list_filter = ["centre"]
    filter_horizontal = ["services"]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin[Counter]):
    list_display = ["number", "centre", "is_active"]
    list_filter = ["centre", "is_active"]
    filter_horizontal = ["service_groups"]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin[Shift]):
    list_display = ["date", "starts", "ends", "counter", "user"]
    list_filter = ["date", "counter__centre"]
    date_hierarchy = "date"


class ReadOnlyAdmin[M: (Ticket, Rating, Escalation, Appointment)](admin.ModelAdmin[M]):
    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin[Ticket]):
    list_display = ["day", "__str__", "centre", "status", "is_priority", "counter", "operator"]
    list_filter = ["day", "status", "is_priority", "source", "centre"]
    date_hierarchy = "day"


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin[Rating]):
    list_display = ["ticket", "quality", "timeliness", "courtesy", "channel", "created_at"]
    list_filter = ["channel"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin[Escalation]):
    list_display = ["centre", "rating", "status", "deadline"]
    list_filter = ["status", "centre"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin[Appointment]):
    list_display = ["starts_at", "centre", "service_group", "name", "status"]
    list_filter = ["status", "centre"]
    date_hierarchy = "starts_at"
