"""The batch path's bulk writes (`events_ingest_batch` with `_Staged`): the registry rows and
answers are exactly those of `event_ingest` one by one, for a batch whose events depend on each
other (a job started and ended, a death and events after it, a newborn named again, births
after a marriage and a move that the batch applies one by one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import CaptureQueriesContext

from dost.registry import models as m
from dost.registry.services import EventStatus, event_ingest
from dost.registry.services import bulk as bulk_module
from dost.registry.services.events import EventResult, EventSpec, events_ingest_batch
from dost.registry.tests.factories import fin_for
from dost.registry.tests.test_events import (
    Family,
    birth,
    new_household,
    new_membership,
    new_person,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)
SENDER = "civil-registry"
TABLES: list[type[models.Model]] = [
    m.Person,
    m.Household,
    m.Membership,
    m.EmploymentContract,
    m.PersonStatus,
    m.DisabilityDetermination,
    m.LifeEvent,
    m.RegistryChange,
    m.RejectedEvent,
]
# Set by the database when written: they differ between any two runs.
CLOCK_FIELDS = frozenset({"created_at", "updated_at", "recorded_at", "received_at", "at"})


class Registry:
    """Family (`test_events.Family`) and neighbours with jobs, statuses and disabilities."""

    def __init__(self) -> None:
        self.family = Family()
        self.worker = new_person(personal_id=fin_for(70_001))
        self.employed = new_person(personal_id=fin_for(70_002))
        self.prisoner = new_person(personal_id=fin_for(70_003), sex="M")
        self.groom = new_person(personal_id=fin_for(70_004), sex="M")
        self.bride = new_person(personal_id=fin_for(70_005), sex="F")
        self.disabled = new_person(personal_id=fin_for(70_006))
        self.two_jobs = new_person(personal_id=fin_for(70_007))
        self.late_joiner = new_person(personal_id=fin_for(70_008))
        self.inmate = new_person(personal_id=fin_for(70_009))
        for person in (
            self.worker,
            self.employed,
            self.prisoner,
            self.disabled,
            self.two_jobs,
            self.inmate,
        ):
            new_membership(person=person, household=new_household())
        self.groom_home = new_household(reference="H-GROOM")
        new_membership(person=self.groom, household=self.groom_home)
        new_membership(person=self.bride, household=new_household(reference="H-BRIDE"))
        # Joined after the day of the events: a death that day cannot end this membership.
        new_membership(
            person=self.late_joiner, household=new_household(), joined_on=dt.date(2026, 3, 10)
        )
        fact = {"source": m.Source.SYSTEM}
        m.EmploymentContract.objects.create(
            person=self.employed,
            employer_name="Azərsu",
            employer_tax_id="1700000001",
            start_date=dt.date(2020, 1, 1),
            monthly_wage=Decimal("700.00"),
            **fact,
        )
        m.EmploymentContract.objects.create(
            person=self.employed,
            employer_name="Later job",
            start_date=dt.date(2026, 3, 5),
            monthly_wage=Decimal("400.00"),
            **fact,
        )
        m.EmploymentContract.objects.create(
            person=self.prisoner,
            employer_name="Bakı Metro",
            start_date=dt.date(2019, 5, 1),
            monthly_wage=Decimal("650.00"),
            **fact,
        )
        for _ in range(2):
            m.EmploymentContract.objects.create(
                person=self.two_jobs,
                employer_name="Ümid MMC",
                start_date=dt.date(2021, 1, 1),
                monthly_wage=Decimal("300.00"),
                **fact,
            )
        m.PersonStatus.objects.create(
            person=self.prisoner,
            kind=m.StatusKind.IMPRISONED,
            valid_from=dt.date(2025, 1, 1),
            **fact,
        )
        m.PersonStatus.objects.create(
            person=self.inmate, kind=m.StatusKind.IMPRISONED, valid_from=dt.date(2024, 6, 1), **fact
        )
        m.DisabilityDetermination.objects.create(
            person=self.disabled,
            impairment_percent=40,
            group=3,
            valid_from=dt.date(2022, 1, 1),
            **fact,
        )


def pid(person: m.Person) -> str:
    return person.personal_id


def mixed_batch(r: Registry) -> list[EventSpec]:
    f = r.family
    newborn, second_child, third_child = fin_for(900_001), fin_for(900_002), fin_for(900_003)
    events: list[tuple[str, str, dict[str, Any], dt.date]] = [
        (
            "J-1",
            "employment_started",
            {
                "personal_id": pid(r.worker),
                "employer_name": "Bakı Metro",
                "employer_tax_id": "1200000001",
                "monthly_wage": "900",
            },
            DAY,
        ),
        # Same employer in other letter cases: whether they match is the database's iexact.
        (
            "J-2",
            "employment_started",
            {"personal_id": pid(r.worker), "employer_name": "bakı metro", "monthly_wage": "950.5"},
            DAY,
        ),
        (
            "E-1",
            "employment_ended",
            {"personal_id": pid(r.worker), "employer_name": "BAKI METRO", "reason": "employee"},
            DAY,
        ),
        (
            "E-2",
            "employment_ended",
            {"personal_id": pid(r.worker), "employer_tax_id": "1200000001", "reason": "agreement"},
            DAY,
        ),
        (
            "J-3",
            "employment_started",
            {
                "personal_id": pid(r.employed),
                "employer_name": "Azərsu",
                "employer_tax_id": "1700000001",
                "monthly_wage": "800",
            },
            DAY,
        ),
        (
            "E-3",
            "employment_ended",
            {"personal_id": pid(r.employed), "employer_name": "azərsu", "reason": "redundancy"},
            DAY,
        ),
        (
            "E-4",
            "employment_ended",
            {"personal_id": pid(r.employed), "employer_name": "Later job", "reason": "other"},
            DAY,
        ),
        (
            "E-5",
            "employment_ended",
            {"personal_id": pid(r.two_jobs), "employer_name": "Ümid MMC", "reason": "other"},
            DAY,
        ),
        ("D-1", "death", {"personal_id": pid(r.prisoner)}, DAY),
        (
            "J-4",
            "employment_started",
            {"personal_id": pid(r.prisoner), "employer_name": "X", "monthly_wage": "1"},
            DAY,
        ),
        ("R-1", "release", {"personal_id": pid(r.prisoner)}, DAY),
        ("D-2", "death", {"personal_id": pid(r.late_joiner)}, DAY),
        (
            "B-1",
            "birth",
            birth(mother_personal_id=pid(f.wife), father_personal_id=pid(f.husband)),
            DAY,
        ),
        ("B-2", "birth", birth(mother_personal_id=pid(f.wife)), DAY),  # the same ID again
        (
            "B-3",
            "birth",
            {**birth(mother_personal_id=pid(f.husband)), "personal_id": fin_for(900_009)},
            DAY,
        ),  # a male mother
        (
            "A-1",
            "disability_determined",
            {"personal_id": newborn, "impairment_percent": 60, "group": 2},
            DAY,
        ),
        ("C-1", "conscription", {"personal_id": newborn}, DAY),
        ("D-3", "death", {"personal_id": newborn}, DAY),
        ("C-2", "conscription", {"personal_id": newborn}, DAY),
        # Applied one by one: the bride moves into the groom's household ...
        ("M-1", "marriage", {"personal_id": pid(r.groom), "spouse_personal_id": pid(r.bride)}, DAY),
        # ... so her child is born there.
        (
            "B-4",
            "birth",
            {**birth(mother_personal_id=pid(r.bride)), "personal_id": second_child},
            DAY,
        ),
        ("H-1", "household_move", {"household": "H-FAMILY", "district": "AZ-BA-02"}, DAY),
        (
            "B-5",
            "birth",
            {**birth(household="H-FAMILY"), "personal_id": third_child, "sex": "M"},
            DAY,
        ),
        (
            "A-2",
            "disability_determined",
            {
                "personal_id": pid(r.disabled),
                "impairment_percent": 70,
                "group": 2,
                "valid_from": "2026-01-01",
            },
            DAY,
        ),
        (
            "A-3",
            "disability_determined",
            {
                "personal_id": pid(r.disabled),
                "impairment_percent": 80,
                "group": 1,
                "valid_from": "2026-02-01",
            },
            DAY,
        ),
        (
            "A-4",
            "disability_determined",
            {
                "personal_id": pid(r.disabled),
                "impairment_percent": 20,
                "valid_from": "2026-02-10",
                "valid_to": "2026-02-20",
            },
            DAY,
        ),
        ("I-1", "imprisonment", {"personal_id": pid(r.inmate)}, DAY),
        ("R-2", "release", {"personal_id": pid(r.inmate)}, dt.date(2024, 5, 1)),  # too early
        ("R-3", "release", {"personal_id": pid(r.inmate)}, DAY),
        ("R-4", "release", {"personal_id": pid(r.inmate)}, DAY),
        ("I-2", "imprisonment", {"personal_id": pid(r.inmate)}, DAY),
        (
            "J-1",
            "employment_started",
            {"personal_id": pid(r.worker), "employer_name": "Bakı Metro", "monthly_wage": "900"},
            DAY,
        ),  # repeated ID
        ("D-4", "death", {"personal_id": fin_for(123_456)}, DAY),  # nobody
        ("D-5", "death", {"personal_id": pid(r.worker)}, dt.date(1980, 1, 1)),  # before birth
        ("V-1", "volcano", {}, DAY),
        (
            "J-5",
            "employment_started",
            {"personal_id": pid(r.worker), "employer_name": "Late", "monthly_wage": "1"},
            dt.date(2999, 1, 1),
        ),  # future
        (
            "V-2",
            "divorce",
            {
                "personal_id": pid(r.bride),
                "former_spouse_personal_id": pid(r.groom),
                "to_household": "H-OTHER",
            },
            DAY,
        ),
        ("D-6", "death", {"personal_id": pid(r.bride)}, DAY),
        (
            "J-6",
            "employment_started",
            {"personal_id": second_child, "employer_name": "Kid Co", "monthly_wage": "10"},
            DAY,
        ),
    ]
    return [
        EventSpec(sender_event_id=i, type=t, occurred_on=on, payload=p) for i, t, p, on in events
    ]


class _RollbackError(Exception):
    pass


def _snapshot(first_new: dict[type[models.Model], int]) -> dict[str, Any]:
    """Every row of the registry tables, keys of rows written by the run replaced by their rank
    in the table (databases do not reuse keys after a rollback), clock columns left out."""
    keys: dict[type[models.Model], dict[int, Any]] = {}
    for model in TABLES:
        pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
        new = [pk for pk in pks if pk >= first_new[model]]
        keys[model] = {pk: pk for pk in pks if pk < first_new[model]}
        keys[model].update({pk: ("new", rank) for rank, pk in enumerate(new)})

    def key(model: type[models.Model] | None, value: Any) -> Any:
        return keys[model].get(value) if model in keys and value is not None else value

    def mapped(model: type[models.Model], name: str, value: Any) -> Any:
        field = model._meta.get_field(name)
        return key(field.related_model, value) if field.is_relation else value

    tables: dict[str, Any] = {}
    for model in TABLES:
        rows = []
        for obj in model._default_manager.order_by("pk"):
            row = {
                f.name: key(model, obj.pk)
                if f.primary_key
                else mapped(model, f.name, getattr(obj, f.attname))
                for f in model._meta.concrete_fields
                if f.name not in CLOCK_FIELDS
            }
            if isinstance(obj, m.RegistryChange):
                changed = apps.get_model(obj.model)
                row["object_id"] = key(changed, obj.object_id)
                for side in ("before", "after"):
                    if row[side] is not None:
                        row[side] = {n: mapped(changed, n, v) for n, v in row[side].items()}
            rows.append(row)
        if model is m.RejectedEvent:  # a batch stores its rejections together, at the end
            rows = sorted((({**r, "id": None}) for r in rows), key=repr)
        tables[model.__name__] = rows
    return tables


def _answers(results: list[EventResult], snapshot_keys: Callable[[int], Any]) -> list[Any]:
    return [
        (
            r.status,
            r.reason,
            snapshot_keys(r.life_event.pk) if r.life_event else None,
            r.rejected_event.reason if r.rejected_event else None,
        )
        for r in results
    ]


def _run(ingest: Callable[[], list[EventResult]]) -> tuple[list[Any], dict[str, Any]]:
    """Ingest inside a savepoint, read the rows and answers, roll back."""
    first_new = {
        model: (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0)
        + 1
        for model in TABLES
    }
    found: dict[str, Any] = {}
    try:
        with transaction.atomic():
            results = ingest()
            found["rows"] = _snapshot(first_new)
            logged = {
                pk: ("new", rank)
                for rank, pk in enumerate(
                    m.LifeEvent.objects.filter(pk__gte=first_new[m.LifeEvent])
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            }
            found["answers"] = _answers(results, lambda pk: logged.get(pk, pk))
            raise _RollbackError
    except _RollbackError:
        pass
    return found["answers"], found["rows"]


def _one_by_one(batch: list[EventSpec]) -> list[EventResult]:
    return [
        event_ingest(
            sender=SENDER,
            sender_event_id=e.sender_event_id,
            type=e.type,
            occurred_on=e.occurred_on,
            payload=e.payload,
        )
        for e in batch
    ]


@pytest.fixture
def registry() -> Registry:
    return Registry()


def test_a_mixed_batch_writes_what_one_by_one_writes(registry: Registry) -> None:
    batch = mixed_batch(registry)

    one_answers, one_rows = _run(lambda: _one_by_one(batch))
    batch_answers, batch_rows = _run(lambda: events_ingest_batch(sender=SENDER, events=batch))

    assert batch_answers == one_answers
    for table in one_rows:
        assert batch_rows[table] == one_rows[table], table
    # The batch is not trivial: every outcome occurs, and each kind of registry row is written.
    statuses = [a[0] for a in one_answers]
    assert statuses.count(EventStatus.APPLIED) >= 20
    assert {EventStatus.DUPLICATE, EventStatus.REJECTED} <= set(statuses)
    for table in (
        "Person",
        "Membership",
        "EmploymentContract",
        "PersonStatus",
        "DisabilityDetermination",
        "Household",
    ):
        assert one_rows[table] != [], table
    reasons = " ".join(str(a[1]) for a in one_answers)
    for expected in (
        "already has an open contract",
        "died on",
        "already in the registry",
        "registered as male",
        "has no open status",
        "several open contracts",
        "cannot end",
        "No person with personal ID",
        "in the future",
    ):
        assert expected in reasons, (expected, one_answers)


def test_it_redoes_the_staged_events_one_by_one_when_the_database_refuses_them(
    registry: Registry, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    batch = mixed_batch(registry)
    one_answers, one_rows = _run(lambda: _one_by_one(batch))
    flush = bulk_module.WriteBuffer.flush
    calls = {"n": 0}

    def refused_once(self: bulk_module.WriteBuffer) -> None:
        calls["n"] += 1
        flush(self)  # written, then refused: the savepoint must undo it all
        if calls["n"] == 2:
            raise IntegrityError("refused for the test")

    monkeypatch.setattr(bulk_module.WriteBuffer, "flush", refused_once)
    batch_answers, batch_rows = _run(lambda: events_ingest_batch(sender=SENDER, events=batch))

    assert calls["n"] >= 3
    assert "bulk registry writes refused (refused for the test)" in caplog.text
    assert batch_answers == one_answers
    for table in one_rows:
        assert batch_rows[table] == one_rows[table], table


def test_a_batch_of_staged_events_takes_a_fixed_number_of_statements() -> None:
    people = [new_person(personal_id=fin_for(50_000 + n)) for n in range(60)]
    batch = (
        [
            EventSpec(
                sender_event_id=f"J-{n}",
                type="employment_started",
                occurred_on=DAY,
                payload={
                    "personal_id": p.personal_id,
                    "employer_name": "Bakı Metro",
                    "monthly_wage": "900.00",
                },
            )
            for n, p in enumerate(people)
        ]
        + [
            EventSpec(
                sender_event_id=f"E-{n}",
                type="employment_ended",
                occurred_on=DAY,
                payload={
                    "personal_id": p.personal_id,
                    "employer_name": "BAKI METRO",
                    "reason": "employee",
                },
            )
            for n, p in enumerate(people[:20])
        ]
        + [
            EventSpec(
                sender_event_id=f"D-{n}",
                type="death",
                occurred_on=DAY,
                payload={"personal_id": p.personal_id},
            )
            for n, p in enumerate(people[40:])
        ]
    )

    with CaptureQueriesContext(connection) as queries:
        results = events_ingest_batch(sender=SENDER, events=batch)

    assert {r.status for r in results} == {EventStatus.APPLIED} | (
        # SQLite's iexact ignores the case of ASCII letters only: "BAKI" is not "Bakı" there.
        {EventStatus.REJECTED} if connection.vendor == "sqlite" else set()
    )
    # Lock, earlier events, log insert, persons, contracts, statuses, memberships, names,
    # savepoint, inserts, updates per field set, change log, release, log update, rejections…
    # whatever the number of events (one by one it was ~14 per event, then ~5).
    assert len(queries) <= 25, "\n".join(q["sql"][:100] for q in queries)
    assert m.EmploymentContract.objects.filter(person__in=people).count() == 60
    assert m.RegistryChange.objects.filter(life_event__sender=SENDER).count() >= 60 + 20 * 2
