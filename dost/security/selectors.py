"""Reads of the security app: a staff member's scope, a citizen's own person and household.

Others filter with these, so the rule "staff see their centres and regions, a citizen sees
only their own household" is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import HttpRequest

from dost.registry.models import Membership, Person
from dost.security.models import StaffAssignment


@dataclass(frozen=True)
class StaffScope:
    """`everything`: superusers and national-office staff (no assignment at all).
    Otherwise the centres and regions of the user's assignments, nothing else."""

    everything: bool
    centre_ids: frozenset[int]
    region_ids: frozenset[int]

    def q(self, *, centre: str | None = None, region: str | None = None) -> Q:
        """A filter for a queryset: `centre`/`region` name the lookups to the centre and the
        region (e.g. centre="centre", region="applicant__district__region")."""
        if self.everything:
            return Q()
        allowed = Q(pk__in=[])
        if centre is not None and self.centre_ids:
            allowed |= Q(**{f"{centre}__in": sorted(self.centre_ids)})
        if region is not None and self.region_ids:
            allowed |= Q(**{f"{region}__in": sorted(self.region_ids)})
        return allowed

    def allows_centre(self, centre_id: int | None) -> bool:
        """None is the national office's queue: only for national scope."""
        return self.everything or (centre_id is not None and centre_id in self.centre_ids)


NOTHING = StaffScope(everything=False, centre_ids=frozenset(), region_ids=frozenset())


def staff_scope(user: Any) -> StaffScope:
    # Only staff have a scope; a citizen (never staff) sees through `citizen_household_ids`.
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return NOTHING
    if user.is_superuser:
        return StaffScope(everything=True, centre_ids=frozenset(), region_ids=frozenset())
    rows = list(StaffAssignment.objects.filter(user=user).values_list("centre_id", "region_id"))
    if not rows:
        # National-office staff: assigned nowhere in particular, they work every queue.
        return StaffScope(everything=True, centre_ids=frozenset(), region_ids=frozenset())
    return StaffScope(
        everything=False,
        centre_ids=frozenset(c for c, _r in rows if c is not None),
        region_ids=frozenset(r for _c, r in rows if r is not None),
    )


def citizen_person(request: HttpRequest) -> Person | None:
    """The registry person of the signed-in citizen, or None (anonymous, staff)."""
    link = getattr(request.user, "citizen_link", None) if request.user.is_authenticated else None
    return link.person if link is not None else None


def citizen_household_ids(user: Any) -> set[int]:
    """The households the citizen belongs to now: the only ones they may see."""
    link = getattr(user, "citizen_link", None) if getattr(user, "is_authenticated", False) else None
    if link is None:
        return set()
    return set(
        Membership.objects.filter(person_id=link.person_id, left_on__isnull=True)
        .values_list("household_id", flat=True)
    )
