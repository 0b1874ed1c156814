"""The shared fixture world of the cases tests: the Azerbaijani catalogue and calendar, a
staff-decided service offered on every channel, staff with their permissions, and households."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import translation

from dost.catalog.models import Service, ServiceCategory
from dost.catalog.services import catalog_load, holidays_load
from dost.catalog.working_days import calendar_forget
from dost.centres.models import Centre
from dost.registry.models import Household, Income, IncomeType, Person, Role, Source
from dost.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

TSSA = "05-01-01-01"
ALL_CHANNELS = ["centre", "portal", "call_centre", "post", "proactive"]
TEXTS = {"az": "Şəxsiyyət vəsiqəsi", "uz": "ID-karta", "ru": "Удостоверение", "en": "Identity card"}


@pytest.fixture(autouse=True)
def _password_only(settings: Any) -> None:
    # These tests are about cases; the staff TOTP step is tested in dost/security/tests.
    settings.DOST_STAFF_2FA = False


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # Requests activate a language that outlives them in the thread: start each test in English.
    with translation.override("en"):
        yield


@pytest.fixture
def az_world(db: None) -> None:
    catalog_load(country="az")
    holidays_load(country="az")


@pytest.fixture
def staff_service(az_world: None) -> Service:
    """A staff-decided service offered on every intake channel."""
    return Service.objects.create(
        code="99-01-01-01", country="az", category=ServiceCategory.objects.get(code="certificates"),
        names={"az": "Sınaq xidməti", "uz": "Sinov xizmati", "ru": "Тестовая услуга",
               "en": "Test service"},
        intake_channels=ALL_CHANNELS, response_channels=["portal"], eligible_users=["citizen"],
        documents=[{"code": "id_card", "text": TEXTS}],
        refusal_grounds=[
            {"code": "not_eligible", "text": {"az": "Alıcı kateqoriyasına aid deyil",
                                              "uz": "Toifaga kirmaydi",
                                              "ru": "Не относится к категории получателей",
                                              "en": "The applicant is not in the category"}},
            {"code": "false_information", "text": {"az": "Məlumatlar yanlışdır",
                                                   "uz": "Maʼlumotlar notoʻgʻri",
                                                   "ru": "Недостоверные сведения",
                                                   "en": "False information was given"}},
        ],
        deadline=10, deadline_unit="working_days", automation="manual",
    )


@pytest.fixture
def centre(db: None) -> Centre:
    return Centre.objects.create(
        code="baku-1", country="az",
        names={"az": "Bakı 1", "uz": "Boku 1", "ru": "Баку 1", "en": "Baku 1"},
    )


def _user(username: str, *perms: str) -> User:
    user = User.objects.create_user(username, password="pw-not-secret-123", is_staff=True)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache


@pytest.fixture
def officer(db: None) -> User:
    return _user("officer", "work_case")


@pytest.fixture
def officer2(db: None) -> User:
    return _user("officer2", "work_case")


@pytest.fixture
def supervisor(db: None) -> User:
    return _user("supervisor", "work_case", "approve_override")


@pytest.fixture
def appeals_officer(db: None) -> User:
    return _user("appeals", "decide_appeal", "work_case")


def make_household(*, head_wage: str = "300.00", language: str = "en", **head: Any) -> Household:
    """Head (with a monthly wage for 2025-03 … 2026-02), spouse and a child."""
    hh = cast(Household, HouseholdFactory(created_on=dt.date(2010, 1, 1)))
    people: list[tuple[str, Person]] = [
        (Role.HEAD, cast(Person, PersonFactory(preferred_language=language, **head))),
        (Role.SPOUSE, cast(Person, PersonFactory(sex="F", birth_date=dt.date(1987, 6, 1)))),
        (Role.CHILD, cast(Person, PersonFactory(birth_date=dt.date(2015, 9, 1)))),
    ]
    for role, person in people:
        MembershipFactory(household=hh, person=person, role=role, joined_on=hh.created_on)
    months = [dt.date(2025 + (m // 12), m % 12 + 1, 1) for m in range(2, 14)]
    Income.objects.bulk_create(
        Income(person=people[0][1], month=month, type=IncomeType.WAGE,
               amount=Decimal(head_wage), source=Source.SYSTEM)
        for month in months
    )
    return hh


@pytest.fixture
def household(db: None) -> Household:
    return make_household()


def head_of(household: Household) -> Any:
    return household.memberships.get(role=Role.HEAD).person
