"""The rules bridge's shared snapshots: one export per household and month inside the block."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dost.cases.rules_bridge import (
    CaseToDecide,
    RulesOutcome,
    evaluate_for_case,
    evaluate_for_cases,
    snapshots_shared,
)
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.catalog.models import Service
from dost.registry.models import Income, IncomeType, Role, Source


@pytest.mark.django_db
def test_it_exports_a_household_once_inside_a_shared_block(az_world: None) -> None:
    household = make_household(head_wage="300.00")
    head = head_of(household)
    service = Service.objects.get(country="az", code=TSSA)

    def approved() -> bool:
        return evaluate_for_case(service=service, household_id=household.pk,
                                 applicant_id=head.pk, period="2026-03").approved

    with snapshots_shared():
        assert approved()
        Income.objects.filter(person=head).update(amount=Decimal("3000.00"))
        # The block promises no registry change, so the first export still answers.
        assert approved()
    assert not approved()  # outside the block every evaluation exports afresh


@pytest.mark.django_db
def test_a_chunk_is_decided_as_each_case_alone_even_at_a_half_qapik(az_world: None) -> None:
    # TSSA 2026: 3 × 300 − income ÷ 12. Head 12 × wage, spouse 1000.02 and child 350.04 once:
    # 1350.06 AZN (135006 qəpik ≡ 6 mod 12), so every average income is an exact half qəpik:
    # with a wage of 100.00 the average is (1200 + 1350.06) ÷ 12 = 212.505 → 212.51 (half up,
    # docs/rules.md "Money"), and the amount 900 − 212.51 = 687.49.
    service = Service.objects.get(country="az", code=TSSA)
    items = []
    for wage in ("100.00", "150.37", "200.99", "61.11"):
        household = make_household(head_wage=wage)
        spouse = household.memberships.get(role=Role.SPOUSE).person
        child = household.memberships.get(role=Role.CHILD).person
        Income.objects.bulk_create(
            Income(person=person, month=dt.date(2025, 6, 1), type=IncomeType.BENEFIT,
                   amount=Decimal(amount), source=Source.SYSTEM)
            for person, amount in ((spouse, "1000.02"), (child, "350.04"))
        )
        items.append(CaseToDecide(service=service, household_id=household.pk,
                                  applicant_id=head_of(household).pk, period="2026-03"))
    empty = make_household()
    items.append(CaseToDecide(service=service, household_id=empty.pk,
                              applicant_id=head_of(empty).pk, period="2009-01"))

    together = evaluate_for_cases(items)

    alone: list[Any] = []
    for item in items:
        try:
            alone.append(evaluate_for_case(service=item.service, household_id=item.household_id,
                                           applicant_id=item.applicant_id, period=item.period))
        except ValidationError as error:
            alone.append(error)
    assert isinstance(together[-1], ValidationError) and isinstance(alone[-1], ValidationError)
    assert together[-1].code == alone[-1].code == "not_in_period"
    for got, want in zip(together[:-1], alone[:-1], strict=True):
        assert isinstance(got, RulesOutcome) and isinstance(want, RulesOutcome)
        assert (got.approved, got.amount, got.reason_codes) == (
            want.approved, want.amount, want.reason_codes)
        assert got.outputs == want.outputs
        assert got.explanation_values == want.explanation_values
        assert got.shape.digest == want.shape.digest
        assert got.explanation_text("az") == want.explanation_text("az")
    first = together[0]
    assert isinstance(first, RulesOutcome) and first.amount == Decimal("687.49")
