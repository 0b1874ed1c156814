"""Staff sign-in, the TOTP second factor (check and enrolment), and the privacy pages."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth.views import LoginView, redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dost.registry.models import Person
from dost.registry.snapshot import SnapshotPeriodError
from dost.security.access import staff_required, staff_second_factor_step
from dost.security.forms import MSG_BAD_TOKEN, ExtractForm, PersonExportForm, TokenForm
from dost.security.privacy import extract_bytes, extract_pseudonymised, person_data_export
from dost.security.second_factor import has_device, needs_second_factor

DEVICE_NAME = "authenticator"


class StaffLoginView(LoginView):
    """Password first; staff sessions end when the browser closes; then the second factor."""

    template_name = "security/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if self.request.user.is_staff:
            self.request.session.set_expiry(0)
        if needs_second_factor(self.request):
            target = "security:otp_verify" if has_device(self.request.user) else \
                "security:otp_enrol"
            return redirect_to_login(self.get_success_url(), target)
        return response


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return "/"
    return target


@require_http_methods(["GET", "POST"])
@staff_second_factor_step
def otp_verify(request: HttpRequest) -> HttpResponseBase:
    if not needs_second_factor(request):
        return redirect(_next(request))
    if not has_device(request.user):
        return redirect_to_login(_next(request), "security:otp_enrol")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        for device in devices_for_user(request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next(request))
        form.add_error("token", MSG_BAD_TOKEN)
    return render(request, "security/otp_verify.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
@staff_second_factor_step
def otp_enrol(request: HttpRequest) -> HttpResponseBase:
    """First sign-in: scan the QR code (or type the key), then prove it with one code."""
    if has_device(request.user):
        return redirect_to_login(_next(request), "security:otp_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": DEVICE_NAME})
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", MSG_BAD_TOKEN)
    qr = segno.make(device.config_url, error="m")
    return render(request, "security/otp_enrol.html", {
        "form": form, "next": _next(request),
        # segno writes plain SVG markup (no scripts) from our own URL.
        "qr": mark_safe(qr.svg_inline(scale=4, title=_("Authenticator set-up code"))),  # noqa: S308
        "secret": _base32(device.bin_key),
    })


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


# Privacy ------------------------------------------------------------------------------------

@require_http_methods(["GET"])
@staff_required("security.extract_pseudonymised")
def extract(request: HttpRequest) -> HttpResponse:
    form = ExtractForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            content = extract_bytes(
                extract_pseudonymised(period=data["period"], extract_key=data["extract_key"]),
                fmt=data["fmt"])
        except SnapshotPeriodError as exc:
            form.add_error("period", str(exc))
        else:
            response = HttpResponse(content, content_type="application/zip")
            name = f"dost-extract-{data['period']}-{data['extract_key']}-{data['fmt']}.zip"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(request, "security/extract.html", {"form": form})


@require_http_methods(["GET", "POST"])
@staff_required("security.export_person_data")
def person_export(request: HttpRequest) -> HttpResponse:
    form = PersonExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        personal_id = form.cleaned_data["personal_id"].strip().upper()
        person = Person.objects.filter(personal_id=personal_id).first()
        if person is None:
            form.add_error("personal_id", _("No person has this personal ID."))
        else:
            content = person_data_export(person=person, actor=request.user,
                                         purpose=form.cleaned_data["purpose"])
            response = HttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = (
                f'attachment; filename="dost-person-{person.personal_id}.zip"')
            return response
    return render(request, "security/person_export.html", {"form": form})


