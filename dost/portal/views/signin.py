"""The public start page, sign-in (eID, or the demo's local sign-in) and sign-out."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from dost.portal import selectors, services
from dost.portal.forms import DemoSignInForm
from dost.portal.views.common import posted
from dost.security.access import public

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("portal:cabinet")


@public
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/start.html", {
        "signed_in": hasattr(request.user, "citizen_link"),
    })


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """The eID button when OIDC is configured; the demo's local sign-in outside production."""
    if hasattr(request.user, "citizen_link"):
        return HttpResponseRedirect(_next(request))
    demo = bool(settings.DOST_DEMO_CITIZEN_SIGN_IN) and not settings.PRODUCTION
    form = DemoSignInForm(posted(request))
    if request.method == "POST":
        if not demo:
            raise Http404  # no local sign-in in production, whatever the form says
        if form.is_valid():
            try:
                person = services.citizen_person_find(
                    personal_id=form.cleaned_data["personal_id"]
                )
            except ValidationError as error:
                form.add_error("personal_id", error)
            else:
                logout(request)  # a staff session is not carried into a citizen's
                login(request, services.citizen_user_for(person=person), backend=MODEL_BACKEND)
                return HttpResponseRedirect(_next(request))
    return render(request, "portal/login.html", {
        "form": form, "demo": demo, "oidc": settings.DOST_OIDC_ENABLED,
        "demo_citizens": selectors.demo_citizens() if demo else [],
        "next": request.GET.get("next", ""),
    })


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:start")
