"""Writes to cases: submission from every channel, assignment, decisions, overrides, appeals.

Every function is keyword-only and atomic. Input is checked completely before the first write,
so a bad request leaves nothing behind; every status change goes through
`dost.cases.transitions` and records a `CaseEvent`, whose notifications are sent by a task
scheduled after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.bulk import insert_rows
from dost.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseDocument,
    CaseEvent,
    CaseKind,
    CaseStatus,
    Decision,
    DecisionBasis,
    ExplanationShape,
    NotifyChannel,
    Outcome,
    OverrideRequest,
    OverrideStatus,
    QueueRole,
)
from dost.cases.rules_bridge import (
    LANGUAGES,
    CaseToDecide,
    ExplanationShapeData,
    RulesOutcome,
    evaluate_for_case,
    evaluate_for_cases,
)
from dost.cases.sla import appeal_deadline, appeal_due_on
from dost.cases.transitions import check_transition
from dost.catalog.models import IntakeChannel, Service
from dost.catalog.working_days import deadline_for
from dost.centres.models import Centre
from dost.registry.models import Household, Membership, Person
from dost.registry.snapshot import SnapshotPeriodError, parse_period

User = AbstractBaseUser | AnonymousUser

# Documents a passport lists that only some applicants have to bring: a power of attorney is
# needed only when a representative applies, which is recorded on paper, not here.
CONDITIONAL_DOCUMENTS = frozenset({"power_of_attorney"})

MSG_UNKNOWN_PERSON = _("No person with the personal ID or number “%(person)s” is in the registry.")
MSG_UNKNOWN_HOUSEHOLD = _("No household “%(household)s” is in the registry.")
MSG_NOT_A_MEMBER = _("%(person)s is not a member of household %(household)s.")
MSG_BENEFICIARY_NOT_A_MEMBER = _(
    "%(person)s, for whom the benefit is asked, has never been a member of household "
    "%(household)s."
)
MSG_UNKNOWN_SERVICE = _("There is no active service “%(service)s” in the catalogue.")
MSG_UNKNOWN_CHANNEL = _("“%(channel)s” is not a channel; the channels are: %(channels)s.")
MSG_CHANNEL_NOT_OFFERED = _(
    "The service %(service)s cannot be requested through “%(channel)s”; it is offered "
    "through: %(offered)s."
)
MSG_DUPLICATE = _(
    "Household %(household)s already has an open application for the service %(service)s "
    "(%(reference)s)."
)
MSG_MISSING_DOCUMENTS = _(
    "Documents required for the service %(service)s are missing: %(documents)s."
)
MSG_UNKNOWN_DOCUMENTS = _("Not documents of the service %(service)s: %(documents)s.")
MSG_BAD_PERIOD = _("The period must be a month written YYYY-MM (for example 2026-03).")
MSG_BAD_NOTIFY_CHANNEL = _("“%(channel)s” is not a notification channel; use portal, sms or email.")
MSG_NO_ADDRESS = _("%(person)s has no %(what)s in the registry for notifications by %(channel)s.")
MSG_NOT_PERMITTED = _("%(user)s may not %(action)s.")
MSG_STAFF_DECIDES = _("The service %(service)s is decided by staff, not by the rules.")
MSG_RULES_DECIDE = _(
    "The service %(service)s is decided by the rules; to change their outcome, ask for an "
    "override."
)
MSG_REASONS_REQUIRED = _("A refusal must give at least one reason.")
MSG_UNKNOWN_REASON = _("“%(code)s” is not a refusal ground of the service %(service)s.")
MSG_NOTE_REQUIRED = _("Say why: a note is required.")
MSG_NOT_A_RULES_DECISION = _("Only a decision taken by the rules can be overridden.")
MSG_OVERRIDE_NOT_PENDING = _("This override request has already been answered.")
MSG_OVERRIDE_PENDING = _("An override of this case is already waiting for approval.")
MSG_SAME_PERSON_APPROVAL = _(
    "The second approval must come from someone other than the person who asked for the "
    "override."
)
MSG_USE_APPEAL_DECIDE = _("An appeal is decided with the appeal decision, not as an application.")
MSG_APPEAL_OF_APPEAL = _(
    "A decision on appeal cannot be appealed again here; it can be challenged in court."
)
MSG_APPEAL_LATE = _("The deadline for an appeal was %(deadline)s; it has passed.")
MSG_APPELLANT = _("Only the applicant or a member of the household can appeal.")
MSG_GROUNDS_REQUIRED = _("An appeal must say what is wrong with the decision.")
MSG_NOT_AN_APPEAL = _("This case is not an appeal.")
MSG_SAME_DECIDER = _(
    "An appeal must be decided by someone other than the people who took the decision "
    "appealed against."
)
MSG_APPEAL_OPEN = _("The appeal against this case is still open.")
MSG_NEGATIVE_AMOUNT = _("The amount cannot be negative.")
MSG_BAD_OUTCOME = _("“%(outcome)s” is not an outcome; use approved or refused.")

ACTION_WORK = _("work on cases")
ACTION_APPROVE = _("give the second approval to an override")
ACTION_APPEAL = _("decide appeals")


# --- Looking up the parties ----------------------------------------------------------------


def _error(message: Any, error_code: str, /, **params: Any) -> ValidationError:
    return ValidationError(message % params if params else message, code=error_code)


def _service(service: Service | str, country: str | None) -> Service:
    if isinstance(service, Service):
        if not service.is_active:
            raise _error(MSG_UNKNOWN_SERVICE, "unknown_service", service=service.code)
        return service
    from django.conf import settings

    found = Service.objects.filter(
        country=country or settings.DOST_COUNTRY, code=service, is_active=True
    ).first()
    if found is None:
        raise _error(MSG_UNKNOWN_SERVICE, "unknown_service", service=service)
    return found


def _person(person: Person | str | int) -> Person:
    if isinstance(person, Person):
        return person
    lookup = {"pk": person} if isinstance(person, int) else {"personal_id": person}
    found = Person.objects.filter(**lookup).first()
    if found is None:
        raise _error(MSG_UNKNOWN_PERSON, "unknown_person", person=person)
    return found


def _household(household: Household | str | int) -> Household:
    if isinstance(household, Household):
        return household
    lookup = {"pk": household} if isinstance(household, int) else {"reference": household}
    found = Household.objects.filter(**lookup).first()
    if found is None:
        raise _error(MSG_UNKNOWN_HOUSEHOLD, "unknown_household", household=household)
    return found


def _is_member(person: Person, household: Household, on: dt.date) -> bool:
    return Membership.objects.filter(
        person=person, household=household, joined_on__lte=on,
    ).exclude(left_on__lt=on).exists()


def _require_perm(user: Any, perm: str, action: Any) -> None:
    if user is None or not user.has_perm(perm):
        raise ValidationError(
            MSG_NOT_PERMITTED % {"user": user or "?", "action": action}, code="not_permitted"
        )


def _default_notify_channels(person: Person) -> list[str]:
    channels = [NotifyChannel.PORTAL.value]
    if person.phone:
        channels.append(NotifyChannel.SMS.value)
    if person.email:
        channels.append(NotifyChannel.EMAIL.value)
    return channels


def _notify_channels(person: Person, chosen: Sequence[str] | None) -> list[str]:
    if chosen is None:
        return _default_notify_channels(person)
    result: list[str] = []
    for channel in chosen:
        if channel not in NotifyChannel.values:
            raise _error(MSG_BAD_NOTIFY_CHANNEL, "bad_notify_channel", channel=channel)
        address = {"sms": (person.phone, _("phone number")), "email": (person.email, _("e-mail"))}
        if channel in address and not address[channel][0]:
            raise _error(
                MSG_NO_ADDRESS, "no_address", person=person.full_name,
                what=address[channel][1], channel=channel,
            )
        if channel not in result:
            result.append(channel)
    return result


def _document_codes(documents: Sequence[str | dict[str, str]]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for doc in documents:
        if isinstance(doc, dict):
            codes[str(doc["code"])] = str(doc.get("reference", ""))
        else:
            codes[str(doc)] = ""
    return codes


def _check_documents(service: Service, channel: str, given: dict[str, str]) -> None:
    listed = [str(d.get("code")) for d in service.documents]
    unknown = sorted(set(given) - set(listed))
    if unknown:
        raise _error(
            MSG_UNKNOWN_DOCUMENTS, "unknown_documents", service=service.code,
            documents=", ".join(unknown),
        )
    # A proactive case starts from data the state already holds: nobody brings anything.
    if channel == IntakeChannel.PROACTIVE:
        return
    missing = [c for c in listed if c not in given and c not in CONDITIONAL_DOCUMENTS]
    if missing:
        names = {str(d.get("code")): d.get("text") or {} for d in service.documents}
        from dost.catalog.models import localized

        raise _error(
            MSG_MISSING_DOCUMENTS, "missing_documents", service=service.code,
            documents=", ".join(f"{localized(names[c])} ({c})" for c in missing),
        )


def reasons_for(service: Service, codes: Sequence[str]) -> list[dict[str, Any]]:
    """Reason codes with their plain words in every language, from the service's passport."""
    grounds = {str(g.get("code")): g.get("text") or {} for g in service.refusal_grounds}
    return [
        {"code": code, "text": dict(grounds.get(code) or dict.fromkeys(LANGUAGES, code))}
        for code in codes
    ]


def _check_reasons(service: Service, outcome: str, reasons: Sequence[str]) -> None:
    if outcome not in Outcome.values:
        raise _error(MSG_BAD_OUTCOME, "bad_outcome", outcome=outcome)
    if outcome == Outcome.REFUSED and not reasons:
        raise _error(MSG_REASONS_REQUIRED, "reasons_required")
    grounds = {str(g.get("code")) for g in service.refusal_grounds}
    for code in reasons:
        if code not in grounds:
            raise _error(MSG_UNKNOWN_REASON, "unknown_reason", code=code, service=service.code)


def _check_amount(amount: Decimal | None) -> None:
    if amount is not None and amount < 0:
        raise _error(MSG_NEGATIVE_AMOUNT, "negative_amount")


# --- Status changes ------------------------------------------------------------------------


def _move(case: Case, target: str, *, actor: Any = None, note: str = "") -> CaseEvent:
    """Change the status (checked against the table), record the event, notify after commit."""
    check_transition(case.status, target)
    previous = case.status
    case.status = target
    now = timezone.now()
    fields = ["status", "queue_role", "assignee", "updated_at"]
    if target == CaseStatus.DECIDED:
        case.decided_at = now
        fields.append("decided_at")
    if target in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN):
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    return _record(case, previous, target, actor=actor, note=note)


def _record(case: Case, previous: str, target: str, *, actor: Any, note: str) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, status_from=previous, status_to=target,
        actor=actor if getattr(actor, "pk", None) else None, note=note,
    )
    from dost.cases.tasks import case_event_notify

    event_id = event.pk
    transaction.on_commit(lambda: case_event_notify.enqueue(event_id))
    return event


def _current_decision(case: Case) -> Decision | None:
    return case.decisions.filter(is_current=True).first()


def explanation_shapes_store(shapes: Sequence[ExplanationShapeData]) -> None:
    """Write the explanation shapes not yet stored (one read, at most one insert).

    A shape is named by its content's digest, so a row already there is the same shape; a
    concurrent writer of the same one is ignored."""
    wanted = {shape.digest: shape for shape in shapes}
    if not wanted:
        return
    known = set(
        ExplanationShape.objects.filter(digest__in=wanted).values_list("digest", flat=True)
    )
    # In digest order: two workers storing the same new shapes wait for each other's commit
    # on the unique key; in one order they cannot each hold a row the other waits for.
    ExplanationShape.objects.bulk_create(
        [ExplanationShape(digest=d, content=wanted[d].content)
         for d in sorted(wanted) if d not in known],
        ignore_conflicts=True,
    )


def _rules_fields(result: RulesOutcome) -> dict[str, Any]:
    """A rules decision's frozen record: outputs, explanation (shape and values), parameters."""
    return {
        "outputs": result.outputs, "explanation_shape_id": result.shape.digest,
        "explanation_values": result.explanation_values, "rulebook": result.rulebook,
        "rulebook_version": result.rulebook_version, "parameters": result.parameters,
    }


def _replace_decision(case: Case, **fields: Any) -> Decision:
    case.decisions.filter(is_current=True).update(is_current=False)
    return Decision.objects.create(case=case, decided_at=timezone.now(), **fields)


# --- Submission -----------------------------------------------------------------------------


@transaction.atomic
def case_submit(
    *,
    service: Service | str,
    applicant: Person | str | int,
    household: Household | str | int,
    channel: str,
    period: str,
    documents: Sequence[str | dict[str, str]] = (),
    actor: Any = None,
    centre: Centre | None = None,
    notify_channels: Sequence[str] | None = None,
    beneficiary: Person | str | int | None = None,
) -> Case:
    """Open a case from any channel; a service with rule outputs is decided at once.

    `applicant` is a Person, a personal ID or a primary key; `household` a Household, its
    reference or key; `documents` the codes of the passport's documents brought (or
    {"code", "reference"} items). `beneficiary` is the person the benefit is for when not the
    applicant (a newborn, a deceased): a member, now or before, of the household; the rules'
    person outputs are read for them, while the applicant is told of every step. Raises
    ValidationError naming the problem, writing nothing.
    """
    person = _person(applicant)
    home = _household(household)
    for_whom = _person(beneficiary) if beneficiary is not None else person
    found = _service(service, person.country)
    if channel not in IntakeChannel.values:
        raise _error(
            MSG_UNKNOWN_CHANNEL, "unknown_channel", channel=channel,
            channels=", ".join(IntakeChannel.values),
        )
    if channel not in found.intake_channels:
        raise _error(
            MSG_CHANNEL_NOT_OFFERED, "channel_not_offered", service=found.code,
            channel=IntakeChannel(channel).label, offered=", ".join(found.intake_channels),
        )
    try:
        parse_period(period)
    except SnapshotPeriodError:
        raise _error(MSG_BAD_PERIOD, "bad_period") from None
    today = timezone.localdate()
    if not _is_member(person, home, today):
        raise _error(
            MSG_NOT_A_MEMBER, "not_a_member", person=person.full_name, household=home.reference
        )
    if for_whom.pk != person.pk and not Membership.objects.filter(
        person=for_whom, household=home
    ).exists():
        # A deceased's membership ended on the day of death, so any membership counts here.
        raise _error(
            MSG_BENEFICIARY_NOT_A_MEMBER, "beneficiary_not_a_member",
            person=for_whom.full_name, household=home.reference,
        )
    given = _document_codes(documents)
    _check_documents(found, channel, given)
    channels = _notify_channels(person, notify_channels)
    duplicate = Case.objects.filter(
        kind=CaseKind.APPLICATION, service=found, household=home, status__in=OPEN_STATUSES
    ).first()
    if duplicate is not None:
        raise _error(
            MSG_DUPLICATE, "duplicate", household=home.reference, service=found.code,
            reference=duplicate.reference,
        )
    rules_decide = bool(found.rule_outputs)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                kind=CaseKind.APPLICATION, service=found, applicant=person, household=home,
                beneficiary=for_whom, channel=channel, period=period, status=CaseStatus.SUBMITTED,
                centre=centre,
                queue_role="" if rules_decide else QueueRole.OFFICER,
                notify_channels=channels,
                submitted_by=actor if getattr(actor, "pk", None) else None,
                submitted_on=today, due_on=deadline_for(found, today),
            )
    except IntegrityError:
        # Another request opened the same application between the check and the insert.
        raise _error(
            MSG_DUPLICATE, "duplicate", household=home.reference, service=found.code,
            reference="?",
        ) from None
    CaseDocument.objects.bulk_create(
        CaseDocument(case=case, code=code, reference=ref) for code, ref in given.items()
    )
    _record(case, "", CaseStatus.SUBMITTED, actor=actor, note="")
    if rules_decide:
        case_decide_by_rules(case=case)
    return case


@transaction.atomic
def case_decide_by_rules(*, case: Case) -> Decision:
    """Evaluate the rulebook for the case's household and period; store and freeze the result."""
    service = case.service
    if not service.rule_outputs:
        raise _error(MSG_STAFF_DECIDES, "staff_decides", service=service.code)
    check_transition(case.status, CaseStatus.DECIDED)
    result = evaluate_for_case(
        service=service, household_id=case.household_id,
        applicant_id=case.beneficiary_or_applicant_id, period=case.period,
    )
    explanation_shapes_store([result.shape])
    decision = _replace_decision(
        case, basis=DecisionBasis.RULES,
        outcome=Outcome.APPROVED if result.approved else Outcome.REFUSED,
        amount=result.amount, currency=result.currency if result.amount is not None else "",
        reasons=reasons_for(service, result.reason_codes), period=case.period,
        **_rules_fields(result),
    )
    case.queue_role = ""
    _move(case, CaseStatus.DECIDED)
    return decision


# --- Staff work -----------------------------------------------------------------------------


@transaction.atomic
def case_assign(*, case: Case, assignee: Any, actor: Any = None) -> Case:
    """Give the case to a staff member; a submitted case goes into review."""
    _require_perm(assignee, "cases.work_case", ACTION_WORK)
    if case.status != CaseStatus.IN_REVIEW:
        check_transition(case.status, CaseStatus.IN_REVIEW)  # only undecided cases are assigned
    case.assignee = assignee
    if case.status == CaseStatus.SUBMITTED:
        _move(case, CaseStatus.IN_REVIEW, actor=actor or assignee)
    else:
        case.save(update_fields=["assignee", "updated_at"])
    return case


@transaction.atomic
def case_decide_by_staff(
    *,
    case: Case,
    officer: Any,
    outcome: str,
    reasons: Sequence[str] = (),
    note: str = "",
    amount: Decimal | None = None,
) -> Decision:
    """A staff decision: who decided and why are stored with it."""
    _require_perm(officer, "cases.work_case", ACTION_WORK)
    if case.kind == CaseKind.APPEAL:
        raise _error(MSG_USE_APPEAL_DECIDE, "use_appeal_decide")
    if case.service.rule_outputs:
        raise _error(MSG_RULES_DECIDE, "rules_decide", service=case.service.code)
    check_transition(case.status, CaseStatus.DECIDED)
    _check_reasons(case.service, outcome, reasons)
    _check_amount(amount)
    decision = _replace_decision(
        case, basis=DecisionBasis.STAFF, outcome=outcome,
        amount=amount, currency=case.service.currency if amount is not None else "",
        reasons=reasons_for(case.service, reasons), note=note, period=case.period,
        decided_by=officer,
    )
    case.queue_role = ""
    _move(case, CaseStatus.DECIDED, actor=officer, note=note)
    return decision


@transaction.atomic
def case_override_request(
    *,
    case: Case,
    officer: Any,
    outcome: str,
    reasons: Sequence[str] = (),
    note: str,
    amount: Decimal | None = None,
) -> OverrideRequest:
    """Propose to replace the rules' decision; it takes effect only with a second approval."""
    _require_perm(officer, "cases.work_case", ACTION_WORK)
    current = _current_decision(case)
    if case.status != CaseStatus.DECIDED or current is None or current.basis != DecisionBasis.RULES:
        raise _error(MSG_NOT_A_RULES_DECISION, "not_a_rules_decision")
    if not note.strip():
        raise _error(MSG_NOTE_REQUIRED, "note_required")
    _check_reasons(case.service, outcome, reasons)
    _check_amount(amount)
    if case.override_requests.filter(status=OverrideStatus.PENDING).exists():
        raise _error(MSG_OVERRIDE_PENDING, "override_pending")
    request = OverrideRequest.objects.create(
        case=case, decision=current, requested_by=officer, outcome=outcome, amount=amount,
        reasons=list(reasons), note=note,
    )
    case.queue_role = QueueRole.SUPERVISOR
    case.save(update_fields=["queue_role", "updated_at"])
    return request


def _pending(request: OverrideRequest, approver: Any) -> None:
    _require_perm(approver, "cases.approve_override", ACTION_APPROVE)
    if request.status != OverrideStatus.PENDING:
        raise _error(MSG_OVERRIDE_NOT_PENDING, "override_not_pending")
    if approver.pk == request.requested_by_id:
        raise _error(MSG_SAME_PERSON_APPROVAL, "same_person")


@transaction.atomic
def case_override_approve(*, request: OverrideRequest, approver: Any) -> Decision:
    """The second person's approval: the proposed decision replaces the rules' one."""
    request = OverrideRequest.objects.select_for_update().select_related(
        "case__service", "requested_by"
    ).get(pk=request.pk)
    _pending(request, approver)
    case = request.case
    request.status = OverrideStatus.APPROVED
    request.reviewed_by = approver
    request.reviewed_at = timezone.now()
    request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    decision = _replace_decision(
        case, basis=DecisionBasis.OVERRIDE, outcome=request.outcome, amount=request.amount,
        currency=case.service.currency if request.amount is not None else "",
        reasons=reasons_for(case.service, request.reasons), note=request.note,
        period=case.period, decided_by=request.requested_by, approved_by=approver,
    )
    case.queue_role = ""
    case.decided_at = decision.decided_at
    case.save(update_fields=["queue_role", "decided_at", "updated_at"])
    _record(case, CaseStatus.DECIDED, CaseStatus.DECIDED, actor=approver, note=request.note)
    return decision


@transaction.atomic
def case_override_reject(*, request: OverrideRequest, approver: Any, note: str = "") -> None:
    request = OverrideRequest.objects.select_for_update().select_related("case").get(
        pk=request.pk
    )
    _pending(request, approver)
    request.status = OverrideStatus.REJECTED
    request.reviewed_by = approver
    request.reviewed_at = timezone.now()
    request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    request.case.queue_role = ""
    request.case.save(update_fields=["queue_role", "updated_at"])


@transaction.atomic
def case_withdraw(*, case: Case, actor: Any = None, note: str = "") -> Case:
    """The applicant (or staff for them) takes back an application not yet decided."""
    case.queue_role = ""
    _move(case, CaseStatus.WITHDRAWN, actor=actor, note=note)
    return case


@transaction.atomic
def case_close(*, case: Case, actor: Any = None, note: str = "") -> Case:
    if case.status == CaseStatus.APPEALED and case.appeals.filter(
        status__in=OPEN_STATUSES
    ).exists():
        raise _error(MSG_APPEAL_OPEN, "appeal_open")
    case.queue_role = ""
    _move(case, CaseStatus.CLOSED, actor=actor, note=note)
    return case


# --- Appeals --------------------------------------------------------------------------------


@transaction.atomic
def case_appeal(
    *,
    case: Case,
    appellant: Person | str | int,
    grounds: str,
    channel: str = IntakeChannel.PORTAL,
    actor: Any = None,
) -> Case:
    """Lodge an appeal against a decided case: a new linked case, for someone else to decide."""
    person = _person(appellant)
    if case.kind == CaseKind.APPEAL:
        raise _error(MSG_APPEAL_OF_APPEAL, "appeal_of_appeal")
    check_transition(case.status, CaseStatus.APPEALED)
    today = timezone.localdate()
    if person.pk != case.applicant_id and not _is_member(person, case.household, today):
        raise _error(MSG_APPELLANT, "not_appellant")
    if not grounds.strip():
        raise _error(MSG_GROUNDS_REQUIRED, "grounds_required")
    assert case.decided_at is not None
    decided_on = timezone.localdate(case.decided_at)
    deadline = appeal_deadline(decided_on=decided_on, country=case.service.country)
    if today > deadline:
        raise _error(MSG_APPEAL_LATE, "appeal_late", deadline=deadline.isoformat())
    appeal = Case.objects.create(
        kind=CaseKind.APPEAL, service=case.service, applicant=person, household=case.household,
        beneficiary_id=case.beneficiary_or_applicant_id, channel=channel, period=case.period,
        status=CaseStatus.SUBMITTED,
        centre_id=case.centre_id, queue_role=QueueRole.APPEALS, appeal_of=case,
        grounds=grounds, notify_channels=_notify_channels(person, None),
        submitted_by=actor if getattr(actor, "pk", None) else None,
        submitted_on=today, due_on=appeal_due_on(lodged_on=today, country=case.service.country),
    )
    _record(appeal, "", CaseStatus.SUBMITTED, actor=actor, note=grounds)
    case.queue_role = ""
    _move(case, CaseStatus.APPEALED, actor=actor, note=grounds)
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    appeal: Case,
    officer: Any,
    outcome: str,
    reasons: Sequence[str] = (),
    note: str = "",
    amount: Decimal | None = None,
) -> Decision:
    """Decide an appeal; the decider must not be who decided (or approved) the original."""
    _require_perm(officer, "cases.decide_appeal", ACTION_APPEAL)
    if appeal.kind != CaseKind.APPEAL or appeal.appeal_of is None:
        raise _error(MSG_NOT_AN_APPEAL, "not_an_appeal")
    original = appeal.appeal_of
    previous = _current_decision(original)
    deciders = {previous.decided_by_id, previous.approved_by_id} if previous else set()
    if officer.pk in deciders:
        raise _error(MSG_SAME_DECIDER, "same_decider")
    check_transition(appeal.status, CaseStatus.DECIDED)
    _check_reasons(appeal.service, outcome, reasons)
    _check_amount(amount)
    decision = _replace_decision(
        appeal, basis=DecisionBasis.APPEAL, outcome=outcome, amount=amount,
        currency=appeal.service.currency if amount is not None else "",
        reasons=reasons_for(appeal.service, reasons), note=note, period=appeal.period,
        decided_by=officer,
    )
    appeal.queue_role = ""
    _move(appeal, CaseStatus.DECIDED, actor=officer, note=note)
    # The appeal's decision is now the last word on the matter: the original case is closed.
    original.queue_role = ""
    _move(original, CaseStatus.CLOSED, actor=officer, note=note)
    return decision


# --- Batches of proactive cases ---------------------------------------------------------------


@dataclass(frozen=True)
class DecidedCaseSpec:
    """One case the proactive engine opens: for whom, which service and month."""

    service: Service
    applicant: Person
    household: Household
    period: str
    beneficiary: Person | None = None


@transaction.atomic
def cases_submit_decided_batch(
    *, specs: Sequence[DecidedCaseSpec], channel: str = IntakeChannel.PROACTIVE
) -> list[tuple[Case, Decision] | ValidationError]:
    """Open and decide by the rules many cases of one channel at once; one answer per spec,
    in order: the decided case with its decision, or the ValidationError `case_submit` would
    have raised.

    What each case gets is what `case_submit` + `case_decide_by_rules` give one by one — the same
    checks, the events "submitted" then "decided" (each notified after commit), one current
    decision with its explanation frozen (shape and values) — but the checks read the database
    once for the whole batch and the rows are inserted together. The rules are evaluated per
    case (through the snapshots shared by the caller, see `rules_bridge.snapshots_shared`).
    Only for services decided by the rules and channels that need no documents.
    """
    today = timezone.localdate()
    answers: list[tuple[Case, Decision] | ValidationError | None] = [None] * len(specs)
    pairs = {(s.applicant.pk, s.household.pk) for s in specs} | {
        (s.beneficiary.pk, s.household.pk) for s in specs if s.beneficiary is not None
    }
    members_today: set[tuple[int, int]] = set()
    members_ever: set[tuple[int, int]] = set()
    if pairs:
        rows = Membership.objects.filter(
            person_id__in={p for p, _h in pairs}, household_id__in={h for _p, h in pairs}
        ).values_list("person_id", "household_id", "joined_on", "left_on")
        for person_id, household_id, joined_on, left_on in rows:
            members_ever.add((person_id, household_id))
            if joined_on <= today and (left_on is None or left_on >= today):
                members_today.add((person_id, household_id))
    open_cases = {
        (service_id, household_id): pk
        for pk, service_id, household_id in Case.objects.filter(
            kind=CaseKind.APPLICATION, status__in=OPEN_STATUSES,
            household_id__in={s.household.pk for s in specs},
            service_id__in={s.service.pk for s in specs},
        ).values_list("pk", "service_id", "household_id")
    } if specs else {}
    due: dict[int, dt.date] = {}
    now = timezone.now()
    planned: list[tuple[int, Case, Decision]] = []
    shapes: list[ExplanationShapeData] = []
    checked: list[tuple[int, DecidedCaseSpec]] = []
    for index, spec in enumerate(specs):
        try:
            _decided_case_check(spec, channel, members_today, members_ever, open_cases)
        except ValidationError as error:
            answers[index] = error
            continue
        checked.append((index, spec))
    # The rules for all the checked cases at once (vectorised per service and month).
    results = evaluate_for_cases([
        CaseToDecide(service=spec.service, household_id=spec.household.pk,
                     applicant_id=(spec.beneficiary or spec.applicant).pk, period=spec.period)
        for _index, spec in checked
    ])
    for (index, spec), result in zip(checked, results, strict=True):
        if isinstance(result, ValidationError):
            answers[index] = result
            continue
        case, decision = _decided_rows(spec, channel, today, result)
        shapes.append(result.shape)
        if spec.service.pk not in due:
            due[spec.service.pk] = deadline_for(spec.service, today)
        case.due_on, case.decided_at, decision.decided_at = due[spec.service.pk], now, now
        planned.append((index, case, decision))
    explanation_shapes_store(shapes)
    cases = insert_rows([case for _i, case, _d in planned])
    for (_i, case, decision) in planned:
        decision.case = case
    insert_rows([decision for _i, _c, decision in planned])
    events = insert_rows([
        CaseEvent(case=case, status_from=previous, status_to=target, actor=None, note="")
        for case in cases
        for previous, target in (("", CaseStatus.SUBMITTED),
                                 (CaseStatus.SUBMITTED, CaseStatus.DECIDED))
    ])
    from dost.cases.tasks import case_events_notify

    # One task for the batch's events: queued one by one, each task was a row committed on
    # its own (~9 ms each on PostgreSQL, more than deciding the case).
    event_ids = [event.pk for event in events]
    if event_ids:
        transaction.on_commit(lambda: case_events_notify.enqueue(event_ids))
    for index, case, decision in planned:
        answers[index] = (case, decision)
    return [a for a in answers if a is not None]


def _decided_case_check(
    spec: DecidedCaseSpec, channel: str, members_today: set[tuple[int, int]],
    members_ever: set[tuple[int, int]], open_cases: dict[tuple[int, int], int],
) -> None:
    """Raise the ValidationError `case_submit` would raise for this spec before the rules."""
    service, person, home = spec.service, spec.applicant, spec.household
    for_whom = spec.beneficiary or person
    if not service.rule_outputs:
        raise _error(MSG_STAFF_DECIDES, "staff_decides", service=service.code)
    if channel not in service.intake_channels:
        raise _error(
            MSG_CHANNEL_NOT_OFFERED, "channel_not_offered", service=service.code,
            channel=IntakeChannel(channel).label, offered=", ".join(service.intake_channels),
        )
    try:
        parse_period(spec.period)
    except SnapshotPeriodError:
        raise _error(MSG_BAD_PERIOD, "bad_period") from None
    if (person.pk, home.pk) not in members_today:
        raise _error(
            MSG_NOT_A_MEMBER, "not_a_member", person=person.full_name, household=home.reference
        )
    if for_whom.pk != person.pk and (for_whom.pk, home.pk) not in members_ever:
        raise _error(
            MSG_BENEFICIARY_NOT_A_MEMBER, "beneficiary_not_a_member",
            person=for_whom.full_name, household=home.reference,
        )
    _check_documents(service, channel, {})
    if (service.pk, home.pk) in open_cases:
        raise _error(
            MSG_DUPLICATE, "duplicate", household=home.reference, service=service.code,
            reference=f"C-{open_cases[(service.pk, home.pk)]:08d}",
        )


def _decided_rows(
    spec: DecidedCaseSpec, channel: str, today: dt.date, result: RulesOutcome
) -> tuple[Case, Decision]:
    """The case and decision rows of one checked spec and its rules outcome (unsaved)."""
    service, person, home = spec.service, spec.applicant, spec.household
    for_whom = spec.beneficiary or person
    case = Case(
        kind=CaseKind.APPLICATION, service=service, applicant=person, household=home,
        beneficiary=for_whom, channel=channel, period=spec.period, status=CaseStatus.DECIDED,
        queue_role="", notify_channels=_default_notify_channels(person), submitted_on=today,
    )
    decision = Decision(
        basis=DecisionBasis.RULES,
        outcome=Outcome.APPROVED if result.approved else Outcome.REFUSED,
        amount=result.amount, currency=result.currency if result.amount is not None else "",
        reasons=reasons_for(service, result.reason_codes), period=spec.period,
        **_rules_fields(result),
    )
    return case, decision
