"""The portal's fixture world: the Azerbaijani catalogue and calendar, a citizen's household
(head, spouse, child) signed in through the demo sign-in, a second household that must stay
invisible, and a centre open all week with one appointment queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from dost.cases.tests.conftest import head_of, make_household
from dost.catalog.services import catalog_load, holidays_load
from dost.catalog.working_days import calendar_forget
from dost.centres.models import Centre, Counter, OpeningHours, ServiceGroup
from dost.portal.services import citizen_user_for
from dost.registry.models import Household, Person

CERTIFICATE = "10-01-01-01"  # staff-decided, one document (identity card)
TSSA = "05-01-01-01"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%test\n"


def names(text: str) -> dict[str, str]:
    return dict.fromkeys(("az", "uz", "ru", "en"), text)


@dataclass
class World:
    household: Household
    citizen: Person
    user: User
    other_household: Household
    other: Person
    centre: Centre
    group: ServiceGroup


def make_centre(code: str = "baku-1") -> tuple[Centre, ServiceGroup]:
    centre = Centre.objects.create(code=code, country="az", names=names("DOST centre No. 1"))
    for weekday in range(7):
        OpeningHours.objects.create(
            centre=centre, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59, 59),
        )
    group = ServiceGroup.objects.create(
        centre=centre, letter="A", names=names("Pensions"), position=1, standard_minutes=20,
        appointment_share=100,
    )
    counter = Counter.objects.create(centre=centre, number=1)
    counter.service_groups.set([group])
    return centre, group


def make_world() -> World:
    catalog_load(country="az")
    holidays_load(country="az")
    household = make_household(phone="+994501234567", email="citizen@example.org")
    other_household = make_household()
    citizen = head_of(household)
    centre, group = make_centre()
    return World(
        household=household, citizen=citizen, user=citizen_user_for(person=citizen),
        other_household=other_household, other=head_of(other_household),
        centre=centre, group=group,
    )


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


@pytest.fixture
def citizen_client(world: World) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(world.user, backend="django.contrib.auth.backends.ModelBackend")
    return client
