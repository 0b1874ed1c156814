"""Fixtures of the analysis tests: staff users holding the roles of dost/security/roles.py, a
small hand-made registry for simulations, and the analysis URLs under "analysis"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache

from dost.catalog.services import catalog_load
from dost.registry.models import Household, IncomeType, Role, Source, Vehicle
from dost.registry.tests.factories import (
    DistrictFactory,
    IncomeFactory,
    RegionFactory,
    household_with,
)
from dost.security.roles import ROLE_PERMISSIONS
from dost.security.roles import Role as StaffRole

PASSWORD = "correct-horse-battery-9"
PERIOD = "2026-03"
# Incomes are recorded in January 2026: inside "the 12 months before" March 2026.
INCOME_MONTH = dt.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _analysis_settings(settings: Any) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DOST_STAFF_2FA = False  # the second factor has its own tests (dost/security)
    settings.DOST_COUNTRY = "az"
    cache.clear()  # simulation results are cached by their parameters
    yield
    cache.clear()


def staff_user(username: str, role: StaffRole) -> User:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def analyst(db: None) -> User:
    return staff_user("analyst-a", StaffRole.POLICY_ANALYST)


@pytest.fixture
def supervisor(db: None) -> User:
    return staff_user("supervisor-a", StaffRole.SUPERVISOR)


@pytest.fixture
def officer(db: None) -> User:
    return staff_user("officer-a", StaffRole.CASE_OFFICER)


def adults(n: int) -> list[tuple[str, dict[str, Any]]]:
    """n adult citizens aged 40, the first the head."""
    roles = [Role.HEAD, Role.SPOUSE, Role.OTHER, Role.OTHER]
    return [(roles[i], {"birth_date": dt.date(1985, 4, 12)}) for i in range(n)]


def add_income(household: Household, amount: Decimal) -> None:
    """The household's whole income of the 12 months, earned by its head."""
    head = household.memberships.order_by("id").first()
    assert head is not None
    IncomeFactory(person=head.person, month=INCOME_MONTH, type=IncomeType.WAGE, amount=amount,
                  source=Source.SYSTEM)


def make_household(region: str, members: int, income_12m: Decimal, *,
                   vehicle: bool = False) -> Household:
    district = DistrictFactory(
        code=f"{region}-01", region=RegionFactory(code=region, name=f"Region {region}")
    )
    household = household_with(*adults(members), district=district)
    if income_12m:
        add_income(household, income_12m)
    if vehicle:
        head = household.memberships.order_by("id").first()
        assert head is not None
        Vehicle.objects.create(person=head.person, registration_number="10-AA-001",
                               acquired_on=dt.date(2015, 1, 1), source=Source.SYSTEM)
    return household


@dataclass
class Registry:
    """Five households whose TSSA is worked out by hand in test_simulation.py."""

    a: Household
    b: Household
    c: Household
    d: Household
    e: Household


@pytest.fixture
def registry(db: None) -> Registry:
    catalog_load(country="az")
    return Registry(
        a=make_household("AZ-BA", 1, Decimal("3840.00")),  # average 320 a month
        b=make_household("AZ-BA", 2, Decimal("6000.00")),  # average 500
        c=make_household("AZ-BA", 1, Decimal("4800.00")),  # average 400
        d=make_household("AZ-GA", 1, Decimal("0"), vehicle=True),  # refused: a vehicle
        e=make_household("AZ-GA", 3, Decimal("10200.00")),  # average 850
    )
