"""`/api/v1/…`: every answer logged with its client and purpose, every error a problem."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path

from dost.api.api import api
from dost.api.calls import call_log_insert, call_writes_open, call_writes_pending
from dost.api.problems import PROBLEM_CONTENT_TYPE, problem_response
from dost.api.text import text_problem

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def _logged(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        started = time.perf_counter()
        # The view's audit records wait for the call-log row: one commit for both, below.
        call_writes_open(request)
        query_text = [value for values in request.GET.lists() for value in values[1]]
        unstorable = text_problem([request.path, request.headers.get("X-Purpose", ""),
                                   *request.GET.keys(), *query_text])
        if unstorable:
            response = problem_response(request, 400, detail=unstorable, code="text")
        else:
            response = view(request, *args, **kwargs)
        if response.status_code >= 400 and response.get("Content-Type") != PROBLEM_CONTENT_TYPE:
            # Answers ninja gives before our handlers run (a method not allowed…).
            allow = response.get("Allow")
            response = problem_response(request, response.status_code)
            if allow:
                response["Allow"] = allow
        client = getattr(request, "api_client", None)
        try:
            call_log_insert(
                client_id=client.pk if client is not None else None,
                method=(request.method or "")[:8],
                path=request.path[:300] if not unstorable else "?",
                purpose=request.headers.get("X-Purpose", "")[:200] if not unstorable else "",
                status=response.status_code,
                duration_ms=int((time.perf_counter() - started) * 1000),
                writes=call_writes_pending(request),
            )
        except DatabaseError:
            # Neither the call nor the audit records of a read could be written: the data
            # must not leave unlogged.
            logger.exception("API call log not written for %s", request.path)
            return problem_response(request, 500)
        return response

    return wrapper


def _not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(request, 404)


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    wrapped: list[URLPattern | URLResolver] = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern = URLPattern(pattern.pattern, _logged(pattern.callback), pattern.default_args,
                                 pattern.name)
        wrapped.append(pattern)
    return wrapped


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("v1/", (_wrap(list(_patterns)), _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", _logged(_not_found)),
]
