"""Who looked at a person, in a real browser (Playwright driving Debian's Chromium), in every
language, with an axe-core scan of every page.

A case officer opens a citizen's 360° view; an auditor signs in with the TOTP second factor,
searches the access log for the citizen and sees who read what and why; the citizen signs in
to the portal and sees the read on "Who looked at my data", with the role, never the name.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from dost.cases.tests.conftest import head_of, make_household
from dost.security.roles import Role
from dost.security.testing import browser_sign_in, client_login_verified, staff_user
from dost.tests.browser import assert_accessible, needs_chromium

pytestmark = needs_chromium
LANGUAGES = ["en", "az", "uz", "ru"]


def tab(browser: Any, base: str, language: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="en-GB")
    context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    return context, page, problems


def check(page: Any, language: str, heading: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    with translation.override(language):
        expected = gettext(heading)
    assert page.locator("h1").inner_text().strip() == expected, page.url
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_auditor_and_the_citizen_see_who_looked(
    browser: Any,
    live_server: Any,
    language: str,
) -> None:
    citizen = head_of(make_household())
    officer = staff_user(Role.CASE_OFFICER, username="officer-reads")
    reader = client_login_verified(Client(), officer)
    opened = reader.get(f"/backoffice/people/{citizen.pk}/", {"purpose": "case work"})
    assert opened.status_code == 200
    auditor = staff_user(Role.AUDITOR)
    base = live_server.url

    # The auditor searches the access log for the citizen.
    context, page, problems = tab(browser, base, language)
    browser_sign_in(page, base, auditor, next_url="/audit/")
    check(page, language, "Audit log")
    page.locator("#id_personal_id").fill(citizen.personal_id)
    page.locator("main form button[type=submit]").click()
    check(page, language, "Audit log")
    reads = page.locator("table").first.inner_text()
    assert "officer-reads" in reads and "person 360° view" in reads and "case work" in reads
    assert problems == []
    context.close()

    # The citizen sees the officer's read, and the auditor's, by role only.
    context, page, problems = tab(browser, base, language)
    page.goto(f"{base}/portal/login/")
    page.locator("#id_personal_id").fill(citizen.personal_id)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/portal/cabinet/")
    page.locator("main a[href='/audit/me/']").click()  # the cabinet's "My data" link
    page.wait_for_url("**/audit/me/")
    check(page, language, "Who looked at my data")
    mine = page.locator("table").inner_text()
    assert "case officer" in mine and "person 360° view" in mine
    assert "auditors" in mine and "audit log" in mine
    assert "officer-reads" not in mine
    assert problems == []
    context.close()
