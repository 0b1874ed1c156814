"""A centre's full day in a real browser (Playwright driving Debian's Chromium), with axe.

Kiosk → tickets (normal and priority) → operator signs in, calls, serves, marks a no-show →
the board updates by itself → the citizen rates through the ticket's link → a score ≤ 3
escalates → the supervisor sees it. axe runs on the kiosk, ticket, board and rating pages.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from dost.centres import views
from dost.tests.browser import (
    assert_accessible,
    needs_chromium,
    new_page,
)

from .conftest import make_world

pytestmark = needs_chromium
PASSWORD = "correct-horse-battery-9"


def take_ticket(page: Any, base: str, group: str, priority: str) -> str:
    page.goto(f"{base}/centres/baku-1/kiosk/")
    page.get_by_label(group).check()
    page.get_by_label(priority, exact=True).check()
    page.get_by_role("button", name="Print my ticket").click()
    return str(page.locator(".ticket__number").inner_text()).split(":")[-1].strip()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/centres/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.django_db(transaction=True)
def test_it_runs_a_full_day_from_kiosk_to_rating(
    browser: Any, live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(views, "BOARD_REFRESH_SECONDS", 1)  # the hall uses 5 s
    make_world(day=timezone.localdate(), all_week=True)
    base = live_server.url

    # Morning: three visitors take tickets, one in the priority lane.
    kiosk, kiosk_problems = new_page(browser)
    assert take_ticket(kiosk, base, "A — Pensions", "No") == "A-001"
    assert_accessible(kiosk)  # the ticket page
    assert take_ticket(kiosk, base, "A — Pensions", "Elderly person") == "A-002"
    priority_ticket_url = kiosk.url
    assert take_ticket(kiosk, base, "A — Pensions", "No") == "A-003"
    kiosk.goto(f"{base}/centres/baku-1/kiosk/")
    assert_accessible(kiosk)
    # The no-JavaScript path shows errors in a summary: submit without choosing.
    kiosk.get_by_role("button", name="Print my ticket").click()
    assert "Choose the service you came for." in kiosk.locator(".error-summary").inner_text()

    board, board_problems = new_page(browser)
    board.goto(f"{base}/centres/baku-1/board/")
    assert "No ticket has been called yet." in board.inner_text("#board")
    assert_accessible(board)

    # The operator signs in and works counter 1.
    desk, _ = new_page(browser)
    sign_in(desk, base, "operator1")
    desk.get_by_role("link", name=re.compile("Counter 1")).click()
    desk.get_by_role("button", name="Call next").click()
    assert desk.locator(".current-code").inner_text() == "A-002"  # priority first
    assert_accessible(desk)
    # The board picks the call up by itself (no reload).
    board.locator(".board__latest .board__code").filter(has_text="A-002").wait_for(timeout=15000)
    assert board.locator(".board__latest .board__counter").inner_text() == "1"
    desk.get_by_role("button", name="Start service").click()
    desk.get_by_label("Case reference (if the visit opened a case)").fill("AZ-2026-000123")
    desk.get_by_role("button", name="End service").click()
    desk.get_by_role("button", name="Call next").click()
    assert desk.locator(".current-code").inner_text() == "A-001"
    desk.get_by_role("button", name="Did not come").click()
    desk.get_by_role("button", name="Call next").click()
    assert desk.locator(".current-code").inner_text() == "A-003"
    board.locator(".board__latest .board__code").filter(has_text="A-003").wait_for(timeout=15000)
    desk.get_by_role("button", name="Start service").click()
    desk.get_by_role("button", name="End service").click()
    desk.get_by_role("button", name="Call next").click()
    assert "Nobody is waiting." in desk.inner_text("main")

    # The elderly visitor rates the visit through the link printed on the ticket.
    citizen, citizen_problems = new_page(browser)
    citizen.goto(priority_ticket_url)
    assert citizen.locator("svg.qr").count() == 1
    citizen.locator("a.rate-link").click()
    assert_accessible(citizen)
    for question, score in (("How well was your request handled?", "4"),
                            ("How quickly were you served?", "2"),
                            ("How polite and helpful was the staff?", "5")):
        citizen.get_by_role("group", name=question).get_by_label(score).check()
    citizen.get_by_label("Anything you want to tell us (optional)").fill("The wait was long.")
    citizen.get_by_role("button", name="Send my rating").click()
    assert "The centre's supervisor will look into it." in citizen.inner_text("main")

    # The supervisor finds the escalation, with its deadline.
    supervisor, _ = new_page(browser)
    sign_in(supervisor, base, "supervisor")
    supervisor.get_by_role("link", name="Escalations").click()
    row = supervisor.locator("tbody tr").filter(has_text="A-002")
    assert "4 / 2 / 5" in row.inner_text() and "The wait was long." in row.inner_text()
    supervisor.get_by_role("link", name="KPIs").click()
    assert supervisor.locator("svg[role=img]").count() == 3
    assert_accessible(supervisor)
    kiosk.goto(f"{base}/centres/baku-1/appointments/")
    kiosk.get_by_label("B — Allowances").check()
    kiosk.get_by_role("button", name="Show free times").click()
    assert_accessible(kiosk)
    assert kiosk_problems == board_problems == citizen_problems == []
