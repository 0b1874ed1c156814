"""Admin for the catalogue: passports are data that editors maintain."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dost.catalog.models import (
    Holiday,
    IntakeChannel,
    ResponseChannel,
    Service,
    ServiceCategory,
    localized,
)


class _ListValueFilter(admin.SimpleListFilter):
    """Filter on a value inside a JSON list field (done in Python: SQLite has no JSON contains)."""

    field_name = ""
    value_choices: type[IntakeChannel] | type[ResponseChannel] = IntakeChannel

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(self.value_choices.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        matching = [
            pk for pk, values in queryset.values_list("pk", self.field_name)
            if value in (values or [])
        ]
        return queryset.filter(pk__in=matching)


class IntakeChannelFilter(_ListValueFilter):
    title = _("intake channel")
    parameter_name = "intake"
    field_name = "intake_channels"
    value_choices = IntakeChannel


class ResponseChannelFilter(_ListValueFilter):
    title = _("response channel")
    parameter_name = "response"
    field_name = "response_channels"
    value_choices = ResponseChannel


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin[ServiceCategory]):
    list_display = ["code", "position", "display_name"]
    ordering = ["position"]

    @admin.display(description=_("name"))
    def display_name(self, obj: ServiceCategory) -> str:
        return localized(obj.names)


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = [
        "code", "display_name", "country", "category", "deadline", "deadline_unit",
        "automation", "proactive_outcome", "is_active",
    ]
    list_filter = [
        "country", "category", IntakeChannelFilter, ResponseChannelFilter, "automation",
        "electronisation", "proactive_outcome", "is_active",
    ]
    list_select_related = ["category"]
    search_fields = ["code"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["code", "country", "category", "names", "is_active"]}),
        (_("Legal basis and users"), {"fields": ["legal_basis", "eligible_users"]}),
        (_("Channels"), {"fields": ["intake_channels", "response_channels"]}),
        (_("Documents and refusals"), {"fields": ["documents", "refusal_grounds"]}),
        (_("Time and fee"), {"fields": [
            "front_office_minutes", "back_office_minutes", "total_minutes",
            "deadline", "deadline_unit", "fee",
        ]}),
        (_("Electronisation and rules"), {"fields": [
            "electronisation", "automation", "proactive_outcome", "rule_outputs",
        ]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("name"), ordering="code")
    def display_name(self, obj: Service) -> str:
        return localized(obj.names)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Service], search_term: str,
    ) -> tuple[QuerySet[Service], bool]:
        # Names are matched in Python, in every language: SQLite keeps JSON text with non-ASCII
        # letters escaped, so a database `icontains` would miss "Ünvanlı" there.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().casefold()
        if not term:
            return found, may_have_duplicates
        by_name = [
            pk for pk, names in queryset.values_list("pk", "names")
            if any(term in str(text).casefold() for text in (names or {}).values())
        ]
        return found | queryset.filter(pk__in=by_name), may_have_duplicates


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ["date", "country", "kind", "display_name", "source"]
    list_filter = ["country", "kind"]
    date_hierarchy = "date"
    ordering = ["country", "date"]

    @admin.display(description=_("name"))
    def display_name(self, obj: Holiday) -> str:
        return localized(obj.names)
