"""The benefit screener, with figures worked out by hand from the law.

Azerbaijan, March 2026:
- TSSA = family size × need criterion − family income of the 12 months before ÷ 12
  (Law "On targeted state social assistance", arts. 1.0.1, 1.0.4, 1.0.5); the need criterion
  is 300 AZN (Law "On the need criterion threshold … for 2026", art. 1).
- Benefit for a child under one in a TSSA family: 140 AZN; disability benefit 250 AZN for an
  impairment of 61–80 % (Law "On social benefits", amounts from 1 July 2025).
- Refusal: a vehicle (Rules for assigning TSSA, refusal grounds).
Uzbekistan, March 2026: low income when income of 3 months ÷ members ÷ 3 < minimum consumer
expenditure 715,000 UZS (2026); child allowance 360,000 under 3, then 275,000 / 165,000 /
110,000 by birth order for children 3–18 (Regulation on social benefits to low-income
families).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dost.portal.tools import screener
from dost.portal.tools.forms import MSG_BIRTH_DATE, MSG_MEMBERS, MSG_YES_NO

from .conftest import az_person, state_of, uz_person, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]

AZ_HOUSEHOLD = {"members": "3", "vehicles": "no", "properties": "1", "utilities": "60",
                "purchases": "0"}
# Living alone, utilities 40 AZN a month: below 15 % of the subsistence minimum (300 × 0.15 = 45).
ALONE = {**AZ_HOUSEHOLD, "members": "1", "utilities": "40"}
AZ_FAMILY = [
    az_person(birth_date="1980-04-10", wages="200"),
    az_person(role="spouse", sex="F", birth_date="1984-01-01"),
    az_person(role="child", sex="F", birth_date="2025-10-01"),
]


def amount(html: str, benefit: str) -> str:
    found = re.search(rf'data-benefit="{benefit}">([^<]+)<', html)
    assert found, benefit
    return found.group(1)


@pytest.fixture
def client_en(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def test_it_pays_tssa_and_the_under_one_benefit_to_a_poor_family_of_three(
    client_en: Client, settings: object
) -> None:
    # 3 × 300 = 900 AZN; income 200 a month → 2,400 over 12 months ÷ 12 = 200; 900 − 200 = 700.
    # The baby (born 1 October 2025) is under one in a TSSA family: 140. Total 840.
    html = walk(client_en, AZ_HOUSEHOLD, AZ_FAMILY)
    assert amount(html, "tssa_amount") == "700.00 AZN"
    assert amount(html, "child_under_one_benefit") == "140.00 AZN"
    assert amount(html, "disability_benefit") == "0.00 AZN"
    assert "840.00 AZN" in html
    assert "Family need threshold" in html and "900.00 AZN" in html
    assert "For person 3: 140.00 AZN" in html


def test_it_refuses_tssa_to_a_family_with_a_vehicle_and_says_why(client_en: Client) -> None:
    # A vehicle is a refusal ground; no TSSA means no benefit for the child under one either.
    html = walk(client_en, {**AZ_HOUSEHOLD, "vehicles": "yes"}, AZ_FAMILY)
    assert amount(html, "tssa_amount") == "0.00 AZN"
    assert amount(html, "child_under_one_benefit") == "0.00 AZN"
    assert "Why not:</strong> a vehicle" in html


def test_it_pays_the_disability_benefit_by_impairment_band(client_en: Client) -> None:
    # 65 % lies in the 61–80 % band: 250 AZN. Income 600 ≥ 1 × 300: no TSSA.
    html = walk(
        client_en, {**AZ_HOUSEHOLD, "members": "1"},
        [az_person(birth_date="1970-06-01", disability="65", pension="600")],
    )
    assert amount(html, "disability_benefit") == "250.00 AZN"
    assert amount(html, "tssa_amount") == "0.00 AZN"


def test_it_writes_nothing_to_the_database(client_en: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        walk(client_en, AZ_HOUSEHOLD, AZ_FAMILY)
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "REPLACE"))]
    assert writes == []
    assert "sessionid" not in client_en.cookies


def test_it_shows_the_results_in_russian(client: Client) -> None:
    client.cookies["django_language"] = "ru"
    html = walk(client, AZ_HOUSEHOLD, AZ_FAMILY)
    assert amount(html, "tssa_amount") == "700,00 AZN"
    assert "Размер АГСП" in html and "Порог нуждаемости семьи" in html


def test_it_pays_uzbek_child_allowances_by_age_and_birth_order(
    client_en: Client, settings: object
) -> None:
    settings.DOST_COUNTRY = "uz"  # type: ignore[attr-defined]
    # Wages 2,000,000 a month: 6,000,000 over 3 months ÷ 4 members ÷ 3 = 500,000 < 715,000.
    # Baby (born 2025-01-01, under 3): 360,000; children 3–18, eldest first: 2012 → 275,000,
    # 2015 → 165,000. Total 800,000; no material assistance (there are children).
    html = walk(client_en, {"members": "4"}, [
        uz_person(birth_date="1985-01-01", wages="2000000"),
        uz_person(role="child", birth_date="2025-01-01"),
        uz_person(role="child", birth_date="2012-01-01"),
        uz_person(role="child", birth_date="2015-01-01"),
    ])
    assert amount(html, "child_allowance_total") == "800,000.00 UZS"
    assert amount(html, "material_assistance") == "0.00 UZS"


def test_it_pays_nothing_to_an_uzbek_family_above_the_mce(
    client_en: Client, settings: object
) -> None:
    settings.DOST_COUNTRY = "uz"  # type: ignore[attr-defined]
    # 2,200,000 × 3 ÷ 3 members ÷ 3 = 733,333.33 ≥ 715,000: not low-income.
    html = walk(client_en, {"members": "3"}, [
        uz_person(birth_date="1985-01-01", wages="2200000"),
        uz_person(role="spouse", birth_date="1987-01-01"),
        uz_person(role="child", birth_date="2024-06-01"),
    ])
    assert amount(html, "child_allowance_total") == "0.00 UZS"
    assert "could not get any of these benefits" in html


def test_it_puts_an_error_summary_linking_to_each_field(client_en: Client) -> None:
    page = client_en.get(reverse("portal_tools:screener_household")).content.decode()
    html = client_en.post(reverse("portal_tools:screener_household"),
                          {"state": state_of(page), "members": "0"}).content.decode()
    assert f'<a href="#id_members">{MSG_MEMBERS % {"max": 12}}</a>' in html
    assert f'<a href="#id_vehicles_0">{MSG_YES_NO}</a>' in html
    assert "<title>Error:" in html


def test_it_refuses_a_birth_date_in_the_future(client_en: Client) -> None:
    page = client_en.get(reverse("portal_tools:screener_household")).content.decode()
    page = client_en.post(reverse("portal_tools:screener_household"),
                          {"state": state_of(page), **AZ_HOUSEHOLD}).content.decode()
    html = client_en.post(reverse("portal_tools:screener_person"), {
        "state": state_of(page), "index": 0, **az_person(birth_date="2027-01-01"),
    }).content.decode()
    assert f'<a href="#id_birth_date">{MSG_BIRTH_DATE}</a>' in html


def test_it_refuses_a_forged_answers_token(client_en: Client) -> None:
    answers = screener.new_answers("az")
    token = screener.pack(answers)
    response = client_en.post(reverse("portal_tools:screener_results"), {"state": token + "x"})
    assert response.status_code == 400


def test_it_changes_an_answer_from_the_check_page(client_en: Client) -> None:
    page = client_en.get(reverse("portal_tools:screener_household")).content.decode()
    page = client_en.post(reverse("portal_tools:screener_household"),
                          {"state": state_of(page), **ALONE}).content.decode()
    page = client_en.post(reverse("portal_tools:screener_person"),
                          {"state": state_of(page), "index": 0, **AZ_FAMILY[0]}).content.decode()
    page = client_en.post(reverse("portal_tools:screener_change"),
                          {"state": state_of(page), "change": "person-1"}).content.decode()
    assert 'value="200.00"' in page or 'value="200"' in page
    page = client_en.post(reverse("portal_tools:screener_person"), {
        "state": state_of(page), "index": 0, **AZ_FAMILY[0], "wages": "250",
    }).content.decode()
    assert "Check your answers" in page
    html = client_en.post(reverse("portal_tools:screener_results"),
                          {"state": state_of(page)}).content.decode()
    # One person: 1 × 300 − 250 = 50 (utilities 40 < 15 % × 300 = 45: no refusal).
    assert amount(html, "tssa_amount") == "50.00 AZN"


def test_it_refuses_tssa_for_high_utilities_per_member(client_en: Client) -> None:
    # Alone with utilities of 60 AZN: 60 ÷ 1 ≥ 45 (15 % of the 300 AZN subsistence minimum).
    html = walk(client_en, {**ALONE, "utilities": "60"}, [AZ_FAMILY[0]])
    assert amount(html, "tssa_amount") == "0.00 AZN"
    assert "Why not:</strong> high utility spending" in html


def test_it_explains_in_every_language() -> None:
    answers: screener.Answers = {"country": "az", "household": {"members": 1}, "people": [
        {"role": "head", "birth_date": "1980-01-01", "sex": "F", "wages": "0"}]}
    labels = {}
    for language in ("az", "uz", "ru", "en"):
        with translation.override(language):
            result = screener.screen(
                answers, screener.current_period(dt.date(2026, 3, 4)), language,
                {"yes": "+", "no": "-", "none": "—", "member": "{n}"},
            )
        labels[language] = result.benefits[0].label
        assert result.benefits[0].amount == 300  # 1 × 300 − 0
    assert labels == {"az": "ÜDSY məbləği", "uz": "Manzilli yordam miqdori",
                      "ru": "Размер АГСП", "en": "TSSA amount"}


def test_it_ties_hints_and_errors_to_their_inputs(client_en: Client) -> None:
    page = client_en.get(reverse("portal_tools:screener_household")).content.decode()
    html = client_en.post(reverse("portal_tools:screener_household"),
                          {"state": state_of(page), "members": "x"}).content.decode()
    assert 'aria-describedby="id_members_helptext id_members_error"' in html
    assert 'id="id_members_helptext"' in html and 'id="id_members_error"' in html
