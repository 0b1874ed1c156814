from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dost.cases import services
from dost.cases.models import (
    CaseStatus,
    Decision,
    DecisionBasis,
    Outcome,
    OverrideStatus,
    QueueRole,
)
from dost.cases.selectors import decision_explanation_text
from dost.cases.services import (
    case_assign,
    case_close,
    case_decide_by_staff,
    case_override_approve,
    case_override_reject,
    case_override_request,
    case_submit,
    case_withdraw,
)
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.cases.transitions import InvalidTransitionError

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


def _staff_case(service, centre=None):
    household = make_household()
    return case_submit(service=service, applicant=head_of(household), household=household,
                       channel="centre", period="2026-03", documents=["id_card"],
                       centre=centre)


@pytest.mark.django_db
def test_it_records_who_decided_and_why(staff_service, officer):
    case = _staff_case(staff_service)
    case_assign(case=case, assignee=officer)
    assert case.status == CaseStatus.IN_REVIEW
    decision = case_decide_by_staff(
        case=case, officer=officer, outcome=Outcome.REFUSED, reasons=["not_eligible"],
        note="Not a resident of the district.",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.queue_role == ""
    assert decision.basis == DecisionBasis.STAFF
    assert decision.decided_by == officer
    assert decision.note == "Not a resident of the district."
    assert decision.reasons[0]["code"] == "not_eligible"
    assert decision.reasons[0]["text"]["ru"] == "Не относится к категории получателей"
    assert [e.status_to for e in case.events.all()] == ["submitted", "in_review", "decided"]


@pytest.mark.django_db
def test_it_needs_a_reason_for_a_refusal_and_a_known_one(staff_service, officer):
    case = _staff_case(staff_service)
    with pytest.raises(ValidationError) as caught:
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED, reasons=[])
    assert caught.value.messages == [str(services.MSG_REASONS_REQUIRED)]
    with pytest.raises(ValidationError) as caught:
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED,
                             reasons=["vehicle"])
    assert caught.value.code == "unknown_reason"
    assert Decision.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_a_decision_by_someone_without_the_permission(staff_service, supervisor):
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nobody")
    case = _staff_case(staff_service)
    with pytest.raises(ValidationError) as caught:
        case_decide_by_staff(case=case, officer=nobody, outcome=Outcome.APPROVED)
    assert caught.value.code == "not_permitted"


@pytest.mark.django_db
def test_it_refuses_invalid_transitions(staff_service, officer):
    case = _staff_case(staff_service)
    case_withdraw(case=case, actor=officer)
    with pytest.raises(InvalidTransitionError) as caught:
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.APPROVED)
    assert caught.value.messages == ["A case that is “Withdrawn” cannot become “Decided”."]
    with pytest.raises(InvalidTransitionError):
        case_close(case=case)
    with pytest.raises(InvalidTransitionError):
        case_assign(case=case, assignee=officer)


@pytest.mark.django_db
def test_it_lets_a_new_application_follow_a_withdrawn_one(staff_service, officer):
    case = _staff_case(staff_service)
    case_withdraw(case=case, actor=officer)
    again = case_submit(service=staff_service, applicant=case.applicant,
                        household=case.household, channel="portal", period="2026-03",
                        documents=["id_card"])
    assert again.pk != case.pk


@pytest.mark.django_db
def test_it_overrides_a_rules_outcome_only_with_a_second_person(az_world, officer, supervisor):
    household = make_household(head_wage="3000.00")
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="centre", period="2026-03", documents=TSSA_DOCS)
    rules_decision = Decision.objects.get(case=case)
    assert rules_decision.outcome == Outcome.REFUSED

    with pytest.raises(ValidationError) as caught:
        case_override_request(case=case, officer=officer, outcome=Outcome.APPROVED, note=" ")
    assert caught.value.code == "note_required"

    request = case_override_request(
        case=case, officer=officer, outcome=Outcome.APPROVED, amount=Decimal("150.00"),
        note="The wage record of 2025 belongs to a namesake.",
    )
    case.refresh_from_db()
    assert case.queue_role == QueueRole.SUPERVISOR
    assert Decision.objects.get(case=case, is_current=True) == rules_decision

    # The requester cannot approve their own override, even with the permission.
    officer.user_permissions.add(*supervisor.user_permissions.all())
    from django.contrib.auth.models import User

    officer = User.objects.get(pk=officer.pk)
    with pytest.raises(ValidationError) as caught:
        case_override_approve(request=request, approver=officer)
    assert caught.value.messages == [str(services.MSG_SAME_PERSON_APPROVAL)]

    decision = case_override_approve(request=request, approver=supervisor)
    case.refresh_from_db()
    rules_decision.refresh_from_db()
    assert decision.basis == DecisionBasis.OVERRIDE
    assert decision.amount == Decimal("150.00")
    assert decision.decided_by == officer
    assert decision.approved_by == supervisor
    assert not rules_decision.is_current
    # The rules' explanation stays readable.
    assert "AZN" in decision_explanation_text(decision=rules_decision, language="en")
    assert case.status == CaseStatus.DECIDED
    assert case.queue_role == ""
    request.refresh_from_db()
    assert request.status == OverrideStatus.APPROVED
    with pytest.raises(ValidationError) as caught:
        case_override_approve(request=request, approver=supervisor)
    assert caught.value.code == "override_not_pending"


@pytest.mark.django_db
def test_it_keeps_the_rules_decision_when_the_override_is_rejected(az_world, officer, supervisor):
    household = make_household(head_wage="3000.00")
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="portal", period="2026-03", documents=TSSA_DOCS)
    request = case_override_request(case=case, officer=officer, outcome=Outcome.APPROVED,
                                    amount=Decimal("10.00"), note="Doubt about the income.")
    case_override_reject(request=request, approver=supervisor)
    assert Decision.objects.get(case=case, is_current=True).basis == DecisionBasis.RULES


@pytest.mark.django_db
def test_it_does_not_let_staff_decide_a_rules_service_directly(az_world, officer):
    household = make_household()
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="portal", period="2026-03", documents=TSSA_DOCS)
    with pytest.raises(ValidationError) as caught:
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED,
                             reasons=["income"])
    assert caught.value.code == "rules_decide"
