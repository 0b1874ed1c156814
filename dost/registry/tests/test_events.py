"""Life events: each type applied, idempotence (also under a race), rejections, the log."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dost.registry import models, selectors
from dost.registry.services import EventStatus, event_ingest
from dost.registry.services import events as ev
from dost.registry.services.event_payloads import SAME_PERSON
from dost.registry.tests.factories import (
    DistrictFactory,
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    fin_for,
)

pytestmark = pytest.mark.django_db


# The shared factories are untyped; these give the tests typed model instances.
def new_person(**attrs: Any) -> models.Person:
    return cast(models.Person, PersonFactory(**attrs))


def new_household(**attrs: Any) -> models.Household:
    return cast(models.Household, HouseholdFactory(**attrs))


def new_membership(**attrs: Any) -> models.Membership:
    return cast(models.Membership, MembershipFactory(**attrs))


def new_district(**attrs: Any) -> models.District:
    return cast(models.District, DistrictFactory(**attrs))

DAY = dt.date(2026, 3, 2)
_ids = iter(range(10**6))


def send(type: str, payload: dict[str, Any], *, on: dt.date = DAY, event_id: str | None = None,
         sender: str = "civil-registry") -> ev.EventResult:
    return event_ingest(
        sender=sender, sender_event_id=event_id or f"E-{next(_ids)}", type=type,
        occurred_on=on, payload=payload,
    )


def applied(result: ev.EventResult) -> models.LifeEvent:
    assert result.status == EventStatus.APPLIED, result.reason
    assert result.life_event is not None
    return result.life_event


def rejected(result: ev.EventResult) -> str:
    assert result.status == EventStatus.REJECTED
    assert result.rejected_event is not None
    assert result.rejected_event.reason == result.reason
    return result.reason


class Family:
    """A married couple heading one household, with one job and a second, empty household."""

    def __init__(self) -> None:
        self.household = new_household(reference="H-FAMILY")
        self.husband = new_person(sex="M", first_name="Elçin")
        self.wife = new_person(sex="F", first_name="Aynur")
        new_membership(household=self.household, person=self.husband, role=models.Role.HEAD)
        new_membership(household=self.household, person=self.wife, role=models.Role.SPOUSE)
        self.other_household = new_household(reference="H-OTHER")
        self.other_district = new_district(code="AZ-BA-02", name="Nəsimi")


@pytest.fixture
def family() -> Family:
    return Family()


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (models.Person, models.Membership, models.LifeEvent, models.RegistryChange,
                  models.RejectedEvent, models.EmploymentContract, models.PersonStatus)
    }


def open_membership(person: models.Person) -> models.Membership | None:
    return models.Membership.objects.filter(person=person, left_on__isnull=True).first()


# --- Birth and idempotence ---------------------------------------------------------------------


def birth(**extra: Any) -> dict[str, Any]:
    return {"personal_id": fin_for(900_001), "last_name": "Məmmədova", "first_name": "Leyla",
            "sex": "F", **extra}


def test_it_registers_a_birth_in_the_mothers_household(family: Family) -> None:
    event = applied(send("birth", birth(mother_personal_id=family.wife.personal_id,
                                        father_personal_id=family.husband.personal_id)))

    child = models.Person.objects.get(personal_id=fin_for(900_001))
    assert child.birth_date == DAY
    assert child.mother == family.wife and child.father == family.husband
    assert child.district_id == family.household.district_id
    membership = open_membership(child)
    assert membership is not None
    assert (membership.household, membership.role, membership.joined_on) == (
        family.household, models.Role.CHILD, DAY)
    event.refresh_from_db()
    assert event.person == child and event.type == "birth"
    logged = models.RegistryChange.objects.filter(life_event=event)
    assert {c.model for c in logged} == {"registry.Person", "registry.Membership"}
    assert all(c.source == models.Source.EVENT and c.before is None for c in logged)


def test_it_changes_the_registry_once_when_the_same_event_is_sent_twice(family: Family) -> None:
    payload = birth(mother_personal_id=family.wife.personal_id)
    first = applied(send("birth", payload, event_id="B-1"))
    after_first = counts()

    second = send("birth", payload, event_id="B-1")

    assert second.status == EventStatus.DUPLICATE
    assert second.life_event == first
    assert counts() == after_first
    assert models.Person.objects.filter(personal_id=payload["personal_id"]).count() == 1


def test_it_treats_the_same_id_from_another_sender_as_another_event(family: Family) -> None:
    applied(send("imprisonment", {"personal_id": family.husband.personal_id}, event_id="X-1"))
    result = send("imprisonment", {"personal_id": family.husband.personal_id}, event_id="X-1",
                  sender="other-system")
    # Not a duplicate: it is judged on its own, and the registry says he is already imprisoned.
    assert "already has the open status" in rejected(result)


def test_it_puts_a_child_in_the_given_household(family: Family) -> None:
    applied(send("birth", birth(mother_personal_id=family.wife.personal_id,
                                household="H-OTHER", citizenship="tr")))
    child = models.Person.objects.get(personal_id=fin_for(900_001))
    assert open_membership(child).household == family.other_household  # type: ignore[union-attr]
    assert child.citizenship == "TR"


def test_it_rejects_a_birth_with_no_household_to_join() -> None:
    reason = rejected(send("birth", birth()))
    assert reason == str(ev.NO_HOUSEHOLD_FOR_BIRTH)
    assert not models.Person.objects.exists()
    assert not models.LifeEvent.objects.exists()


def test_it_rejects_a_birth_with_an_invalid_personal_id(family: Family) -> None:
    reason = rejected(send("birth", birth(personal_id="ABCDEFI",
                                          mother_personal_id=family.wife.personal_id)))
    assert "FIN" in reason


def test_it_rejects_a_birth_of_someone_already_registered(family: Family) -> None:
    reason = rejected(send("birth", birth(personal_id=family.husband.personal_id,
                                          mother_personal_id=family.wife.personal_id)))
    assert family.husband.personal_id in reason and "already" in reason


# --- Payload validation ------------------------------------------------------------------------


def test_it_names_unknown_and_missing_fields(family: Family) -> None:
    payload = birth(mother_personal_id=family.wife.personal_id, mothers_name="Aynur")
    del payload["sex"]

    reason = rejected(send("birth", payload))

    assert "mothers_name: unknown field" in reason
    assert "sex: required, but missing" in reason
    stored = models.RejectedEvent.objects.get()
    assert stored.payload == payload and stored.type == "birth"


def test_it_rejects_an_unknown_type_listing_the_known_ones() -> None:
    reason = rejected(send("graduation", {}))
    assert "graduation" in reason and "birth" in reason and "discharge" in reason


def test_it_rejects_an_event_dated_in_the_future(family: Family) -> None:
    reason = rejected(send("imprisonment", {"personal_id": family.husband.personal_id},
                           on=dt.date.today() + dt.timedelta(days=2)))
    assert "future" in reason


def test_it_rejects_an_event_about_an_unknown_person() -> None:
    reason = rejected(send("death", {"personal_id": "ZZZZZZZ"}))
    assert reason == str(ev.UNKNOWN_PERSON) % {"personal_id": "ZZZZZZZ"}


def test_it_applies_a_rejected_event_resent_under_the_same_id_once_fixed(family: Family) -> None:
    rejected(send("imprisonment", {"personal_id": "ZZZZZZZ"}, event_id="P-1"))
    applied(send("imprisonment", {"personal_id": family.husband.personal_id}, event_id="P-1"))
    assert models.RejectedEvent.objects.count() == 1


def test_it_refuses_an_envelope_it_cannot_store() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        send("death", {}, event_id="x" * 81)


# --- Death -------------------------------------------------------------------------------------


def test_it_records_a_death_and_ends_memberships_contracts_and_statuses(family: Family) -> None:
    contract = models.EmploymentContract.objects.create(
        person=family.husband, employer_name="Azərsu", start_date=dt.date(2020, 1, 1),
        monthly_wage=Decimal("900.00"), source=models.Source.IMPORT,
    )
    applied(send("conscription", {"personal_id": family.husband.personal_id},
                 on=dt.date(2026, 1, 10)))

    event = applied(send("death", {"personal_id": family.husband.personal_id}))

    family.husband.refresh_from_db()
    contract.refresh_from_db()
    assert family.husband.death_date == DAY
    assert open_membership(family.husband) is None
    assert models.Membership.objects.get(person=family.husband).left_on == DAY
    assert (contract.end_date, contract.termination_reason) == (DAY, "death")
    status = models.PersonStatus.objects.get(person=family.husband)
    assert status.valid_to == DAY
    change = models.RegistryChange.objects.get(
        life_event=event, model="registry.Person", object_id=family.husband.pk
    )
    assert change.before == {"death_date": None}
    assert change.after == {"death_date": DAY.isoformat()}
    assert models.RegistryChange.objects.get(
        life_event=event, model="registry.EmploymentContract"
    ).after == {"end_date": DAY.isoformat(), "termination_reason": "death"}


def test_it_rejects_the_death_of_a_dead_person(family: Family) -> None:
    applied(send("death", {"personal_id": family.husband.personal_id}))
    before = counts()

    reason = rejected(send("death", {"personal_id": family.husband.personal_id}))

    assert "already registered as dead" in reason
    assert {k: v for k, v in counts().items() if k != "RejectedEvent"} == {
        k: v for k, v in before.items() if k != "RejectedEvent"}


def test_it_rejects_events_about_a_person_after_their_death(family: Family) -> None:
    applied(send("death", {"personal_id": family.husband.personal_id}))
    reason = rejected(send("imprisonment", {"personal_id": family.husband.personal_id},
                           on=DAY + dt.timedelta(days=1)))
    assert "died on" in reason


# --- Marriage, divorce, moves ------------------------------------------------------------------


def test_it_moves_the_spouse_into_the_other_household_on_marriage(family: Family) -> None:
    groom = new_person(sex="M")
    new_membership(household=family.other_household, person=groom)
    bride = new_person(sex="F", district=new_district(code="AZ-BA-02", name="Nəsimi"))
    new_membership(person=bride)

    applied(send("marriage", {"personal_id": groom.personal_id,
                              "spouse_personal_id": bride.personal_id}))

    membership = open_membership(bride)
    assert membership is not None
    assert (membership.household, membership.role) == (family.other_household,
                                                        models.Role.SPOUSE)
    bride.refresh_from_db()
    assert bride.district_id == family.other_household.district_id


def test_it_founds_a_new_household_on_marriage_when_asked(family: Family) -> None:
    groom, bride = new_person(sex="M"), new_person(sex="F")
    payload = {"personal_id": groom.personal_id, "spouse_personal_id": bride.personal_id,
               "new_household": {"reference": "H-NEW", "district": "AZ-BA-02",
                                 "address": "Nizami 5"}}

    applied(send("marriage", payload))

    household = models.Household.objects.get(reference="H-NEW")
    assert household.district == family.other_district and household.created_on == DAY
    roles = {m.person_id: m.role for m in household.memberships.all()}
    assert roles == {groom.pk: models.Role.HEAD, bride.pk: models.Role.SPOUSE}


def test_it_rejects_a_marriage_of_someone_without_a_household_into_theirs() -> None:
    groom, bride = new_person(sex="M"), new_person(sex="F")
    reason = rejected(send("marriage", {"personal_id": groom.personal_id,
                                        "spouse_personal_id": bride.personal_id}))
    assert "not a member of any household" in reason


def test_it_rejects_a_marriage_of_a_person_to_themselves(family: Family) -> None:
    reason = rejected(send("marriage", {"personal_id": family.wife.personal_id,
                                        "spouse_personal_id": family.wife.personal_id}))
    assert reason == f"payload: {SAME_PERSON}"


def test_it_moves_the_leaving_spouse_out_on_divorce_and_keeps_a_head(family: Family) -> None:
    applied(send("divorce", {
        "personal_id": family.husband.personal_id,
        "former_spouse_personal_id": family.wife.personal_id,
        "new_household": {"reference": "H-HIS", "district": "AZ-BA-01"},
    }))

    his = open_membership(family.husband)
    hers = open_membership(family.wife)
    assert his is not None and hers is not None
    assert (his.household.reference, his.role) == ("H-HIS", models.Role.HEAD)
    assert (hers.household, hers.role) == (family.household, models.Role.HEAD)
    assert [m.person for m in selectors.household_members_on(family.household, DAY)] == [
        family.wife]
    assert len(selectors.household_members_on(family.household, DAY - dt.timedelta(days=1))) == 2


def test_it_rejects_a_divorce_of_people_in_different_households(family: Family) -> None:
    stranger = new_person(sex="F")
    new_membership(household=family.other_household, person=stranger)
    reason = rejected(send("divorce", {
        "personal_id": family.husband.personal_id,
        "former_spouse_personal_id": stranger.personal_id, "to_household": "H-OTHER",
    }))
    assert "do not live in the same household" in reason


def test_it_needs_exactly_one_destination_for_a_divorce(family: Family) -> None:
    reason = rejected(send("divorce", {"personal_id": family.husband.personal_id,
                                       "former_spouse_personal_id": family.wife.personal_id}))
    assert "exactly one of" in reason


def test_it_relocates_a_household_and_its_members(family: Family) -> None:
    event = applied(send("household_move", {"household": "H-FAMILY", "district": "AZ-BA-02",
                                            "address": "Azadlıq 1"}))

    family.household.refresh_from_db()
    assert (family.household.district, family.household.address) == (
        family.other_district, "Azadlıq 1")
    for person in (family.husband, family.wife):
        person.refresh_from_db()
        assert person.district == family.other_district
    assert event.person is None
    assert models.RegistryChange.objects.filter(life_event=event).count() == 3


def test_it_moves_one_person_to_another_household(family: Family) -> None:
    applied(send("household_move", {"personal_id": family.wife.personal_id,
                                    "to_household": "H-OTHER", "role": "parent"}))
    membership = open_membership(family.wife)
    assert membership is not None
    assert (membership.household, membership.role) == (family.other_household,
                                                        models.Role.PARENT)


def test_it_refuses_a_move_mixing_both_shapes(family: Family) -> None:
    reason = rejected(send("household_move", {"household": "H-FAMILY",
                                              "personal_id": family.wife.personal_id}))
    assert "Either move a household" in reason


# --- Employment, disability, statuses ----------------------------------------------------------


def test_it_opens_and_closes_an_employment_contract(family: Family) -> None:
    applied(send("employment_started", {
        "personal_id": family.wife.personal_id, "employer_name": "SOCAR",
        "employer_tax_id": "1400000001", "monthly_wage": "1250.50"}, on=dt.date(2026, 1, 5)))
    contract = models.EmploymentContract.objects.get(person=family.wife)
    assert (contract.start_date, contract.monthly_wage, contract.source) == (
        dt.date(2026, 1, 5), Decimal("1250.50"), models.Source.EVENT)
    assert contract.life_event is not None

    applied(send("employment_ended", {"personal_id": family.wife.personal_id,
                                      "employer_tax_id": "1400000001", "reason": "agreement"}))

    contract.refresh_from_db()
    assert (contract.end_date, contract.termination_reason) == (DAY, "agreement")


def test_it_rejects_the_end_of_a_job_the_person_does_not_have(family: Family) -> None:
    reason = rejected(send("employment_ended", {"personal_id": family.wife.personal_id,
                                                "employer_name": "SOCAR", "reason": "employee"}))
    assert "no open contract with SOCAR" in reason


def test_it_rejects_a_wage_with_too_many_decimals(family: Family) -> None:
    reason = rejected(send("employment_started", {
        "personal_id": family.wife.personal_id, "employer_name": "SOCAR",
        "monthly_wage": "100.123"}))
    assert reason.startswith("monthly_wage:")


def test_it_records_a_disability_replacing_the_open_one(family: Family) -> None:
    applied(send("disability_determined", {"personal_id": family.husband.personal_id,
                                           "impairment_percent": 45, "group": 3},
                 on=dt.date(2025, 5, 1)))
    applied(send("disability_determined", {
        "personal_id": family.husband.personal_id, "impairment_percent": 75, "group": 2,
        "valid_from": "2026-02-01", "valid_to": "2027-01-31"}))

    first, second = models.DisabilityDetermination.objects.filter(
        person=family.husband).order_by("valid_from")
    assert (first.valid_from, first.valid_to) == (dt.date(2025, 5, 1), dt.date(2026, 1, 31))
    assert (second.impairment_percent, second.group, second.valid_to) == (
        75, 2, dt.date(2027, 1, 31))


def test_it_rejects_an_impairment_over_100_percent(family: Family) -> None:
    reason = rejected(send("disability_determined", {"personal_id": family.husband.personal_id,
                                                     "impairment_percent": 120}))
    assert reason.startswith("impairment_percent:")


@pytest.mark.parametrize(("opening", "closing", "kind"), [
    ("imprisonment", "release", models.StatusKind.IMPRISONED),
    ("conscription", "discharge", models.StatusKind.CONSCRIPT),
])
def test_it_opens_and_closes_a_status(family: Family, opening: str, closing: str,
                                      kind: str) -> None:
    who = {"personal_id": family.husband.personal_id}
    applied(send(opening, who, on=dt.date(2025, 1, 1)))
    assert "already has the open status" in rejected(send(opening, who))
    applied(send(closing, who))

    status = models.PersonStatus.objects.get(person=family.husband)
    assert (status.kind, status.valid_from, status.valid_to) == (kind, dt.date(2025, 1, 1), DAY)
    assert "no open status" in rejected(send(closing, who))


# --- The log and the selectors -----------------------------------------------------------------


def test_it_serves_the_log_in_order_from_a_given_event(family: Family) -> None:
    who = {"personal_id": family.husband.personal_id}
    first = applied(send("imprisonment", who, on=dt.date(2025, 1, 1)))
    rejected(send("release", {"personal_id": "ZZZZZZZ"}))
    second = applied(send("release", who))
    third = applied(send("conscription", who))

    assert selectors.events_after(0) == [first, second, third]
    assert selectors.events_after(first.pk, limit=1) == [second]
    assert selectors.events_after(third.pk) == []


def test_it_gives_a_persons_history_with_retracted_facts(family: Family) -> None:
    from dost.registry.services import ChangeContext, fact_add, fact_retract

    ctx = ChangeContext(source=models.Source.SYSTEM, reason="test")
    income = fact_add(ctx=ctx, model=models.Income, person=family.wife,
                      month=dt.date(2026, 1, 1), type="wage", amount="300")
    fact_retract(ctx=ctx, fact=income, reason="wrong month")
    applied(send("death", {"personal_id": family.wife.personal_id}))

    history = selectors.person_history(family.wife)

    assert history.facts[models.Income] == [income]
    assert history.facts[models.Income][0].retracted_reason == "wrong month"
    assert {(c.model, c.source) for c in history.changes} == {
        ("registry.Income", "system"), ("registry.Person", "event"),
        ("registry.Membership", "event")}
    retraction = next(c for c in history.changes if c.model == "registry.Income" and c.before)
    assert retraction.before == {"retracted_at": None, "retracted_reason": ""}
    assert selectors.person_get_by_personal_id(family.wife.personal_id.lower()) == family.wife


# --- Concurrency -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_applies_an_event_once_when_two_connections_race() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with one lock; the race needs PostgreSQL.")
    family = Family()
    rounds, results = 5, []
    lock = threading.Lock()

    def ingest(n: int, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            result = event_ingest(
                sender="civil-registry", sender_event_id=f"RACE-{n}", type="employment_started",
                occurred_on=DAY, payload={"personal_id": family.wife.personal_id,
                                          "employer_name": f"Employer {n}",
                                          "monthly_wage": "500"},
            )
            with lock:
                results.append(result.status)
        finally:
            connection.close()

    for n in range(rounds):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=ingest, args=(n, barrier)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(results) == sorted([EventStatus.APPLIED, EventStatus.DUPLICATE] * rounds)
    assert models.LifeEvent.objects.count() == rounds
    assert models.EmploymentContract.objects.filter(person=family.wife).count() == rounds


def test_it_keeps_a_rejected_event_even_with_nul_and_lone_surrogates() -> None:
    # PostgreSQL refuses NUL in text and jsonb, and lone surrogates in UTF-8: a sender's garbage
    # must still be kept with its reason, never turned into a server error.
    result = send("birth\x00", {"first_name": "A\x00B", "last_name": "\ud800"})
    reason = rejected(result)
    stored = models.RejectedEvent.objects.get()
    assert "\x00" not in stored.type + stored.sender_event_id + reason
    assert stored.payload["first_name"] == "A\ufffdB"
    assert stored.payload["last_name"] == "?"
    # The envelope's keys are what idempotency stands on: those are refused outright.
    with pytest.raises(ValidationError):
        send("birth", {}, event_id="bad\x00id")
