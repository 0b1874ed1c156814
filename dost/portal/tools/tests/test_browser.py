"""The citizen tools in a real browser (Playwright driving Debian's Chromium), with axe.

The screener journey in all four languages, the pension calculator, and the certificate pages
(the citizen's list and download page, staff issuing, public verification with a file check).
axe-core runs on every page: no serious or critical violation is allowed.

The live server runs on today's date, so the households are chosen for figures that hold on
any day from 2026 on (the 2026 need criterion is the latest in the rulebook; no child whose
benefit depends on the month).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.certificates.services import certificate_issue
from dost.certificates.tests.conftest import make_staff, make_world
from dost.tests.browser import (
    needs_chromium,
)

pytestmark = needs_chromium

# What the results page says in each language (the rulebook's labels and the tools' catalog).
RESULTS = {
    "en": ("What your household could get", "TSSA amount", "400.00 AZN"),
    "az": ("Ailənizin ala biləcəkləri", "ÜDSY məbləği", "400,00 AZN"),
    "uz": ("Oilangiz nimalar olishi mumkin", "Manzilli yordam miqdori", "400,00 AZN"),
    "ru": ("Что может получать ваша семья", "Размер АГСП", "400,00 AZN"),
}


def assert_accessible(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"] if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], (page.url, serious)


def new_page(browser: Any, base: str, language: str, session: str | None = None) -> Any:
    context = browser.new_context(locale="en-GB")
    cookies = [{"name": "django_language", "value": language, "url": base}]
    if session:
        cookies.append({"name": "sessionid", "value": session, "url": base})
    context.add_cookies(cookies)
    page = context.new_page()
    problems: list[str] = []
    # A CSP violation (an inline script or style slipping in) shows up as a console error.
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    # A missing resource of ours (our stylesheet) is a problem too. The shared /static/dost/
    # files are the layout's, served by the project's static set-up, not by these tools.
    page.on("response", lambda r: problems.append(r.url)
            if r.status == 404 and "/static/" in r.url and "/static/dost/" not in r.url
            else None)
    page.problems = problems
    return page


def submit(page: Any) -> None:
    page.locator("main form button[type=submit]").last.click()


def session_for(user: User) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


def screener_journey(page: Any, base: str, check: bool) -> None:
    page.goto(f"{base}/portal/tools/")
    if check:
        assert_accessible(page)
    page.locator(f"a[href='{reverse('portal_tools:screener')}']").first.click()
    if check:
        assert_accessible(page)
    page.locator("main a.button").click()
    # No JavaScript needed: submitting an empty page shows the error summary with links.
    submit(page)
    assert page.locator(".error-summary a[href='#id_members']").count() == 1
    if check:
        assert_accessible(page)
    page.fill("#id_members", "2")
    page.check("#id_vehicles_1")
    page.fill("#id_properties", "1")
    page.fill("#id_utilities", "60")
    page.fill("#id_purchases", "0")
    submit(page)
    # You: born 1980, wages 200 a month. Your spouse: born 1984, no income.
    for answers in (
        {"#id_birth_date": "1980-04-10", "#id_wages": "200"},
        {"#id_birth_date": "1984-01-01", "#id_wages": "0"},
    ):
        if page.locator("#id_role_0").count():
            page.check("#id_role_0")
        page.fill("#id_birth_date", answers["#id_birth_date"])
        page.check("#id_sex_0")
        page.check("#id_citizen_0")
        page.check("#id_parent_died_1")
        page.fill("#id_wages", answers["#id_wages"])
        page.fill("#id_pension", "0")
        page.fill("#id_other_income", "0")
        if check:
            assert_accessible(page)
        submit(page)
    if check:
        assert_accessible(page)  # check your answers
    page.locator("form[action$='/results/'] button").click()


@pytest.mark.django_db(transaction=True)
def test_it_screens_a_household_in_four_languages(
    browser: Any, live_server: Any, settings: Any
) -> None:
    base = live_server.url
    for language, (title, label, amount) in RESULTS.items():
        page = new_page(browser, base, language)
        screener_journey(page, base, check=language == "en")
        # Two adults: 2 × 300 − 2,400 ÷ 12 = 400 AZN (Law "On targeted state social
        # assistance"; need criterion 300 AZN for 2026). Utilities 60 ÷ 2 = 30 < 45.
        assert page.locator("h1").inner_text() == title
        assert page.locator("html").get_attribute("lang") == language
        assert label in page.inner_text("main")
        assert page.locator("[data-benefit='tssa_amount']").inner_text() == amount
        page.locator("details summary").click()  # the explanation opens without our JS
        assert page.locator("pre.explanation").is_visible()
        assert_accessible(page)
        assert page.problems == []
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_it_works_out_a_pension_in_the_browser(
    browser: Any, live_server: Any, settings: Any
) -> None:
    base = live_server.url
    page = new_page(browser, base, "en")
    page.goto(f"{base}{reverse('portal_tools:pension')}")
    assert_accessible(page)
    submit(page)
    assert page.locator(".error-summary a[href='#id_sex_0']").count() == 1
    assert_accessible(page)
    # Born 20 May 1990: 65 (780 months) on 1 June 2055; capital 72,000 ≥ 320 × 144 = 46,080
    # gives the right; 72,000 ÷ 144 = 500 AZN (Law "On labour pensions", arts. 6-1, 7, 10).
    page.fill("#id_birth_date", "1990-05-20")
    page.check("#id_sex_1")
    page.fill("#id_record_years", "10")
    page.fill("#id_capital", "72000")
    submit(page)
    assert page.locator("[data-testid=right-from]").inner_text() == "1 June 2055"
    assert page.locator("[data-testid=amount]").inner_text() == "500.00 AZN"
    assert_accessible(page)
    settings.DOST_COUNTRY = "uz"
    page.goto(f"{base}{reverse('portal_tools:pension')}")
    assert page.locator("[data-testid=not-available]").count() == 1
    assert_accessible(page)
    assert page.problems == []


@pytest.mark.django_db(transaction=True)
def test_it_issues_and_verifies_a_certificate_in_the_browser(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DOST_STAFF_2FA = False  # the TOTP step is dost/security's to test
    base = live_server.url
    world = make_world()
    page = new_page(browser, base, "en", session_for(world.citizen))
    page.goto(f"{base}{reverse('certificates:mine')}")
    assert_accessible(page)
    page.check("#id_kind_1")  # pension amount
    page.select_option("#id_language", "az")
    submit(page)
    assert_accessible(page)  # "your certificate is ready"
    with page.expect_download() as download:
        page.locator("main a.button").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    page.goto(f"{base}{reverse('certificates:mine')}")
    assert page.locator("table a").count() == 1
    assert_accessible(page)

    # Whoever receives the file checks it on the public page (no sign-in).
    verify = page.context.browser.new_page()
    page.context.close()
    verify.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    code = certificate_issue(person=world.pensioner, kind="benefits", language="ru",
                             verify_url=lambda c: f"{base}/certificates/verify/{c}/").code
    verify.goto(f"{base}{reverse('certificates:verify_lookup')}")
    assert_accessible(verify)
    verify.fill("#id_code", code)
    submit(verify)
    assert "This certificate is genuine" in verify.inner_text("main")
    assert_accessible(verify)
    verify.set_input_files("#id_file", {"name": "changed.pdf", "mimeType": "application/pdf",
                                        "buffer": pdf.read_bytes()})
    submit(verify)
    assert "The file has been changed" in verify.inner_text("main")  # another certificate
    assert_accessible(verify)
    missing = verify.goto(f"{base}{reverse('certificates:verify', args=['no-such-code'])}")
    assert missing is not None and missing.status == 404

    staff = new_page(browser, base, "en",
                     session_for(make_staff("officer", "certificates.issue_certificate")))
    staff.goto(f"{base}{reverse('certificates:staff_issue')}")
    assert_accessible(staff)
    submit(staff)
    assert staff.locator(".error-summary a[href='#id_personal_id']").count() == 1
    assert_accessible(staff)
