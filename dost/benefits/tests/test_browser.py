"""The payroll in a real browser (Playwright driving Debian's Chromium), in every language, with
an axe-core scan of every page.

One payroll officer prepares a month and is told why they cannot approve it; a second officer
checks the totals, approves, downloads a bank's CSV and its pain.001, and uploads the bank's
answer, whose reconciliation the page shows.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dost.benefits.models import Payment, PaymentStatus, PayrollRun, RunStatus
from dost.benefits.tests.conftest import monthly
from dost.benefits.views import MSG_APPROVED, MSG_WHY_OWN_RUN
from dost.catalog.models import Service
from dost.security.roles import Role
from dost.security.testing import browser_sign_in, staff_user
from dost.tests.browser import LanguageTab, assert_accessible, needs_chromium

pytestmark = needs_chromium
LANGUAGES = ["en", "az", "uz", "ru"]
PERIOD = "2026-03"


@pytest.fixture(autouse=True)
def _staff_settings(settings: Any) -> None:
    settings.DOST_STAFF_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Visitor(LanguageTab):
    """One payroll officer's browser tab in one language, with the checks every page gets."""

    def __init__(self, browser: Any, base: str, language: str) -> None:
        super().__init__(browser, base, language, accept_downloads=True)

    def check(self, heading: str, **params: str) -> None:
        """The page is in the visitor's language, its heading translated, and axe is happy."""
        page = self.page
        assert page.locator("html").get_attribute("lang") == self.language
        h1 = page.locator("h1").inner_text()
        assert h1.startswith(self.t(heading) % params if params else self.t(heading)), (
            page.url,
            h1,
        )
        assert (self.t(heading) == heading) == (self.language == "en"), (page.url, heading)
        assert_accessible(page)

    def says(self, message: str) -> None:
        assert self.t(message) in self.page.locator(".notifications").inner_text()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", LANGUAGES)
def test_two_payroll_officers_prepare_approve_and_pay_a_month(
    browser: Any,
    live_server: Any,
    pension: Service,
    tmp_path: Path,
    language: str,
) -> None:
    monthly(pension, dt.date(2026, 3, 1), amount="300.00")
    monthly(pension, dt.date(2026, 2, 1), amount="120.50")  # with one month of arrears
    preparer = staff_user(Role.PAYROLL_OFFICER, username="payroll")
    approver = staff_user(Role.PAYROLL_OFFICER, username="payroll2")
    base = live_server.url

    # The first officer prepares the month.
    first = Visitor(browser, base, language)
    page = first.page
    browser_sign_in(page, base, preparer, next_url="/payroll/")
    first.check("Payroll runs")
    page.locator("main a[href='/payroll/prepare/']").click()
    first.check("Prepare a payroll run")
    page.locator("main form button[type=submit]").click()  # nothing entered
    summary = page.locator(".error-summary")
    assert first.t("Enter the month as YYYY-MM, for example 2026-03.") in summary.inner_text()
    assert summary.locator("a").get_attribute("href") == "#id_period"
    assert_accessible(page)
    page.locator("#id_period").fill(PERIOD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/payroll/runs/{PERIOD}/")
    first.check("Payroll of %(period)s", period=PERIOD)
    assert page.get_by_test_id("payment-count").inner_text() == "3"
    assert page.get_by_test_id("approval-blocked").inner_text() == first.t(str(MSG_WHY_OWN_RUN))
    assert page.get_by_test_id("approve").count() == 0

    # The second officer checks the totals and approves.
    second = Visitor(browser, base, language)
    page2 = second.page
    browser_sign_in(page2, base, approver, next_url="/payroll/")
    second.check("Payroll runs")
    page2.locator(f"main a[href='/payroll/runs/{PERIOD}/']").click()
    second.check("Payroll of %(period)s", period=PERIOD)
    page2.get_by_test_id("approve").click()
    second.says(str(MSG_APPROVED))
    second.check("Payroll of %(period)s", period=PERIOD)
    assert PayrollRun.objects.get(period=PERIOD).status == RunStatus.APPROVED

    # One bank's files: the CSV and the pain.001.
    with page2.expect_download() as download:
        page2.get_by_test_id("csv-KAPIAZ2X").click()
    assert download.value.suggested_filename == f"dost-payroll-{PERIOD}-KAPIAZ2X.csv"
    with Path(download.value.path()).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["amount"] for r in rows) == ["120.50", "120.50", "300.00"]
    with page2.expect_download() as xml:
        page2.get_by_test_id("xml-KAPIAZ2X").click()
    assert b"pain.001.001.09" in Path(xml.value.path()).read_bytes()

    # The bank answers: all paid but one, rejected.
    answer = tmp_path / "answer.csv"
    with answer.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["end_to_end_id", "status", "reason"])
        for number, row in enumerate(rows):
            writer.writerow(
                [
                    row["end_to_end_id"],
                    "rejected" if number == 0 else "paid",
                    "account closed" if number == 0 else "",
                ]
            )
    page2.locator("main a[href='/payroll/results/']").click()
    second.check("Upload a bank's results file")
    page2.locator("#id_results").set_input_files(str(answer))
    page2.locator("main form button[type=submit]").click()
    second.check("Upload a bank's results file")
    assert second.t("Reconciliation") in page2.get_by_test_id("reconciliation").inner_text()
    statuses = sorted(Payment.objects.values_list("status", flat=True))
    assert statuses == [PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.REJECTED]
    assert first.problems == second.problems == []
    first.context.close()
    second.context.close()
