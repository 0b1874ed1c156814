"""Change requests: validation when made and when approved, four eyes, history linked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError

from dost.registry import models
from dost.registry.services import (
    ChangeRequestKind,
    change_request_approve,
    change_request_create,
    change_request_reject,
    persons,
)
from dost.registry.services import change_requests as crs
from dost.registry.tests.factories import (
    DistrictFactory,
    HouseholdFactory,
    IncomeFactory,
    MembershipFactory,
    PersonFactory,
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


def new_income(**attrs: Any) -> models.Income:
    return cast(models.Income, IncomeFactory(**attrs))


def user(username: str, *codenames: str) -> User:
    # No password: hashing one costs a third of a second per user.
    account = User.objects.create(username=username)
    account.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="registry", codename__in=codenames)
    )
    return User.objects.get(pk=account.pk)  # fresh: permissions are cached per instance


@pytest.fixture
def operator() -> User:
    return user("operator", "add_changerequest")


@pytest.fixture
def supervisor() -> User:
    return user("supervisor", "add_changerequest", "approve_changerequest")


@pytest.fixture
def person() -> models.Person:
    person = new_person(last_name="Əliyev", phone="")
    new_membership(person=person, household=new_household(reference="H-1"))
    return person


def request(operator: User, kind: str, payload: dict[str, Any], **target: Any,
            ) -> models.ChangeRequest:
    return change_request_create(requested_by=operator, kind=kind, payload=payload,
                                 reason="Citizen brought a document", **target)


def test_it_applies_a_person_update_once_approved(operator: User, supervisor: User,
                                                  person: models.Person) -> None:
    new_district(code="AZ-BA-02", name="Nəsimi")
    old_district = person.district_id
    cr = request(operator, ChangeRequestKind.PERSON_UPDATE,
                 {"last_name": "Əliyeva", "phone": "+994501234567", "district": "AZ-BA-02"},
                 person=person)
    person.refresh_from_db()
    assert person.last_name == "Əliyev", "nothing applies before approval"
    assert not models.RegistryChange.objects.exists()

    decided = change_request_approve(change_request=cr, approver=supervisor, note="seen")

    person.refresh_from_db()
    assert person.district is not None
    assert (person.last_name, person.phone, person.district.code) == (
        "Əliyeva", "+994501234567", "AZ-BA-02")
    assert decided.status == models.ChangeRequestStatus.APPLIED
    assert (decided.decided_by, decided.decision_note) == (supervisor, "seen")
    assert cr.status == models.ChangeRequestStatus.APPLIED, "the caller's copy is refreshed"
    change = models.RegistryChange.objects.get()
    assert (change.change_request, change.actor, change.source) == (
        cr, supervisor, models.Source.CHANGE_REQUEST)
    assert change.before == {"last_name": "Əliyev", "phone": "", "district": old_district}
    assert change.after == {"last_name": "Əliyeva", "phone": "+994501234567",
                            "district": person.district_id}


def test_it_refuses_an_edit_of_identity_fields(operator: User, person: models.Person) -> None:
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.PERSON_UPDATE, {"birth_date": "1990-01-01"},
                person=person)
    assert "birth_date: unknown field" in exc.value.messages[0]
    assert not models.ChangeRequest.objects.exists()


def test_it_refuses_an_edit_that_changes_nothing(operator: User, person: models.Person) -> None:
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.PERSON_UPDATE, {"last_name": "Əliyev"},
                person=person)
    assert exc.value.messages == [str(persons.NOTHING_TO_CHANGE)]


def test_it_refuses_an_unknown_district_and_a_bad_email(operator: User,
                                                        person: models.Person) -> None:
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.PERSON_UPDATE, {"district": "NOPE"}, person=person)
    assert "NOPE" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.PERSON_UPDATE, {"email": "not-an-email"},
                person=person)
    assert exc.value.messages[0].startswith("email:")


def test_it_requires_a_reason_a_known_kind_and_a_permission(
        operator: User, person: models.Person) -> None:
    with pytest.raises(ValidationError):
        change_request_create(requested_by=operator, kind="person_update",
                              payload={"phone": "1"}, reason=" ", person=person)
    with pytest.raises(ValidationError) as exc:
        request(operator, "person_delete", {}, person=person)
    assert "person_delete" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        request(user("visitor"), ChangeRequestKind.PERSON_UPDATE, {"phone": "1"}, person=person)


# --- Four eyes ---------------------------------------------------------------------------------


@pytest.fixture
def pending(operator: User, person: models.Person) -> models.ChangeRequest:
    return request(operator, ChangeRequestKind.PERSON_UPDATE, {"phone": "+994"}, person=person)


def test_it_refuses_self_approval(supervisor: User, person: models.Person) -> None:
    cr = request(supervisor, ChangeRequestKind.PERSON_UPDATE, {"phone": "+994"}, person=person)
    with pytest.raises(PermissionDenied) as exc:
        change_request_approve(change_request=cr, approver=supervisor)
    assert str(exc.value) == str(crs.OWN_REQUEST)
    cr.refresh_from_db()
    assert cr.status == models.ChangeRequestStatus.PENDING
    assert not models.RegistryChange.objects.exists()


def test_it_refuses_an_approver_without_the_permission(pending: models.ChangeRequest) -> None:
    colleague = user("colleague", "add_changerequest")
    with pytest.raises(PermissionDenied) as exc:
        change_request_approve(change_request=pending, approver=colleague)
    assert str(exc.value) == str(crs.MAY_NOT_DECIDE)
    assert not models.RegistryChange.objects.exists()


def test_it_refuses_to_approve_a_request_twice(pending: models.ChangeRequest,
                                              supervisor: User) -> None:
    change_request_approve(change_request=pending, approver=supervisor)
    other = user("other-supervisor", "approve_changerequest")

    with pytest.raises(ValidationError) as exc:
        change_request_approve(change_request=pending, approver=other)

    assert "already decided" in exc.value.messages[0]
    assert models.RegistryChange.objects.count() == 1
    pending.refresh_from_db()
    assert pending.decided_by == supervisor


def test_it_refuses_to_approve_a_rejected_request(pending: models.ChangeRequest,
                                                 supervisor: User) -> None:
    change_request_reject(change_request=pending, approver=supervisor, note="no document")
    assert pending.status == models.ChangeRequestStatus.REJECTED
    with pytest.raises(ValidationError):
        change_request_approve(change_request=pending, approver=supervisor)
    assert not models.RegistryChange.objects.exists()


def test_it_needs_a_note_to_reject(pending: models.ChangeRequest, supervisor: User) -> None:
    with pytest.raises(ValidationError):
        change_request_reject(change_request=pending, approver=supervisor, note="")


def test_it_rechecks_at_approval_against_todays_registry(
        operator: User, supervisor: User, person: models.Person) -> None:
    cr = request(operator, ChangeRequestKind.MEMBERSHIP_END, {"left_on": "2026-01-31"},
                 person=person)
    # Meanwhile another approved request ends the membership.
    first = request(operator, ChangeRequestKind.MEMBERSHIP_END, {"left_on": "2026-01-15"},
                    person=person)
    change_request_approve(change_request=first, approver=supervisor)

    with pytest.raises(ValidationError) as exc:
        change_request_approve(change_request=cr, approver=supervisor)

    assert str(crs.NOT_A_MEMBER) % {"person": person} == exc.value.messages[0]
    cr.refresh_from_db()
    assert cr.status == models.ChangeRequestStatus.PENDING


# --- Facts and memberships ---------------------------------------------------------------------


def test_it_adds_a_fact_with_its_provenance(operator: User, supervisor: User,
                                            person: models.Person) -> None:
    cr = request(operator, ChangeRequestKind.FACT_ADD,
                 {"fact": "vehicle", "registration_number": "10-AA-123",
                  "acquired_on": "2024-06-01", "value": "8000"}, person=person)
    assert cr.payload["value"] == "8000.00" and "disposed_on" not in cr.payload

    change_request_approve(change_request=cr, approver=supervisor)

    vehicle = models.Vehicle.objects.get(person=person)
    assert (vehicle.value, vehicle.source, vehicle.recorded_by, vehicle.reason) == (
        Decimal("8000.00"), models.Source.CHANGE_REQUEST, supervisor, cr.reason)
    change = models.RegistryChange.objects.get(change_request=cr)
    assert change.before is None and change.after is not None
    assert change.after["registration_number"] == "10-AA-123"


def test_it_adds_a_utility_to_a_household_only(operator: User, person: models.Person) -> None:
    payload = {"fact": "utility", "month": "2026-01-01", "kind": "gas", "amount": "35.20"}
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.FACT_ADD, payload, person=person)
    assert exc.value.messages == [str(crs.HOUSEHOLD_REQUIRED)]
    cr = request(operator, ChangeRequestKind.FACT_ADD, payload,
                 household=models.Household.objects.get(reference="H-1"))
    assert cr.pk is not None


@pytest.mark.parametrize(("payload", "expected"), [
    ({"fact": "income", "month": "2026-01-15", "type": "wage", "amount": "1"}, "first day"),
    ({"fact": "status", "kind": "abroad", "valid_from": "2026-01-01",
      "valid_to": "2025-01-01"}, "end date must not be before"),
    ({"fact": "pet", "name": "Bob"}, "fact"),
    ({"fact": "contract", "employer_name": "X", "start_date": "2026-01-01"}, "monthly_wage"),
])
def test_it_refuses_a_malformed_fact(operator: User, person: models.Person,
                                     payload: dict[str, Any], expected: str) -> None:
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.FACT_ADD, payload, person=person)
    assert expected in exc.value.messages[0]


def test_it_retracts_a_fact_keeping_it(operator: User, supervisor: User,
                                       person: models.Person) -> None:
    income = new_income(person=person)
    cr = request(operator, ChangeRequestKind.FACT_RETRACT,
                 {"fact": "income", "id": income.pk, "reason": "Entered twice"}, person=person)

    change_request_approve(change_request=cr, approver=supervisor)

    income.refresh_from_db()
    assert income.retracted_at is not None and income.retracted_reason == "Entered twice"
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.FACT_RETRACT, {"fact": "income", "id": income.pk},
                person=person)
    assert "already retracted" in exc.value.messages[0]


def test_it_refuses_to_retract_another_persons_fact(operator: User,
                                                    person: models.Person) -> None:
    income = new_income()
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.FACT_RETRACT, {"fact": "income", "id": income.pk},
                person=person)
    assert exc.value.messages == [str(crs.UNKNOWN_FACT) % {"fact": "income", "id": income.pk}]


def test_it_moves_a_person_to_a_household(operator: User, supervisor: User,
                                          person: models.Person) -> None:
    new_household(reference="H-2")
    cr = request(operator, ChangeRequestKind.MEMBERSHIP_START,
                 {"household": "H-2", "role": "other", "joined_on": "2026-02-01"}, person=person)

    change_request_approve(change_request=cr, approver=supervisor)

    old, new = models.Membership.objects.filter(person=person).order_by("joined_on")
    assert old.left_on == dt.date(2026, 2, 1)
    assert (new.household.reference, new.left_on) == ("H-2", None)
    logged = models.RegistryChange.objects.filter(change_request=cr).order_by("id")
    assert [(c.object_id, c.before) for c in logged] == [(old.pk, {"left_on": None}),
                                                        (new.pk, None)]


def test_it_refuses_a_membership_starting_before_the_current_one(
        operator: User, person: models.Person) -> None:
    new_household(reference="H-2")
    with pytest.raises(ValidationError) as exc:
        request(operator, ChangeRequestKind.MEMBERSHIP_START,
                {"household": "H-2", "role": "other", "joined_on": "2001-01-01"}, person=person)
    assert "cannot start earlier" in exc.value.messages[0]
    assert models.Membership.objects.count() == 1
    assert not models.RegistryChange.objects.exists(), "the trial run left nothing behind"


@pytest.mark.django_db(transaction=True)
def test_it_applies_a_request_once_when_two_approvers_race() -> None:
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with one lock; the race needs PostgreSQL.")
    operator = user("operator", "add_changerequest")
    approvers = [user(f"supervisor-{n}", "approve_changerequest") for n in range(2)]
    person = new_person()
    rounds, outcomes = 10, []

    def approve(cr_id: int, approver: User, barrier: threading.Barrier) -> None:
        try:
            cr = models.ChangeRequest.objects.get(pk=cr_id)
            barrier.wait()
            change_request_approve(change_request=cr, approver=approver)
            outcomes.append("applied")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    for month in range(1, rounds + 1):
        # Adding a record would succeed twice: only the lock on the request stops a replay.
        cr = request(operator, ChangeRequestKind.FACT_ADD,
                     {"fact": "income", "month": f"2025-{month:02d}-01", "type": "wage",
                      "amount": "100"}, person=person)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=approve, args=(cr.pk, a, barrier)) for a in approvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(outcomes) == ["applied"] * rounds + ["refused"] * rounds
    assert models.Income.objects.filter(person=person).count() == rounds
