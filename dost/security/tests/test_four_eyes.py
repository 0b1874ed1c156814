"""Four eyes: role grants, payroll approval, rules-outcome overrides and registry change
requests each take a second person, and an approval cannot be used twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError

from dost.audit.models import ChangeRecord
from dost.benefits.models import RunStatus
from dost.cases.models import Decision, Outcome
from dost.cases.services import case_override_approve, case_override_request, case_submit
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.cases.tests.conftest import _fresh_calendar as _fresh_calendar
from dost.cases.tests.conftest import az_world as cases_world  # noqa: F401 (fixture)
from dost.registry.models import ChangeRequestStatus, Person
from dost.registry.services import ChangeRequestKind, change_request_approve, change_request_create
from dost.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory
from dost.security.models import GrantStatus
from dost.security.roles import ROLE_PERMISSIONS, Role
from dost.security.services.payroll import payroll_prepare, payroll_sign_off
from dost.security.services.roles import (
    role_grant_approve,
    role_grant_reject,
    role_grant_request,
    roles_sync,
)
from dost.security.testing import staff_user

pytestmark = pytest.mark.django_db
TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


# --- Roles ---------------------------------------------------------------------------------------

def test_it_syncs_the_ten_roles_idempotently_and_keeps_the_auditors_group() -> None:
    first = roles_sync()
    assert roles_sync() == first
    assert set(first) == {r.value for r in Role}
    auditors = Group.objects.get(name="auditors")  # made by audit.0003, reconciled here
    assert sorted(f"{p.content_type.app_label}.{p.codename}"
                  for p in auditors.permissions.all()) == sorted(ROLE_PERMISSIONS[Role.AUDITOR])
    auditors.permissions.clear()
    roles_sync()
    assert auditors.permissions.count() == len(ROLE_PERMISSIONS[Role.AUDITOR])


def test_it_grants_a_role_only_with_a_second_person_and_only_once() -> None:
    admin1, admin2 = staff_user(Role.ADMINISTRATOR), staff_user(Role.ADMINISTRATOR)
    clerk = User.objects.create_user("clerk")
    request = role_grant_request(user=clerk, role=Role.SUPERVISOR.value, requested_by=admin1,
                                 reason="New supervisor of centre 1")
    with pytest.raises(PermissionDenied):
        role_grant_approve(request=request, approver=admin1)  # the requester
    assert not clerk.groups.exists()
    role_grant_approve(request=request, approver=admin2)
    clerk = User.objects.get(pk=clerk.pk)
    assert list(clerk.groups.values_list("name", flat=True)) == ["supervisor"]
    assert clerk.is_staff and clerk.has_perm("cases.approve_override")
    assert request.status == GrantStatus.APPROVED
    with pytest.raises(ValidationError) as replay:
        role_grant_approve(request=request, approver=admin2)  # replayed approval
    assert replay.value.code == "decided"
    with pytest.raises(ValidationError):
        role_grant_reject(request=request, approver=admin2)
    change = ChangeRecord.objects.get(action="role granted")
    assert (change.actor, change.object_id) == (admin2, str(clerk.pk))
    assert cast(Any, change.before)["groups"] == []
    assert cast(Any, change.after)["groups"] == ["supervisor"]


def test_it_refuses_role_escalation() -> None:
    officer = staff_user(Role.CASE_OFFICER)
    admin1, admin2 = staff_user(Role.ADMINISTRATOR), staff_user(Role.ADMINISTRATOR)
    # Without the grant permission nobody can even ask, least of all for themselves.
    with pytest.raises(PermissionDenied):
        role_grant_request(user=officer, role="administrator", requested_by=officer,
                           reason="I want it")
    # An administrator asking for a role for themselves cannot approve it…
    own = role_grant_request(user=admin1, role="auditors", requested_by=admin1, reason="x")
    with pytest.raises(PermissionDenied):
        role_grant_approve(request=own, approver=admin1)
    # …and nobody approves a grant to themselves that another requested.
    for_two = role_grant_request(user=admin2, role="auditors", requested_by=admin1, reason="x")
    with pytest.raises(PermissionDenied):
        role_grant_approve(request=for_two, approver=admin2)
    # A case officer cannot approve anything.
    with pytest.raises(PermissionDenied):
        role_grant_approve(request=for_two, approver=officer)
    assert not User.objects.get(pk=admin2.pk).groups.filter(name="auditors").exists()
    with pytest.raises(ValidationError):
        role_grant_request(user=officer, role="emperor", requested_by=admin1, reason="x")


# --- Payroll -------------------------------------------------------------------------------------

def test_it_approves_payroll_only_by_someone_else_and_only_once() -> None:
    preparer, approver = staff_user(Role.PAYROLL_OFFICER), staff_user(Role.PAYROLL_OFFICER)
    analyst = staff_user(Role.POLICY_ANALYST)
    with pytest.raises(PermissionDenied):
        payroll_prepare(period="2026-01", preparer=analyst)
    run = payroll_prepare(period="2026-01", preparer=preparer).run
    with pytest.raises(PermissionDenied):
        payroll_sign_off(run=run, approver=preparer)
    approved = payroll_sign_off(run=run, approver=approver)
    assert (approved.status, approved.approved_by) == (RunStatus.APPROVED, approver)
    with pytest.raises(ValidationError) as replay:
        payroll_sign_off(run=run, approver=approver)
    assert replay.value.code == "approved"
    actions = list(ChangeRecord.objects.filter(object_type="benefits.payrollrun")
                   .order_by("id").values_list("action", "actor"))
    assert actions == [("payroll prepared", preparer.pk), ("payroll approved", approver.pk)]
    approval = ChangeRecord.objects.get(action="payroll approved")
    assert cast(Any, approval.before)["status"] == RunStatus.COMPLETE
    assert cast(Any, approval.after)["status"] == RunStatus.APPROVED


# --- Overrides and change requests (the cases and registry services) -----------------------------

@pytest.mark.usefixtures("cases_world")
def test_it_refuses_a_replayed_override_approval_and_logs_the_decisions() -> None:
    officer, supervisor = staff_user(Role.CASE_OFFICER), staff_user(Role.SUPERVISOR)
    household = make_household(head_wage="3000.00")
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="centre", period="2026-03", documents=TSSA_DOCS)
    request = case_override_request(case=case, officer=officer, outcome=Outcome.APPROVED,
                                    amount=Decimal("150.00"), note="Namesake's wage record.")
    case_override_approve(request=request, approver=supervisor)
    with pytest.raises(ValidationError) as replay:
        case_override_approve(request=request, approver=supervisor)
    assert replay.value.code == "override_not_pending"
    assert Decision.objects.filter(case=case).count() == 2
    logged = list(ChangeRecord.objects.filter(object_type="cases.decision").order_by("id"))
    assert [r.action for r in logged] == ["decision (rules)", "decision (override)"]
    assert cast(Any, logged[1].before)["outcome"] == Outcome.REFUSED
    assert cast(Any, logged[1].after)["outcome"] == Outcome.APPROVED
    assert logged[1].actor == supervisor
    assert logged[1].person_id == case.applicant_id


def test_it_refuses_a_replayed_change_request_approval() -> None:
    requester, approver = staff_user(Role.CASE_OFFICER), staff_user(Role.SUPERVISOR)
    person = cast(Person, PersonFactory(last_name="Aliyev", phone=""))
    MembershipFactory(person=person, household=HouseholdFactory(reference="H-4E"))
    request = change_request_create(requested_by=requester,
                                    kind=ChangeRequestKind.PERSON_UPDATE,
                                    payload={"phone": "+994501234567"}, reason="doc",
                                    person=person)
    with pytest.raises(PermissionDenied):
        change_request_approve(change_request=request, approver=requester)
    change_request_approve(change_request=request, approver=approver)
    assert request.status == ChangeRequestStatus.APPLIED
    with pytest.raises(ValidationError):
        change_request_approve(change_request=request, approver=approver)
