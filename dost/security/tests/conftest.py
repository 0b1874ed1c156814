"""Security tests run with the staff second factor ON (the settings' default)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from dost.security.testing import axes_reset


@pytest.fixture(autouse=True)
def _second_factor_on(settings: Any) -> None:
    settings.DOST_STAFF_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _axes_fresh(db: None) -> Iterator[None]:
    axes_reset()
    yield
    axes_reset()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield
