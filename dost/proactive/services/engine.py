"""The proactive engine: life events in log order, and the daily triggers of age.

`events_consume` reads the registry's event log after its cursor (`events_after`), and for each
event asks the rulebook's dependency map which outputs the event's changed inputs can affect
(`outputs_affected_by`); only the proactive services deciding on those outputs are evaluated,
for the person the event is about. Events are handled in chunks (default 2,000), each in one
transaction with the cursor move, so a crash loses nothing and repeats nothing; the unique action
keys make a repeat harmless anyway. Within a chunk, the households the events touch are exported
and evaluated once (`screen_events`), that export also serves the decisions of the cases opened
(`snapshots_preload`), and the cases, decisions, awards and actions are inserted together
(`batch.ProposalBatch`). `chunk=1` is the one-event-per-transaction behaviour.

A death also ends the deceased's awards from the month after. `day_consume` handles what no
event announces: reaching retirement age (old-age pension assigned on the day), and a child
turning 1 or 18 (every running award of theirs is re-evaluated and ended when the rules no
longer grant it).
"""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import Award, AwardStatus, Frequency
from dost.benefits.services.awards import award_end, awards_end_for_person, last_day_of_month
from dost.cases.rules_bridge import (
    evaluate_for_case,
    rulebook_for,
    snapshots_preload,
    snapshots_shared,
)
from dost.catalog.models import IntakeChannel, ProactiveOutcome, Service
from dost.proactive.models import ActionKind, EventCursor, ProactiveAction
from dost.proactive.services.assign import (
    RECORD_NEEDED,
    Screen,
    Trigger,
    household_of,
    period_of,
    propose,
)
from dost.proactive.services.batch import ProposalBatch
from dost.proactive.services.scan import eligible_mask
from dost.registry.models import EventType, Household, LifeEvent, Person
from dost.registry.selectors import events_after
from dost.registry.snapshot import period_snapshot
from dost.rules import evaluate_population

CURSOR = "proactive"
# Events per transaction. Per chunk the households are exported and evaluated once and rows
# inserted together: at 500 the fixed part (the export's queries over the registry) was a
# third of the time on the events benchmark; 2,000 still keeps a chunk's transaction short.
CHUNK = 2000
# The rulebook inputs each kind of event changes (columns of the period snapshot).
EVENT_COLUMNS: dict[str, tuple[str, ...]] = {
    EventType.BIRTH: ("persons.birth_date",),
    EventType.DEATH: ("persons.death_date",),
    EventType.DISABILITY_DETERMINED: ("persons.disability_percent",),
    EventType.EMPLOYMENT_ENDED: ("persons.employed",),
}
RETIREMENT_OUTPUTS = ("old_age_pension_right",)
# Ages (in years) at which child benefits run out; the rules say which awards actually end.
ENDING_AGES = (1, 18)
MSG_DEATH = _("Death on %(date)s")
MSG_NO_LONGER = _("No longer entitled from %(date)s")


@dataclass
class ConsumeResult:
    events: int = 0
    actions: list[ProactiveAction] = field(default_factory=list)
    ended: int = 0
    last_event_id: int = 0


def proactive_services(country: str, outputs: set[str] | None) -> list[Service]:
    """Active services of `country` the engine may decide (using one of `outputs`, if given)."""
    candidates = Service.objects.filter(country=country, is_active=True).exclude(
        proactive_outcome=ProactiveOutcome.NONE
    ).order_by("code")
    return [
        s for s in candidates
        if IntakeChannel.PROACTIVE in s.intake_channels
        and (outputs is None or outputs & set(s.rule_outputs))
    ]


# The rulebook of a country is fixed for the life of a process, so is its dependency map.
_AFFECTED: dict[tuple[str, tuple[str, ...], tuple[str, ...]], frozenset[str]] = {}


def outputs_affected(
    country: str, columns: tuple[str, ...], outputs: tuple[str, ...]
) -> frozenset[str]:
    key = (country, columns, outputs)
    if key not in _AFFECTED:
        book = rulebook_for(country)
        known = [o for o in outputs if o in book.variables]
        _AFFECTED[key] = frozenset(book.outputs_affected_by(columns, known) if known else ())
    return _AFFECTED[key]


def services_for_columns(
    country: str, columns: tuple[str, ...], batch: ProposalBatch | None = None
) -> list[Service]:
    """The proactive services whose rule outputs read any of `columns` (the dependency map)."""
    if batch is not None:
        if country not in batch.services:
            batch.services[country] = proactive_services(country, None)
        every = batch.services[country]
    else:
        every = proactive_services(country, None)
    outputs = tuple(sorted({o for s in every for o in s.rule_outputs}))
    affected = outputs_affected(country, columns, outputs)
    return [s for s in every if affected & set(s.rule_outputs)]


def _start_for(event: LifeEvent) -> dt.date:
    if event.type == EventType.DISABILITY_DETERMINED:
        valid_from = (event.payload or {}).get("valid_from")
        if valid_from:
            return dt.date.fromisoformat(str(valid_from))
    return event.occurred_on


def screen_events(
    events: list[LifeEvent], batch: ProposalBatch | None = None
) -> dict[tuple[int, int], Screen]:
    """Evaluate, in one vectorised pass per period, every service each event can affect for
    the households the events touch; keyed by (event id, service id).

    Only a hint: what it does not cover (a person not in the month's snapshot) is evaluated
    one by one as before.
    """
    wanted: dict[str, list[tuple[LifeEvent, Person, Household, list[Service]]]] = defaultdict(list)
    for event in events:
        person, columns = event.person, EVENT_COLUMNS.get(event.type)
        if person is None or columns is None:
            continue
        household = household_of(person, event.occurred_on, batch)
        services = services_for_columns(person.country, columns, batch)
        if household is not None and services:
            wanted[period_of(_start_for(event))].append((event, person, household, services))
    screens: dict[tuple[int, int], Screen] = {}
    for period, items in wanted.items():
        by_country: dict[str, list[tuple[LifeEvent, Person, Household, list[Service]]]] = (
            defaultdict(list)
        )
        for item in items:
            by_country[item[1].country].append(item)
        for country, group in by_country.items():
            screens.update(_screen_group(country, period, group))
    return screens


def _screen_group(
    country: str, period: str, group: list[tuple[LifeEvent, Person, Household, list[Service]]]
) -> dict[tuple[int, int], Screen]:
    book = rulebook_for(country)
    services = {s.pk: s for item in group for s in item[3]}
    gates = {gate for s in services.values() for name in s.rule_outputs
             if (gate := RECORD_NEEDED.get(name, (None, ""))[1])}
    outputs = sorted({o for s in services.values() for o in s.rule_outputs} | gates)
    household_ids = sorted({item[2].pk for item in group})
    snapshot = period_snapshot(period, household_ids=household_ids)
    # The same export decides the cases these events open (inside `snapshots_shared`).
    snapshots_preload(period, snapshot.persons, snapshot.households, household_ids)
    if snapshot.persons.height == 0:
        return {}
    people_lf, homes_lf = evaluate_population(
        book, period, snapshot.persons, snapshot.households, outputs
    )
    people, homes = pl.collect_all([people_lf, homes_lf])
    person_cols = [c for c in people.columns if c in outputs]
    home_cols = [c for c in homes.columns if c in outputs]
    frame = snapshot.persons.select("person_id", "household_id").join(
        people.select("person_id", *person_cols), on="person_id", how="left"
    ).join(homes.select("household_id", *home_cols), on="household_id", how="left")
    kinds: dict[str, object] = {n: book.variables[n].vtype for n in outputs}
    masks = {pk: eligible_mask(frame, s, kinds) for pk, s in services.items()}
    row_of = {pid: i for i, pid in enumerate(frame.get_column("person_id").to_list())}
    gate_values = {g: frame.get_column(g).to_list() for g in gates if g in frame.columns}
    screens: dict[tuple[int, int], Screen] = {}
    for event, person, _household, event_services in group:
        row = row_of.get(person.pk)
        if row is None:
            continue
        for service in event_services:
            gate_names = [RECORD_NEEDED[n][1] for n in service.rule_outputs if n in RECORD_NEEDED]
            gate_open = any(bool(gate_values.get(g, [True] * (row + 1))[row]) for g in gate_names)
            screens[(event.pk, service.pk)] = Screen(
                eligible=bool(masks[service.pk][row]), gate_open=gate_open
            )
    return screens


def event_handle(
    event: LifeEvent, screens: dict[tuple[int, int], Screen] | None = None,
    batch: ProposalBatch | None = None,
) -> tuple[list[ProactiveAction], int]:
    """Act on one life event; returns the actions recorded and the number of awards ended.

    With a `batch`, the actions are written (and returned) by `batch.flush()` instead."""
    person = event.person
    columns = EVENT_COLUMNS.get(event.type)
    if person is None or columns is None:
        return [], 0
    ended = 0
    actions: list[ProactiveAction] = []
    if event.type == EventType.DEATH:
        if batch is not None and batch.awards_pending_for(person):
            # The deceased may have been awarded something earlier in the chunk: write it first.
            # (Only then: each flush is ~10 statements, and most deaths have nothing pending.)
            actions.extend(batch.flush())
        ended = len(awards_end_for_person(
            person=person, end=last_day_of_month(event.occurred_on),
            reason=str(MSG_DEATH % {"date": event.occurred_on.isoformat()}),
        ))
    trigger = Trigger(key=f"event:{event.pk}", name=event.type, occurred_on=event.occurred_on,
                      life_event=event)
    start = _start_for(event)
    # Every service of the event is decided on the same household and month, and deciding
    # writes nothing to the registry: one snapshot serves them all.
    with snapshots_shared():
        for service in services_for_columns(person.country, columns, batch):
            action = propose(trigger=trigger, service=service, person=person,
                             period=period_of(start), start=start,
                             screen=(screens or {}).get((event.pk, service.pk)), batch=batch)
            if action is not None and batch is None:  # a batch returns its actions at flush
                actions.append(action)
    return actions, ended


def cursor_name(name: str, partition: tuple[int, int] | None) -> str:
    """The cursor of one partition of the log (`registry.selectors.events_after`)."""
    return name if partition is None else f"{name}:{partition[0]}/{partition[1]}"


def _cursor(name: str, partition: tuple[int, int] | None) -> str:
    """Create the cursor if new; a new partition's starts where the whole log's consumer is,
    so moving from one worker to several does not read the log again from the start."""
    named = cursor_name(name, partition)
    if partition is not None:
        index, count = partition
        if not 0 <= index < count:
            raise ValueError(f"partition {index} of {count} does not exist")
        start = EventCursor.objects.filter(name=name).values_list("last_event_id", flat=True)
        EventCursor.objects.get_or_create(name=named,
                                          defaults={"last_event_id": start.first() or 0})
    else:
        EventCursor.objects.get_or_create(name=named)
    return named


def events_consume(
    *, limit: int = 1000, name: str = CURSOR, chunk: int = CHUNK,
    partition: tuple[int, int] | None = None,
) -> ConsumeResult:
    """Handle the events after the cursor, oldest first, at most `limit`, `chunk` events per
    transaction; move the cursor. With `partition=(k, n)`, only the events of partition k of
    n, with that partition's own cursor: n workers, one per partition, share the log."""
    return _consume(_cursor(name, partition), partition, limit, chunk)


def _consume(
    named: str, partition: tuple[int, int] | None, limit: int, chunk: int
) -> ConsumeResult:
    result = ConsumeResult()
    while result.events < limit:
        cursor = EventCursor.objects.get(name=named)
        page = events_after(cursor.last_event_id, min(chunk, limit - result.events), partition)
        if not page:
            break
        try:
            done = _chunk_consume(page, named) if chunk > 1 else _one_by_one(page, named)
        except IntegrityError:
            # Another run recorded a proposal of this chunk first (a unique key refused ours,
            # and the chunk was rolled back): one by one, each race is settled event by event.
            done = _one_by_one(page, named)
        result.actions.extend(done.actions)
        result.ended += done.ended
        result.events += done.events
        result.last_event_id = done.last_event_id or result.last_event_id
    return result


def worker_gc_tune() -> None:
    """Make the cyclic garbage collector run less often in a worker process.

    A chunk builds ~100k short-lived ORM objects; at CPython's default threshold (2,000
    allocations) the collector's young-generation passes took ~10 % of a worker's Python time
    on the events benchmark. Nothing a chunk builds is cyclic garbage that must go early.
    For worker processes only (`dost proactive consume`), never a library side effect.
    """
    gc.set_threshold(50_000, 20, 20)


def events_follow(
    *, poll: float = 1.0, idle_exit: float | None = None, name: str = CURSOR, chunk: int = CHUNK,
    partition: tuple[int, int] | None = None,
    on_chunk: Callable[[ConsumeResult], None] | None = None,
) -> ConsumeResult:
    """Consume the log as it grows (a worker beside the event ingest): handle what is new,
    chunk by chunk, and wait `poll` seconds whenever nothing is. Runs until interrupted, or
    until `idle_exit` seconds pass with nothing new. `on_chunk` is told of each chunk done,
    with its actions; the result only counts them (a worker runs for days: keeping every
    action it recorded would grow without end).

    Each chunk is `events_consume`'s (one transaction with the cursor move), so stopping the
    worker at any moment loses and repeats nothing; two workers on one cursor take turns, and
    workers on the partitions of the log (`partition=(k, n)`, k = 0 … n-1) work side by side.
    """
    total = ConsumeResult()
    idle_since = time.monotonic()
    named = _cursor(name, partition)
    while True:
        done = _consume(named, partition, chunk, chunk)
        if done.events:
            total.events += done.events
            total.ended += done.ended
            total.last_event_id = done.last_event_id
            if on_chunk is not None:
                on_chunk(done)
            idle_since = time.monotonic()
            continue
        if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
            return total
        time.sleep(poll)


def _evaluated(event: LifeEvent, batch: ProposalBatch) -> bool:
    """Whether `event_handle` evaluates any service for `event` (its person is known)."""
    columns = EVENT_COLUMNS.get(event.type)
    person = event.person
    return bool(columns and person and services_for_columns(person.country, columns, batch))


def _chunk_consume(page: list[LifeEvent], name: str) -> ConsumeResult:
    result = ConsumeResult()
    with transaction.atomic():
        # The lock makes two consumers of one cursor take turns instead of both acting.
        locked = EventCursor.objects.select_for_update().get(name=name)
        todo = [event for event in page if event.pk > locked.last_event_id]
        if not todo:
            return result
        # Consuming writes nothing to the registry: one export per household and month serves
        # the screening and every decision of the chunk.
        with snapshots_shared():
            batch = ProposalBatch.for_events([event.pk for event in todo])
            # Who lives where, and with whom, for the whole chunk in two queries (the cases
            # opened ask for the households' members on the event's day and start); only for
            # the events some service is evaluated for (a job started changes no rule input).
            acting = [(e.person, e) for e in todo if e.person is not None and _evaluated(e, batch)]
            batch.households_preload([(person, e.occurred_on) for person, e in acting])
            homes = [(home, event) for person, event in acting
                     if (home := batch.household_of(person, event.occurred_on))]
            batch.members_preload([(home, day) for home, event in homes
                                   for day in {event.occurred_on, _start_for(event)}])
            screens = screen_events(todo, batch)
            for event in todo:
                before, ended = event_handle(event, screens, batch)
                result.actions.extend(before)
                result.ended += ended
            result.actions.extend(batch.flush())
        locked.last_event_id = todo[-1].pk
        locked.save(update_fields=["last_event_id", "updated_at"])
    result.events, result.last_event_id = len(todo), todo[-1].pk
    return result


def _one_by_one(page: list[LifeEvent], name: str) -> ConsumeResult:
    result = ConsumeResult()
    screens = screen_events(page)
    for event in page:
        with transaction.atomic():
            locked = EventCursor.objects.select_for_update().get(name=name)
            if locked.last_event_id >= event.pk:
                continue
            actions, ended = event_handle(event, screens)
            locked.last_event_id = event.pk
            locked.save(update_fields=["last_event_id", "updated_at"])
        result.actions.extend(actions)
        result.ended += ended
        result.events += 1
        result.last_event_id = event.pk
    return result


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the 29th-31st fall back to the month's last day)."""
    total = day.year * 12 + day.month - 1 - months
    first = dt.date(total // 12, total % 12 + 1, 1)
    return first.replace(day=min(day.day, last_day_of_month(first).day))


def born_reaching(on: dt.date, months: int) -> Q:
    """People who complete `months` of age on `on` (on a month's last day, also those born
    on a later day of the month, who have no such day this month)."""
    birth = months_before(on, months)
    if on == last_day_of_month(on):
        return Q(birth_date__gte=birth, birth_date__lte=last_day_of_month(birth))
    return Q(birth_date=birth)


def retirement_ages(country: str, on: dt.date) -> set[int]:
    """The retirement ages (in months) in force on `on`, from the rulebook's parameters."""
    params = rulebook_for(country).parameters
    ages = set()
    for name in params:
        if "retirement_age" in name:
            value = params[name].at(on)
            if value is not None and isinstance(value.value, int | float):
                ages.add(int(value.value))
    return ages


def _next_period_start(day: dt.date) -> dt.date:
    # The rules compute ages on the first day of a month: a right reached on the 1st counts
    # from that month, one reached later in the month from the next.
    return day if day.day == 1 else last_day_of_month(day) + dt.timedelta(days=1)


def day_consume(*, on: dt.date) -> ConsumeResult:
    """The triggers of age on `on`: retirement, and children turning 1 or 18."""
    result = ConsumeResult()
    period_start = _next_period_start(on)
    for country in ("az", "uz"):
        services = proactive_services(country, set(RETIREMENT_OUTPUTS))
        ages = retirement_ages(country, on) if services else set()
        if not ages:
            continue
        reaching = Q()
        for months in ages:
            reaching |= born_reaching(on, months)
        # Only people completing a retirement age today; the rules decide (sex, record, capital).
        for person in Person.objects.filter(reaching, country=country, death_date__isnull=True):
            trigger = Trigger(key=f"retirement:{on.isoformat()}", name="retirement",
                              occurred_on=on)
            for service in services:
                if Award.objects.filter(person=person, service=service).exists():
                    continue
                action = propose(trigger=trigger, service=service, person=person,
                                 period=period_of(period_start), start=period_start)
                if action is not None:
                    result.actions.append(action)
    for years in ENDING_AGES:
        birth = on.replace(year=on.year - years) if not (on.month == 2 and on.day == 29) else None
        if birth is None:
            continue
        awards = Award.objects.filter(
            person__birth_date=birth, status=AwardStatus.ACTIVE, frequency=Frequency.MONTHLY
        ).select_related("service", "person")
        for award in awards:
            assert award.person is not None
            household = household_of(award.person, on)
            try:
                entitled = household is not None and evaluate_for_case(
                    service=award.service, household_id=household.pk,
                    applicant_id=award.person.pk, period=period_of(period_start),
                ).approved
            except ValidationError:
                # The rules cannot tell: the award keeps running until staff look at it.
                continue
            if not entitled:
                award_end(award=award, end=on - dt.timedelta(days=1),
                          reason=str(MSG_NO_LONGER % {"date": on.isoformat()}))
                ProactiveAction.objects.get_or_create(
                    key=f"age:{on.isoformat()}:{award.service.code}:{award.person.pk}",
                    defaults={"trigger": f"age_{years}", "service": award.service,
                              "person": award.person, "household": household,
                              "kind": ActionKind.ENDED, "award": award, "occurred_on": on,
                              "period": period_of(on)},
                )
                result.ended += 1
    return result
