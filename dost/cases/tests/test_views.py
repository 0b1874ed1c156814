from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.cases.models import Case, CaseStatus, QueueRole
from dost.cases.services import case_submit
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.registry.tests.factories import HouseholdFactory, PersonFactory

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


def _fill_queue(service, centre, n: int) -> None:
    homes = HouseholdFactory.create_batch(n)
    people = PersonFactory.create_batch(n)
    Case.objects.bulk_create(
        Case(service=service, applicant=p, household=h, channel="portal", period="2026-03",
             centre=centre, queue_role=QueueRole.OFFICER,
             submitted_on=dt.date(2026, 3, 2), due_on=dt.date(2026, 3, 2) + dt.timedelta(days=i))
        for i, (p, h) in enumerate(zip(people, homes, strict=True))
    )


@pytest.mark.django_db
def test_it_pages_the_work_queue_50_at_a_time_in_a_fixed_number_of_queries(
    staff_service, officer, centre, django_assert_max_num_queries
):
    _fill_queue(staff_service, centre, 60)
    client = Client()
    client.force_login(officer)
    url = reverse("backoffice:queue")
    client.get(url, {"centre": "baku-1", "role": "officer"})  # warms the holiday calendar
    # Session, user, the user's permissions (2), the user's centres, the centre, staff scope
    # (assignments), the page of cases, the centres of the filter's drop-down: nothing per row.
    with django_assert_max_num_queries(9):
        response = client.get(url, {"centre": "baku-1", "role": "officer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr>") == 51  # header + 50
    assert 'rel="next"' in html
    page = response.context["page"]
    last = page.rows[-1].case
    assert response.context["next_after"] == f"{last.due_on.isoformat()}_{last.pk}"
    second = client.get(url, {"centre": "baku-1", "role": "officer",
                              "after": response.context["next_after"]})
    assert second.content.decode().count("<tr>") == 11
    assert 'rel="next"' not in second.content.decode()
    assert "Content-Security-Policy" in response.headers


@pytest.mark.django_db
def test_it_keeps_the_queue_from_anonymous_and_unauthorised_users(staff_service):
    client = Client()
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(User.objects.create_user("visitor"))
    assert client.get(reverse("cases:queue")).status_code == 403
    assert client.get(reverse("backoffice:queue")).status_code == 403


@pytest.mark.django_db
def test_the_old_addresses_lead_to_the_back_office_for_good(officer):
    client = Client()
    client.force_login(officer)
    queue = client.get("/cases/queue/", {"centre": "baku-1", "role": "officer"})
    assert (queue.status_code, queue["Location"]) == (
        301, "/backoffice/queue/?centre=baku-1&role=officer")
    case = client.get("/cases/12/")
    assert (case.status_code, case["Location"]) == (301, "/backoffice/cases/12/")
    # A POST (with its CSRF token) is repeated at the new address: 308 keeps the method.
    take = client.post("/cases/12/take/")
    assert (take.status_code, take["Location"]) == (308, "/backoffice/cases/12/take/")


@pytest.mark.django_db
def test_it_shows_a_rules_decision_with_its_explanation(az_world, officer):
    household = make_household()
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="portal", period="2026-03", documents=TSSA_DOCS)
    client = Client()
    client.force_login(officer)
    response = client.get(reverse("cases:case", args=[case.pk]),
                          headers={"accept-language": "en"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "600.00 AZN" in html
    assert "Need criterion" in html
    assert "az 2026.1" in html
    assert client.get(reverse("backoffice:case", args=[999_999])).status_code == 404


@pytest.mark.django_db
def test_it_lets_an_officer_take_and_decide_a_case_on_the_page(staff_service, officer,
                                                               centre):
    household = make_household()
    case = case_submit(service=staff_service, applicant=head_of(household),
                       household=household, channel="centre", period="2026-03",
                       documents=["id_card"], centre=centre)
    client = Client()
    client.force_login(officer)
    client.post(reverse("cases:take", args=[case.pk]), follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.assignee == officer
    url = reverse("backoffice:decide", args=[case.pk])
    bad = client.post(url, {"outcome": "refused", "note": "no reason given"})
    assert bad.status_code == 400
    assert "A refusal must give at least one reason." in bad.content.decode()
    good = client.post(url, {"outcome": "refused", "reasons": ["not_eligible"],
                             "note": "Not in the category."})
    assert good.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
