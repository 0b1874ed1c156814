"""Forms of the back office: they check what a request brings before a selector or service."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from dost.backoffice.names import name_key
from dost.backoffice.search import looks_like_personal_id, personal_id_error

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
