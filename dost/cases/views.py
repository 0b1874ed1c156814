"""Staff pages: the work queue of a centre and role, and one case with its decision.

Thin views: a form checks the request, one selector or service does the work, a template
renders it. Server-rendered, no JavaScript needed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dost.cases.forms import QueueFilterForm, StaffDecisionForm
from dost.cases.models import Case, CaseStatus
from dost.cases.selectors import (
    STAFF_PERMISSIONS,
    case_decision_current,
    case_decisions,
    case_get_for_user,
    case_timeline,
    user_is_case_staff,
    work_queue,
)
from dost.cases.services import case_assign, case_decide_by_staff
from dost.catalog.models import localized
from dost.security.access import staff_required
from dost.security.selectors import staff_scope

# Any one of the case permissions opens the pages; `user_is_case_staff` checks which.


def _case(request: HttpRequest, case_id: int) -> Case:
    try:
        return case_get_for_user(user=request.user, case_id=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


@require_GET
@staff_required(*STAFF_PERMISSIONS, any_of=True)
def queue_view(request: HttpRequest) -> HttpResponse:
    if not user_is_case_staff(request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET or {"role": "officer"})
    page = None
    if form.is_valid():
        centre = form.cleaned_data["centre"]
        if not staff_scope(request.user).allows_centre(centre.pk if centre else None):
            raise PermissionDenied
        page = work_queue(
            centre=form.cleaned_data["centre"], role=form.cleaned_data["role"],
            after=form.cleaned_data["after"],
        )
    next_after = f"{page.next_after[0].isoformat()}_{page.next_after[1]}" if (
        page and page.next_after
    ) else ""
    return render(request, "cases/queue.html", {
        "form": form, "page": page, "next_after": next_after,
        "centre": form.cleaned_data["centre"].code
        if form.is_valid() and form.cleaned_data["centre"] else "",
        "role": form.cleaned_data.get("role", "") if form.is_valid() else "",
    })


def _grounds(case: Case) -> list[tuple[str, str]]:
    return [
        (str(g.get("code")), localized(g.get("text") or {}))
        for g in case.service.refusal_grounds
    ]


@require_http_methods(["GET", "POST"])
@staff_required(*STAFF_PERMISSIONS, any_of=True)
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    form = StaffDecisionForm(request.POST or None, grounds=_grounds(case))
    if request.method == "POST" and form.is_valid():
        try:
            case_decide_by_staff(
                case=case, officer=request.user, outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"], note=form.cleaned_data["note"],
                amount=form.cleaned_data["amount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("cases:case", case_id=case.pk)
    language = (get_language() or "en").split("-")[0]
    decision = case_decision_current(case=case)
    can_decide = (
        case.status in (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
        and not case.service.rule_outputs and case.kind == "application"
    )
    return render(request, "cases/case.html", {
        "case": case,
        "service_name": localized(case.service.names, language),
        "decision": decision,
        "reasons": [localized(r.get("text") or {}, language) for r in decision.reasons]
        if decision else [],
        "explanation": (decision.explanation_text.get(language)
                        or decision.explanation_text.get("en", "")) if decision else "",
        "history": case_decisions(case=case).filter(is_current=False),
        "timeline": case_timeline(case=case),
        "documents": case.documents.all(),
        "form": form if can_decide else None,
        "can_take": case.status in (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW)
        and case.assignee_id != request.user.pk,
    })


@require_POST
@staff_required("cases.work_case")
def case_take_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id)
    try:
        case_assign(case=case, assignee=request.user, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("cases:case", case_id=case.pk)
