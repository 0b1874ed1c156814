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
