"""Which centres and regions a staff member works for (object-level scope), logged."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from dost.audit.services import change_record, state_of
from dost.centres.models import Centre
from dost.registry.models import Region
from dost.security.models import StaffAssignment

MSG_MAY_NOT_ASSIGN = _("You may not change staff assignments.")


def _check(actor: Any, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(MSG_MAY_NOT_ASSIGN)


@transaction.atomic
def staff_assignment_add(
    *, user: Any, centre: Centre | None = None, region: Region | None = None, actor: Any = None,
) -> StaffAssignment:
    """`actor` None: the system (the demo, a command)."""
    _check(actor, "security.add_staffassignment")
    assignment = StaffAssignment.objects.create(user=user, centre=centre, region=region)
    change_record(object_type="security.staffassignment", object_id=assignment.pk,
                  action="assigned", before=None, after=state_of(assignment), actor=actor)
    return assignment


@transaction.atomic
def staff_assignment_remove(*, assignment: StaffAssignment, actor: Any = None) -> None:
    _check(actor, "security.delete_staffassignment")
    before = state_of(assignment)
    key = assignment.pk
    assignment.delete()
    change_record(object_type="security.staffassignment", object_id=key, action="unassigned",
                  before=before, after=None, actor=actor)
