"""The fixture world of the centre tests: one centre open 09:00–18:00 Monday to Saturday, two
queues (A: pensions, 10 standard minutes; B: allowances, 20), three counters, two operators
with shifts on the test day and a supervisor."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User

from dost.catalog.models import Service, ServiceCategory
from dost.catalog.working_days import calendar_forget
from dost.centres.models import Centre, Counter, OpeningHours, ServiceGroup, Shift

BAKU = zoneinfo.ZoneInfo("Asia/Baku")
# A Wednesday with no holiday: the fixed test day.
DAY = dt.date(2026, 3, 4)
NAMES = {"az": "x", "uz": "x", "ru": "x", "en": "x"}


def names(text: str) -> dict[str, str]:
    return dict.fromkeys(NAMES, text)


def at(hour: int, minute: int = 0, second: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=BAKU)


@dataclass
class World:
    centre: Centre
    group_a: ServiceGroup
    group_b: ServiceGroup
    counter1: Counter
    counter2: Counter
    counter3: Counter
    operator1: User
    operator2: User
    supervisor: User
    service_a: Service
    service_b: Service


def make_user(username: str, *perms: str) -> User:
    user = User.objects.create_user(username, password="correct-horse-battery-9", is_staff=True)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return user


def make_world(day: dt.date = DAY, all_week: bool = False) -> World:
    category = ServiceCategory.objects.create(code="pensions", names=NAMES)
    service_a = Service.objects.create(
        code="04-01-01-01", country="az", category=category,
        names=names("Age pension"), front_office_minutes=10, total_minutes=10,
    )
    service_b = Service.objects.create(
        code="04-02-01-01", country="az", category=category,
        names=names("Child allowance"), front_office_minutes=20, total_minutes=20,
    )
    centre = Centre.objects.create(
        code="baku-1", country="az", names=names("DOST centre No. 1"),
    )
    for weekday in range(7 if all_week else 6):
        if all_week:
            OpeningHours.objects.create(
                centre=centre, weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59, 59),
            )
        else:
            OpeningHours.objects.create(
                centre=centre, weekday=weekday, opens=dt.time(9), closes=dt.time(18),
            )
    group_a = ServiceGroup.objects.create(
        centre=centre, letter="A", names=names("Pensions"), position=1,
    )
    group_a.services.add(service_a)
    group_b = ServiceGroup.objects.create(
        centre=centre, letter="B", names=names("Allowances"), position=2,
    )
    group_b.services.add(service_b)
    counters = []
    for number, groups in ((1, [group_a]), (2, [group_a, group_b]), (3, [group_b])):
        counter = Counter.objects.create(centre=centre, number=number)
        counter.service_groups.set(groups)
        counters.append(counter)
    operator1 = make_user("operator1", "operate_counter")
    operator2 = make_user("operator2", "operate_counter")
    supervisor = make_user("supervisor", "supervise_centre")
    centre.supervisors.add(supervisor)
    for operator, counter in ((operator1, counters[0]), (operator2, counters[1])):
        Shift.objects.create(
            counter=counter, user=operator, date=day, starts=dt.time(0), ends=dt.time(23, 59, 59),
        )
    return World(centre, group_a, group_b, counters[0], counters[1], counters[2], operator1,
                 operator2, supervisor, service_a, service_b)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The default hasher spends a second per user on purpose; tests need no such protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _password_only(settings: Any) -> None:
    # These tests are about the centre; the staff TOTP step is tested in dost/security/tests.
    settings.DOST_STAFF_2FA = False


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def world(db: None) -> World:
    return make_world()
