"""An analyst runs a simulation and a supervisor opens the dashboards, in a real browser
(Playwright driving Debian's Chromium), in every language, with axe on every page.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext

from dost.tests.browser import (
    CHROMIUM,
    assert_accessible,
    new_page,
)

from .conftest import PASSWORD, Registry

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed"),
    pytest.mark.urls("dost.backoffice.analysis.tests.urls"),
]
LANGUAGES = ["en", "az", "uz", "ru"]


def sign_in(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()


def speaking(browser: Any, base: str, language: str) -> tuple[Any, list[str]]:
    """A new tab whose language cookie is set, as the language switch leaves it."""
    page, problems = new_page(browser)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                               "url": base}])
    return page, problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_lets_an_analyst_simulate_and_a_supervisor_read_the_dashboards(
    browser: Any, live_server: Any, registry: Registry, analyst: User, supervisor: User,
    language: str,
) -> None:
    def t(text: str) -> str:
        with translation.override(language):
            return gettext(text)

    base = live_server.url
    page, problems = speaking(browser, base, language)
    sign_in(page, base, analyst.username, "/backoffice/analysis/")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    page.get_by_role("link", name=t("Policy simulation")).click()
    assert page.locator("h1").inner_text() == t("Which benefit do you want to simulate?")
    benefit = page.locator("#id_benefit option[value*='tssa_amount']").get_attribute("value")
    page.locator("#id_benefit").select_option(benefit)
    page.locator("main form button[type=submit]").click()
    assert_accessible(page)

    # A mistake first: the error summary links to the field.
    field = "#id_p-tssa-need_criterion"
    run = page.get_by_role("button", name=t("Run the simulation"))
    page.locator(field).fill("three hundred")
    run.click()
    summary = page.locator(".error-summary")
    assert summary.get_by_role("link").count() == 1
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == field[1:]

    page.locator(field).fill("350")
    run.click()
    assert page.locator("h1").inner_text() == t("Simulation results")
    totals = page.locator("#totals tbody tr").first.inner_text()
    with translation.override(language):  # decimals as the language writes them (150,00)
        expected = [number_format(Decimal(v), 2) for v in ("150.00", "430.00", "280.00")]
    assert re.split(r"\s+", totals.strip())[-3:] == expected
    assert f"{t('Newly eligible')}\t1" in page.locator("#categories").inner_text()
    assert_accessible(page)

    # The supervisor: dashboards yes, simulation no.
    other, other_problems = speaking(browser, base, language)
    sign_in(other, base, supervisor.username, "/backoffice/analysis/")
    assert other.get_by_role("link", name=t("Policy simulation")).count() == 0
    other.get_by_role("link", name=t("Management dashboards")).click()
    assert other.locator("h1").inner_text() == t("Management dashboards")
    assert other.locator("svg[role=img]").count() == 5
    assert_accessible(other)
    other.locator("#id_start").fill("2026-13")
    other.get_by_role("button", name=t("Show")).click()
    summary_text = other.locator(".error-summary").inner_text()
    assert t("Enter the month as YYYY-MM, for example 2026-03.") in summary_text
    assert_accessible(other)
    assert problems == other_problems == []
    response = other.goto(f"{base}/backoffice/analysis/simulation/")
    assert response is not None and response.status == 403
