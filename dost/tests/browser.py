"""What every browser test shares: Debian's Chromium under Playwright, and the axe check.

Its fixtures (`browser`) are registered for every test by `-p dost.tests.browser` in pyproject;
import the helpers. Never `playwright install`: the set-up installs Debian's Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def _sync_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API runs an event loop in this thread, which makes Django refuse ORM
    # calls as "async unsafe"; the test's ORM calls are plain synchronous ones.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_sync_orm_beside_playwright: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def assert_accessible(page: Any) -> None:
    """axe-core on the page as it stands: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], (page.url, serious)


def new_page(browser: Any, locale: str = "en-GB") -> tuple[Any, list[str]]:
    """A fresh context and page, and the list its console errors and page errors go to."""
    context = browser.new_context(locale=locale)
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation (an inline script or style slipping in) shows up as a console error.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


class LanguageTab:
    """A staff member's or citizen's browser tab in one language (the language cookie set, as
    the switch leaves it), collecting what must never happen on the way: console errors (a CSP
    violation shows up as one), page errors, and answers with a status in `failing`. A form
    sent back with errors answers 400 on purpose; Chromium logs that too, and it is no problem.
    """

    def __init__(self, browser: Any, base: str, language: str, *,
                 failing: tuple[int, ...] = (404,), accept_downloads: bool = False) -> None:
        from django.conf import settings

        self.base, self.language = base, language
        self.context = browser.new_context(locale="en-GB", accept_downloads=accept_downloads)
        self.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text)
                     if m.type == "error" and "status of 400" not in m.text else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}")
                     if r.status in failing or r.status >= 500 else None)

    def t(self, text: str, **values: object) -> str:
        """`text` in the tab's language, with %(name)s values filled in."""
        from django.utils import translation
        from django.utils.translation import gettext

        with translation.override(self.language):
            return gettext(text) % values if values else gettext(text)
