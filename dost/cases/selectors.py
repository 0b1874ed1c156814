"""Reads of cases: access-checked fetches, work queues with SLA colours, the portal inbox."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from dost.cases.models import Case, CaseEvent, Decision, Notification, NotificationStatus
from dost.cases.models import NotifyChannel as NotifyChannel
from dost.cases.sla import SlaState, sla_state
from dost.centres.models import Centre
from dost.registry.models import Person
from dost.rules.explain import render_json, render_text

STAFF_PERMISSIONS = ("cases.work_case", "cases.approve_override", "cases.decide_appeal")
PAGE_SIZE = 50


def user_is_case_staff(user: Any) -> bool:
    """Whether the user may see cases on the staff pages."""
    return bool(user and user.is_authenticated) and any(
        user.has_perm(p) for p in STAFF_PERMISSIONS
    )


# How a case reaches the centre and the region a staff scope names.
SCOPE_LOOKUPS = {"centre": "centre", "region": "applicant__district__region"}


def case_get_for_user(*, user: Any, case_id: int) -> Case:
    """The case, for a staff member allowed to work cases and within their scope (staff
    assigned to centres or regions see only those cases); raises PermissionDenied or
    Case.DoesNotExist — a case outside the scope is as absent as one that does not exist."""
    from dost.security.selectors import staff_scope

    if not user_is_case_staff(user):
        raise PermissionDenied
    return Case.objects.select_related(
        "service", "applicant", "household", "assignee", "appeal_of"
    ).filter(staff_scope(user).q(**SCOPE_LOOKUPS)).get(pk=case_id)


def case_id_from_reference(reference: str) -> int | None:
    """The case key in a reference such as "C-00001234" (what tickets and letters carry)."""
    prefix, _sep, digits = reference.strip().upper().partition("-")
    return int(digits) if prefix == "C" and digits.isdigit() else None


def case_decision_current(*, case: Case) -> Decision | None:
    return (
        Decision.objects.select_related("decided_by", "approved_by")
        .filter(case=case, is_current=True)
        .first()
    )


def case_decisions(*, case: Case) -> QuerySet[Decision]:
    # A history lists outcomes; the explanations are read one decision at a time.
    return (
        Decision.objects.select_related("decided_by", "approved_by")
        .defer(*EXPLANATION_FIELDS).filter(case=case)
    )


# The fields holding a decision's explanation (large for decisions taken before shapes):
# `.defer(*EXPLANATION_FIELDS)` where a read needs the outcome only.
EXPLANATION_FIELDS = ("explanation_values", "explanation", "explanation_text")


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0]


def decision_explanation_text(*, decision: Decision | None, language: str | None = None) -> str:
    """The rules' explanation of `decision` in plain words, in `language` (default: the active
    one); "" for a decision without one (staff decisions).

    Rendered from the decision's frozen shape and values; a decision taken before shapes shows
    the text it stored in that language, else in English."""
    if decision is None:
        return ""
    lang = _language(language)
    if decision.explanation_shape_id:
        shape = decision.explanation_shape
        assert shape is not None
        return render_text(shape.content, decision.explanation_values, lang)
    texts = decision.explanation_text or {}
    return str(texts.get(lang) or texts.get("en") or "")


def decision_explanation_tree(
    *, decision: Decision, language: str | None = None
) -> dict[str, Any]:
    """The rules' explanation of `decision` as a JSON tree in `language` (see
    `decision_explanation_text`); {} for a decision without one."""
    lang = _language(language)
    if decision.explanation_shape_id:
        shape = decision.explanation_shape
        assert shape is not None
        return render_json(shape.content, decision.explanation_values, lang)
    trees = decision.explanation or {}
    return dict(trees.get(lang) or trees.get("en") or {})


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.select_related("actor").filter(case=case)


@dataclass(frozen=True)
class QueueRow:
    case: Case
    sla: SlaState
    working_days_left: int


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_after: tuple[dt.date, int] | None  # keyset cursor: (due_on, id) of the last row


def work_queue(
    *,
    centre: Centre | None,
    role: str,
    after: tuple[dt.date, int] | None = None,
    limit: int = PAGE_SIZE,
    today: dt.date | None = None,
) -> QueuePage:
    """One page of the cases waiting for `role` at `centre` (None: the national office's
    queue), oldest deadline first, each with its SLA colour.

    Keyset pagination on (due_on, id), served by the partial index `cases_work_queue`: a page
    costs the same at the end of a 100k-case queue as at its start. One query.
    """
    cases = (
        Case.objects.filter(centre=centre, queue_role=role)
        .exclude(queue_role="")
        .select_related("service", "applicant", "assignee")
        .order_by("due_on", "id")
    )
    if after is not None:
        due, last_id = after
        cases = cases.filter(Q(due_on__gt=due) | Q(due_on=due, id__gt=last_id))
    found = list(cases[: limit + 1])
    day = today or timezone.localdate()
    from dost.catalog.working_days import working_days_between

    rows = [
        QueueRow(
            case=c,
            sla=sla_state(due_on=c.due_on, country=c.service.country, today=day),
            working_days_left=working_days_between(day, c.due_on, c.service.country),
        )
        for c in found[:limit]
    ]
    more = len(found) > limit
    return QueuePage(
        rows=rows,
        next_after=(rows[-1].case.due_on, rows[-1].case.pk) if more and rows else None,
    )


def inbox_for_person(*, person: Person) -> QuerySet[Notification]:
    """The portal inbox: messages delivered to the person's cabinet, newest first."""
    return Notification.objects.filter(
        person=person, channel=NotifyChannel.PORTAL, status=NotificationStatus.SENT
    ).order_by("-created_at", "-id")


def cases_for_person(*, person: Person) -> QuerySet[Case]:
    return Case.objects.select_related("service").filter(applicant=person)
