"""A shorter middleware stack for `/api/`: key-authenticated calls skip the browser's.

An API call carries its key in `Authorization`, never a session cookie, so sessions, CSRF,
user authentication, the staff second factor, messages and sign-in throttling have nothing to
do on it; together they cost about a quarter of a person look-up's CPU (docs/performance.md,
API). Everything else in `MIDDLEWARE` still runs, in the same order: the security headers
(`SecurityMiddleware`, the CSP, `X-Frame-Options`), the language of error messages
(`LocaleMiddleware`) and `CommonMiddleware`. A middleware added to the settings later applies
to the API too unless it is named in `BROWSER_ONLY`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

API_PREFIX = "/api/"

# What serves people in a browser (their session and sign-in) and nothing on a keyed call.
BROWSER_ONLY = frozenset(
    {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "dost.security.middleware.StaffSecondFactorMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)


def api_middleware() -> list[str]:
    """The settings' middleware that also runs on `/api/`, in the settings' order."""
    own = f"{__name__}.ApiMiddleware"
    return [path for path in settings.MIDDLEWARE if path not in BROWSER_ONLY and path != own]


class _ApiHandler(BaseHandler):
    """Django's request handling (URL resolution, views, exception middleware) over
    `api_middleware()` instead of the whole list. Synchronous, as the project serves WSGI;
    under ASGI Django runs `ApiMiddleware` in a thread like any sync middleware."""

    chain: Callable[[HttpRequest], HttpResponseBase]

    def load_middleware(self, is_async: bool = False) -> None:
        if is_async:
            raise ImproperlyConfigured("The API's middleware stack is synchronous.")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler: Callable[[HttpRequest], Any] = convert_exception_to_response(
            self._get_response  # type: ignore[attr-defined]
        )
        for path in reversed(api_middleware()):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            # The same hooks, in the same order, as BaseHandler.load_middleware.
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = self.chain = handler


class ApiMiddleware:
    """First in `MIDDLEWARE`: sends `/api/…` through the API's stack, the rest on unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.api = _ApiHandler()
        self.api.load_middleware()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(API_PREFIX):
            return self.api.chain(request)
        return self.get_response(request)
