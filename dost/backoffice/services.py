"""Writes of the back office: the audit rows for every read of a person's data, and the
social workers' proactive work (closing a task, recording the outcome of an outreach contact).

Each page that shows a person (a search result, a 360° view, a case, a change request waiting
for approval, a task, an outreach list) records who looked, at whom, at what and why, through
dost.audit; each change made here leaves a ChangeRecord.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.audit.models import AccessRecord, Channel
from dost.audit.services import PURPOSE_MAX, access_record_bulk, change_record, staff_role, state_of
from dost.proactive.models import (
    ActionStatus,
    NonTakeUp,
    OutreachContact,
    OutreachOutcome,
    ProactiveAction,
)

# What was read, as the citizen's access log shows it (kept in English in the log, like the
# other channels' entries).
WHAT_SEARCH = "search result"
WHAT_PERSON360 = "person 360° view"
WHAT_HOUSEHOLD = "household member in a 360° view"
WHAT_CASE = "case"
WHAT_CHANGE_REQUEST = "registry change request"
WHAT_PROACTIVE_TASK = "proactive task"
WHAT_OUTREACH = "outreach list"

MSG_TASK_CLOSED = _("This task is no longer open.")
MSG_NOTE_REQUIRED = _("Say what you did.")


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


RESOLUTION_FIELDS = ("status", "resolved_by", "resolved_at", "resolution")


@transaction.atomic
def proactive_task_resolve(*, action: ProactiveAction, actor: Any, note: str) -> ProactiveAction:
    """Close an open task or invitation by hand, saying what was done; logged as a change."""
    note = note.strip()
    if not note:
        raise ValidationError(MSG_NOTE_REQUIRED, code="note")
    # Locked and read again: two workers closing the same task, the second is told.
    locked = ProactiveAction.objects.select_for_update().get(pk=action.pk)
    if locked.status != ActionStatus.OPEN:
        raise ValidationError(MSG_TASK_CLOSED, code="closed")
    before = state_of(locked, RESOLUTION_FIELDS)
    locked.status = ActionStatus.DONE
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.resolution = note
    locked.save(update_fields=[*RESOLUTION_FIELDS, "updated_at"])
    change_record(object_type="proactive.proactiveaction", object_id=locked.pk,
                  action="resolve", before=before, after=state_of(locked, RESOLUTION_FIELDS),
                  actor=actor, person_id=locked.person_id, reason=note)
    return locked


@transaction.atomic
def outreach_contact_record(
    *, row: NonTakeUp, outcome: OutreachOutcome | str, note: str, actor: Any
) -> OutreachContact:
    """What came of contacting the person of an outreach row; one row per attempt, logged."""
    contact = OutreachContact.objects.create(
        period=row.period, service_id=row.service_id, person_id=row.person_id,
        outcome=OutreachOutcome(outcome), note=note.strip(), recorded_by=actor,
    )
    change_record(object_type="proactive.outreachcontact", object_id=contact.pk,
                  action="create", before=None,
                  after=state_of(contact, ("period", "service", "person", "outcome", "note")),
                  actor=actor, person_id=row.person_id, reason=contact.note)
    return contact
