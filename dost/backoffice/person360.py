"""Everything the state holds about one person, on one page, in a fixed number of queries.

One query per kind of thing (household memberships over time, each fact table, life events,
cases, awards with their current amount, payments, tickets with their rating, appointments):
no query per row, so the page costs the same for a person with one record as with hundreds.
Long histories are cut to the most recent LIMIT rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from dost.benefits.models import Award, AwardAmount, Payment
from dost.cases.models import Case
from dost.centres.models import Appointment, Ticket
from dost.registry.models import (
    DisabilityDetermination,
    EmploymentContract,
    Income,
    InsuranceRecord,
    LifeEvent,
    Membership,
    Person,
    PersonStatus,
    PropertyPurpose,
    RealEstate,
    StatusKind,
    UtilitySpending,
    Vehicle,
)

LIMIT = 50
INCOME_MONTHS = 24


@dataclass(frozen=True)
class DatedFact:
    """A vehicle, a property or a status, read together in one query (see `_dated_facts`)."""

    label: str
    detail: str
    start: dt.date
    end: dt.date | None
    retracted: bool


@dataclass(frozen=True)
class Person360:
    person: Person
    memberships: list[Membership]  # every household the person was ever in, with all members
    current_household_id: int | None
    incomes: list[Income]
    contracts: list[EmploymentContract]
    insurance: list[InsuranceRecord]
    disabilities: list[DisabilityDetermination]
    statuses: list[DatedFact]
    vehicles: list[DatedFact]
    real_estate: list[DatedFact]
    utilities: list[UtilitySpending]
    events: list[LifeEvent]
    cases: list[Case]
    awards: list[Award]
    payments: list[Payment]
    tickets: list[Ticket]
    appointments: list[Appointment]

    @property
    def other_member_ids(self) -> list[int]:
        return sorted({m.person_id for m in self.memberships} - {self.person.pk})

    def households(self) -> list[tuple[Any, list[Membership]]]:
        """(household, its memberships over time), the current household first."""
        grouped: dict[int, tuple[Any, list[Membership]]] = {}
        for m in self.memberships:
            grouped.setdefault(m.household_id, (m.household, []))[1].append(m)
        return sorted(
            grouped.values(),
            key=lambda item: (item[0].pk != self.current_household_id, -item[0].pk),
        )


def _recent(queryset: Any, *order: str) -> list[Any]:
    return list(queryset.order_by(*order)[:LIMIT])


def _dated_facts(person_id: int) -> dict[str, list[DatedFact]]:
    """Vehicles, real estate and statuses share a shape (what, from, to): one UNION query."""
    columns = ("f_kind", "f_code", "f_detail", "f_start", "f_end", "f_retracted")

    def shaped(model: Any, kind: str, code: str, detail: Any, start: str, end: str) -> Any:
        return (
            model.objects.filter(person_id=person_id).order_by()
            .annotate(f_kind=Value(kind, output_field=CharField()), f_code=F(code),
                      f_detail=detail, f_start=F(start), f_end=F(end),
                      f_retracted=F("retracted_at"))
            .values_list(*columns)
        )

    rows = shaped(
        Vehicle, "vehicle", "registration_number", Value("", output_field=CharField()),
        "acquired_on", "disposed_on",
    ).union(
        shaped(RealEstate, "real_estate", "purpose", F("address"), "acquired_on", "disposed_on"),
        shaped(PersonStatus, "status", "kind", Value("", output_field=CharField()),
               "valid_from", "valid_to"),
        all=True,
    ).order_by("-f_start")
    found: dict[str, list[DatedFact]] = {"vehicle": [], "real_estate": [], "status": []}
    for kind, code, detail, start, end, retracted in rows[: 3 * LIMIT]:
        if kind == "vehicle":
            label = _("Vehicle %(number)s") % {"number": code}
        elif kind == "real_estate":
            label = str(PropertyPurpose(code).label)
        else:
            label = str(StatusKind(code).label)
        found[kind].append(DatedFact(label=label, detail=detail, start=start, end=end,
                                     retracted=retracted is not None))
    return found


def person_360(*, person_id: int, today: dt.date | None = None) -> Person360:
    """The 360° view of a person; raises Person.DoesNotExist."""
    day = today or timezone.localdate()
    person = Person.objects.select_related("district__region").get(pk=person_id)
    own = Membership.objects.filter(person_id=person_id).values("household_id")
    memberships = list(
        Membership.objects.filter(household_id__in=Subquery(own))
        .select_related("person", "household__district")
        .order_by("household_id", "joined_on", "id")
    )
    current = next(
        (m.household_id for m in memberships if m.person_id == person_id and m.left_on is None),
        None,
    )
    household_ids = sorted({m.household_id for m in memberships})
    since = dt.date(day.year - INCOME_MONTHS // 12, day.month, 1)
    current_amount = AwardAmount.objects.filter(
        award=OuterRef("pk"), valid_from__lte=day
    ).order_by("-valid_from", "-id").values("amount")[:1]
    dated = _dated_facts(person_id)
    award_scope = Q(person_id=person_id) | Q(household_id__in=household_ids)
    return Person360(
        person=person,
        memberships=memberships,
        current_household_id=current,
        incomes=_recent(Income.objects.filter(person_id=person_id, month__gte=since),
                        "-month", "type"),
        contracts=_recent(EmploymentContract.objects.filter(person_id=person_id),
                          "-start_date"),
        insurance=_recent(InsuranceRecord.objects.filter(person_id=person_id), "-as_of"),
        disabilities=_recent(DisabilityDetermination.objects.filter(person_id=person_id),
                             "-valid_from"),
        statuses=dated["status"],
        vehicles=dated["vehicle"],
        real_estate=dated["real_estate"],
        utilities=_recent(
            UtilitySpending.objects.filter(household_id=current, month__gte=since)
            if current else UtilitySpending.objects.none(),
            "-month", "kind",
        ),
        events=_recent(LifeEvent.objects.filter(person_id=person_id), "-occurred_on", "-id"),
        cases=_recent(
            Case.objects.filter(Q(applicant_id=person_id) | Q(beneficiary_id=person_id))
            .select_related("service"),
            "-submitted_on", "-id",
        ),
        awards=_recent(
            Award.objects.filter(award_scope).select_related("service")
            .annotate(current_amount=Subquery(current_amount)),
            "-start", "-id",
        ),
        payments=_recent(
            Payment.objects.filter(award__in=Award.objects.filter(award_scope).values("pk"))
            .select_related("award__service"),
            "-period", "-id",
        ),
        tickets=_recent(
            Ticket.objects.filter(person_id=person_id)
            .select_related("centre", "service_group", "service", "rating"),
            "-issued_at",
        ),
        appointments=_recent(
            Appointment.objects.filter(person_id=person_id).select_related("centre"),
            "-starts_at",
        ),
    )
