"""Reads of the citizen portal. Everything a citizen can open is fetched here, scoped to their
own person and household: an id belonging to another household is a 404, never a page.

Each cabinet page costs a fixed handful of indexed queries, whatever the registry's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dost.benefits.models import Award, AwardAmount, AwardStatus, Frequency, Payment, PaymentStatus
from dost.cases.models import Case, Decision, Notification
from dost.cases.selectors import inbox_for_person
from dost.cases.sla import SlaState, sla_state
from dost.centres.models import Appointment, AppointmentStatus, Ticket, TicketStatus
from dost.portal.models import Upload
from dost.proactive.models import ActionKind, ActionStatus, ProactiveAction
from dost.registry.models import Household, InsuranceRecord, Membership, Person, Role

DEMO_CITIZENS = 6
RECENT_PAYMENTS = 24
RECENT_TICKETS = 20
INBOX_SIZE = 50


def citizen_person(user: Any) -> Person:
    """The registry person of a signed-in citizen (the views are `citizen_required`)."""
    return Person.objects.select_related("district").get(citizen_link__user=user)


def household_membership(*, person: Person, on: dt.date | None = None) -> Membership | None:
    """The person's membership in force today (a person belongs to one household at a time)."""
    day = on or timezone.localdate()
    return (
        Membership.objects.select_related("household", "household__district")
        .filter(person=person, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by("-joined_on", "-id")
        .first()
    )


def household_members(*, household: Household, on: dt.date | None = None) -> list[Membership]:
    day = on or timezone.localdate()
    return list(
        Membership.objects.select_related("person")
        .filter(household=household, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .order_by("joined_on", "id")
    )


def _scope(person: Person, household: Household | None, person_field: str,
           household_field: str | None) -> Q:
    """Rows of the person, of anyone in their household, or of the household itself."""
    scope = Q(**{person_field: person})
    if household is not None:
        member_ids = Membership.objects.filter(household=household).values("person_id")
        scope |= Q(**{f"{person_field}__in": member_ids})
        if household_field:
            scope |= Q(**{household_field: household})
    return scope


# --- Applications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case: Case
    sla: SlaState | None


def cases_for_citizen(*, person: Person, household: Household | None) -> QuerySet[Case]:
    scope = Q(applicant=person)
    if household is not None:
        scope |= Q(household=household)
    return Case.objects.filter(scope).select_related("service", "applicant")


def case_rows(*, person: Person, household: Household | None, limit: int = 50) -> list[CaseRow]:
    today = timezone.localdate()
    return [
        CaseRow(
            case=c,
            sla=sla_state(due_on=c.due_on, country=c.service.country, today=today)
            if c.is_open else None,
        )
        for c in cases_for_citizen(person=person, household=household)[:limit]
    ]


def case_get_for_citizen(*, person: Person, household: Household | None, case_id: int) -> Case:
    try:
        return cases_for_citizen(person=person, household=household).get(pk=case_id)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def case_current_decision(*, case: Case) -> Decision | None:
    return Decision.objects.filter(case=case, is_current=True).first()


def case_uploads(*, case: Case) -> list[Upload]:
    return list(Upload.objects.filter(case=case).order_by("code"))


def upload_get_for_citizen(*, person: Person, upload_id: int) -> Upload:
    """A file is handed back only to the person who uploaded it."""
    try:
        return Upload.objects.get(pk=upload_id, person=person)
    except Upload.DoesNotExist as exc:
        raise Http404 from exc


def draft_uploads(*, person: Person, service_id: int) -> dict[str, Upload]:
    rows = Upload.objects.filter(person=person, service_id=service_id, case=None)
    return {u.code: u for u in rows.order_by("created_at", "id")}


# --- Benefits and payments --------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRow:
    award: Award
    amount: Decimal | None  # the amount in force now
    next_period: str | None  # the next month expected to be paid, for a running monthly award
    next_amount: Decimal | None


def _amount_on(versions: list[AwardAmount], day: dt.date) -> Decimal | None:
    current = [v for v in versions if v.valid_from <= day]
    return max(current, key=lambda v: (v.valid_from, v.pk)).amount if current else None


def _next_period(award: Award, paid: set[str], today: dt.date) -> str | None:
    if award.status != AwardStatus.ACTIVE or award.frequency != Frequency.MONTHLY:
        return None
    year, month = today.year, today.month
    first = max(dt.date(year, month, 1), award.start.replace(day=1))
    year, month = first.year, first.month
    # The first month from now on not yet paid (a payroll run may already cover this month).
    for _ in range(3):
        period = f"{year:04d}-{month:02d}"
        if period not in paid:
            day = dt.date(year, month, 1)
            return period if award.end is None or award.end >= day else None
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def awards_for_citizen(*, person: Person, household: Household | None) -> list[AwardRow]:
    today = timezone.localdate()
    awards = list(
        Award.objects.filter(_scope(person, household, "person", "household"))
        .select_related("service", "person")
        .prefetch_related(
            Prefetch("amounts", queryset=AwardAmount.objects.order_by("valid_from", "id")),
        )
        .order_by("-start", "id")
    )
    paid: dict[int, set[str]] = {}
    for award_id, period in Payment.objects.filter(award__in=awards).exclude(
        status=PaymentStatus.REJECTED
    ).values_list("award_id", "period"):
        paid.setdefault(award_id, set()).add(period)
    rows = []
    for award in awards:
        versions = list(award.amounts.all())
        nxt = _next_period(award, paid.get(award.pk, set()), today)
        rows.append(AwardRow(
            award=award, amount=_amount_on(versions, today), next_period=nxt,
            next_amount=_amount_on(versions, dt.date.fromisoformat(f"{nxt}-01")) if nxt else None,
        ))
    return rows


def payments_for_citizen(*, person: Person, household: Household | None) -> list[Payment]:
    return list(
        Payment.objects.filter(_scope(person, household, "award__person", "award__household"))
        .select_related("award__service", "award__person")
        .order_by("-period", "-id")[:RECENT_PAYMENTS]
    )


# --- Proactive offers -------------------------------------------------------------------------


def offers_for_citizen(*, person: Person, household: Household | None) -> list[ProactiveAction]:
    return list(
        ProactiveAction.objects.filter(
            _scope(person, household, "person", "household"),
            kind=ActionKind.OFFER, status=ActionStatus.OPEN,
        ).select_related("service", "case", "person").order_by("id")
    )


def offer_get_for_citizen(
    *, person: Person, household: Household | None, offer_id: int
) -> ProactiveAction:
    try:
        return ProactiveAction.objects.select_related("service", "case").get(
            _scope(person, household, "person", "household"), pk=offer_id, kind=ActionKind.OFFER,
        )
    except ProactiveAction.DoesNotExist as exc:
        raise Http404 from exc


def offer_amount(offer: ProactiveAction) -> Decimal | None:
    if offer.case_id is None:
        return None
    decision = Decision.objects.filter(case_id=offer.case_id, is_current=True).first()
    return decision.amount if decision else None


# --- Registry facts ---------------------------------------------------------------------------


def insurance_record(*, person: Person) -> InsuranceRecord | None:
    """The latest insurance record and pension capital held (retracted facts do not count)."""
    return (
        InsuranceRecord.objects.filter(person=person, retracted_at__isnull=True)
        .order_by("-as_of", "-id").first()
    )


# --- Inbox ------------------------------------------------------------------------------------


def inbox(*, person: Person) -> list[Notification]:
    return list(inbox_for_person(person=person).select_related("case")[:INBOX_SIZE])


def inbox_unread(*, person: Person) -> int:
    return inbox_for_person(person=person).filter(read_at__isnull=True).count()


# --- Centres ----------------------------------------------------------------------------------


def appointments_for_citizen(*, person: Person) -> list[Appointment]:
    since = timezone.now() - dt.timedelta(days=90)
    return list(
        Appointment.objects.filter(person=person, starts_at__gte=since)
        .select_related("centre", "service_group").order_by("-starts_at", "-id")
    )


def appointment_get_for_citizen(*, person: Person, appointment_id: int) -> Appointment:
    try:
        return Appointment.objects.select_related("centre", "service_group").get(
            pk=appointment_id, person=person,
        )
    except Appointment.DoesNotExist as exc:
        raise Http404 from exc


def appointment_is_booked(appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > timezone.now()


def tickets_for_citizen(*, person: Person) -> list[Ticket]:
    return list(
        Ticket.objects.filter(person=person)
        .select_related("centre", "service_group", "rating")
        .order_by("-issued_at", "-id")[:RECENT_TICKETS]
    )


def ticket_get_rateable(*, person: Person, ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related("centre", "service_group").get(
            pk=ticket_id, person=person, status=TicketStatus.DONE, rating__isnull=True,
        )
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


# --- Demo sign-in -----------------------------------------------------------------------------


def demo_citizens() -> list[Person]:
    """A few heads of household to sign in as, in the embedded demo only."""
    return [
        m.person for m in Membership.objects.filter(
            left_on__isnull=True, role=Role.HEAD, person__death_date__isnull=True,
        ).select_related("person").order_by("id")[:DEMO_CITIZENS]
    ]
