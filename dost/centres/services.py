"""Every state change of a centre's queue, appointments and ratings.

Calling and concurrency. Many counters call at once; a ticket must never be called twice.
`ticket_call_next` locks the counter row (one operator per counter, so no contention there),
then picks the oldest waiting ticket of the lane the fairness rule chooses with
`SELECT … FOR UPDATE SKIP LOCKED LIMIT 1` on PostgreSQL: a ticket another counter is calling at
that instant is locked and skipped, not waited for, so fifty counters do not queue behind one
row, and a ticket committed as called no longer matches `status = 'waiting'`. The update is also
guarded by `status = 'waiting'` and must touch exactly one row.

On SQLite `select_for_update` is a no-op, and it is still safe: the project opens SQLite
transactions with BEGIN IMMEDIATE (settings.py), which takes the database's single write lock
at the start of the transaction, so two calling transactions never overlap — the second reads
the queue only after the first has committed.

Fairness rule (docs/centres.md): priority tickets (disability, elderly, pregnant) go first, but
a counter that has called `PRIORITY_BURST` priority tickets in a row calls the oldest normal
ticket next if one is waiting. At worst one call in `PRIORITY_BURST + 1` serves the normal lane.

On SQLite the same rule runs through the ORM (`_call_next_orm`); on PostgreSQL through the
three-statement path below it. Both are exercised by the same tests on either database.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from dost.catalog.models import Service
from dost.catalog.working_days import add_working_days
from dost.centres.hours import centre_is_open
from dost.centres.models import (
    Appointment,
    AppointmentStatus,
    Counter,
    Escalation,
    EscalationStatus,
    PriorityReason,
    Rating,
    RatingChannel,
    ServiceGroup,
    Ticket,
    TicketSource,
    TicketStatus,
)
from dost.registry.models import Person

logger = logging.getLogger(__name__)

PRIORITY_BURST = 2
# A score at or below this line on any of the three questions escalates the visit.
ESCALATION_SCORE = 3
ESCALATION_WORKING_DAYS = 2
# An appointment holder who checks in up to this long after the slot keeps the slot's place.
CHECK_IN_GRACE = dt.timedelta(minutes=10)
REMINDER_AHEAD = dt.timedelta(hours=24)

MSG_CENTRE_CLOSED = _("The centre is closed now. Tickets are issued during opening hours.")
MSG_GROUP_ELSEWHERE = _("This service is not offered at this centre.")
MSG_COUNTER_BUSY = _("Finish the current ticket before calling the next one.")
MSG_NOT_CALLED = _("Only a called ticket can be recalled, started or marked as a no-show.")
MSG_NOT_SERVING = _("Only a ticket being served can be finished.")
MSG_NOT_ACTIVE = _("Only a called ticket or one being served can be transferred.")
MSG_SAME_GROUP = _("Choose another service to transfer to.")
MSG_NOT_RATEABLE = _("Only a finished visit can be rated.")
MSG_ALREADY_RATED = _("This visit has already been rated. Thank you.")
MSG_BAD_SCORE = _("Each score is a whole number from 1 to 5.")
MSG_SMS_UNREADABLE = _(
    "Reply with the code from your ticket and three scores, e.g. Ab3dE9xY 5 4 5."
)
MSG_SLOT_UNAVAILABLE = _("This time is no longer available. Choose another time.")
MSG_APPOINTMENT_CLOSED = _("This appointment is no longer booked.")
MSG_CHECK_IN_DAY = _("This appointment is for another day.")
MSG_ESCALATION_RESOLVED = _("This escalation is already resolved.")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _next_number(*, service_group: ServiceGroup, day: dt.date) -> int:
    # Locking the group's row serialises numbering within the group (kiosks, portal, transfers)
    # while other groups issue in parallel; the unique constraint is the backstop.
    list(ServiceGroup.objects.select_for_update().filter(pk=service_group.pk).values("pk"))
    last = Ticket.objects.filter(service_group=service_group, day=day).aggregate(m=Max("number"))
    return int(last["m"] or 0) + 1


@transaction.atomic
def ticket_issue(
    *,
    service_group: ServiceGroup,
    source: TicketSource | str,
    priority_reason: PriorityReason | str = PriorityReason.NONE,
    person: Person | None = None,
    service: Service | None = None,
    appointment: Appointment | None = None,
    queued_at: dt.datetime | None = None,
    check_open: bool = True,
    now: dt.datetime | None = None,
) -> Ticket:
    """Issue the next ticket of `service_group` for today (A-001, A-002, … per group and day)."""
    now = _now(now)
    centre = service_group.centre
    if check_open and not centre_is_open(centre=centre, at=now):
        raise ValidationError(MSG_CENTRE_CLOSED, code="closed")
    if service is not None and not service_group.services.filter(pk=service.pk).exists():
        raise ValidationError(MSG_GROUP_ELSEWHERE, code="service")
    day = timezone.localdate(now)
    return Ticket.objects.create(
        centre=centre,
        service_group=service_group,
        service=service,
        day=day,
        number=_next_number(service_group=service_group, day=day),
        is_priority=bool(priority_reason),
        priority_reason=str(priority_reason),
        source=str(source),
        person=person,
        appointment=appointment,
        issued_at=now,
        queued_at=queued_at or now,
    )


def ticket_call_next(
    *, counter: Counter, operator: AbstractBaseUser, now: dt.datetime | None = None,
) -> Ticket | None:
    """Call the next ticket for `counter` by the fairness rule; None when nobody waits."""
    now = _now(now)
    day = timezone.localdate(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _call_next_postgresql(counter=counter, operator=operator, now=now, day=day)
        return _call_next_orm(counter=counter, operator=operator, now=now, day=day)


def _lanes(streak: int) -> list[bool]:
    # is_priority values in the order to try them (the fairness rule).
    return [False, True] if streak >= PRIORITY_BURST else [True, False]


def _call_next_orm(
    *, counter: Counter, operator: AbstractBaseUser, now: dt.datetime, day: dt.date,
) -> Ticket | None:
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    busy = Ticket.objects.filter(
        counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING],
    )
    if busy.exists():
        raise ValidationError(MSG_COUNTER_BUSY, code="busy")
    waiting = Ticket.objects.filter(
        centre_id=counter.centre_id, day=day, status=TicketStatus.WAITING,
        service_group__in=counter.service_groups.all(),
    ).order_by("queued_at", "id")
    for lane in _lanes(counter.priority_streak):
        ticket = waiting.filter(is_priority=lane).select_for_update().first()
        if ticket is not None:
            break
    else:
        return None
    ticket.status = TicketStatus.CALLED
    ticket.counter = counter
    ticket.operator = operator  # type: ignore[assignment]
    ticket.called_at = ticket.last_called_at = now
    ticket.save(update_fields=["status", "counter", "operator", "called_at", "last_called_at",
                               "updated_at"])
    _set_streak(counter=counter, old=counter.priority_streak, ticket=ticket)
    return ticket


# The hot path on PostgreSQL, in three statements: lock the counter and read its state; then
# one statement whose subquery picks and locks the oldest waiting ticket of a lane with SKIP
# LOCKED, marks it called and, if one was found, sets the counter's streak (tried again for the
# other lane when the first is empty); then COMMIT. Raw SQL because the ORM cannot express an
# UPDATE over a SKIP LOCKED subquery; the literal status 'waiting' lets the planner walk the
# partial index `centres_ticket_waiting` in calling order.
_PG_COUNTER = """
SELECT c.priority_streak, c.centre_id,
       EXISTS (SELECT 1 FROM centres_ticket t
               WHERE t.counter_id = c.id AND t.status IN ('called', 'serving')),
       ARRAY (SELECT g.servicegroup_id FROM centres_counter_service_groups g
              WHERE g.counter_id = c.id)
FROM centres_counter c WHERE c.id = %s FOR UPDATE OF c
"""
_PG_CALL = """
WITH called AS (
    UPDATE centres_ticket
    SET status = 'called', counter_id = %s, operator_id = %s, called_at = %s,
        last_called_at = %s, updated_at = %s
    WHERE id = (
        SELECT w.id FROM centres_ticket w
        WHERE w.centre_id = %s AND w.day = %s AND w.is_priority = %s
          AND w.status = 'waiting' AND w.service_group_id = ANY(%s)
        ORDER BY w.queued_at, w.id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
    )
    RETURNING *
), streak AS (
    UPDATE centres_counter SET priority_streak = %s
    WHERE id = %s AND priority_streak <> %s AND EXISTS (SELECT 1 FROM called)
)
SELECT * FROM called
"""


def _call_next_postgresql(
    *, counter: Counter, operator: AbstractBaseUser, now: dt.datetime, day: dt.date,
) -> Ticket | None:
    with connection.cursor() as cursor:
        cursor.execute(_PG_COUNTER, [counter.pk])
        streak, centre_id, busy, group_ids = cursor.fetchone()
    if busy:
        raise ValidationError(MSG_COUNTER_BUSY, code="busy")
    for lane in _lanes(streak):
        new_streak = streak + 1 if lane else 0
        called = list(Ticket.objects.raw(_PG_CALL, [
            counter.pk, operator.pk, now, now, now, centre_id, day, lane, group_ids,
            new_streak, counter.pk, new_streak,
        ]))
        if called:
            counter.priority_streak = new_streak
            return called[0]
    return None


def _set_streak(*, counter: Counter, old: int, ticket: Ticket) -> None:
    streak = old + 1 if ticket.is_priority else 0
    if streak != old:
        Counter.objects.filter(pk=counter.pk).update(priority_streak=streak)
    counter.priority_streak = streak


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("service_group").get(pk=ticket.pk)


@transaction.atomic
def ticket_recall(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """Call the same ticket again (the board shows it on top once more)."""
    ticket = _locked(ticket)
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError(MSG_NOT_CALLED, code="status")
    ticket.recall_count += 1
    ticket.last_called_at = _now(now)
    ticket.save(update_fields=["recall_count", "last_called_at", "updated_at"])
    return ticket


def ticket_no_show(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """The called visitor did not come. One UPDATE guarded by the status: no read, no lock
    held longer than the statement (it frees the counter on the hot path of a busy hall)."""
    updated = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
        status=TicketStatus.NO_SHOW, updated_at=_now(now),
    )
    if updated != 1:
        raise ValidationError(MSG_NOT_CALLED, code="status")
    ticket.status = TicketStatus.NO_SHOW
    return ticket


@transaction.atomic
def ticket_start_service(*, ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    ticket = _locked(ticket)
    if ticket.status != TicketStatus.CALLED:
        raise ValidationError(MSG_NOT_CALLED, code="status")
    ticket.status = TicketStatus.SERVING
    ticket.service_started_at = _now(now)
    ticket.save(update_fields=["status", "service_started_at", "updated_at"])
    return ticket


@transaction.atomic
def ticket_end_service(
    *, ticket: Ticket, case_reference: str = "", now: dt.datetime | None = None,
) -> Ticket:
    """Finish the visit; `case_reference` links the case it produced, if any."""
    ticket = _locked(ticket)
    if ticket.status != TicketStatus.SERVING:
        raise ValidationError(MSG_NOT_SERVING, code="status")
    ticket.status = TicketStatus.DONE
    ticket.service_ended_at = _now(now)
    ticket.case_reference = case_reference.strip()
    ticket.save(update_fields=["status", "service_ended_at", "case_reference", "updated_at"])
    return ticket


@transaction.atomic
def ticket_transfer(
    *, ticket: Ticket, service_group: ServiceGroup, now: dt.datetime | None = None,
) -> Ticket:
    """Send the visitor on to another queue of the centre, keeping their place in time.

    The old ticket ends as transferred; the new one (with a number of the new group) queues at
    the old ticket's `queued_at`, so the visitor does not start again at the back.
    """
    now = _now(now)
    ticket = _locked(ticket)
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise ValidationError(MSG_NOT_ACTIVE, code="status")
    if service_group.centre_id != ticket.centre_id:
        raise ValidationError(MSG_GROUP_ELSEWHERE, code="service")
    if service_group.pk == ticket.service_group_id:
        raise ValidationError(MSG_SAME_GROUP, code="same")
    ticket.status = TicketStatus.TRANSFERRED
    ticket.service_ended_at = now
    ticket.save(update_fields=["status", "service_ended_at", "updated_at"])
    return Ticket.objects.create(
        centre_id=ticket.centre_id,
        service_group=service_group,
        day=ticket.day,
        number=_next_number(service_group=service_group, day=ticket.day),
        is_priority=ticket.is_priority,
        priority_reason=ticket.priority_reason,
        source=TicketSource.TRANSFER,
        person_id=ticket.person_id,
        transferred_from=ticket,
        issued_at=now,
        queued_at=ticket.queued_at,
    )


# Appointments ------------------------------------------------------------------------------


def _check_slot(*, service_group: ServiceGroup, starts_at: dt.datetime,
                exclude: Appointment | None = None, now: dt.datetime) -> None:
    from dost.centres.selectors import appointment_slots

    # The group row is locked so two bookings of the last place in a slot cannot both succeed.
    list(ServiceGroup.objects.select_for_update().filter(pk=service_group.pk).values("pk"))
    day = timezone.localdate(starts_at)
    for slot in appointment_slots(service_group=service_group, day=day, now=now):
        if slot.starts_at == starts_at:
            free = slot.free + (1 if exclude is not None and exclude.starts_at == starts_at else 0)
            if free > 0:
                return
    raise ValidationError(MSG_SLOT_UNAVAILABLE, code="slot")


@transaction.atomic
def appointment_book(
    *,
    service_group: ServiceGroup,
    starts_at: dt.datetime,
    name: str,
    phone: str = "",
    email: str = "",
    person: Person | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a slot listed by `selectors.appointment_slots` (which holds its free places)."""
    _check_slot(service_group=service_group, starts_at=starts_at, now=_now(now))
    return Appointment.objects.create(
        centre_id=service_group.centre_id, service_group=service_group, starts_at=starts_at,
        name=name.strip(), phone=phone.strip(), email=email.strip(), person=person,
    )


def _locked_booked(appointment: Appointment) -> Appointment:
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError(MSG_APPOINTMENT_CLOSED, code="status")
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment) -> Appointment:
    appointment = _locked_booked(appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save(update_fields=["status", "updated_at"])
    return appointment


@transaction.atomic
def appointment_reschedule(
    *, appointment: Appointment, starts_at: dt.datetime, now: dt.datetime | None = None,
) -> Appointment:
    appointment = _locked_booked(appointment)
    _check_slot(service_group=appointment.service_group, starts_at=starts_at,
                exclude=appointment, now=_now(now))
    appointment.starts_at = starts_at
    appointment.reminded_at = None  # a new time deserves a new reminder
    appointment.save(update_fields=["starts_at", "reminded_at", "updated_at"])
    return appointment


@transaction.atomic
def appointment_check_in(*, appointment: Appointment, now: dt.datetime | None = None) -> Ticket:
    """The visitor arrived: issue their ticket.

    It queues at the earlier of the arrival and the slot time when they come no later than
    `CHECK_IN_GRACE` after the slot (ahead of walk-ins who came after the slot began), and at
    the arrival time when later.
    """
    now = _now(now)
    appointment = _locked_booked(appointment)
    if timezone.localdate(appointment.starts_at) != timezone.localdate(now):
        raise ValidationError(MSG_CHECK_IN_DAY, code="day")
    late = now > appointment.starts_at + CHECK_IN_GRACE
    ticket = ticket_issue(
        service_group=appointment.service_group, source=TicketSource.APPOINTMENT,
        person=appointment.person, appointment=appointment,
        queued_at=now if late else min(now, appointment.starts_at), now=now,
    )
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.save(update_fields=["status", "updated_at"])
    return ticket


def _send_reminder(appointment_id: int) -> None:
    appointment = Appointment.objects.select_related("centre", "service_group", "person").get(
        pk=appointment_id
    )
    # Reminders are sent from a task, where no request chose a language: write in the booked
    # person's preferred language when the booking is linked to one, else the site default.
    person = appointment.person
    with override(person.preferred_language if person else settings.LANGUAGE_CODE):
        text = str(_("Reminder: your appointment at %(centre)s (%(group)s) is at %(time)s.") % {
            "centre": appointment.centre.name, "group": appointment.service_group.name,
            "time": timezone.localtime(appointment.starts_at).strftime("%Y-%m-%d %H:%M"),
        })
        subject = str(_("Your DOST appointment"))
    if appointment.email:
        send_mail(subject, text, None, [appointment.email])
    if appointment.phone:
        # The SMS gateway is another issue's; until then the message is logged for the operator.
        logger.info("SMS to %s: %s", appointment.phone, text)


def appointment_reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every booked appointment starting within `REMINDER_AHEAD`; safe to run twice."""
    now = _now(now)
    sent = 0
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, reminded_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD,
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            claimed = Appointment.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                transaction.on_commit(functools.partial(_send_reminder, pk))
                sent += 1
    return sent


# Ratings and escalations -------------------------------------------------------------------


@transaction.atomic
def rating_submit(
    *,
    ticket: Ticket,
    quality: int,
    timeliness: int,
    courtesy: int,
    comment: str = "",
    channel: RatingChannel | str = RatingChannel.LINK,
    now: dt.datetime | None = None,
) -> Rating:
    """Record the visitor's scores; a score of 3 or lower opens an escalation for the centre's
    supervisors, due `ESCALATION_WORKING_DAYS` working days later."""
    now = _now(now)
    ticket = Ticket.objects.select_for_update().select_related("centre").get(pk=ticket.pk)
    if ticket.status != TicketStatus.DONE:
        raise ValidationError(MSG_NOT_RATEABLE, code="status")
    if Rating.objects.filter(ticket=ticket).exists():
        raise ValidationError(MSG_ALREADY_RATED, code="rated")
    scores = (quality, timeliness, courtesy)
    if any(not isinstance(s, int) or not 1 <= s <= 5 for s in scores):
        raise ValidationError(MSG_BAD_SCORE, code="score")
    rating = Rating.objects.create(
        ticket=ticket, quality=quality, timeliness=timeliness, courtesy=courtesy,
        comment=comment.strip(), channel=str(channel),
    )
    if min(scores) <= ESCALATION_SCORE:
        Escalation.objects.create(
            rating=rating, centre=ticket.centre,
            deadline=add_working_days(
                timezone.localdate(now), ESCALATION_WORKING_DAYS, ticket.centre.country,
            ),
        )
    return rating


SMS_RATING_RE = re.compile(r"^\s*(\S{8})\s+([1-5])\s+([1-5])\s+([1-5])(?:\s+(.*))?$", re.DOTALL)


def rating_submit_sms(*, text: str, now: dt.datetime | None = None) -> Rating:
    """A rating sent as an SMS reply: `<ticket code> <quality> <timeliness> <courtesy> [comment]`.

    The code is the first eight characters of the ticket's rating token, printed on the ticket.
    """
    match = SMS_RATING_RE.match(text)
    if match is None:
        raise ValidationError(MSG_SMS_UNREADABLE, code="sms")
    code, quality, timeliness, courtesy, comment = match.groups()
    tickets = list(Ticket.objects.filter(rating_token__startswith=code)[:2])
    if len(tickets) != 1:
        raise ValidationError(MSG_SMS_UNREADABLE, code="sms")
    return rating_submit(
        ticket=tickets[0], quality=int(quality), timeliness=int(timeliness),
        courtesy=int(courtesy), comment=comment or "", channel=RatingChannel.SMS, now=now,
    )


@transaction.atomic
def escalation_resolve(
    *, escalation: Escalation, user: AbstractBaseUser, resolution: str,
    now: dt.datetime | None = None,
) -> Escalation:
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != EscalationStatus.OPEN:
        raise ValidationError(MSG_ESCALATION_RESOLVED, code="status")
    escalation.status = EscalationStatus.RESOLVED
    escalation.resolution = resolution.strip()
    escalation.resolved_by = user  # type: ignore[assignment]
    escalation.resolved_at = _now(now)
    escalation.save(update_fields=["status", "resolution", "resolved_by", "resolved_at",
                                   "updated_at"])
    return escalation
