"""Staff TOTP (django-otp): who must pass it, and where they are sent to do so."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseRedirect
from django_otp import devices_for_user


def staff_2fa_on() -> bool:
    return bool(getattr(settings, "DOST_STAFF_2FA", True))


def needs_second_factor(request: HttpRequest) -> bool:
    """A signed-in staff user whose session has not passed TOTP (while 2FA is on)."""
    user: Any = request.user
    if not staff_2fa_on() or not user.is_authenticated or not user.is_staff:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def has_device(user: Any) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def second_factor_redirect(request: HttpRequest) -> HttpResponseRedirect:
    """To the TOTP check, or to enrolment for a user with no device yet; back here after."""
    target = "security:otp_verify" if has_device(request.user) else "security:otp_enrol"
    return redirect_to_login(request.get_full_path(), target)
