"""Management dashboard figures: one grouped SQL aggregate per table, never a loop over rows.

The page is meant to open on a registry of millions: every figure is a COUNT, SUM or AVG grouped
by centre, service, month or region in the database, and Python only attaches names to the
few grouped rows. Definitions (docs/simulation.md, "Dashboards"):

- centres: the KPIs of dost/centres/kpis.py (visitors without transfer tickets, average wait
  and service, no-shows, satisfied ratings, open escalations) over the months chosen;
- proactive share: of the applications submitted in the months, the share opened by the
  proactive engine (channel "proactive"), per service;
- SLA: of the cases decided in the months, the share decided on or before their due day, per
  service; and the cases still open today past their due day;
- spending: payments for the months (by the month they pay for) that the bank did not reject,
  by month, service and region (the beneficiary household's region, else the person's). Read
  from the totals each payroll run gets when it is signed off (dost/benefits/services/totals.py),
  not from the payments: a year of a national payroll is millions of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from dost.benefits.models import Payment, PaymentStatus, PayrollTotal
from dost.benefits.services.totals import BENEFICIARY_REGION, runs_without_totals
from dost.cases.models import OPEN_STATUSES, Case, CaseKind
from dost.catalog.models import IntakeChannel, Service, localized
from dost.centres.models import Centre, EscalationStatus, Ticket, TicketSource, TicketStatus
from dost.registry.models import Region
from dost.rules import Period

MONEY = DecimalField(max_digits=16, decimal_places=2)
SATISFIED = 4  # a rating is satisfied when every score is at least this (dost.centres.models)


@dataclass(frozen=True)
class DashboardFilter:
    start: Period
    end: Period
    region: Region | None = None
    centre: Centre | None = None

    @property
    def first_day(self) -> dt.date:
        return self.start.start

    @property
    def last_day(self) -> dt.date:
        return self.end.end


def _share(part: int, whole: int) -> float | None:
    """A percentage rounded to one place (the page's "%" filter would cut, not round)."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class CentreRow:
    centre_id: int
    label: str
    visitors: int
    wait_avg: float | None  # seconds
    service_avg: float | None
    no_shows: int
    ratings: int
    satisfied: int
    escalations_open: int

    @property
    def satisfaction_pct(self) -> float | None:
        return _share(self.satisfied, self.ratings)


@dataclass(frozen=True)
class ServiceShare:
    service_id: int
    label: str
    total: int
    proactive: int

    @property
    def proactive_pct(self) -> float | None:
        return _share(self.proactive, self.total)


@dataclass(frozen=True)
class SlaRow:
    service_id: int
    label: str
    decided: int
    on_time: int
    open_overdue: int

    @property
    def on_time_pct(self) -> float | None:
        return _share(self.on_time, self.decided)


@dataclass(frozen=True)
class SpendRow:
    key: str
    label: str
    currency: str
    total: Decimal
    payments: int


def _seconds(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def centre_rows(flt: DashboardFilter) -> list[CentreRow]:
    """Per centre KPIs over the filter's days (centres have no region: that filter is ignored)."""
    tickets = Ticket.objects.filter(day__range=(flt.first_day, flt.last_day)).exclude(
        status=TicketStatus.CANCELLED
    )
    if flt.centre is not None:
        tickets = tickets.filter(centre=flt.centre)
    done = Q(status=TicketStatus.DONE)
    grouped = (
        tickets.values("centre")
        .annotate(
            visitors=Count("id", filter=~Q(source=TicketSource.TRANSFER)),
            wait=Avg(ExpressionWrapper(F("called_at") - F("issued_at"),
                                       output_field=DurationField())),
            service=Avg(
                ExpressionWrapper(F("service_ended_at") - F("service_started_at"),
                                  output_field=DurationField()),
                filter=done,
            ),
            no_shows=Count("id", filter=Q(status=TicketStatus.NO_SHOW)),
            ratings=Count("rating"),
            satisfied=Count("rating", filter=Q(rating__quality__gte=SATISFIED,
                                               rating__timeliness__gte=SATISFIED,
                                               rating__courtesy__gte=SATISFIED)),
            escalations_open=Count("rating__escalation",
                                   filter=Q(rating__escalation__status=EscalationStatus.OPEN)),
        )
        .order_by("centre")
    )
    rows = list(grouped)
    centres = Centre.objects.in_bulk([row["centre"] for row in rows])
    return sorted(
        (
            CentreRow(
                centre_id=row["centre"], label=localized(centres[row["centre"]].names),
                visitors=row["visitors"], wait_avg=_seconds(row["wait"]),
                service_avg=_seconds(row["service"]), no_shows=row["no_shows"],
                ratings=row["ratings"], satisfied=row["satisfied"],
                escalations_open=row["escalations_open"],
            )
            for row in rows
        ),
        key=lambda r: r.label,
    )


def _cases(flt: DashboardFilter) -> QuerySet[Case]:
    cases = Case.objects.all()
    if flt.region is not None:
        cases = cases.filter(
            Q(household__district__region=flt.region)
            | Q(household__isnull=True, applicant__district__region=flt.region)
        )
    if flt.centre is not None:
        cases = cases.filter(centre=flt.centre)
    return cases


def _service_names(ids: list[int]) -> dict[int, str]:
    return {pk: f"{s.code} {localized(s.names)}" for pk, s in Service.objects.in_bulk(ids).items()}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# service -> applications, proactive ones, decided, decided on time, open past their due day
CaseCounts = dict[int, dict[str, int]]


def case_counts(flt: DashboardFilter, *, today: dt.date | None = None) -> CaseCounts:
    """The counts of the proactive share and of the SLA per service, in one scan of the cases
    (three before): each count is filtered on its own condition, the rows on their union."""
    today = today or timezone.localdate()
    applied = Q(kind=CaseKind.APPLICATION, submitted_on__range=(flt.first_day, flt.last_day))
    # The days as a range of instants in the current time zone (what `__date` compares), so
    # that the planner can estimate the rows (and an index on decided_at could serve it).
    decided = Q(decided_at__gte=_midnight(flt.first_day),
                decided_at__lt=_midnight(flt.last_day + dt.timedelta(days=1)))
    overdue = Q(status__in=OPEN_STATUSES, due_on__lt=today)
    rows = (
        _cases(flt).filter(applied | decided | overdue)
        .values("service")
        .annotate(
            total=Count("id", filter=applied),
            proactive=Count("id", filter=applied & Q(channel=IntakeChannel.PROACTIVE)),
            decided=Count("id", filter=decided),
            on_time=Count("id", filter=decided & Q(decided_at__date__lte=F("due_on"))),
            open_overdue=Count("id", filter=overdue),
        )
        .order_by()
    )
    return {
        row["service"]: {"total": row["total"], "proactive": row["proactive"],
                         "decided": row["decided"], "on_time": row["on_time"],
                         "open_overdue": row["open_overdue"]}
        for row in rows
    }


def proactive_shares(flt: DashboardFilter, counts: CaseCounts | None = None,
                     ) -> list[ServiceShare]:
    """Applications submitted in the months, and how many the proactive engine opened."""
    counts = case_counts(flt) if counts is None else counts
    applied = sorted(pk for pk, row in counts.items() if row["total"])
    names = _service_names(applied)
    return [
        ServiceShare(pk, names[pk], counts[pk]["total"], counts[pk]["proactive"])
        for pk in applied
    ]


def sla_rows(flt: DashboardFilter, *, today: dt.date | None = None,
             counts: CaseCounts | None = None) -> list[SlaRow]:
    """Cases decided in the months (on time or late) and cases open past their due day today."""
    counts = case_counts(flt, today=today) if counts is None else counts
    shown = [pk for pk, row in counts.items() if row["decided"] or row["open_overdue"]]
    names = _service_names(shown)
    return sorted(
        (
            SlaRow(pk, names[pk], counts[pk]["decided"], counts[pk]["on_time"],
                   counts[pk]["open_overdue"])
            for pk in shown
        ),
        key=lambda r: r.label,
    )


def _payments(flt: DashboardFilter, runs: list[int]) -> QuerySet[Payment]:
    payments = Payment.objects.filter(run__in=runs).exclude(status=PaymentStatus.REJECTED).filter(
        period__gte=str(flt.start), period__lte=str(flt.end)
    )
    if flt.region is not None:
        payments = payments.filter(
            Q(award__household__district__region=flt.region)
            | Q(award__household__isnull=True, award__person__district__region=flt.region)
        )
    return payments


# (month paid for, service, region or None, currency) -> [amount, payments]
Groups = dict[tuple[str, int, int | None, str], list[Any]]


def spending_groups(flt: DashboardFilter) -> Groups:
    """Payments not rejected for the months, by month, service, region and currency: from the
    totals written when each run was signed off (`PayrollTotal`), and from the payments
    themselves for the few runs that have none (not approved yet, or approved before the
    totals existed and not back-filled), so that no figure depends on which source it came
    from. Two small grouped queries, whatever the size of the payroll."""
    groups: Groups = {}

    def add(rows: Any) -> None:
        for row in rows:
            key = (row["period"], row["service_ref"], row["region_ref"], row["currency"])
            group = groups.setdefault(key, [Decimal(0), 0])
            group[0] += row["total"]
            group[1] += row["n"]

    totals = PayrollTotal.objects.filter(period__gte=str(flt.start), period__lte=str(flt.end))
    if flt.region is not None:
        totals = totals.filter(region=flt.region)
    add(
        totals.values("period", "currency", service_ref=F("service"), region_ref=F("region"))
        .annotate(total=Sum(F("amount") - F("rejected_amount"), output_field=MONEY),
                  n=Sum(F("payments") - F("rejected_payments")))
        .order_by()
    )
    open_runs = runs_without_totals()
    if open_runs:
        add(
            _payments(flt, open_runs)
            .values("period", "currency", service_ref=F("award__service"),
                    region_ref=BENEFICIARY_REGION)
            .annotate(total=Sum("amount"), n=Count("id"))
            .order_by()
        )
    # A group whose payments the bank all rejected is no spending (and no row), as before.
    return {key: group for key, group in groups.items() if group[1]}


def _spend(groups: Groups, part: int, names: Mapping[Any, str]) -> list[SpendRow]:
    """The groups summed by one part of their key (and the currency), in key order."""
    summed: dict[tuple[Any, str], list[Any]] = {}
    for key, (total, payments) in groups.items():
        row = summed.setdefault((key[part], key[3]), [Decimal(0), 0])
        row[0] += total
        row[1] += payments
    return [
        SpendRow(
            key=str(value or ""), label=names.get(value, "") if value is not None else "",
            currency=currency, total=total, payments=payments,
        )
        for (value, currency), (total, payments) in sorted(
            summed.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0, item[0][1])
        )
    ]


def spending_by_month(flt: DashboardFilter, groups: Groups | None = None) -> list[SpendRow]:
    groups = spending_groups(flt) if groups is None else groups
    return _spend(groups, 0, {key[0]: key[0] for key in groups})


def spending_by_service(flt: DashboardFilter, groups: Groups | None = None) -> list[SpendRow]:
    groups = spending_groups(flt) if groups is None else groups
    names = _service_names(sorted({key[1] for key in groups}))
    return sorted(_spend(groups, 1, names), key=lambda r: r.label)


def spending_by_region(flt: DashboardFilter, groups: Groups | None = None) -> list[SpendRow]:
    groups = spending_groups(flt) if groups is None else groups
    regions = Region.objects.in_bulk(sorted({key[2] for key in groups if key[2]}))
    names = {pk: localized(r.names) or r.name for pk, r in regions.items()}
    return sorted(_spend(groups, 2, names), key=lambda r: (r.key == "", r.label))
