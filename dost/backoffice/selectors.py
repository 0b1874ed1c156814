"""Reads of the back office: the user's centres and the requests waiting for their approval."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dost.cases.models import OverrideRequest, OverrideStatus
from dost.centres.models import Centre
from dost.registry.models import ChangeRequest, ChangeRequestStatus

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
