from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dost.cases.models import CaseStatus, Decision, DecisionBasis, Outcome
from dost.cases.selectors import decision_explanation_text, decision_explanation_tree
from dost.cases.services import case_submit
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.registry.models import Source, Vehicle

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


@pytest.mark.django_db
def test_it_decides_a_tssa_case_by_itself_with_the_explanation_and_parameters(az_world):
    household = make_household(head_wage="300.00")
    case = case_submit(
        service=TSSA, applicant=head_of(household), household=household, channel="portal",
        period="2026-03", documents=TSSA_DOCS, actor=None,
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    decision = Decision.objects.get(case=case, is_current=True)
    # Hand-worked (Law "On targeted state social assistance", art. 1 and 4; need criterion
    # 300 AZN from 2026-01-01, Law "On the need criterion threshold … for 2026", art. 1):
    # family of 3 → threshold 3 × 300 = 900; income 2025-03 … 2026-02 = 12 × 300 = 3600,
    # average 3600 ÷ 12 = 300; amount = 900 − 300 = 600.00 AZN.
    assert decision.outcome == Outcome.APPROVED
    assert decision.amount == Decimal("600.00")
    assert decision.currency == "AZN"
    assert decision.basis == DecisionBasis.RULES
    assert decision.decided_by is None
    assert decision.rulebook == "az"
    assert decision.rulebook_version == "2026.1"
    assert decision.parameters["tssa.need_criterion"]["value"] == 300
    assert decision.parameters["tssa.need_criterion"]["valid_from"] == "2026-01-01"
    assert "2026" in decision.parameters["tssa.need_criterion"]["citation"]
    assert decision.outputs["tssa_amount"] == 600.0
    assert decision.explanation_shape is not None
    tree = decision_explanation_tree(decision=decision, language="en")
    assert tree["outputs"][0]["variable"] == "tssa_eligible"
    assert "900.00 AZN" in decision_explanation_text(decision=decision, language="en")
    assert decision.reasons == []


@pytest.mark.django_db
def test_it_refuses_with_every_reason_in_plain_words(az_world, centre):
    household = make_household(head_wage="3000.00")
    case = case_submit(
        service=TSSA, applicant=head_of(household), household=household, channel="centre",
        period="2026-03", documents=TSSA_DOCS, centre=centre,
    )
    decision = Decision.objects.get(case=case, is_current=True)
    # Average income 3000 is not below the threshold 900: refused on the income ground.
    assert decision.outcome == Outcome.REFUSED
    assert decision.amount is None
    assert decision.reason_codes == ["income"]
    assert "need criterion" in decision.reasons[0]["text"]["en"]
    assert decision.reasons[0]["text"]["az"].startswith("Ailənin orta aylıq gəliri")


@pytest.mark.django_db
def test_it_lists_the_means_test_next_to_the_other_refusal_grounds(az_world):
    household = make_household(head_wage="3000.00")
    head = head_of(household)
    Vehicle.objects.create(person=head, registration_number="10-AB-123",
                           acquired_on=dt.date(2020, 5, 1), value=Decimal("9000.00"),
                           source=Source.SYSTEM)
    case = case_submit(service=TSSA, applicant=head, household=household, channel="portal",
                       period="2026-03", documents=TSSA_DOCS)
    decision = Decision.objects.get(case=case, is_current=True)
    assert decision.reason_codes == ["income", "vehicle"]
    assert decision.reasons[1]["text"]["en"] == "The family owns a vehicle"
