from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dost.benefits.models import AwardAmount, AwardStatus, Frequency
from dost.benefits.services.awards import (
    MSG_ENDED,
    MSG_NO_BENEFICIARY,
    award_amount_change,
    award_create,
    award_end,
    award_resume,
    award_suspend,
    awards_end_for_person,
)
from dost.benefits.tests.conftest import monthly
from dost.catalog.models import Service


def test_it_creates_an_award_with_its_first_amount(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    assert award.status == AwardStatus.ACTIVE
    assert [(v.amount, v.valid_from) for v in award.amounts.all()] == [
        (Decimal("300.00"), dt.date(2026, 1, 1))
    ]


def test_it_refuses_an_award_without_a_beneficiary(pension: Service) -> None:
    with pytest.raises(ValidationError) as error:
        award_create(
            service=pension, amount=Decimal(1), currency="AZN", frequency=Frequency.MONTHLY,
            start=dt.date(2026, 1, 1),
        )
    assert error.value.messages == [str(MSG_NO_BENEFICIARY)]


def test_it_ends_a_lump_sum_on_the_day_it_starts(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 5))
    lump = award_create(
        service=pension, person=award.person, amount=Decimal("200"), currency="AZN",
        frequency=Frequency.LUMP_SUM, start=dt.date(2026, 1, 5),
    )
    assert lump.end == dt.date(2026, 1, 5)


def test_it_keeps_every_amount_as_a_dated_version(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    award_amount_change(
        award=award, amount=Decimal("330.00"), valid_from=dt.date(2026, 3, 1), reason="index"
    )
    versions = list(AwardAmount.objects.filter(award=award).values_list("valid_from", "amount"))
    assert versions == [
        (dt.date(2026, 1, 1), Decimal("300.00")), (dt.date(2026, 3, 1), Decimal("330.00"))
    ]


def test_it_suspends_resumes_and_ends_an_award(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    assert award_suspend(award=award, reason="check").status == AwardStatus.SUSPENDED
    assert award_resume(award=award, reason="ok").status == AwardStatus.ACTIVE
    ended = award_end(award=award, end=dt.date(2026, 4, 30), reason="death")
    assert (ended.status, ended.end) == (AwardStatus.ENDED, dt.date(2026, 4, 30))
    with pytest.raises(ValidationError) as error:
        award_amount_change(award=ended, amount=Decimal(1), valid_from=dt.date(2026, 5, 1),
                            reason="late")
    assert error.value.messages == [str(MSG_ENDED)]


def test_it_ends_every_running_award_of_a_person(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    assert award.person is not None
    ended = awards_end_for_person(person=award.person, end=dt.date(2026, 2, 28), reason="death")
    assert [a.pk for a in ended] == [award.pk]
    assert awards_end_for_person(person=award.person, end=dt.date(2026, 3, 31), reason="x") == []
