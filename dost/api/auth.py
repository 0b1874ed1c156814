"""Who is calling: the bearer key's client, its per-minute budget, its scopes and its purpose."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from dost.api.keys import key_check
from dost.api.models import ApiClient
from dost.api.problems import ProblemError

MSG_RATE_LIMITED = _("More than %(limit)s requests this minute; wait and retry.")
MSG_SCOPE_MISSING = _("This key's client does not hold the scope “%(scope)s”.")
MSG_SCOPES_MISSING = _("This key's client holds none of the scopes %(scopes)s.")


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        checked = key_check(token)
        if checked is None:
            return None
        client = checked.client
        request.api_client = client  # type: ignore[attr-defined]
        if checked.over_limit:
            # Counted in the database with the call log, shared by every web process
            # (`dost.api.ratelimit`); this answer is logged but not counted.
            raise ProblemError(
                429, "rate_limited", MSG_RATE_LIMITED % {"limit": client.rate_limit_per_minute},
                retry_after=checked.window_left,
            )
        return client


def client_of(request: HttpRequest) -> ApiClient:
    return cast(ApiClient, request.auth)  # type: ignore[attr-defined]


def require_scope(request: HttpRequest, scope: str) -> ApiClient:
    client = client_of(request)
    if scope not in client.scopes:
        raise ProblemError(403, "scope", MSG_SCOPE_MISSING % {"scope": scope}, scope=scope)
    return client


def has_scope(request: HttpRequest, scope: str) -> bool:
    return scope in client_of(request).scopes


def require_any_scope(request: HttpRequest, *scopes: str) -> ApiClient:
    """For endpoints whose sections each have their own scope: at least one must be held."""
    client = client_of(request)
    if not set(scopes) & set(client.scopes):
        names = ", ".join(f"“{scope}”" for scope in scopes)
        raise ProblemError(403, "scope", MSG_SCOPES_MISSING % {"scopes": names},
                           scopes=list(scopes))
    return client
