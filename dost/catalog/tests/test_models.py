from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dost.catalog.models import Service, ServiceCategory

pytestmark = pytest.mark.django_db

NAMES = {"az": "Ad", "uz": "Nom", "ru": "Имя", "en": "Name"}


@pytest.fixture
def category() -> ServiceCategory:
    return ServiceCategory.objects.create(code="certificates", names=NAMES)


def test_it_accepts_a_complete_passport(category: ServiceCategory) -> None:
    service = Service(
        code="10-01-01-01", country="az", category=category, names=NAMES,
        intake_channels=["portal"], response_channels=["sms"], eligible_users=["citizen"],
        documents=[{"code": "id_card", "text": NAMES}], rule_outputs=["tssa_amount"],
        front_office_minutes=5, back_office_minutes=10, total_minutes=15,
    )

    service.full_clean()


def test_it_names_every_wrong_field_for_the_admin(category: ServiceCategory) -> None:
    service = Service(
        code="10-1-1-1", country="az", category=category, names={"en": "Name"},
        intake_channels=["fax"], response_channels=["pigeon"], eligible_users=["alien"],
        refusal_grounds=[{"code": "x", "text": {"en": "only English"}}],
        rule_outputs=["Not A Name"], front_office_minutes=10, total_minutes=5,
    )

    with pytest.raises(ValidationError) as caught:
        service.full_clean()

    assert set(caught.value.message_dict) == {
        "code", "names", "intake_channels", "response_channels", "eligible_users",
        "refusal_grounds", "rule_outputs", "total_minutes",
    }


def test_it_allows_the_same_code_in_two_countries_but_not_twice_in_one(
    category: ServiceCategory,
) -> None:
    Service.objects.create(code="10-01-01-01", country="az", category=category, names=NAMES)
    Service.objects.create(code="10-01-01-01", country="uz", category=category, names=NAMES)

    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(code="10-01-01-01", country="az", category=category, names=NAMES)


def test_it_refuses_total_minutes_below_front_plus_back_in_the_database(
    category: ServiceCategory,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(
            code="10-01-01-02", country="az", category=category, names=NAMES,
            front_office_minutes=10, back_office_minutes=10, total_minutes=5,
        )
