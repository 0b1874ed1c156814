"""Proactive proposals of a chunk of events, written together.

`propose(..., batch=...)` decides what to do exactly as one by one, but leaves the writes here:
the actions, and the cases to open. `flush()` then opens and decides the cases in bulk
(`cases_submit_decided_batch`), makes the awards of the automatic ones in bulk
(`awards_from_decisions_batch`) and inserts every action, in the order they were proposed.
The caller holds one transaction around the chunk and the flush, with the consumer's cursor
move: a crash anywhere loses the whole chunk and the next run does it again, and the unique
action keys (`ProactiveAction.key`) refuse any second write of the same proposal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from dost.benefits.services.awards import AwardSpec, awards_from_decisions_batch
from dost.bulk import insert_rows
from dost.cases.models import Case, Decision, Outcome
from dost.cases.services import DecidedCaseSpec, cases_submit_decided_batch
from dost.catalog.models import ProactiveOutcome, Service
from dost.proactive.models import ActionKind, ActionStatus, ProactiveAction
from dost.proactive.services.assign import (
    MSG_CASE_FAILED,
    _frequency,
    action_unsaved,
    award_holder,
)
from dost.registry.models import Household, Membership, Person
from dost.registry.selectors import household_members_on


@dataclass
class _PendingCase:
    spec: DecidedCaseSpec
    start: dt.date
    common: dict[str, Any]


@dataclass
class ProposalBatch:
    """What a chunk of proposals will write; see the module's docstring."""

    # Keys already recorded (read once for the chunk) or proposed in it.
    taken: set[str] = field(default_factory=set)
    _slots: list[ProactiveAction | _PendingCase] = field(default_factory=list)
    _households: dict[tuple[int, dt.date], Household | None] = field(default_factory=dict)
    _members: dict[tuple[int, dt.date], list[Membership]] = field(default_factory=dict)
    # The proactive services of each country, read once for the chunk.
    services: dict[str, list[Service]] = field(default_factory=dict)
    # Applicants and beneficiaries of the cases waiting for the next flush.
    _case_people: set[int] = field(default_factory=set)

    @classmethod
    def for_events(cls, event_ids: list[int]) -> ProposalBatch:
        taken = set(
            ProactiveAction.objects.filter(life_event_id__in=event_ids)
            .values_list("key", flat=True)
        ) if event_ids else set()
        return cls(taken=taken)

    def key_take(self, key: str) -> bool:
        """False when the proposal under `key` was already made (now or by an earlier run)."""
        if key in self.taken:
            return False
        self.taken.add(key)
        return True

    def household_of(self, person: Person, on: dt.date) -> Household | None:
        """`assign.household_of`, asked once per person and day for the chunk."""
        if (person.pk, on) not in self._households:
            membership = (
                Membership.objects.select_related("household", "household__district")
                .filter(person=person, joined_on__lte=on).order_by("-joined_on", "-id").first()
            )
            self._households[(person.pk, on)] = (
                membership.household if membership is not None else None
            )
        return self._households[(person.pk, on)]

    def households_preload(self, wanted: list[tuple[Person, dt.date]]) -> None:
        """`household_of` for many (person, day) at once: one query instead of one each.

        The same answer as `household_of`: the membership that person joined last on or before
        the day (the latest `joined_on`, then the highest id)."""
        todo = [(p, on) for p, on in wanted if (p.pk, on) not in self._households]
        if not todo:
            return
        latest: dict[int, list[Membership]] = {}
        rows = (
            Membership.objects.select_related("household", "household__district")
            .filter(person_id__in={p.pk for p, _on in todo},
                    joined_on__lte=max(on for _p, on in todo))
            .order_by("-joined_on", "-id")
        )
        for membership in rows:
            latest.setdefault(membership.person_id, []).append(membership)
        for person, on in todo:
            found = next((m for m in latest.get(person.pk, ()) if m.joined_on <= on), None)
            self._households[(person.pk, on)] = found.household if found is not None else None

    def members_preload(self, wanted: list[tuple[Household, dt.date]]) -> None:
        """`members_on` for many (household, day) at once: one query instead of one each, with
        the same answer (`household_members_on`: joined on or before the day, not left by it,
        in joining order)."""
        todo = [(h, on) for h, on in wanted if (h.pk, on) not in self._members]
        if not todo:
            return
        rows = (
            Membership.objects.select_related("person")
            .filter(household_id__in={h.pk for h, _on in todo},
                    joined_on__lte=max(on for _h, on in todo))
            .order_by("joined_on", "id")
        )
        by_home: dict[int, list[Membership]] = {}
        for membership in rows:
            by_home.setdefault(membership.household_id, []).append(membership)
        for home, on in todo:
            self._members[(home.pk, on)] = [
                m for m in by_home.get(home.pk, ())
                if m.joined_on <= on and (m.left_on is None or m.left_on > on)
            ]

    def members_on(self, household: Household, on: dt.date) -> list[Membership]:
        """`registry.selectors.household_members_on`, asked once per household and day: a
        birth's services ask for the same household's members up to three times."""
        if (household.pk, on) not in self._members:
            self._members[(household.pk, on)] = list(household_members_on(household, on))
        return self._members[(household.pk, on)]

    def action_add(self, action: ProactiveAction) -> None:
        self._slots.append(action)

    def case_add(
        self, *, service: Service, applicant: Person, household: Household,
        beneficiary: Person | None, start: dt.date, common: dict[str, Any],
    ) -> None:
        spec = DecidedCaseSpec(service=service, applicant=applicant, household=household,
                               period=common["period"], beneficiary=beneficiary)
        self._slots.append(_PendingCase(spec=spec, start=start, common=common))
        self._case_people.add(applicant.pk)
        if beneficiary is not None:
            self._case_people.add(beneficiary.pk)

    def __len__(self) -> int:
        return len(self._slots)

    def awards_pending_for(self, person: Person) -> bool:
        """Whether a case waiting here could make an award held by `person`: its applicant or
        beneficiary (`assign.award_holder` picks one of them, or the household)."""
        return person.pk in self._case_people

    def flush(self) -> list[ProactiveAction]:
        """Write what was proposed since the last flush; returns the actions, in order."""
        pending = [slot for slot in self._slots if isinstance(slot, _PendingCase)]
        answers = cases_submit_decided_batch(specs=[p.spec for p in pending])
        decided: dict[int, ProactiveAction] = {}
        awards: list[tuple[ProactiveAction, AwardSpec]] = []
        for slot, answer in zip(pending, answers, strict=True):
            decided[id(slot)] = self._decided(slot, answer, awards)
        made = awards_from_decisions_batch(specs=[spec for _action, spec in awards])
        for (action, _spec), award in zip(awards, made, strict=True):
            action.award = award
        actions = [decided[id(slot)] if isinstance(slot, _PendingCase) else slot
                   for slot in self._slots]
        insert_rows(actions)
        self._slots = []
        self._case_people = set()
        return actions

    def _decided(
        self, slot: _PendingCase, answer: tuple[Case, Decision] | ValidationError,
        awards: list[tuple[ProactiveAction, AwardSpec]],
    ) -> ProactiveAction:
        # What `assign._open_case` records after `case_submit`, one by one.
        common = {k: v for k, v in slot.common.items() if k != "batch"}
        service = slot.spec.service
        if isinstance(answer, ValidationError):
            return action_unsaved(
                kind=ActionKind.TASK, status=ActionStatus.OPEN,
                note=str(MSG_CASE_FAILED) % {"service": service.code,
                                             "error": "; ".join(answer.messages)},
                **common,
            )
        case, decision = answer
        if decision.outcome != Outcome.APPROVED:
            return action_unsaved(kind=ActionKind.NOT_ELIGIBLE, case=case, **common)
        if service.proactive_outcome == ProactiveOutcome.OFFER:
            return action_unsaved(kind=ActionKind.OFFER, status=ActionStatus.OPEN, case=case,
                                 start=slot.start, **common)
        action = action_unsaved(kind=ActionKind.AWARD, case=case, start=slot.start, **common)
        holder, home = award_holder(case)
        awards.append((action, AwardSpec(decision=decision, start=slot.start,
                                         frequency=_frequency(service), person=holder,
                                         household=home)))
        return action
