"""The person 360° view: what it shows, the audit rows it writes, its query budget, who may
open it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dost.audit.models import AccessRecord
from dost.cases.models import Case, CaseStatus
from dost.registry.models import EmploymentContract, Income, IncomeType, LifeEvent, Source
from dost.security.roles import Role as StaffRole

from .conftest import World, staff_user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(world: World, purpose: str | None = "case work") -> str:
    base = f"/backoffice/people/{world.head.pk}/"
    return f"{base}?purpose={purpose.replace(' ', '+')}" if purpose else base


@pytest.mark.django_db
def test_it_shows_everything_held_about_the_person(world: World) -> None:
    LifeEvent.objects.create(sender="civil-registry", sender_event_id="M-1", type="marriage",
                             occurred_on=dt.date(2009, 6, 1), person=world.head, payload={})
    response = signed_in(world.officer).get(url(world))
    assert response.status_code == 200
    page = response.text
    for expected in (
        "Məmmədov Elvin Rəşad oğlu", world.head.personal_id,  # identity
        "Əliyeva Günel", "Məmmədov Rəşad", "H-BO-0001",  # household members
        "450.00", "60%", "10-AA-123", "21.50",  # income, disability, vehicle, utilities
        "Marriage",  # life event
        world.open_case.reference,  # cases
        "120.00 AZN",  # award with its current amount
        "2025-02",  # payment
        "A-007", "4 / 2 / 5",  # centre visit and its rating
    ):
        assert expected in page, expected
    # The spouse's case is hers, not his.
    assert world.rules_case.reference not in page


@pytest.mark.django_db
def test_it_writes_an_audit_row_for_the_person_and_each_member_shown(world: World) -> None:
    signed_in(world.officer).get(url(world, "complaint"))
    rows = {(r.person_id, r.what) for r in AccessRecord.objects.filter(actor=world.officer)}
    assert rows == {
        (world.head.pk, "person 360° view"),
        (world.spouse.pk, "household member in a 360° view"),
        (world.child.pk, "household member in a 360° view"),
    }
    assert set(AccessRecord.objects.values_list("purpose", "channel")) == {
        ("complaint", "backoffice")}


@pytest.mark.django_db
def test_it_asks_why_before_showing_anything(world: World) -> None:
    response = signed_in(world.officer).get(url(world, purpose=None))
    assert response.status_code == 200
    assert "Why are you opening this record?" in response.text
    assert world.head.personal_id not in response.text
    assert not AccessRecord.objects.exists()
    bad = signed_in(world.officer).get(url(world, purpose="curiosity"))
    assert "Select a valid choice" in bad.text
    assert not AccessRecord.objects.exists()


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_person(world: World) -> None:
    response = signed_in(world.officer).get("/backoffice/people/999999/?purpose=case+work")
    assert response.status_code == 404


@pytest.mark.django_db
def test_it_costs_the_same_queries_however_long_the_history(
    world: World, django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(world.officer)
    client.get(url(world))  # warm the session and permission caches of a real visitor
    today = timezone.localdate()
    for i in range(30):
        month = dt.date(today.year - 1 + (today.month + i) // 12, (today.month + i) % 12 + 1, 1)
        Income.objects.create(person=world.head, month=month, type=IncomeType.PENSION,
                              amount=Decimal("10.00"), source=Source.SYSTEM)
        EmploymentContract.objects.create(
            person=world.head, employer_name=f"Employer {i}", start_date=dt.date(2000 + i, 1, 1),
            monthly_wage=Decimal("100.00"), source=Source.SYSTEM)
        LifeEvent.objects.create(sender="test", sender_event_id=f"E-{i}", type="marriage",
                                 occurred_on=dt.date(2000 + i, 1, 1), person=world.head,
                                 payload={})
        Case.objects.create(
            service=world.staff_service, applicant=world.head, household=world.household,
            channel="centre", period="2025-01", status=CaseStatus.CLOSED,
            submitted_on=today, due_on=today)
    # 21: one of them the reader's scope (their staff assignments).
    with django_assert_max_num_queries(21):
        response = client.get(url(world))
    assert response.status_code == 200
    assert "Employer 29" in response.text


@pytest.mark.django_db
def test_it_lets_only_staff_with_the_permission_open_it(world: World) -> None:
    anonymous = Client().get(url(world))
    assert anonymous.status_code == 302
    operator = staff_user("operator", StaffRole.OPERATOR)
    assert signed_in(operator).get(url(world)).status_code == 403
    social = staff_user("social", StaffRole.SOCIAL_WORKER)
    assert signed_in(social).get(url(world)).status_code == 200
    assert not AccessRecord.objects.filter(actor=operator).exists()
