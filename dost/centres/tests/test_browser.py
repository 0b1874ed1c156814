"""A centre's full day in a real browser (Playwright driving Debian's Chromium), in each of
the four languages, with axe.

Kiosk → tickets (normal and priority) → operator signs in, calls, serves, marks a no-show →
the board updates by itself → the citizen rates through the ticket's link → a score ≤ 3
escalates → the supervisor sees it. axe runs on the kiosk, ticket, board, desk, rating and
KPI pages. Every label the test finds is looked up in the page's language.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from dost.centres import views
from dost.tests.browser import (
    assert_accessible,
    needs_chromium,
    new_page,
)

from .conftest import make_world

pytestmark = needs_chromium
PASSWORD = "correct-horse-battery-9"
LANGUAGES = ["en", "az", "uz", "ru"]


class Words:
    """The test's English words in the language of the pages."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, text: str, **values: object) -> str:
        with translation.override(self.language):
            return gettext(text) % values if values else gettext(text)


def open_page(browser: Any, base: str, language: str) -> tuple[Any, list[str]]:
    page, problems = new_page(browser)
    page.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME,
                               "value": language, "url": base}])
    return page, problems


def take_ticket(page: Any, base: str, t: Words, group: str, priority: str) -> str:
    page.goto(f"{base}/centres/baku-1/kiosk/")
    page.get_by_label(group).check()
    page.get_by_label(t(priority), exact=True).check()
    page.get_by_role("button", name=t("Print my ticket")).click()
    return str(page.locator(".ticket__number").inner_text()).split(":")[-1].strip()


def sign_in(page: Any, base: str, t: Words, username: str) -> None:
    page.goto(f"{base}/centres/login/")
    # Django's own labels (its catalog, not ours): found by id.
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_it_runs_a_full_day_from_kiosk_to_rating(
    browser: Any, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(views, "BOARD_REFRESH_SECONDS", 1)  # the hall uses 5 s
    make_world(day=timezone.localdate(), all_week=True)
    base = live_server.url
    t = Words(language)

    # Morning: three visitors take tickets, one in the priority lane.
    kiosk, kiosk_problems = open_page(browser, base, language)
    assert take_ticket(kiosk, base, t, "A — Pensions", "No") == "A-001"
    assert_accessible(kiosk)  # the ticket page
    assert take_ticket(kiosk, base, t, "A — Pensions", "Elderly person") == "A-002"
    priority_ticket_url = kiosk.url
    assert take_ticket(kiosk, base, t, "A — Pensions", "No") == "A-003"
    kiosk.goto(f"{base}/centres/baku-1/kiosk/")
    assert_accessible(kiosk)
    # The no-JavaScript path shows errors in a summary: submit without choosing.
    kiosk.get_by_role("button", name=t("Print my ticket")).click()
    assert t("Choose the service you came for.") in kiosk.locator(".error-summary").inner_text()

    board, board_problems = open_page(browser, base, language)
    board.goto(f"{base}/centres/baku-1/board/")
    assert t("No ticket has been called yet.") in board.inner_text("#board")
    assert_accessible(board)

    # The operator signs in and works counter 1.
    desk, _ = open_page(browser, base, language)
    sign_in(desk, base, t, "operator1")
    assert desk.locator("html").get_attribute("lang") == language
    assert_accessible(desk)
    desk.get_by_role("link", name=re.compile(t("Counter %(number)s", number=1))).click()
    desk.get_by_role("button", name=t("Call next")).click()
    assert desk.locator(".current-code").inner_text() == "A-002"  # priority first
    assert_accessible(desk)
    # The board picks the call up by itself (no reload).
    board.locator(".board__latest .board__code").filter(has_text="A-002").wait_for(timeout=15000)
    assert board.locator(".board__latest .board__counter").inner_text() == "1"
    # The board stops polling while the desk writes: the test database (SQLite in memory,
    # shared cache) refuses a write while another connection reads ("table is locked").
    board.goto("about:blank")
    desk.get_by_role("button", name=t("Start service")).click()
    desk.get_by_label(t("Case reference (if the visit opened a case)")).fill("AZ-2026-000123")
    desk.get_by_role("button", name=t("End service")).click()
    desk.get_by_role("button", name=t("Call next")).click()
    assert desk.locator(".current-code").inner_text() == "A-001"
    desk.get_by_role("button", name=t("Did not come")).click()
    board.goto(f"{base}/centres/baku-1/board/")
    desk.get_by_role("button", name=t("Call next")).click()
    assert desk.locator(".current-code").inner_text() == "A-003"
    board.locator(".board__latest .board__code").filter(has_text="A-003").wait_for(timeout=15000)
    board.goto("about:blank")
    desk.get_by_role("button", name=t("Start service")).click()
    desk.get_by_role("button", name=t("End service")).click()
    desk.get_by_role("button", name=t("Call next")).click()
    assert t("Nobody is waiting.") in desk.inner_text("main")

    # The elderly visitor rates the visit through the link printed on the ticket.
    citizen, citizen_problems = open_page(browser, base, language)
    citizen.goto(priority_ticket_url)
    assert citizen.locator("svg.qr").count() == 1
    citizen.locator("a.rate-link").click()
    assert_accessible(citizen)
    for question, score in (("How well was your request handled?", "4"),
                            ("How quickly were you served?", "2"),
                            ("How polite and helpful was the staff?", "5")):
        citizen.get_by_role("group", name=t(question)).get_by_label(score).check()
    citizen.get_by_label(t("Anything you want to tell us (optional)")).fill("The wait was long.")
    citizen.get_by_role("button", name=t("Send my rating")).click()
    assert t("We are sorry the visit was not as good as it should be. The centre's "
             "supervisor will look into it.") in citizen.inner_text("main")
    assert_accessible(citizen)

    # The supervisor finds the escalation, with its deadline.
    supervisor, _ = open_page(browser, base, language)
    sign_in(supervisor, base, t, "supervisor")
    supervisor.get_by_role("link", name=t("Escalations")).click()
    assert_accessible(supervisor)
    row = supervisor.locator("tbody tr").filter(has_text="A-002")
    assert "4 / 2 / 5" in row.inner_text() and "The wait was long." in row.inner_text()
    supervisor.get_by_role("link", name=t("KPIs")).click()
    assert supervisor.locator("svg[role=img]").count() == 3
    assert_accessible(supervisor)
    kiosk.goto(f"{base}/centres/baku-1/appointments/")
    kiosk.get_by_label("B — Allowances").check()
    kiosk.get_by_role("button", name=t("Show free times")).click()
    assert_accessible(kiosk)
    assert kiosk_problems == board_problems == citizen_problems == []
