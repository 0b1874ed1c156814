"""Benefits out: a person's awards and payments, each section behind its own scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from pydantic import Field

from dost.api.auth import has_scope, require_any_scope
from dost.api.problems import ProblemError
from dost.api.routes_registry import MSG_BAD_CURSOR, MSG_PERSON_NOT_FOUND, Purpose, audit_read
from dost.api.schemas import BenefitsOut, StrictIn
from dost.api.selectors import (
    PAYMENT_CURSOR,
    PAYMENTS_PAGE_MAX,
    BenefitsView,
    cursor_decode,
    cursor_encode,
    person_benefits_get,
)

router = Router(tags=["benefits"])

MSG_UNKNOWN_PARAMETERS = _("Unknown query parameters: %(names)s.")


class BenefitsIn(StrictIn):
    cursor: str | None = Field(None, max_length=40)
    limit: int = Field(50, ge=1, le=PAYMENTS_PAGE_MAX, description="Payments per page.")


@router.get("/persons/{personal_id}/benefits", response=BenefitsOut, exclude_unset=True,
            operation_id="person_benefits_get",
            summary="A person's awards and payments (awards:read, payments:read)")
def person_benefits_read(
    request: HttpRequest, personal_id: str, purpose: Purpose, query: Query[BenefitsIn]
) -> dict[str, Any]:
    """`awards` with scope awards:read, `payments` with payments:read; either scope opens the
    endpoint. Awards come whole on every page; payments newest first, `limit` a page: pass
    `next_cursor` back as `cursor` until it is absent."""
    require_any_scope(request, "awards:read", "payments:read")
    unknown = sorted(set(request.GET) - set(BenefitsIn.model_fields))
    if unknown:
        raise ProblemError(
            422, "validation", MSG_UNKNOWN_PARAMETERS % {"names": ", ".join(unknown)}
        )
    before = None
    if query.cursor:
        before = cursor_decode(query.cursor, PAYMENT_CURSOR)
        if before is None:
            raise ProblemError(422, "bad_cursor", MSG_BAD_CURSOR)
    if len(personal_id) > 14:
        raise ProblemError(404, "not_found", MSG_PERSON_NOT_FOUND)
    view = BenefitsView(
        awards=has_scope(request, "awards:read"), payments=has_scope(request, "payments:read")
    )
    found = person_benefits_get(
        personal_id=personal_id, view=view, before_id=before, limit=query.limit
    )
    if found is None:
        raise ProblemError(404, "not_found", MSG_PERSON_NOT_FOUND)
    audit_read(request, "api benefits", purpose, [found["personal_id"]])
    last = found.pop("next_before", None)
    if last is not None:
        found["next_cursor"] = cursor_encode(last, PAYMENT_CURSOR)
    return found
