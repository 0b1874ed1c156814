"""Reads of the back office: the user's centres, the requests waiting for their approval, the
persons in their scope, proactive tasks and outreach lists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from dost.backoffice.search import SearchResult
from dost.cases.models import Case, OverrideRequest, OverrideStatus
from dost.catalog.models import Service
from dost.centres.models import Centre
from dost.proactive.models import (
    ActionKind,
    ActionStatus,
    NonTakeUp,
    OutreachContact,
    ProactiveAction,
)
from dost.registry.models import ChangeRequest, ChangeRequestStatus, District, Person
from dost.security.selectors import staff_scope

APPROVALS_MAX = 100
OVERRIDE_PERMISSION = "cases.approve_override"
CHANGE_PERMISSION = "registry.approve_changerequest"


def staff_centres(*, user: Any) -> list[Centre]:
    """Centres the user supervises or has a counter shift at."""
    return list(
        Centre.objects.filter(
            Q(supervisors=user) | Q(counters__shifts__user=user), is_active=True
        ).distinct().order_by("code")
    )


def overrides_to_approve(*, user: Any) -> QuerySet[OverrideRequest]:
    """Pending overrides the user may answer: never their own (four eyes)."""
    if not user.has_perm(OVERRIDE_PERMISSION):
        return OverrideRequest.objects.none()
    return (
        OverrideRequest.objects.filter(status=OverrideStatus.PENDING)
        .exclude(requested_by=user)
        .select_related("case__service", "case__applicant", "decision", "requested_by")
        .order_by("created_at", "id")[:APPROVALS_MAX]
    )


def changes_to_approve(*, user: Any) -> QuerySet[ChangeRequest]:
    """Pending registry change requests the user may answer: never their own."""
    if not user.has_perm(CHANGE_PERMISSION):
        return ChangeRequest.objects.none()
    return (
        ChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING)
        .exclude(requested_by=user)
        .select_related("person", "household", "requested_by")
        .order_by("requested_at", "id")[:APPROVALS_MAX]
    )


def override_get(*, pk: int) -> OverrideRequest:
    return OverrideRequest.objects.select_related("case", "requested_by").get(pk=pk)


def change_request_get(*, pk: int) -> ChangeRequest:
    return ChangeRequest.objects.get(pk=pk)


# --- Whom a staff member may find: persons in their scope -------------------------------------
#
# A person's place is their district of residence (`Person.district`). Staff assigned to a
# region find and open the persons who live in it; staff assigned to a centre, the persons who
# applied at it (a centre has no territory of its own); national-scope staff (no assignment, or
# superusers) everyone. A person with no district of residence is national-scope only.


def person_scope_q(*, user: Any, prefix: str = "") -> Q:
    """A filter on persons (or on rows reaching a person through `prefix`, e.g. "person__")
    that keeps only the persons `user` may see."""
    scope = staff_scope(user)
    if scope.everything:
        return Q()
    allowed = Q(**{f"{prefix}pk__in": []})
    if scope.region_ids:
        allowed |= Q(**{f"{prefix}district__region_id__in": sorted(scope.region_ids)})
    if scope.centre_ids:
        applicants = Case.objects.filter(centre_id__in=sorted(scope.centre_ids))
        allowed |= Q(**{f"{prefix}pk__in": applicants.values("applicant_id")})
    return allowed


def persons_in_scope(*, user: Any, person_ids: Iterable[int]) -> set[int]:
    """Which of `person_ids` the user may see (one query, none for national scope)."""
    ids = set(person_ids)
    if not ids or staff_scope(user).everything:
        return ids
    return set(
        Person.objects.filter(person_scope_q(user=user), pk__in=sorted(ids))
        .values_list("pk", flat=True)
    )


def search_in_scope(*, user: Any, result: SearchResult) -> SearchResult:
    """The hits of a person search the user may see. The search ranks a bounded candidate set
    first (dost.backoffice.search), so a common name searched by regional staff may need the
    first name to reach everyone of their region: the result says so when it was cut."""
    allowed = persons_in_scope(user=user, person_ids=[h.person.pk for h in result.hits])
    return replace(result, hits=[h for h in result.hits if h.person.pk in allowed])


def person_in_scope(*, user: Any, person_id: int) -> bool:
    return person_id in persons_in_scope(user=user, person_ids=[person_id])


# --- Proactive work: tasks and invitations, outreach lists ------------------------------------

WORK_PROACTIVE = "proactive.work_proactive"
STAFF_ACTION_KINDS = (ActionKind.TASK, ActionKind.INVITE)


def proactive_tasks(*, user: Any) -> QuerySet[ProactiveAction]:
    """Open tasks (data missing or unclear) and invitations to apply, for persons in the user's
    scope, oldest first."""
    return (
        ProactiveAction.objects.filter(status=ActionStatus.OPEN, kind__in=STAFF_ACTION_KINDS)
        .filter(person_scope_q(user=user, prefix="person__"))
        .select_related("person", "service")
        .order_by("id")
    )


def proactive_task_get(*, user: Any, pk: int) -> ProactiveAction:
    """One task or invitation (open or not) of a person in scope; ProactiveAction.DoesNotExist
    otherwise."""
    return (
        ProactiveAction.objects.filter(kind__in=STAFF_ACTION_KINDS)
        .filter(person_scope_q(user=user, prefix="person__"))
        .select_related("person", "service", "household", "resolved_by")
        .get(pk=pk)
    )


def outreach_districts(*, user: Any) -> QuerySet[District]:
    """The districts whose lists the user may open: those of their regions, all for national
    scope (centre-only staff see every district, filtered to their applicants)."""
    scope = staff_scope(user)
    districts = District.objects.select_related("region").order_by("code")
    if scope.region_ids and not scope.everything:
        districts = districts.filter(region_id__in=sorted(scope.region_ids))
    return districts


def outreach_latest_period() -> str | None:
    """The most recent period a nightly scan wrote (served by the (period, …) unique index)."""
    return NonTakeUp.objects.order_by("-period").values_list("period", flat=True).first()


OUTCOME_NONE = "none"  # the filter value for "nobody has recorded a contact yet"


def outreach_list(
    *, user: Any, period: str, district: District | None = None,
    service: Service | None = None, outcome: str = "",
) -> QuerySet[NonTakeUp]:
    """The nightly scan's non-take-up rows for `period`, for persons in scope, with the last
    recorded contact of each (period, service, person), by district, service and name."""
    latest = OutreachContact.objects.filter(
        period=OuterRef("period"), service=OuterRef("service"), person=OuterRef("person")
    ).order_by("-recorded_at", "-id")
    rows = (
        NonTakeUp.objects.filter(period=period)
        .filter(person_scope_q(user=user, prefix="person__"))
        .annotate(
            last_outcome=Subquery(latest.values("outcome")[:1]),
            last_contact_at=Subquery(latest.values("recorded_at")[:1]),
        )
    )
    if district is not None:
        rows = rows.filter(district=district)
    if service is not None:
        rows = rows.filter(service=service)
    if outcome == OUTCOME_NONE:
        rows = rows.filter(last_outcome__isnull=True)
    elif outcome:
        rows = rows.filter(last_outcome=outcome)
    return rows.select_related("person", "service", "district").order_by(
        "district__code", "service__code", "person__last_name", "person__first_name", "person_id"
    )


def outreach_row_get(*, user: Any, pk: int) -> NonTakeUp:
    """One outreach row of a person in scope; NonTakeUp.DoesNotExist otherwise."""
    return (
        NonTakeUp.objects.filter(person_scope_q(user=user, prefix="person__"))
        .select_related("person", "service", "district")
        .get(pk=pk)
    )


def outreach_contacts(*, row: NonTakeUp) -> QuerySet[OutreachContact]:
    """Every contact recorded for the row's person and service in its period, latest first."""
    return OutreachContact.objects.filter(
        period=row.period, service_id=row.service_id, person_id=row.person_id
    ).select_related("recorded_by").order_by("-recorded_at", "-id")
