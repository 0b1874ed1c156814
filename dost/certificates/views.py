"""Certificate views: the citizen's own, staff issuing for a person, and public verification."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from dost.certificates import selectors, services
from dost.certificates.forms import (
    MSG_NO_PERSON,
    CheckFileForm,
    IssueForm,
    LookupForm,
    StaffIssueForm,
)
from dost.certificates.models import Certificate
from dost.certificates.rendering import printable
from dost.registry.models import Person
from dost.security.access import citizen_required, public, staff_required

T = "certificates/"


def _verify_url(request: HttpRequest) -> Any:
    return lambda code: request.build_absolute_uri(reverse("certificates:verify", args=[code]))


def _pdf(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    name = f"certificate-{certificate.kind}-{certificate.issued_at:%Y%m%d}-{certificate.code[:8]}"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _person(request: HttpRequest) -> Person:
    return request.user.citizen_link.person  # type: ignore[union-attr]


def _language() -> str:
    return (get_language() or "en").split("-")[0]


@citizen_required
@require_http_methods(["GET", "POST"])
def mine(request: HttpRequest) -> HttpResponseBase:
    person = _person(request)
    form = IssueForm(request.POST or None, initial={"language": _language()})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_issue(
                person=person, kind=form.cleaned_data["kind"],
                language=form.cleaned_data["language"], verify_url=_verify_url(request),
            )
        except ValidationError as error:
            form.add_error("kind", error)
        else:
            return redirect("certificates:detail", code=certificate.code)
    return render(request, T + "mine.html", {
        "form": form, "certificates": selectors.certificates_of(person=person),
    })


@citizen_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    certificate = selectors.certificate_get_for_citizen(person=_person(request), code=code)
    return render(request, T + "detail.html", {"certificate": certificate})


@citizen_required
@require_GET
def download(request: HttpRequest, code: str) -> HttpResponse:
    return _pdf(selectors.certificate_get_for_citizen(person=_person(request), code=code))


@staff_required("certificates.issue_certificate")
@require_http_methods(["GET", "POST"])
def staff_issue(request: HttpRequest) -> HttpResponseBase:
    form = StaffIssueForm(request.POST or None, initial={"language": _language()})
    if request.method == "POST" and form.is_valid():
        person = Person.objects.filter(
            personal_id=form.cleaned_data["personal_id"].strip().upper()
        ).first()
        if person is None:
            form.add_error("personal_id", MSG_NO_PERSON)
        else:
            try:
                certificate = services.certificate_issue(
                    person=person, kind=form.cleaned_data["kind"],
                    language=form.cleaned_data["language"], verify_url=_verify_url(request),
                    staff_user=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as error:
                form.add_error("kind", error)
            else:
                return _pdf(certificate)
    return render(request, T + "staff_issue.html", {"form": form})


@public
@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponseBase:
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("certificates:verify", code=form.cleaned_data["code"].strip())
    return render(request, T + "verify_lookup.html", {"form": form})


@public
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = selectors.certificate_get_public(code=code)
    form = CheckFileForm(request.POST or None, request.FILES or None)
    unchanged: bool | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        unchanged = services.certificate_matches(certificate=certificate, data=upload.read())
    language = _language()
    facts = selectors.public_facts(certificate)
    return render(request, T + "verify.html", {
        "certificate": certificate, "facts": printable(facts, language), "form": form,
        "unchanged": unchanged,
    })
