"""Reads of the administrators' staff pages: staff users with their roles and assignments, one
staff user, and the role grants waiting for a second person.

The writes are `services.roles` (grants with four eyes) and `services.assignments`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet

from dost.security.models import GrantStatus, RoleGrantRequest, StaffAssignment


def _assignments() -> Prefetch[Any]:
    return Prefetch(
        "staff_assignments",
        queryset=StaffAssignment.objects.select_related("centre", "region").order_by("id"),
    )


def staff_users() -> QuerySet[Any]:
    """Every staff user, by username, with groups and assignments (three queries in all)."""
    return (
        get_user_model()
        .objects.filter(is_staff=True)
        .prefetch_related("groups", _assignments())
        .order_by("username")
    )


def staff_user_get(*, user_id: int) -> Any | None:
    """A staff user by key, or None (citizens are not managed here)."""
    return staff_users().filter(pk=user_id).first()


def user_by_username(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def role_grants_pending() -> QuerySet[RoleGrantRequest]:
    """Requests waiting for a second person, oldest first (the order they should be read)."""
    return (
        RoleGrantRequest.objects.filter(status=GrantStatus.PENDING)
        .select_related("user", "requested_by")
        .order_by("requested_at", "id")
    )


def role_grant_get(*, pk: int) -> RoleGrantRequest | None:
    return RoleGrantRequest.objects.filter(pk=pk).select_related("user", "requested_by").first()


def role_grants_recent(*, limit: int = 20) -> QuerySet[RoleGrantRequest]:
    """The latest decided requests, for the record on the same page."""
    return (
        RoleGrantRequest.objects.exclude(status=GrantStatus.PENDING)
        .select_related("user", "requested_by", "decided_by")
        .order_by("-decided_at", "-id")[:limit]
    )


def staff_assignment_get(*, pk: int) -> StaffAssignment | None:
    return StaffAssignment.objects.filter(pk=pk).first()
