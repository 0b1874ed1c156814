"""Reads of the proactive engine: open work (tasks, invitations, offers) and its KPIs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from dost.benefits.models import Award
from dost.catalog.models import IntakeChannel
from dost.proactive.models import ActionKind, ActionStatus, NonTakeUp, ProactiveAction


def actions_open(*, kind: str | None = None) -> QuerySet[ProactiveAction]:
    """Tasks for staff, invitations and offers still waiting, oldest first."""
    rows = ProactiveAction.objects.filter(status=ActionStatus.OPEN)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return rows.select_related("person", "service", "household").order_by("id")


@dataclass(frozen=True)
class ServiceKpi:
    service: str
    awards: int
    proactive_awards: int
    days_event_to_decision: float | None  # mean, for awards triggered by a life event

    @property
    def proactive_share(self) -> float:
        return self.proactive_awards / self.awards if self.awards else 0.0


def proactive_kpis() -> list[ServiceKpi]:
    """Per service: awards, the share made with no application, days from event to decision."""
    counts = (
        Award.objects.values("service__code")
        .annotate(
            total=Count("id"),
            proactive=Count("id", filter=Q(case__channel=IntakeChannel.PROACTIVE)),
        )
        .order_by("service__code")
    )
    delays: dict[str, list[int]] = defaultdict(list)
    for code, occurred, decided in (
        ProactiveAction.objects.filter(
            kind=ActionKind.AWARD, life_event__isnull=False, case__decided_at__isnull=False
        ).values_list("service__code", "life_event__occurred_on", "case__decided_at")
    ):
        if decided is not None:
            delays[code].append((decided.date() - occurred).days)
    return [
        ServiceKpi(
            service=row["service__code"], awards=row["total"], proactive_awards=row["proactive"],
            days_event_to_decision=(
                sum(delays[row["service__code"]]) / len(delays[row["service__code"]])
                if delays[row["service__code"]] else None
            ),
        )
        for row in counts
    ]


def non_take_up_counts(*, period: str) -> dict[tuple[str, str], int]:
    """People likely eligible and not paid in `period`, by (district code, service code)."""
    rows = (
        NonTakeUp.objects.filter(period=period)
        .values("district__code", "service__code").annotate(n=Count("id"))
        .order_by("district__code", "service__code")
    )
    return {(r["district__code"], r["service__code"]): r["n"] for r in rows}
