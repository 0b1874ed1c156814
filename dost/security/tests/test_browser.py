"""`testing.browser_sign_in` in a real browser: password, then the TOTP code, then the page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dost.security.roles import Role
from dost.security.testing import browser_sign_in, staff_user

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's event loop makes Django refuse plain ORM calls in this thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser.new_context(locale="en-GB").new_page()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_it_signs_staff_in_with_password_and_code(page: Any, live_server: Any) -> None:
    auditor = staff_user(Role.AUDITOR)
    browser_sign_in(page, live_server.url, auditor, next_url="/audit/")
    assert page.url == f"{live_server.url}/audit/"
    assert page.locator("h1").inner_text() == "Audit log"
