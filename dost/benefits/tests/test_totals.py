"""Payroll totals: written at sign-off, kept up to date by the bank's rejections, back-filled for
older runs, and the dashboards' spending figures from them equal to a direct aggregate over the
payments (on several runs, regions, services, currencies, arrears, a rejection and a run still
open)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from dost.backoffice.analysis import dashboards as dash
from dost.benefits.models import (
    Award,
    Frequency,
    Payment,
    PaymentStatus,
    PayrollRun,
    PayrollTotal,
    RunStatus,
)
from dost.benefits.services.awards import award_create
from dost.benefits.services.bank_files import (
    bank_files_export,
    bank_results_import,
    end_to_end_id,
)
from dost.benefits.services.payroll import payment_reissue, payroll_approve, payroll_run
from dost.benefits.services.totals import runs_without_totals
from dost.catalog.models import Service
from dost.registry.models import District, Household, Person, Region
from dost.registry.tests.factories import (
    DistrictFactory,
    HouseholdFactory,
    PersonFactory,
    RegionFactory,
)
from dost.rules import Period

WINDOWS = [
    ("2025-11", "2026-03"),
    ("2026-01", "2026-02"),
    ("2026-02", "2026-02"),
    ("2026-03", "2026-03"),
    ("2027-01", "2027-02"),
]


@dataclass
class Payroll:
    baku: Region
    ganja: Region
    january: PayrollRun
    february: PayrollRun
    march: PayrollRun


def _award(
    service: Service,
    start: str,
    amount: str,
    *,
    person: Person | None = None,
    household: Household | None = None,
    currency: str = "AZN",
    bank: str = "KAPIAZ2X",
    frequency: str = Frequency.MONTHLY,
) -> Award:
    return award_create(
        service=service,
        person=person,
        household=household,
        amount=Decimal(amount),
        currency=currency,
        frequency=frequency,
        start=dt.date.fromisoformat(start),
        bank=bank,
        account=f"AZ21KAPI{Award.objects.count():020d}",
    )


def _person(**fields: Any) -> Person:
    return cast(Person, PersonFactory(**fields))


def _reject(payment: Payment, tmp_path: Path) -> None:
    bank_files_export(run=payment.run, directory=tmp_path)
    bank_results_import(
        lines=io.StringIO(
            f"end_to_end_id,status,reason\n{end_to_end_id(payment)},rejected,account closed\n"
        )
    )


@pytest.fixture
def payroll(pension: Service, childbirth: Service, tmp_path: Path) -> Payroll:
    baku = cast(Region, RegionFactory(code="AZ-BA", name="Bakı"))
    ganja = cast(Region, RegionFactory(code="AZ-GA", name="Gəncə"))
    in_baku = cast(District, DistrictFactory(code="AZ-BA-01", region=baku))
    in_ganja = cast(District, DistrictFactory(code="AZ-GA-01", name="Kəpəz", region=ganja))
    other = Service.objects.filter(country="az").exclude(pk__in=[pension.pk, childbirth.pk])
    third = other.order_by("code").first()
    assert third is not None
    # Back-dated two months: January's run pays November and December as arrears.
    _award(pension, "2025-11-01", "300.00", person=_person(district=in_baku))
    transferred = _award(
        pension, "2026-01-01", "120.50", person=_person(district=in_ganja), bank="IBAZAZ2X"
    )
    _award(
        childbirth,
        "2026-02-01",
        "1000.00",
        person=_person(district=in_ganja),
        frequency=Frequency.LUMP_SUM,
    )
    # A household award: the household's region (Ganja) counts, not its member's (Baku).
    household = cast(Household, HouseholdFactory(district=in_ganja))
    _award(third, "2026-01-01", "75.25", household=household)
    _award(pension, "2026-01-01", "80.00", person=_person(district=None))  # no region
    _award(third, "2026-02-01", "40.00", person=_person(district=in_baku), currency="USD")

    january = payroll_approve(run=payroll_run(period="2026-01").run)
    february = payroll_approve(run=payroll_run(period="2026-02").run)
    # The bank rejects one of February's payments after sign-off; it is paid again in March's
    # run, which is complete but not approved yet.
    rejected = Payment.objects.get(run=february, award=transferred)
    _reject(rejected, tmp_path)
    march = payroll_run(period="2026-03").run
    payment_reissue(payment=rejected, period="2026-03")
    return Payroll(baku, ganja, january, february, march)


def _direct(flt: dash.DashboardFilter) -> dict[str, list[tuple[str, str, Decimal, int]]]:
    """The dashboards' spending as they computed it before the totals: from the payments."""
    payments = Payment.objects.exclude(status=PaymentStatus.REJECTED).filter(
        period__gte=str(flt.start), period__lte=str(flt.end)
    )
    if flt.region is not None:
        payments = payments.filter(
            Q(award__household__district__region=flt.region)
            | Q(award__household__isnull=True, award__person__district__region=flt.region)
        )

    def by(key: Any) -> list[tuple[str, str, Decimal, int]]:
        rows = payments.values("currency", key=key).annotate(total=Sum("amount"), n=Count("id"))
        return sorted(
            (str(r["key"] or ""), r["currency"], r["total"], r["n"]) for r in rows.order_by()
        )

    return {
        "month": by(F("period")),
        "service": by(F("award__service")),
        "region": by(
            Coalesce("award__household__district__region", "award__person__district__region")
        ),
    }


def _shown(flt: dash.DashboardFilter) -> dict[str, list[tuple[str, str, Decimal, int]]]:
    groups = dash.spending_groups(flt)
    shown = {
        "month": dash.spending_by_month(flt, groups),
        "service": dash.spending_by_service(flt, groups),
        "region": dash.spending_by_region(flt, groups),
    }
    # The order the page shows: months in order, services and regions by name (no region last).
    assert shown["month"] == sorted(shown["month"], key=lambda r: (r.key, r.currency))
    assert [r.label for r in shown["service"]] == sorted(r.label for r in shown["service"])
    assert [(r.key == "", r.label) for r in shown["region"]] == sorted(
        (r.key == "", r.label) for r in shown["region"]
    )
    return {
        name: sorted((r.key, r.currency, r.total, r.payments) for r in rows)
        for name, rows in shown.items()
    }


def _filters(payroll: Payroll) -> list[dash.DashboardFilter]:
    return [
        dash.DashboardFilter(Period.parse(start), Period.parse(end), region)
        for start, end in WINDOWS
        for region in (None, payroll.baku, payroll.ganja)
    ]


def test_sign_off_writes_the_runs_totals(payroll: Payroll) -> None:
    assert runs_without_totals() == [payroll.march.pk]  # complete, not approved
    for run in (payroll.january, payroll.february):
        totals = PayrollTotal.objects.filter(run=run)
        payments = Payment.objects.filter(run=run)
        assert sum(t.payments for t in totals) == payments.count()
        assert sum(t.amount for t in totals) == payments.aggregate(s=Sum("amount"))["s"]
    january = PayrollTotal.objects.filter(run=payroll.january)
    assert sorted(january.values_list("period", "kind")) == sorted(
        Payment.objects.filter(run=payroll.january).values_list("period", "kind").distinct()
    )
    assert {"2025-11", "2025-12"} <= set(january.values_list("period", flat=True))
    # The rejection counts apart; what was approved stays.
    (rejected,) = PayrollTotal.objects.filter(run=payroll.february, rejected_payments__gt=0)
    assert (
        rejected.bank,
        rejected.payments,
        rejected.rejected_payments,
        rejected.rejected_amount,
    ) == ("IBAZAZ2X", 1, 1, Decimal("120.50"))
    assert rejected.region == payroll.ganja


def test_the_dashboards_spending_from_the_totals_equals_the_payments(payroll: Payroll) -> None:
    assert PayrollTotal.objects.exists()
    for flt in _filters(payroll):
        assert _shown(flt) == _direct(flt), flt
    whole = dash.DashboardFilter(Period.parse("2025-11"), Period.parse("2026-03"))
    assert [(r.label, r.currency) for r in dash.spending_by_month(whole)][:3] == [
        ("2025-11", "AZN"),
        ("2025-12", "AZN"),
        ("2026-01", "AZN"),
    ]
    regions = dash.spending_by_region(whole)
    assert [r.label for r in regions] == ["Bakı", "Bakı", "Gəncə", ""]  # AZN, USD; no region


def test_the_dashboards_read_the_totals_not_the_payments(payroll: Payroll) -> None:
    feb = dash.DashboardFilter(Period.parse("2026-02"), Period.parse("2026-02"))
    before = _shown(feb)
    # Behind the services' back (nothing does this): the approved run's payments change, its
    # totals do not, and neither does the page; March's run (not approved) is read live.
    Payment.objects.filter(run=payroll.february).update(amount=F("amount") + 1)
    assert _shown(feb) == before != _direct(feb)
    march = dash.DashboardFilter(Period.parse("2026-03"), Period.parse("2026-03"))
    Payment.objects.filter(run=payroll.march).update(amount=F("amount") + 1)
    assert _shown(march) == _direct(march)


def test_runs_approved_before_the_totals_are_read_live_until_back_filled(
    payroll: Payroll,
) -> None:
    PayrollTotal.objects.filter(run=payroll.january).delete()  # as if approved last year
    assert sorted(runs_without_totals()) == sorted([payroll.january.pk, payroll.march.pk])
    for flt in _filters(payroll):
        assert _shown(flt) == _direct(flt), flt
    out = io.StringIO()
    call_command("payroll", "backfill-totals", stdout=out)
    assert "2026-01:" in out.getvalue()
    assert "1 approved runs given their totals" in out.getvalue()
    assert runs_without_totals() == [payroll.march.pk]
    for flt in _filters(payroll):
        assert _shown(flt) == _direct(flt), flt
    # Nothing left to fill; --rewrite writes every approved run again, to the same rows.
    fields = (
        "run",
        "period",
        "kind",
        "service",
        "region",
        "bank",
        "currency",
        "payments",
        "amount",
        "rejected_payments",
        "rejected_amount",
    )
    rows = set(PayrollTotal.objects.values_list(*fields))
    call_command("payroll", "backfill-totals", stdout=(out := io.StringIO()))
    assert "0 approved runs" in out.getvalue()
    call_command("payroll", "backfill-totals", "--rewrite", stdout=io.StringIO())
    assert set(PayrollTotal.objects.values_list(*fields)) == rows


def test_a_run_not_approved_has_no_totals(pension: Service) -> None:
    _award(pension, "2026-01-01", "300.00", person=_person())
    run = payroll_run(period="2026-01").run
    assert run.status == RunStatus.COMPLETE and not PayrollTotal.objects.exists()
    payroll_approve(run=run)
    assert PayrollTotal.objects.get().payments == 1
    payroll_approve(run=run)  # a second approval changes nothing
    assert PayrollTotal.objects.count() == 1
