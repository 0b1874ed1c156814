"""Fixtures of the benefits tests: the Azerbaijani catalogue and a few beneficiaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest

from dost.benefits.models import Award, Frequency
from dost.benefits.services.awards import award_create
from dost.catalog.models import Service
from dost.catalog.services import catalog_load
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory

PENSION = "04-01-01-01"
CHILDBIRTH = "06-02-02-01"


@pytest.fixture
def az_catalogue(db: None) -> None:
    catalog_load(country="az")


@pytest.fixture
def pension(az_catalogue: None) -> Service:
    return Service.objects.get(country="az", code=PENSION)


@pytest.fixture
def childbirth(az_catalogue: None) -> Service:
    return Service.objects.get(country="az", code=CHILDBIRTH)


def monthly(service: Service, start: dt.date, amount: str = "300.00", **fields: object) -> Award:
    person = cast(Person, PersonFactory())
    return award_create(
        service=service, person=person, amount=Decimal(amount), currency="AZN",
        frequency=Frequency.MONTHLY, start=start, bank="KAPIAZ2X",
        account=f"AZ21KAPI0000000000{person.pk:010d}", **fields,  # type: ignore[arg-type]
    )
