"""Life events from other state systems: one entry point, idempotent, applied in one transaction.

`event_ingest` (one event) and `events_ingest_batch` (many events of one sender, what the API
calls) are the only ways events reach the registry. An event is identified by the sender
and the sender's own event ID; sending it again changes nothing and answers "duplicate". A valid
event is written to the `LifeEvent` log and applied in the same transaction, so the log and the
registry never disagree; an invalid one is kept in `RejectedEvent` with a reason the sender can act
on, and may be resent under the same ID once fixed. The payload shape of each type is documented
for integrators in docs/events.md; keep the two in step.

The primary key of `LifeEvent` is the order consumers read the log in (`events_after`). On
PostgreSQL concurrent ingests would commit out of key order and a consumer could skip an event,
so ingests take a transaction-level advisory lock and commit one at a time (SQLite serialises
writers anyway). Events are rare enough (births, deaths, job changes) for this to cost nothing.

A batch applies its events in order with the answers and registry rows of `event_ingest` one by
one (`test_events_bulk.py` compares them), but decides births, deaths, jobs, disabilities and
statuses in Python against rows read once per batch and writes them in bulk (`_Staged`,
`bulk.WriteBuffer`); marriages, divorces and household moves are applied one by one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import string
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.bulk import insert_rows, update_rows
from dost.registry.models import (
    DisabilityDetermination,
    District,
    EmploymentContract,
    EventType,
    Fact,
    Household,
    LifeEvent,
    Membership,
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
from dost.registry.services.bulk import WriteBuffer
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
    FACT_END_FIELD,
    FACT_START_FIELD,
    fact_add,
    fact_close,
    fact_close_check,
    household_create,
    household_open_check,
    household_update,
    membership_current,
    membership_end,
    membership_end_check,
    membership_start,
    person_create,
    person_update,
)

logger = logging.getLogger(__name__)

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


def _parents(data: BirthPayload) -> tuple[Person | None, Person | None]:
    """The newborn's mother and father as the civil registry names them, each checked."""
    mother = father = None
    if data.mother_personal_id:
        mother = _person(data.mother_personal_id)
        if mother.sex != Sex.FEMALE:
            raise _reject(MOTHER_NOT_FEMALE, person=mother)
    if data.father_personal_id:
        father = _person(data.father_personal_id)
        if father.sex != Sex.MALE:
            raise _reject(FATHER_NOT_MALE, person=father)
    return mother, father


def newborn_fields(
    data: BirthPayload, *, country: str, household: Household, mother: Person | None,
    father: Person | None, on: dt.date,
) -> dict[str, Any]:
    """A newborn's person fields, the same one by one and in bulk: citizenship and language
    from a parent unless the civil registry says otherwise, the household's district."""
    parent = mother or father
    return {
        "country": country,
        "personal_id": data.personal_id,
        "last_name": data.last_name,
        "first_name": data.first_name,
        "patronymic": data.patronymic,
        "birth_date": on,
        "sex": data.sex,
        "citizenship": (
            data.citizenship if data.citizenship is not None
            else parent.citizenship if parent is not None else country.upper()
        ),
        "district": household.district,
        "mother": mother,
        "father": father,
        "preferred_language": (
            parent.preferred_language if parent else settings.LANGUAGE_CODE
        ),
    }


def _apply_birth(ctx: ChangeContext, on: dt.date, data: BirthPayload) -> Person:
    country = settings.DOST_COUNTRY
    validate_personal_id(data.personal_id, country)
    if Person.objects.filter(personal_id=data.personal_id).exists():
        raise _reject(PERSON_EXISTS, personal_id=data.personal_id)
    mother, father = _parents(data)
    if data.household:
        household = _household(data.household)
    elif mother is not None and (current := membership_current(mother)) is not None:
        household = current.household
    else:
        raise _reject(NO_HOUSEHOLD_FOR_BIRTH)
    child = person_create(
        ctx=ctx, **newborn_fields(data, country=country, household=household, mother=mother,
                                  father=father, on=on))
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


def _named(data: Payload) -> set[str]:
    return {v for name in _PERSON_FIELDS if isinstance(v := getattr(data, name, None), str)}


# What Django's `iexact` compares on SQLite: LIKE, which ignores the case of ASCII letters only.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _start_order(field: str) -> Callable[[Fact], tuple[dt.date, bool, int]]:
    # The one-by-one queries' order (the models' `ordering`: start date), ties by key, and
    # rows staged in this batch (no key yet) after the saved ones, in the order staged.
    return lambda f: (getattr(f, field), f.pk is None, f.pk or 0)


class _Staged:
    """The registry as a batch's staged events read it, and their writes (`bulk.WriteBuffer`).

    Rows are read and locked once for all the persons the batch names (open contracts,
    statuses, disabilities, memberships) and changed here as each event stages its writes, so
    the next event sees what it would have seen in the database one by one. Persons are the
    batch's shared instances (`_batch_persons`). Each `stage_*` checks everything first and
    raises ValidationError before staging anything, so a rejected event leaves no trace.
    """

    def __init__(self, persons: dict[str, Person], employer_names: set[str]) -> None:
        self.persons = persons
        self.buffer = WriteBuffer()
        self.registered = set(persons)  # personal IDs known to be taken (births check them)
        self.newborn: dict[str, Person] = {}  # born in the staged part, not written yet
        self._newborn_membership: dict[str, Membership] = {}
        self._open: dict[type[Fact], dict[int, list[Any]]] = {
            EmploymentContract: {}, PersonStatus: {}, DisabilityDetermination: {},
        }
        self._memberships: dict[int, Membership | None] = {}
        self._households: dict[str, Household | None] = {}
        self._employer_names = employer_names
        self._folded: dict[str, str] = {}

    # -- Reads ------------------------------------------------------------------------------

    def _unread(self, cache: dict[int, Any], person: Person) -> list[int]:
        # On a miss, read for every person of the batch not read yet: one query, not one each.
        return sorted({p.pk for p in self.persons.values() if p.pk not in cache} | {person.pk})

    def open_facts[F: Fact](self, model: type[F], person: Person) -> list[F]:
        """The person's open, unretracted facts of `model` (contracts, statuses, disabilities)."""
        cache = self._open[model]
        if person.pk not in cache:
            pks = self._unread(cache, person)
            rows: QuerySet[Any] = model._default_manager.select_for_update().filter(
                person_id__in=pks, retracted_at__isnull=True,
                **{f"{FACT_END_FIELD[model]}__isnull": True},
            ).order_by()
            if model is EmploymentContract and connection.vendor == "postgresql":
                rows = rows.annotate(folded_employer=Upper("employer_name"))
            for pk in pks:
                cache[pk] = []
            for row in rows:
                cache[row.person_id].append(row)
                if (folded := getattr(row, "folded_employer", None)) is not None:
                    self._folded[row.employer_name] = folded
        return sorted(cache[person.pk], key=_start_order(FACT_START_FIELD[model]))

    def membership(self, person: Person) -> Membership | None:
        """`persons.membership_current`, read once for the batch's persons."""
        if person.pk not in self._memberships:
            pks = self._unread(self._memberships, person)
            rows = Membership.objects.select_for_update(of=("self", "household")).select_related(
                "household__district"
            ).filter(person_id__in=pks, left_on__isnull=True).order_by()
            self._memberships.update(dict.fromkeys(pks))
            self._memberships.update({m.person_id: m for m in rows})
        return self._memberships[person.pk]

    def household(self, reference: str) -> Household:
        if reference not in self._households:
            self._households[reference] = Household.objects.select_for_update(
                of=("self",)
            ).select_related("district").filter(reference=reference).first()
        household = self._households[reference]
        if household is None:
            raise _reject(UNKNOWN_HOUSEHOLD, reference=reference)
        return household

    def _fold(self, name: str) -> str:
        """An employer name as Django's `employer_name__iexact` compares it, on this database."""
        if connection.vendor != "postgresql":
            return name.translate(_ASCII_LOWER)
        if name not in self._folded:
            # PostgreSQL's iexact is UPPER() = UPPER(): ask it, once for the batch's names.
            names = sorted((self._employer_names | {name}) - self._folded.keys())
            with connection.cursor() as cursor:
                cursor.execute("SELECT x, UPPER(x) FROM unnest(%s::text[]) AS t(x)", [names])
                self._folded.update(cursor.fetchall())
        return self._folded[name]

    def _contracts(self, person: Person, tax_id: str, name: str) -> list[EmploymentContract]:
        """`_open_contracts`, from the batch's rows."""
        contracts = self.open_facts(EmploymentContract, person)
        if tax_id:
            return [c for c in contracts if c.employer_tax_id == tax_id]
        if not contracts:
            return []
        folded = self._fold(name)
        return [c for c in contracts if self._fold(c.employer_name) == folded]

    # -- Keeping the reads true -------------------------------------------------------------

    def _closed(self, fact: Fact) -> None:
        self._open[type(fact)][fact.person_id].remove(fact)  # type: ignore[attr-defined]

    def _opened(self, fact: Fact) -> None:
        if getattr(fact, FACT_END_FIELD[type(fact)]) is None:
            self._open[type(fact)][fact.person_id].append(fact)  # type: ignore[attr-defined]

    def flush(self) -> None:
        """Write the staged part; its newborns become persons of the batch like the others."""
        self.buffer.flush()
        for personal_id, child in self.newborn.items():
            self.persons[personal_id] = child
            for cache in self._open.values():
                cache[child.pk] = []
            self._memberships[child.pk] = self._newborn_membership[personal_id]
        self.newborn.clear()
        self._newborn_membership.clear()

    def forget_memberships(self) -> None:
        """After an event applied one by one: it may have moved people between households."""
        self._memberships.clear()
        self._households.clear()

    def forget(self) -> None:
        """Drop every read and everything staged: the persons are read again when next named."""
        self.buffer.discard()
        self.persons.clear()
        self.registered -= self.newborn.keys()
        self.newborn.clear()
        self._newborn_membership.clear()
        for cache in self._open.values():
            cache.clear()
        self.forget_memberships()

    # -- One `stage_*` per type; each mirrors its `_apply_*` above -----------------------------

    def stage_birth(self, ctx: ChangeContext, on: dt.date, data: BirthPayload) -> Person:
        country = settings.DOST_COUNTRY
        validate_personal_id(data.personal_id, country)
        # Every personal ID the batch names was looked up with its persons (`_persons_shared`).
        if data.personal_id in self.registered:
            raise _reject(PERSON_EXISTS, personal_id=data.personal_id)
        mother, father = _parents(data)
        if data.household:
            household = self.household(data.household)
        elif mother is not None and (current := self.membership(mother)) is not None:
            household = current.household
        else:
            raise _reject(NO_HOUSEHOLD_FOR_BIRTH)
        household_open_check(household, on)  # what `membership_start` checks for a newborn
        child = self.buffer.person_new(
            ctx=ctx, **newborn_fields(data, country=country, household=household,
                                      mother=mother, father=father, on=on))
        self._newborn_membership[data.personal_id] = self.buffer.membership_new(
            ctx=ctx, person=child, household=household, role=Role.CHILD, joined_on=on
        )
        self.registered.add(data.personal_id)
        self.newborn[data.personal_id] = child
        return child

    def stage_death(self, ctx: ChangeContext, on: dt.date, data: PersonEvent) -> Person:
        person = _person(data.personal_id)
        if person.death_date is not None:
            raise _reject(ALREADY_DEAD, person=person, date=person.death_date)
        if on < person.birth_date:
            raise _reject(BEFORE_BIRTH, date=on, person=person, birth=person.birth_date)
        current = self.membership(person)
        if current is not None:
            membership_end_check(current, on)
        contracts = self.open_facts(EmploymentContract, person)
        statuses = self.open_facts(PersonStatus, person)
        for fact in (*contracts, *statuses):
            fact_close_check(fact, on)
        self.buffer.change(ctx=ctx, instance=person, changes={"death_date": on})
        if current is not None:
            self.buffer.change(ctx=ctx, instance=current, changes={"left_on": on})
            self._memberships[person.pk] = None
        for contract in contracts:
            self.buffer.change(ctx=ctx, instance=contract, changes={
                "end_date": on, "termination_reason": TerminationReason.DEATH,
            })
            self._closed(contract)
        for status in statuses:
            self.buffer.change(ctx=ctx, instance=status, changes={"valid_to": on})
            self._closed(status)
        return person

    def stage_employment_started(
        self, ctx: ChangeContext, on: dt.date, data: EmploymentStartedPayload
    ) -> Person:
        person = _living(data.personal_id, on)
        if self._contracts(person, data.employer_tax_id, data.employer_name):
            raise _reject(ALREADY_EMPLOYED, person=person, employer=data.employer_name)
        contract = self.buffer.fact_new(
            ctx=ctx, model=EmploymentContract, person=person, employer_name=data.employer_name,
            employer_tax_id=data.employer_tax_id, start_date=on, monthly_wage=data.monthly_wage,
        )
        self.buffer.fact_stage(ctx, contract)
        self._opened(contract)
        return person

    def stage_employment_ended(
        self, ctx: ChangeContext, on: dt.date, data: EmploymentEndedPayload
    ) -> Person:
        person = _living(data.personal_id, on)
        employer = data.employer_tax_id or data.employer_name
        contracts = self._contracts(person, data.employer_tax_id, data.employer_name)
        if not contracts:
            raise _reject(NO_OPEN_CONTRACT, person=person, employer=employer)
        if len(contracts) > 1:
            raise _reject(AMBIGUOUS_CONTRACT, person=person, employer=employer)
        end_field = fact_close_check(contracts[0], on)
        self.buffer.change(ctx=ctx, instance=contracts[0], changes={
            end_field: on, "termination_reason": data.reason,
        })
        self._closed(contracts[0])
        return person

    def stage_disability(self, ctx: ChangeContext, on: dt.date, data: DisabilityPayload) -> Person:
        person = _living(data.personal_id, on)
        valid_from = data.valid_from or on
        previous = [
            d for d in self.open_facts(DisabilityDetermination, person)
            if d.valid_from < valid_from
        ]
        for determination in previous:
            fact_close_check(determination, valid_from - dt.timedelta(days=1))
        fact = self.buffer.fact_new(
            ctx=ctx, model=DisabilityDetermination, person=person,
            impairment_percent=data.impairment_percent, group=data.group,
            valid_from=valid_from, valid_to=data.valid_to,
        )
        for determination in previous:
            self.buffer.change(ctx=ctx, instance=determination, changes={
                "valid_to": valid_from - dt.timedelta(days=1),
            })
            self._closed(determination)
        self.buffer.fact_stage(ctx, fact)
        self._opened(fact)
        return person

    def stage_status_open(
        self, ctx: ChangeContext, on: dt.date, data: PersonEvent, *, kind: StatusKind
    ) -> Person:
        person = _living(data.personal_id, on)
        current = next((s for s in self.open_facts(PersonStatus, person) if s.kind == kind), None)
        if current is not None:
            raise _reject(
                ALREADY_IN_STATUS, person=person, status=kind.label, date=current.valid_from
            )
        status = self.buffer.fact_new(
            ctx=ctx, model=PersonStatus, person=person, kind=kind, valid_from=on
        )
        self.buffer.fact_stage(ctx, status)
        self._opened(status)
        return person

    def stage_status_close(
        self, ctx: ChangeContext, on: dt.date, data: PersonEvent, *, kind: StatusKind
    ) -> Person:
        person = _living(data.personal_id, on)
        current = next((s for s in self.open_facts(PersonStatus, person) if s.kind == kind), None)
        if current is None:
            raise _reject(NOT_IN_STATUS, person=person, status=kind.label)
        end_field = fact_close_check(current, on)
        self.buffer.change(ctx=ctx, instance=current, changes={end_field: on})
        self._closed(current)
        return person


_Stager = Callable[[_Staged, ChangeContext, dt.date, Any], Person]
_STAGERS: dict[str, _Stager] = {
    EventType.BIRTH: _Staged.stage_birth,
    EventType.DEATH: _Staged.stage_death,
    EventType.EMPLOYMENT_STARTED: _Staged.stage_employment_started,
    EventType.EMPLOYMENT_ENDED: _Staged.stage_employment_ended,
    EventType.DISABILITY_DETERMINED: _Staged.stage_disability,
    EventType.IMPRISONMENT: partial(_Staged.stage_status_open, kind=StatusKind.IMPRISONED),
    EventType.RELEASE: partial(_Staged.stage_status_close, kind=StatusKind.IMPRISONED),
    EventType.CONSCRIPTION: partial(_Staged.stage_status_open, kind=StatusKind.CONSCRIPT),
    EventType.DISCHARGE: partial(_Staged.stage_status_close, kind=StatusKind.CONSCRIPT),
}
# Not staged, applied one by one (`EVENT_KINDS`) after the staged writes are written: marriage,
# divorce and household moves (households created, several people's memberships and districts).
ONE_BY_ONE_TYPES = frozenset(EVENT_KINDS) - frozenset(_STAGERS)


@dataclass
class _Outcome:
    """What became of one valid event of a batch: applied (with its person) or rejected."""

    index: int
    spec: EventSpec
    data: Payload
    event: LifeEvent
    person: Person | None = None
    reason: str | None = None  # rejected if set


@transaction.atomic
def events_ingest_batch(*, sender: str, events: Sequence[EventSpec]) -> list[EventResult]:
    """Apply a batch of life events from one sender; one result per event, in order.

    The same guarantees and answers as `event_ingest` one by one — an event is applied at most
    once per (sender, sender_event_id), a rejected event leaves no writes and the others are
    kept, events see the changes of the batch's earlier events, the log's key order is commit
    order — in a few statements per batch instead of several per event: the log lock is taken
    once, earlier events are found with one query, payloads are validated before any write,
    the log rows are inserted together, and births, deaths, jobs, disabilities and statuses
    are decided in Python against rows read once (`_Staged`) and written in bulk. Marriages,
    divorces and household moves are applied one by one in a savepoint each, after the writes
    staged before them. An event whose envelope cannot be stored (see `event_ingest`) is
    answered "rejected" and not kept.
    """
    _serialise_event_log()
    results: list[EventResult | None] = [None] * len(events)
    early_rejections: list[tuple[int, EventSpec, str]] = []

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
                early_rejections.append((index, spec, " ".join(exc.messages)))
                continue
            seen.add(spec.sender_event_id)
            valid.append((index, spec, data))

    # Every valid event gets its log row (and key, in the batch's order) before any is applied;
    # the rows of those rejected while applying are deleted at the end.
    logged = insert_rows([
        LifeEvent(sender=sender, sender_event_id=spec.sender_event_id, type=spec.type,
                  occurred_on=spec.occurred_on, payload=data.model_dump(mode="json"))
        for _index, spec, data in valid
    ])
    outcomes = [
        _Outcome(index, spec, data, event)
        for (index, spec, data), event in zip(valid, logged, strict=True)
    ]
    named = {pid for o in outcomes for pid in _named(o.data)}
    employers = {
        name for o in outcomes
        if isinstance(o.data, EmploymentStartedPayload | EmploymentEndedPayload)
        and (name := o.data.employer_name)
    }

    def context(o: _Outcome) -> ChangeContext:
        return ChangeContext(
            source=Source.EVENT, life_event=o.event,
            reason=f"{EventType(o.spec.type).label} ({sender}:{o.spec.sender_event_id})",
        )

    with _persons_shared(named) as persons:
        staged = _Staged(persons, employers)

        def one_by_one(o: _Outcome) -> None:
            """`event_ingest`'s apply step, in a savepoint (the log row exists already)."""
            o.person, o.reason = None, None
            try:
                with transaction.atomic():
                    o.person = EVENT_KINDS[o.spec.type].apply(
                        context(o), o.spec.occurred_on, o.data
                    )
            except ValidationError as exc:
                # The savepoint undid the event's writes, but not the changes made in memory
                # to the persons it names: read those again when next needed.
                for personal_id in _named(o.data):
                    persons.pop(personal_id, None)
                o.reason = " ".join(exc.messages)
            if o.reason is None and isinstance(o.data, BirthPayload):
                staged.registered.add(o.data.personal_id)
            if o.spec.type == EventType.HOUSEHOLD_MOVE:
                persons.clear()  # a district move updates residents through other instances
            staged.forget_memberships()

        pending: list[_Outcome] = []  # decided since the last flush

        def flush() -> None:
            if not staged.buffer:
                pending.clear()
                return
            try:
                with transaction.atomic():
                    staged.flush()
            except DatabaseError as exc:
                # The database refused what Python decided (e.g. a constraint the staging does
                # not know): redo those events one by one, from the database's rows.
                logger.warning(
                    "Batch of %s: bulk registry writes refused (%s); applying %d events one "
                    "by one", sender, exc, len(pending),
                )
                staged.forget()
                for o in pending:
                    one_by_one(o)
            pending.clear()

        for o in outcomes:
            stage = _STAGERS.get(o.spec.type)
            if stage is None:
                flush()
                one_by_one(o)
                continue
            if _named(o.data) & staged.newborn.keys():
                flush()  # it names a child born in the staged part: write the birth first
            try:
                o.person = stage(staged, context(o), o.spec.occurred_on, o.data)
            except ValidationError as exc:
                o.reason = " ".join(exc.messages)
            pending.append(o)
        flush()

    applied: dict[str, LifeEvent] = {}
    rejected_rows: list[tuple[int, RejectedEvent]] = []

    def rejection(spec: EventSpec, reason: str) -> RejectedEvent:
        return RejectedEvent(
            sender=_storable(sender), sender_event_id=_storable(spec.sender_event_id),
            type=_storable(spec.type[:40]), payload=_json_safe(spec.payload),
            reason=_storable(reason),
        )

    for index, spec, reason in early_rejections:
        rejected_rows.append((index, rejection(spec, reason)))
    with_person: list[LifeEvent] = []
    for o in outcomes:
        if o.reason is not None:
            rejected_rows.append((o.index, rejection(o.spec, o.reason)))
            continue
        if o.person is not None:
            o.event.person = o.person
            with_person.append(o.event)
        applied[o.spec.sender_event_id] = o.event
        results[o.index] = EventResult(status=EventStatus.APPLIED, life_event=o.event)
    unlogged = [o.event.pk for o in outcomes if o.reason is not None]
    if unlogged:
        # Nothing refers to these rows (their writes were never made or were undone), so no
        # need for Django's collector, which looks for referring rows in a dozen tables.
        LifeEvent.objects.filter(pk__in=unlogged)._raw_delete(LifeEvent.objects.db)
    update_rows(with_person, ["person"])
    rejected_rows.sort(key=lambda pair: pair[0])
    stored = insert_rows([row for _index, row in rejected_rows])
    for (index, _row), row in zip(rejected_rows, stored, strict=True):
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
