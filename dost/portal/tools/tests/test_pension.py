"""The pension calculator, with figures worked out by hand from the law.

Law "On labour pensions" (No. 54-IIIQ, 2006) as amended by Law No. 543-VQD of 2017:
- art. 7: retirement age men 65 (780 months); women 64 years 6 months (774 months) from
  1 July 2025 and 65 from 1 July 2026; the right needs 25 years of insurance record or a
  pension capital of at least the minimum pension × 144;
- art. 6-1: minimum pension 320 AZN from 1 February 2025;
- art. 10: amount = pension capital ÷ 144 expected payment months, never below the minimum.
The rulebook counts age in completed months on the first day of a month.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.portal.tools import pension
from dost.portal.tools.forms import MSG_RECORD, MSG_SEX
from dost.registry.models import InsuranceRecord, Person, Source
from dost.registry.tests.factories import PersonFactory
from dost.security.models import CitizenLink

TODAY = dt.date(2026, 3, 4)


def test_it_finds_the_month_a_woman_reaches_64_and_a_half() -> None:
    # Born 1 October 1961: on 1 April 2026 she is 64 × 12 + 6 = 774 months, the age in force
    # from 1 July 2025 (774); on 1 March 2026 only 773. Record 25 years gives the right;
    # 10,000 ÷ 144 = 69.44 < 320, so the minimum pension of 320 AZN.
    estimate = pension.estimate(country="az", birth_date=dt.date(1961, 10, 1), sex="F",
                                record_years=Decimal(25), capital=Decimal(10000), today=TODAY)
    assert estimate.right_from == dt.date(2026, 4, 1)
    assert (estimate.age_months, estimate.retirement_age_months) == (774, 774)
    assert estimate.has_right and not estimate.already
    assert estimate.amount == Decimal("320.00")
    assert estimate.capital_needed == Decimal("46080.00")  # 320 × 144


def test_it_pays_capital_over_144_months_to_a_young_man_with_a_large_capital() -> None:
    # Born 20 May 1990: 65 on 20 May 2055, so 780 completed months on 1 June 2055. Capital
    # 72,000 ≥ 46,080 gives the right without 25 years; 72,000 ÷ 144 = 500 AZN.
    estimate = pension.estimate(country="az", birth_date=dt.date(1990, 5, 20), sex="M",
                                record_years=Decimal(10), capital=Decimal(72000), today=TODAY)
    assert estimate.right_from == dt.date(2055, 6, 1)
    assert estimate.amount == Decimal("500.00")
    assert estimate.record_years_needed == 25 and not estimate.record_sufficient


def test_it_gives_no_right_without_record_or_capital() -> None:
    # Born 1 April 1961: 780 months on 1 April 2026. 10 years < 25 and 40,000 < 46,080.
    estimate = pension.estimate(country="az", birth_date=dt.date(1961, 4, 1), sex="M",
                                record_years=Decimal(10), capital=Decimal(40000), today=TODAY)
    assert estimate.right_from == dt.date(2026, 4, 1)
    assert not estimate.has_right and estimate.amount == 0


def test_it_says_when_the_age_is_already_reached() -> None:
    # Born 15 February 1961: 780 months on 1 March 2026 — this month.
    estimate = pension.estimate(country="az", birth_date=dt.date(1961, 2, 15), sex="M",
                                record_years=Decimal(25), capital=Decimal(36000), today=TODAY)
    assert estimate.already and estimate.right_from == dt.date(2026, 3, 1)
    assert estimate.amount == Decimal("320.00")  # 36,000 ÷ 144 = 250 < 320


def test_it_is_not_available_where_the_rulebook_has_no_pension() -> None:
    assert pension.available("az") is True
    assert pension.available("uz") is False


@pytest.mark.django_db
def test_it_shows_the_estimate_on_the_page(client: Client, settings: object) -> None:
    client.cookies["django_language"] = "en"
    with time_machine.travel(dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC), tick=False):
        html = client.post(reverse("portal_tools:pension"), {
            "birth_date": "1961-10-01", "sex": "F", "record_years": "25", "capital": "10000",
        }).content.decode()
    assert '<dd data-testid="right-from">1 April 2026</dd>' in html
    assert "64 years 6 months" in html
    assert "320.00 AZN" in html and "46,080.00 AZN" in html


@pytest.mark.django_db
def test_it_lists_the_errors_with_links(client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.post(reverse("portal_tools:pension"), {
        "birth_date": "1961-10-01", "record_years": "70", "capital": "0",
    }).content.decode()
    assert f'<a href="#id_sex_0">{MSG_SEX}</a>' in html
    assert f'<a href="#id_record_years">{MSG_RECORD}</a>' in html


@pytest.mark.django_db
def test_it_says_not_available_for_uzbekistan(client: Client, settings: object) -> None:
    settings.DOST_COUNTRY = "uz"  # type: ignore[attr-defined]
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal_tools:pension")).content.decode()
    assert 'data-testid="not-available"' in html
    assert "<form" not in html.split('data-testid="not-available"')[1].split("</main>")[0]


@pytest.mark.django_db
def test_it_fills_the_answers_from_the_registry_for_a_citizen(client: Client) -> None:
    person = cast(Person, PersonFactory(birth_date=dt.date(1961, 10, 1), sex="F"))
    InsuranceRecord.objects.create(person=person, as_of=dt.date(2026, 1, 1), record_months=300,
                                   pension_capital=Decimal("72000.00"), source=Source.SYSTEM)
    user = User.objects.create_user("citizen-1")
    CitizenLink.objects.create(user=user, person=person)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    with time_machine.travel(dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC), tick=False):
        html = client.get(reverse("portal_tools:pension_mine")).content.decode()
    # 300 months = 25 years; 72,000 ÷ 144 = 500 AZN from 1 April 2026.
    assert "We filled in your answers from the state registry" in html
    assert '<dd data-testid="right-from">1 April 2026</dd>' in html
    assert "500.00 AZN" in html


@pytest.mark.django_db
def test_it_sends_an_anonymous_visitor_to_sign_in_for_registry_answers(client: Client) -> None:
    response = client.get(reverse("portal_tools:pension_mine"))
    assert response.status_code == 302
