from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from dost.catalog.models import Service, ServiceCategory

pytestmark = pytest.mark.usefixtures("az_catalog")


@pytest.fixture
def admin_client_(db: None) -> Client:
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_it_filters_services_by_intake_channel(admin_client_: Client) -> None:
    url = reverse("admin:catalog_service_changelist")

    response = admin_client_.get(url, {"intake": "proactive", "country": "az"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "04-01-01-01" in page  # old-age pension, assigned proactively
    assert "01-01-01-01" not in page  # jobseeker registration is not


def test_it_filters_services_by_category(admin_client_: Client) -> None:
    certificates = ServiceCategory.objects.get(code="certificates")
    response = admin_client_.get(
        reverse("admin:catalog_service_changelist"), {"category__id__exact": certificates.pk}
    )

    page = response.content.decode()
    assert "10-01-01-01" in page and "05-01-01-01" not in page


def test_it_lists_services_in_a_bounded_number_of_queries(
    admin_client_: Client, django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(12):
        response = admin_client_.get(reverse("admin:catalog_service_changelist"))
    assert response.status_code == 200


def test_it_opens_a_passport_and_the_holidays(admin_client_: Client) -> None:
    tssa = Service.objects.get(country="az", code="05-01-01-01")
    change = admin_client_.get(reverse("admin:catalog_service_change", args=[tssa.pk]))
    holidays = admin_client_.get(
        reverse("admin:catalog_holiday_changelist"), {"kind": "transferred", "country": "az"}
    )

    assert change.status_code == 200 and "tssa_amount" in change.content.decode()
    assert holidays.status_code == 200
    assert "Ramadan on 20 March (Novruz)" in holidays.content.decode()


def test_it_finds_a_service_by_a_word_of_its_name_in_any_language(admin_client_: Client) -> None:
    response = admin_client_.get(reverse("admin:catalog_service_changelist"), {"q": "Ünvanlı"})

    page = response.content.decode()
    assert "05-01-01-01" in page and "04-01-01-01" not in page
