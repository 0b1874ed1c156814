"""Batches of life events (`events_ingest_batch`): the answers and the registry are those of
sending the same events one by one, in fewer statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dost.registry import models
from dost.registry.services import EventStatus, event_ingest
from dost.registry.services.events import EventSpec, events_ingest_batch
from dost.registry.tests.factories import fin_for
from dost.registry.tests.test_events import Family, birth, new_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def family() -> Family:
    return Family()

DAY = dt.date(2026, 3, 2)
SENDER = "civil-registry"


def spec(event_id: str, type: str, payload: dict[str, Any], on: dt.date = DAY) -> EventSpec:
    return EventSpec(sender_event_id=event_id, type=type, occurred_on=on, payload=payload)


def job(person: models.Person, employer: str = "Bakı Metro") -> dict[str, Any]:
    return {"personal_id": person.personal_id, "employer_name": employer,
            "monthly_wage": "900.00"}


def test_it_answers_each_event_of_a_batch_in_order(family: Family) -> None:
    earlier = event_ingest(sender=SENDER, sender_event_id="J-0", type="employment_started",
                           occurred_on=DAY, payload=job(family.wife, "Earlier employer"))
    assert earlier.status == EventStatus.APPLIED
    batch = [
        spec("B-1", "birth", birth(mother_personal_id=family.wife.personal_id)),
        spec("J-0", "employment_started", job(family.wife, "Earlier employer")),  # seen before
        spec("D-1", "death", {"personal_id": family.husband.personal_id}),
        spec("J-1", "employment_started", job(family.husband)),  # he died: rejected
        spec("X-1", "volcano", {}),  # unknown type: rejected before any write
        spec("B-1", "birth", birth(mother_personal_id=family.wife.personal_id)),  # repeat
    ]

    results = events_ingest_batch(sender=SENDER, events=batch)

    assert [r.status for r in results] == [
        EventStatus.APPLIED, EventStatus.DUPLICATE, EventStatus.APPLIED, EventStatus.REJECTED,
        EventStatus.REJECTED, EventStatus.DUPLICATE,
    ]
    assert results[1].life_event == earlier.life_event
    assert results[5].life_event == results[0].life_event
    assert "died on 2026-03-02" in results[3].reason
    assert "Unknown event type “volcano”" in results[4].reason
    assert {r.sender_event_id for r in models.RejectedEvent.objects.all()} == {"J-1", "X-1"}
    logged = list(models.LifeEvent.objects.order_by("id"))
    # The log holds the applied events only, in the batch's order, each with its person.
    assert [(e.sender_event_id, e.person_id) for e in logged] == [
        ("J-0", family.wife.pk),
        ("B-1", models.Person.objects.get(personal_id=fin_for(900_001)).pk),
        ("D-1", family.husband.pk),
    ]
    family.husband.refresh_from_db()
    assert family.husband.death_date == DAY
    assert not models.EmploymentContract.objects.filter(person=family.husband).exists()


def test_it_undoes_the_writes_of_a_rejected_event_and_keeps_the_others(family: Family) -> None:
    # The marriage creates its new household, then fails: the husband joined his current
    # household later than the event date, so he cannot join the new one on that date.
    batch = [
        spec("J-1", "employment_started", job(family.wife)),
        spec("M-1", "marriage", {
            "personal_id": family.husband.personal_id,
            "spouse_personal_id": family.wife.personal_id,
            "new_household": {"reference": "H-NEW", "district": "AZ-BA-01"},
        }, on=dt.date(2005, 1, 1)),
        spec("J-2", "employment_started", job(family.husband)),
    ]

    results = events_ingest_batch(sender=SENDER, events=batch)

    assert [r.status for r in results] == [
        EventStatus.APPLIED, EventStatus.REJECTED, EventStatus.APPLIED
    ]
    assert not models.Household.objects.filter(reference="H-NEW").exists()
    assert not models.LifeEvent.objects.filter(sender_event_id="M-1").exists()
    assert models.EmploymentContract.objects.filter(
        person__in=[family.wife, family.husband]
    ).count() == 2
    # Resent once fixed, the rejected event is applied under the same ID.
    fixed = events_ingest_batch(sender=SENDER, events=[
        spec("M-1", "marriage", {
            "personal_id": family.husband.personal_id,
            "spouse_personal_id": family.wife.personal_id,
            "new_household": {"reference": "H-NEW", "district": "AZ-BA-01"},
        }),
    ])
    assert fixed[0].status == EventStatus.APPLIED, fixed[0].reason
    assert models.Household.objects.filter(reference="H-NEW").exists()


def test_it_applies_a_batch_again_as_duplicates_only(family: Family) -> None:
    batch = [spec("J-1", "employment_started", job(family.wife)),
             spec("J-2", "employment_started", job(family.husband))]
    events_ingest_batch(sender=SENDER, events=batch)
    contracts = models.EmploymentContract.objects.count()

    again = events_ingest_batch(sender=SENDER, events=batch)

    assert [r.status for r in again] == [EventStatus.DUPLICATE] * 2
    assert models.EmploymentContract.objects.count() == contracts
    assert models.LifeEvent.objects.count() == 2


def test_it_applies_a_batch_in_a_few_statements_per_event() -> None:
    people = [new_person(personal_id=fin_for(50_000 + n)) for n in range(40)]
    batch = [spec(f"J-{n}", "employment_started", job(p)) for n, p in enumerate(people)]

    with CaptureQueriesContext(connection) as queries:
        results = events_ingest_batch(sender=SENDER, events=batch)

    assert all(r.status == EventStatus.APPLIED for r in results)
    # One by one it was ~14 statements per event; staged and written in bulk, a fixed number
    # per batch (test_events_bulk.py holds it to that).
    assert len(queries) <= 5 * len(batch) + 12, len(queries)
