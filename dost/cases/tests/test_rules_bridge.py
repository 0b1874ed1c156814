"""The rules bridge's shared snapshots: one export per household and month inside the block."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dost.cases.rules_bridge import evaluate_for_case, snapshots_shared
from dost.cases.tests.conftest import TSSA, head_of, make_household
from dost.catalog.models import Service
from dost.registry.models import Income


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
