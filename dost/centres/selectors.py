"""Reads for centres: access-checked fetches, the board, estimated waits and appointment slots.

Estimated wait (docs/centres.md): minutes ≈ ⌈ahead × s ÷ c⌉, where `ahead` is the number of
waiting tickets of the group that will be called first, `s` the mean service time of the
group's last `RECENT_SERVICES` finished visits of the past `RECENT_DAYS` days (the passport's
standard minutes while there are fewer than `MIN_SAMPLES`), and `c` the number of counters
serving the group with a shift now (all its active counters when no shift is recorded; at
least 1).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, PermissionsMixin
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dost.centres.hours import centre_hours_on
from dost.centres.models import (
    Appointment,
    AppointmentStatus,
    Centre,
    Counter,
    Escalation,
    EscalationStatus,
    ServiceGroup,
    Shift,
    Ticket,
    TicketStatus,
)

RECENT_SERVICES = 20
RECENT_DAYS = 7
MIN_SAMPLES = 5
BOARD_ROWS = 8

PERM_OPERATE = "centres.operate_counter"
PERM_SUPERVISE = "centres.supervise_centre"

User = AbstractBaseUser | AnonymousUser


def _can(user: User, permission: str) -> bool:
    # request.user is typed as the base user; the project's user model has permissions.
    return user.is_authenticated and cast(PermissionsMixin, user).has_perm(permission)


def centre_get_public(*, code: str) -> Centre:
    """An active centre by code (kiosk, board and booking pages are public)."""
    try:
        return Centre.objects.get(code=code, is_active=True)
    except Centre.DoesNotExist as exc:
        raise Http404 from exc


def centres_public() -> QuerySet[Centre]:
    return Centre.objects.filter(is_active=True)


def service_groups_of(*, centre: Centre) -> QuerySet[ServiceGroup]:
    return ServiceGroup.objects.filter(centre=centre).prefetch_related("services")


def service_group_get(*, centre: Centre, group_id: int | str) -> ServiceGroup:
    try:
        return ServiceGroup.objects.select_related("centre").get(centre=centre, pk=group_id)
    except (ServiceGroup.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def ticket_get_by_token(*, token: str) -> Ticket:
    try:
        return Ticket.objects.select_related("centre", "service_group", "counter").get(
            rating_token=token
        )
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def appointment_get_by_token(*, token: str) -> Appointment:
    try:
        return Appointment.objects.select_related("centre", "service_group").get(token=token)
    except Appointment.DoesNotExist as exc:
        raise Http404 from exc


def appointment_get_by_code(*, centre: Centre, code: str) -> Appointment | None:
    code = code.strip()
    if len(code) != 8:
        return None
    found = list(
        Appointment.objects.select_related("centre", "service_group", "person")
        .filter(centre=centre, token__startswith=code)[:2]
    )
    return found[0] if len(found) == 1 else None


def ticket_get_by_code(*, centre: Centre, code: str) -> Ticket | None:
    """The ticket of `centre` whose rating token starts with `code` (printed on the ticket)."""
    code = code.strip()
    if len(code) != 8:
        return None
    found = list(Ticket.objects.filter(centre=centre, rating_token__startswith=code)[:2])
    return found[0] if len(found) == 1 else None


# Staff access ------------------------------------------------------------------------------


def counters_for_operator(*, user: User, now: dt.datetime | None = None) -> list[Counter]:
    """Counters the user has a shift on today (any time of the day), by centre and number."""
    if not _can(user, PERM_OPERATE):
        return []
    day = timezone.localdate(now or timezone.now())
    return list(
        Counter.objects.filter(shifts__user_id=user.pk or 0, shifts__date=day, is_active=True)
        .select_related("centre").distinct().order_by("centre__code", "number")
    )


def counter_get_for_operator(
    *, user: User, counter_id: int, now: dt.datetime | None = None,
) -> Counter:
    for counter in counters_for_operator(user=user, now=now):
        if counter.pk == counter_id:
            return counter
    raise Http404


def counter_current_ticket(*, counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.select_related("service_group")
        .filter(counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .first()
    )


def ticket_get_for_counter(*, counter: Counter, ticket_id: int) -> Ticket:
    try:
        return Ticket.objects.select_related("service_group", "centre").get(
            pk=ticket_id, counter=counter,
        )
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def centres_for_supervisor(*, user: User) -> QuerySet[Centre]:
    if not _can(user, PERM_SUPERVISE):
        return Centre.objects.none()
    if getattr(user, "is_superuser", False):
        return Centre.objects.all()
    return Centre.objects.filter(supervisors__pk=user.pk or 0)


def centre_get_for_supervisor(*, user: User, code: str) -> Centre:
    try:
        return centres_for_supervisor(user=user).get(code=code)
    except Centre.DoesNotExist as exc:
        raise Http404 from exc


def escalations_for_supervisor(
    *, user: User, status: str | None = EscalationStatus.OPEN,
) -> QuerySet[Escalation]:
    escalations = Escalation.objects.filter(centre__in=centres_for_supervisor(user=user))
    if status:
        escalations = escalations.filter(status=status)
    return escalations.select_related(
        "centre", "rating", "rating__ticket", "rating__ticket__service_group",
        "rating__ticket__counter", "rating__ticket__operator",
    )


def escalation_get_for_supervisor(*, user: User, escalation_id: int) -> Escalation:
    try:
        return escalations_for_supervisor(user=user, status=None).get(pk=escalation_id)
    except Escalation.DoesNotExist as exc:
        raise Http404 from exc


# Waiting times and the board ---------------------------------------------------------------


def _mean_service_seconds(*, group: ServiceGroup, now: dt.datetime) -> float:
    recent = (
        Ticket.objects.filter(
            service_group=group, status=TicketStatus.DONE,
            service_ended_at__gte=now - dt.timedelta(days=RECENT_DAYS),
            service_ended_at__lte=now,
        )
        .order_by("-service_ended_at")
        .values_list("service_started_at", "service_ended_at")[:RECENT_SERVICES]
    )
    durations = [(end - start).total_seconds() for start, end in recent if start and end]
    if len(durations) < MIN_SAMPLES:
        return group.effective_standard_minutes() * 60.0
    return sum(durations) / len(durations)


def _counters_serving(*, group: ServiceGroup, now: dt.datetime) -> int:
    local = timezone.localtime(now)
    counters = group.counters.filter(is_active=True)
    staffed = counters.filter(
        pk__in=Shift.objects.filter(
            date=local.date(), starts__lte=local.time(), ends__gt=local.time(),
        ).values("counter")
    ).count()
    return max(1, staffed or counters.count())


def _ahead(*, group: ServiceGroup, day: dt.date, ticket: Ticket | None) -> int:
    waiting = Ticket.objects.filter(service_group=group, day=day, status=TicketStatus.WAITING)
    if ticket is None:
        return waiting.count()
    if ticket.is_priority:
        before = Q(is_priority=True, queued_at__lt=ticket.queued_at)
    else:
        # Priority tickets are called first, whenever they came (bounded by the fairness rule).
        before = Q(is_priority=True) | Q(is_priority=False, queued_at__lt=ticket.queued_at)
    return waiting.filter(before).exclude(pk=ticket.pk).count()


def estimated_wait_minutes(
    *, group: ServiceGroup, ticket: Ticket | None = None, now: dt.datetime | None = None,
) -> int:
    """Minutes a new ticket (or `ticket`, while it waits) is expected to wait."""
    now = now or timezone.now()
    ahead = _ahead(group=group, day=timezone.localdate(now), ticket=ticket)
    if ahead == 0:
        return 0
    seconds = ahead * _mean_service_seconds(group=group, now=now)
    return math.ceil(seconds / _counters_serving(group=group, now=now) / 60)


@dataclass(frozen=True)
class QueueLine:
    group: ServiceGroup
    waiting: int
    wait_minutes: int


@dataclass(frozen=True)
class BoardState:
    centre: Centre
    called: list[Ticket]
    queues: list[QueueLine]
    updated_at: dt.datetime


def board_state(*, centre: Centre, now: dt.datetime | None = None) -> BoardState:
    """The tickets called most recently (newest first) and every queue's length and wait."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    called = list(
        Ticket.objects.filter(
            centre=centre, day=day, status__in=[TicketStatus.CALLED, TicketStatus.SERVING],
        )
        .select_related("service_group", "counter")
        .order_by("-last_called_at", "-id")[:BOARD_ROWS]
    )
    counts = dict(
        Ticket.objects.filter(centre=centre, day=day, status=TicketStatus.WAITING)
        .values_list("service_group").annotate(n=Count("id")).values_list("service_group", "n")
    )
    queues = [
        QueueLine(
            group=group, waiting=counts.get(group.pk, 0),
            wait_minutes=estimated_wait_minutes(group=group, now=now),
        )
        for group in service_groups_of(centre=centre)
    ]
    return BoardState(centre=centre, called=called, queues=queues, updated_at=now)


def queue_counts(*, counter: Counter, now: dt.datetime | None = None) -> dict[str, int]:
    day = timezone.localdate(now or timezone.now())
    waiting = Ticket.objects.filter(
        service_group__in=counter.service_groups.all(), day=day, status=TicketStatus.WAITING,
    )
    return {
        "normal": waiting.filter(is_priority=False).count(),
        "priority": waiting.filter(is_priority=True).count(),
    }


# Appointments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


def slot_capacity(*, service_group: ServiceGroup) -> int:
    """Appointments per slot: the group's counters × its appointment share (at least 1 when
    it has counters and a share), the rest of the capacity being kept for walk-ins."""
    counters = service_group.counters.filter(is_active=True).count()
    if counters == 0 or service_group.appointment_share == 0:
        return 0
    return max(1, counters * service_group.appointment_share // 100)


def appointment_slots(
    *, service_group: ServiceGroup, day: dt.date, now: dt.datetime | None = None,
) -> list[Slot]:
    """Slots of one day: every `standard minutes` from opening while a whole visit fits.

    A day's capacity is thus counters × opening minutes ÷ standard minutes, times the share
    kept for appointments. Slots already begun are not offered.
    """
    now = now or timezone.now()
    hours = centre_hours_on(centre=service_group.centre, day=day)
    capacity = slot_capacity(service_group=service_group)
    if hours is None or capacity == 0:
        return []
    length = dt.timedelta(minutes=service_group.effective_standard_minutes())
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, hours[0], tzinfo=tz)
    close = dt.datetime.combine(day, hours[1], tzinfo=tz)
    booked = dict(
        Appointment.objects.filter(
            service_group=service_group, starts_at__gte=start, starts_at__lt=close,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
        ).values_list("starts_at").annotate(n=Count("id")).values_list("starts_at", "n")
    )
    slots = []
    while start + length <= close:
        if start > now:
            slots.append(Slot(starts_at=start, capacity=capacity, booked=booked.get(start, 0)))
        start += length
    return slots
