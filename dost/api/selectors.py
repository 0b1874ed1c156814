"""Reads for the API: registry rows shaped to what the calling client's scopes allow."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, Q, Subquery

from dost.registry.models import (
    DisabilityDetermination,
    EmploymentContract,
    Household,
    Membership,
    Person,
)

SEARCH_PAGE_MAX = 200


@dataclass(frozen=True)
class PersonView:
    """Which optional sections of a person the client may see."""

    contact: bool = False
    disability: bool = False
    employment: bool = False


def _persons(view: PersonView) -> Any:
    # The current household in the same query (a person has at most one open membership).
    current_household = Membership.objects.filter(
        person=OuterRef("pk"), left_on__isnull=True
    ).values("household__reference")[:1]
    qs = Person.objects.select_related("district").annotate(
        current_household=Subquery(current_household)
    )
    if view.disability:
        qs = qs.prefetch_related(Prefetch(
            "disabilities",
            queryset=DisabilityDetermination.objects.filter(retracted_at__isnull=True),
            to_attr="current_disabilities",
        ))
    if view.employment:
        qs = qs.prefetch_related(Prefetch(
            "contracts", queryset=EmploymentContract.objects.filter(retracted_at__isnull=True),
            to_attr="current_contracts",
        ))
    return qs


def person_dict(person: Person, view: PersonView) -> dict[str, Any]:
    """A person as the API shows it; sections outside the view are left out entirely."""
    data: dict[str, Any] = {
        "personal_id": person.personal_id,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "death_date": person.death_date,
        "citizenship": person.citizenship,
        "residence_status": person.residence_status,
        "district": person.district.code if person.district else None,
        "household": getattr(person, "current_household", None),
    }
    if view.contact:
        data["contact"] = {"phone": person.phone, "email": person.email}
    if view.disability:
        data["disabilities"] = [
            {"impairment_percent": d.impairment_percent, "group": d.group,
             "valid_from": d.valid_from, "valid_to": d.valid_to}
            for d in getattr(person, "current_disabilities", [])
        ]
    if view.employment:
        data["employment"] = [
            {"employer_name": c.employer_name, "employer_tax_id": c.employer_tax_id,
             "start_date": c.start_date, "end_date": c.end_date,
             "monthly_wage": c.monthly_wage}
            for c in getattr(person, "current_contracts", [])
        ]
    return data


def person_get(*, personal_id: str, view: PersonView) -> dict[str, Any] | None:
    person = _persons(view).filter(personal_id=personal_id.strip().upper()).first()
    return None if person is None else person_dict(person, view)


def household_get(*, reference: str, view: PersonView) -> dict[str, Any] | None:
    household = Household.objects.select_related("district").filter(reference=reference).first()
    if household is None:
        return None
    today = dt.date.today()
    memberships = list(
        Membership.objects.filter(household=household, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .order_by("joined_on", "id")
    )
    persons = {p.pk: p for p in _persons(view).filter(pk__in=[m.person_id for m in memberships])}
    return {
        "reference": household.reference,
        "district": household.district.code,
        "address": household.address,
        "created_on": household.created_on,
        "dissolved_on": household.dissolved_on,
        "members": [
            {"role": m.role, "joined_on": m.joined_on,
             "person": person_dict(persons[m.person_id], view)}
            for m in memberships
        ],
    }


def cursor_encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"p{last_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> int | None:
    """The last id of the previous page, or None if the cursor is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not raw.startswith("p") or not raw[1:].isdigit() or len(raw) > 20:
        return None
    return int(raw[1:])


@dataclass(frozen=True)
class SearchCriteria:
    district: str | None = None
    sex: str | None = None
    born_from: dt.date | None = None
    born_to: dt.date | None = None
    alive: bool | None = None
    citizenship: str | None = None
    last_name: str | None = None


def persons_search(
    *, criteria: SearchCriteria, view: PersonView, after_id: int, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of persons matching every criterion, in key order; and the last key if more
    may follow. Keyset pagination keeps every page one index range scan, however deep."""
    qs = _persons(view).filter(pk__gt=after_id)
    if criteria.district:
        qs = qs.filter(district__code=criteria.district)
    if criteria.sex:
        qs = qs.filter(sex=criteria.sex)
    if criteria.born_from:
        qs = qs.filter(birth_date__gte=criteria.born_from)
    if criteria.born_to:
        qs = qs.filter(birth_date__lte=criteria.born_to)
    if criteria.alive is not None:
        qs = qs.filter(death_date__isnull=criteria.alive)
    if criteria.citizenship:
        qs = qs.filter(citizenship=criteria.citizenship)
    if criteria.last_name:
        qs = qs.filter(last_name__iexact=criteria.last_name)
    limit = max(1, min(limit, SEARCH_PAGE_MAX))
    page = list(qs.order_by("pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return [person_dict(p, view) for p in page], (page[-1].pk if more and page else None)
