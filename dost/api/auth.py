"""Who is calling: the bearer key's client, its per-minute budget, its scopes and its purpose."""

from __future__ import annotations

import time
from typing import cast

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer

from dost.api.keys import key_authenticate
from dost.api.models import ApiClient
from dost.api.problems import ProblemError

MSG_RATE_LIMITED = _("More than %(limit)s requests this minute; wait and retry.")
MSG_SCOPE_MISSING = _("This key's client does not hold the scope “%(scope)s”.")
MSG_SCOPES_MISSING = _("This key's client holds none of the scopes %(scopes)s.")


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = key_authenticate(token)
        if client is None:
            return None
        request.api_client = client  # type: ignore[attr-defined]
        _spend(client)
        return client


def _spend(client: ApiClient) -> None:
    """Fixed one-minute window in the cache; each web process counts alone unless the cache
    is shared (set CACHES to a database or Redis cache in production)."""
    window = int(time.time() // 60)
    key = f"dost-api-rate:{client.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        used = 1
    if used > client.rate_limit_per_minute:
        raise ProblemError(
            429, "rate_limited", MSG_RATE_LIMITED % {"limit": client.rate_limit_per_minute},
            retry_after=60 - int(time.time()) % 60,
        )


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
