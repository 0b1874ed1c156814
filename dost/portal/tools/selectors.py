"""Reads the tools make from the registry: a signed-in citizen's own pension facts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dost.registry.models import InsuranceRecord, Person


def pension_facts(*, person: Person) -> dict[str, Any]:
    """The calculator's answers from the registry: birth date, sex and the latest statement of
    the social insurance fund (record and capital), when there is one."""
    facts: dict[str, Any] = {"birth_date": person.birth_date, "sex": person.sex}
    latest = (
        InsuranceRecord.objects.filter(person=person, retracted_at__isnull=True)
        .order_by("-as_of", "-id").first()
    )
    if latest is not None:
        facts["record_years"] = (Decimal(latest.record_months) / 12).quantize(Decimal("0.1"))
        facts["capital"] = latest.pension_capital
    return facts
