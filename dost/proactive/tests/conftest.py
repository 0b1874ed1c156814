"""The proactive tests' world: the Azerbaijani catalogue and calendar, a fixed day, a family."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

import pytest
import time_machine
from django.utils import translation

from dost.catalog.services import catalog_load, holidays_load
from dost.catalog.working_days import calendar_forget
from dost.registry.models import (
    Household,
    Income,
    IncomeType,
    InsuranceRecord,
    Person,
    Role,
    Source,
)
from dost.registry.services import event_ingest
from dost.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory

TODAY = dt.date(2026, 5, 20)
CHILDBIRTH = "06-02-02-01"
FUNERAL = "06-02-03-01"
DISABILITY = "06-01-01-01"
PENSION = "04-01-01-01"
TSSA = "05-01-01-01"
CHILD_UNDER_ONE = "06-02-01-01"


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    calendar_forget()
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC), tick=False), \
            translation.override("en"):
        yield
    calendar_forget()


@pytest.fixture
def az_world(db: None) -> None:
    catalog_load(country="az")
    holidays_load(country="az")


class Family:
    """A couple heading a household; the husband earns `wage` a month for the past year."""

    def __init__(self, wage: str = "900.00") -> None:
        self.household = cast(Household, HouseholdFactory(created_on=dt.date(2010, 1, 1)))
        self.husband = cast(Person, PersonFactory(sex="M", birth_date=dt.date(1985, 3, 3)))
        self.wife = cast(Person, PersonFactory(sex="F", birth_date=dt.date(1990, 7, 7)))
        for role, person in ((Role.HEAD, self.husband), (Role.SPOUSE, self.wife)):
            MembershipFactory(household=self.household, person=person, role=role,
                              joined_on=dt.date(2010, 1, 1))
        if Decimal(wage):
            Income.objects.bulk_create(
                Income(person=self.husband, month=dt.date(2025 + (m // 12), m % 12 + 1, 1),
                       type=IncomeType.WAGE, amount=Decimal(wage), source=Source.SYSTEM)
                for m in range(4, 17)
            )

    def member(self, role: str = Role.OTHER, **attrs: Any) -> Person:
        person = cast(Person, PersonFactory(**attrs))
        MembershipFactory(household=self.household, person=person, role=role,
                          joined_on=dt.date(2010, 1, 1))
        return person


def insured(person: Person, months: int = 360, capital: str = "60000.00") -> None:
    InsuranceRecord.objects.create(
        person=person, as_of=dt.date(2026, 1, 1), record_months=months,
        pension_capital=Decimal(capital), source=Source.SYSTEM,
    )


_ids = iter(range(10**6))


def send(type: str, on: dt.date, **payload: Any) -> Any:
    result = event_ingest(sender="civil-registry", sender_event_id=f"P-{next(_ids)}", type=type,
                          occurred_on=on, payload=payload)
    assert result.status == "applied", result.reason
    return result.life_event
