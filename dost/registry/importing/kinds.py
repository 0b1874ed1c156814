"""The import file kinds: their columns, types, keys and target models (see docs/import.md).

A kind is declared once here and everything else (reading, validation, loading) is driven by
the declaration, so the documented column format and the code cannot drift apart silently:
`test_importing` checks the doc's table against `KINDS`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models as dj_models

from dost.registry import models


class Type(enum.Enum):
    TEXT = "text"
    PERSONAL_ID = "personal_id"  # the country's FIN or PINFL, the person's own key
    PERSON = "person"  # a reference to a person by personal ID
    HOUSEHOLD = "household"  # a reference to a household by reference
    DISTRICT = "district"  # a reference to a district by code
    DATE = "date"
    MONTH = "month"
    MONEY = "money"
    INT = "int"
    BOOL = "bool"
    CHOICE = "choice"


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    required: bool = False
    field: str | None = None  # the model field, when it is not named like the column
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # a regular expression the whole text value must match
    minimum: int | None = None
    maximum: int | None = None

    @property
    def field_name(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class DateOrder:
    """`later` may not be before `earlier` (both optional; checked only when both are set)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[dj_models.Model]
    columns: tuple[Column, ...]
    # The natural key: two rows with the same key in one file are duplicates, and a row whose key
    # is already in the registry is refused rather than stored twice.
    key: tuple[str, ...]
    date_orders: tuple[DateOrder, ...] = ()
    is_fact: bool = True

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _choices(choices: type[dj_models.TextChoices]) -> tuple[str, ...]:
    return tuple(str(value) for value in choices.values)


# Conservative shapes; the registry stores these as given, so reject what is clearly not one.
CITIZENSHIP_PATTERN = r"^[A-Z]{2}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{4,19}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
LANGUAGE_PATTERN = r"^(az|uz|ru|en)$"

PID = Column("personal_id", Type.PERSON, required=True, field="person")

PERSONS = Kind(
    name="persons",
    model=models.Person,
    is_fact=False,
    key=("personal_id",),
    columns=(
        Column("personal_id", Type.PERSONAL_ID, required=True),
        Column("last_name", Type.TEXT, required=True),
        Column("first_name", Type.TEXT, required=True),
        Column("patronymic", Type.TEXT),
        Column("birth_date", Type.DATE, required=True),
        Column("sex", Type.CHOICE, required=True, choices=_choices(models.Sex)),
        Column("death_date", Type.DATE),
        Column("citizenship", Type.TEXT, pattern=CITIZENSHIP_PATTERN),
        Column("residence_status", Type.CHOICE, choices=_choices(models.ResidenceStatus)),
        Column("district", Type.DISTRICT),
        Column("mother_id", Type.PERSON, field="mother"),
        Column("father_id", Type.PERSON, field="father"),
        Column("preferred_language", Type.TEXT, pattern=LANGUAGE_PATTERN),
        Column("phone", Type.TEXT, pattern=PHONE_PATTERN),
        Column("email", Type.TEXT, pattern=EMAIL_PATTERN),
    ),
    date_orders=(DateOrder("birth_date", "death_date"),),
)

HOUSEHOLDS = Kind(
    name="households",
    model=models.Household,
    is_fact=False,
    key=("reference",),
    columns=(
        Column("reference", Type.TEXT, required=True, pattern=r"^\S+$"),
        Column("district", Type.DISTRICT, required=True),
        Column("address", Type.TEXT),
        Column("created_on", Type.DATE, required=True),
    ),
)

MEMBERSHIPS = Kind(
    name="memberships",
    model=models.Membership,
    is_fact=False,
    key=("household", "personal_id", "joined_on"),
    columns=(
        Column("household", Type.HOUSEHOLD, required=True),
        PID,
        Column("role", Type.CHOICE, required=True, choices=_choices(models.Role)),
        Column("joined_on", Type.DATE, required=True),
        Column("left_on", Type.DATE),
    ),
    date_orders=(DateOrder("joined_on", "left_on"),),
)

INCOMES = Kind(
    name="incomes",
    model=models.Income,
    key=("personal_id", "month", "type"),
    columns=(
        PID,
        Column("month", Type.MONTH, required=True),
        Column("type", Type.CHOICE, required=True, choices=_choices(models.IncomeType)),
        Column("amount", Type.MONEY, required=True),
    ),
)

CONTRACTS = Kind(
    name="contracts",
    model=models.EmploymentContract,
    key=("personal_id", "employer_name", "start_date"),
    columns=(
        PID,
        Column("employer_name", Type.TEXT, required=True),
        Column("employer_tax_id", Type.TEXT),
        Column("start_date", Type.DATE, required=True),
        Column("end_date", Type.DATE),
        Column("termination_reason", Type.CHOICE, choices=_choices(models.TerminationReason)),
        Column("monthly_wage", Type.MONEY, required=True),
    ),
    date_orders=(DateOrder("start_date", "end_date"),),
)

INSURANCE = Kind(
    name="insurance",
    model=models.InsuranceRecord,
    key=("personal_id", "as_of"),
    columns=(
        PID,
        Column("as_of", Type.DATE, required=True),
        Column("record_months", Type.INT, required=True, minimum=0, maximum=1200),
        Column("pension_capital", Type.MONEY, required=True),
    ),
)

DISABILITIES = Kind(
    name="disabilities",
    model=models.DisabilityDetermination,
    key=("personal_id", "valid_from"),
    columns=(
        PID,
        Column("impairment_percent", Type.INT, required=True, minimum=0, maximum=100),
        Column("group", Type.INT, minimum=1, maximum=4),
        Column("valid_from", Type.DATE, required=True),
        Column("valid_to", Type.DATE),
    ),
    date_orders=(DateOrder("valid_from", "valid_to"),),
)

VEHICLES = Kind(
    name="vehicles",
    model=models.Vehicle,
    key=("personal_id", "registration_number", "acquired_on"),
    columns=(
        PID,
        Column("registration_number", Type.TEXT, required=True),
        Column("acquired_on", Type.DATE, required=True),
        Column("disposed_on", Type.DATE),
        Column("value", Type.MONEY),
        Column("issued_for_rehabilitation", Type.BOOL),
    ),
    date_orders=(DateOrder("acquired_on", "disposed_on"),),
)

REAL_ESTATE = Kind(
    name="real_estate",
    model=models.RealEstate,
    key=("personal_id", "address", "acquired_on"),
    columns=(
        PID,
        Column("purpose", Type.CHOICE, required=True, choices=_choices(models.PropertyPurpose)),
        Column("address", Type.TEXT, required=True),
        Column("acquired_on", Type.DATE, required=True),
        Column("disposed_on", Type.DATE),
        Column("value", Type.MONEY),
    ),
    date_orders=(DateOrder("acquired_on", "disposed_on"),),
)

UTILITIES = Kind(
    name="utilities",
    model=models.UtilitySpending,
    key=("household", "month", "kind"),
    columns=(
        Column("household", Type.HOUSEHOLD, required=True),
        Column("month", Type.MONTH, required=True),
        Column("kind", Type.CHOICE, required=True, choices=_choices(models.UtilityKind)),
        Column("amount", Type.MONEY, required=True),
    ),
)

STATUSES = Kind(
    name="statuses",
    model=models.PersonStatus,
    key=("personal_id", "kind", "valid_from"),
    columns=(
        PID,
        Column("kind", Type.CHOICE, required=True, choices=_choices(models.StatusKind)),
        Column("valid_from", Type.DATE, required=True),
        Column("valid_to", Type.DATE),
    ),
    date_orders=(DateOrder("valid_from", "valid_to"),),
)

JOB_OFFERS = Kind(
    name="job_offers",
    model=models.JobOffer,
    key=("personal_id", "offered_on", "employer_name"),
    columns=(
        PID,
        Column("offered_on", Type.DATE, required=True),
        Column("employer_name", Type.TEXT, required=True),
        Column("suitable", Type.BOOL),
        Column("refused", Type.BOOL),
    ),
)

# In dependency order: a directory is imported in this order.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        PERSONS, HOUSEHOLDS, MEMBERSHIPS, INCOMES, CONTRACTS, INSURANCE, DISABILITIES, VEHICLES,
        REAL_ESTATE, UTILITIES, STATUSES, JOB_OFFERS,
    )
}
