from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dost.catalog.services import catalog_load, holidays_load
from dost.catalog.working_days import calendar_forget


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    # The calendar cache lives in the process; each test's database is rolled back, so start and
    # end every test with an empty cache.
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def az_holidays(db: None) -> None:
    holidays_load(country="az")


@pytest.fixture
def uz_holidays(db: None) -> None:
    holidays_load(country="uz")


@pytest.fixture
def az_catalog(db: None) -> None:
    catalog_load(country="az")


@pytest.fixture
def uz_catalog(db: None) -> None:
    catalog_load(country="uz")


@pytest.fixture(autouse=True)
def _password_only(settings: Any) -> None:
    # Not about sign-in: the staff TOTP step in front of the admin is tested in
    # dost/security/tests.
    settings.DOST_STAFF_2FA = False
