"""A citizen's journey in a real browser (Playwright driving Debian's Chromium), in each of the
four languages, with an axe-core scan of every portal page on the way.

Sign in (demo) → cabinet and its tabs → apply for a certificate through the question pages
with an upload → check your answers → confirmation → book an appointment, open it to move it,
cancel it → rate a visit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from dost.centres.models import Appointment, Ticket, TicketSource, TicketStatus
from dost.tests.browser import (
    assert_accessible,
    needs_chromium,
)

from .conftest import CERTIFICATE, PNG, make_world

pytestmark = needs_chromium
# The English headings; every other language must show its own.
ENGLISH_H1 = {
    "cabinet": "My cabinet",
    "check": "Check your answers before sending your application",
    "done": "Application sent",
    "appointments": "Appointments and visits",
}


def h1(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def check_page(page: Any, language: str, english: str | None = None) -> None:
    """The page speaks `language`, its heading is translated, and axe finds nothing serious."""
    assert page.locator("html").get_attribute("lang") == language
    if english is not None:
        assert (h1(page) == english) == (language == "en"), (page.url, h1(page))
    assert_accessible(page)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "az", "uz", "ru"])
def test_it_takes_a_citizen_from_sign_in_to_a_sent_application_and_an_appointment(
    browser: Any, live_server: Any, tmp_path: Path, language: str, settings: Any,
) -> None:
    # The shared stylesheet lives in dost/static, which is not an app's folder: without it the
    # pages would be scanned unstyled (the lead is told: STATICFILES_DIRS is not set).
    settings.STATICFILES_DIRS = [Path(__file__).resolve().parents[2] / "static"]
    world = make_world()
    now = timezone.now()
    Ticket.objects.create(
        centre=world.centre, service_group=world.group, day=timezone.localdate(), number=7,
        source=TicketSource.KIOSK, person=world.citizen, status=TicketStatus.DONE,
        issued_at=now, queued_at=now,
    )
    scan = tmp_path / "identity-card.png"
    scan.write_bytes(PNG)
    base = live_server.url
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation (an inline script or style slipping in) shows up as a console error.
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(r.url) if r.status == 404 else None)

    # The public start page, then the sign-in page with an error, then signing in.
    page.goto(f"{base}/portal/")
    check_page(page, language)
    page.locator("main a.button").click()
    page.locator("main form button[type=submit]").click()
    assert page.locator(".error-summary a[href='#id_personal_id']").count() == 1
    check_page(page, language)
    page.fill("#id_personal_id", world.citizen.personal_id)
    page.locator("main form button[type=submit]").click()

    # The cabinet and its tabs.
    assert page.url == f"{base}/portal/cabinet/"
    check_page(page, language, ENGLISH_H1["cabinet"])
    assert world.citizen.full_name in page.inner_text("main")
    for path in ("benefits", "applications", "inbox", "appointments"):
        page.goto(f"{base}/portal/cabinet/{path}/")
        check_page(page, language, ENGLISH_H1.get(path))

    # Apply for a certificate: one question per page.
    page.goto(f"{base}/portal/apply/")
    check_page(page, language)
    page.goto(f"{base}/portal/apply/{CERTIFICATE}/")
    check_page(page, language)
    page.locator("main a.button").click()
    assert page.url.endswith("/for/")
    check_page(page, language)
    page.check("#id_beneficiary_0")
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/notify/")
    page.uncheck("#id_channels_0")
    page.locator("main form button[type=submit]").click()  # nothing chosen: an error
    assert page.locator(".error-summary a[href='#id_channels_0']").count() == 1
    check_page(page, language)
    page.check("#id_channels_0")
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/document/id_card/")
    check_page(page, language)
    page.set_input_files("#id_file", str(scan))
    page.locator("main form button[type=submit]").first.click()
    assert page.url.endswith("/check/")
    check_page(page, language, ENGLISH_H1["check"])
    assert "identity-card.png" in page.inner_text("main")
    page.check("#id_confirm")
    page.locator("main form button[type=submit]").click()
    check_page(page, language, ENGLISH_H1["done"])
    reference = page.locator(".portal-reference").inner_text()
    assert reference.startswith("C-")
    page.goto(f"{base}/portal/cabinet/applications/")
    page.locator(f"a:text('{reference}')").click()
    check_page(page, language)

    # Book an appointment, look at moving it, cancel it.
    page.goto(f"{base}/portal/cabinet/appointments/book/")
    check_page(page, language)
    page.check("#id_centre_0")
    page.locator("main form button[type=submit]").click()
    page.check("#id_service_group_0")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.fill("#id_day", tomorrow.isoformat())
    page.locator("main form[method=get] button[type=submit]").click()
    check_page(page, language)
    page.check("#id_starts_at_0")
    page.locator("main form[method=post] button[type=submit]").click()
    assert page.url == f"{base}/portal/cabinet/appointments/"
    appointment = Appointment.objects.get(person=world.citizen)
    assert appointment.status == "booked"
    page.goto(f"{base}/portal/cabinet/appointments/{appointment.pk}/move/")
    check_page(page, language)
    page.goto(f"{base}/portal/cabinet/appointments/{appointment.pk}/cancel/")
    check_page(page, language)
    page.locator("main form button[type=submit]").click()
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"

    # Rate the visit recorded this morning.
    page.locator("a[href$='/rate/']").first.click()
    check_page(page, language)
    for name in ("quality", "timeliness", "courtesy"):
        page.check(f"#id_{name}_4")
    page.locator("main form button[type=submit]").click()
    assert page.url == f"{base}/portal/cabinet/appointments/"
    assert problems == []
    context.close()
