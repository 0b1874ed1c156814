"""Writes to the registry. Everything that changes registry data goes through these functions.

- `events`: life events from other state systems (`event_ingest`); their payload shapes are in
  `event_payloads`, the shared Pydantic pieces in `payloads`.
- `change_requests`: staff edits with four-eyes approval.
- `persons`: the person, household, membership and fact writes the two above share.
- `history`: the change log every write records itself in.
- `bulk`: the same writes staged and written in a few statements, for batches of events.
"""

from dost.registry.services.change_requests import (
    ChangeRequestKind,
    change_request_approve,
    change_request_create,
    change_request_reject,
)
from dost.registry.services.events import EventResult, EventStatus, event_ingest
from dost.registry.services.history import ChangeContext, registry_change_record
from dost.registry.services.persons import (
    fact_add,
    fact_close,
    fact_retract,
    household_create,
    household_update,
    membership_end,
    membership_start,
    person_create,
    person_update,
)

__all__ = [
    "ChangeContext",
    "ChangeRequestKind",
    "EventResult",
    "EventStatus",
    "change_request_approve",
    "change_request_create",
    "change_request_reject",
    "event_ingest",
    "fact_add",
    "fact_close",
    "fact_retract",
    "household_create",
    "household_update",
    "membership_end",
    "membership_start",
    "person_create",
    "person_update",
    "registry_change_record",
]
