from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dost.benefits.models import Frequency, Payment, PaymentKind, PaymentStatus, PayrollRun
from dost.benefits.services.awards import (
    award_amount_change,
    award_create,
    award_end,
    award_suspend,
)
from dost.benefits.services.payroll import (
    MSG_FROZEN,
    payment_reissue,
    payroll_approve,
    payroll_run,
    payroll_totals,
)
from dost.benefits.tests.conftest import monthly
from dost.catalog.models import Service


def _paid(award_id: int) -> list[tuple[str, str, Decimal]]:
    return list(
        Payment.objects.filter(award_id=award_id).order_by("period")
        .values_list("period", "kind", "amount")
    )


def test_it_pays_each_active_award_once_for_the_month(pension: Service) -> None:
    awards = [monthly(pension, dt.date(2026, 3, 1)) for _ in range(3)]
    result = payroll_run(period="2026-03")
    assert result.created == 3
    assert [_paid(a.pk) for a in awards] == [[("2026-03", "regular", Decimal("300.00"))]] * 3
    again = payroll_run(period="2026-03")
    assert again.created == 0
    assert Payment.objects.count() == 3


def test_it_pays_arrears_for_a_back_dated_award_up_to_the_limit(pension: Service) -> None:
    award = monthly(pension, dt.date(2025, 11, 15))
    old = monthly(pension, dt.date(2020, 1, 1))
    payroll_run(period="2026-02", arrears_months=2)
    assert _paid(award.pk) == [
        ("2025-12", PaymentKind.ARREARS, Decimal("300.00")),
        ("2026-01", PaymentKind.ARREARS, Decimal("300.00")),
        ("2026-02", PaymentKind.REGULAR, Decimal("300.00")),
    ]
    assert [p[0] for p in _paid(old.pk)] == ["2025-12", "2026-01", "2026-02"]


def test_it_pays_each_month_at_the_amount_in_force(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    award_amount_change(award=award, amount=Decimal("330.00"), valid_from=dt.date(2026, 2, 1),
                        reason="indexation")
    payroll_run(period="2026-02")
    assert [p[2] for p in _paid(award.pk)] == [Decimal("300.00"), Decimal("330.00")]


def test_it_stops_paying_ended_and_suspended_awards(pension: Service) -> None:
    ended = monthly(pension, dt.date(2026, 1, 1))
    suspended = monthly(pension, dt.date(2026, 1, 1))
    payroll_run(period="2026-01")
    award_end(award=ended, end=dt.date(2026, 1, 20), reason="death")
    award_suspend(award=suspended, reason="check")
    result = payroll_run(period="2026-02")
    assert (result.created, result.stopped) == (0, 2)
    assert Payment.objects.filter(period="2026-02").count() == 0


def test_it_pays_a_lump_sum_once(childbirth: Service, pension: Service) -> None:
    person = monthly(pension, dt.date(2026, 5, 1)).person
    lump = award_create(
        service=childbirth, person=person, amount=Decimal("450.00"), currency="AZN",
        frequency=Frequency.LUMP_SUM, start=dt.date(2026, 1, 10),
    )
    payroll_run(period="2026-01")
    payroll_run(period="2026-02")
    assert _paid(lump.pk) == [("2026-01", PaymentKind.LUMP_SUM, Decimal("450.00"))]


def test_it_lets_the_database_refuse_a_second_payment(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    run = payroll_run(period="2026-01").run
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(run=run, award=award, period="2026-01", kind="regular",
                               amount=Decimal(1), currency="AZN")


def test_it_freezes_an_approved_run(pension: Service) -> None:
    monthly(pension, dt.date(2026, 1, 1))
    run = payroll_approve(run=payroll_run(period="2026-01").run)
    with pytest.raises(ValidationError) as error:
        payroll_run(period="2026-01")
    assert error.value.messages == [str(MSG_FROZEN % {"period": "2026-01"})]
    assert PayrollRun.objects.get(pk=run.pk).status == "approved"


def test_it_totals_a_run_by_service_region_and_bank(pension: Service) -> None:
    monthly(pension, dt.date(2026, 1, 1))
    monthly(pension, dt.date(2026, 1, 1), amount="100.50")
    totals = payroll_totals(run=payroll_run(period="2026-01").run)
    assert totals.total == Decimal("400.50")
    assert totals.by_service == {pension.code: Decimal("400.50")}
    assert totals.by_bank == {"KAPIAZ2X": Decimal("400.50")}
    assert totals.by_region == {"AZ-BA": Decimal("400.50")}


def test_it_reissues_a_rejected_payment_once(pension: Service) -> None:
    award = monthly(pension, dt.date(2026, 1, 1))
    payroll_run(period="2026-01")
    payment = Payment.objects.get(award=award)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.REJECTED)
    again = payment_reissue(payment=payment, period="2026-02", account="AZ00NEW")
    assert (again.period, again.account, again.run.period) == ("2026-01", "AZ00NEW", "2026-02")
    with pytest.raises(ValidationError):
        payment_reissue(payment=payment, period="2026-02")
    assert payroll_run(period="2026-02").created == 1  # only February's own payment
