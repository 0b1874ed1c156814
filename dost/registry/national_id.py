"""Personal identifiers per country: Azerbaijan's FIN and Uzbekistan's PINFL.

FIN: 7 characters from digits and Latin capitals, as printed on the ID card; the letters
I and O are not used (they are confusable with 1 and 0).
PINFL: 14 digits: century and sex (3/4 born in the 1900s, 5/6 in the 2000s, odd for men), the
birth date as DDMMYY, a 3-digit issuing-district code, a 3-digit serial, and a check digit. We
check that digit with the ICAO 9303 scheme (weights 7, 3, 1 repeated, sum mod 10), the scheme the
ID document's machine-readable zone uses.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIN_PATTERN = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
PINFL_PATTERN = re.compile(r"^[1-6][0-9]{13}$")
PINFL_WEIGHTS = (7, 3, 1) * 5

FIN_INVALID = _("A FIN has exactly 7 characters: digits and capital Latin letters except I and O.")
PINFL_INVALID = _("A PINFL has exactly 14 digits and starts with 1 to 6.")
PINFL_CHECK_DIGIT = _("This PINFL's last digit does not match its check digit; check for a typo.")
UNKNOWN_COUNTRY = _("Unknown country for a personal ID.")


def pinfl_check_digit(first13: str) -> int:
    return sum(int(d) * w for d, w in zip(first13, PINFL_WEIGHTS, strict=False)) % 10


def make_pinfl(*, birth_date: dt.date, sex: str, region_code: int, serial: int) -> str:
    """Build a valid PINFL (used by the synthetic population and tests)."""
    century = 3 if birth_date.year < 2000 else 5
    first = century + (0 if sex == "M" else 1)
    born = f"{birth_date:%d%m}{birth_date.year % 100:02d}"
    body = f"{first}{born}{region_code % 1000:03d}{serial % 1000:03d}"
    return body + str(pinfl_check_digit(body))


def validate_personal_id(value: str, country: str) -> None:
    """Raise ValidationError with a message saying what to fix."""
    if country == "az":
        if not FIN_PATTERN.fullmatch(value):
            raise ValidationError(FIN_INVALID, code="fin_invalid")
    elif country == "uz":
        if not PINFL_PATTERN.fullmatch(value):
            raise ValidationError(PINFL_INVALID, code="pinfl_invalid")
        if pinfl_check_digit(value[:13]) != int(value[13]):
            raise ValidationError(PINFL_CHECK_DIGIT, code="pinfl_check_digit")
    else:
        raise ValidationError(UNKNOWN_COUNTRY, code="country")
