"""The tools' questions. Error messages are module constants so tests can name them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.portal.tools.screener import MAX_MEMBERS, HouseholdAnswers, PersonAnswers

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str

MSG_MEMBERS = _("Enter how many people live in the household, from 1 to %(max)s")
MSG_YES_NO = _("Select yes or no")
MSG_PROPERTIES = _("Enter how many properties of one purpose the household owns, or 0")
MSG_AMOUNT = _("Enter an amount of money, like 150 or 150.50, or 0")
MSG_BIRTH_DATE = _("Enter a real date of birth in the past, like 1980-04-10")
MSG_ROLE = _("Select how this person is related to you")
MSG_SEX = _("Select the person’s sex")
MSG_DISABILITY = _(
    "Enter the impairment percentage as a whole number from 0 to 100, or leave it empty"
)
MSG_RECORD = _("Enter the insurance record in years, from 0 to 60, like 25 or 25.5")
MSG_CAPITAL = _("Enter the pension capital as an amount of money, like 46080, or 0")

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SEXES = [("F", _("Female")), ("M", _("Male"))]
ROLES = [
    ("spouse", _("Husband, wife or partner")),
    ("child", _("Son or daughter")),
    ("parent", _("Mother or father")),
    ("other", _("Another relative or someone else")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})}, format="%Y-%m-%d")


def _money_field(
    label: StrOrPromise, help_text: StrOrPromise = "", message: StrOrPromise = MSG_AMOUNT
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, help_text=help_text, min_value=Decimal(0), max_digits=12, decimal_places=2,
        required=True,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_digits", "max_decimal_places",
             "max_whole_digits"), message),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )


def _yes_no(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=help_text, choices=YES_NO, widget=forms.RadioSelect,
        error_messages={"required": MSG_YES_NO, "invalid_choice": MSG_YES_NO},
    )


def _birth_date() -> forms.DateField:
    return forms.DateField(
        label=_("Date of birth"), help_text=_("For example, 1980-04-10"), widget=DateInput(),
        error_messages={"required": MSG_BIRTH_DATE, "invalid": MSG_BIRTH_DATE},
    )


def _clean_birth(value: dt.date) -> dt.date:
    if value > timezone.localdate() or value < dt.date(1900, 1, 1):
        raise forms.ValidationError(MSG_BIRTH_DATE, code="invalid")
    return value


class HouseholdForm(forms.Form):
    members = forms.IntegerField(
        label=_("How many people live in your household, including you?"),
        help_text=_("Count everyone who shares the home and the household budget."),
        min_value=1, max_value=MAX_MEMBERS, widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, country: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        message = MSG_MEMBERS % {"max": MAX_MEMBERS}
        self.fields["members"].error_messages.update(
            dict.fromkeys(("required", "invalid", "min_value", "max_value"), message)
        )
        if country == "az":
            self.fields["vehicles"] = _yes_no(
                _("Does anyone in the household own a car or another vehicle?"),
                _("Do not count a vehicle issued for the rehabilitation of a disabled person."),
            )
            self.fields["properties"] = forms.IntegerField(
                label=_(
                    "How many homes or other properties of the same purpose does the household "
                    "own?"
                ),
                help_text=_(
                    "Count flats and houses at different addresses; 0 if none, 1 for your home."
                ),
                min_value=0, max_value=99, widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages=dict.fromkeys(
                    ("required", "invalid", "min_value", "max_value"), MSG_PROPERTIES),
            )
            self.fields["utilities"] = _money_field(
                _("How much does the household pay for utilities and communications in a month?"),
                _("Electricity, gas, water, phone and internet together."),
            )
            self.fields["purchases"] = _money_field(
                _(
                    "How much did the household spend on property, vehicles or other large "
                    "purchases in the last 12 months?"
                ),
                _("Enter 0 if none."),
            )

    def answers(self) -> HouseholdAnswers:
        data = self.cleaned_data
        out: HouseholdAnswers = {"members": int(data["members"])}
        if self.country == "az":
            out["vehicles"] = 1 if data["vehicles"] == "yes" else 0
            out["properties"] = int(data["properties"])
            out["utilities"] = str(data["utilities"])
            out["purchases"] = str(data["purchases"])
        return out

    @staticmethod
    def initial_from(answers: HouseholdAnswers) -> dict[str, Any]:
        initial: dict[str, Any] = dict(answers)
        if "vehicles" in answers:
            initial["vehicles"] = "yes" if answers["vehicles"] else "no"
        return initial


class PersonForm(forms.Form):
    def __init__(self, *args: Any, country: str, index: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country
        self.index = index
        if index > 0:
            self.fields["role"] = forms.ChoiceField(
                label=_("How is this person related to you?"), choices=ROLES,
                widget=forms.RadioSelect,
                error_messages={"required": MSG_ROLE, "invalid_choice": MSG_ROLE},
            )
        self.fields["birth_date"] = _birth_date()
        if country == "az":
            self.fields["sex"] = forms.ChoiceField(
                label=_("Sex"), choices=SEXES, widget=forms.RadioSelect,
                error_messages={"required": MSG_SEX, "invalid_choice": MSG_SEX},
            )
            self.fields["citizen"] = _yes_no(_("Is this person a citizen of Azerbaijan?"))
            self.fields["disability"] = forms.IntegerField(
                label=_("Impairment of body functions, if a disability has been determined (%)"),
                help_text=_(
                    "As written in the medical and social expert decision. Leave empty if none."
                ),
                required=False, min_value=0, max_value=100,
                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), MSG_DISABILITY),
            )
            self.fields["parent_died"] = _yes_no(
                _("Has the person’s mother or father died?"),
                _("This matters for children under 18."),
            )
        self.fields["wages"] = _money_field(
            _("Wages and other earnings in an average month"), _("Before tax. Enter 0 if none."))
        self.fields["pension"] = _money_field(
            _("Pensions and benefits in an average month"), _("Enter 0 if none."))
        self.fields["other_income"] = _money_field(
            _("Other income in an average month"),
            _("For example rent, farming or help from relatives abroad. Enter 0 if none."),
        )

    def clean_birth_date(self) -> dt.date:
        return _clean_birth(self.cleaned_data["birth_date"])

    def answers(self) -> PersonAnswers:
        data = self.cleaned_data
        out: PersonAnswers = {
            "role": data.get("role", "head") if self.index > 0 else "head",
            "birth_date": data["birth_date"].isoformat(),
            "wages": str(data["wages"]),
            "pension": str(data["pension"]),
            "other_income": str(data["other_income"]),
        }
        if self.country == "az":
            out["sex"] = data["sex"]
            out["citizen"] = data["citizen"] == "yes"
            out["disability"] = data["disability"]
            out["parent_died"] = data["parent_died"] == "yes"
        return out

    @staticmethod
    def initial_from(answers: PersonAnswers) -> dict[str, Any]:
        initial: dict[str, Any] = dict(answers)
        for key in ("citizen", "parent_died"):
            if key in answers:
                initial[key] = "yes" if answers[key] else "no"
        return initial


class PensionForm(forms.Form):
    birth_date = _birth_date()
    sex = forms.ChoiceField(
        label=_("Sex"), choices=SEXES, widget=forms.RadioSelect,
        help_text=_("The retirement age differs for men and women."),
        error_messages={"required": MSG_SEX, "invalid_choice": MSG_SEX},
    )
    record_years = forms.DecimalField(
        label=_("Insurance record (years)"),
        help_text=_("Years in which social insurance contributions were paid for you."),
        min_value=Decimal(0), max_value=Decimal(60), max_digits=4, decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value", "max_digits",
             "max_decimal_places", "max_whole_digits"), MSG_RECORD),
    )
    capital = _money_field(
        _("Pension capital"),
        _("The amount on your individual pension account, from the State Social Protection Fund."),
        MSG_CAPITAL,
    )

    def clean_birth_date(self) -> dt.date:
        return _clean_birth(self.cleaned_data["birth_date"])
