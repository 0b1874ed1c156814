"""Life-event payload shapes, one Pydantic model per event type.

These are the contract with the sending systems: docs/events.md describes the same shapes for
integrators, so change both together. Cross-field rules live here; rules that need the registry
(does the person exist, are they alive) live in `events`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from django.utils.translation import gettext_lazy as _
from pydantic import Field, StringConstraints, model_validator

from dost.registry.models import Role, Sex, TerminationReason
from dost.registry.services.payloads import (
    Address,
    Code,
    CountryCode,
    Money,
    Name,
    NewHousehold,
    OptionalName,
    Payload,
    PersonalId,
    Reference,
)

SAME_PERSON = _("The two personal IDs must be different people.")
ONE_DESTINATION = _("Give exactly one of “to_household” and “new_household”.")
MOVE_SHAPE = _(
    "Either move a household (give “household” and “district” or “address”) or move a person "
    "(give “personal_id” and one of “to_household” and “new_household”), not both."
)
EMPLOYER_REQUIRED = _("Give the employer's “employer_tax_id” or “employer_name”.")
VALID_TO_BEFORE_FROM = _("valid_to must not be before valid_from.")


EmployerName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
TaxId = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class PersonEvent(Payload):
    personal_id: PersonalId


class BirthPayload(Payload):
    personal_id: PersonalId
    last_name: Name
    first_name: Name
    patronymic: OptionalName = ""
    sex: Sex
    mother_personal_id: PersonalId | None = None
    father_personal_id: PersonalId | None = None
    household: Reference | None = None
    citizenship: CountryCode | None = None


class MarriagePayload(Payload):
    personal_id: PersonalId
    spouse_personal_id: PersonalId
    new_household: NewHousehold | None = None

    @model_validator(mode="after")
    def _two_people(self) -> Self:
        if self.personal_id == self.spouse_personal_id:
            raise ValueError(str(SAME_PERSON))
        return self


class DivorcePayload(Payload):
    personal_id: PersonalId
    former_spouse_personal_id: PersonalId
    to_household: Reference | None = None
    new_household: NewHousehold | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> Self:
        if self.personal_id == self.former_spouse_personal_id:
            raise ValueError(str(SAME_PERSON))
        if (self.to_household is None) == (self.new_household is None):
            raise ValueError(str(ONE_DESTINATION))
        return self


class HouseholdMovePayload(Payload):
    # A whole household moving to a new address ...
    household: Reference | None = None
    district: Code | None = None
    address: Address | None = None
    # ... or one person moving to another household.
    personal_id: PersonalId | None = None
    to_household: Reference | None = None
    new_household: NewHousehold | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        household_move = self.household is not None or self.district is not None or (
            self.address is not None
        )
        person_move = self.personal_id is not None or self.to_household is not None or (
            self.new_household is not None or self.role is not None
        )
        if household_move == person_move:
            raise ValueError(str(MOVE_SHAPE))
        if household_move and (
            self.household is None or (self.district is None and self.address is None)
        ):
            raise ValueError(str(MOVE_SHAPE))
        if person_move:
            if self.personal_id is None:
                raise ValueError(str(MOVE_SHAPE))
            if (self.to_household is None) == (self.new_household is None):
                raise ValueError(str(ONE_DESTINATION))
        return self


class EmploymentStartedPayload(Payload):
    personal_id: PersonalId
    employer_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=200)]
    employer_tax_id: TaxId = ""
    monthly_wage: Money


class EmploymentEndedPayload(Payload):
    personal_id: PersonalId
    employer_tax_id: TaxId = ""
    employer_name: EmployerName = ""
    reason: TerminationReason

    @model_validator(mode="after")
    def _employer(self) -> Self:
        if not self.employer_tax_id and not self.employer_name:
            raise ValueError(str(EMPLOYER_REQUIRED))
        return self


class DisabilityPayload(Payload):
    personal_id: PersonalId
    impairment_percent: Annotated[int, Field(ge=0, le=100)]
    group: Annotated[int, Field(ge=1, le=3)] | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError(str(VALID_TO_BEFORE_FROM))
        return self
