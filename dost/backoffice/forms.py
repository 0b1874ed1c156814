"""Forms of the back office: they check what a request brings before a selector or service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from dost.backoffice.names import name_key
from dost.backoffice.search import looks_like_personal_id, personal_id_error
from dost.catalog.models import Service, localized
from dost.proactive.models import OutreachOutcome
from dost.registry.models import District

MSG_QUERY_REQUIRED = _("Enter a personal ID or a name.")
MSG_QUERY_SHORT = _("Enter at least two letters of the name.")
MSG_PURPOSE_REQUIRED = _("Say why you are looking the person up.")
MSG_REJECT_NOTE = _("Say why you reject the request.")


class Purpose(models.TextChoices):
    """Why staff read a person's data. The value (English) is what the audit log keeps."""

    ENQUIRY = "citizen enquiry", _("A citizen's enquiry or visit")
    CASE = "case work", _("Working on an application or appeal")
    ELIGIBILITY = "eligibility check", _("Checking eligibility for a benefit")
    CORRECTION = "registry correction", _("Correcting registry data")
    COMPLAINT = "complaint", _("Handling a complaint")


class SearchForm(forms.Form):
    query = forms.CharField(
        label=_("Personal ID or name"), max_length=120,
        help_text=_("A FIN or PINFL, or the surname and first name in any spelling or script."),
        error_messages={"required": MSG_QUERY_REQUIRED},
    )
    purpose = forms.ChoiceField(
        label=_("Why are you looking the person up?"), choices=Purpose.choices,
        widget=forms.RadioSelect, error_messages={"required": MSG_PURPOSE_REQUIRED},
    )

    def clean_query(self) -> str:
        query = " ".join(str(self.cleaned_data["query"]).split())
        if looks_like_personal_id(query):
            error = personal_id_error(query)
            if error is not None:
                raise error
            return query.upper()
        if len(name_key(query).replace(" ", "")) < 2:
            raise forms.ValidationError(MSG_QUERY_SHORT)
        return query

    @property
    def is_personal_id(self) -> bool:
        return looks_like_personal_id(self.cleaned_data.get("query", ""))


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Why are you opening this record?"), choices=Purpose.choices,
        widget=forms.RadioSelect, error_messages={"required": MSG_PURPOSE_REQUIRED},
    )


class ReviewForm(forms.Form):
    """The second person's answer to an override or a registry change request."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Note (required to reject)"), widget=forms.Textarea,
                           max_length=5000, required=False)

    def clean(self) -> dict[str, object] | None:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not str(data.get("note") or "").strip():
            self.add_error("note", MSG_REJECT_NOTE)
        return data


# --- Proactive work ---------------------------------------------------------------------------

MSG_RESOLUTION_REQUIRED = _("Say what you did.")
MSG_OUTCOME_REQUIRED = _("Choose what came of the contact.")
MSG_PERIOD = _("Enter the period as year and month, for example 2026-03.")


class TaskResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What did you do?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text=_("For example: the missing record was added, or the person was invited."),
        error_messages={"required": MSG_RESOLUTION_REQUIRED},
    )


class DistrictChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(localized(obj.names) if obj.names else obj.name)


class ServiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {localized(obj.names)}"


class OutreachFilterForm(forms.Form):
    period = forms.RegexField(
        label=_("Period"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7, required=False,
        help_text=_("Year and month of the nightly scan, for example 2026-03."),
        error_messages={"invalid": MSG_PERIOD},
    )
    district = DistrictChoiceField(
        label=_("District"), queryset=District.objects.none(), required=False,
        empty_label=_("All districts"), to_field_name="code",
    )
    service = ServiceChoiceField(
        label=_("Service"), queryset=Service.objects.order_by("code"), required=False,
        empty_label=_("All services"), to_field_name="code",
    )
    outcome = forms.ChoiceField(
        label=_("Contact"), required=False,
        choices=[("", _("Any")), ("none", _("Not contacted yet")), *OutreachOutcome.choices],
    )

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]


class OutreachContactForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What came of the contact?"), choices=OutreachOutcome.choices,
        widget=forms.RadioSelect, error_messages={"required": MSG_OUTCOME_REQUIRED},
    )
    note = forms.CharField(
        label=_("Note (optional)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        required=False,
    )
