"""The service catalogue: service passports, their categories, and the working-day calendar.

The models are declarative: a passport is data that editors maintain (YAML fixtures per country,
then the admin). Texts shown to people are JSON maps from language code to text
(`{"az": …, "uz": …, "ru": …, "en": …}`), as in the registry's `names`: adding a language is a
data change, not a migration, and one row carries every language the centres speak. The loader
(`dost.catalog.services.catalog_load`) and `Service.clean()` both check that the four languages of
`settings.LANGUAGES` are present.

Lists of choices (channels, eligible users) and lists of structured items (documents, refusal
grounds, legal basis) are JSON lists too: the catalogue is a few hundred rows, read whole and
cached, so portability between SQLite and PostgreSQL matters more than SQL-side filtering.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from dost.registry.models import Country

SERVICE_CODE_RE = re.compile(r"^\d{2}-\d{2}-\d{2}-\d{2}$")
# Rule outputs are variable names of the rulebooks (dost/rulebooks/<country>): snake_case.
RULE_OUTPUT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LANGUAGE_CODES: tuple[str, ...] = ("az", "uz", "ru", "en")

MSG_BAD_CODE = _("A service code has the form NN-NN-NN-NN, for example 04-01-01-01.")
MSG_MISSING_LANGUAGES = _("Text is missing for the languages: %(languages)s.")
MSG_UNKNOWN_CHOICE = _("Unknown value %(value)r; allowed: %(allowed)s.")
MSG_TOTAL_TOO_SMALL = _("Total minutes cannot be less than front-office plus back-office minutes.")
MSG_BAD_RULE_OUTPUT = _("Rule output %(value)r is not a snake_case variable name.")
MSG_BAD_ITEM = _("Each item needs a 'code' and a 'text' with every language.")

service_code_validator = RegexValidator(SERVICE_CODE_RE, MSG_BAD_CODE)


def localized(texts: dict[str, str], language: str | None = None) -> str:
    """The text in `language` (default: the active one), falling back to English, then any."""
    lang = (language or get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def missing_languages(texts: object) -> list[str]:
    """Languages of LANGUAGE_CODES with no non-empty text in `texts` (all of them if not a map)."""
    if not isinstance(texts, dict):
        return list(LANGUAGE_CODES)
    return [lang for lang in LANGUAGE_CODES if not str(texts.get(lang) or "").strip()]


class IntakeChannel(models.TextChoices):
    CENTRE = "centre", _("DOST / Inson centre")
    PORTAL = "portal", _("Portal (e-social)")
    CALL_CENTRE = "call_centre", _("Call centre")
    POST = "post", _("Post")
    PROACTIVE = "proactive", _("Proactive (no application)")


class ResponseChannel(models.TextChoices):
    CENTRE = "centre", _("In person at a centre")
    PORTAL = "portal", _("Citizen's cabinet on the portal")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")


class EligibleUser(models.TextChoices):
    CITIZEN = "citizen", _("Citizens")
    FOREIGNER = "foreigner", _("Foreign nationals residing permanently")
    STATELESS = "stateless", _("Stateless persons residing permanently")
    REPRESENTATIVE = "representative", _("Legal representatives")
    LEGAL_ENTITY = "legal_entity", _("Employers and other legal entities")


class DeadlineUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class ElectronisationDegree(models.TextChoices):
    # Levels as DOST passports grade them: from information only up to a fully online service.
    NONE = "none", _("Not electronic")
    INFORMATION = "information", _("Information online")
    INTERACTIVE = "interactive", _("Online application, paper result")
    FULL = "full", _("Fully electronic (application and result)")


class AutomationDegree(models.TextChoices):
    MANUAL = "manual", _("Decided by staff")
    PARTIAL = "partial", _("Checked by the system, decided by staff")
    FULL = "full", _("Decided automatically by the rules")


class ProactiveOutcome(models.TextChoices):
    NONE = "none", _("Not proactive")
    AWARD = "award", _("Awarded automatically")
    OFFER = "offer", _("Offered to the citizen to accept")


class HolidayKind(models.TextChoices):
    PUBLIC = "public", _("Public holiday (day off)")
    TRANSFERRED = "transferred", _("Transferred or additional day off")
    WORKING_SATURDAY = "working_saturday", _("Weekend day declared a working day")


class ServiceCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    names = models.JSONField(_("names by language"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")

    def __str__(self) -> str:
        return localized(self.names) or self.code

    def clean(self) -> None:
        if missing := missing_languages(self.names):
            raise ValidationError(
                {"names": MSG_MISSING_LANGUAGES % {"languages": ", ".join(missing)}}
            )


class Service(models.Model):
    """A service passport.

    `rule_outputs` names the rulebook variables whose values decide the service (for example
    `"tssa_amount"`); empty when staff decide. The names are plain strings on purpose: the
    rulebooks are versioned apart from the catalogue, and a check that each name exists in the
    country's rulebook belongs where both are loaded (cases, proactive), not in this table.
    """

    code = models.CharField(_("code"), max_length=11, validators=[service_code_validator])
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, related_name="services",
        verbose_name=_("category"),
    )
    names = models.JSONField(_("names by language"), default=dict)
    legal_basis = models.JSONField(
        _("legal basis"), default=list, blank=True,
        help_text=_('List of {"citation": "…", "text": {"az": …, "uz": …, "ru": …, "en": …}}.'),
    )
    intake_channels = models.JSONField(_("intake channels"), default=list, blank=True)
    response_channels = models.JSONField(_("response channels"), default=list, blank=True)
    eligible_users = models.JSONField(_("eligible users"), default=list, blank=True)
    documents = models.JSONField(
        _("documents required"), default=list, blank=True,
        help_text=_('List of {"code": "…", "text": {language: text}}.'),
    )
    refusal_grounds = models.JSONField(
        _("refusal grounds"), default=list, blank=True,
        help_text=_('List of {"code": "…", "text": {language: text}}.'),
    )
    front_office_minutes = models.PositiveIntegerField(_("front-office minutes"), default=0)
    back_office_minutes = models.PositiveIntegerField(_("back-office minutes"), default=0)
    total_minutes = models.PositiveIntegerField(_("total minutes"), default=0)
    deadline = models.PositiveIntegerField(
        _("decision deadline"), default=0, help_text=_("0 means on the day of the request.")
    )
    deadline_unit = models.CharField(
        _("deadline unit"), max_length=16, choices=DeadlineUnit.choices,
        default=DeadlineUnit.WORKING_DAYS,
    )
    fee = models.DecimalField(
        _("fee"), max_digits=12, decimal_places=2, default=0,
        validators=[MinValueValidator(0)], help_text=_("In the national currency; 0 is free."),
    )
    electronisation = models.CharField(
        _("degree of electronisation"), max_length=16, choices=ElectronisationDegree.choices,
        default=ElectronisationDegree.NONE,
    )
    automation = models.CharField(
        _("degree of automation"), max_length=16, choices=AutomationDegree.choices,
        default=AutomationDegree.MANUAL,
    )
    proactive_outcome = models.CharField(
        _("proactive outcome"), max_length=8, choices=ProactiveOutcome.choices,
        default=ProactiveOutcome.NONE,
    )
    rule_outputs = models.JSONField(
        _("rule outputs"), default=list, blank=True,
        help_text=_("Names of the rulebook variables that decide this service."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="catalog_service_code_uniq"),
            models.CheckConstraint(
                condition=models.Q(
                    total_minutes__gte=models.F("front_office_minutes")
                    + models.F("back_office_minutes")
                ),
                name="catalog_service_total_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {localized(self.names)}"

    @property
    def name(self) -> str:
        return localized(self.names)

    @property
    def currency(self) -> str:
        return "AZN" if self.country == Country.AZ else "UZS"

    @property
    def is_free(self) -> bool:
        return self.fee == 0

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if missing := missing_languages(self.names):
            errors["names"] = MSG_MISSING_LANGUAGES % {"languages": ", ".join(missing)}
        for field, choices in (
            ("intake_channels", IntakeChannel),
            ("response_channels", ResponseChannel),
            ("eligible_users", EligibleUser),
        ):
            values = getattr(self, field)
            allowed = set(choices.values)
            bad = [values] if not isinstance(values, list) else [
                v for v in values if v not in allowed
            ]
            if bad:
                errors[field] = MSG_UNKNOWN_CHOICE % {
                    "value": bad[0], "allowed": ", ".join(choices.values)
                }
        for field in ("documents", "refusal_grounds"):
            items = getattr(self, field)
            if not isinstance(items, list) or any(
                not isinstance(item, dict) or not item.get("code")
                or missing_languages(item.get("text"))
                for item in items
            ):
                errors[field] = MSG_BAD_ITEM
        if not isinstance(self.rule_outputs, list):
            errors["rule_outputs"] = MSG_BAD_RULE_OUTPUT % {"value": self.rule_outputs}
        elif bad_outputs := [
            o for o in self.rule_outputs if not isinstance(o, str) or not RULE_OUTPUT_RE.match(o)
        ]:
            errors["rule_outputs"] = MSG_BAD_RULE_OUTPUT % {"value": bad_outputs[0]}
        if self.total_minutes < self.front_office_minutes + self.back_office_minutes:
            errors["total_minutes"] = MSG_TOTAL_TOO_SMALL
        if errors:
            raise ValidationError(errors)


class Holiday(models.Model):
    """One date that departs from the Monday-to-Friday week of a country.

    A public holiday or a transferred/additional day off makes a weekday a day off; a
    `working_saturday` row makes a weekend day a working day. Holidays that are not days off
    (20 January in Azerbaijan, 14 January in Uzbekistan) have no row: they change no deadline.
    """

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=HolidayKind.choices)
    names = models.JSONField(_("names by language"), default=dict)
    source = models.CharField(
        _("source"), max_length=200, blank=True,
        help_text=_("The law article or decree that fixes this date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["country", "date"], name="catalog_holiday_day_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {localized(self.names)}"

    def clean(self) -> None:
        if missing := missing_languages(self.names):
            raise ValidationError(
                {"names": MSG_MISSING_LANGUAGES % {"languages": ", ".join(missing)}}
            )


def _forget_calendar(sender: type[Holiday], instance: Holiday, **kwargs: object) -> None:
    # Cache invalidation, not domain behaviour: a holiday edited in the admin (or deleted by its
    # bulk action, which bypasses Model.delete) must change the next deadline computed here.
    from dost.catalog.working_days import calendar_forget

    calendar_forget(country=instance.country)


post_save.connect(_forget_calendar, sender=Holiday, dispatch_uid="catalog_holiday_saved")
post_delete.connect(_forget_calendar, sender=Holiday, dispatch_uid="catalog_holiday_deleted")
