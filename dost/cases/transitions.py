"""The status transition table of a case. Every status change goes through `check_transition`.

    submitted ─┬─> in_review ──> decided ─┬─> appealed ──> closed
               └──────────────> decided   └─> closed
    submitted, in_review ──> withdrawn

`submitted → decided` is the rules deciding at once. An override with a second approval replaces
the current decision without a status change (it is still recorded as an event, decided →
decided, so the applicant is told). An appeal is its own case
(kind "appeal") that runs submitted → in_review → decided → closed; its original case is
"appealed" meanwhile and is closed when the appeal is decided.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dost.cases.models import CaseStatus

S = CaseStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.DECIDED, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.DECIDED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.APPEALED, S.CLOSED}),
    S.APPEALED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

MSG_INVALID_TRANSITION = _(
    "A case that is “%(current)s” cannot become “%(target)s”."
)


class InvalidTransitionError(ValidationError):
    """The case's status does not allow this step."""


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise InvalidTransitionError(
            MSG_INVALID_TRANSITION
            % {"current": S(current).label, "target": S(target).label},
            code="invalid_transition",
        )
