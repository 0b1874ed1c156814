"""The registry in Django's admin: for looking, not for editing.

Registry data changes only through life events and approved change requests, so persons,
households, memberships, facts and the logs are read-only here; geography (reference data) is the
exception. Change requests are decided through the services, from a small decision page or an
action. The pages are built for a registry of millions: exact-key search, no full counts, related
rows joined up front, raw-ID widgets.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from dost.audit.models import Channel
from dost.audit.services import access_record, staff_role
from dost.registry import models
from dost.registry.national_id import FIN_PATTERN, PINFL_PATTERN
from dost.registry.selectors import person_history
from dost.registry.services import (
    ChangeRequestKind,
    change_request_approve,
    change_request_create,
    change_request_reject,
)
from dost.registry.services.change_requests import APPROVE_PERMISSION, REQUEST_PERMISSION

HISTORY_ROWS = 50

APPROVED = _("Change request %(id)s was approved and applied.")
REJECTED = _("Change request %(id)s was rejected.")
NOT_DECIDED = _("Change request %(id)s was not decided: %(reason)s")
DECISION_UNKNOWN = _("Choose to approve or to reject.")
REQUESTED = _("Change request %(id)s was recorded; another user must now approve it.")
UNKNOWN_PERSON = _("No person with this personal ID is in the registry.")
UNKNOWN_HOUSEHOLD = _("No household with this reference is in the registry.")
PAYLOAD_NOT_JSON = _("The change must be a JSON object, e.g. {\"phone\": \"+994 50 123 45 67\"}.")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Viewing only: changes go through life events and change requests."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False
    show_change_link = True
    related: tuple[str, ...] = ()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Every shown field is read-only (some, like recorded_at, cannot even be edited).
        return [name for name in (self.fields or []) if isinstance(name, str)]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Read-only foreign keys are rendered as links, one query each unless joined here.
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset


class RetractedFilter(admin.SimpleListFilter):
    title = _("retracted")
    parameter_name = "retracted"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("In force")), ("yes", _("Retracted"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "no":
            return queryset.filter(retracted_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(retracted_at__isnull=False)
        return queryset


class DeceasedFilter(admin.SimpleListFilter):
    title = _("alive")
    parameter_name = "alive"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Alive")), ("no", _("Deceased"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(death_date__isnull=True)
        if self.value() == "no":
            return queryset.filter(death_date__isnull=False)
        return queryset


# --- Geography (editable reference data) -------------------------------------------------------


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin[models.Region]):
    list_display = ["code", "name", "country"]
    list_filter = ["country"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.District)
class DistrictAdmin(admin.ModelAdmin[models.District]):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- Persons and households --------------------------------------------------------------------


FACT_META = ["source", "reason", "recorded_at", "retracted_at", "retracted_reason"]


class MembershipInline(ReadOnlyInline):
    model = models.Membership
    fk_name = "person"
    fields = ["household", "role", "joined_on", "left_on"]
    related = ("household",)


class HouseholdMemberInline(ReadOnlyInline):
    model = models.Membership
    fk_name = "household"
    fields = ["person", "role", "joined_on", "left_on"]
    related = ("person",)


def _fact_inline(model: type[models.Fact], shown: list[str]) -> type[ReadOnlyInline]:
    return type(
        f"{model.__name__}Inline", (ReadOnlyInline,),
        {"model": model, "fields": [*shown, *FACT_META], "related": ()},
    )


PERSON_FACT_INLINES = [
    _fact_inline(models.Income, ["month", "type", "amount"]),
    _fact_inline(models.EmploymentContract,
                 ["employer_name", "start_date", "end_date", "termination_reason",
                  "monthly_wage"]),
    _fact_inline(models.InsuranceRecord, ["as_of", "record_months", "pension_capital"]),
    _fact_inline(models.DisabilityDetermination,
                 ["impairment_percent", "group", "valid_from", "valid_to"]),
    _fact_inline(models.PersonStatus, ["kind", "valid_from", "valid_to"]),
    _fact_inline(models.Vehicle, ["registration_number", "acquired_on", "disposed_on", "value"]),
    _fact_inline(models.RealEstate, ["purpose", "address", "acquired_on", "disposed_on"]),
    _fact_inline(models.JobOffer, ["offered_on", "employer_name", "suitable", "refused"]),
]


@admin.register(models.Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["personal_id", "last_name", "first_name", "patronymic", "birth_date", "sex",
                    "district", "death_date"]
    list_filter = [DeceasedFilter, "sex", "residence_status", "country"]
    list_select_related = ["district"]
    # Exact ID (unique index) or name prefixes; a "contains" search would scan millions of rows.
    search_fields = ["=personal_id", "^last_name", "^first_name"]
    search_help_text = _(
        "A personal ID; or a last name, then the beginning of the first name and patronymic."
    )
    raw_id_fields = ["district", "mother", "father"]
    readonly_fields = ["change_history"]
    fieldsets = [
        (None, {"fields": ["personal_id", "country", ("last_name", "first_name", "patronymic"),
                           ("birth_date", "sex", "death_date")]}),
        (_("Residence and contact"), {"fields": ["citizenship", "residence_status", "district",
                                                 "phone", "email", "preferred_language"]}),
        (_("Parents"), {"fields": ["mother", "father"]}),
        (_("History"), {"fields": ["change_history"]}),
    ]
    inlines = [MembershipInline, *PERSON_FACT_INLINES]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        # Logged only once the page was really shown (not a 404 or a refusal).
        if response.status_code == 200:
            person = self.get_object(request, object_id)
            if person is not None:
                access_record(
                    person=person, what="admin person page", channel=Channel.ADMIN,
                    purpose=(request.POST.get("purpose") or request.GET.get("purpose")
                             or "administration"),
                    actor=request.user, actor_role=staff_role(request.user),
                )
        return response

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if FIN_PATTERN.fullmatch(term.upper()) or PINFL_PATTERN.fullmatch(term):
            # A personal ID is looked up by its unique index alone.
            return queryset.filter(personal_id=term.upper()), False
        words = term.split()
        if 1 <= len(words) <= 3:
            # "Last [first [patronymic]]" with the full last name as stored uses the name index;
            # only when that finds nobody do we fall back to prefix search, which scans.
            exact = queryset.filter(last_name=words[0])
            for name, word in zip(("first_name", "patronymic"), words[1:], strict=False):
                exact = exact.filter(**{f"{name}__startswith": word})
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("changes (newest first)"))
    def change_history(self, obj: models.Person) -> str:
        changes = person_history(obj).changes[:HISTORY_ROWS]
        if not changes:
            return "–"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}#{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{c.at:%Y-%m-%d %H:%M}", c.model.split(".")[-1], c.object_id,
                    c.get_source_display(), c.reason,
                    json.dumps(c.before, ensure_ascii=False) if c.before is not None else "–",
                    json.dumps(c.after, ensure_ascii=False),
                )
                for c in changes
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("when"), _("record"), _("source"), _("reason"), _("before"), _("after"), rows,
        )


@admin.register(models.Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["reference", "district", "address", "created_on", "dissolved_on"]
    list_filter = ["district__region"]
    list_select_related = ["district"]
    search_fields = ["=reference", "^address"]
    raw_id_fields = ["district"]
    inlines = [HouseholdMemberInline,
               _fact_inline(models.UtilitySpending, ["month", "kind", "amount"])]


@admin.register(models.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["person", "household", "role", "joined_on", "left_on"]
    list_filter = ["role"]
    list_select_related = ["person", "household"]
    search_fields = ["=person__personal_id", "=household__reference"]
    raw_id_fields = ["person", "household"]


# --- Facts -------------------------------------------------------------------------------------


class FactAdmin(ReadOnlyAdmin):
    list_filter = ["source", RetractedFilter]
    list_select_related = ["person"]
    search_fields = ["=person__personal_id"]
    raw_id_fields = ["person", "recorded_by", "life_event"]


def _register_fact(model: type[models.Fact], shown: list[str], **extra: Any) -> None:
    owner = "household" if model is models.UtilitySpending else "person"
    attrs: dict[str, Any] = {
        "list_display": [owner, *shown, "source", "retracted_at"],
        "list_select_related": [owner],
        "search_fields": [f"={owner}__{'reference' if owner == 'household' else 'personal_id'}"],
        "raw_id_fields": [owner, "recorded_by", "life_event"],
        **extra,
    }
    admin.site.register(model, type(f"{model.__name__}Admin", (FactAdmin,), attrs))


_register_fact(models.Income, ["month", "type", "amount"],
               list_filter=["source", RetractedFilter, "type"])
_register_fact(models.EmploymentContract,
               ["employer_name", "start_date", "end_date", "termination_reason", "monthly_wage"],
               list_filter=["source", RetractedFilter, "termination_reason"])
_register_fact(models.InsuranceRecord, ["as_of", "record_months", "pension_capital"])
_register_fact(models.DisabilityDetermination,
               ["impairment_percent", "group", "valid_from", "valid_to"],
               list_filter=["source", RetractedFilter, "group"])
_register_fact(models.Vehicle, ["registration_number", "acquired_on", "disposed_on", "value"])
_register_fact(models.RealEstate, ["purpose", "address", "acquired_on", "disposed_on", "value"],
               list_filter=["source", RetractedFilter, "purpose"])
_register_fact(models.UtilitySpending, ["month", "kind", "amount"],
               list_filter=["source", RetractedFilter, "kind"])
_register_fact(models.PersonStatus, ["kind", "valid_from", "valid_to"],
               list_filter=["source", RetractedFilter, "kind"])
_register_fact(models.JobOffer, ["offered_on", "employer_name", "suitable", "refused"])


# --- Events and logs ---------------------------------------------------------------------------


class ChangeInline(ReadOnlyInline):
    model = models.RegistryChange
    fields = ["at", "model", "object_id", "before", "after"]
    show_change_link = False


class EventChangeInline(ChangeInline):
    fk_name = "life_event"


class RequestChangeInline(ChangeInline):
    fk_name = "change_request"


@admin.register(models.LifeEvent)
class LifeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "occurred_on", "person", "sender", "sender_event_id",
                    "received_at"]
    list_filter = ["type", "sender"]
    list_select_related = ["person"]
    search_fields = ["=sender_event_id", "=person__personal_id"]
    raw_id_fields = ["person"]
    inlines = [EventChangeInline]


@admin.register(models.RejectedEvent)
class RejectedEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "sender", "sender_event_id", "reason", "received_at"]
    list_filter = ["type", "sender"]
    search_fields = ["=sender_event_id"]


@admin.register(models.RegistryChange)
class RegistryChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "model", "object_id", "source", "actor", "life_event",
                    "change_request"]
    list_filter = ["source", "model"]
    list_select_related = ["actor", "life_event", "change_request"]
    search_fields = ["=object_id"]
    raw_id_fields = ["actor", "life_event", "change_request", "import_batch"]


@admin.register(models.ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "file_name", "rows", "imported_by", "imported_at"]
    list_filter = ["kind"]
    list_select_related = ["imported_by"]


# --- Change requests: decided through the services ---------------------------------------------


def _staff(request: HttpRequest) -> User:
    # admin_view lets only logged-in staff through, so the user is never anonymous here.
    return cast(User, request.user)


class RequestForm(forms.Form):
    """A staff edit, as the change-request service takes it (the payload as JSON)."""

    kind = forms.ChoiceField(label=_("Kind of change"), choices=ChangeRequestKind.choices)
    personal_id = forms.CharField(label=_("Personal ID"), required=False, max_length=14)
    household = forms.CharField(label=_("Household reference"), required=False, max_length=32)
    payload = forms.CharField(
        label=_("Change (JSON)"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For example {\"phone\": \"+994 50 123 45 67\"} or {\"fact\": \"income\", "
                    "\"month\": \"2026-01-01\", \"type\": \"wage\", \"amount\": \"500\"}."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_personal_id(self) -> models.Person | None:
        value = self.cleaned_data["personal_id"].strip().upper()
        if not value:
            return None
        person = models.Person.objects.filter(personal_id=value).first()
        if person is None:
            raise ValidationError(UNKNOWN_PERSON)
        return person

    def clean_household(self) -> models.Household | None:
        value = self.cleaned_data["household"].strip()
        if not value:
            return None
        household = models.Household.objects.filter(reference=value).first()
        if household is None:
            raise ValidationError(UNKNOWN_HOUSEHOLD)
        return household

    def clean_payload(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["payload"])
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            raise ValidationError(PAYLOAD_NOT_JSON)
        return value


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(models.ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind_label", "person", "household", "status", "requested_by",
                    "requested_at", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["person", "household", "requested_by", "decided_by"]
    search_fields = ["=person__personal_id", "=household__reference"]
    raw_id_fields = ["person", "household", "requested_by", "decided_by"]
    readonly_fields = ["decide_link"]
    actions = ["approve_selected"]
    inlines = [RequestChangeInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REQUEST_PERMISSION)

    def add_view(self, request: HttpRequest, form_url: str = "",
                 extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Record a change request through the service instead of saving a model form."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cr = change_request_create(
                    requested_by=_staff(request), kind=form.cleaned_data["kind"],
                    person=form.cleaned_data["personal_id"],
                    household=form.cleaned_data["household"],
                    payload=form.cleaned_data["payload"], reason=form.cleaned_data["reason"],
                )
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                self.message_user(request, REQUESTED % {"id": cr.pk}, messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:registry_changerequest_change", args=[cr.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Request a registry change"),
            "form": form,
        }
        return TemplateResponse(request, "admin/registry/changerequest/request.html", context)

    @admin.display(description=_("kind of change"), ordering="kind")
    def kind_label(self, obj: models.ChangeRequest) -> str:
        kinds = dict(ChangeRequestKind.choices)
        return str(kinds.get(obj.kind, obj.kind))

    @admin.display(description=_("decision"))
    def decide_link(self, obj: models.ChangeRequest) -> str:
        if obj.status != models.ChangeRequestStatus.PENDING:
            return str(obj.get_status_display())
        url = reverse("admin:registry_changerequest_decide", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Approve or reject"))

    def get_urls(self) -> list[Any]:
        decide = path(
            "<int:object_id>/decide/", self.admin_site.admin_view(self.decide_view),
            name="registry_changerequest_decide",
        )
        return [decide, *super().get_urls()]

    def decide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        if not request.user.has_perm(APPROVE_PERMISSION):
            raise PermissionDenied
        cr = get_object_or_404(
            models.ChangeRequest.objects.select_related("person", "household", "requested_by"),
            pk=object_id,
        )
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"]
            try:
                if "approve" in request.POST:
                    change_request_approve(change_request=cr, approver=_staff(request), note=note)
                    self.message_user(request, APPROVED % {"id": cr.pk}, messages.SUCCESS)
                elif "reject" in request.POST:
                    change_request_reject(change_request=cr, approver=_staff(request), note=note)
                    self.message_user(request, REJECTED % {"id": cr.pk}, messages.SUCCESS)
                else:
                    raise ValidationError(DECISION_UNKNOWN)
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", [str(exc)]))
                form.add_error(None, reason)
            else:
                return HttpResponseRedirect(
                    reverse("admin:registry_changerequest_change", args=[cr.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Decide on change request %(id)s") % {"id": cr.pk},
            "change_request": cr,
            "kind_label": self.kind_label(cr),
            "payload": json.dumps(cr.payload, ensure_ascii=False, indent=2),
            "form": form,
        }
        return TemplateResponse(request, "admin/registry/changerequest/decide.html", context)

    @admin.action(description=_("Approve the selected change requests"),
                  permissions=["approve"])
    def approve_selected(self, request: HttpRequest,
                         queryset: QuerySet[models.ChangeRequest]) -> None:
        for cr in queryset.filter(status=models.ChangeRequestStatus.PENDING):
            try:
                change_request_approve(change_request=cr, approver=_staff(request))
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, NOT_DECIDED % {"id": cr.pk, "reason": reason},
                                  messages.ERROR)
            else:
                self.message_user(request, APPROVED % {"id": cr.pk}, messages.SUCCESS)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_PERMISSION)
