"""Events in, registry out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Body, Header, Query, Router
from pydantic import Field

from dost.api.auth import client_of, has_scope, require_scope
from dost.api.calls import call_write
from dost.api.problems import ProblemError
from dost.api.schemas import (
    EventBatchIn,
    EventResultOut,
    EventResultsOut,
    EventsIn,
    HouseholdOut,
    PersonOut,
    PersonPage,
    StrictIn,
)
from dost.api.selectors import (
    SEARCH_PAGE_MAX,
    PersonView,
    SearchCriteria,
    cursor_decode,
    cursor_encode,
    household_get,
    person_get,
    persons_search,
)
from dost.audit.models import Channel
from dost.audit.services import access_records_statement
from dost.registry.services import EventStatus
from dost.registry.services.events import EventSpec, events_ingest_batch

router = Router(tags=["registry"])

MSG_PERSON_NOT_FOUND = _("No person with this personal ID is in the registry.")
MSG_HOUSEHOLD_NOT_FOUND = _("No household with this reference is in the registry.")
MSG_BAD_CURSOR = _("The cursor is not one this API issued; start again without it.")
MSG_UNKNOWN_PARAMETERS = _("Unknown query parameters: %(names)s.")

# Required on every read of personal data; it is stored in the call log with the client.
Purpose = Annotated[
    str,
    Header(alias="X-Purpose", min_length=3, max_length=200,
           description="Why you read this personal data (e.g. a case number); logged."),
]


def _view(request: HttpRequest) -> PersonView:
    return PersonView(
        contact=has_scope(request, "persons:read:contact"),
        disability=has_scope(request, "persons:read:disability"),
        employment=has_scope(request, "persons:read:employment"),
    )


def audit_read(request: HttpRequest, what: str, purpose: str, personal_ids: list[str]) -> None:
    """One audit record per person in the answer, under the calling client (an agency).
    Written with the call's log row, in the same commit, before the answer leaves
    (`dost.api.calls`)."""
    client = client_of(request)
    call_write(request, access_records_statement(
        personal_ids=personal_ids, what=what, purpose=purpose, channel=Channel.API,
        api_client=client, actor_role=client.name,
    ))


@router.post("/events", response=EventResultsOut, operation_id="events_send",
             summary="Send one life event or a batch of up to 1,000")
def events_send(request: HttpRequest, body: Body[EventsIn]) -> EventResultsOut:
    """Each event is answered on its own: `applied`, `duplicate` (same `sender_event_id` seen
    before; nothing changed) or `rejected` with the `reason`. The sender is the client's."""
    client = require_scope(request, "events:write")
    events = body.events if isinstance(body, EventBatchIn) else [body]
    # One transaction for the batch (events_ingest_batch): the event log's advisory lock is taken
    # once and held until commit, so the log stays in commit order; each event is answered and
    # applied as if sent alone (a rejection never undoes another), its writes made in bulk with
    # the batch's (docs/events.md); if the batch fails as a whole, nothing is kept and resending
    # it is safe (idempotent).
    ingested = events_ingest_batch(sender=client.sender, events=[
        EventSpec(sender_event_id=e.sender_event_id, type=e.type, occurred_on=e.occurred_on,
                  payload=e.payload)
        for e in events
    ])
    results = [
        EventResultOut(
            sender_event_id=event.sender_event_id, status=str(result.status),  # type: ignore[arg-type]
            reason=str(result.reason),
            event_id=result.life_event.pk if result.life_event else None,
        )
        for event, result in zip(events, ingested, strict=True)
    ]
    counts = dict.fromkeys(EventStatus.values, 0)
    for result in results:
        counts[result.status] += 1
    return EventResultsOut(
        applied=counts["applied"], duplicate=counts["duplicate"], rejected=counts["rejected"],
        results=results,
    )


@router.get("/persons/{personal_id}", response=PersonOut, exclude_unset=True,
            operation_id="person_get", summary="A person by personal ID")
def person_read(request: HttpRequest, personal_id: str, purpose: Purpose) -> dict[str, Any]:
    require_scope(request, "persons:read")
    if len(personal_id) > 14:
        raise ProblemError(404, "not_found", MSG_PERSON_NOT_FOUND)
    found = person_get(personal_id=personal_id, view=_view(request))
    if found is None:
        raise ProblemError(404, "not_found", MSG_PERSON_NOT_FOUND)
    audit_read(request, "api person", purpose, [found["personal_id"]])
    return found


@router.get("/households/{reference}", response=HouseholdOut, exclude_unset=True,
            operation_id="household_get", summary="A household with its current members")
def household_read(request: HttpRequest, reference: str, purpose: Purpose) -> dict[str, Any]:
    require_scope(request, "households:read")
    found = household_get(reference=reference[:40], view=_view(request))
    if found is None:
        raise ProblemError(404, "not_found", MSG_HOUSEHOLD_NOT_FOUND)
    audit_read(request, "api household", purpose,
               [m["person"]["personal_id"] for m in found["members"]])
    return found


class SearchIn(StrictIn):
    district: str | None = Field(None, max_length=16, description="District code, e.g. AZ-BA-01.")
    sex: Literal["M", "F"] | None = None
    born_from: dt.date | None = None
    born_to: dt.date | None = None
    alive: bool | None = None
    citizenship: str | None = Field(None, min_length=2, max_length=2)
    last_name: str | None = Field(None, min_length=1, max_length=80)
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(50, ge=1, le=SEARCH_PAGE_MAX)


@router.get("/persons", response=PersonPage, exclude_unset=True, operation_id="persons_search",
            summary="Search persons by demographic criteria, a page at a time")
def persons_find(
    request: HttpRequest, purpose: Purpose, query: Query[SearchIn]
) -> dict[str, Any]:
    """Criteria combine with AND. Pages follow the registry's key order; pass `next_cursor` back
    as `cursor` until it is null."""
    require_scope(request, "persons:search")
    unknown = sorted(set(request.GET) - set(SearchIn.model_fields))
    if unknown:
        raise ProblemError(
            422, "validation", MSG_UNKNOWN_PARAMETERS % {"names": ", ".join(unknown)}
        )
    after = 0
    if query.cursor:
        decoded = cursor_decode(query.cursor)
        if decoded is None:
            raise ProblemError(422, "bad_cursor", MSG_BAD_CURSOR)
        after = decoded
    criteria = SearchCriteria(
        district=query.district, sex=query.sex, born_from=query.born_from, born_to=query.born_to,
        alive=query.alive, citizenship=query.citizenship, last_name=query.last_name,
    )
    items, last = persons_search(
        criteria=criteria, view=_view(request), after_id=after, limit=query.limit
    )
    audit_read(request, "api person search", purpose, [item["personal_id"] for item in items])
    page: dict[str, Any] = {"items": items}
    if last is not None:
        page["next_cursor"] = cursor_encode(last)
    return page
