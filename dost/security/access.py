"""Access rules for views: every view says who may open it, and the rule travels with the view.

`public`, `citizen_required` and `staff_required(...)` wrap a view and leave an `Access` on it,
so the permission matrix (docs/security.md and its test) is read from the URL configuration
itself: a route without a rule is a test failure, not a silent hole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from dost.security.second_factor import needs_second_factor, second_factor_redirect

View = Callable[..., HttpResponseBase]
AccessKind = Literal["public", "citizen", "staff", "api"]


@dataclass(frozen=True)
class Access:
    kind: AccessKind
    permissions: tuple[str, ...] = ()
    # False only for the second-factor pages themselves, which an unverified session must reach.
    second_factor: bool = True
    # True: any one of `permissions` opens the view (a page shared by several roles).
    any_of: bool = False


def _mark(view: View, access: Access) -> View:
    view.dost_access = access  # type: ignore[attr-defined]
    return view


def access_of(view: Any) -> Access | None:
    """The rule a view declares, looking through decorators that keep `__wrapped__`."""
    while view is not None:
        access = getattr(view, "dost_access", None)
        if access is not None:
            return access  # type: ignore[no-any-return]
        view = getattr(view, "__wrapped__", None)
    return None


def public(view: View) -> View:
    """Anyone, signed in or not (the screener, the board, certificate verification)."""
    return _mark(view, Access("public"))


def citizen_required(view: View) -> View:
    """A signed-in citizen linked to a person of the registry (see `CitizenLink`)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.DOST_CITIZEN_LOGIN_URL)
        if not hasattr(user, "citizen_link"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _mark(wrapper, Access("citizen"))


def staff_required(
    *permissions: str, any_of: bool = False, login_url: str | None = None,
) -> Callable[[View], View]:
    """A signed-in staff user holding every permission named ("app_label.codename") — or, with
    `any_of=True`, at least one — whose session has passed the TOTP second factor (unless
    DOST_STAFF_2FA is off).

    `login_url`: a page's own staff sign-in (the centres have one); default the staff login.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(),
                                         login_url or settings.DOST_STAFF_LOGIN_URL)
            held = (any(user.has_perm(p) for p in permissions) if any_of and permissions
                    else user.has_perms(permissions))
            if not getattr(user, "is_staff", False) or not held:
                raise PermissionDenied
            if needs_second_factor(request):
                return second_factor_redirect(request)
            return view(request, *args, **kwargs)

        return _mark(wrapper, Access("staff", tuple(permissions), any_of=any_of))

    return decorator


def staff_second_factor_step(view: View) -> View:
    """The TOTP check and enrolment pages: a signed-in staff user whose session may not have
    passed the second factor yet (that is what these pages are for)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.DOST_STAFF_LOGIN_URL)
        if not getattr(user, "is_staff", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _mark(wrapper, Access("staff", (), second_factor=False))
