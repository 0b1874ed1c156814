"""The administrators' staff pages in a real browser, in every language, with an axe-core scan
of every page: one administrator requests a role for a newcomer and is told why they cannot
approve it; a second administrator approves it, and the newcomer holds the role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from dost.centres.models import Centre
from dost.security.models import GrantStatus, RoleGrantRequest, StaffAssignment
from dost.security.roles import Role
from dost.security.testing import browser_sign_in, staff_user
from dost.security.views import MSG_GRANT_APPROVED, MSG_GRANT_REQUESTED, MSG_WHY_OWN_REQUEST
from dost.tests.browser import LanguageTab, assert_accessible, needs_chromium

pytestmark = needs_chromium
LANGUAGES = ["en", "az", "uz", "ru"]


class Visitor(LanguageTab):
    """One administrator's browser tab in one language, with the checks every page gets."""

    def check(self, heading: str | None) -> None:
        """The page is in the visitor's language, its heading translated, and axe is happy."""
        page = self.page
        assert page.locator("html").get_attribute("lang") == self.language
        if heading is not None:
            assert page.locator("h1").inner_text().startswith(self.t(heading)), page.url
            assert (self.t(heading) == heading) == (self.language == "en"), heading
        assert_accessible(page)

    def says(self, message: str) -> None:
        assert self.t(message) in self.page.locator(".notifications").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_two_administrators_grant_a_role(
    browser: Any,
    live_server: Any,
    language: str,
) -> None:
    first_admin = staff_user(Role.ADMINISTRATOR, username="admin")
    second_admin = staff_user(Role.ADMINISTRATOR, username="admin2")
    newcomer = User.objects.create_user("newcomer", password="x-not-used-2026")
    Centre.objects.create(
        code="baku-1",
        country="az",
        names={
            "en": "Baku centre 1",
            "az": "Bakı 1 saylı mərkəz",
            "uz": "Boku 1-markaz",
            "ru": "Бакинский центр № 1",
        },
    )
    base = live_server.url

    first = Visitor(browser, base, language)
    page = first.page
    browser_sign_in(page, base, first_admin, next_url="/accounts/staff/")
    first.check("Staff")
    assert page.get_by_test_id("staff-admin2").count() == 1

    # A staff member's page: assign the second administrator to a centre.
    page.locator("main a", has_text="admin2").first.click()
    first.check(None)
    page.locator("#id_centre").select_option(
        label={
            "en": "Baku centre 1",
            "az": "Bakı 1 saylı mərkəz",
            "uz": "Boku 1-markaz",
            "ru": "Бакинский центр № 1",
        }[language]
    )
    page.locator("main form button[type=submit]").last.click()
    first.says("The assignment is added.")
    first.check(None)
    assert StaffAssignment.objects.filter(user=second_admin).count() == 1

    # Request a role: first with nothing filled in, then properly.
    page.locator("header a[href='/accounts/staff/grants/new/']").click()
    first.check("Request a change of role")
    page.locator("main form button[type=submit]").click()
    summary = page.locator(".error-summary")
    assert first.t("Enter the username of the person the role is for.") in summary.inner_text()
    assert summary.locator("a").first.get_attribute("href") == "#id_username"
    first.check("Request a change of role")
    page.locator("#id_username").fill("newcomer")
    page.locator("#id_role_4").check()  # payroll officer (STAFF_ROLES order)
    page.locator("#id_change_0").check()
    page.locator("#id_reason").fill("Joins the payroll team, order 12/2026")
    page.locator("main form button[type=submit]").click()
    first.says(str(MSG_GRANT_REQUESTED))
    first.check("Role requests")
    grant = RoleGrantRequest.objects.get()
    assert grant.role == Role.PAYROLL_OFFICER.value
    assert page.get_by_test_id(f"grant-{grant.pk}-blocked").inner_text() == first.t(
        str(MSG_WHY_OWN_REQUEST)
    )
    assert page.get_by_test_id(f"grant-{grant.pk}-approve").count() == 0

    # The second administrator approves it.
    second = Visitor(browser, base, language)
    page2 = second.page
    browser_sign_in(page2, base, second_admin, next_url="/accounts/staff/grants/")
    second.check("Role requests")
    page2.get_by_test_id(f"grant-{grant.pk}-approve").click()
    second.says(str(MSG_GRANT_APPROVED))
    second.check("Role requests")
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by_id) == (GrantStatus.APPROVED, second_admin.pk)
    assert newcomer.groups.filter(name=Role.PAYROLL_OFFICER.value).exists()
    assert first.problems == second.problems == []
    first.context.close()
    second.context.close()
