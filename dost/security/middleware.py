"""The second factor in front of the Django admin.

Views of the project carry their rule (`access.staff_required` checks the second factor);
the admin has its own checks, so this gate sends a signed-in staff user who has not yet
passed TOTP to the second step before any admin page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

from dost.security.second_factor import needs_second_factor, second_factor_redirect


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        admin_root = reverse("admin:index")
        open_paths = (reverse("admin:login"), reverse("admin:logout"))
        if (
            request.path.startswith(admin_root)
            and request.path not in open_paths
            and needs_second_factor(request)
        ):
            return second_factor_redirect(request)
        return self.get_response(request)
