"""Writes to awards: create from a decision, change the amount, suspend, resume, end.

Amounts are versions: `award_amount_change` adds a dated `AwardAmount`, the old ones stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import Award, AwardAmount, AwardStatus, Frequency
from dost.bulk import insert_rows
from dost.cases.models import Decision, Outcome
from dost.catalog.models import Service
from dost.registry.models import Household, Person

MSG_NO_BENEFICIARY = _("An award needs a beneficiary: a person or a household.")
MSG_NEGATIVE = _("The amount cannot be negative.")
MSG_END_BEFORE_START = _("An award cannot end before it starts.")
MSG_NOT_APPROVED = _("Only an approved decision with an amount creates an award.")
MSG_ENDED = _("This award has ended; it can no longer change.")
MSG_NOT_SUSPENDED = _("Only a suspended award can be resumed.")
MSG_NOT_ACTIVE = _("Only an active award can be suspended.")
MSG_AMOUNT_BEFORE_START = _("A new amount cannot apply before the award starts.")


def _check(amount: Decimal, start: dt.date, end: dt.date | None) -> None:
    if amount < 0:
        raise ValidationError(MSG_NEGATIVE, code="negative")
    if end is not None and end < start:
        raise ValidationError(MSG_END_BEFORE_START, code="end_before_start")


@transaction.atomic
def award_create(
    *,
    service: Service,
    amount: Decimal,
    currency: str,
    frequency: str,
    start: dt.date,
    person: Person | None = None,
    household: Household | None = None,
    end: dt.date | None = None,
    decision: Decision | None = None,
    bank: str = "",
    account: str = "",
) -> Award:
    """Create an award with its first amount. A lump sum is paid once, for the month of
    `start`; it ends that day."""
    if person is None and household is None:
        raise ValidationError(MSG_NO_BENEFICIARY, code="no_beneficiary")
    if frequency == Frequency.LUMP_SUM:
        end = start
    _check(amount, start, end)
    award = Award.objects.create(
        service=service, person=person, household=household, frequency=frequency,
        currency=currency, start=start, end=end, decision=decision,
        case=decision.case if decision is not None else None, bank=bank, account=account,
    )
    AwardAmount.objects.create(award=award, amount=amount, valid_from=start, reason="award")
    return award


@transaction.atomic
def award_from_decision(
    *, decision: Decision, start: dt.date, frequency: str, person: Person | None = None,
    household: Household | None = None, end: dt.date | None = None,
) -> Award:
    """The award an approved decision creates; asking again returns the same award."""
    existing = Award.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    if decision.outcome != Outcome.APPROVED or decision.amount is None:
        raise ValidationError(MSG_NOT_APPROVED, code="not_approved")
    case = decision.case
    return award_create(
        service=case.service, amount=decision.amount, currency=decision.currency,
        frequency=frequency, start=start, end=end, decision=decision,
        person=person if person is not None else (None if household else case.applicant),
        household=household,
    )


@transaction.atomic
def award_amount_change(
    *, award: Award, amount: Decimal, valid_from: dt.date, reason: str
) -> AwardAmount:
    """A new version of the amount from `valid_from` (an indexation, a recalculation)."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == AwardStatus.ENDED:
        raise ValidationError(MSG_ENDED, code="ended")
    if valid_from < award.start:
        raise ValidationError(MSG_AMOUNT_BEFORE_START, code="before_start")
    if amount < 0:
        raise ValidationError(MSG_NEGATIVE, code="negative")
    version, _created = AwardAmount.objects.update_or_create(
        award=award, valid_from=valid_from, defaults={"amount": amount, "reason": reason}
    )
    return version


@transaction.atomic
def award_suspend(*, award: Award, reason: str) -> Award:
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != AwardStatus.ACTIVE:
        raise ValidationError(MSG_NOT_ACTIVE, code="not_active")
    award.status, award.status_reason = AwardStatus.SUSPENDED, reason
    award.save(update_fields=["status", "status_reason", "updated_at"])
    return award


@transaction.atomic
def award_resume(*, award: Award, reason: str) -> Award:
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != AwardStatus.SUSPENDED:
        raise ValidationError(MSG_NOT_SUSPENDED, code="not_suspended")
    award.status, award.status_reason = AwardStatus.ACTIVE, reason
    award.save(update_fields=["status", "status_reason", "updated_at"])
    return award


@transaction.atomic
def award_end(*, award: Award, end: dt.date, reason: str) -> Award:
    """End the award on `end` (the last day paid). Ending it again keeps the earlier end."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == AwardStatus.ENDED:
        return award
    if end < award.start:
        # Ended before it began (e.g. a death recorded late): nothing was ever due.
        end = award.start
    award.end = end if award.end is None else min(award.end, end)
    award.status, award.status_reason = AwardStatus.ENDED, reason
    award.save(update_fields=["end", "status", "status_reason", "updated_at"])
    return award


def last_day_of_month(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@transaction.atomic
def awards_end_for_person(*, person: Person, end: dt.date, reason: str) -> list[Award]:
    """End every award of `person` still running on `end` (death, a child growing up)."""
    ended = []
    for award in Award.objects.filter(person=person).exclude(status=AwardStatus.ENDED):
        ended.append(award_end(award=award, end=end, reason=reason))
    return ended


@dataclass(frozen=True)
class AwardSpec:
    """An award to make from an approved decision (see `award_from_decision`)."""

    decision: Decision
    start: dt.date
    frequency: str
    person: Person | None = None
    household: Household | None = None


@transaction.atomic
def awards_from_decisions_batch(*, specs: Sequence[AwardSpec]) -> list[Award]:
    """The awards of many approved decisions, in order, each with its first amount: what
    `award_from_decision` makes one by one, in two inserts. A decision that already has an
    award answers with it, as one by one."""
    existing = {
        award.decision_id: award
        for award in Award.objects.filter(decision__in=[s.decision for s in specs])
    } if specs else {}
    new: list[tuple[Award, AwardAmount]] = []
    answers: list[Award] = []
    for spec in specs:
        decision = spec.decision
        if decision.pk in existing:
            answers.append(existing[decision.pk])
            continue
        if decision.outcome != Outcome.APPROVED or decision.amount is None:
            raise ValidationError(MSG_NOT_APPROVED, code="not_approved")
        case = decision.case
        person = spec.person if spec.person is not None else (
            None if spec.household else case.applicant
        )
        end = spec.start if spec.frequency == Frequency.LUMP_SUM else None
        _check(decision.amount, spec.start, end)
        award = Award(
            service=case.service, person=person, household=spec.household,
            frequency=spec.frequency, currency=decision.currency, start=spec.start, end=end,
            decision=decision, case=case,
        )
        existing[decision.pk] = award
        new.append((award, AwardAmount(amount=decision.amount, valid_from=spec.start,
                                       reason="award")))
        answers.append(award)
    insert_rows([award for award, _amount in new])
    for award, amount in new:
        amount.award = award
    insert_rows([amount for _award, amount in new])
    return answers
