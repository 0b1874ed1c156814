"""Errors in one shape: RFC 9457 problem details, `application/problem+json`, for every 4xx/5xx.

`type` is `about:blank` when the HTTP status says it all, else a `urn:dost:problem:<code>` the
integrator can branch on; validation problems list each field in `errors`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
MSG_VALIDATION = _("The request is not valid; `errors` lists each problem.")
MSG_NOT_FOUND = _("Nothing is at this address.")
MSG_UNAUTHENTICATED = _("Send a valid API key: `Authorization: Bearer <key>`.")
MSG_SERVER_ERROR = _("Something went wrong on our side; the error is logged.")


class ProblemError(HttpError):
    """An error with a code integrators can rely on (`urn:dost:problem:<code>`)."""

    def __init__(self, status: int, code: str, detail: Any, **extra: Any) -> None:
        super().__init__(status, str(detail))
        self.code = code
        self.extra = extra


def problem_response(
    request: HttpRequest, status: int, *, detail: Any = "", code: str = "", **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"urn:dost:problem:{code}" if code else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "instance": request.path,
    }
    body.update(extra)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str), status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    if status == HTTPStatus.TOO_MANY_REQUESTS and "retry_after" in extra:
        response["Retry-After"] = str(extra["retry_after"])
    return response


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    # Ninja nests the body under "body.body" and pydantic names its validator wrappers in the
    # path; neither means anything to an integrator.
    parts = [str(p) for p in loc if not str(p).startswith("function-")]
    if parts[:2] == ["body", "body"]:
        parts = parts[1:]
    return ".".join(parts)


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Pydantic's own dicts carry the offending input and the exception object; keep what an
    # integrator needs to find and fix the field.
    return [
        {
            "location": _location(error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "code": str(error.get("type", "")),
        }
        for error in errors
    ]


def _on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request, 422, detail=MSG_VALIDATION, code="validation", errors=_field_errors(exc.errors)
    )


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ProblemError):
        return problem_response(request, exc.status_code, detail=exc.message, code=exc.code,
                                **exc.extra)
    if isinstance(exc, AuthenticationError):
        response = problem_response(request, 401, detail=MSG_UNAUTHENTICATED)
        response["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, Throttled):
        return problem_response(request, 429, detail=exc.message, retry_after=exc.wait or 60)
    return problem_response(request, exc.status_code, detail=exc.message)


def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(
        request, 422, detail=" ".join(exc.messages), code=str(exc.code or "invalid")
    )


def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, detail=str(exc) or MSG_NOT_FOUND)


def _on_permission(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(request, 403, detail=str(exc))


def _on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s", request.path, exc_info=exc)
    return problem_response(request, 500, detail=MSG_SERVER_ERROR)


def problem_handlers_install(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (Exception, _on_exception),
        (DjangoValidationError, _on_django_validation),
        (PermissionDenied, _on_permission),
        (Http404, _on_not_found),
        (HttpError, _on_http_error),
        (ValidationError, _on_validation),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
