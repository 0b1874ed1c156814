"""The citizen's cabinet: household, benefits and payments, applications, offers, inbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from dost.cases.selectors import decision_explanation_text
from dost.catalog.working_days import working_days_between
from dost.portal import selectors, services
from dost.portal.views.common import citizen_of
from dost.proactive.services.assign import offer_accept
from dost.security.access import citizen_required

MSG_OFFER_ACCEPTED = _("You accepted the offer. The payment has been assigned to you.")


@citizen_required
def cabinet(request: HttpRequest) -> HttpResponse:
    me = citizen_of(request)
    offers = selectors.offers_for_citizen(person=me.person, household=me.household)
    return render(request, "portal/cabinet.html", {
        "me": me, "tab": "cabinet",
        "members": selectors.household_members(household=me.household) if me.household else [],
        "offers": [(o, selectors.offer_amount(o)) for o in offers],
        "record": selectors.insurance_record(person=me.person),
        "currency": "AZN" if me.person.country == "az" else "UZS",
        "unread": selectors.inbox_unread(person=me.person),
        "open_cases": [r for r in selectors.case_rows(
            person=me.person, household=me.household, limit=10) if r.case.is_open],
    })


@citizen_required
@require_POST
def offer_take(request: HttpRequest, offer_id: int) -> HttpResponse:
    me = citizen_of(request)
    offer = selectors.offer_get_for_citizen(
        person=me.person, household=me.household, offer_id=offer_id
    )
    try:
        offer_accept(action=offer)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, MSG_OFFER_ACCEPTED)
    return redirect("portal:benefits")


@citizen_required
def benefits(request: HttpRequest) -> HttpResponse:
    me = citizen_of(request)
    return render(request, "portal/benefits.html", {
        "me": me, "tab": "benefits",
        "awards": selectors.awards_for_citizen(person=me.person, household=me.household),
        "payments": selectors.payments_for_citizen(person=me.person, household=me.household),
    })


@citizen_required
def applications(request: HttpRequest) -> HttpResponse:
    me = citizen_of(request)
    return render(request, "portal/applications.html", {
        "me": me, "tab": "applications",
        "rows": selectors.case_rows(person=me.person, household=me.household),
    })


def _plain_words(texts: dict[str, str]) -> str:
    lang = (get_language() or "en").split("-")[0]
    return texts.get(lang) or texts.get("en") or ""


@citizen_required
def application(request: HttpRequest, case_id: int) -> HttpResponse:
    me = citizen_of(request)
    case = selectors.case_get_for_citizen(
        person=me.person, household=me.household, case_id=case_id
    )
    decision = selectors.case_current_decision(case=case)
    reasons = [_plain_words(r.get("text") or {}) or r.get("code") for r in
               (decision.reasons if decision else [])]
    return render(request, "portal/application.html", {
        "me": me, "tab": "applications", "case": case, "decision": decision,
        "reasons": reasons,
        "explanation": decision_explanation_text(decision=decision),
        "days_left": working_days_between(
            timezone.localdate(), case.due_on, case.service.country) if case.is_open else None,
        "uploads": selectors.case_uploads(case=case),
        "sent": request.GET.get("sent") == "1",
    })


@citizen_required
def inbox(request: HttpRequest) -> HttpResponse:
    me = citizen_of(request)
    rows = selectors.inbox(person=me.person)
    services.inbox_mark_read(person=me.person)
    return render(request, "portal/inbox.html", {"me": me, "tab": "inbox", "messages_list": rows})


@citizen_required
def upload_download(request: HttpRequest, upload_id: int) -> FileResponse:
    """The owner's own file, as a download: never rendered inline from the portal's origin."""
    me = citizen_of(request)
    upload = selectors.upload_get_for_citizen(person=me.person, upload_id=upload_id)
    response = FileResponse(
        upload.file.open("rb"), as_attachment=True,
        filename=(upload.file.name or "").rsplit("/", 1)[-1], content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
