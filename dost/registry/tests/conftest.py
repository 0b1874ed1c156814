from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _password_only(settings: Any) -> None:
    # The admin tests here are about the registry; the staff TOTP step in front of the admin
    # is tested in dost/security/tests.
    settings.DOST_STAFF_2FA = False
