"""The staff back office: home, person search, person 360° view, work queues, the case screen,
four-eyes approvals, and the social workers' proactive tasks and outreach lists.

Thin views: a form checks the request, one selector or service does the work, a template
renders it. Every read of a person's data writes an audit row (dost.backoffice.services).
Server-rendered; nothing needs JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dost.backoffice import selectors
from dost.backoffice.forms import (
    OutreachContactForm,
    OutreachFilterForm,
    Purpose,
    PurposeForm,
    ReviewForm,
    SearchForm,
    TaskResolveForm,
)
from dost.backoffice.person360 import person_360
from dost.backoffice.search import person_search_by_id, person_search_by_name
from dost.backoffice.services import (
    MSG_TASK_CLOSED,
    WHAT_CASE,
    WHAT_CHANGE_REQUEST,
    WHAT_OUTREACH,
    WHAT_PROACTIVE_TASK,
    WHAT_SEARCH,
    audit_person360,
    audit_read,
    outreach_contact_record,
    proactive_task_resolve,
)
from dost.cases.forms import QueueFilterForm, StaffDecisionForm
from dost.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    DecisionBasis,
    OverrideRequest,
    OverrideStatus,
    QueueRole,
)
from dost.cases.selectors import (
    case_decision_current,
    case_decisions,
    case_get_for_user,
    case_timeline,
    decision_explanation_text,
    work_queue,
)
from dost.cases.services import (
    appeal_decide,
    case_assign,
    case_decide_by_staff,
    case_override_approve,
    case_override_reject,
    case_override_request,
)
from dost.catalog.models import localized
from dost.proactive.models import ActionStatus, NonTakeUp, OutreachOutcome, ProactiveAction
from dost.registry.models import ChangeRequest, EventType, Person
from dost.registry.services.change_requests import change_request_approve, change_request_reject
from dost.security.access import staff_required
from dost.security.selectors import staff_scope

SEARCH = "security.search_person"
PERSON360 = "security.view_person360"
WORK = "cases.work_case"
APPEALS = "cases.decide_appeal"
PROACTIVE = selectors.WORK_PROACTIVE
PAGE_SIZE = 50

MSG_APPROVED = _("Approved.")
MSG_REJECTED = _("Rejected.")
MSG_DECIDED = _("The decision is recorded.")
MSG_TAKEN = _("The case is yours.")
MSG_OVERRIDE_SENT = _("The override is waiting for a second person's approval.")
MSG_TASK_RESOLVED = _("The task is closed.")
MSG_CONTACT_RECORDED = _("The outcome of the contact is recorded.")

# The queues each permission lets a user work.
QUEUE_PERMISSIONS = {
    QueueRole.OFFICER: WORK,
    QueueRole.SUPERVISOR: "cases.approve_override",
    QueueRole.APPEALS: APPEALS,
}


# --- Home and search ------------------------------------------------------------------------


@staff_required()
@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(request, "backoffice/home.html", {
        "can_search": user.has_perm(SEARCH),
        "can_work": user.has_perm(WORK),
        "can_proactive": user.has_perm(PROACTIVE),
        "can_approve": user.has_perm(selectors.OVERRIDE_PERMISSION)
        or user.has_perm(selectors.CHANGE_PERMISSION),
        "centres": selectors.staff_centres(user=user),
    })


@staff_required(SEARCH)
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    result = None
    purpose = ""
    if form.is_valid():
        query, purpose = form.cleaned_data["query"], form.cleaned_data["purpose"]
        result = selectors.search_in_scope(
            user=request.user,
            result=(person_search_by_id(query) if form.is_personal_id
                    else person_search_by_name(query)),
        )
        audit_read(user=request.user, person_ids=[h.person.pk for h in result.hits],
                   what=WHAT_SEARCH, purpose=purpose)
    return render(request, "backoffice/search.html", {
        "form": form, "result": result, "purpose": purpose,
        "can_open": request.user.has_perm(PERSON360),
    })


# --- Person 360° ----------------------------------------------------------------------------


@staff_required(PERSON360)
@require_GET
def person_view(request: HttpRequest, person_id: int) -> HttpResponse:
    form = PurposeForm(request.GET or None)
    if not form.is_valid():
        # Nothing about the person is shown before the reader says why they look.
        return render(request, "backoffice/purpose.html", {"form": form, "person_id": person_id})
    purpose = form.cleaned_data["purpose"]
    # A person outside the reader's scope is as absent as one who does not exist.
    if not selectors.person_in_scope(user=request.user, person_id=person_id):
        raise Http404
    try:
        view = person_360(person_id=person_id)
    except Person.DoesNotExist:
        raise Http404 from None
    audit_person360(user=request.user, person_id=person_id,
                    member_ids=view.other_member_ids, purpose=purpose)
    return render(request, "backoffice/person.html", {
        "view": view, "person": view.person, "purpose": purpose,
        "purpose_label": Purpose(purpose).label,
    })


# --- Work queue and case --------------------------------------------------------------------


def _queue_roles(user: Any) -> list[tuple[str, str]]:
    return [(role.value, str(role.label)) for role, perm in QUEUE_PERMISSIONS.items()
            if user.has_perm(perm)]


@staff_required(WORK)
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    centres = selectors.staff_centres(user=user)
    roles = _queue_roles(user)
    data = request.GET.copy()
    data.setdefault("role", roles[0][0])
    if "centre" not in request.GET and centres:
        data["centre"] = centres[0].code
    form = QueueFilterForm(data)
    form.fields["role"].choices = roles  # type: ignore[attr-defined]
    page, next_after = None, ""
    if form.is_valid():
        queue_centre = form.cleaned_data["centre"]
        # Staff assigned to centres or regions work only their centres' queues.
        if not staff_scope(user).allows_centre(queue_centre.pk if queue_centre else None):
            raise PermissionDenied
        page = work_queue(centre=queue_centre, role=form.cleaned_data["role"],
                          after=form.cleaned_data["after"])
        if page.next_after:
            next_after = f"{page.next_after[0].isoformat()}_{page.next_after[1]}"
    centre = form.cleaned_data.get("centre") if form.is_valid() else None
    return render(request, "backoffice/queue.html", {
        "form": form, "page": page, "next_after": next_after,
        "centre_code": centre.code if centre else "",
        "role": form.cleaned_data.get("role", "") if form.is_valid() else "",
    })


def _case(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_get_for_user(user=request.user, case_id=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


def _grounds(case: Case) -> list[tuple[str, str]]:
    return [(str(g.get("code")), localized(g.get("text") or {}))
            for g in case.service.refusal_grounds]


def _explanation(decision: Any) -> str:
    return decision_explanation_text(decision=decision)


def _case_page(
    request: HttpRequest, case: Case, *, decide_form: StaffDecisionForm | None = None,
    override_form: StaffDecisionForm | None = None, status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    decision = case_decision_current(case=case)
    is_open = case.status in (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
    if case.kind == CaseKind.APPEAL:
        can_decide = is_open and user.has_perm(APPEALS)
    else:
        can_decide = is_open and not case.service.rule_outputs
    pending = case.override_requests.filter(status=OverrideStatus.PENDING).first()
    can_override = (
        decision is not None and decision.basis == DecisionBasis.RULES
        and case.status == CaseStatus.DECIDED and pending is None
    )
    original = case.appeal_of
    original_decision = case_decision_current(case=original) if original else None
    grounds = _grounds(case)
    audit_read(user=user, person_ids=[case.applicant_id, case.beneficiary_or_applicant_id],
               what=WHAT_CASE, purpose=Purpose.CASE.value)
    return render(request, "backoffice/case.html", {
        "case": case,
        "decision": decision,
        "reasons": [localized(r.get("text") or {}) for r in decision.reasons] if decision else [],
        "explanation": _explanation(decision),
        "original_decision": original_decision,
        "original_explanation": _explanation(original_decision),
        "history": case_decisions(case=case).filter(is_current=False),
        "timeline": case_timeline(case=case),
        "documents": case.documents.all(),
        "decide_form": (decide_form or StaffDecisionForm(grounds=grounds)) if can_decide else None,
        "override_form": (override_form
                          or StaffDecisionForm(grounds=grounds, prefix="override"))
        if can_override else None,
        "pending_override": pending,
        "can_take": is_open and case.assignee_id != user.pk,
        "person_purpose": Purpose.CASE.value,
    }, status=status)


@staff_required(WORK)
@require_GET
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_page(request, _case(request, case_id))


@staff_required(WORK)
@require_POST
def case_decide_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = StaffDecisionForm(request.POST, grounds=_grounds(case))
    if form.is_valid():
        fields = {"officer": request.user, "outcome": form.cleaned_data["outcome"],
                  "reasons": form.cleaned_data["reasons"], "note": form.cleaned_data["note"],
                  "amount": form.cleaned_data["amount"]}
        try:
            if case.kind == CaseKind.APPEAL:
                appeal_decide(appeal=case, **fields)
            else:
                case_decide_by_staff(case=case, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, str(MSG_DECIDED))
            return redirect("backoffice:case", case_id=case.pk)
    return _case_page(request, case, decide_form=form, status=400)


@staff_required(WORK)
@require_POST
def case_override_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = StaffDecisionForm(request.POST, grounds=_grounds(case), prefix="override")
    if form.is_valid():
        try:
            case_override_request(
                case=case, officer=request.user, outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"], note=form.cleaned_data["note"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, str(MSG_OVERRIDE_SENT))
            return redirect("backoffice:case", case_id=case.pk)
    return _case_page(request, case, override_form=form, status=400)


@staff_required(WORK)
@require_POST
def case_take_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        case_assign(case=case, assignee=request.user, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(MSG_TAKEN))
    return redirect("backoffice:case", case_id=case.pk)


# --- Four-eyes approvals --------------------------------------------------------------------


def _may_approve(user: Any) -> bool:
    return bool(user.has_perm(selectors.OVERRIDE_PERMISSION)
                or user.has_perm(selectors.CHANGE_PERMISSION))


# Any staff member may open the page; it lists only what the user's permissions let them
# answer (nothing, and says so, for a user who holds neither approval permission).
@staff_required()
@require_GET
def approvals_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    overrides = list(selectors.overrides_to_approve(user=user))
    changes = list(selectors.changes_to_approve(user=user))
    person_ids = [o.case.applicant_id for o in overrides]
    person_ids += [c.person_id for c in changes if c.person_id]
    audit_read(user=user, person_ids=person_ids, what=WHAT_CHANGE_REQUEST,
               purpose=Purpose.CASE.value if overrides else Purpose.CORRECTION.value)
    return render(request, "backoffice/approvals.html", {
        "overrides": overrides, "changes": changes,
        "can_overrides": user.has_perm(selectors.OVERRIDE_PERMISSION),
        "can_changes": user.has_perm(selectors.CHANGE_PERMISSION),
        "may_approve": _may_approve(user),
    })


def _review(
    request: HttpRequest, item: Model, approve: Any, reject: Any
) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for messages_of_field in form.errors.values():
            for message in messages_of_field:
                messages.error(request, str(message))
        return redirect("backoffice:approvals")
    note = form.cleaned_data["note"]
    try:
        if form.cleaned_data["decision"] == "approve":
            approve(item, request.user, note)
            messages.success(request, str(MSG_APPROVED))
        else:
            reject(item, request.user, note)
            messages.success(request, str(MSG_REJECTED))
    except (ValidationError, PermissionDenied) as error:
        texts = error.messages if isinstance(error, ValidationError) else [str(error)]
        for message in texts:
            messages.error(request, message)
    return redirect(reverse("backoffice:approvals"))


@staff_required(selectors.OVERRIDE_PERMISSION)
@require_POST
def override_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.override_get(pk=pk)
    except OverrideRequest.DoesNotExist:
        raise Http404 from None
    return _review(
        request, item,
        lambda r, user, note: case_override_approve(request=r, approver=user),
        lambda r, user, note: case_override_reject(request=r, approver=user, note=note),
    )


@staff_required(selectors.CHANGE_PERMISSION)
@require_POST
def change_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.change_request_get(pk=pk)
    except ChangeRequest.DoesNotExist:
        raise Http404 from None
    return _review(
        request, item,
        lambda r, user, note: change_request_approve(change_request=r, approver=user,
                                                     note=note),
        lambda r, user, note: change_request_reject(change_request=r, approver=user,
                                                    note=note),
    )


# --- Proactive work: tasks and outreach lists -------------------------------------------------

# The triggers the engine records that are no life event type (see dost.proactive.services).
TRIGGER_LABELS = {
    "retirement": _("Retirement age reached"),
    "age_1": _("Child turned 1"),
    "age_18": _("Child turned 18"),
}


def trigger_label(trigger: str) -> str:
    if trigger in EventType.values:
        return str(EventType(trigger).label)
    return str(TRIGGER_LABELS.get(trigger, trigger))


@staff_required(PROACTIVE)
@require_GET
def tasks_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.proactive_tasks(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    audit_read(user=request.user, person_ids=[a.person_id for a in page],
               what=WHAT_PROACTIVE_TASK, purpose=Purpose.ELIGIBILITY.value)
    return render(request, "backoffice/tasks.html", {
        "page": page, "rows": [(a, trigger_label(a.trigger)) for a in page],
    })


@staff_required(PROACTIVE)
@require_http_methods(["GET", "POST"])
def task_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        action = selectors.proactive_task_get(user=request.user, pk=pk)
    except ProactiveAction.DoesNotExist:
        raise Http404 from None
    form = TaskResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if action.status != ActionStatus.OPEN:
            messages.error(request, str(MSG_TASK_CLOSED))
            return redirect("backoffice:task", pk=action.pk)
        if form.is_valid():
            try:
                proactive_task_resolve(action=action, actor=request.user,
                                       note=form.cleaned_data["resolution"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, str(MSG_TASK_RESOLVED))
                return redirect("backoffice:tasks")
        status = 400
    audit_read(user=request.user, person_ids=[action.person_id], what=WHAT_PROACTIVE_TASK,
               purpose=Purpose.ELIGIBILITY.value)
    return render(request, "backoffice/task.html", {
        "action": action, "trigger": trigger_label(action.trigger),
        "form": form if action.status == ActionStatus.OPEN else None,
        "person_purpose": Purpose.ELIGIBILITY.value,
    }, status=status)


def _last_outcome(row: Any) -> str | None:
    return row.last_outcome  # type: ignore[no-any-return]  # the selector's annotation


@staff_required(PROACTIVE)
@require_GET
def outreach_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    latest = selectors.outreach_latest_period()
    data = request.GET.copy()
    if not data.get("period") and latest:
        data["period"] = latest
    form = OutreachFilterForm(data, districts=selectors.outreach_districts(user=user))
    page, rows, query = None, [], ""
    if form.is_valid() and form.cleaned_data["period"]:
        chosen = form.cleaned_data
        found = selectors.outreach_list(
            user=user, period=chosen["period"], district=chosen["district"],
            service=chosen["service"], outcome=chosen["outcome"],
        )
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(r, OutreachOutcome(outcome).label if (outcome := _last_outcome(r)) else "")
                for r in page]
        audit_read(user=user, person_ids=[r.person_id for r, _label in rows],
                   what=WHAT_OUTREACH, purpose=Purpose.ELIGIBILITY.value)
        # The filter again, for the page links and the way back from a contact.
        query = urlencode({k: v for k, v in (
            ("period", chosen["period"]),
            ("district", chosen["district"].code if chosen["district"] else ""),
            ("service", chosen["service"].code if chosen["service"] else ""),
            ("outcome", chosen["outcome"]),
        ) if v})
    return render(request, "backoffice/outreach.html", {
        "form": form, "page": page, "rows": rows, "query": query, "latest": latest,
        "person_purpose": Purpose.ELIGIBILITY.value,
    })


@staff_required(PROACTIVE)
@require_http_methods(["GET", "POST"])
def outreach_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        row = selectors.outreach_row_get(user=request.user, pk=pk)
    except NonTakeUp.DoesNotExist:
        raise Http404 from None
    back = reverse("backoffice:outreach") + "?" + urlencode({
        "period": row.period, "district": row.district.code, "service": row.service.code})
    form = OutreachContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outreach_contact_record(row=row, outcome=form.cleaned_data["outcome"],
                                    note=form.cleaned_data["note"], actor=request.user)
            messages.success(request, str(MSG_CONTACT_RECORDED))
            return redirect(back)
        status = 400
    audit_read(user=request.user, person_ids=[row.person_id], what=WHAT_OUTREACH,
               purpose=Purpose.ELIGIBILITY.value)
    return render(request, "backoffice/outreach_contact.html", {
        "row": row, "form": form, "contacts": selectors.outreach_contacts(row=row),
        "back": back, "person_purpose": Purpose.ELIGIBILITY.value,
    }, status=status)
