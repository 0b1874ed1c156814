"""Staff edits to registry data, applied only when a second person approves them (four eyes).

A change request names its kind, the person or household it is about, a JSON payload and the
reason. It is checked when it is made by applying it inside a savepoint that is always rolled
back, and checked again the same way when approved (the registry may have changed since): the
check is the change itself, so the two can never disagree. Approval applies it for real; every
row it writes is logged in `RegistryChange` linked to the request, with the approver as actor.

Kinds and payloads (JSON; unknown keys are refused):
- ``person_update`` (person): any of last_name, first_name, patronymic, district (code),
  citizenship, residence_status, phone, email, preferred_language.
- ``fact_add`` (person; household for ``utility``): ``{"fact": <name>, ...the fact's fields}``
  with names income, contract, insurance, disability, vehicle, real_estate, utility, status,
  job_offer (see the *Add shapes below).
- ``fact_retract`` (the fact's person or household): ``{"fact": <name>, "id": …, "reason": …}``;
  the fact stays, marked retracted.
- ``membership_start`` (person): ``{"household": <reference>, "role": …, "joined_on": …}``; the
  current membership ends that day.
- ``membership_end`` (person): ``{"left_on": …}``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import Field, StringConstraints, field_validator, model_validator

from dost.registry.models import (
    ChangeRequest,
    ChangeRequestStatus,
    DisabilityDetermination,
    District,
    EmploymentContract,
    Fact,
    Household,
    Income,
    IncomeType,
    InsuranceRecord,
    JobOffer,
    Membership,
    Person,
    PersonStatus,
    PropertyPurpose,
    RealEstate,
    ResidenceStatus,
    Role,
    Source,
    StatusKind,
    TerminationReason,
    UtilityKind,
    UtilitySpending,
    Vehicle,
)
from dost.registry.services.history import ChangeContext
from dost.registry.services.payloads import (
    Code,
    CountryCode,
    Money,
    Name,
    OptionalName,
    Payload,
    Reference,
    payload_parse,
)
from dost.registry.services.persons import (
    PERSON_EDITABLE_FIELDS,
    fact_add,
    fact_retract,
    membership_current,
    membership_end,
    membership_start,
    person_update,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

APPROVE_PERMISSION = "registry.approve_changerequest"
REQUEST_PERMISSION = "registry.add_changerequest"

UNKNOWN_KIND = _("Unknown kind of change “%(kind)s”; known kinds: %(known)s.")
REASON_REQUIRED = _("Say why the change is needed.")
NOTE_REQUIRED = _("Say why the request is rejected.")
PERSON_REQUIRED = _("This kind of change needs the person it is about.")
HOUSEHOLD_REQUIRED = _("This kind of record belongs to a household; give the household.")
NOT_BOTH = _("A change request is about a person or a household, not both.")
NO_FIELDS = _("Give at least one field to change.")
UNKNOWN_DISTRICT = _("No district with code %(code)s is in the registry.")
UNKNOWN_HOUSEHOLD = _("No household with reference %(reference)s is in the registry.")
UNKNOWN_FACT = _("No %(fact)s record with ID %(id)s belongs to this person or household.")
NOT_A_MEMBER = _("%(person)s is not a member of any household.")
FIRST_OF_MONTH = _("A month is given as its first day (YYYY-MM-01).")
END_BEFORE_START = _("The end date must not be before the start date.")
UNKNOWN_LANGUAGE = _("Unknown language code.")
MAY_NOT_REQUEST = _("You do not have the permission to request registry changes.")
MAY_NOT_DECIDE = _("You do not have the permission to approve registry changes.")
OWN_REQUEST = _("A change request must be decided by someone other than the person who made it.")
ALREADY_DECIDED = _("This change request was already decided (%(status)s).")


class ChangeRequestKind(models.TextChoices):
    PERSON_UPDATE = "person_update", _("Change a person's details")
    FACT_ADD = "fact_add", _("Add a record")
    FACT_RETRACT = "fact_retract", _("Retract a record")
    MEMBERSHIP_START = "membership_start", _("Add a person to a household")
    MEMBERSHIP_END = "membership_end", _("Remove a person from their household")


# --- Payload shapes ----------------------------------------------------------------------------

Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PersonUpdatePayload(Payload):
    last_name: Name | None = None
    first_name: Name | None = None
    patronymic: OptionalName | None = None
    district: Code | None = None
    citizenship: CountryCode | None = None
    residence_status: ResidenceStatus | None = None
    phone: Phone | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    preferred_language: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from exc
        return value

    @field_validator("preferred_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in {code for code, _name in settings.LANGUAGES}:
            raise ValueError(str(UNKNOWN_LANGUAGE))
        return value

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_dump(exclude_none=True):
            raise ValueError(str(NO_FIELDS))
        return self


class _FactShape(Payload):
    model: ClassVar[type[Fact]]
    of_household: ClassVar[bool] = False
    # (start, end) field pairs that must be in order.
    periods: ClassVar[tuple[tuple[str, str], ...]] = ()
    months: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _dates(self) -> Self:
        for start, end in self.periods:
            if getattr(self, end) is not None and getattr(self, end) < getattr(self, start):
                raise ValueError(str(END_BEFORE_START))
        for name in self.months:
            if getattr(self, name).day != 1:
                raise ValueError(str(FIRST_OF_MONTH))
        return self

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"fact"})


class IncomeAdd(_FactShape):
    model = Income
    months = ("month",)
    fact: Literal["income"]
    month: dt.date
    type: IncomeType
    amount: Money


class ContractAdd(_FactShape):
    model = EmploymentContract
    periods = (("start_date", "end_date"),)
    fact: Literal["contract"]
    employer_name: Text200
    employer_tax_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    start_date: dt.date
    end_date: dt.date | None = None
    termination_reason: TerminationReason | Literal[""] = ""
    monthly_wage: Money


class InsuranceAdd(_FactShape):
    model = InsuranceRecord
    fact: Literal["insurance"]
    as_of: dt.date
    record_months: Annotated[int, Field(ge=0, le=1200)]
    pension_capital: Money


class DisabilityAdd(_FactShape):
    model = DisabilityDetermination
    periods = (("valid_from", "valid_to"),)
    fact: Literal["disability"]
    impairment_percent: Annotated[int, Field(ge=0, le=100)]
    group: Annotated[int, Field(ge=1, le=3)] | None = None
    valid_from: dt.date
    valid_to: dt.date | None = None


class VehicleAdd(_FactShape):
    model = Vehicle
    periods = (("acquired_on", "disposed_on"),)
    fact: Literal["vehicle"]
    registration_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                          max_length=16)]
    acquired_on: dt.date
    disposed_on: dt.date | None = None
    value: Money = Decimal(0)
    issued_for_rehabilitation: bool = False


class RealEstateAdd(_FactShape):
    model = RealEstate
    periods = (("acquired_on", "disposed_on"),)
    fact: Literal["real_estate"]
    purpose: PropertyPurpose
    address: Text200
    acquired_on: dt.date
    disposed_on: dt.date | None = None
    value: Money = Decimal(0)


class UtilityAdd(_FactShape):
    model = UtilitySpending
    of_household = True
    months = ("month",)
    fact: Literal["utility"]
    month: dt.date
    kind: UtilityKind
    amount: Money


class StatusAdd(_FactShape):
    model = PersonStatus
    periods = (("valid_from", "valid_to"),)
    fact: Literal["status"]
    kind: StatusKind
    valid_from: dt.date
    valid_to: dt.date | None = None


class JobOfferAdd(_FactShape):
    model = JobOffer
    fact: Literal["job_offer"]
    offered_on: dt.date
    employer_name: Text200
    suitable: bool = True
    refused: bool = False


FactAddPayload = Annotated[
    IncomeAdd | ContractAdd | InsuranceAdd | DisabilityAdd | VehicleAdd | RealEstateAdd
    | UtilityAdd | StatusAdd | JobOfferAdd,
    Field(discriminator="fact"),
]

# The name of each kind of fact in payloads, and the model behind it.
FACT_MODELS: dict[str, type[Fact]] = {
    "income": Income, "contract": EmploymentContract, "insurance": InsuranceRecord,
    "disability": DisabilityDetermination, "vehicle": Vehicle, "real_estate": RealEstate,
    "utility": UtilitySpending, "status": PersonStatus, "job_offer": JobOffer,
}
FactName = Literal[
    "income", "contract", "insurance", "disability", "vehicle", "real_estate", "utility",
    "status", "job_offer",
]


class FactRetractPayload(Payload):
    fact: FactName
    id: Annotated[int, Field(gt=0)]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class MembershipStartPayload(Payload):
    household: Reference
    role: Role
    joined_on: dt.date


class MembershipEndPayload(Payload):
    left_on: dt.date


# --- Applying each kind ------------------------------------------------------------------------


def _need_person(cr: ChangeRequest) -> Person:
    if cr.person_id is None:
        raise ValidationError(PERSON_REQUIRED, code="person")
    return Person.objects.select_for_update().get(pk=cr.person_id)


def _apply_person_update(cr: ChangeRequest, ctx: ChangeContext) -> None:
    person = _need_person(cr)
    data = payload_parse(PersonUpdatePayload, cr.payload)
    changes: dict[str, Any] = data.model_dump(exclude_none=True)
    if "district" in changes:
        district = District.objects.filter(code=changes["district"]).first()
        if district is None:
            raise ValidationError(
                UNKNOWN_DISTRICT, code="district", params={"code": changes["district"]}
            )
        changes["district"] = district
    person_update(
        ctx=ctx, person=person, allowed=PERSON_EDITABLE_FIELDS, require_change=True, **changes
    )


def _owner(cr: ChangeRequest, *, of_household: bool) -> dict[str, Any]:
    if of_household:
        if cr.household_id is None:
            raise ValidationError(HOUSEHOLD_REQUIRED, code="household")
        return {"household_id": cr.household_id}
    if cr.person_id is None:
        raise ValidationError(PERSON_REQUIRED, code="person")
    return {"person_id": cr.person_id}


def _apply_fact_add(cr: ChangeRequest, ctx: ChangeContext) -> None:
    data = payload_parse(_FactAddEnvelope, {"fact": cr.payload}).fact
    fact_add(ctx=ctx, model=data.model, **_owner(cr, of_household=data.of_household),
             **data.fields())


def _apply_fact_retract(cr: ChangeRequest, ctx: ChangeContext) -> None:
    data = payload_parse(FactRetractPayload, cr.payload)
    model = FACT_MODELS[data.fact]
    fact = model._default_manager.select_for_update().filter(
        pk=data.id, **_owner(cr, of_household=model is UtilitySpending)
    ).first()
    if fact is None:
        raise ValidationError(
            UNKNOWN_FACT, code="fact", params={"fact": data.fact, "id": data.id}
        )
    fact_retract(ctx=ctx, fact=fact, reason=data.reason or cr.reason)


def _apply_membership_start(cr: ChangeRequest, ctx: ChangeContext) -> None:
    person = _need_person(cr)
    data = payload_parse(MembershipStartPayload, cr.payload)
    household = Household.objects.select_for_update().filter(reference=data.household).first()
    if household is None:
        raise ValidationError(
            UNKNOWN_HOUSEHOLD, code="household", params={"reference": data.household}
        )
    membership_start(
        ctx=ctx, person=person, household=household, role=data.role, joined_on=data.joined_on
    )


def _apply_membership_end(cr: ChangeRequest, ctx: ChangeContext) -> None:
    person = _need_person(cr)
    data = payload_parse(MembershipEndPayload, cr.payload)
    current: Membership | None = membership_current(person)
    if current is None:
        raise ValidationError(NOT_A_MEMBER, code="member", params={"person": person})
    membership_end(ctx=ctx, membership=current, left_on=data.left_on)


class _FactAddEnvelope(Payload):
    # Wraps the discriminated union so payload_parse reports errors as fact.<field>.
    fact: FactAddPayload


@dataclass(frozen=True)
class _Kind:
    shape: Callable[[object], Payload]
    apply: Callable[[ChangeRequest, ChangeContext], None]


def _parser(shape: type[Payload]) -> Callable[[object], Payload]:
    return lambda payload: payload_parse(shape, payload)


KINDS: dict[str, _Kind] = {
    ChangeRequestKind.PERSON_UPDATE: _Kind(_parser(PersonUpdatePayload), _apply_person_update),
    ChangeRequestKind.FACT_ADD: _Kind(
        lambda payload: payload_parse(_FactAddEnvelope, {"fact": payload}).fact, _apply_fact_add
    ),
    ChangeRequestKind.FACT_RETRACT: _Kind(_parser(FactRetractPayload), _apply_fact_retract),
    ChangeRequestKind.MEMBERSHIP_START: _Kind(
        _parser(MembershipStartPayload), _apply_membership_start
    ),
    ChangeRequestKind.MEMBERSHIP_END: _Kind(_parser(MembershipEndPayload), _apply_membership_end),
}


# --- Services ----------------------------------------------------------------------------------


class _DryRunError(Exception):
    """Raised to roll back a trial application."""


def _apply(cr: ChangeRequest, actor: User) -> None:
    ctx = ChangeContext(
        source=Source.CHANGE_REQUEST, actor=actor, reason=cr.reason, change_request=cr
    )
    KINDS[cr.kind].apply(cr, ctx)


def _check_by_applying(cr: ChangeRequest, actor: User) -> None:
    """Apply the change and roll it back: any refusal surfaces as ValidationError."""
    try:
        with transaction.atomic():
            _apply(cr, actor)
            raise _DryRunError
    except _DryRunError:
        pass


@transaction.atomic
def change_request_create(
    *, requested_by: User, kind: str, payload: dict[str, Any], reason: str,
    person: Person | None = None, household: Household | None = None,
) -> ChangeRequest:
    """Record a staff edit awaiting approval; raises ValidationError saying what to fix.

    The payload is stored as validated (normalised JSON) so the approver sees what will apply.
    """
    if not requested_by.has_perm(REQUEST_PERMISSION):
        raise PermissionDenied(MAY_NOT_REQUEST)
    if kind not in KINDS:
        raise ValidationError(
            UNKNOWN_KIND, code="kind", params={"kind": kind, "known": ", ".join(KINDS)}
        )
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    if person is not None and household is not None:
        raise ValidationError(NOT_BOTH, code="target")
    data = KINDS[kind].shape(payload)
    cr = ChangeRequest.objects.create(
        kind=kind, person=person, household=household,
        payload=data.model_dump(mode="json", exclude_none=True),
        reason=reason.strip(), requested_by=requested_by,
    )
    _check_by_applying(cr, requested_by)
    return cr


def _decide(
    change_request: ChangeRequest, decider: User
) -> ChangeRequest:
    if not decider.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied(MAY_NOT_DECIDE)
    cr = ChangeRequest.objects.select_for_update().get(pk=change_request.pk)
    if cr.requested_by_id == decider.pk:
        raise PermissionDenied(OWN_REQUEST)
    if cr.status != ChangeRequestStatus.PENDING:
        raise ValidationError(
            ALREADY_DECIDED, code="decided",
            params={"status": ChangeRequestStatus(cr.status).label},
        )
    return cr


def _record_decision(
    cr: ChangeRequest, *, status: ChangeRequestStatus, decider: User, note: str,
    original: ChangeRequest,
) -> ChangeRequest:
    cr.status = status
    cr.decided_by = decider
    cr.decided_at = timezone.now()
    cr.decision_note = note.strip()
    cr.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    # The caller's instance must not keep saying "pending".
    original.refresh_from_db()
    return cr


@transaction.atomic
def change_request_approve(
    *, change_request: ChangeRequest, approver: User, note: str = ""
) -> ChangeRequest:
    """Apply a pending request. The approver must hold the approval permission and must not be
    the requester; the change is re-checked against today's registry as it is applied.

    Raises PermissionDenied (four eyes) or ValidationError (already decided, or the change no
    longer fits the registry; the request then stays pending for the approver to reject).
    """
    cr = _decide(change_request, approver)
    _apply(cr, approver)
    return _record_decision(
        cr, status=ChangeRequestStatus.APPLIED, decider=approver, note=note,
        original=change_request,
    )


@transaction.atomic
def change_request_reject(
    *, change_request: ChangeRequest, approver: User, note: str
) -> ChangeRequest:
    """Refuse a pending request, saying why; nothing in the registry changes."""
    if not note.strip():
        raise ValidationError(NOTE_REQUIRED, code="note")
    cr = _decide(change_request, approver)
    return _record_decision(
        cr, status=ChangeRequestStatus.REJECTED, decider=approver, note=note,
        original=change_request,
    )
