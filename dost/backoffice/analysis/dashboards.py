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
  by month, service and region (the beneficiary household's region, else the person's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dost.benefits.models import Payment, PaymentStatus
from dost.cases.models import OPEN_STATUSES, Case, CaseKind
from dost.catalog.models import IntakeChannel, Service, localized
from dost.centres.models import Centre, EscalationStatus, Ticket, TicketSource, TicketStatus
from dost.registry.models import Region
from dost.rules import Period

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


def proactive_shares(flt: DashboardFilter) -> list[ServiceShare]:
    """Applications submitted in the months, and how many the proactive engine opened."""
    grouped = list(
        _cases(flt)
        .filter(kind=CaseKind.APPLICATION, submitted_on__range=(flt.first_day, flt.last_day))
        .values("service")
        .annotate(total=Count("id"),
                  proactive=Count("id", filter=Q(channel=IntakeChannel.PROACTIVE)))
        .order_by("service")
    )
    names = _service_names([row["service"] for row in grouped])
    return [
        ServiceShare(row["service"], names[row["service"]], row["total"], row["proactive"])
        for row in grouped
    ]


def sla_rows(flt: DashboardFilter, *, today: dt.date | None = None) -> list[SlaRow]:
    """Cases decided in the months (on time or late) and cases open past their due day today."""
    today = today or timezone.localdate()
    decided = (
        _cases(flt)
        .filter(decided_at__isnull=False,
                decided_at__date__range=(flt.first_day, flt.last_day))
        .values("service")
        .annotate(decided=Count("id"),
                  on_time=Count("id", filter=Q(decided_at__date__lte=F("due_on"))))
        .order_by()
    )
    overdue = (
        _cases(flt)
        .filter(status__in=OPEN_STATUSES, due_on__lt=today)
        .values("service")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_service: dict[int, dict[str, int]] = {}
    for done in decided:
        by_service[done["service"]] = {"decided": done["decided"], "on_time": done["on_time"]}
    for late in overdue:
        by_service.setdefault(late["service"], {})["open_overdue"] = late["n"]
    names = _service_names(list(by_service))
    return sorted(
        (
            SlaRow(pk, names[pk], v.get("decided", 0), v.get("on_time", 0),
                   v.get("open_overdue", 0))
            for pk, v in by_service.items()
        ),
        key=lambda r: r.label,
    )


def _payments(flt: DashboardFilter) -> QuerySet[Payment]:
    payments = Payment.objects.exclude(status=PaymentStatus.REJECTED).filter(
        period__gte=str(flt.start), period__lte=str(flt.end)
    )
    if flt.region is not None:
        payments = payments.filter(
            Q(award__household__district__region=flt.region)
            | Q(award__household__isnull=True, award__person__district__region=flt.region)
        )
    return payments


def _spend(rows: Sequence[Mapping[str, Any]], key: str, names: Mapping[Any, str],
           ) -> list[SpendRow]:
    return [
        SpendRow(
            key=str(row[key] or ""), label=names.get(row[key], "") if row[key] is not None else "",
            currency=row["currency"], total=row["total"], payments=row["payments"],
        )
        for row in rows
    ]


def spending_by_month(flt: DashboardFilter) -> list[SpendRow]:
    rows = list(
        _payments(flt).values("period", "currency")
        .annotate(total=Sum("amount"), payments=Count("id")).order_by("period", "currency")
    )
    return _spend(rows, "period", {row["period"]: row["period"] for row in rows})


def spending_by_service(flt: DashboardFilter) -> list[SpendRow]:
    rows = list(
        _payments(flt).values("award__service", "currency")
        .annotate(total=Sum("amount"), payments=Count("id")).order_by("award__service")
    )
    names = _service_names([row["award__service"] for row in rows])
    return sorted(_spend(rows, "award__service", names), key=lambda r: r.label)


def spending_by_region(flt: DashboardFilter) -> list[SpendRow]:
    rows = list(
        _payments(flt)
        .values("currency", region=Coalesce("award__household__district__region",
                                            "award__person__district__region"))
        .annotate(total=Sum("amount"), payments=Count("id")).order_by("region", "currency")
    )
    regions = Region.objects.in_bulk([row["region"] for row in rows if row["region"]])
    names = {pk: localized(r.names) or r.name for pk, r in regions.items()}
    return sorted(_spend(rows, "region", names), key=lambda r: (r.key == "", r.label))
