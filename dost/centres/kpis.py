"""Centre KPIs per centre, counter, operator, service group or day (definitions: docs/centres.md).

- visitors: tickets issued, not counting the second ticket a transfer creates (one visit);
- wait: first call − issue, for every ticket that was called;
- service time: end − start of service, for served tickets;
- within standard: share of served tickets whose service time is at most the standard minutes
  of the passport (the ticket's own service when it names one, else the group's);
- no-shows: tickets called and marked as not come;
- satisfaction: share of ratings with every score 4 or 5 (the complement of escalation);
- escalations open: escalations of the row's tickets not yet resolved.

Percentiles use the nearest-rank definition: the p-th percentile of n sorted values is the
value at rank ⌈p × n / 100⌉ (1-based). It is always one of the observed values.

A centre's tickets over a date range are read once (a day is a few hundred rows) and grouped in
Python, which keeps the figures the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _

from dost.centres.models import (
    Centre,
    EscalationStatus,
    Rating,
    Ticket,
    TicketSource,
    TicketStatus,
)

Breakdown = Literal["centre", "counter", "operator", "service_group", "day"]
BREAKDOWNS: tuple[Breakdown, ...] = ("centre", "counter", "operator", "service_group", "day")


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p * len(ordered) / 100))
    return ordered[rank - 1]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass
class KpiRow:
    key: str
    label: str
    visitors: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    within_standard: int = 0
    ratings: int = 0
    satisfied: int = 0
    escalations_open: int = 0

    @property
    def wait_avg(self) -> float | None:
        return mean(self.waits)

    @property
    def wait_p90(self) -> float | None:
        return percentile(self.waits, 90)

    @property
    def service_avg(self) -> float | None:
        return mean(self.services)

    @property
    def service_p90(self) -> float | None:
        return percentile(self.services, 90)

    @property
    def within_standard_pct(self) -> float | None:
        return 100 * self.within_standard / self.served if self.served else None

    @property
    def satisfaction_pct(self) -> float | None:
        return 100 * self.satisfied / self.ratings if self.ratings else None


def _key(breakdown: Breakdown) -> Callable[[Ticket], tuple[str, str]]:
    def by(ticket: Ticket) -> tuple[str, str]:
        if breakdown == "centre":
            return str(ticket.centre_id), ticket.centre.name
        if breakdown == "day":
            return ticket.day.isoformat(), ticket.day.isoformat()
        if breakdown == "service_group":
            return str(ticket.service_group_id), str(ticket.service_group)
        if breakdown == "counter":
            if ticket.counter is None:
                return "", _("Not called")
            return str(ticket.counter_id), str(ticket.counter)
        if ticket.operator is None:
            return "", _("Not called")
        name = ticket.operator.get_full_name() or ticket.operator.get_username()
        return str(ticket.operator_id), name

    return by


def _standard_minutes(ticket: Ticket, by_group: dict[int, int]) -> int:
    # The passport of the ticket's own service when the visitor named one, else the group's.
    if ticket.service is not None and ticket.service.front_office_minutes:
        return ticket.service.front_office_minutes
    if ticket.service_group_id not in by_group:
        by_group[ticket.service_group_id] = ticket.service_group.effective_standard_minutes()
    return by_group[ticket.service_group_id]


def centre_kpis(
    *, centre: Centre, start: dt.date, end: dt.date, breakdown: Breakdown = "centre",
) -> list[KpiRow]:
    """KPI rows of `centre` for the days start..end (inclusive), one per `breakdown` value."""
    tickets = (
        Ticket.objects.filter(centre=centre, day__range=(start, end))
        .exclude(status=TicketStatus.CANCELLED)
        .select_related("centre", "service_group", "service", "counter", "operator",
                        "rating", "rating__escalation")
        .prefetch_related("service_group__services")
        .order_by("day", "service_group__letter", "number")
    )
    rows: dict[str, KpiRow] = {}
    key_of = _key(breakdown)
    standard: dict[int, int] = {}
    for ticket in tickets:
        key, label = key_of(ticket)
        row = rows.setdefault(key, KpiRow(key=key, label=label))
        if ticket.source != TicketSource.TRANSFER:
            row.visitors += 1
        if ticket.wait_seconds is not None:
            row.called += 1
            row.waits.append(ticket.wait_seconds)
        if ticket.status == TicketStatus.NO_SHOW:
            row.no_shows += 1
        service = ticket.service_seconds
        if ticket.status == TicketStatus.DONE and service is not None:
            row.served += 1
            row.services.append(service)
            if service <= _standard_minutes(ticket, standard) * 60:
                row.within_standard += 1
        rating: Rating | None = getattr(ticket, "rating", None)
        if rating is not None:
            row.ratings += 1
            row.satisfied += rating.is_satisfied
            escalation = getattr(rating, "escalation", None)
            if escalation is not None and escalation.status == EscalationStatus.OPEN:
                row.escalations_open += 1
    return sorted(rows.values(), key=lambda r: (r.key == "", r.label))


def visitors_by_hour(*, centre: Centre, start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """(hour, tickets issued) for every hour of the day that saw a visitor, in local time."""
    counts: dict[int, int] = defaultdict(int)
    issued = Ticket.objects.filter(centre=centre, day__range=(start, end)).exclude(
        source=TicketSource.TRANSFER
    ).values_list("issued_at", flat=True)
    for moment in issued:
        counts[timezone.localtime(moment).hour] += 1
    if not counts:
        return []
    return [(h, counts.get(h, 0)) for h in range(min(counts), max(counts) + 1)]
