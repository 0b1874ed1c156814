"""Take the screenshots of the main pages in docs/screenshots/ from a fresh embedded demo.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--port 8031]

Builds a demo in a temporary data folder (SQLite, 4,000 persons, the demo accounts), serves it
with `dost runserver`, and drives Debian's Chromium with Playwright through the citizen's and
the staff's main pages: each page is saved as a full-page PNG named after it. Citizen and staff
pages in English; the portal's start page and the 360° view also in Azerbaijani, Uzbek and
Russian, to show the language switch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOST = str(ROOT / ".venv" / "bin" / "dost")


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([DOST, "runserver", "--noreload", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the demo server did not start")


def _totp(env: dict[str, str], username: str) -> str:
    result = subprocess.run([DOST, "security", "totp", username], env=env, check=True,
                            capture_output=True, text=True)
    return result.stdout.strip().split()[-1]


def _staff_sign_in(page: Any, base: str, env: dict[str, str], username: str,
                   password: str = "") -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next=/backoffice/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password or f"demo-{username}-2026")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/2fa/**")
    time.sleep(1)
    page.locator("#id_token").fill(_totp(env, username))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=8031)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="dost-screens-")
    env = {**os.environ, "DOST_DATA_DIR": data, "DATABASE_URL": f"sqlite:///{data}/dost.sqlite3",
           "DOST_COUNTRY": "az", "LANGUAGE_CODE": "en"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([DOST, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([DOST, "demo", "--persons", "4000"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    # The nightly scan, so that the social worker's outreach list has people on it.
    period = time.strftime("%Y-%m")
    subprocess.run([DOST, "proactive", "scan", "--period", period], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    server = _serve(env, args.port)
    base = f"http://127.0.0.1:{args.port}"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            context = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900})
            page = context.new_page()

            def shot(name: str, path: str | None = None) -> None:
                if path is not None:
                    page.goto(base + path)
                page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
                print(f"  {name}.png  {page.url.removeprefix(base)}")

            def language(code: str) -> None:
                page.locator("#language-choice").select_option(code)
                page.locator(".language-form button").click()
                page.wait_for_load_state()

            shot("home", "/")
            shot("portal-start", "/portal/")
            # The screener: one household, answered with the defaults, to its results.
            shot("screener", "/portal/tools/screener/")
            shot("pension-calculator", "/portal/tools/pension/")
            # A citizen: the demo sign-in offers demo citizens; the first one is taken.
            page.goto(base + "/portal/login/")
            shot("portal-sign-in")
            first_id = page.locator("main table tbody tr td:nth-child(2)").first.inner_text()
            page.locator("#id_personal_id").fill(first_id.strip())
            page.locator("main form button[type=submit]").first.click()
            page.wait_for_load_state()
            shot("portal-cabinet", "/portal/cabinet/")
            shot("portal-benefits", "/portal/cabinet/benefits/")
            shot("portal-applications", "/portal/cabinet/applications/")
            shot("portal-apply", "/portal/apply/")
            shot("portal-appointments", "/portal/cabinet/appointments/")
            for code in ("az", "uz", "ru"):
                page.goto(base + "/portal/cabinet/")
                language(code)
                shot(f"portal-cabinet-{code}")
            language("en")
            # Staff.
            _staff_sign_in(page, base, env, "officer")
            shot("backoffice-home")
            page.goto(base + "/backoffice/search/?query=Axundov&purpose=citizen+enquiry")
            shot("backoffice-search")
            link = page.locator("main table a").first
            if link.count():
                link.click()
                page.wait_for_load_state()
                if page.locator("input[name=purpose]").count():
                    page.locator("input[name=purpose]").first.check()
                    page.locator("main form button[type=submit]").first.click()
                    page.wait_for_load_state()
                shot("backoffice-person-360")
                language("az")
                shot("backoffice-person-360-az")
                language("en")
            shot("backoffice-queue", "/backoffice/queue/")
            case = page.locator("main table a").first
            if case.count():
                case.click()
                page.wait_for_load_state()
                shot("backoffice-case")
            _staff_sign_in(page, base, env, "supervisor")
            shot("backoffice-approvals", "/backoffice/approvals/")
            shot("backoffice-dashboards", "/backoffice/analysis/dashboards/")
            _staff_sign_in(page, base, env, "analyst")
            shot("backoffice-simulation", "/backoffice/analysis/simulation/")
            _staff_sign_in(page, base, env, "auditor")
            shot("audit-search", "/audit/")
            _staff_sign_in(page, base, env, "socialworker", "demo-social-2026")
            shot("backoffice-tasks", "/backoffice/proactive/tasks/")
            shot("backoffice-outreach", "/backoffice/proactive/outreach/")
            # A payroll officer prepares this month's payroll; the run waits for another's
            # approval (four eyes).
            _staff_sign_in(page, base, env, "payroll")
            page.goto(base + "/payroll/prepare/")
            page.locator("#id_period").fill(period)
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            shot("payroll-run")
            shot("payroll-runs", "/payroll/")
            _staff_sign_in(page, base, env, "admin")
            shot("staff-list", "/accounts/staff/")
            shot("staff-role-grants", "/accounts/staff/grants/")
            page.context.clear_cookies()
            shot("centre-kiosk", "/centres/baku-1/kiosk/")
            shot("centre-board", "/centres/baku-1/board/")
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
