from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest

from dost.api.models import ApiCall
from dost.benefits.models import Award, Frequency, Payment, PaymentKind, PayrollRun
from dost.benefits.services.awards import award_amount_change, award_create
from dost.catalog.models import Service
from dost.catalog.services import catalog_load
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/persons/5ZJ8K2L/benefits"
DISABILITY_BENEFIT = "06-01-01-01"


@pytest.fixture
def award() -> Award:
    catalog_load(country="az")
    person = cast(Person, PersonFactory(personal_id="5ZJ8K2L"))
    award = award_create(
        service=Service.objects.get(country="az", code=DISABILITY_BENEFIT), person=person,
        amount=Decimal("300.00"), currency="AZN", frequency=Frequency.MONTHLY,
        start=dt.date(2025, 1, 1), bank="KAPIAZ2X", account="AZ21KAPI00000000000000000001",
    )
    award_amount_change(award=award, amount=Decimal("330.00"), valid_from=dt.date(2026, 1, 1),
                        reason="indexation")
    return award


def _pay(award: Award, months: int) -> list[Payment]:
    payments = []
    for month in range(1, months + 1):
        period = f"2025-{month:02d}"
        run = PayrollRun.objects.create(period=period)
        payments.append(Payment.objects.create(
            run=run, award=award, period=period, kind=PaymentKind.REGULAR,
            amount=Decimal("300.00"), currency="AZN", bank=award.bank, account=award.account,
        ))
    return payments


def test_it_shows_a_bank_payments_but_not_which_service_they_pay(make_caller, award):
    payment = _pay(award, 1)[0]
    bank = make_caller("bank", scopes=["payments:read"])
    response = bank.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert "awards" not in body
    assert body["payments"] == [{
        "end_to_end_id": f"DOST-{payment.pk}", "period": "2025-01", "kind": "regular",
        "amount": "300.00", "currency": "AZN", "status": "pending", "rejection_reason": "",
        "bank": "KAPIAZ2X", "account": "AZ21KAPI00000000000000000001",
        "created_at": body["payments"][0]["created_at"],
    }]
    assert DISABILITY_BENEFIT not in response.content.decode()


def test_it_shows_awards_with_their_dated_amounts_but_no_payments_without_the_scope(
    make_caller, award
):
    _pay(award, 1)
    ministry = make_caller("ministry", scopes=["awards:read"])
    body = ministry.get(URL).json()
    assert "payments" not in body and "next_cursor" not in body
    [shown] = body["awards"]
    assert shown["service"] == DISABILITY_BENEFIT
    assert shown["status"] == "active" and shown["frequency"] == "monthly"
    assert [a["amount"] for a in shown["amounts"]] == ["300.00", "330.00"]
    assert shown["amount"] == ("330.00" if dt.date.today() >= dt.date(2026, 1, 1) else "300.00")
    assert "account" not in shown and "status_reason" not in shown


def test_it_links_payments_to_awards_only_for_a_client_holding_both_scopes(caller, award):
    _pay(award, 1)
    body = caller.get(URL).json()
    assert body["payments"][0]["award"] == award.pk == body["awards"][0]["id"]


def test_it_refuses_a_client_without_either_scope_as_a_problem(make_caller, award):
    registry_reader = make_caller("tax", scopes=["persons:read", "persons:read:disability"])
    response = registry_reader.get(URL)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:dost:problem:scope"
    assert body["scopes"] == ["awards:read", "payments:read"]
    assert body["instance"] == URL


def test_it_pages_payments_newest_first_with_a_cursor(make_caller, award):
    payments = _pay(award, 5)
    bank = make_caller("bank", scopes=["payments:read"])
    first = bank.get(URL, limit=2).json()
    assert [p["period"] for p in first["payments"]] == ["2025-05", "2025-04"]
    second = bank.get(URL, limit=2, cursor=first["next_cursor"]).json()
    assert [p["period"] for p in second["payments"]] == ["2025-03", "2025-02"]
    last = bank.get(URL, limit=2, cursor=second["next_cursor"]).json()
    assert [p["end_to_end_id"] for p in last["payments"]] == [f"DOST-{payments[0].pk}"]
    assert "next_cursor" not in last


def test_it_refuses_a_cursor_of_another_list_and_unknown_parameters(make_caller, award):
    bank = make_caller("bank", scopes=["payments:read", "persons:search"])
    person_cursor = bank.get("/api/v1/persons", limit=1).json().get("next_cursor", "cDE")
    response = bank.get(URL, cursor=person_cursor)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:dost:problem:bad_cursor"
    response = bank.get(URL, period="2025-01")
    assert response.status_code == 422
    response = bank.get(URL, limit=201)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_it_logs_the_read_with_client_and_purpose_and_requires_a_purpose(make_caller, award):
    bank = make_caller("bank", scopes=["payments:read"])
    bank.get(URL, headers={"X-Purpose": "payment dispute D-17"})
    call = ApiCall.objects.get()
    assert call.client is not None and call.client.name == "bank"
    assert (call.purpose, call.status, call.path) == ("payment dispute D-17", 200, URL)
    response = bank.http.get(URL, headers={"Authorization": f"Bearer {bank.key}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "header.X-Purpose"


def test_it_answers_404_for_an_unknown_person(make_caller, db):
    bank = make_caller("bank", scopes=["payments:read"])
    response = bank.get("/api/v1/persons/NOBODY1/benefits")
    assert response.status_code == 404
    assert response.json()["type"] == "urn:dost:problem:not_found"


def test_it_reads_benefits_in_a_bounded_number_of_queries(
    make_caller, award, django_assert_max_num_queries
):
    _pay(award, 12)
    ministry = make_caller("ministry")
    # key, person, awards, amounts, payments, audit row, call log
    with django_assert_max_num_queries(8):
        body = ministry.get(URL).json()
    assert len(body["payments"]) == 12
