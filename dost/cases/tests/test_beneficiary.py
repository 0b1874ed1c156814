"""A case for someone other than the applicant: the rules read the beneficiary's outputs, the
applicant is told."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError

from dost.cases.models import Decision, Outcome
from dost.cases.services import MSG_BENEFICIARY_NOT_A_MEMBER, case_appeal, case_submit
from dost.cases.tests.conftest import make_household
from dost.registry.models import Household, Person, Role
from dost.registry.tests.factories import MembershipFactory, PersonFactory

CHILDBIRTH = "06-02-02-01"


def _newborn(household: Household, born: dt.date) -> Person:
    mother = household.memberships.get(role=Role.SPOUSE).person
    child = cast(Person, PersonFactory(birth_date=born, mother=mother))
    MembershipFactory(household=household, person=child, role=Role.CHILD, joined_on=born)
    return child


def _submit(household: Household, **kwargs: Any) -> Any:
    return case_submit(service=CHILDBIRTH, household=household, channel="proactive",
                       period="2026-03", **kwargs)


@pytest.mark.django_db
def test_it_reads_the_rules_for_the_beneficiary_and_not_the_applicant(az_world: None) -> None:
    household = make_household()
    mother = household.memberships.get(role=Role.SPOUSE).person
    child = _newborn(household, dt.date(2026, 3, 10))
    case = _submit(household, applicant=mother, beneficiary=child)
    assert (case.applicant, case.beneficiary, case.beneficiary_or_applicant_id) == (
        mother, child, child.pk
    )
    decision = Decision.objects.get(case=case, is_current=True)
    assert decision.outcome == Outcome.APPROVED
    assert decision.amount is not None and decision.amount > 0
    # The same family with no beneficiary named: the rules read the mother, who was not born.
    other = make_household()
    _newborn(other, dt.date(2026, 3, 10))
    own = _submit(other, applicant=other.memberships.get(role=Role.SPOUSE).person)
    assert own.beneficiary_or_applicant_id == own.applicant_id
    assert Decision.objects.get(case=own, is_current=True).outcome == Outcome.REFUSED


@pytest.mark.django_db
def test_it_refuses_a_beneficiary_from_another_household(az_world: None) -> None:
    household = make_household()
    stranger = _newborn(make_household(), dt.date(2026, 3, 10))
    mother = household.memberships.get(role=Role.SPOUSE).person
    with pytest.raises(ValidationError) as error:
        _submit(household, applicant=mother, beneficiary=stranger)
    assert error.value.messages == [str(MSG_BENEFICIARY_NOT_A_MEMBER % {
        "person": stranger.full_name, "household": household.reference
    })]


@pytest.mark.django_db
def test_it_keeps_the_beneficiary_on_an_appeal(az_world: None) -> None:
    household = make_household()
    mother = household.memberships.get(role=Role.SPOUSE).person
    child = _newborn(household, dt.date(2026, 3, 10))
    case = _submit(household, applicant=mother, beneficiary=child)
    appeal = case_appeal(case=case, appellant=mother, grounds="The amount is too low.")
    assert (appeal.applicant, appeal.beneficiary) == (mother, child)
