"""The proactive engine in chunks: the same outcome as event by event, all or nothing per chunk,
never a second case, award or action for the same proposal."""

from __future__ import annotations

import datetime as dt
import gc
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction

from dost.benefits.models import Award, AwardAmount, AwardStatus
from dost.benefits.services.awards import awards_from_decisions_batch
from dost.cases.models import Case, CaseEvent, Decision, Notification
from dost.cases.rules_bridge import LANGUAGES
from dost.cases.selectors import decision_explanation_text
from dost.proactive.models import EventCursor, ProactiveAction
from dost.proactive.services import batch as batch_module
from dost.proactive.services.batch import ProposalBatch
from dost.proactive.services.engine import events_consume, events_follow
from dost.proactive.tests.conftest import CHILDBIRTH, Family, send
from dost.registry.models import Membership, Person
from dost.registry.selectors import events_after
from dost.registry.tests.factories import fin_for

pytestmark = pytest.mark.usefixtures("az_world")


def _world() -> list[Person]:
    """Three families: a birth in each (one mother speaks Russian), a disability determination
    in one, and a death after a back-dated disability determination of the same person."""
    families = [Family(wage="0.00"), Family(wage="0.00"), Family(wage="2500.00")]
    families[1].wife.preferred_language = "ru"
    families[1].wife.save()
    for n, family in enumerate(families):
        send("birth", dt.date(2026, 5, 10 + n), personal_id=fin_for(810_000 + n),
             last_name="Həsənova", first_name="Aylin", sex="F",
             mother_personal_id=family.wife.personal_id)
    send("disability_determined", dt.date(2026, 5, 14), personal_id=families[0].husband.personal_id,
         impairment_percent=85, group=1)
    dying = families[2].member(sex="M", birth_date=dt.date(1980, 2, 2))
    # Determined from March (alive then, so awarded), dead in May: the death, later in the
    # same chunk, must find the award to end it.
    send("disability_determined", dt.date(2026, 5, 15), personal_id=dying.personal_id,
         impairment_percent=90, group=1, valid_from="2026-03-01")
    send("death", dt.date(2026, 5, 16), personal_id=dying.personal_id)
    # A newborn dies in the same chunk as its birth: the death must find (and end) the
    # awards the birth made earlier in the chunk.
    send("death", dt.date(2026, 5, 19), personal_id=fin_for(810_000))
    return [f.wife for f in families]


def _outcome() -> list[tuple[Any, ...]]:
    """Everything the engine wrote, without keys and times that differ between runs."""
    rows: list[tuple[Any, ...]] = []
    for action in ProactiveAction.objects.order_by("id").select_related("case", "award"):
        case, award = action.case, action.award
        decision = case.decisions.get(is_current=True) if case else None
        rows.append((
            action.key, action.kind, action.status, action.start, action.note,
            case and (case.applicant_id, case.beneficiary_id, case.household_id, case.status,
                      case.channel, case.period, case.due_on, case.notify_channels),
            decision and (decision.outcome, decision.amount, decision.reasons,
                          decision.explanation_values, decision.explanation_shape_id,
                          [decision_explanation_text(decision=decision, language=lang)
                           for lang in LANGUAGES],
                          decision.parameters),
            award and (award.person_id, award.household_id, award.frequency, award.start,
                       award.end, award.status, [a.amount for a in award.amounts.all()]),
            case and sorted(
                # The case's reference (from its key) differs between runs.
                (n.event.status_to, n.channel, n.language,
                 n.subject.replace(case.reference, "C-#"), n.body.replace(case.reference, "C-#"))
                for n in Notification.objects.filter(case=case).select_related("event")
            ),
        ))
    return rows


def _forget_everything() -> None:
    ProactiveAction.objects.all().delete()
    AwardAmount.objects.all().delete()
    Award.objects.all().delete()
    Notification.objects.all().delete()
    CaseEvent.objects.all().delete()
    Decision.objects.all().delete()
    Case.objects.all().delete()
    EventCursor.objects.all().delete()


def test_it_decides_a_chunk_exactly_as_event_by_event(
    django_capture_on_commit_callbacks: Any,
) -> None:
    _world()
    with django_capture_on_commit_callbacks(execute=True):
        chunked = events_consume()
    in_chunks = _outcome()
    _forget_everything()
    with django_capture_on_commit_callbacks(execute=True):
        one_by_one = events_consume(chunk=1)

    assert _outcome() == in_chunks
    assert chunked.events == one_by_one.events == 7
    assert chunked.ended == one_by_one.ended >= 1
    assert len(chunked.actions) == len(one_by_one.actions) == len(in_chunks)
    # The outcome is not empty: awards made, the newborn's ended by its death, told in Russian.
    assert Award.objects.filter(service__code=CHILDBIRTH).count() == 3
    assert Award.objects.filter(person__personal_id=fin_for(810_000),
                                status=AwardStatus.ENDED).count() == chunked.ended
    assert Notification.objects.filter(language="ru").exists()


def test_it_leaves_nothing_when_a_chunk_fails_midway_and_redoes_it_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _world()
    real = awards_from_decisions_batch

    def crash(**kwargs: Any) -> Any:
        real(**kwargs)  # cases, decisions and awards are written, then the process "dies"
        raise RuntimeError("killed")

    monkeypatch.setattr(batch_module, "awards_from_decisions_batch", crash)
    with pytest.raises(RuntimeError):
        events_consume()
    assert (Case.objects.count(), Award.objects.count(), ProactiveAction.objects.count()) == (
        0, 0, 0)
    assert EventCursor.objects.get(name="proactive").last_event_id == 0

    monkeypatch.undo()
    first = events_consume()
    written = (Case.objects.count(), Award.objects.count(), ProactiveAction.objects.count())
    EventCursor.objects.update(last_event_id=0)  # rewound: every event is seen again
    again = events_consume()

    assert first.events == again.events == 7 and first.actions and not again.actions
    assert (Case.objects.count(), Award.objects.count(),
            ProactiveAction.objects.count()) == written


def test_it_falls_back_to_one_by_one_when_another_run_took_a_proposal_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _world()
    events_consume()
    written = (Case.objects.count(), Award.objects.count(), ProactiveAction.objects.count())
    # Another run's actions are invisible to this chunk until its insert: the unique key of
    # the database refuses the second action, the chunk rolls back and goes one by one.
    monkeypatch.setattr(ProposalBatch, "for_events", classmethod(lambda cls, ids: cls()))
    EventCursor.objects.update(last_event_id=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProactiveAction.objects.create(**{
            f.name: getattr(ProactiveAction.objects.first(), f.name)
            for f in ProactiveAction._meta.concrete_fields if f.name != "id"
        })

    result = events_consume()

    assert result.events == 7 and not result.actions
    assert (Case.objects.count(), Award.objects.count(),
            ProactiveAction.objects.count()) == written


def test_a_follower_consumes_the_log_chunk_by_chunk_as_the_consumer_does() -> None:
    _world()
    seen: list[int] = []
    followed = events_follow(poll=0.01, idle_exit=0.05, chunk=3,
                             on_chunk=lambda done: seen.append(done.events))
    by_follower = _outcome()
    _forget_everything()
    consumed = events_consume()

    assert seen == [3, 3, 1] and followed.events == consumed.events == 7
    assert followed.last_event_id == EventCursor.objects.get(name="proactive").last_event_id
    assert _outcome() == by_follower
    # Nothing new: it waits, then stops, having done nothing.
    assert events_follow(poll=0.01, idle_exit=0.05).events == 0


def test_workers_on_the_partitions_of_the_log_decide_what_one_worker_does() -> None:
    mothers = _world()
    whole = events_consume()
    alone = sorted(_outcome(), key=repr)
    _forget_everything()
    EventCursor.objects.create(name="proactive", last_event_id=0)
    parts = [events_consume(partition=(k, 2)) for k in (1, 0)]

    homes = {m.household_id % 2 for m in Membership.objects.filter(person__in=mothers)}
    assert all(parts[1 - k].events > 0 for k in homes)  # (parts are asked 1, then 0)
    assert sum(p.events for p in parts) == whole.events == 7
    assert sorted(_outcome(), key=repr) == alone
    names = set(EventCursor.objects.values_list("name", flat=True))
    assert names == {"proactive", "proactive:0/2", "proactive:1/2"}
    # Each event is in exactly one partition, a household's events all in the same one.
    seen = [{e.pk for e in events_after(0, 100, (k, 2))} for k in (0, 1)]
    assert not seen[0] & seen[1] and len(seen[0] | seen[1]) == 7


def test_a_new_partition_starts_where_the_whole_log_consumer_is() -> None:
    _world()
    events_consume(limit=4)
    at = EventCursor.objects.get(name="proactive").last_event_id
    rest = [events_consume(partition=(k, 3)) for k in range(3)]
    assert sum(r.events for r in rest) == 3
    assert all(c.last_event_id >= at for c in EventCursor.objects.all())
    with pytest.raises(ValueError, match="partition 3 of 3"):
        events_consume(partition=(3, 3))


def test_the_command_runs_a_worker_on_one_partition() -> None:
    mother = _world()[0]
    part = Membership.objects.get(person=mother).household_id % 2  # her birth event's
    out = io.StringIO()
    threshold = gc.get_threshold()
    try:
        call_command("proactive", "consume", "--follow", "--poll", "0.01", "--idle-exit", "0.05",
                     "--partition", f"{part}/2", stdout=out)
        assert gc.get_threshold()[0] > threshold[0]  # a worker collects less often
    finally:
        gc.set_threshold(*threshold)
    handled = EventCursor.objects.get(name=f"proactive:{part}/2")
    assert out.getvalue().rstrip().endswith("events in all")
    assert handled.last_event_id > 0
    with pytest.raises(CommandError, match="K must be 0 to N-1"):
        call_command("proactive", "consume", "--partition", "2/2")
