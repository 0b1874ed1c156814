"""Life events from other state systems: one entry point, idempotent, applied in one transaction.

`event_ingest` is the only way events reach the registry. An event is identified by the sender
and the sender's own event ID; sending it again changes nothing and answers "duplicate". A valid
event is written to the `LifeEvent` log and applied in the same transaction, so the log and the
registry never disagree; an invalid one is kept in `RejectedEvent` with a reason the sender can act
on, and may be resent under the same ID once fixed. The payload shape of each type is documented
for integrators in docs/events.md; keep the two in step.

The primary key of `LifeEvent` is the order consumers read the log in (`events_after`). On
PostgreSQL concurrent ingests would commit out of key order and a consumer could skip an event,
so ingests take a transaction-level advisory lock and commit one at a time (SQLite serialises
writers anyway). Events are rare enough (births, deaths, job changes) for this to cost nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.registry.models import (
    DisabilityDetermination,
    District,
    EmploymentContract,
    EventType,
    Household,
    LifeEvent,
    Person,
    PersonStatus,
    RejectedEvent,
    Role,
    Sex,
    Source,
    StatusKind,
    TerminationReason,
)
from dost.registry.national_id import validate_personal_id
from dost.registry.services.event_payloads import (
    BirthPayload,
    DisabilityPayload,
    DivorcePayload,
    EmploymentEndedPayload,
    EmploymentStartedPayload,
    HouseholdMovePayload,
    MarriagePayload,
    PersonEvent,
)
from dost.registry.services.history import ChangeContext
from dost.registry.services.payloads import (
    NewHousehold,
    Payload,
    payload_parse,
)
from dost.registry.services.persons import (
    fact_add,
    fact_close,
    household_create,
    household_update,
    membership_current,
    membership_end,
    membership_start,
    person_create,
    person_update,
)

# Any fixed 64-bit number; it only has to differ from other advisory locks in the database.
EVENT_LOG_LOCK_KEY = 0x444F_5354_0001

# --- Messages (what the sender reads in a rejection) -------------------------------------------

ENVELOPE_INVALID = _(
    "sender must be 1–40 and sender_event_id 1–80 characters long, without NUL characters."
)
UNKNOWN_TYPE = _("Unknown event type “%(type)s”; known types: %(known)s.")
IN_THE_FUTURE = _("occurred_on (%(date)s) is in the future.")
UNKNOWN_PERSON = _("No person with personal ID %(personal_id)s is in the registry.")
UNKNOWN_HOUSEHOLD = _("No household with reference %(reference)s is in the registry.")
UNKNOWN_DISTRICT = _("No district with code %(code)s is in the registry.")
HOUSEHOLD_EXISTS = _("A household with reference %(reference)s already exists; give another.")
PERSON_EXISTS = _("A person with personal ID %(personal_id)s is already in the registry.")
PERSON_DIED = _("%(person)s died on %(date)s, on or before this event.")
ALREADY_DEAD = _("%(person)s is already registered as dead on %(date)s.")
BEFORE_BIRTH = _("The event date %(date)s is before %(person)s was born (%(birth)s).")
MOTHER_NOT_FEMALE = _("The mother %(person)s is registered as male.")
FATHER_NOT_MALE = _("The father %(person)s is registered as female.")
NO_HOUSEHOLD_FOR_BIRTH = _(
    "The mother is not a member of any household (or no mother was given); "
    "give the child's household reference in “household”."
)
NOT_A_MEMBER = _("%(person)s is not a member of any household; give “new_household”.")
NOT_SAME_HOUSEHOLD = _(
    "%(person)s and %(other)s do not live in the same household, so one cannot leave the other's."
)
DISSOLVED = _("Household %(reference)s was dissolved on %(date)s.")
ALREADY_EMPLOYED = _("%(person)s already has an open contract with %(employer)s.")
NO_OPEN_CONTRACT = _("%(person)s has no open contract with %(employer)s.")
AMBIGUOUS_CONTRACT = _(
    "%(person)s has several open contracts with %(employer)s; give “employer_tax_id”."
)
ALREADY_IN_STATUS = _("%(person)s already has the open status “%(status)s” since %(date)s.")
NOT_IN_STATUS = _("%(person)s has no open status “%(status)s” to end.")


class EventStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    DUPLICATE = "duplicate", _("Already received; nothing changed")
    REJECTED = "rejected", _("Rejected")


@dataclass(frozen=True)
class EventResult:
    """What happened to an ingested event; `reason` says why it was rejected."""

    status: EventStatus
    life_event: LifeEvent | None = None
    rejected_event: RejectedEvent | None = None
    reason: str = ""


# --- Look-ups that reject ----------------------------------------------------------------------


def _reject(message: Any, **params: Any) -> ValidationError:
    return ValidationError(message, code="rejected", params=params)


# Inside `events_ingest_batch`: the persons the batch names, locked by one query up front and
# reused by every event of the batch (the same instances, so one event sees another's changes).
_batch_persons: ContextVar[dict[str, Person] | None] = ContextVar("batch_persons", default=None)


def _person(personal_id: str) -> Person:
    cached = _batch_persons.get()
    if cached is not None and personal_id in cached:
        return cached[personal_id]
    # Locked: two events about one person (a death and a move) must not interleave.
    person = Person.objects.select_for_update().filter(personal_id=personal_id).first()
    if person is None:
        raise _reject(UNKNOWN_PERSON, personal_id=personal_id)
    if cached is not None:
        cached[personal_id] = person
    return person


def _living(personal_id: str, on: dt.date) -> Person:
    person = _person(personal_id)
    if person.death_date is not None and person.death_date <= on:
        raise _reject(PERSON_DIED, person=person, date=person.death_date)
    if on < person.birth_date:
        raise _reject(BEFORE_BIRTH, date=on, person=person, birth=person.birth_date)
    return person


def _household(reference: str) -> Household:
    household = (
        Household.objects.select_for_update().select_related("district")
        .filter(reference=reference).first()
    )
    if household is None:
        raise _reject(UNKNOWN_HOUSEHOLD, reference=reference)
    return household


def _district(code: str) -> District:
    district = District.objects.filter(code=code).first()
    if district is None:
        raise _reject(UNKNOWN_DISTRICT, code=code)
    return district


def _household_new(*, ctx: ChangeContext, spec: NewHousehold, on: dt.date) -> Household:
    if Household.objects.filter(reference=spec.reference).exists():
        raise _reject(HOUSEHOLD_EXISTS, reference=spec.reference)
    return household_create(
        ctx=ctx, reference=spec.reference, district=_district(spec.district),
        address=spec.address, created_on=on,
    )


def _member_of(person: Person) -> Household:
    current = membership_current(person)
    if current is None:
        raise _reject(NOT_A_MEMBER, person=person)
    return current.household


def _move(*, ctx: ChangeContext, person: Person, household: Household, role: Role | str,
          on: dt.date) -> None:
    """A person joins a household and, living there, its district."""
    membership_start(ctx=ctx, person=person, household=household, role=role, joined_on=on)
    person_update(ctx=ctx, person=person, district=household.district)


# --- One applier per event type ----------------------------------------------------------------
# Each returns the person the event is about (None for a household's move) and raises
# ValidationError when the registry contradicts the event.


def _apply_birth(ctx: ChangeContext, on: dt.date, data: BirthPayload) -> Person:
    country = settings.DOST_COUNTRY
    validate_personal_id(data.personal_id, country)
    if Person.objects.filter(personal_id=data.personal_id).exists():
        raise _reject(PERSON_EXISTS, personal_id=data.personal_id)
    mother = father = None
    if data.mother_personal_id:
        mother = _person(data.mother_personal_id)
        if mother.sex != Sex.FEMALE:
            raise _reject(MOTHER_NOT_FEMALE, person=mother)
    if data.father_personal_id:
        father = _person(data.father_personal_id)
        if father.sex != Sex.MALE:
            raise _reject(FATHER_NOT_MALE, person=father)
    if data.household:
        household = _household(data.household)
    elif mother is not None and (current := membership_current(mother)) is not None:
        household = current.household
    else:
        raise _reject(NO_HOUSEHOLD_FOR_BIRTH)
    parent = mother or father
    child = person_create(
        ctx=ctx,
        country=country,
        personal_id=data.personal_id,
        last_name=data.last_name,
        first_name=data.first_name,
        patronymic=data.patronymic,
        birth_date=on,
        sex=data.sex,
        citizenship=(
            data.citizenship if data.citizenship is not None
            else parent.citizenship if parent is not None else country.upper()
        ),
        district=household.district,
        mother=mother,
        father=father,
        preferred_language=parent.preferred_language if parent else settings.LANGUAGE_CODE,
    )
    membership_start(ctx=ctx, person=child, household=household, role=Role.CHILD, joined_on=on)
    return child


def _apply_death(ctx: ChangeContext, on: dt.date, data: PersonEvent) -> Person:
    person = _person(data.personal_id)
    if person.death_date is not None:
        raise _reject(ALREADY_DEAD, person=person, date=person.death_date)
    if on < person.birth_date:
        raise _reject(BEFORE_BIRTH, date=on, person=person, birth=person.birth_date)
    person_update(ctx=ctx, person=person, death_date=on)
    current = membership_current(person)
    if current is not None:
        membership_end(ctx=ctx, membership=current, left_on=on)
    for contract in EmploymentContract.objects.select_for_update().filter(
        person=person, end_date__isnull=True, retracted_at__isnull=True
    ):
        fact_close(ctx=ctx, fact=contract, on=on, termination_reason=TerminationReason.DEATH)
    for status in PersonStatus.objects.select_for_update().filter(
        person=person, valid_to__isnull=True, retracted_at__isnull=True
    ):
        fact_close(ctx=ctx, fact=status, on=on)
    return person


def _apply_marriage(ctx: ChangeContext, on: dt.date, data: MarriagePayload) -> Person:
    person = _living(data.personal_id, on)
    spouse = _living(data.spouse_personal_id, on)
    if data.new_household is not None:
        household = _household_new(ctx=ctx, spec=data.new_household, on=on)
        _move(ctx=ctx, person=person, household=household, role=Role.HEAD, on=on)
    else:
        household = _member_of(person)
    _move(ctx=ctx, person=spouse, household=household, role=Role.SPOUSE, on=on)
    return person


def _apply_divorce(ctx: ChangeContext, on: dt.date, data: DivorcePayload) -> Person:
    person = _living(data.personal_id, on)
    other = _living(data.former_spouse_personal_id, on)
    mine, theirs = membership_current(person), membership_current(other)
    if mine is None or theirs is None or mine.household_id != theirs.household_id:
        raise _reject(NOT_SAME_HOUSEHOLD, person=person, other=other)
    if data.new_household is not None:
        household = _household_new(ctx=ctx, spec=data.new_household, on=on)
        role = data.role or Role.HEAD
    else:
        assert data.to_household is not None  # the payload shape guarantees one destination
        household = _household(data.to_household)
        role = data.role or Role.OTHER
    _move(ctx=ctx, person=person, household=household, role=role, on=on)
    if mine.role == Role.HEAD and theirs.role == Role.SPOUSE:
        # The household keeps a head: the spouse who stays takes the leaver's place.
        membership_start(
            ctx=ctx, person=other, household=theirs.household, role=Role.HEAD, joined_on=on
        )
    return person


def _apply_household_move(
    ctx: ChangeContext, on: dt.date, data: HouseholdMovePayload
) -> Person | None:
    if data.personal_id is None:
        assert data.household is not None  # the payload shape guarantees it
        household = _household(data.household)
        if household.dissolved_on is not None:
            raise _reject(DISSOLVED, reference=household.reference, date=household.dissolved_on)
        changes: dict[str, Any] = {}
        if data.district is not None:
            changes["district"] = _district(data.district)
        if data.address is not None:
            changes["address"] = data.address
        household_update(ctx=ctx, household=household, **changes)
        if "district" in changes:
            residents = Person.objects.select_for_update().filter(
                memberships__household=household, memberships__left_on__isnull=True
            )
            for resident in residents:
                person_update(ctx=ctx, person=resident, district=changes["district"])
        return None
    person = _living(data.personal_id, on)
    if data.new_household is not None:
        target = _household_new(ctx=ctx, spec=data.new_household, on=on)
        role = data.role or Role.HEAD
    else:
        assert data.to_household is not None  # the payload shape guarantees one destination
        target = _household(data.to_household)
        role = data.role or Role.OTHER
    _move(ctx=ctx, person=person, household=target, role=role, on=on)
    return person


def _open_contracts(person: Person, tax_id: str, name: str) -> list[EmploymentContract]:
    # Unordered: callers test for none, one or several (no ORDER BY to compile and sort).
    qs = EmploymentContract.objects.select_for_update().filter(
        person=person, end_date__isnull=True, retracted_at__isnull=True
    ).order_by()
    qs = qs.filter(employer_tax_id=tax_id) if tax_id else qs.filter(employer_name__iexact=name)
    return list(qs)


def _apply_employment_started(
    ctx: ChangeContext, on: dt.date, data: EmploymentStartedPayload
) -> Person:
    person = _living(data.personal_id, on)
    if _open_contracts(person, data.employer_tax_id, data.employer_name):
        raise _reject(ALREADY_EMPLOYED, person=person, employer=data.employer_name)
    fact_add(
        ctx=ctx, model=EmploymentContract, person=person, employer_name=data.employer_name,
        employer_tax_id=data.employer_tax_id, start_date=on, monthly_wage=data.monthly_wage,
    )
    return person


def _apply_employment_ended(
    ctx: ChangeContext, on: dt.date, data: EmploymentEndedPayload
) -> Person:
    person = _living(data.personal_id, on)
    employer = data.employer_tax_id or data.employer_name
    contracts = _open_contracts(person, data.employer_tax_id, data.employer_name)
    if not contracts:
        raise _reject(NO_OPEN_CONTRACT, person=person, employer=employer)
    if len(contracts) > 1:
        raise _reject(AMBIGUOUS_CONTRACT, person=person, employer=employer)
    fact_close(ctx=ctx, fact=contracts[0], on=on, termination_reason=data.reason)
    return person


def _apply_disability(ctx: ChangeContext, on: dt.date, data: DisabilityPayload) -> Person:
    person = _living(data.personal_id, on)
    valid_from = data.valid_from or on
    # A new determination replaces the open-ended one it follows.
    for previous in DisabilityDetermination.objects.select_for_update().filter(
        person=person, valid_to__isnull=True, retracted_at__isnull=True, valid_from__lt=valid_from
    ):
        fact_close(ctx=ctx, fact=previous, on=valid_from - dt.timedelta(days=1))
    fact_add(
        ctx=ctx, model=DisabilityDetermination, person=person,
        impairment_percent=data.impairment_percent, group=data.group,
        valid_from=valid_from, valid_to=data.valid_to,
    )
    return person


def _status_opener(kind: StatusKind) -> Callable[[ChangeContext, dt.date, PersonEvent], Person]:
    def apply(ctx: ChangeContext, on: dt.date, data: PersonEvent) -> Person:
        person = _living(data.personal_id, on)
        current = PersonStatus.objects.filter(
            person=person, kind=kind, valid_to__isnull=True, retracted_at__isnull=True
        ).first()
        if current is not None:
            raise _reject(
                ALREADY_IN_STATUS, person=person, status=kind.label, date=current.valid_from
            )
        fact_add(ctx=ctx, model=PersonStatus, person=person, kind=kind, valid_from=on)
        return person

    return apply


def _status_closer(kind: StatusKind) -> Callable[[ChangeContext, dt.date, PersonEvent], Person]:
    def apply(ctx: ChangeContext, on: dt.date, data: PersonEvent) -> Person:
        person = _living(data.personal_id, on)
        current = PersonStatus.objects.select_for_update().filter(
            person=person, kind=kind, valid_to__isnull=True, retracted_at__isnull=True
        ).first()
        if current is None:
            raise _reject(NOT_IN_STATUS, person=person, status=kind.label)
        fact_close(ctx=ctx, fact=current, on=on)
        return person

    return apply


@dataclass(frozen=True)
class _EventKind:
    shape: type[Payload]
    apply: Callable[[ChangeContext, dt.date, Any], Person | None]


EVENT_KINDS: dict[str, _EventKind] = {
    EventType.BIRTH: _EventKind(BirthPayload, _apply_birth),
    EventType.DEATH: _EventKind(PersonEvent, _apply_death),
    EventType.MARRIAGE: _EventKind(MarriagePayload, _apply_marriage),
    EventType.DIVORCE: _EventKind(DivorcePayload, _apply_divorce),
    EventType.HOUSEHOLD_MOVE: _EventKind(HouseholdMovePayload, _apply_household_move),
    EventType.EMPLOYMENT_STARTED: _EventKind(EmploymentStartedPayload, _apply_employment_started),
    EventType.EMPLOYMENT_ENDED: _EventKind(EmploymentEndedPayload, _apply_employment_ended),
    EventType.DISABILITY_DETERMINED: _EventKind(DisabilityPayload, _apply_disability),
    EventType.IMPRISONMENT: _EventKind(PersonEvent, _status_opener(StatusKind.IMPRISONED)),
    EventType.RELEASE: _EventKind(PersonEvent, _status_closer(StatusKind.IMPRISONED)),
    EventType.CONSCRIPTION: _EventKind(PersonEvent, _status_opener(StatusKind.CONSCRIPT)),
    EventType.DISCHARGE: _EventKind(PersonEvent, _status_closer(StatusKind.CONSCRIPT)),
}


# --- The entry point ---------------------------------------------------------------------------


class _AlreadyAppliedError(Exception):
    pass


def _storable(text: str) -> str:
    """Text PostgreSQL accepts: no NUL characters, no lone surrogates (both become U+FFFD/?)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _json_safe(payload: object) -> Any:
    """The payload as JSON, whatever the caller passed, so a rejection can always be stored."""
    # Dates, decimals and anything else a Python caller may pass become strings; NUL escapes
    # are replaced because PostgreSQL's jsonb refuses them.
    dumped = json.dumps(payload, default=str, ensure_ascii=False).replace("\\u0000", "\\ufffd")
    return json.loads(_storable(dumped))


def _serialise_event_log() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [EVENT_LOG_LOCK_KEY])


def _duplicate(sender: str, sender_event_id: str) -> EventResult:
    existing = LifeEvent.objects.get(sender=sender, sender_event_id=sender_event_id)
    return EventResult(status=EventStatus.DUPLICATE, life_event=existing)


def _rejection(
    *, sender: str, sender_event_id: str, type: str, payload: object, reason: str
) -> EventResult:
    reason = _storable(reason)
    rejected = RejectedEvent.objects.create(
        sender=_storable(sender), sender_event_id=_storable(sender_event_id),
        type=_storable(type[:40]), payload=_json_safe(payload), reason=reason,
    )
    return EventResult(status=EventStatus.REJECTED, rejected_event=rejected, reason=reason)


def _validate(type: str, occurred_on: dt.date, payload: object) -> Payload:
    kind = EVENT_KINDS.get(type)
    if kind is None:
        raise _reject(UNKNOWN_TYPE, type=type, known=", ".join(EVENT_KINDS))
    if occurred_on > timezone.localdate():
        raise _reject(IN_THE_FUTURE, date=occurred_on)
    return payload_parse(kind.shape, payload)


@transaction.atomic
def event_ingest(
    *, sender: str, sender_event_id: str, type: str, occurred_on: dt.date,
    payload: dict[str, Any],
) -> EventResult:
    """Apply one life event to the registry, at most once per (sender, sender_event_id).

    Returns status "applied" with the logged `LifeEvent`; "duplicate" with the earlier one if
    the event was already applied (nothing changes); or "rejected" with the stored
    `RejectedEvent` and the reason, when the payload is malformed or contradicts the registry.
    Raises ValidationError only when the envelope itself cannot be stored.
    """
    if not (0 < len(sender) <= 40 and 0 < len(sender_event_id) <= 80) or (
        _storable(sender) != sender or _storable(sender_event_id) != sender_event_id
    ):
        raise ValidationError(ENVELOPE_INVALID, code="envelope")
    key = {"sender": sender, "sender_event_id": sender_event_id}
    existing = LifeEvent.objects.filter(**key).first()
    if existing is not None:
        return EventResult(status=EventStatus.DUPLICATE, life_event=existing)
    try:
        data = _validate(type, occurred_on, payload)
    except ValidationError as exc:
        return _rejection(**key, type=type, payload=payload, reason=" ".join(exc.messages))

    _serialise_event_log()
    try:
        # One savepoint for the log row and everything it changes: a rejection found while
        # applying leaves neither behind.
        with transaction.atomic():
            try:
                with transaction.atomic():
                    event = LifeEvent.objects.create(
                        **key, type=type, occurred_on=occurred_on,
                        payload=data.model_dump(mode="json"),
                    )
            except IntegrityError as exc:
                # Another transaction logged the same event between our check and our insert.
                raise _AlreadyAppliedError from exc
            ctx = ChangeContext(
                source=Source.EVENT, life_event=event,
                reason=f"{EventType(type).label} ({sender}:{sender_event_id})",
            )
            person = EVENT_KINDS[type].apply(ctx, occurred_on, data)
            if person is not None:
                event.person = person
                event.save(update_fields=["person"])
    except _AlreadyAppliedError:
        return _duplicate(sender, sender_event_id)
    except ValidationError as exc:
        return _rejection(**key, type=type, payload=payload, reason=" ".join(exc.messages))
    return EventResult(status=EventStatus.APPLIED, life_event=event)


# --- Batches -----------------------------------------------------------------------------------

# Payload fields that name a person by personal ID (prefetched and locked once per batch).
_PERSON_FIELDS = (
    "personal_id", "spouse_personal_id", "former_spouse_personal_id", "mother_personal_id",
    "father_personal_id",
)


@dataclass(frozen=True)
class EventSpec:
    """One event of a batch, as the sender sent it."""

    sender_event_id: str
    type: str
    occurred_on: dt.date
    payload: dict[str, Any]


@contextmanager
def _persons_shared(personal_ids: set[str]) -> Iterator[dict[str, Person]]:
    persons = {
        p.personal_id: p
        for p in Person.objects.select_for_update().filter(personal_id__in=sorted(personal_ids))
    } if personal_ids else {}
    token = _batch_persons.set(persons)
    try:
        yield persons
    finally:
        _batch_persons.reset(token)


def _envelope_ok(sender: str, sender_event_id: str) -> bool:
    return 0 < len(sender) <= 40 and 0 < len(sender_event_id) <= 80 and (
        _storable(sender) == sender and _storable(sender_event_id) == sender_event_id
    )


@transaction.atomic
def events_ingest_batch(*, sender: str, events: Sequence[EventSpec]) -> list[EventResult]:
    """Apply a batch of life events from one sender; one result per event, in order.

    The same guarantees as `event_ingest` one by one — an event is applied at most once per
    (sender, sender_event_id), each in its own savepoint so a rejection undoes only itself, the
    log's key order is commit order — at a fraction of the statements: the log lock is taken
    once, earlier events are found with one query, payloads are validated before any write,
    the persons the batch names are read and locked with one query, the log rows are inserted
    together and their persons set together, and rejections are stored together. An event
    whose envelope cannot be stored (see `event_ingest`) is answered "rejected" and not kept.
    """
    _serialise_event_log()
    results: list[EventResult | None] = [None] * len(events)
    rejected: list[tuple[int, RejectedEvent]] = []

    def reject(index: int, spec: EventSpec, reason: str) -> None:
        reason = _storable(reason)
        row = RejectedEvent(
            sender=_storable(sender), sender_event_id=_storable(spec.sender_event_id),
            type=_storable(spec.type[:40]), payload=_json_safe(spec.payload), reason=reason,
        )
        rejected.append((index, row))

    ids = [e.sender_event_id for e in events if _envelope_ok(sender, e.sender_event_id)]
    # Taken after the lock: no other ingest can log one of these between this query and ours.
    earlier = {
        e.sender_event_id: e
        for e in LifeEvent.objects.filter(sender=sender, sender_event_id__in=ids)
    } if ids else {}
    valid: list[tuple[int, EventSpec, Payload]] = []
    seen: set[str] = set()
    for index, spec in enumerate(events):
        if not _envelope_ok(sender, spec.sender_event_id):
            results[index] = EventResult(
                status=EventStatus.REJECTED, reason=str(ENVELOPE_INVALID)
            )
        elif spec.sender_event_id in earlier:
            results[index] = EventResult(
                status=EventStatus.DUPLICATE, life_event=earlier[spec.sender_event_id]
            )
        elif spec.sender_event_id in seen:
            continue  # sent twice in this batch: answered after the first is applied
        else:
            try:
                data = _validate(spec.type, spec.occurred_on, spec.payload)
            except ValidationError as exc:
                reject(index, spec, " ".join(exc.messages))
                continue
            seen.add(spec.sender_event_id)
            valid.append((index, spec, data))

    logged = LifeEvent.objects.bulk_create([
        LifeEvent(sender=sender, sender_event_id=spec.sender_event_id, type=spec.type,
                  occurred_on=spec.occurred_on, payload=data.model_dump(mode="json"))
        for _index, spec, data in valid
    ])
    named = {
        value for _i, _s, data in valid for name in _PERSON_FIELDS
        if isinstance(value := getattr(data, name, None), str)
    }
    applied: dict[str, LifeEvent] = {}
    unlogged: list[int] = []
    with_person: list[LifeEvent] = []
    with _persons_shared(named) as persons:
        for (index, spec, data), event in zip(valid, logged, strict=True):
            ctx = ChangeContext(
                source=Source.EVENT, life_event=event,
                reason=f"{EventType(spec.type).label} ({sender}:{spec.sender_event_id})",
            )
            try:
                with transaction.atomic():
                    person = EVENT_KINDS[spec.type].apply(ctx, spec.occurred_on, data)
            except ValidationError as exc:
                # The savepoint undid the event's writes, but not the changes made in memory
                # to the persons it names: read those again when next needed.
                for name in _PERSON_FIELDS:
                    persons.pop(getattr(data, name, None) or "", None)
                unlogged.append(event.pk)
                reject(index, spec, " ".join(exc.messages))
                continue
            if spec.type == EventType.HOUSEHOLD_MOVE:
                persons.clear()  # a district move updates residents through other instances
            if person is not None:
                event.person = person
                with_person.append(event)
            applied[spec.sender_event_id] = event
            results[index] = EventResult(status=EventStatus.APPLIED, life_event=event)
    if unlogged:
        LifeEvent.objects.filter(pk__in=unlogged).delete()
    LifeEvent.objects.bulk_update(with_person, ["person"], batch_size=500)
    stored = RejectedEvent.objects.bulk_create([row for _index, row in rejected])
    for (index, _row), row in zip(rejected, stored, strict=True):
        results[index] = EventResult(
            status=EventStatus.REJECTED, rejected_event=row, reason=row.reason
        )
    for index, spec in enumerate(events):
        if results[index] is None:
            # A repeat within the batch: a duplicate of the applied one, else rejected alike.
            first = applied.get(spec.sender_event_id)
            results[index] = (
                EventResult(status=EventStatus.DUPLICATE, life_event=first) if first
                else next(r for r in results if r is not None and r.rejected_event is not None
                          and r.rejected_event.sender_event_id == spec.sender_event_id)
            )
    return [r for r in results if r is not None]
