"""Reads for the API: registry rows shaped to what the calling client's scopes allow."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Prefetch, Q, Subquery

from dost.benefits.models import Award, AwardAmount, Payment
from dost.registry.models import (
    DisabilityDetermination,
    District,
    EmploymentContract,
    Household,
    Membership,
    Person,
)

SEARCH_PAGE_MAX = 200
PAYMENTS_PAGE_MAX = 200
PAYMENT_CURSOR = "y"


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
    ).order_by().values("household__reference")[:1]
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


# The look-up by personal ID is the API's hottest path: one hand-written statement (person,
# district code, current household) instead of a queryset Django compiles on every request,
# which cost more CPU than the database spent answering it (docs/performance.md, API).
_PERSON_COLUMNS = (
    "personal_id", "last_name", "first_name", "patronymic", "birth_date", "sex", "death_date",
    "citizenship", "residence_status", "phone", "email",
)


@cache
def _person_sql(vendor: str) -> str:
    # Built once per database vendor, not on every call.
    qn = connection.ops.quote_name
    person, district = Person._meta.db_table, District._meta.db_table
    membership, household = Membership._meta.db_table, Household._meta.db_table
    columns = ", ".join(f"p.{qn(c)}" for c in _PERSON_COLUMNS)
    # Every name is a quoted identifier from the models; the personal ID is a parameter.
    return (
        f"SELECT p.{qn('id')}, {columns}, d.{qn('code')}, "  # noqa: S608
        f"(SELECT h.{qn('reference')} FROM {qn(membership)} m "
        f"JOIN {qn(household)} h ON h.{qn('id')} = m.{qn('household_id')} "
        f"WHERE m.{qn('person_id')} = p.{qn('id')} AND m.{qn('left_on')} IS NULL LIMIT 1) "
        f"FROM {qn(person)} p LEFT JOIN {qn(district)} d ON d.{qn('id')} = p.{qn('district_id')} "
        f"WHERE p.{qn('personal_id')} = %s"
    )


def _date(value: Any) -> dt.date | None:
    # SQLite hands dates back as text through a bare cursor; PostgreSQL as dates.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def person_get(*, personal_id: str, view: PersonView) -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute(_person_sql(connection.vendor), [personal_id.strip().upper()])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, values, district_code, household = row[0], dict(zip(_PERSON_COLUMNS, row[1:12],
                                                            strict=True)), row[12], row[13]
    data: dict[str, Any] = {
        name: values[name] for name in _PERSON_COLUMNS if name not in ("phone", "email")
    }
    data["birth_date"], data["death_date"] = _date(data["birth_date"]), _date(data["death_date"])
    data["district"], data["household"] = district_code, household
    if view.contact:
        data["contact"] = {"phone": values["phone"], "email": values["email"]}
    if view.disability:
        data["disabilities"] = [
            {"impairment_percent": d.impairment_percent, "group": d.group,
             "valid_from": d.valid_from, "valid_to": d.valid_to}
            for d in DisabilityDetermination.objects.filter(person_id=pk, retracted_at__isnull=True)
        ]
    if view.employment:
        data["employment"] = [
            {"employer_name": c.employer_name, "employer_tax_id": c.employer_tax_id,
             "start_date": c.start_date, "end_date": c.end_date,
             "monthly_wage": c.monthly_wage}
            for c in EmploymentContract.objects.filter(person_id=pk, retracted_at__isnull=True)
        ]
    return data


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


def cursor_encode(last_id: int, kind: str = "p") -> str:
    """`kind` tells the lists apart, so a cursor of one list is refused by another."""
    return base64.urlsafe_b64encode(f"{kind}{last_id}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str, kind: str = "p") -> int | None:
    """The last id of the previous page, or None if the cursor is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    digits = raw[len(kind):]
    if not raw.startswith(kind) or not digits.isdigit() or len(raw) > 20:
        return None
    return int(digits)


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


@dataclass(frozen=True)
class BenefitsView:
    """Which sections of a person's benefits the client may see: a bank paying benefits reads
    payments without learning which service (a disability pension, say) they are for."""

    awards: bool = False
    payments: bool = False


def _amount_on(amounts: list[AwardAmount], day: dt.date) -> Any:
    """The version in force on `day`; before the award starts, its first amount."""
    current = amounts[0].amount if amounts else None
    for version in amounts:  # ordered by valid_from
        if version.valid_from <= day:
            current = version.amount
    return current


def _award_dict(award: Award, today: dt.date) -> dict[str, Any]:
    amounts = list(award.amounts.all())
    return {
        "id": award.pk,
        "service": award.service.code,
        "frequency": award.frequency,
        "currency": award.currency,
        "start": award.start,
        "end": award.end,
        "status": award.status,
        "amount": _amount_on(amounts, today),
        "amounts": [{"amount": a.amount, "valid_from": a.valid_from} for a in amounts],
    }


def _payment_dict(payment: Payment, view: BenefitsView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "end_to_end_id": f"DOST-{payment.pk}",
        "period": payment.period,
        "kind": payment.kind,
        "amount": payment.amount,
        "currency": payment.currency,
        "status": payment.status,
        "rejection_reason": payment.rejection_reason,
        "bank": payment.bank,
        "account": payment.account,
        "created_at": payment.created_at,
    }
    if view.awards:
        # Which award (and so which service) a payment is for is award data.
        data["award"] = payment.award_id
    return data


def person_benefits_get(
    *, personal_id: str, view: BenefitsView, before_id: int | None = None,
    limit: int = 50,
) -> dict[str, Any] | None:
    """A person's own awards (all of them) and a page of their payments, newest first, each
    section only if the view allows it; `next_before` is the last payment's key if more may
    follow. Awards to the person's household (their beneficiary is the household) are not here.
    None if the person is unknown."""
    person_pk = (
        Person.objects.filter(personal_id=personal_id.strip().upper())
        .values_list("pk", flat=True).first()
    )
    if person_pk is None:
        return None
    data: dict[str, Any] = {"personal_id": personal_id.strip().upper()}
    if view.awards:
        today = dt.date.today()
        awards = (
            Award.objects.filter(person_id=person_pk).select_related("service")
            .prefetch_related(Prefetch("amounts", AwardAmount.objects.order_by("valid_from")))
            .order_by("start", "id")
        )
        data["awards"] = [_award_dict(award, today) for award in awards]
    if view.payments:
        limit = max(1, min(limit, PAYMENTS_PAGE_MAX))
        # Newest first by key: payments are only ever added, so pages stay stable and each is
        # one index range scan however far back the client pages.
        qs = Payment.objects.filter(award__person_id=person_pk)
        if before_id is not None:
            qs = qs.filter(pk__lt=before_id)
        page = list(qs.order_by("-pk")[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        data["payments"] = [_payment_dict(payment, view) for payment in page]
        data["next_before"] = page[-1].pk if more and page else None
    return data
