"""Writes of the back office: the audit rows for every read of a person's data.

Each page that shows a person (a search result, a 360° view, a case, a change request waiting
for approval) records who looked, at whom, at what and why, through dost.audit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dost.audit.models import AccessRecord, Channel
from dost.audit.services import PURPOSE_MAX, access_record_bulk, staff_role

# What was read, as the citizen's access log shows it (kept in English in the log, like the
# other channels' entries).
WHAT_SEARCH = "search result"
WHAT_PERSON360 = "person 360° view"
WHAT_HOUSEHOLD = "household member in a 360° view"
WHAT_CASE = "case"
WHAT_CHANGE_REQUEST = "registry change request"


def audit_read(*, user: Any, person_ids: Iterable[int], what: str, purpose: str) -> int:
    """One audit row per distinct person shown; returns how many rows were written."""
    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return 0
    rows = access_record_bulk(
        person_ids=ids, what=what, purpose=purpose, channel=Channel.BACKOFFICE, actor=user,
        actor_role=staff_role(user),
    )
    return len(rows)


def audit_person360(
    *, user: Any, person_id: int, member_ids: Iterable[int], purpose: str
) -> None:
    """The subject of a 360° view and the household members the page shows with them, in one
    INSERT (the page has a query budget)."""
    role = staff_role(user)
    others = [pk for pk in dict.fromkeys(member_ids) if pk != person_id]
    rows = [(person_id, WHAT_PERSON360)] + [(pk, WHAT_HOUSEHOLD) for pk in others]
    AccessRecord.objects.bulk_create(
        AccessRecord(person_id=pk, what=what, purpose=purpose[:PURPOSE_MAX],
                     channel=Channel.BACKOFFICE, actor=user, actor_role=role[:120])
        for pk, what in rows
    )
