"""Reading the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from dost.audit.models import AccessRecord, ChangeRecord
from dost.registry.models import Person


@dataclass(frozen=True)
class CitizenAccess:
    """What a citizen is shown about one read of their data: never a staff member's name."""

    at: dt.datetime
    by: str
    what: str
    channel: str


def accesses_for_person(person: Person, *, limit: int = 200) -> list[CitizenAccess]:
    rows = (
        AccessRecord.objects.filter(person=person)
        .select_related("api_client")
        .order_by("-at", "-id")[:limit]
    )
    return [
        CitizenAccess(
            at=row.at,
            # The agency or role; an API client is an agency, so its name may be shown.
            by=row.actor_role or (row.api_client.name if row.api_client else ""),
            what=row.what,
            channel=row.get_channel_display(),
        )
        for row in rows
    ]


def access_records_search(
    *, personal_id: str = "", actor_username: str = "", since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AccessRecord]:
    qs = AccessRecord.objects.select_related("person", "actor", "api_client")
    if personal_id:
        qs = qs.filter(person__personal_id=personal_id.strip().upper())
    if actor_username:
        qs = qs.filter(actor__username=actor_username)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs


def change_records_search(
    *, personal_id: str = "", actor_username: str = "", since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[ChangeRecord]:
    qs = ChangeRecord.objects.select_related("person", "actor")
    if personal_id:
        qs = qs.filter(person__personal_id=personal_id.strip().upper())
    if actor_username:
        qs = qs.filter(actor__username=actor_username)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs
