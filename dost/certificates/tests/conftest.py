"""The certificates' fixture world: the Azerbaijani catalogue, a pensioner who is a citizen
user, and a month of paid benefits."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

import pytest
import time_machine
from django.contrib.auth.models import Permission, User

from dost.benefits.models import Award, Frequency, Payment, PaymentStatus
from dost.benefits.services.awards import award_create
from dost.benefits.services.payroll import payroll_run
from dost.catalog.models import Service
from dost.catalog.services import catalog_load
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory
from dost.security.models import CitizenLink

NOW = dt.datetime(2026, 3, 4, 11, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Baku"))
PENSION = "04-01-01-01"
PASSWORD = "correct-horse-battery-9"


@dataclass
class World:
    pensioner: Person
    citizen: User
    other: Person
    other_user: User
    award: Award
    service: Service


@pytest.fixture
def now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def citizen_for(person: Person, username: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    CitizenLink.objects.create(user=user, person=person)
    return user


def make_world() -> World:
    catalog_load(country="az")
    service = Service.objects.get(country="az", code=PENSION)
    pensioner = cast(Person, PersonFactory(
        first_name="Ülviyyə", last_name="Məmmədova", patronymic="Şahin qızı",
        personal_id="5ZKR7QA", sex="F", birth_date=dt.date(1960, 5, 1),
    ))
    other = cast(Person, PersonFactory(first_name="Rəşad", last_name="Əliyev"))
    award = award_create(
        service=service, person=pensioner, amount=Decimal("420.00"), currency="AZN",
        frequency=Frequency.MONTHLY, start=dt.date(2026, 1, 1), bank="KAPIAZ2X",
        account="AZ21KAPI00000000000000000001",
    )
    for period in ("2026-01", "2026-02"):
        payroll_run(period=period)
    # The bank's confirmation leaves the machine; here the payments are marked paid directly.
    Payment.objects.filter(award=award).update(status=PaymentStatus.PAID)
    return World(
        pensioner=pensioner, citizen=citizen_for(pensioner, "ulviyye"), other=other,
        other_user=citizen_for(other, "rashad"), award=award, service=service,
    )


@pytest.fixture
def world(db: None, now: None) -> World:
    return make_world()


def make_staff(username: str, *perms: str) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user
