"""Staff sign-in: password, then TOTP (enrolment at the first sign-in); lock-out after repeated
failures; staff sessions end with the browser; the admin is behind the second factor too."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from dost.security.roles import Role
from dost.security.testing import PASSWORD, client_login_verified, staff_user, totp_now

pytestmark = pytest.mark.django_db

AUDIT = "/audit/"


def sign_in(client: Client, user: User, password: str = PASSWORD, next_url: str = AUDIT) -> str:
    response = client.post(f"{reverse('security:login')}?next={next_url}",
                           {"username": user.username, "password": password, "next": next_url})
    return str(response.get("Location", str(response.status_code)))


def test_it_asks_for_the_code_after_the_password_and_then_opens_the_page() -> None:
    auditor = staff_user(Role.AUDITOR)
    client = Client()
    location = sign_in(client, auditor)
    assert location.startswith(reverse("security:otp_verify"))
    # Signed in with a password only: staff pages still send to the code.
    assert client.get(AUDIT)["Location"].startswith(reverse("security:otp_verify"))
    wrong = client.post(location, {"token": "000000", "next": AUDIT})
    assert wrong.status_code == 200 and "The code is wrong" in wrong.content.decode()
    time.sleep(1.1)  # django-otp throttles: after a failure, the next try waits a second
    right = client.post(location, {"token": totp_now(auditor), "next": AUDIT})
    assert right["Location"] == AUDIT
    assert client.get(AUDIT).status_code == 200


def test_it_refuses_a_code_used_once_already() -> None:
    auditor = staff_user(Role.AUDITOR)
    code = totp_now(auditor)
    first, second = Client(), Client()
    sign_in(first, auditor)
    assert first.post(reverse("security:otp_verify"), {"token": code})["Location"] == "/"
    sign_in(second, auditor)
    replay = second.post(reverse("security:otp_verify"), {"token": code})
    assert replay.status_code == 200
    assert second.get(AUDIT).status_code == 302


def test_it_enrols_a_device_at_the_first_sign_in() -> None:
    auditor = staff_user(Role.AUDITOR)
    TOTPDevice.objects.filter(user=auditor).delete()
    client = Client()
    location = sign_in(client, auditor)
    assert location.startswith(reverse("security:otp_enrol"))
    page = client.get(location)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=auditor, confirmed=False)
    assert client.post(location, {"token": "123456"}).status_code == 200  # wrong: stays
    time.sleep(1.1)  # the throttle after a failure
    code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    assert client.post(location, {"token": f"{code:06d}", "next": AUDIT})["Location"] == AUDIT
    assert TOTPDevice.objects.get(user=auditor).confirmed
    assert client.get(AUDIT).status_code == 200


def test_it_keeps_the_admin_behind_the_second_factor() -> None:
    admin = staff_user(Role.ADMINISTRATOR)
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/")["Location"].startswith(reverse("security:otp_verify"))
    client_login_verified(client, admin)
    assert client.get("/admin/").status_code == 200


def test_it_ends_staff_sessions_with_the_browser(settings: object) -> None:
    auditor = staff_user(Role.AUDITOR)
    client = Client()
    sign_in(client, auditor)
    assert client.session.get_expire_at_browser_close()
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600  # type: ignore[attr-defined]


def test_it_locks_an_account_out_after_five_failures() -> None:
    auditor = staff_user(Role.AUDITOR)
    client = Client()
    for _ in range(5):
        response = client.post(reverse("security:login"),
                               {"username": auditor.username, "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(reverse("security:login"),
                         {"username": auditor.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_lets_the_password_only_mode_be_chosen_by_setting(settings: object) -> None:
    settings.DOST_STAFF_2FA = False  # type: ignore[attr-defined]
    auditor = staff_user(Role.AUDITOR)
    client = Client()
    assert sign_in(client, auditor) == AUDIT
    assert client.get(AUDIT).status_code == 200
