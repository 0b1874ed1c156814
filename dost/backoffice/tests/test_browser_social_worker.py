"""A social worker's day in a real browser (Playwright driving Debian's Chromium), in every
language, with an axe-core scan of every page.

Sign in with the password and the TOTP code → the proactive tasks of their region → close one
→ the outreach list of a district → record what came of a contact → open the person's 360°
view. Nothing here needs JavaScript: every step is a link or a form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dost.proactive.models import (
    ActionKind,
    ActionStatus,
    NonTakeUp,
    OutreachContact,
    OutreachOutcome,
    ProactiveAction,
)
from dost.security.roles import Role
from dost.security.testing import browser_sign_in, staff_user
from dost.tests.browser import LanguageTab, assert_accessible, needs_chromium

from .conftest import make_world

pytestmark = needs_chromium
LANGUAGES = ["en", "az", "uz", "ru"]
PERIOD = "2026-03"


class Tab(LanguageTab):
    """The social worker's tab: a refused (403) page is a problem here too."""

    def __init__(self, browser: Any, base: str, language: str) -> None:
        super().__init__(browser, base, language, failing=(403, 404))

    def check(self, heading: str, **values: object) -> None:
        """The page is in the tab's language, has the heading, and passes axe."""
        assert self.page.locator("html").get_attribute("lang") == self.language
        h1 = self.page.locator("h1").inner_text()
        assert h1.startswith(self.t(heading, **values)), (self.page.url, h1)
        assert_accessible(self.page)

    def says(self, message: str) -> None:
        assert self.t(message) in self.page.locator(".notifications").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_social_worker_works_tasks_and_an_outreach_list(
    browser: Any,
    live_server: Any,
    language: str,
    settings: Any,
) -> None:
    settings.DOST_STAFF_2FA = True  # the conftest turns it off; this journey signs in with it
    world = make_world()
    district = world.household.district
    for person in (world.head, world.spouse):
        person.district = district
        person.save(update_fields=["district"])
    task = ProactiveAction.objects.create(
        key="event:1:05-01-01-01:head",
        trigger="birth",
        person=world.head,
        service=world.tssa,
        kind=ActionKind.TASK,
        status=ActionStatus.OPEN,
        note="No income record for 2025.",
    )
    row = NonTakeUp.objects.create(
        period=PERIOD,
        service=world.tssa,
        person=world.spouse,
        household=world.household,
        district=district,
        amount=Decimal("95.00"),
    )
    worker = staff_user(Role.SOCIAL_WORKER, region=district.region)
    base = live_server.url

    tab = Tab(browser, base, language)
    page = tab.page
    browser_sign_in(page, base, worker, next_url="/backoffice/")
    tab.check("Back office")

    # The tasks of the worker's region, and closing one.
    page.locator("main a[href='/backoffice/proactive/tasks/']").click()
    tab.check("Proactive tasks")
    assert "No income record for 2025." in page.locator("table").inner_text()
    page.locator(f"a[href='/backoffice/proactive/tasks/{task.pk}/']").click()
    tab.check("Task %(number)s", number=task.pk)
    page.locator("main form button[type=submit]").click()  # no note: an error
    assert tab.t("Say what you did.") in page.locator(".error-summary").inner_text()
    assert page.locator("#id_resolution").get_attribute("aria-describedby") == (
        "id_resolution_helptext id_resolution_error"
    )
    tab.check("Task %(number)s", number=task.pk)
    page.locator("#id_resolution").fill("Asked the tax office; the income is on record now.")
    page.locator("main form button[type=submit]").click()
    tab.says("The task is closed.")
    tab.check("Proactive tasks")
    task.refresh_from_db()
    assert (task.status, task.resolved_by_id) == (ActionStatus.DONE, worker.pk)

    # The outreach list of the district, and the outcome of a contact.
    page.locator("header a[href='/backoffice/proactive/outreach/']").click()
    tab.check("Outreach lists")
    page.locator("#id_district").select_option(district.code)
    page.locator("form.filter button").click()
    tab.check("Outreach lists")
    assert world.spouse.full_name in page.locator("table").inner_text()
    page.locator(f"a[href='/backoffice/proactive/outreach/{row.pk}/']").click()
    tab.check("Record a contact")
    page.locator("main form button[type=submit]").click()  # no outcome chosen: an error
    assert page.locator(".error-summary a[href='#id_outcome_0']").count() == 1
    tab.check("Record a contact")
    page.locator("#id_outcome_1").check()  # applied
    page.locator("#id_note").fill("Will apply at the centre on Monday.")
    page.locator("main form button[type=submit]").click()
    tab.says("The outcome of the contact is recorded.")
    tab.check("Outreach lists")
    assert tab.t("Applied") in page.locator("table").inner_text()
    assert OutreachContact.objects.get().outcome == OutreachOutcome.APPLIED

    # The person's 360° view, from the list.
    page.get_by_role("link", name=world.spouse.full_name, exact=True).click()
    tab.check("Person 360° view")
    assert world.spouse.personal_id in page.locator("main").inner_text()
    assert tab.problems == []
    tab.context.close()
