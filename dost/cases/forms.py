"""Forms of the staff pages: they validate what a request brings before a selector or service
sees it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from dost.cases.models import Outcome, QueueRole
from dost.centres.models import Centre

MSG_BAD_CURSOR = _("This page link is damaged; start again from the first page.")


class QueueFilterForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("Centre"), queryset=Centre.objects.filter(is_active=True), to_field_name="code",
        required=False, empty_label=_("National office"),
    )
    role = forms.ChoiceField(label=_("Queue"), choices=QueueRole.choices,
                             initial=QueueRole.OFFICER)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_after(self) -> tuple[dt.date, int] | None:
        raw = self.cleaned_data.get("after") or ""
        if not raw:
            return None
        try:
            day, _sep, pk = raw.partition("_")
            return dt.date.fromisoformat(day), int(pk)
        except ValueError:
            raise forms.ValidationError(MSG_BAD_CURSOR) from None


class StaffDecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices,
                                widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(label=_("Reasons for a refusal"), required=False,
                                        widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0,
                                max_digits=14, decimal_places=2)
    note = forms.CharField(label=_("Why"), widget=forms.Textarea, max_length=5000,
                           required=False)

    def __init__(self, *args: object, grounds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reasons"].choices = grounds  # type: ignore[attr-defined]
