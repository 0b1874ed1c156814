from __future__ import annotations

from collections.abc import Iterator

import pytest

from dost.api.models import ClientApplication
from dost.cases.models import Case, CaseStatus
from dost.cases.tests.conftest import TSSA, az_world, head_of, make_household, staff_service
from dost.catalog.working_days import calendar_forget

pytestmark = pytest.mark.django_db
__all__ = ["az_world", "staff_service"]  # the cases fixture world, used by name

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    calendar_forget()
    yield
    calendar_forget()


def test_it_evaluates_a_household_without_storing_anything(caller, az_world):
    household = make_household(head_wage="300.00")
    body = caller.post("/api/v1/decisions/evaluate", {
        "service": TSSA, "household": household.reference,
        "applicant": head_of(household).personal_id, "period": "2026-03",
    }).json()
    # Family of 3 × 300 AZN need criterion − average income 300 = 600.00 (see cases tests).
    assert body["approved"] is True
    assert body["amount"] == "600.00" and body["currency"] == "AZN"
    assert "900.00 AZN" in body["explanation_text"]
    assert body["parameters"]["tssa.need_criterion"]["value"] == 300
    assert Case.objects.count() == 0


def test_it_explains_a_refusal_in_the_language_asked(caller, az_world):
    household = make_household(head_wage="3000.00")
    body = caller.post("/api/v1/decisions/evaluate", {
        "service": TSSA, "household": household.reference,
        "applicant": head_of(household).personal_id, "period": "2026-03", "language": "az",
    }).json()
    assert body["approved"] is False and body["amount"] is None
    assert body["reasons"][0]["code"] == "income"
    assert body["reasons"][0]["text"].startswith("Ailənin orta aylıq gəliri")


def test_it_refuses_an_evaluation_for_someone_outside_the_household(caller, az_world):
    one, other = make_household(), make_household()
    response = caller.post("/api/v1/decisions/evaluate", {
        "service": TSSA, "household": one.reference,
        "applicant": head_of(other).personal_id, "period": "2026-03",
    })
    assert response.status_code == 422
    assert response.json()["type"] == "urn:dost:problem:not_a_member"


def test_it_submits_an_application_decided_at_once_and_reads_it_back(caller, make_caller,
                                                                     az_world):
    household = make_household(head_wage="300.00")
    response = caller.post("/api/v1/applications", {
        "service": TSSA, "household": household.reference,
        "applicant": head_of(household).personal_id, "period": "2026-03",
        "documents": TSSA_DOCS,
    })
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == CaseStatus.DECIDED
    assert body["decision"]["outcome"] == "approved"
    assert body["decision"]["amount"] == "600.00"
    case = Case.objects.get()
    assert case.channel == "portal"
    assert ClientApplication.objects.get().case == case

    again = caller.get(f"/api/v1/applications/{body['reference']}").json()
    assert again == body
    stranger = make_caller("stranger")
    assert stranger.get(f"/api/v1/applications/{body['reference']}").status_code == 404


def test_it_answers_a_second_open_application_with_a_problem(caller, az_world, staff_service):
    household = make_household()
    application = {
        "service": staff_service.code, "household": household.reference,
        "applicant": head_of(household).personal_id, "period": "2026-03",
        "documents": ["id_card"],
    }
    assert caller.post("/api/v1/applications", application).status_code == 201
    response = caller.post("/api/v1/applications", application)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:dost:problem:duplicate"
