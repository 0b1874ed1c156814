"""A rules decision's explanation: stored once per shape, values per decision, rendered on
demand in the reader's language exactly as the engine gave it."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.utils import timezone, translation

from dost.audit.models import AppendOnlyError
from dost.cases import rules_bridge
from dost.cases.models import Decision, DecisionBasis, ExplanationShape, Outcome
from dost.cases.rules_bridge import LANGUAGES, evaluate_for_case
from dost.cases.selectors import decision_explanation_text, decision_explanation_tree
from dost.cases.services import case_submit
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.catalog.models import Service

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


def _decide(wage: str) -> Decision:
    household = make_household(head_wage=wage)
    case = case_submit(
        service=TSSA,
        applicant=head_of(household),
        household=household,
        channel="portal",
        period="2026-03",
        documents=TSSA_DOCS,
    )
    # As a reader gets it: a fresh row from the database.
    return Decision.objects.get(case=case, is_current=True)


@pytest.mark.django_db
def test_it_reads_back_the_engines_explanation_in_every_language(az_world):
    decision = _decide("300.00")
    engine = evaluate_for_case(
        service=Service.objects.get(code=TSSA),
        household_id=decision.case.household_id,
        applicant_id=decision.case.applicant_id,
        period="2026-03",
    )
    for lang in LANGUAGES:
        stored = decision_explanation_text(decision=decision, language=lang)
        assert stored == engine.explanation_text(lang)
        assert decision_explanation_tree(decision=decision, language=lang) == (
            engine.explanation_tree(lang)
        )
    assert "900.00 AZN" in decision_explanation_text(decision=decision, language="en")
    # The reader's language when none is given: Russian labels and words.
    with translation.override("ru"):
        assert decision_explanation_text(decision=decision) == engine.explanation_text("ru")
    assert engine.explanation_text("ru") != engine.explanation_text("en")


@pytest.mark.django_db
def test_it_stores_a_shape_once_and_each_decisions_own_values(az_world):
    approved, refused = _decide("300.00"), _decide("3000.00")
    assert approved.outcome == Outcome.APPROVED and refused.outcome == Outcome.REFUSED
    # Same service, period and rulebook version: one shape, two households' values.
    assert ExplanationShape.objects.count() == 1
    assert approved.explanation_shape_id == refused.explanation_shape_id
    assert approved.explanation_values != refused.explanation_values
    assert approved.explanation_values["household_id"] == approved.case.household_id
    # The shape is named by its content: a changed row would no longer match its name.
    shape = ExplanationShape.objects.get()
    canonical = json.dumps(shape.content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert hashlib.sha256(canonical.encode()).hexdigest() == shape.digest
    # A decision carries its values only, not four pre-rendered trees and texts.
    assert approved.explanation == {} and approved.explanation_text == {}
    assert len(json.dumps(approved.explanation_values)) < len(canonical) / 5


@pytest.mark.django_db
def test_it_never_changes_a_stored_shape(az_world):
    decision = _decide("300.00")
    shape = ExplanationShape.objects.get(pk=decision.explanation_shape_id)
    shape.content = {}
    with pytest.raises(AppendOnlyError):
        shape.save()
    with pytest.raises(AppendOnlyError):
        shape.delete()


@pytest.mark.django_db
def test_it_renders_from_the_frozen_record_without_the_rulebook(az_world, monkeypatch):
    decision = _decide("3000.00")
    before = decision_explanation_text(decision=decision, language="az")

    def no_rulebook(country: str) -> None:
        raise AssertionError("a stored explanation must not be rebuilt from today's rulebook")

    monkeypatch.setattr(rules_bridge, "rulebook_for", no_rulebook)
    again = Decision.objects.get(pk=decision.pk)
    assert decision_explanation_text(decision=again, language="az") == before


@pytest.mark.django_db
def test_it_reads_a_decision_taken_before_shapes_from_its_stored_texts(az_world):
    household = make_household(head_wage="300.00")
    case = case_submit(
        service=TSSA,
        applicant=head_of(household),
        household=household,
        channel="portal",
        period="2026-03",
        documents=TSSA_DOCS,
    )
    Decision.objects.filter(case=case).update(is_current=False)
    old = Decision.objects.create(
        case=case,
        basis=DecisionBasis.RULES,
        outcome=Outcome.APPROVED,
        decided_at=timezone.now(),
        explanation={"en": {"outputs": [{"variable": "tssa_eligible"}]}},
        explanation_text={"en": "How it was decided", "ru": "Как определено"},
    )
    assert decision_explanation_text(decision=old, language="ru") == "Как определено"
    assert decision_explanation_text(decision=old, language="az") == "How it was decided"
    tree = decision_explanation_tree(decision=old, language="en")
    assert tree["outputs"][0]["variable"] == "tssa_eligible"
    assert decision_explanation_text(decision=None) == ""
