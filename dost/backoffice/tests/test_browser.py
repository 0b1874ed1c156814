"""The back office in a real browser (Playwright driving Debian's Chromium), in every language,
with an axe-core scan of every page.

A case officer signs in, searches a person by a Russian-style spelling, opens the 360° view,
opens a case from the work queue and decides it, then proposes an override of a rules decision;
a supervisor approves the override on the approvals page.
"""

from __future__ import annotations

from typing import Any

import pytest

from dost.cases.models import Decision, DecisionBasis
from dost.tests.browser import LanguageTab, assert_accessible, needs_chromium

from .conftest import PASSWORD, make_world

pytestmark = needs_chromium
LANGUAGES = ["en", "az", "uz", "ru"]


class Visitor(LanguageTab):
    """One staff member's browser tab in one language, with the checks every page gets."""

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/?next=/backoffice/")
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(PASSWORD)
        self.page.locator("main button[type=submit]").click()

    def check(self, heading: str) -> None:
        """The page is in the visitor's language, has the heading, and passes axe."""
        assert self.page.locator("html").get_attribute("lang") == self.language
        assert self.page.locator("h1").inner_text().startswith(self.t(heading)), (
            self.page.url, self.page.locator("h1").inner_text())
        assert_accessible(self.page)

    def says(self, message: str) -> None:
        assert self.t(message) in self.page.locator(".notifications").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_an_officer_and_a_supervisor_work_in_the_back_office(
    browser: Any, live_server: Any, language: str,
) -> None:
    world = make_world()
    base = live_server.url

    officer = Visitor(browser, base, language)
    officer.sign_in("officer")
    page = officer.page
    officer.check("Back office")

    # Search with a Russian-style spelling of an Azerbaijani name.
    page.locator("main a[href='/backoffice/search/']").click()
    officer.check("Search for a person")
    page.locator("main button[type=submit]").click()  # nothing filled in: errors
    summary = page.locator(".error-summary").inner_text()
    assert officer.t("Enter a personal ID or a name.") in summary
    assert_accessible(page)
    page.locator("#id_query").fill("Mamedov Elvin")
    page.locator("#id_purpose_1").check()  # working on an application or appeal
    page.locator("main button[type=submit]").click()
    assert "Məmmədov Elvin" in page.locator("table").inner_text()
    officer.check("Search for a person")

    # The 360° view, and the purpose page that guards it.
    page.get_by_role("link", name="Məmmədov Elvin Rəşad oğlu").click()
    officer.check("Person 360° view")
    assert world.open_case.reference in page.locator("#cases ~ div").first.inner_text()
    page.goto(f"{base}/backoffice/people/{world.spouse.pk}/")
    officer.check("Why are you opening this record?")

    # The work queue, a case, taking and deciding it.
    page.locator("header a[href='/backoffice/queue/']").click()
    officer.check("Work queue")
    page.locator("#id_centre").select_option("baku-1")  # the officer works for no one centre
    page.locator("form.filter button").click()
    officer.check("Work queue")
    page.get_by_role("link", name=world.open_case.reference).click()
    officer.check("Case")
    page.locator(f"form[action='/backoffice/cases/{world.open_case.pk}/take/'] button").click()
    officer.says("The case is yours.")
    page.locator("#id_outcome_0").check()  # approved
    page.locator("#id_note").fill("Documents checked.")
    page.locator(f"form[action='/backoffice/cases/{world.open_case.pk}/decide/'] button").click()
    officer.says("The decision is recorded.")
    assert_accessible(page)

    # An override of the rules' refusal, with the explanation beside the form.
    page.goto(f"{base}/backoffice/cases/{world.rules_case.pk}/")
    assert "300.00" in page.locator("pre.explanation").inner_text()
    page.locator("#id_override-outcome_0").check()
    page.locator("#id_override-amount").fill("60.00")
    page.locator("#id_override-note").fill("The second job ended in March.")
    page.locator(f"form[action='/backoffice/cases/{world.rules_case.pk}/override/'] button").click()
    officer.says("The override is waiting for a second person's approval.")
    officer.check("Case")

    # The supervisor approves it.
    supervisor = Visitor(browser, base, language)
    supervisor.sign_in("supervisor")
    supervisor.page.locator("header a[href='/backoffice/approvals/']").click()
    supervisor.check("Approvals")
    supervisor.page.locator("[data-testid^='override-'][data-testid$='-approve']").click()
    supervisor.says("Approved.")
    supervisor.check("Approvals")
    current = Decision.objects.get(case=world.rules_case, is_current=True)
    assert (current.basis, current.decided_by_id, current.approved_by_id) == (
        DecisionBasis.OVERRIDE, world.officer.pk, world.supervisor.pk)
    assert officer.problems == supervisor.problems == []
    officer.context.close()
    supervisor.context.close()
