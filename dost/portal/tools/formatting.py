"""Money and dates as the current language writes them (Babel), for the tools and certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils.translation import get_language

# Babel's locale per site language: Uzbek on this site is written in Latin script.
BABEL_LOCALES = {"az": "az", "uz": "uz_Latn", "ru": "ru", "en": "en_GB"}


def babel_locale(language: str | None = None) -> str:
    code = (language or get_language() or "en").split("-")[0]
    return BABEL_LOCALES.get(code, "en_GB")


def money(amount: Decimal | float | int, currency: str, language: str | None = None) -> str:
    """`1 234,50 AZN` in the language's digits grouping; the currency as its ISO code, which
    every language reads the same way (symbols such as ₼ are missing from many fonts)."""
    number = format_decimal(Decimal(str(amount)), format="#,##0.00", locale=babel_locale(language))
    return f"{number} {currency}"


def long_date(day: dt.date, language: str | None = None) -> str:
    return format_date(day, format="long", locale=babel_locale(language))


def month_year(day: dt.date, language: str | None = None) -> str:
    return format_date(day, format="LLLL y", locale=babel_locale(language))
