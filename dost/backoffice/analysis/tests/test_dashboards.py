"""Dashboard figures against hand-counted seeded data, direct ORM aggregates and the centre
app's own KPI code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from dost.backoffice.analysis import dashboards as dash
from dost.benefits.models import Award, Frequency, Payment, PaymentKind, PaymentStatus, PayrollRun
from dost.cases.models import Case, CaseStatus
from dost.centres.kpis import centre_kpis
from dost.centres.models import (
    Centre,
    Escalation,
    Rating,
    ServiceGroup,
    Ticket,
    TicketSource,
    TicketStatus,
)
from dost.centres.tests.conftest import DAY, at, make_world, names
from dost.registry.models import Household, Person, Region
from dost.rules import Period

from .conftest import make_household

pytestmark = pytest.mark.urls("dost.backoffice.analysis.tests.urls")
TODAY = dt.date(2026, 4, 1)


@dataclass
class Seeded:
    centre: Centre
    other: Centre
    baku: Region
    ganja: Region


def ticket(centre: Centre, group: ServiceGroup, number: int, status: str, issued: dt.datetime,
           called: dt.datetime | None = None, served: tuple[dt.datetime, dt.datetime] | None = None,
           source: str = TicketSource.KIOSK, day: dt.date = DAY) -> Ticket:
    return Ticket.objects.create(
        centre=centre, service_group=group, day=day, number=number, source=source,
        status=status, issued_at=issued, queued_at=issued, called_at=called,
        service_started_at=served[0] if served else None,
        service_ended_at=served[1] if served else None,
    )


def head(household: Household) -> Person:
    membership = household.memberships.order_by("id").first()
    assert membership is not None
    return membership.person


def rate(t: Ticket, *scores: int) -> Rating:
    return Rating.objects.create(ticket=t, quality=scores[0], timeliness=scores[1],
                                 courtesy=scores[2], channel="link")


@pytest.fixture
def seeded(db: None) -> Seeded:
    world = make_world()
    a, b, centre = world.group_a, world.group_b, world.centre
    # Centre 1 on 4 March 2026: waits 120, 240, 360, 60 s (195 on average); services 300, 600,
    # 600 s (500); 4 visitors (the transfer ticket is the same visit, the cancelled one is
    # not counted); one no-show; ratings 5/5/5 (satisfied) and 4/2/5 (escalated, open).
    t1 = ticket(centre, a, 1, TicketStatus.DONE, at(9), at(9, 2), (at(9, 3), at(9, 8)))
    t2 = ticket(centre, a, 2, TicketStatus.DONE, at(9, 0, 30), at(9, 4, 30), (at(9, 5), at(9, 15)))
    ticket(centre, b, 1, TicketStatus.NO_SHOW, at(9, 10), at(9, 16))
    ticket(centre, b, 2, TicketStatus.DONE, at(9, 20), at(9, 21), (at(9, 21), at(9, 31)),
           source=TicketSource.TRANSFER)
    ticket(centre, a, 3, TicketStatus.CANCELLED, at(9, 30))
    ticket(centre, a, 4, TicketStatus.WAITING, at(9, 40))
    rate(t1, 5, 5, 5)
    escalated = rate(t2, 4, 2, 5)
    Escalation.objects.create(rating=escalated, centre=centre, deadline=DAY)
    other = Centre.objects.create(code="ganja-1", country="az", names=names("Ganja centre"))
    group = ServiceGroup.objects.create(centre=other, letter="A", names=names("All"))
    ticket(other, group, 1, TicketStatus.DONE, at(10), at(10, 1), (at(10, 1), at(10, 3)))
    may = dt.date(2026, 5, 4)
    ticket(other, group, 1, TicketStatus.DONE, at(10, day=may), at(10, 1, day=may),
           (at(10, 1, day=may), at(10, 3, day=may)), day=may)

    # Cases: service A gets three applications in March (two proactive), service B one.
    h_baku1 = make_household("AZ-BA", 1, Decimal("0"))
    h_baku2 = make_household("AZ-BA", 1, Decimal("0"))
    h_ganja = make_household("AZ-GA", 1, Decimal("0"))

    def case(household: Any, service: Any, channel: str, status: str, submitted: dt.date,
             due: dt.date, decided: dt.datetime | None = None,
             centre_: Centre | None = None) -> Case:
        return Case.objects.create(
            service=service, applicant=head(household),
            household=household, channel=channel, period="2026-03", status=status,
            submitted_on=submitted, due_on=due, decided_at=decided, centre=centre_,
        )

    march = dt.date(2026, 3, 2)
    # Decided on 10 March, due 20 March: on time. Decided 25 March, due 20: late.
    case(h_baku1, world.service_a, "proactive", CaseStatus.DECIDED, march, dt.date(2026, 3, 20),
         at(12, day=dt.date(2026, 3, 10)))
    case(h_baku2, world.service_a, "portal", CaseStatus.DECIDED, march, dt.date(2026, 3, 20),
         at(12, day=dt.date(2026, 3, 25)))
    # Open and past its due day (5 March) on TODAY.
    case(h_ganja, world.service_a, "proactive", CaseStatus.SUBMITTED, march, dt.date(2026, 3, 5))
    case(h_baku1, world.service_b, "centre", CaseStatus.SUBMITTED, march, dt.date(2026, 12, 1),
         centre_=centre)

    # Payments: service A to a Baku household 100 for February and March (and 100 for
    # December 2025, outside the months asked); service B to a Ganja person 50 for March
    # (February's was rejected by the bank).
    person = head(h_ganja)
    person.district = h_ganja.district
    person.save()
    award_a = Award.objects.create(service=world.service_a, household=h_baku1,
                                   frequency=Frequency.MONTHLY, currency="AZN",
                                   start=dt.date(2025, 12, 1))
    award_b = Award.objects.create(service=world.service_b, person=person,
                                   frequency=Frequency.MONTHLY, currency="AZN",
                                   start=dt.date(2026, 2, 1))
    runs = {p: PayrollRun.objects.create(period=p) for p in ("2025-12", "2026-02", "2026-03")}
    for award, period, amount, status in (
        (award_a, "2025-12", "100.00", PaymentStatus.PAID),
        (award_a, "2026-02", "100.00", PaymentStatus.PAID),
        (award_a, "2026-03", "100.00", PaymentStatus.EXPORTED),
        (award_b, "2026-02", "50.00", PaymentStatus.REJECTED),
        (award_b, "2026-03", "50.00", PaymentStatus.PENDING),
    ):
        Payment.objects.create(run=runs[period], award=award, period=period,
                               kind=PaymentKind.REGULAR, amount=Decimal(amount), currency="AZN",
                               status=status)
    return Seeded(centre, other, Region.objects.get(code="AZ-BA"),
                  Region.objects.get(code="AZ-GA"))


def months(first: str, last: str, **kwargs: Any) -> dash.DashboardFilter:
    return dash.DashboardFilter(Period.parse(first), Period.parse(last), **kwargs)


def test_it_gives_each_centre_the_kpis_the_centre_app_computes(seeded: Seeded) -> None:
    rows = {row.centre_id: row for row in dash.centre_rows(months("2026-03", "2026-03"))}
    first = rows[seeded.centre.pk]
    assert (first.visitors, first.wait_avg, first.service_avg, first.no_shows) == (
        4, 195.0, 500.0, 1)
    assert (first.ratings, first.satisfied, first.satisfaction_pct, first.escalations_open) == (
        2, 1, 50.0, 1)
    for centre in (seeded.centre, seeded.other):
        (expected,) = centre_kpis(centre=centre, start=dt.date(2026, 3, 1),
                                  end=dt.date(2026, 3, 31))
        row = rows[centre.pk]
        assert (row.visitors, row.wait_avg, row.service_avg, row.no_shows, row.ratings,
                row.satisfied, row.escalations_open) == (
            expected.visitors, expected.wait_avg, expected.service_avg, expected.no_shows,
            expected.ratings, expected.satisfied, expected.escalations_open)
    # May's ticket counts from May on; the centre filter keeps one centre.
    assert [r.visitors for r in dash.centre_rows(months("2026-03", "2026-05"))] == [4, 2]
    assert [r.label for r in dash.centre_rows(months("2026-03", "2026-05",
                                                     centre=seeded.other))] == ["Ganja centre"]


def test_it_gives_the_proactive_share_and_the_deadlines_by_service(seeded: Seeded) -> None:
    shares = {r.label.split()[0]: r for r in dash.proactive_shares(months("2026-03", "2026-03"))}
    assert (shares["04-01-01-01"].total, shares["04-01-01-01"].proactive) == (3, 2)
    assert (shares["04-02-01-01"].total, shares["04-02-01-01"].proactive) == (1, 0)
    assert shares["04-01-01-01"].proactive_pct == 66.7  # 2 of 3, rounded to one place
    baku = dash.proactive_shares(months("2026-03", "2026-03", region=seeded.baku))
    assert [(r.total, r.proactive) for r in baku] == [(2, 1), (1, 0)]
    at_centre = dash.proactive_shares(months("2026-03", "2026-03", centre=seeded.centre))
    assert [(r.label.split()[0], r.total) for r in at_centre] == [("04-02-01-01", 1)]
    assert dash.proactive_shares(months("2026-04", "2026-06")) == []

    sla = {r.label.split()[0]: r for r in dash.sla_rows(months("2026-03", "2026-03"),
                                                         today=TODAY)}
    assert (sla["04-01-01-01"].decided, sla["04-01-01-01"].on_time,
            sla["04-01-01-01"].open_overdue) == (2, 1, 1)
    assert sla["04-01-01-01"].on_time_pct == 50.0
    assert "04-02-01-01" not in sla  # nothing decided, nothing overdue
    # The same counts straight from the ORM.
    decided = Case.objects.filter(decided_at__isnull=False, service__code="04-01-01-01")
    assert sla["04-01-01-01"].decided == decided.count()
    assert sla["04-01-01-01"].on_time == sum(
        1 for c in decided if c.decided_at is not None and c.decided_at.date() <= c.due_on)


def test_it_gives_spending_by_month_service_and_region(seeded: Seeded) -> None:
    flt = months("2026-01", "2026-03")
    assert [(r.label, r.total, r.payments) for r in dash.spending_by_month(flt)] == [
        ("2026-02", Decimal("100.00"), 1), ("2026-03", Decimal("150.00"), 2)]
    assert [(r.label.split()[0], r.total) for r in dash.spending_by_service(flt)] == [
        ("04-01-01-01", Decimal("200.00")), ("04-02-01-01", Decimal("50.00"))]
    assert [(r.key, r.total) for r in dash.spending_by_region(flt)] == [
        (str(seeded.baku.pk), Decimal("200.00")), (str(seeded.ganja.pk), Decimal("50.00"))]
    direct = Payment.objects.filter(period__range=("2026-01", "2026-03")).exclude(
        status=PaymentStatus.REJECTED).aggregate(total=Sum("amount"))["total"]
    assert sum(r.total for r in dash.spending_by_month(flt)) == direct
    ganja = months("2026-01", "2026-03", region=seeded.ganja)
    assert [(r.label, r.total) for r in dash.spending_by_month(ganja)] == [
        ("2026-03", Decimal("50.00"))]


def test_it_shows_the_dashboards_with_a_bounded_number_of_queries(
    seeded: Seeded, supervisor: User, django_assert_max_num_queries: Any,
) -> None:
    client = Client()
    client.force_login(supervisor)
    url = reverse("analysis:dashboards")
    with django_assert_max_num_queries(20):
        page = client.get(url, {"start": "2026-01", "end": "2026-03"},
                          HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert html.count('role="img"') == 5
    assert "DOST centre No. 1" in html and "66.7 %" in html and "150.00" in html
    one_centre = client.get(url, {"start": "2026-03", "end": "2026-03",
                                  "centre": seeded.centre.code}, HTTP_ACCEPT_LANGUAGE="en")
    assert 'id="queues-table"' in one_centre.content.decode()
    bad = client.get(url, {"start": "2026-05", "end": "2026-03"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The first month must not be after the last month." in bad.content.decode()
