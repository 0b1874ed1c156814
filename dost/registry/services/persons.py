"""Basic writes to persons, households, memberships and facts, shared by events and change requests.

These functions check only what the registry itself can contradict (a dead person joining a
household, a membership ending before it began, a fact retracted twice) and raise
`ValidationError` with a message saying what is wrong. Each records its change through
`history`; callers own the transaction and lock the rows they read before deciding.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.registry.models import (
    DisabilityDetermination,
    District,
    EmploymentContract,
    Fact,
    Household,
    Membership,
    Person,
    PersonStatus,
    RealEstate,
    Role,
    Vehicle,
)
from dost.registry.services.history import (
    ChangeContext,
    field_values,
    instance_update,
    normalised_value,
    registry_change_record,
    tracked_fields,
)

# What a staff change request or an event may change on a person. Birth date, sex and personal
# ID are identity: a mistake there is corrected by the civil registry, not by an edit here.
PERSON_EDITABLE_FIELDS = frozenset(
    {
        "last_name", "first_name", "patronymic", "district", "citizenship", "residence_status",
        "phone", "email", "preferred_language",
    }
)
PERSON_EVENT_FIELDS = PERSON_EDITABLE_FIELDS | {"death_date"}
HOUSEHOLD_EDITABLE_FIELDS = frozenset({"district", "address", "dissolved_on"})

# The column that closes each fact with a duration.
FACT_END_FIELD: dict[type[Fact], str] = {
    EmploymentContract: "end_date",
    DisabilityDetermination: "valid_to",
    PersonStatus: "valid_to",
    Vehicle: "disposed_on",
    RealEstate: "disposed_on",
}
FACT_START_FIELD: dict[type[Fact], str] = {
    EmploymentContract: "start_date",
    DisabilityDetermination: "valid_from",
    PersonStatus: "valid_from",
    Vehicle: "acquired_on",
    RealEstate: "acquired_on",
}

NOTHING_TO_CHANGE = _("The registry already holds these values; nothing would change.")
FIELD_NOT_EDITABLE = _("The field “%(field)s” cannot be changed this way.")
PERSON_DEAD = _("%(person)s died on %(date)s; nothing can be recorded for them from that day.")
HOUSEHOLD_DISSOLVED = _("Household %(household)s was dissolved on %(date)s.")
ALREADY_MEMBER = _("%(person)s is already a member of household %(household)s as %(role)s.")
JOINS_BEFORE_CURRENT = _(
    "%(person)s joined their current household on %(date)s; a new membership cannot start earlier."
)
MEMBERSHIP_ALREADY_ENDED = _("This membership already ended on %(date)s.")
MEMBERSHIP_ENDS_BEFORE_START = _(
    "A membership cannot end (%(end)s) before it began (%(start)s)."
)
FACT_ALREADY_RETRACTED = _("This record was already retracted on %(date)s.")
FACT_NOT_CLOSABLE = _("This kind of record has no end date.")
FACT_ALREADY_CLOSED = _("This record already ended on %(date)s.")
FACT_ENDS_BEFORE_START = _("A record cannot end (%(end)s) before it began (%(start)s).")
REASON_REQUIRED = _("Say why the record is retracted.")


def _refuse_if_dead(person: Person, on: dt.date) -> None:
    # Death ends every membership on the day of death, so nothing may start on that day either.
    if person.death_date is not None and person.death_date <= on:
        raise ValidationError(
            PERSON_DEAD, code="dead", params={"person": person, "date": person.death_date}
        )


def _relations(instance: Model) -> list[str]:
    # Related rows are passed in as loaded objects; re-checking that each exists costs a query.
    return [f.name for f in instance._meta.concrete_fields if f.is_relation]


def person_build(*, validate_unique: bool = True, **fields: Any) -> Person:
    """A new, validated but unsaved person.

    `validate_unique=False` skips the query for a taken personal ID: only for callers that
    looked it up themselves (see `bulk`).
    """
    person = Person(**fields)
    person.full_clean(exclude=_relations(person), validate_unique=validate_unique)
    return person


def person_create(*, ctx: ChangeContext, **fields: Any) -> Person:
    """Create a person; every given field is logged as the first `after`."""
    person = person_build(**fields)
    person.save()
    registry_change_record(ctx=ctx, instance=person, before=None, after=field_values(person))
    return person


def person_update(
    *, ctx: ChangeContext, person: Person, allowed: frozenset[str] = PERSON_EVENT_FIELDS,
    require_change: bool = False, **changes: Any,
) -> Person:
    """Change a person's own attributes; only changed fields are saved and logged.

    With `require_change`, a request that changes nothing is refused (a staff edit that would
    not change anything is a mistake worth telling).
    """
    for name in changes:
        if name not in allowed:
            raise ValidationError(FIELD_NOT_EDITABLE, code="not_editable", params={"field": name})
    if instance_update(ctx=ctx, instance=person, changes=changes) is None and require_change:
        raise ValidationError(NOTHING_TO_CHANGE, code="unchanged")
    return person


def household_create(
    *, ctx: ChangeContext, reference: str, district: District, created_on: dt.date,
    address: str = "",
) -> Household:
    household = Household(
        reference=reference, district=district, address=address, created_on=created_on
    )
    household.full_clean()
    household.save()
    registry_change_record(
        ctx=ctx, instance=household, before=None, after=field_values(household)
    )
    return household


def household_update(*, ctx: ChangeContext, household: Household, **changes: Any) -> Household:
    for name in changes:
        if name not in HOUSEHOLD_EDITABLE_FIELDS:
            raise ValidationError(FIELD_NOT_EDITABLE, code="not_editable", params={"field": name})
    instance_update(ctx=ctx, instance=household, changes=changes)
    return household


def membership_current(person: Person, *, lock: bool = True) -> Membership | None:
    """The person's open membership (at most one, by a database constraint)."""
    qs = Membership.objects.filter(person=person, left_on__isnull=True)
    if lock:
        qs = qs.select_for_update()
    return qs.select_related("household").first()


def membership_end_check(membership: Membership, left_on: dt.date) -> None:
    """Raise ValidationError if `membership` cannot end on `left_on` (see `membership_end`)."""
    if membership.left_on is not None:
        raise ValidationError(
            MEMBERSHIP_ALREADY_ENDED, code="ended", params={"date": membership.left_on}
        )
    if left_on < membership.joined_on:
        raise ValidationError(
            MEMBERSHIP_ENDS_BEFORE_START, code="order",
            params={"end": left_on, "start": membership.joined_on},
        )


def membership_end(*, ctx: ChangeContext, membership: Membership, left_on: dt.date) -> Membership:
    """Close a membership on `left_on`, the first day the person is no longer a member."""
    membership_end_check(membership, left_on)
    instance_update(ctx=ctx, instance=membership, changes={"left_on": left_on})
    return membership


def household_open_check(household: Household, on: dt.date) -> None:
    """Raise ValidationError if `household` is dissolved on `on` (nobody can join it)."""
    if household.dissolved_on is not None and household.dissolved_on <= on:
        raise ValidationError(
            HOUSEHOLD_DISSOLVED, code="dissolved",
            params={"household": household.reference, "date": household.dissolved_on},
        )


@transaction.atomic
def membership_start(
    *, ctx: ChangeContext, person: Person, household: Household, role: Role | str,
    joined_on: dt.date,
) -> Membership:
    """Make `person` a member of `household` from `joined_on`.

    A person belongs to one household at a time, so the current membership, if any, ends the
    same day (a move is one day in both households' logs, and the newer membership wins).
    """
    _refuse_if_dead(person, joined_on)
    household_open_check(household, joined_on)
    current = membership_current(person)
    if current is not None:
        if current.household_id == household.pk and current.role == role:
            raise ValidationError(
                ALREADY_MEMBER, code="member",
                params={"person": person, "household": household.reference, "role": role},
            )
        if current.joined_on > joined_on:
            raise ValidationError(
                JOINS_BEFORE_CURRENT, code="order",
                params={"person": person, "date": current.joined_on},
            )
        membership_end(ctx=ctx, membership=current, left_on=joined_on)
    membership = Membership.objects.create(
        person=person, household=household, role=role, joined_on=joined_on
    )
    registry_change_record(
        ctx=ctx, instance=membership, before=None, after=field_values(membership)
    )
    return membership


@cache
def _tracked_by_name(model: type[Model]) -> dict[str, Field[Any, Any]]:
    return {f.name: f for f in tracked_fields(model())}  # the same for every fact of `model`


def fact_build[F: Fact](
    *, ctx: ChangeContext, model: type[F], validate_constraints: bool = True, **fields: Any
) -> F:
    """A new, validated but unsaved fact of `model`, with the context's provenance.

    `validate_constraints=False` skips the model's database constraints, which Django checks
    with one query each; only for callers that guarantee them otherwise (see `bulk`).
    """
    by_name = _tracked_by_name(model)
    values = {
        name: normalised_value(by_name[name], value) if name in by_name else value
        for name, value in fields.items()
    }
    fact = model(**values, **ctx.fact_provenance())
    fact.full_clean(exclude=_relations(fact), validate_constraints=validate_constraints)
    return fact


def fact_add[F: Fact](*, ctx: ChangeContext, model: type[F], **fields: Any) -> F:
    """Record a new fact of `model`, with the context's provenance."""
    fact = fact_build(ctx=ctx, model=model, **fields)
    fact.save()
    registry_change_record(ctx=ctx, instance=fact, before=None, after=field_values(fact))
    return fact


def fact_close_check(fact: Fact, on: dt.date) -> str:
    """Raise ValidationError if `fact` cannot end on `on`; else the name of its end field."""
    model = type(fact)
    end_field = FACT_END_FIELD.get(model)
    if end_field is None:
        raise ValidationError(FACT_NOT_CLOSABLE, code="not_closable")
    current_end = getattr(fact, end_field)
    if current_end is not None:
        raise ValidationError(FACT_ALREADY_CLOSED, code="closed", params={"date": current_end})
    start = getattr(fact, FACT_START_FIELD[model])
    if on < start:
        raise ValidationError(
            FACT_ENDS_BEFORE_START, code="order", params={"end": on, "start": start}
        )
    return end_field


def fact_close[F: Fact](*, ctx: ChangeContext, fact: F, on: dt.date, **extra: Any) -> F:
    """End a fact with a duration (a contract, status, disability, asset) on `on`."""
    end_field = fact_close_check(fact, on)
    instance_update(ctx=ctx, instance=fact, changes={end_field: on, **extra})
    return fact


def fact_retract[F: Fact](*, ctx: ChangeContext, fact: F, reason: str) -> F:
    """Mark a fact as wrong. It stays in the registry, with when and why, for the history."""
    if fact.retracted_at is not None:
        raise ValidationError(
            FACT_ALREADY_RETRACTED, code="retracted", params={"date": fact.retracted_at.date()}
        )
    if not reason.strip():
        raise ValidationError(REASON_REQUIRED, code="reason")
    instance_update(
        ctx=ctx, instance=fact,
        changes={"retracted_at": timezone.now(), "retracted_reason": reason.strip()[:300]},
    )
    return fact
