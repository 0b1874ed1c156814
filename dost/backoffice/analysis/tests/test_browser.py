"""An analyst runs a simulation and a supervisor opens the dashboards, in a real browser
(Playwright driving Debian's Chromium), in English and in Russian, with axe on every page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

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


def sign_in(page: Any, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_it_lets_an_analyst_simulate_and_a_supervisor_read_the_dashboards(
    browser: Any, live_server: Any, registry: Registry, analyst: User, supervisor: User,
) -> None:
    base = live_server.url
    page, problems = new_page(browser)
    sign_in(page, base, analyst.username, "/backoffice/analysis/")
    assert_accessible(page)
    page.get_by_role("link", name="Policy simulation").click()
    page.get_by_label("Benefit").select_option(label="TSSA amount")
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "TSSA amount"
    assert_accessible(page)

    # A mistake first: the error summary links to the field.
    page.get_by_label("Need criterion (AZN)").fill("three hundred")
    page.get_by_role("button", name="Run the simulation").click()
    summary = page.locator(".error-summary")
    assert "Need criterion (AZN) must be a number" in summary.inner_text()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_p-tssa-need_criterion"

    page.get_by_label("Need criterion (AZN)").fill("350")
    page.get_by_role("button", name="Run the simulation").click()
    assert page.locator("h1").inner_text() == "Simulation results"
    totals = page.locator("#totals tbody tr").first.inner_text()
    assert re.split(r"\s+", totals.strip())[-3:] == ["150.00", "430.00", "280.00"]
    assert "Newly eligible\t1" in page.locator("#categories").inner_text()
    assert_accessible(page)

    # The same page in Russian.
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("h1").inner_text() == "Результаты моделирования"
    assert "Впервые получат право\t1" in page.locator("#categories").inner_text()
    assert_accessible(page)

    # The supervisor: dashboards yes, simulation no.
    other, other_problems = new_page(browser)
    sign_in(other, base, supervisor.username, "/backoffice/analysis/")
    assert other.get_by_role("link", name="Policy simulation").count() == 0
    other.get_by_role("link", name="Management dashboards").click()
    assert other.locator("svg[role=img]").count() == 5
    assert_accessible(other)
    other.get_by_label("From month").fill("2026-13")
    other.get_by_role("button", name="Show").click()
    assert "Enter the month as YYYY-MM" in other.locator(".error-summary").inner_text()
    assert_accessible(other)
    other.get_by_label("Language").select_option("ru")
    other.get_by_role("button", name="Change").click()
    assert other.locator("h1").inner_text() == "Управленческие панели"
    assert_accessible(other)
    assert problems == other_problems == []
    response = other.goto(f"{base}/backoffice/analysis/simulation/")
    assert response is not None and response.status == 403
