"""factory-boy factories for the registry, shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import factory

from dost.registry import models
from dost.registry.national_id import make_pinfl

_AZ_FAKER = factory.Faker._get_faker(locale="az_AZ")

FIN_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def fin_for(n: int) -> str:
    """A valid, distinct FIN for every non-negative n (base-34 over the FIN alphabet)."""
    chars = []
    for _ in range(7):
        n, digit = divmod(n, len(FIN_ALPHABET))
        chars.append(FIN_ALPHABET[digit])
    return "".join(reversed(chars))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Region
        django_get_or_create = ("code",)

    country = "az"
    code = "AZ-BA"
    name = "Bakı"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.District
        django_get_or_create = ("code",)

    region = factory.SubFactory(RegionFactory)
    code = "AZ-BA-01"
    name = "Binəqədi"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Person

    country = "az"
    personal_id = factory.Sequence(lambda n: fin_for(1_000 + n))
    last_name = factory.Faker("last_name", locale="az_AZ")
    # Faker's az_AZ list has first names with a trailing space ("Dadaş "); the registry's
    # sources send trimmed names, so the factory does too.
    first_name = factory.LazyFunction(lambda: _AZ_FAKER.first_name().strip())
    birth_date = dt.date(1985, 4, 12)
    sex = "M"
    citizenship = "AZ"
    district = factory.SubFactory(DistrictFactory)


class UzPersonFactory(PersonFactory):
    country = "uz"
    citizenship = "UZ"

    @factory.lazy_attribute_sequence
    def personal_id(self, n: int) -> str:
        return make_pinfl(birth_date=self.birth_date, sex=self.sex, region_code=26, serial=n)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Household

    reference = factory.Sequence(lambda n: f"H-{n:07d}")
    district = factory.SubFactory(DistrictFactory)
    address = factory.Faker("street_address", locale="az_AZ")
    created_on = dt.date(2010, 1, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory)
    role = models.Role.HEAD
    joined_on = dt.date(2010, 1, 1)


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Income

    person = factory.SubFactory(PersonFactory)
    month = dt.date(2026, 1, 1)
    type = models.IncomeType.WAGE
    amount = Decimal("500.00")
    source = models.Source.SYSTEM


def household_with(*members: tuple[str, dict[str, Any]], **household: Any) -> models.Household:
    """A household whose members are given as (role, person attributes) pairs."""
    hh = cast(models.Household, HouseholdFactory(**household))
    for role, attrs in members:
        MembershipFactory(household=hh, person=PersonFactory(**attrs), role=role,
                          joined_on=hh.created_on)
    return hh
