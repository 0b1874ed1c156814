"""Four-eyes approvals: overrides of a rules decision and registry change requests. Nobody
answers their own request, and a request answered once cannot be answered again (replay)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client

from dost.cases.models import Decision, DecisionBasis, OverrideRequest, OverrideStatus
from dost.cases.services import MSG_SAME_PERSON_APPROVAL, case_override_request
from dost.registry.models import ChangeRequest, ChangeRequestStatus
from dost.registry.services.change_requests import change_request_create
from dost.security.roles import Role as StaffRole

from .conftest import World, staff_user

URL = "/backoffice/approvals/"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def override_by(world: World, user: User) -> OverrideRequest:
    return case_override_request(case=world.rules_case, officer=user, outcome="approved",
                                 amount=Decimal("60.00"), note="The second job ended.")


def change_by(world: World, user: User) -> ChangeRequest:
    return change_request_create(requested_by=user, kind="person_update",
                                 payload={"phone": "+994501234567"},
                                 reason="The citizen gave a new number.", person=world.head)


def said(response: object) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_a_supervisor_approves_an_officers_override(world: World) -> None:
    request = override_by(world, world.officer)
    client = signed_in(world.supervisor)
    page = client.get(URL)
    assert world.rules_case.reference in page.text and "The second job ended." in page.text
    response = client.post(f"{URL}overrides/{request.pk}/", {"decision": "approve"})
    assert response.status_code == 302 and said(response) == ["Approved."]
    decision = Decision.objects.get(case=world.rules_case, is_current=True)
    assert (decision.basis, decision.outcome, decision.amount) == (
        DecisionBasis.OVERRIDE, "approved", Decimal("60.00"))
    assert (decision.decided_by, decision.approved_by) == (world.officer, world.supervisor)


@pytest.mark.django_db
def test_a_second_approval_of_the_same_override_is_refused(world: World) -> None:
    request = override_by(world, world.officer)
    client = signed_in(world.supervisor)
    client.post(f"{URL}overrides/{request.pk}/", {"decision": "approve"})
    other = staff_user("supervisor2", StaffRole.SUPERVISOR)
    replay = signed_in(other).post(f"{URL}overrides/{request.pk}/", {"decision": "approve"})
    assert said(replay) == ["This override request has already been answered."]
    assert Decision.objects.filter(case=world.rules_case).count() == 2  # rules + one override
    request.refresh_from_db()
    assert request.reviewed_by == world.supervisor


@pytest.mark.django_db
def test_nobody_approves_their_own_override(world: World) -> None:
    request = override_by(world, world.supervisor)
    client = signed_in(world.supervisor)
    assert world.rules_case.reference not in client.get(URL).text  # not even listed
    response = client.post(f"{URL}overrides/{request.pk}/", {"decision": "approve"})
    assert said(response) == [str(MSG_SAME_PERSON_APPROVAL)]
    request.refresh_from_db()
    assert request.status == OverrideStatus.PENDING


@pytest.mark.django_db
def test_a_rejection_needs_a_note(world: World) -> None:
    request = override_by(world, world.officer)
    client = signed_in(world.supervisor)
    response = client.post(f"{URL}overrides/{request.pk}/", {"decision": "reject"})
    assert said(response) == ["Say why you reject the request."]
    request.refresh_from_db()
    assert request.status == OverrideStatus.PENDING
    client.post(f"{URL}overrides/{request.pk}/", {"decision": "reject", "note": "No proof."})
    request.refresh_from_db()
    assert request.status == OverrideStatus.REJECTED


@pytest.mark.django_db
def test_a_supervisor_approves_a_registry_change_once(world: World) -> None:
    change = change_by(world, world.officer)
    client = signed_in(world.supervisor)
    assert "The citizen gave a new number." in client.get(URL).text
    client.post(f"{URL}changes/{change.pk}/", {"decision": "approve"})
    change.refresh_from_db()
    world.head.refresh_from_db()
    assert change.status == ChangeRequestStatus.APPLIED and world.head.phone == "+994501234567"
    replay = client.post(f"{URL}changes/{change.pk}/", {"decision": "approve"})
    # the first answer's "Approved." is still in the session: the redirect was not followed
    assert said(replay) == [
        "Approved.", "This change request was already decided (Approved and applied)."]


@pytest.mark.django_db
def test_nobody_approves_their_own_registry_change(world: World) -> None:
    requester = staff_user("requester", StaffRole.SUPERVISOR, "registry.add_changerequest")
    change = change_by(world, requester)
    client = signed_in(requester)
    assert "The citizen gave a new number." not in client.get(URL).text
    response = client.post(f"{URL}changes/{change.pk}/", {"decision": "approve"})
    assert said(response) == [
        "A change request must be decided by someone other than the person who made it."]
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.PENDING


@pytest.mark.django_db
def test_only_approvers_answer_requests(world: World) -> None:
    request = override_by(world, world.officer)
    page = signed_in(world.officer).get(URL)
    assert page.status_code == 200 and "You hold no approval permission." in page.text
    assert world.rules_case.reference not in page.text
    officer2 = staff_user("officer2", StaffRole.CASE_OFFICER)
    refused = signed_in(officer2).post(f"{URL}overrides/{request.pk}/", {"decision": "approve"})
    assert refused.status_code == 403
    assert signed_in(world.supervisor).get(URL).status_code == 200
