"""Staff sign-in, the TOTP second factor (check and enrolment), the privacy pages, and the
administrators' staff pages (roles granted with four eyes, centre and region assignments)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from dost.registry.models import Person
from dost.registry.snapshot import SnapshotPeriodError
from dost.security.access import staff_required, staff_second_factor_step
from dost.security.forms import (
    MSG_BAD_TOKEN,
    ExtractForm,
    GrantDecisionForm,
    PersonExportForm,
    RoleGrantRequestForm,
    StaffAssignmentForm,
    TokenForm,
    role_label,
)
from dost.security.models import RoleGrantRequest
from dost.security.privacy import extract_bytes, extract_pseudonymised, person_data_export
from dost.security.second_factor import has_device, needs_second_factor
from dost.security.services.assignments import staff_assignment_add, staff_assignment_remove
from dost.security.services.roles import role_grant_approve, role_grant_reject, role_grant_request
from dost.security.staff import (
    role_grant_get,
    role_grants_pending,
    role_grants_recent,
    staff_assignment_get,
    staff_user_get,
    staff_users,
)

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




# Staff and roles (administrators) -----------------------------------------------------------

VIEW_STAFF = "security.view_staffassignment"
GRANT = "security.grant_role"
APPROVE_GRANT = "security.approve_role_grant"
ADD_ASSIGNMENT = "security.add_staffassignment"
REMOVE_ASSIGNMENT = "security.delete_staffassignment"

MSG_GRANT_REQUESTED = gettext_lazy(
    "The request is recorded. Another administrator must approve it before it takes effect.")
MSG_GRANT_APPROVED = gettext_lazy("Approved: the change of role has taken effect.")
MSG_GRANT_REJECTED = gettext_lazy("Rejected: nothing changes.")
MSG_ASSIGNMENT_ADDED = gettext_lazy("The assignment is added.")
MSG_ASSIGNMENT_REMOVED = gettext_lazy("The assignment is removed.")
MSG_WHY_OWN_REQUEST = gettext_lazy(
    "You requested this, so you cannot approve it: another administrator must (four eyes).")
MSG_WHY_OWN_ROLE = gettext_lazy("This request is about you: nobody may decide their own role.")
MSG_WHY_NO_APPROVAL = gettext_lazy("You may not approve role grants.")


def _refusals(error: ValidationError | PermissionDenied) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


def _staff_row(user: Any) -> dict[str, Any]:
    return {
        "user": user,
        "roles": sorted(role_label(g.name) for g in user.groups.all()),
        "assignments": list(user.staff_assignments.all()),
    }


@staff_required(VIEW_STAFF)
@require_http_methods(["GET"])
def staff_list_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(request, "security/staff/list.html", {
        "rows": [_staff_row(u) for u in staff_users()],
        "can_request": user.has_perm(GRANT),
        "can_decide": user.has_perm(APPROVE_GRANT),
        "pending": role_grants_pending().count(),
    })


def _staff_user_page(request: HttpRequest, member: Any, form: StaffAssignmentForm | None = None,
                     status: int = 200) -> HttpResponse:
    user: Any = request.user
    return render(request, "security/staff/user.html", {
        "member": member, "row": _staff_row(member),
        "form": form or StaffAssignmentForm(),
        "can_add": user.has_perm(ADD_ASSIGNMENT),
        "can_remove": user.has_perm(REMOVE_ASSIGNMENT),
        "can_request": user.has_perm(GRANT),
    }, status=status)


def _member_or_404(user_id: int) -> Any:
    member = staff_user_get(user_id=user_id)
    if member is None:
        raise Http404
    return member


@staff_required(VIEW_STAFF)
@require_http_methods(["GET"])
def staff_user_view(request: HttpRequest, user_id: int) -> HttpResponse:
    return _staff_user_page(request, _member_or_404(user_id))


@staff_required(VIEW_STAFF, ADD_ASSIGNMENT)
@require_http_methods(["POST"])
def staff_assignment_add_view(request: HttpRequest, user_id: int) -> HttpResponse:
    member = _member_or_404(user_id)
    form = StaffAssignmentForm(request.POST)
    if form.is_valid():
        try:
            staff_assignment_add(user=member, centre=form.cleaned_data["centre"],
                                 region=form.cleaned_data["region"], actor=request.user)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, MSG_ASSIGNMENT_ADDED)
            return redirect("security:staff_user", user_id=member.pk)
    return _staff_user_page(request, member, form, status=400)


@staff_required(VIEW_STAFF, REMOVE_ASSIGNMENT)
@require_http_methods(["POST"])
def staff_assignment_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = staff_assignment_get(pk=pk)
    if assignment is None:
        raise Http404
    member_id = assignment.user_id
    try:
        staff_assignment_remove(assignment=assignment, actor=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, MSG_ASSIGNMENT_REMOVED)
    return redirect("security:staff_user", user_id=member_id)


@staff_required(GRANT)
@require_http_methods(["GET", "POST"])
def role_grant_request_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = RoleGrantRequestForm(request.POST)
    else:
        form = RoleGrantRequestForm(initial={"username": request.GET.get("user", "")[:150]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            role_grant_request(user=data["username"], role=data["role"],
                               requested_by=request.user, reason=data["reason"],
                               revoke=data["change"] == "revoke")
        except (ValidationError, PermissionDenied) as error:
            for message in _refusals(error):
                form.add_error(None, message)
        else:
            messages.success(request, MSG_GRANT_REQUESTED)
            return redirect("security:role_grants")
    return render(request, "security/staff/grant_request.html", {"form": form},
                  status=400 if form.errors else 200)


def _why_not_decide(user: Any, grant: RoleGrantRequest) -> str:
    """Why this user may not decide this request ("" when they may)."""
    if not user.has_perm(APPROVE_GRANT):
        return str(MSG_WHY_NO_APPROVAL)
    if grant.requested_by_id == user.pk:
        return str(MSG_WHY_OWN_REQUEST)
    if grant.user_id == user.pk:
        return str(MSG_WHY_OWN_ROLE)
    return ""


@staff_required(GRANT, APPROVE_GRANT, any_of=True)
@require_http_methods(["GET"])
def role_grants_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pending = [
        {"grant": g, "role": role_label(g.role), "blocked": _why_not_decide(user, g)}
        for g in role_grants_pending()
    ]
    decided = [{"grant": g, "role": role_label(g.role)} for g in role_grants_recent()]
    return render(request, "security/staff/grants.html", {
        "pending": pending, "decided": decided, "can_request": user.has_perm(GRANT),
    })


@staff_required(APPROVE_GRANT)
@require_http_methods(["POST"])
def role_grant_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    grant = role_grant_get(pk=pk)
    if grant is None:
        raise Http404
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect("security:role_grants")
    try:
        if form.cleaned_data["decision"] == "approve":
            role_grant_approve(request=grant, approver=request.user)
            messages.success(request, MSG_GRANT_APPROVED)
        else:
            role_grant_reject(request=grant, approver=request.user)
            messages.success(request, MSG_GRANT_REJECTED)
    except (ValidationError, PermissionDenied) as error:
        for message in _refusals(error):
            messages.error(request, message)
    return redirect("security:role_grants")
