"""Applying for a service: question pages generated from the service passport, one thing per
page, then "check your answers" with change links, then the case is opened.

Pages: who it is for (when the household has others), how to tell you about the decision, one
upload page per document the passport asks for. The answers wait in the session, the files in
`Upload` rows with no case yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from dost.cases.services import CONDITIONAL_DOCUMENTS
from dost.catalog.models import IntakeChannel, Service, localized
from dost.catalog.selectors import service_get, services_for_channel
from dost.portal import selectors, services
from dost.portal.forms import BeneficiaryForm, ConfirmForm, NotifyForm, UploadForm
from dost.portal.views.common import Citizen, citizen_of, posted
from dost.proactive.services.assign import period_of
from dost.registry.models import Person
from dost.security.access import citizen_required

# Documents the portal itself provides: filling in these pages is the application form.
PORTAL_PROVIDED = frozenset({"application"})


@dataclass(frozen=True)
class Document:
    code: str
    name: str


def _service(code: str) -> Service:
    try:
        service = service_get(code)
    except Service.DoesNotExist as exc:
        raise Http404 from exc
    if not service.is_active or IntakeChannel.PORTAL not in service.intake_channels:
        raise Http404
    return service


def _documents(service: Service) -> list[Document]:
    return [
        Document(code=str(d["code"]), name=localized(d.get("text") or {}) or str(d["code"]))
        for d in service.documents
        if d.get("code") not in PORTAL_PROVIDED and d.get("code") not in CONDITIONAL_DOCUMENTS
    ]


def _provided(service: Service) -> list[str]:
    return [str(d["code"]) for d in service.documents if d.get("code") in PORTAL_PROVIDED]


def _members(me: Citizen) -> list[Person]:
    if me.household is None:
        return []
    return [m.person for m in selectors.household_members(household=me.household)]


def _steps(service: Service, members: list[Person]) -> list[str]:
    steps = ["for"] if len(members) > 1 else []
    steps.append("notify")
    steps.extend(f"document/{d.code}" for d in _documents(service))
    return steps


def _step_url(service: Service, step: str) -> str:
    return reverse("portal:apply_start", args=[service.code]) + step + "/"


def _answers(request: HttpRequest, service: Service) -> dict[str, Any]:
    return dict(request.session.get(f"portal-apply-{service.pk}", {}))


def _save(request: HttpRequest, service: Service, **values: Any) -> None:
    answers = _answers(request, service)
    answers.update(values)
    request.session[f"portal-apply-{service.pk}"] = answers


def _after(request: HttpRequest, service: Service, steps: list[str], step: str) -> str:
    if request.GET.get("change") == "1":
        return reverse("portal:apply_check", args=[service.code])
    position = steps.index(step) + 1
    if position < len(steps):
        return _step_url(service, steps[position])
    return reverse("portal:apply_check", args=[service.code])


def _back(service: Service, steps: list[str], step: str) -> str:
    position = steps.index(step)
    if position == 0:
        return reverse("portal:apply_start", args=[service.code])
    return _step_url(service, steps[position - 1])


def _context(me: Citizen, service: Service, steps: list[str], step: str,
             **more: Any) -> dict[str, Any]:
    return {"me": me, "service": service, "back": _back(service, steps, step),
            "step_number": steps.index(step) + 1, "step_count": len(steps), **more}


@citizen_required
def services_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/apply_services.html", {
        "services": services_for_channel(IntakeChannel.PORTAL), "tab": "apply",
    })


@citizen_required
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    me = citizen_of(request)
    service = _service(code)
    steps = _steps(service, _members(me))
    return render(request, "portal/apply_start.html", {
        "me": me, "service": service, "documents": _documents(service),
        "first": _step_url(service, steps[0]), "no_household": me.household is None,
    })


@citizen_required
def apply_for(request: HttpRequest, code: str) -> HttpResponse:
    me = citizen_of(request)
    service = _service(code)
    members = _members(me)
    steps = _steps(service, members)
    if "for" not in steps:
        raise Http404
    answers = _answers(request, service)
    form = BeneficiaryForm(
        posted(request), members=members,
        initial={"beneficiary": str(answers.get("beneficiary") or me.person.pk)},
    )
    if request.method == "POST" and form.is_valid():
        _save(request, service, beneficiary=int(form.cleaned_data["beneficiary"]))
        return HttpResponseRedirect(_after(request, service, steps, "for"))
    return render(request, "portal/apply_question.html",
                  _context(me, service, steps, "for", form=form, kind="radios"))


@citizen_required
def apply_notify(request: HttpRequest, code: str) -> HttpResponse:
    me = citizen_of(request)
    service = _service(code)
    steps = _steps(service, _members(me))
    answers = _answers(request, service)
    form = NotifyForm(posted(request), person=me.person,
                      initial={"channels": answers.get("channels") or ["portal"]})
    if request.method == "POST" and form.is_valid():
        _save(request, service, channels=list(form.cleaned_data["channels"]))
        return HttpResponseRedirect(_after(request, service, steps, "notify"))
    return render(request, "portal/apply_question.html",
                  _context(me, service, steps, "notify", form=form, kind="checkboxes"))


@citizen_required
def apply_document(request: HttpRequest, code: str, document: str) -> HttpResponse:
    me = citizen_of(request)
    service = _service(code)
    steps = _steps(service, _members(me))
    step = f"document/{document}"
    if step not in steps:
        raise Http404
    doc = next(d for d in _documents(service) if d.code == document)
    uploaded = selectors.draft_uploads(person=me.person, service_id=service.pk).get(document)
    form = UploadForm(posted(request), request.FILES or None)
    if request.method == "POST":
        if uploaded is not None and not request.FILES and request.POST.get("keep") == "1":
            return HttpResponseRedirect(_after(request, service, steps, step))
        if form.is_valid():
            try:
                services.upload_store(person=me.person, service=service, code=document,
                                      file=form.cleaned_data["file"])
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return HttpResponseRedirect(_after(request, service, steps, step))
    return render(request, "portal/apply_document.html", _context(
        me, service, steps, step, form=form, document=doc, uploaded=uploaded,
        max_size=filesizeformat(services.max_upload_bytes()),
    ))


@citizen_required
def apply_check(request: HttpRequest, code: str) -> HttpResponse:
    me = citizen_of(request)
    service = _service(code)
    members = _members(me)
    steps = _steps(service, members)
    answers = _answers(request, service)
    uploads = selectors.draft_uploads(person=me.person, service_id=service.pk)
    documents = _documents(service)
    # Every question must have an answer: send the citizen to the first one missing.
    for step in steps:
        missing = (
            (step == "for" and not answers.get("beneficiary"))
            or (step == "notify" and not answers.get("channels"))
            or (step.startswith("document/") and step.split("/", 1)[1] not in uploads)
        )
        if missing:
            return HttpResponseRedirect(_step_url(service, step))
    by_id = {p.pk: p for p in members}
    beneficiary = by_id.get(int(answers.get("beneficiary") or me.person.pk), me.person)
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid() and me.household is not None:
        try:
            case = services.application_send(
                user=request.user,  # type: ignore[arg-type]
                person=me.person, household=me.household, service=service,
                period=period_of(timezone.localdate()),
                answers=services.Answers(
                    beneficiary=None if beneficiary.pk == me.person.pk else beneficiary,
                    notify_channels=answers["channels"],
                    uploads={d.code: uploads[d.code] for d in documents},
                    provided=_provided(service),
                ),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            request.session.pop(f"portal-apply-{service.pk}", None)
            return HttpResponseRedirect(reverse("portal:apply_done", args=[case.pk]))
    notify = NotifyForm(person=me.person).fields["channels"]
    labels = dict(notify.choices)  # type: ignore[attr-defined]
    return render(request, "portal/apply_check.html", {
        "me": me, "service": service, "form": form,
        "beneficiary": beneficiary if "for" in steps else None,
        "channels": [labels.get(c, c) for c in answers.get("channels", [])],
        "documents": [(d, uploads[d.code]) for d in documents],
        "change": {s: _step_url(service, s) + "?change=1" for s in steps},
        "back": _step_url(service, steps[-1]),
    })


@citizen_required
def apply_done(request: HttpRequest, case_id: int) -> HttpResponse:
    me = citizen_of(request)
    case = selectors.case_get_for_citizen(
        person=me.person, household=me.household, case_id=case_id
    )
    return render(request, "portal/apply_done.html", {"me": me, "case": case})
