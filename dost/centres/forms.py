from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.centres.kpis import BREAKDOWNS
from dost.centres.models import PriorityReason, ServiceGroup
from dost.centres.selectors import Slot

SCORES = [(i, str(i)) for i in range(5, 0, -1)]
MSG_CHOOSE_SERVICE = _("Choose the service you came for.")
MSG_CHOOSE_SCORE = _("Choose a score from 1 to 5.")
MSG_CHOOSE_TIME = _("Choose a time.")
MSG_RANGE = _("The end date must not be before the start date.")
MSG_RANGE_TOO_LONG = _("Choose at most 92 days.")

BREAKDOWN_LABELS = {
    "centre": _("Centre"),
    "counter": _("Counter"),
    "operator": _("Operator"),
    "service_group": _("Service"),
    "day": _("Day"),
}


class GroupChoiceField(forms.ModelChoiceField[ServiceGroup]):
    def label_from_instance(self, obj: ServiceGroup) -> str:
        return f"{obj.letter} — {obj.name}"


def _groups_field(groups: QuerySet[ServiceGroup], label: str) -> GroupChoiceField:
    return GroupChoiceField(
        queryset=groups, label=label, widget=forms.RadioSelect, empty_label=None,
        error_messages={"required": MSG_CHOOSE_SERVICE, "invalid_choice": MSG_CHOOSE_SERVICE},
    )


class KioskForm(forms.Form):
    def __init__(self, *args: Any, groups: QuerySet[ServiceGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_group"] = _groups_field(groups, str(_("What did you come for?")))
        self.fields["priority_reason"] = forms.ChoiceField(
            label=_("Do you need to be served first?"),
            choices=[("", _("No"))] + [c for c in PriorityReason.choices if c[0]],
            widget=forms.RadioSelect, required=False, initial="",
            help_text=_("Persons with a disability, elderly persons and pregnant women are "
                        "called first. Staff may ask for a document."),
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code printed on your ticket or booking"), min_length=8, max_length=8,
        strip=True,
    )


def _score() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=SCORES, coerce=int, widget=forms.RadioSelect,
        error_messages={"required": MSG_CHOOSE_SCORE, "invalid_choice": MSG_CHOOSE_SCORE},
    )


class RatingForm(forms.Form):
    quality = _score()
    timeliness = _score()
    courtesy = _score()
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quality"].label = _("How well was your request handled?")
        self.fields["timeliness"].label = _("How quickly were you served?")
        self.fields["courtesy"].label = _("How polite and helpful was the staff?")


class EndServiceForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Case reference (if the visit opened a case)"), required=False, max_length=40,
    )


class TransferForm(forms.Form):
    def __init__(self, *args: Any, groups: QuerySet[ServiceGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_group"] = _groups_field(groups, str(_("Transfer to")))


class SlotSearchForm(forms.Form):
    def __init__(self, *args: Any, groups: QuerySet[ServiceGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service_group"] = _groups_field(groups, str(_("Service")))
        self.fields["day"] = forms.DateField(
            label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}),
            initial=timezone.localdate,
        )


def _slot_choices(slots: list[Slot]) -> list[tuple[str, str]]:
    return [
        (s.starts_at.isoformat(), timezone.localtime(s.starts_at).strftime("%H:%M"))
        for s in slots if s.free > 0
    ]


class SlotChoiceForm(forms.Form):
    """A time among the free slots given; the value is the slot's ISO timestamp."""

    def __init__(self, *args: Any, slots: list[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"] = forms.ChoiceField(
            label=_("Time"), choices=_slot_choices(slots), widget=forms.RadioSelect,
            error_messages={"required": MSG_CHOOSE_TIME, "invalid_choice": MSG_CHOOSE_TIME},
        )

    def starts_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.cleaned_data["starts_at"])


class BookingForm(SlotChoiceForm):
    name = forms.CharField(label=_("Full name"), max_length=160)
    phone = forms.CharField(
        label=_("Mobile phone (for a reminder)"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail (optional)"), required=False)

    field_order = ["starts_at", "name", "phone", "email"]


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
    )


class KpiFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(
        label=_("Figures per"), choices=[(b, BREAKDOWN_LABELS[b]) for b in BREAKDOWNS],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(MSG_RANGE)
            if (end - start).days > 92:
                raise forms.ValidationError(MSG_RANGE_TOO_LONG)
        return data
