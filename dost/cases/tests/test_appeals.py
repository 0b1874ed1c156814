from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dost.cases import services
from dost.cases.models import Case, CaseKind, CaseStatus, DecisionBasis, Outcome, QueueRole
from dost.cases.services import appeal_decide, case_appeal, case_decide_by_staff, case_submit
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]
# Thursday 5 March 2026, 10:00 in Baku.
DECIDED = dt.datetime(2026, 3, 5, 6, 0, tzinfo=dt.UTC)


def _refused_tssa_case() -> Case:
    household = make_household(head_wage="3000.00")
    return case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="portal", period="2026-03", documents=TSSA_DOCS)


@pytest.mark.django_db
def test_it_takes_an_appeal_in_time_and_has_someone_else_decide_it(
    staff_service, officer, appeals_officer, centre
):
    with time_machine.travel(DECIDED, tick=False):
        household = make_household()
        case = case_submit(service=staff_service, applicant=head_of(household),
                           household=household, channel="centre", period="2026-03",
                           documents=["id_card"], centre=centre)
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED,
                             reasons=["not_eligible"], note="Outside the category.")
    # 30 calendar days later is 4 April 2026, a Saturday: the term runs to Monday 6 April.
    with time_machine.travel(dt.datetime(2026, 4, 6, 8, 0, tzinfo=dt.UTC), tick=False):
        appeal = case_appeal(case=case, appellant=case.applicant,
                             grounds="I live in the district since 2019.")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED
    assert appeal.kind == CaseKind.APPEAL
    assert appeal.appeal_of == case
    assert appeal.queue_role == QueueRole.APPEALS
    assert appeal.centre == centre

    # The officer who refused cannot decide the appeal.
    officer.user_permissions.add(*appeals_officer.user_permissions.all())
    from django.contrib.auth.models import User

    officer = User.objects.get(pk=officer.pk)
    with pytest.raises(ValidationError) as caught:
        appeal_decide(appeal=appeal, officer=officer, outcome=Outcome.APPROVED)
    assert caught.value.messages == [str(services.MSG_SAME_DECIDER)]

    decision = appeal_decide(appeal=appeal, officer=appeals_officer, outcome=Outcome.APPROVED,
                             note="Residence confirmed by the district office.")
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert decision.basis == DecisionBasis.APPEAL
    assert decision.decided_by == appeals_officer
    assert appeal.status == CaseStatus.DECIDED
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
def test_it_refuses_an_appeal_after_the_deadline(staff_service, officer):
    with time_machine.travel(DECIDED, tick=False):
        household = make_household()
        case = case_submit(service=staff_service, applicant=head_of(household),
                           household=household, channel="portal", period="2026-03",
                           documents=["id_card"])
        case_decide_by_staff(case=case, officer=officer, outcome=Outcome.REFUSED,
                             reasons=["not_eligible"])
    with time_machine.travel(dt.datetime(2026, 4, 7, 8, 0, tzinfo=dt.UTC), tick=False), \
            pytest.raises(ValidationError) as caught:
        case_appeal(case=case, appellant=case.applicant, grounds="Late, but right.")
    assert caught.value.code == "appeal_late"
    assert "2026-04-06" in caught.value.messages[0]
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert Case.objects.filter(kind=CaseKind.APPEAL).count() == 0


@pytest.mark.django_db
def test_it_lets_anyone_but_the_rules_decide_an_appeal_against_the_rules(
    az_world, appeals_officer
):
    case = _refused_tssa_case()
    appeal = case_appeal(case=case, appellant=case.applicant, grounds="My wage is lower.")
    decision = appeal_decide(appeal=appeal, officer=appeals_officer, outcome=Outcome.REFUSED,
                             reasons=["income"], note="The wage is confirmed by the employer.")
    assert decision.reason_codes == ["income"]


@pytest.mark.django_db
def test_it_refuses_an_appeal_from_a_stranger_or_without_grounds(az_world):
    case = _refused_tssa_case()
    with pytest.raises(ValidationError) as caught:
        case_appeal(case=case, appellant=cast(Person, PersonFactory()), grounds="Not mine.")
    assert caught.value.code == "not_appellant"
    with pytest.raises(ValidationError) as caught:
        case_appeal(case=case, appellant=case.applicant, grounds="  ")
    assert caught.value.code == "grounds_required"
    assert Case.objects.filter(kind=CaseKind.APPEAL).count() == 0


@pytest.mark.django_db
def test_it_does_not_appeal_an_appeal(az_world, appeals_officer):
    case = _refused_tssa_case()
    appeal = case_appeal(case=case, appellant=case.applicant, grounds="Wrong income.")
    appeal_decide(appeal=appeal, officer=appeals_officer, outcome=Outcome.REFUSED,
                  reasons=["income"])
    with pytest.raises(ValidationError) as caught:
        case_appeal(case=appeal, appellant=case.applicant, grounds="Again.")
    assert caught.value.code == "appeal_of_appeal"


@pytest.mark.django_db
def test_it_does_not_close_a_case_while_its_appeal_is_open(az_world):
    from dost.cases.services import case_close

    case = _refused_tssa_case()
    case_appeal(case=case, appellant=case.applicant, grounds="Wrong income.")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        case_close(case=case)
    assert caught.value.code == "appeal_open"
