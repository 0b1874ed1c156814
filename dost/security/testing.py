"""Helpers for tests that sign staff in, with the TOTP second factor on (stable API).

    from dost.security.testing import staff_user, client_login_verified, browser_sign_in

    user = staff_user(Role.CASE_OFFICER, centre=centre)     # in the group, staff, a TOTP device
    client_login_verified(client, user)                     # Django test client: signed in + 2FA
    browser_sign_in(page, live_server.url, user)            # Playwright: password, then the code

Every user made here has the password PASSWORD and one confirmed TOTP device; `totp_now(user)`
gives the code it accepts now. Axes counts failed sign-ins: call `axes_reset()` between tests
that fail on purpose (the `axes_clean` fixture below does it for you).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dost.security.roles import STAFF_ROLES, Role

PASSWORD = "staff-pass-not-secret-2026"  # noqa: S105 (test users only)


def staff_user(
    role: Role | str, *, centre: Any = None, region: Any = None, username: str | None = None,
    password: str = PASSWORD,
) -> User:
    """A staff user in the role's group (synced by migrate), with a confirmed TOTP device.
    `centre`/`region`: a staff assignment (scope); without one, national scope."""
    from dost.security.models import StaffAssignment

    role = Role(role)
    name = username or f"{role.value.replace(' ', '-')}-{User.objects.count() + 1}"
    user = User.objects.create_user(name, password=password, is_staff=role in STAFF_ROLES)
    user.groups.add(Group.objects.get(name=role.value))
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    if centre is not None or region is not None:
        StaffAssignment.objects.create(user=user, centre=centre, region=region)
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache


def device_of(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first() or \
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_now(user: Any, *, offset_steps: int = 0) -> str:
    """The code the user's device accepts now (as an authenticator app would show it)."""
    device = device_of(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def client_login_verified(client: Client, user: Any) -> Client:
    """Signed in and past the second factor, without going through the forms."""
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_of(user).persistent_id
    session.save()
    return client


def browser_sign_in(page: Any, live_server_url: str, user: Any, *,
                    password: str = PASSWORD, next_url: str = "/") -> None:
    """Playwright: the staff sign-in form, then the TOTP form, as a person would.
    English labels: open the page in an en browser context (locale="en-GB")."""
    page.goto(f"{live_server_url}/accounts/login/?next={next_url}")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/2fa/**")
    # A device refuses a code it has already accepted (replay); a test that signs the same
    # user in twice within 30 seconds would be refused, so forget the last accepted step.
    TOTPDevice.objects.filter(pk=device_of(user).pk).update(last_t=-1)
    page.locator("#id_token").fill(totp_now(user))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def axes_reset() -> None:
    from axes.utils import reset

    reset()


@pytest.fixture
def axes_clean(db: None) -> Iterator[None]:
    axes_reset()
    yield
    axes_reset()
