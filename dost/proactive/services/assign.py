"""One proactive evaluation: a service, a person, a period -> an award, an offer, a task or an
invitation, recorded once under a key.

The rules are asked first (`evaluate_for_case`), without opening a case: a citizen who never
asked is not sent a refusal. When they are entitled, a case with channel "proactive" is opened
through `case_submit`, which decides it by the rules like any other application (same clock,
explanation, notification and appeal). The service passport's `proactive_outcome` then says
whether the award is made at once (the citizen is notified and may refuse it) or offered for
the citizen to accept in one step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import Award, AwardStatus, Frequency
from dost.benefits.services.awards import award_end, award_from_decision
from dost.cases.models import Case, Outcome
from dost.cases.rules_bridge import evaluate_for_case, rulebook_for
from dost.cases.services import case_submit
from dost.catalog.models import IntakeChannel, ProactiveOutcome, Service
from dost.proactive.models import ActionKind, ActionStatus, ProactiveAction
from dost.registry.models import Household, InsuranceRecord, LifeEvent, Membership, Person, Role
from dost.registry.selectors import household_members_on
from dost.rules import PERSON

if TYPE_CHECKING:
    from dost.proactive.services.batch import ProposalBatch

# Rule outputs paid once rather than monthly (the passports do not say; the law does).
LUMP_SUM_OUTPUTS = frozenset({"childbirth_grant", "funeral_grant"})
# Outputs the rules can only decide with a record the registry may not hold yet: when the
# person passes the gate (e.g. has reached retirement age) but the record is missing, they are
# invited to apply (bringing their papers) instead of being refused on a guess.
RECORD_NEEDED: dict[str, tuple[type[InsuranceRecord], str]] = {
    "old_age_pension_right": (InsuranceRecord, "retirement_age_reached"),
    "old_age_pension_amount": (InsuranceRecord, "retirement_age_reached"),
}
# Outputs paid to the family of the person they are computed for (the deceased): the case names
# a surviving member as applicant, the deceased as beneficiary, and the award is the survivor's
# (a deceased's awards end with the death).
FAMILY_OUTPUTS = frozenset({"funeral_grant"})
# Below this age a person-level benefit is asked for (and the decision told to) a parent.
ADULT_AGE = 18

MSG_NO_HOUSEHOLD = _("%(person)s belongs to no household: staff must check the registry.")
MSG_RULES_FAILED = _("The rules could not decide %(service)s: %(error)s")
MSG_CASE_FAILED = _("A proactive case for %(service)s could not be opened: %(error)s")
MSG_RECORD_MISSING = _(
    "No insurance record for %(person)s: invited to apply for %(service)s with their papers."
)
MSG_NO_SURVIVOR = _(
    "%(service)s is due to the family of %(person)s, but the household has no surviving adult "
    "member: staff must find who receives it."
)
MSG_REFUSED_BY_CITIZEN = _("Refused by the citizen")
MSG_ALREADY_ANSWERED = _("This offer has already been answered.")


@dataclass(frozen=True)
class Screen:
    """What a vectorised evaluation already said about a service for a person."""

    eligible: bool
    gate_open: bool  # the gate of a record the rules need (see RECORD_NEEDED) is passed


@dataclass(frozen=True)
class Trigger:
    key: str  # e.g. "event:42" or "retirement:2026-05-01"
    name: str  # birth, death, retirement, ...
    occurred_on: dt.date
    life_event: LifeEvent | None = None


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def household_of(
    person: Person, on: dt.date, batch: ProposalBatch | None = None
) -> Household | None:
    if batch is not None:
        return batch.household_of(person, on)
    membership = (
        person.memberships.filter(joined_on__lte=on).order_by("-joined_on", "-id").first()
    )
    return membership.household if membership is not None else None


def _members_on(
    household: Household, on: dt.date, batch: ProposalBatch | None = None
) -> list[Membership]:
    if batch is not None:
        return batch.members_on(household, on)
    return list(household_members_on(household, on))


def _head(
    household: Household, on: dt.date, fallback: Person, batch: ProposalBatch | None = None
) -> Person:
    members = _members_on(household, on, batch)
    for membership in members:
        if membership.role == Role.HEAD:
            return membership.person
    return members[0].person if members else fallback


def _age_on(person: Person, on: dt.date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def survivor(
    deceased: Person, household: Household, on: dt.date, batch: ProposalBatch | None = None
) -> Person | None:
    """Who receives a grant due to the family of `deceased`: the spouse, else the oldest adult
    member living in the household on `on`."""
    members = [
        m for m in _members_on(household, on, batch)
        if m.person_id != deceased.pk and m.person.death_date is None
    ]
    own = Membership.objects.filter(person=deceased, household=household).order_by(
        "-joined_on", "-id"
    ).first()
    # The couple is head and spouse: the survivor of one is the other.
    partner_role = {Role.HEAD: Role.SPOUSE, Role.SPOUSE: Role.HEAD}.get(
        Role(own.role) if own is not None else Role.OTHER
    )
    for membership in members:
        if partner_role is not None and membership.role == partner_role:
            return membership.person
    adults = sorted(
        (m.person for m in members if _age_on(m.person, on) >= ADULT_AGE),
        key=lambda p: (p.birth_date, p.pk),
    )
    return adults[0] if adults else None


def parent_applicant(
    child: Person, household: Household, on: dt.date, batch: ProposalBatch | None = None
) -> Person:
    """Who applies for a minor: the mother, else the father, living in the household; else the
    head of the household; a person of age applies for themselves."""
    if _age_on(child, on) >= ADULT_AGE:
        return child
    living = {m.person_id: m.person for m in _members_on(household, on, batch)
              if m.person.death_date is None}
    for parent_id in (child.mother_id, child.father_id):
        if parent_id is not None and parent_id in living:
            return living[parent_id]
    head = _head(household, on, child, batch)
    return head if _age_on(head, on) >= ADULT_AGE else child


def is_person_level(service: Service) -> bool:
    book = rulebook_for(service.country)
    return any(
        book.variables[name].entity is PERSON for name in service.rule_outputs
        if name in book.variables
    )


def action_unsaved(
    *, trigger: Trigger, service: Service, person: Person, household: Household | None,
    kind: str, period: str, start: dt.date | None = None, note: str = "", status: str = "done",
    **links: Any,
) -> ProactiveAction:
    return ProactiveAction(
        key=f"{trigger.key}:{service.code}:{person.pk}", trigger=trigger.name,
        life_event=trigger.life_event, service=service, person=person, household=household,
        kind=kind, status=status, period=period, start=start, note=note,
        occurred_on=trigger.occurred_on, **links,
    )


def _record(
    *, trigger: Trigger, service: Service, person: Person, household: Household | None,
    kind: str, period: str, start: dt.date | None = None, note: str = "", status: str = "done",
    batch: ProposalBatch | None = None, **links: Any,
) -> ProactiveAction:
    action = action_unsaved(trigger=trigger, service=service, person=person,
                            household=household, kind=kind, period=period, start=start,
                            note=note, status=status, **links)
    if batch is not None:
        batch.action_add(action)  # inserted with the batch's others
    else:
        action.save(force_insert=True)
    return action


def is_family_grant(service: Service) -> bool:
    return any(name in FAMILY_OUTPUTS for name in service.rule_outputs)


def award_holder(case: Case) -> tuple[Person | None, Household | None]:
    """Whose award a proactive case makes: the household for a household benefit; the
    surviving applicant for a grant to the family of a deceased; else the beneficiary (a
    newborn's grant is the child's, so the child's birthdays end it)."""
    if not is_person_level(case.service):
        return None, case.household
    if is_family_grant(case.service):
        return case.applicant, None
    return case.beneficiary or case.applicant, None


def _frequency(service: Service) -> str:
    lump = any(name in LUMP_SUM_OUTPUTS for name in service.rule_outputs)
    return Frequency.LUMP_SUM if lump else Frequency.MONTHLY


def propose(
    *, trigger: Trigger, service: Service, person: Person, period: str, start: dt.date,
    screen: Screen | None = None, batch: ProposalBatch | None = None,
) -> ProactiveAction | None:
    """Evaluate `service` for `person` in `period` and act on it, once per trigger key.

    With a `screen` from a vectorised evaluation of the same period, a plainly not eligible
    person is recorded without evaluating again, and an eligible one goes straight to the case.
    Returns the action recorded, or None when this trigger was already handled. With a `batch`
    (`dost.proactive.services.batch`), the writes wait for `batch.flush()` in the caller's
    transaction and None is returned: the flush returns the actions.
    """
    key = f"{trigger.key}:{service.code}:{person.pk}"
    if batch is not None:
        if not batch.key_take(key):
            return None
        _propose(trigger=trigger, service=service, person=person, period=period, start=start,
                 screen=screen, batch=batch)
        return None
    if ProactiveAction.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return _propose(trigger=trigger, service=service, person=person, period=period,
                            start=start, screen=screen)
    except IntegrityError:
        # A concurrent run took the same key first: it handled this trigger.
        return None


def _propose(
    *, trigger: Trigger, service: Service, person: Person, period: str, start: dt.date,
    screen: Screen | None, batch: ProposalBatch | None = None,
) -> ProactiveAction | None:
    household = household_of(person, trigger.occurred_on, batch)
    common: dict[str, Any] = {
        "trigger": trigger, "service": service, "person": person, "household": household,
        "period": period, "batch": batch,
    }
    if household is None:
        return _record(kind=ActionKind.TASK, status=ActionStatus.OPEN,
                       note=str(MSG_NO_HOUSEHOLD % {"person": person.full_name}), **common)
    if screen is not None and not screen.eligible and not screen.gate_open:
        return _record(kind=ActionKind.NOT_ELIGIBLE, **common)
    if screen is not None and screen.eligible:
        return _open_case(service=service, person=person, household=household, start=start,
                          common=common)
    try:
        result = evaluate_for_case(
            service=service, household_id=household.pk, applicant_id=person.pk, period=period
        )
    except ValidationError as error:
        return _record(
            kind=ActionKind.TASK, status=ActionStatus.OPEN,
            note=str(MSG_RULES_FAILED) % {"service": service.code,
                                          "error": "; ".join(error.messages)},
            **common,
        )
    if not result.approved:
        needed = {RECORD_NEEDED[n] for n in service.rule_outputs if n in RECORD_NEEDED}
        if any(
            result.explained(gate, person.pk)
            and not model.objects.filter(person=person).exists()
            for model, gate in needed
        ):
            return _record(
                kind=ActionKind.INVITE, status=ActionStatus.OPEN,
                note=str(MSG_RECORD_MISSING) % {"person": person.full_name,
                                                "service": service.code},
                **common,
            )
        return _record(kind=ActionKind.NOT_ELIGIBLE, **common)
    return _open_case(service=service, person=person, household=household, start=start,
                      common=common)


def _open_case(
    *, service: Service, person: Person, household: Household, start: dt.date,
    common: dict[str, Any],
) -> ProactiveAction | None:
    period = common["period"]
    on = common["trigger"].occurred_on
    person_level = is_person_level(service)
    beneficiary: Person | None = None
    if not person_level:
        applicant = _head(household, start, person, common["batch"])
    elif is_family_grant(service):
        found = survivor(person, household, on, common["batch"])
        if found is None:
            return _record(
                kind=ActionKind.TASK, status=ActionStatus.OPEN, start=start,
                note=str(MSG_NO_SURVIVOR) % {"service": service.code,
                                             "person": person.full_name},
                **common,
            )
        applicant, beneficiary = found, person
    else:
        applicant = parent_applicant(person, household, on, common["batch"])
        beneficiary = person if applicant.pk != person.pk else None
    if common["batch"] is not None:
        # Opened, decided and awarded with the batch's other cases in `batch.flush()`.
        common["batch"].case_add(
            service=service, applicant=applicant, household=household, beneficiary=beneficiary,
            start=start, common=common,
        )
        return None
    try:
        with transaction.atomic():
            case = case_submit(
                service=service, applicant=applicant, household=household,
                channel=IntakeChannel.PROACTIVE, period=period, beneficiary=beneficiary,
            )
    except ValidationError as error:
        return _record(
            kind=ActionKind.TASK, status=ActionStatus.OPEN,
            note=str(MSG_CASE_FAILED) % {"service": service.code,
                                         "error": "; ".join(error.messages)},
            **common,
        )
    decision = case.decisions.filter(is_current=True).first()
    if decision is None or decision.outcome != Outcome.APPROVED:
        return _record(kind=ActionKind.NOT_ELIGIBLE, case=case, **common)
    if service.proactive_outcome == ProactiveOutcome.OFFER:
        return _record(kind=ActionKind.OFFER, status=ActionStatus.OPEN, case=case, start=start,
                       **common)
    holder, home = award_holder(case)
    award = award_from_decision(
        decision=decision, start=start, frequency=_frequency(service), person=holder,
        household=home,
    )
    return _record(kind=ActionKind.AWARD, case=case, award=award, start=start, **common)


def _open_offer_or_award(action: ProactiveAction, kind: str) -> ProactiveAction:
    action = ProactiveAction.objects.select_for_update().get(pk=action.pk)
    if action.kind != kind or action.status not in (ActionStatus.OPEN, ActionStatus.DONE):
        raise ValidationError(MSG_ALREADY_ANSWERED, code="answered")
    return action


@transaction.atomic
def offer_accept(*, action: ProactiveAction) -> Award:
    """The citizen accepts an offer: the award is made from the proactive case's decision."""
    action = _open_offer_or_award(action, ActionKind.OFFER)
    if action.status != ActionStatus.OPEN:
        raise ValidationError(MSG_ALREADY_ANSWERED, code="answered")
    assert action.case is not None and action.start is not None
    decision = action.case.decisions.get(is_current=True)
    holder, home = award_holder(action.case)
    award = award_from_decision(
        decision=decision, start=action.start, frequency=_frequency(action.case.service),
        person=holder, household=home,
    )
    action.award, action.status = award, ActionStatus.ACCEPTED
    action.save(update_fields=["award", "status", "updated_at"])
    return award


@transaction.atomic
def offer_decline(*, action: ProactiveAction) -> ProactiveAction:
    action = _open_offer_or_award(action, ActionKind.OFFER)
    if action.status != ActionStatus.OPEN:
        raise ValidationError(MSG_ALREADY_ANSWERED, code="answered")
    action.status = ActionStatus.REFUSED
    action.save(update_fields=["status", "updated_at"])
    return action


@transaction.atomic
def award_refuse(*, action: ProactiveAction) -> ProactiveAction:
    """The citizen refuses an automatic award: it ends before anything more is paid."""
    action = _open_offer_or_award(action, ActionKind.AWARD)
    if action.status != ActionStatus.DONE or action.award is None:
        raise ValidationError(MSG_ALREADY_ANSWERED, code="answered")
    award = action.award
    if award.status != AwardStatus.ENDED:
        award_end(award=award, end=award.start, reason=str(MSG_REFUSED_BY_CITIZEN))
    action.status = ActionStatus.REFUSED
    action.save(update_fields=["status", "updated_at"])
    return action

