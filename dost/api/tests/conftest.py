"""Shared fixtures of the API tests: clients with keys for a few typical scope sets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from dost.api.keys import client_create, key_issue

FULL_SCOPES = [
    "persons:read", "persons:read:contact", "persons:read:disability", "persons:read:employment",
    "households:read", "persons:search", "events:write", "decisions:evaluate",
    "applications:write", "applications:read", "decisions:read", "subscriptions:write",
    "exports:write", "awards:read", "payments:read",
]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    with translation.override("en"):
        yield


class ApiCaller:
    """A Django test client that sends the key and a purpose with every request."""

    def __init__(self, key: str, purpose: str = "case C-00000001") -> None:
        self.key = key
        self.purpose = purpose
        self.http = Client()

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.key}", "X-Purpose": self.purpose}
        base.update(headers or {})
        return base

    def get(self, url: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.http.get(url, params, headers=self._headers(headers))

    def post(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.http.post(url, body, content_type="application/json",
                              headers=self._headers(headers))


@pytest.fixture
def make_caller(db: None) -> Callable[..., ApiCaller]:
    def make(name: str = "ministry", scopes: list[str] | None = None, **kw: Any) -> ApiCaller:
        client = client_create(
            name=name, sender=name, scopes=FULL_SCOPES if scopes is None else scopes, **kw
        )
        return ApiCaller(key_issue(client=client).key)

    return make


@pytest.fixture
def caller(make_caller: Callable[..., ApiCaller]) -> ApiCaller:
    return make_caller()


@pytest.fixture(autouse=True)
def _password_only(settings: Any) -> None:
    # Not about sign-in: the staff TOTP step in front of the admin is tested in
    # dost/security/tests.
    settings.DOST_STAFF_2FA = False
