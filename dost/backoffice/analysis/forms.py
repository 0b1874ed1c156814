"""Forms of the analysis pages. The parameter form is generated from the rulebook's metadata:
one field per number, two per band of a scale, each labelled with the parameter's own label
and unit and limited by what its unit allows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dost.backoffice.analysis.selectors import benefit_label, benefits, rulebooks
from dost.backoffice.analysis.simulation import Change
from dost.catalog.models import localized
from dost.centres.models import Centre
from dost.registry.models import Region
from dost.rules import Period
from dost.rules.parameters import Bracket, DatedValue, Parameter

MSG_CHOOSE_BENEFIT = _("Choose the benefit to simulate.")
MSG_PERIOD = _("Enter the month as YYYY-MM, for example 2026-03.")
MSG_NO_CHANGE = _(
    "Change at least one value: the simulation compares your values with today's rules."
)
MSG_REQUIRED = _("Enter a value for %(label)s (the value in force is filled in).")
MSG_NUMBER = _("%(label)s must be a number, like 350 or 0.15.")
MSG_WHOLE = _("%(label)s must be a whole number.")
MSG_MIN = _("%(label)s must be %(limit_value)s or more.")
MSG_MAX = _("%(label)s must be %(limit_value)s or less.")
MSG_DECIMALS = _("%(label)s can have at most %(max)s decimal places.")
MSG_DIGITS = _("%(label)s is too large.")
MSG_BANDS = _("Each band must start above the band before it.")
MSG_MONTHS_ORDER = _("The first month must not be after the last month.")
MSG_MONTHS_SPAN = _("Choose at most %(months)s months.")
DASHBOARD_MAX_MONTHS = 36
WHOLE_UNITS = ("months", "years", "count")


def parse_period(text: str) -> Period | None:
    try:
        return Period.parse(text)
    except ValueError:
        return None


class MonthField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", _("For example, 2026-03"))
        kwargs.setdefault("error_messages", {"required": MSG_PERIOD})
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "input input--width-10", "autocomplete": "off",
                                  "spellcheck": "false"})

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        period = parse_period(text)
        if period is None:
            raise forms.ValidationError(MSG_PERIOD, code="period")
        return str(period)


class BenefitForm(forms.Form):
    benefit = forms.ChoiceField(
        label=_("Benefit"), error_messages={"required": MSG_CHOOSE_BENEFIT,
                                            "invalid_choice": MSG_CHOOSE_BENEFIT},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        for book in rulebooks():
            title = gettext("Rulebook %(name)s, version %(version)s") % {
                "name": book.name, "version": book.version}
            choices = [(b.key, benefit_label(book, b.output)) for b in benefits(book)]
            if choices:
                groups.append((title, choices))
        field = self.fields["benefit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext("Choose a benefit")), *groups]
        field.widget.attrs["class"] = "select"


class PeriodForm(forms.Form):
    period = MonthField(label=_("Month to simulate"))


def _number(value: float | int | bool | str) -> Decimal:
    """The value as the form shows it: 250 rather than 250.0 (scales hold floats)."""
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


@dataclass(frozen=True)
class History:
    """One dated value of a parameter, as the page lists it."""

    valid_from: dt.date
    text: str
    citation: str
    in_force: bool


@dataclass(frozen=True)
class ParameterGroup:
    """A parameter on the form: its words, its dated history and its field names."""

    param: Parameter
    label: str
    history: list[History]
    fields: list[str]

    @property
    def slug(self) -> str:
        return _slug(self.param.name)


def _slug(name: str) -> str:
    return "p-" + name.replace(".", "-")


def value_text(value: DatedValue) -> str:
    if isinstance(value.value, tuple):
        return "; ".join(_band_text(b) for b in value.value)
    return str(value.value)


def _band_text(band: Bracket) -> str:
    figure = band.amount if band.rate == 0 else band.rate
    return gettext("from %(threshold)s: %(figure)s") % {
        "threshold": f"{band.threshold:g}", "figure": f"{figure:g}"}


def _text_input(mode: str) -> forms.TextInput:
    # A text box with a numeric keyboard, not type=number (GOV.UK's advice: browsers round,
    # scroll-change and silently drop what they do not parse; the form says what is wrong).
    return forms.TextInput(attrs={"class": "input input--width-10", "inputmode": mode,
                                  "spellcheck": "false", "autocomplete": "off"})


class ParameterForm(forms.Form):
    """New values for the parameters of one benefit, prefilled with those in force on `day`."""

    def __init__(self, *args: Any, parameters: list[Parameter], day: dt.date,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day = day
        self.groups: list[ParameterGroup] = []
        self.changes: dict[str, Change] = {}
        for param in parameters:
            current = param.at(day)
            label = localized(dict(param.label)) or param.name
            history = [History(v.valid_from, value_text(v), v.citation, v is current)
                       for v in param.values]
            names: list[str] = []
            value = None if current is None else current.value
            if isinstance(value, tuple):
                names = self._add_scale(param, label, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                names = [self._add_number(_slug(param.name), param, f"{label} ({param.unit})",
                                          value)]
            self.groups.append(ParameterGroup(param, label, history, names))

    @property
    def sections(self) -> list[tuple[ParameterGroup, list[forms.BoundField]]]:
        """Each parameter with its bound fields, in the order the page shows them."""
        return [(group, [self[name] for name in group.fields]) for group in self.groups]

    def _add_number(self, name: str, param: Parameter, label: str, value: float | int,
                    kind: str = "") -> str:
        """One number field; `kind` (whole, ratio, amount, number) defaults from the unit."""
        kind = kind or ("whole" if param.unit in WHOLE_UNITS
                        else "ratio" if param.unit == "ratio" else "amount")
        def message(template: str) -> str:
            return template % {"label": label, "limit_value": "%(limit_value)s",
                               "max": "%(max)s"}

        errors = {"required": message(str(MSG_REQUIRED)), "invalid": message(str(MSG_NUMBER)),
                  "min_value": message(str(MSG_MIN)), "max_value": message(str(MSG_MAX)),
                  "max_decimal_places": message(str(MSG_DECIMALS)),
                  "max_digits": message(str(MSG_DIGITS)),
                  "max_whole_digits": message(str(MSG_DIGITS))}
        field: forms.Field
        if kind == "whole":
            errors["invalid"] = message(str(MSG_WHOLE))
            field = forms.IntegerField(label=label, min_value=1, max_value=10_000,
                                       error_messages=errors, widget=_text_input("numeric"))
        elif kind == "ratio":
            field = forms.DecimalField(label=label, min_value=0, max_value=1, max_digits=5,
                                       decimal_places=4, error_messages=errors,
                                       widget=_text_input("decimal"))
        elif kind == "number":
            field = forms.DecimalField(label=label, min_value=0, max_digits=14,
                                       decimal_places=4, error_messages=errors,
                                       widget=_text_input("decimal"))
        else:
            field = forms.DecimalField(label=label, min_value=0, max_digits=14,
                                       decimal_places=2, error_messages=errors,
                                       widget=_text_input("decimal"))
        field.initial = _number(value)
        self.fields[name] = field
        return name

    def _add_scale(self, param: Parameter, label: str, bands: tuple[Bracket, ...]) -> list[str]:
        names = []
        rate = param.scale == "marginal_rate"
        for index, band in enumerate(bands, start=1):
            base = f"{_slug(param.name)}-{index}"
            start = gettext("%(parameter)s, band %(n)s: starts at") % {
                "parameter": label, "n": index}
            # A threshold is a figure of the scale's base (a percentage, a rank), not money.
            names.append(
                self._add_number(f"{base}-threshold", param, start, band.threshold, "number")
            )
            if rate:
                what = gettext("%(parameter)s, band %(n)s: rate") % {
                    "parameter": label, "n": index}
                names.append(self._add_number(f"{base}-rate", param, what, band.rate, "ratio"))
            else:
                what = gettext("%(parameter)s, band %(n)s: amount (%(unit)s)") % {
                    "parameter": label, "n": index, "unit": param.unit}
                names.append(self._add_number(f"{base}-amount", param, what, band.amount))
        return names

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for group in self.groups:
            current = group.param.at(self.day)
            if current is None or not group.fields:
                continue
            if any(name not in data for name in group.fields):
                continue  # that field has its own error
            if isinstance(current.value, tuple):
                self._clean_scale(group, current.value, data)
            elif _number(data[group.fields[0]]) != _number(current.value):
                self.changes[group.param.name] = float(data[group.fields[0]])
        if not self.changes and not self.errors:
            raise forms.ValidationError(MSG_NO_CHANGE, code="no_change")
        return data

    def _clean_scale(self, group: ParameterGroup, bands: tuple[Bracket, ...],
                     data: dict[str, Any]) -> None:
        per_band = len(group.fields) // len(bands)
        new: list[dict[str, float]] = []
        for index in range(len(bands)):
            threshold_name, figure_name = group.fields[index * per_band:(index + 1) * per_band]
            threshold = float(data[threshold_name])
            if new and threshold <= new[-1]["threshold"]:
                self.add_error(threshold_name, MSG_BANDS)
                return
            key = "rate" if figure_name.endswith("-rate") else "amount"
            new.append({"threshold": threshold, key: float(data[figure_name])})
        old = [{"threshold": b.threshold, "rate" if group.param.scale == "marginal_rate"
                else "amount": b.rate if group.param.scale == "marginal_rate" else b.amount}
               for b in bands]
        if new != old:
            self.changes[group.param.name] = new


class RegionChoiceField(forms.ModelChoiceField[Region]):
    def label_from_instance(self, obj: Region) -> str:
        return localized(obj.names) or obj.name


class CentreChoiceField(forms.ModelChoiceField[Centre]):
    def label_from_instance(self, obj: Centre) -> str:
        return localized(obj.names) or obj.code


class DashboardFilterForm(forms.Form):
    start = MonthField(label=_("From month"))
    end = MonthField(label=_("To month"))
    region = RegionChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False,
        empty_label=_("All regions"), to_field_name="code",
    )
    centre = CentreChoiceField(
        label=_("Centre"), queryset=Centre.objects.none(), required=False,
        empty_label=_("All centres"), to_field_name="code",
    )

    def __init__(self, *args: Any, regions: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        centre = self.fields["centre"]
        assert isinstance(region, forms.ModelChoiceField)
        assert isinstance(centre, forms.ModelChoiceField)
        region.queryset = Region.objects.filter(pk__in=[r.pk for r in regions])
        centre.queryset = Centre.objects.filter(is_active=True).order_by("code")
        for name in ("region", "centre"):
            self.fields[name].widget.attrs["class"] = "select"

    @staticmethod
    def defaults(today: dt.date | None = None) -> dict[str, str]:
        """The last twelve months, this one included."""
        this = Period.parse((today or timezone.localdate()).strftime("%Y-%m"))
        return {"start": str(this.shift(-11)), "end": str(this)}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            first, last = Period.parse(start), Period.parse(end)
            if first > last:
                self.add_error("start", MSG_MONTHS_ORDER)
            elif (last.year - first.year) * 12 + last.month - first.month >= DASHBOARD_MAX_MONTHS:
                self.add_error("start", MSG_MONTHS_SPAN % {"months": DASHBOARD_MAX_MONTHS})
        return data
