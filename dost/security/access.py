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

View = Callable[..., HttpResponseBase]
AccessKind = Literal["public", "citizen", "staff", "api"]


@dataclass(frozen=True)
class Access:
    kind: AccessKind
    permissions: tuple[str, ...] = ()


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


def staff_required(*permissions: str) -> Callable[[View], View]:
    """A signed-in staff user holding every permission named ("app_label.codename")."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.DOST_STAFF_LOGIN_URL)
            if not getattr(user, "is_staff", False) or not user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, Access("staff", tuple(permissions)))

    return decorator
