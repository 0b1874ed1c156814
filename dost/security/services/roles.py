"""Roles as groups, and role grants that take two people.

`roles_sync` makes the groups say exactly what `ROLE_PERMISSIONS` says (idempotent).
A grant is requested by one staff member holding `security.grant_role` and approved by another
holding `security.approve_role_grant`; neither the requester nor the user concerned may approve,
and a decided request cannot be decided again (a replayed approval is refused).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.audit.services import change_record
from dost.security.models import GrantStatus, RoleGrantRequest
from dost.security.roles import ROLE_PERMISSIONS, STAFF_ROLES, Role

MSG_MAY_NOT_REQUEST = _("You may not request role grants.")
MSG_MAY_NOT_APPROVE = _("You may not approve role grants.")
MSG_OWN_REQUEST = _("A role grant must be approved by someone other than its requester.")
MSG_OWN_ROLE = _("Nobody may approve a role grant for themselves.")
MSG_DECIDED = _("This role grant request is already decided.")
MSG_UNKNOWN_ROLE = _("There is no role “%(role)s”.")
MSG_REASON = _("Say why the role is needed.")


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the ten groups and set each one's permissions to the table's; returns the number
    of permissions per group. A codename the database does not know yet is an error."""
    counts: dict[str, int] = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".", 1)
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(Permission.objects.filter(wanted)) if names else []
        if len(permissions) != len(set(names)):
            found = {f"{p.content_type.app_label}.{p.codename}" for p in permissions}
            raise LookupError(f"{role}: unknown permissions {sorted(set(names) - found)}")
        group.permissions.set(permissions)
        counts[role.value] = len(permissions)
    return counts


def _grant_state(user: Any) -> dict[str, Any]:
    return {"user": user.username, "groups": sorted(user.groups.values_list("name", flat=True)),
            "is_staff": user.is_staff}


@transaction.atomic
def role_grant_request(
    *, user: Any, role: str, requested_by: Any, reason: str, revoke: bool = False,
) -> RoleGrantRequest:
    if not requested_by.has_perm("security.grant_role"):
        raise PermissionDenied(MSG_MAY_NOT_REQUEST)
    if role not in Role.__members__.values():
        raise ValidationError(MSG_UNKNOWN_ROLE, code="role", params={"role": role})
    if not reason.strip():
        raise ValidationError(MSG_REASON, code="reason")
    request = RoleGrantRequest.objects.create(
        user=user, role=role, revoke=revoke, reason=reason.strip(), requested_by=requested_by,
    )
    change_record(object_type="security.rolegrantrequest", object_id=request.pk,
                  action="role grant requested", before=_grant_state(user),
                  after={"role": role, "revoke": revoke}, actor=requested_by, reason=reason)
    return request


def _decidable(request: RoleGrantRequest, approver: Any) -> RoleGrantRequest:
    if not approver.has_perm("security.approve_role_grant"):
        raise PermissionDenied(MSG_MAY_NOT_APPROVE)
    locked = RoleGrantRequest.objects.select_for_update().select_related("user").get(
        pk=request.pk)
    if locked.requested_by_id == approver.pk:
        raise PermissionDenied(MSG_OWN_REQUEST)
    if locked.user_id == approver.pk:
        raise PermissionDenied(MSG_OWN_ROLE)
    if locked.status != GrantStatus.PENDING:
        # Checked under the row lock: two approvals racing, or one replayed, meet here.
        raise ValidationError(MSG_DECIDED, code="decided")
    return locked


@transaction.atomic
def role_grant_approve(*, request: RoleGrantRequest, approver: Any) -> RoleGrantRequest:
    locked = _decidable(request, approver)
    user = locked.user
    before = _grant_state(user)
    group, _created = Group.objects.get_or_create(name=locked.role)
    if locked.revoke:
        user.groups.remove(group)
    else:
        user.groups.add(group)
        if Role(locked.role) in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    locked.status, locked.decided_by, locked.decided_at = (
        GrantStatus.APPROVED, approver, timezone.now())
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    change_record(object_type="auth.user", object_id=user.pk,
                  action="role revoked" if locked.revoke else "role granted",
                  before=before, after=_grant_state(user), actor=approver,
                  reason=f"request {locked.pk}: {locked.reason}")
    request.refresh_from_db()
    return locked


@transaction.atomic
def role_grant_reject(*, request: RoleGrantRequest, approver: Any) -> RoleGrantRequest:
    locked = _decidable(request, approver)
    locked.status, locked.decided_by, locked.decided_at = (
        GrantStatus.REJECTED, approver, timezone.now())
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    change_record(object_type="security.rolegrantrequest", object_id=locked.pk,
                  action="role grant rejected", before={"status": GrantStatus.PENDING.value},
                  after={"status": locked.status}, actor=approver)
    request.refresh_from_db()
    return locked
