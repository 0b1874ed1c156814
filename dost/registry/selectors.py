"""Reads from the registry: look-ups, a person's history, household composition, the event log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Mod

from dost.registry.models import (
    DisabilityDetermination,
    EmploymentContract,
    Fact,
    Household,
    Income,
    InsuranceRecord,
    JobOffer,
    LifeEvent,
    Membership,
    Person,
    PersonStatus,
    RealEstate,
    RegistryChange,
    Vehicle,
)

# The facts held per person, in the order a person's page shows them.
PERSON_FACT_MODELS: tuple[type[Fact], ...] = (
    Income, EmploymentContract, InsuranceRecord, DisabilityDetermination, PersonStatus,
    Vehicle, RealEstate, JobOffer,
)
EVENTS_PAGE_MAX = 10_000


@dataclass(frozen=True)
class PersonHistory:
    """Everything recorded about a person, retracted facts included."""

    person: Person
    changes: list[RegistryChange]
    memberships: list[Membership]
    facts: dict[type[Fact], list[Fact]] = field(default_factory=dict)


def person_get_by_personal_id(personal_id: str) -> Person | None:
    return (
        Person.objects.select_related("district")
        .filter(personal_id=personal_id.strip().upper())
        .first()
    )


def person_history(person: Person) -> PersonHistory:
    """The change log of the person, their memberships and their facts, newest first, and
    every fact row (retracted ones too, marked by `retracted_at`)."""
    memberships = list(
        Membership.objects.filter(person=person).select_related("household")
        .order_by("joined_on", "id")
    )
    facts: dict[type[Fact], list[Fact]] = {}
    for model in PERSON_FACT_MODELS:
        # Every model listed has a `person` foreign key; Fact itself does not declare it.
        facts[model] = list(model._default_manager.filter(person=person))  # type: ignore[misc]
    about = Q(model=Person._meta.label, object_id=person.pk)
    about |= Q(model=Membership._meta.label, object_id__in=[m.pk for m in memberships])
    for model, rows in facts.items():
        if rows:
            about |= Q(model=model._meta.label, object_id__in=[row.pk for row in rows])
    changes = list(
        RegistryChange.objects.filter(about)
        .select_related("actor", "life_event", "change_request")
        .order_by("-at", "-id")
    )
    return PersonHistory(person=person, changes=changes, memberships=memberships, facts=facts)


def household_members_on(household: Household, on: dt.date) -> QuerySet[Membership]:
    """Memberships of `household` in force on `on` (a person who left that day is gone)."""
    return (
        Membership.objects.filter(household=household, joined_on__lte=on)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .select_related("person")
        .order_by("joined_on", "id")
    )


def events_after(
    last_id: int, limit: int = 1000, partition: tuple[int, int] | None = None
) -> list[LifeEvent]:
    """The next applied life events after `last_id`, oldest first.

    A consumer keeps the id of the last event it handled and asks again from there. Ids are
    issued in commit order (see services.events), so no event is ever skipped.

    `partition=(k, n)` keeps the events of the households whose id is k modulo n (the
    household the event's person belonged to on the event's day; events without one are in
    partition 0), so n consumers can share the log, each household's events staying with one
    of them, in order.
    """
    limit = max(1, min(limit, EVENTS_PAGE_MAX))
    events = LifeEvent.objects.filter(id__gt=last_id)
    if partition is not None:
        index, count = partition
        home = Membership.objects.filter(
            person=OuterRef("person"), joined_on__lte=OuterRef("occurred_on")
        ).order_by("-joined_on", "-id").values("household_id")[:1]
        events = events.annotate(
            partition=Mod(
                Coalesce(Subquery(home, output_field=BigIntegerField()), Value(0)), Value(count),
                output_field=BigIntegerField(),
            )
        ).filter(partition=index)
    return list(events.select_related("person").order_by("id")[:limit])
