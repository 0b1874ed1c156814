"""Work queues and the case screen: SLA colours, keyset pages, taking and deciding a case,
proposing an override of the rules, deciding an appeal."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from dost.audit.models import AccessRecord
from dost.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    Decision,
    DecisionBasis,
    OverrideRequest,
    OverrideStatus,
    QueueRole,
)
from dost.cases.services import case_decide_by_staff
from dost.registry.models import Household
from dost.registry.tests.factories import HouseholdFactory
from dost.security.roles import Role as StaffRole

from .conftest import World, staff_user


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def queue_case(world: World, due_on: dt.date, *, appeal: bool = False) -> Case:
    """An open application of another household (one open application per household and
    service), or an appeal against the rules' decision of the world."""
    return Case.objects.create(
        kind=CaseKind.APPEAL if appeal else CaseKind.APPLICATION,
        service=world.staff_service, applicant=world.child,
        household=world.household if appeal else cast(Household, HouseholdFactory()),
        channel="centre", period="2026-01", status=CaseStatus.SUBMITTED, centre=world.centre,
        queue_role=QueueRole.APPEALS if appeal else QueueRole.OFFICER,
        submitted_on=due_on - dt.timedelta(days=20), due_on=due_on,
        appeal_of=world.rules_case if appeal else None,
    )


@pytest.mark.django_db
def test_it_lists_the_centre_queue_with_sla_colours(world: World) -> None:
    today = timezone.localdate()
    late = queue_case(world, today - dt.timedelta(days=3))
    response = signed_in(world.supervisor).get("/backoffice/queue/", {"role": "officer"})
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert [r.case for r in rows] == [late, world.open_case]  # oldest deadline first
    page = response.text
    assert 'class="tag tag--red"' in page and "Overdue" in page
    assert 'class="tag tag--green"' in page


@pytest.mark.django_db
def test_it_pages_the_queue_by_keyset(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from dost.cases import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 1)
    defaults = selectors.work_queue.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "limit", 1)
    today = timezone.localdate()
    first = queue_case(world, today - dt.timedelta(days=3))
    client = signed_in(world.supervisor)
    response = client.get("/backoffice/queue/", {"role": "officer", "centre": "baku-1"})
    assert [r.case for r in response.context["page"].rows] == [first]
    cursor = response.context["next_after"]
    assert cursor and f"after={cursor}" in response.text
    second = client.get("/backoffice/queue/", {"role": "officer", "centre": "baku-1",
                                               "after": cursor})
    assert [r.case for r in second.context["page"].rows] == [world.open_case]
    assert second.context["next_after"] == ""


@pytest.mark.django_db
def test_it_offers_only_the_queues_the_user_may_work(world: World) -> None:
    response = signed_in(world.officer).get("/backoffice/queue/")
    assert [value for value, _label in response.context["form"].fields["role"].choices] == [
        "officer"]
    refused = signed_in(world.officer).get("/backoffice/queue/", {"role": "appeals"})
    assert refused.context["page"] is None
    assert "Select a valid choice" in refused.text


@pytest.mark.django_db
def test_an_officer_takes_and_decides_a_case(world: World) -> None:
    client = signed_in(world.officer)
    case_url = f"/backoffice/cases/{world.open_case.pk}/"
    page = client.get(case_url)
    assert page.status_code == 200 and "Take this case" in page.text
    assert AccessRecord.objects.filter(actor=world.officer, person=world.head,
                                       what="case").exists()
    client.post(f"{case_url}take/")
    world.open_case.refresh_from_db()
    assert world.open_case.assignee == world.officer
    assert world.open_case.status == CaseStatus.IN_REVIEW
    refused = client.post(f"{case_url}decide/", {"outcome": "refused", "note": ""})
    assert refused.status_code == 400
    assert "A refusal must give at least one reason." in refused.text
    assert 'class="error-summary"' in refused.text
    done = client.post(f"{case_url}decide/", {
        "outcome": "refused", "reasons": ["not_eligible"], "note": "Not in the category."})
    assert done.status_code == 302
    decision = Decision.objects.get(case=world.open_case, is_current=True)
    assert (decision.basis, decision.outcome, decision.decided_by) == (
        DecisionBasis.STAFF, "refused", world.officer)


@pytest.mark.django_db
def test_it_shows_the_rules_explanation_beside_the_override_form(world: World) -> None:
    page = signed_in(world.officer).get(f"/backoffice/cases/{world.rules_case.pk}/")
    assert "above the need criterion 300.00" in page.text
    assert "Propose a different outcome" in page.text
    assert "Record the decision" not in page.text  # the rules decide this service


@pytest.mark.django_db
def test_an_override_needs_a_reason_and_goes_to_the_supervisor_queue(world: World) -> None:
    client = signed_in(world.officer)
    url = f"/backoffice/cases/{world.rules_case.pk}/override/"
    missing = client.post(url, {"override-outcome": "approved", "override-note": " "})
    assert missing.status_code == 400 and "Say why: a note is required." in missing.text
    client.post(url, {"override-outcome": "approved", "override-amount": "60.00",
                      "override-note": "The second job ended in March."})
    request = OverrideRequest.objects.get(case=world.rules_case)
    assert request.status == OverrideStatus.PENDING and request.requested_by == world.officer
    world.rules_case.refresh_from_db()
    assert world.rules_case.queue_role == QueueRole.SUPERVISOR


@pytest.mark.django_db
def test_an_appeal_is_decided_on_the_case_screen(world: World) -> None:
    appeals = staff_user("appeals", StaffRole.SUPERVISOR)
    appeal = queue_case(world, timezone.localdate() + dt.timedelta(days=10), appeal=True)
    client = signed_in(appeals)
    page = client.get(f"/backoffice/cases/{appeal.pk}/")
    assert "Decide the appeal" in page.text
    assert "above the need criterion" in page.text  # the appealed decision's explanation
    client.post(f"/backoffice/cases/{appeal.pk}/decide/", {
        "outcome": "approved", "note": "Income was overstated."})
    decision = Decision.objects.get(case=appeal, is_current=True)
    assert decision.basis == DecisionBasis.APPEAL and decision.decided_by == appeals


@pytest.mark.django_db
def test_only_case_workers_open_queues_and_cases(world: World, client: Any) -> None:
    assert client.get("/backoffice/queue/").status_code == 302
    analyst = staff_user("analyst", StaffRole.POLICY_ANALYST)
    analyst_client = signed_in(analyst)
    assert analyst_client.get("/backoffice/queue/").status_code == 403
    assert analyst_client.get(f"/backoffice/cases/{world.open_case.pk}/").status_code == 403
    assert analyst_client.post(
        f"/backoffice/cases/{world.open_case.pk}/take/").status_code == 403


@pytest.mark.django_db
def test_a_decided_case_offers_no_decision_form(world: World) -> None:
    case_decide_by_staff(case=world.open_case, officer=world.officer, outcome="approved")
    page = signed_in(world.officer).get(f"/backoffice/cases/{world.open_case.pk}/")
    assert "Record the decision" not in page.text and "Take this case" not in page.text


@pytest.mark.django_db
def test_staff_assigned_elsewhere_see_neither_the_queue_nor_the_case(world: World) -> None:
    from dost.centres.models import Centre
    from dost.security.models import StaffAssignment

    other = Centre.objects.create(code="other-1", country=world.centre.country,
                                  names={"en": "Another centre"})
    officer = staff_user("elsewhere", StaffRole.CASE_OFFICER)
    StaffAssignment.objects.create(user=officer, centre=other)
    client = signed_in(officer)
    queue = f"/backoffice/queue/?centre={world.centre.code}&role=officer"
    assert client.get(queue).status_code == 403
    assert client.get(f"/backoffice/cases/{world.open_case.pk}/").status_code == 404
    # The officer of the centre itself still works both.
    StaffAssignment.objects.create(user=world.officer, centre=world.centre)
    mine = signed_in(world.officer)
    assert mine.get(queue).status_code == 200
    assert mine.get(f"/backoffice/cases/{world.open_case.pk}/").status_code == 200
