"""The payroll officers' pages: who may open them, four eyes on approval, bank files, and a bank's
results file checked line by line before anything is written."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dost.benefits.forms import MAX_LINE_ERRORS
from dost.benefits.models import Payment, PaymentStatus, PayrollRun, RunStatus
from dost.benefits.services.bank_files import PAIN_NS
from dost.benefits.tests.conftest import monthly
from dost.benefits.views import MSG_WHY_OWN_RUN
from dost.catalog.models import Service
from dost.security.roles import Role
from dost.security.services.payroll import MSG_ALREADY_APPROVED, MSG_OWN_RUN
from dost.security.testing import client_login_verified, staff_user

PERIOD = "2026-03"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DOST_STAFF_2FA = True


@pytest.fixture
def awards(pension: Service) -> None:
    monthly(pension, dt.date(2026, 3, 1), amount="300.00")
    monthly(pension, dt.date(2026, 3, 1), amount="120.50")
    other = monthly(pension, dt.date(2026, 3, 1), amount="99.99")
    other.bank = "IBAZAZ2X"
    other.save()


@pytest.fixture
def preparer(db: None) -> User:
    return staff_user(Role.PAYROLL_OFFICER, username="payroll")


@pytest.fixture
def approver(db: None) -> User:
    return staff_user(Role.PAYROLL_OFFICER, username="payroll2")


def signed_in(user: User) -> Client:
    return client_login_verified(Client(), user)


def notes(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def prepare(client: Client, period: str = PERIOD) -> Any:
    return client.post(reverse("benefits:prepare"), {"period": period}, follow=True)


@pytest.fixture
def approved_run(awards: None, preparer: User, approver: User) -> PayrollRun:
    prepare(signed_in(preparer))
    signed_in(approver).post(reverse("benefits:approve", args=[PERIOD]))
    run = PayrollRun.objects.get(period=PERIOD)
    assert run.status == RunStatus.APPROVED
    return run


def test_it_lets_only_payroll_staff_in(awards: None, preparer: User) -> None:
    prepare(signed_in(preparer))
    urls = [
        reverse("benefits:runs"),
        reverse("benefits:prepare"),
        reverse("benefits:run", args=[PERIOD]),
        reverse("benefits:results"),
    ]
    for url in urls:
        assert Client().get(url).status_code == 302
        assert signed_in(preparer).get(url).status_code == 200
    officer = signed_in(staff_user(Role.CASE_OFFICER))
    administrator = signed_in(staff_user(Role.ADMINISTRATOR))
    for client in (officer, administrator):
        for url in urls:
            assert client.get(url).status_code == 403, url
        approve = reverse("benefits:approve", args=[PERIOD])
        assert client.post(approve).status_code == 403
        download = reverse("benefits:bank_file", args=[PERIOD, "KAPIAZ2X", "csv"])
        assert client.post(download).status_code == 403
    assert PayrollRun.objects.get(period=PERIOD).status == RunStatus.COMPLETE


def test_it_prepares_a_run_and_shows_its_totals_for_sign_off(awards: None, preparer: User) -> None:
    response = prepare(signed_in(preparer))
    assert response.redirect_chain[-1][0] == reverse("benefits:run", args=[PERIOD])
    page = response.content.decode()
    assert "The payroll of 2026-03 is prepared: 3 new payments." in notes(response)
    assert 'data-testid="payment-count">3<' in page
    assert "520.49" in page  # 300.00 + 120.50 + 99.99
    assert "KAPIAZ2X" in page and "IBAZAZ2X" in page
    assert "04-01-01-01" in page  # the service's code beside its name
    # The preparer is told why they cannot approve, and gets no button.
    assert str(MSG_WHY_OWN_RUN) in page
    assert 'data-testid="approve"' not in page


def test_it_says_what_is_wrong_with_the_month(preparer: User) -> None:
    response = signed_in(preparer).post(reverse("benefits:prepare"), {"period": "2026-13"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_period"' in page
    assert "Enter the month as YYYY-MM, for example 2026-03." in page
    assert not PayrollRun.objects.exists()


def test_it_refuses_the_preparers_approval_and_a_replay(
    awards: None, preparer: User, approver: User
) -> None:
    prepare(signed_in(preparer))
    url = reverse("benefits:approve", args=[PERIOD])

    own = signed_in(preparer).post(url, follow=True)
    assert str(MSG_OWN_RUN) in notes(own)
    assert PayrollRun.objects.get(period=PERIOD).status == RunStatus.COMPLETE

    second = signed_in(approver)
    page = second.get(reverse("benefits:run", args=[PERIOD])).content.decode()
    assert 'data-testid="approve"' in page
    done = second.post(url, follow=True)
    assert "Approved. The run is frozen; its bank files can be downloaded." in notes(done)
    run = PayrollRun.objects.get(period=PERIOD)
    assert (run.status, run.approved_by_id) == (RunStatus.APPROVED, approver.pk)

    replay = second.post(url, follow=True)
    assert str(MSG_ALREADY_APPROVED) in notes(replay)


def test_it_refuses_to_prepare_an_approved_month_again(
    approved_run: PayrollRun, preparer: User
) -> None:
    response = signed_in(preparer).post(reverse("benefits:prepare"), {"period": PERIOD})
    assert response.status_code == 400
    assert "is approved and frozen" in response.content.decode()


def test_it_sends_no_bank_file_before_approval(awards: None, preparer: User) -> None:
    prepare(signed_in(preparer))
    url = reverse("benefits:bank_file", args=[PERIOD, "KAPIAZ2X", "csv"])
    response = signed_in(preparer).post(url, follow=True)
    assert "Only an approved payroll run can be sent to the banks." in notes(response)
    assert not Payment.objects.exclude(status=PaymentStatus.PENDING).exists()


def test_it_downloads_each_banks_files(approved_run: PayrollRun, preparer: User) -> None:
    client = signed_in(preparer)
    response = client.post(reverse("benefits:bank_file", args=[PERIOD, "KAPIAZ2X", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="dost-payroll-2026-03-KAPIAZ2X.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert sorted(r["amount"] for r in rows) == ["120.50", "300.00"]
    assert {r["bank"] for r in rows} == {"KAPIAZ2X"}

    xml = client.post(reverse("benefits:bank_file", args=[PERIOD, "IBAZAZ2X", "xml"]))
    assert xml.status_code == 200
    assert PAIN_NS in xml.content.decode() and "<CtrlSum>99.99</CtrlSum>" in xml.content.decode()
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}

    unknown = client.post(reverse("benefits:bank_file", args=[PERIOD, "NOSUCHBANK", "csv"]))
    assert unknown.status_code == 404


def results_file(rows: list[tuple[str, str, str]]) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["end_to_end_id", "status", "reason"])
    writer.writerows(rows)
    return SimpleUploadedFile("answer.csv", text.getvalue().encode(), content_type="text/csv")


def test_it_reports_every_bad_line_and_records_nothing(
    approved_run: PayrollRun, preparer: User
) -> None:
    client = signed_in(preparer)
    client.post(reverse("benefits:bank_file", args=[PERIOD, "KAPIAZ2X", "csv"]))
    first, second = Payment.objects.filter(bank="KAPIAZ2X").order_by("id")
    upload = results_file(
        [
            (f"DOST-{first.pk}", "paid", ""),
            (f"DOST-{second.pk}", "bounced", "no such account"),
            ("", "paid", ""),
            (f"DOST-{second.pk}", "maybe", ""),
        ]
    )
    response = client.post(reverse("benefits:results"), {"results": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Line 3: the status must be “paid” or “rejected”, not “bounced”." in page
    assert "Line 4: the end-to-end ID is missing." in page
    assert "Line 5: the status must be “paid” or “rejected”, not “maybe”." in page
    assert page.count('href="#id_results"') == 3  # the summary links each one to the field
    # The good first line was not applied either.
    assert set(Payment.objects.filter(bank="KAPIAZ2X").values_list("status", flat=True)) == {
        PaymentStatus.EXPORTED
    }


def test_it_lists_the_first_bad_lines_of_a_wrong_file(preparer: User) -> None:
    upload = results_file([("DOST-1", "nonsense", "")] * (MAX_LINE_ERRORS + 7))
    response = signed_in(preparer).post(reverse("benefits:results"), {"results": upload})
    assert response.status_code == 400
    page = response.content.decode()
    # Each message twice: in the error summary and beside the field.
    assert page.count("not “nonsense”") == 2 * MAX_LINE_ERRORS
    assert "7 more lines are wrong." in page


def test_it_refuses_a_file_that_is_not_a_results_csv(preparer: User) -> None:
    client = signed_in(preparer)
    wrong_columns = SimpleUploadedFile("x.csv", b"id,state\n1,paid\n")
    page = client.post(reverse("benefits:results"), {"results": wrong_columns}).content.decode()
    assert "The results file must have the columns: end_to_end_id, status, reason." in page
    binary = SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\xff")
    page = client.post(reverse("benefits:results"), {"results": binary}).content.decode()
    assert "The file must be a CSV text file in UTF-8." in page
    page = client.post(reverse("benefits:results"), {}).content.decode()
    assert "Choose the bank&#x27;s results file." in page


def test_it_reconciles_a_banks_answer(approved_run: PayrollRun, preparer: User) -> None:
    client = signed_in(preparer)
    client.post(reverse("benefits:bank_file", args=[PERIOD, "KAPIAZ2X", "csv"]))
    first, second = Payment.objects.filter(bank="KAPIAZ2X").order_by("id")
    upload = results_file(
        [
            (f"DOST-{first.pk}", "paid", ""),
            (f"DOST-{second.pk}", "rejected", "account closed"),
            ("DOST-999999", "paid", ""),
        ]
    )
    response = client.post(reverse("benefits:results"), {"results": upload})
    assert response.status_code == 200
    rec = response.context["reconciliation"]
    assert (rec.paid, rec.rejected, rec.unknown) == (1, 1, ["DOST-999999"])
    page = response.content.decode()
    assert 'data-testid="reconciliation"' in page and "DOST-999999" in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (PaymentStatus.PAID, PaymentStatus.REJECTED)
    assert second.rejection_reason == "account closed"


def test_the_list_of_runs_costs_the_same_queries_for_more_runs(
    awards: None, preparer: User, approver: User, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(preparer)
    for period in ("2026-01", "2026-02", "2026-03"):
        prepare(client, period)
    signed_in(approver).post(reverse("benefits:approve", args=["2026-01"]))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("benefits:runs"))
    page = response.content.decode()
    assert page.count('href="/payroll/runs/') == 3
    assert "payroll2" in page


def test_it_queues_a_large_payroll_for_the_worker(
    awards: None, preparer: User, settings: Any
) -> None:
    from django.tasks import default_task_backend

    from dost.benefits.tasks import payroll_prepare_task

    settings.DOST_PAYROLL_INLINE_MAX_AWARDS = 2  # the fixture has three active awards
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = prepare(signed_in(preparer))
    assert response.redirect_chain[-1][0] == reverse("benefits:runs")
    assert any("is being prepared in the background" in note for note in notes(response))
    assert not PayrollRun.objects.exists()
    queued = default_task_backend.results  # type: ignore[attr-defined]
    assert [(r.task.func, r.args) for r in queued] == [
        (payroll_prepare_task.func, [PERIOD, preparer.pk])
    ]

    # The worker runs it (twice: a retried task creates nothing more).
    assert payroll_prepare_task.call(PERIOD, preparer.pk)["created"] == 3
    assert payroll_prepare_task.call(PERIOD, preparer.pk)["created"] == 0
    run = PayrollRun.objects.get(period=PERIOD)
    assert (run.status, run.sign_off.prepared_by_id) == (RunStatus.COMPLETE, preparer.pk)


def test_it_refuses_to_queue_an_approved_month(
    approved_run: PayrollRun, preparer: User, settings: Any
) -> None:
    settings.DOST_PAYROLL_INLINE_MAX_AWARDS = 0
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    response = signed_in(preparer).post(reverse("benefits:prepare"), {"period": PERIOD})
    assert response.status_code == 400
    assert "is approved and frozen" in response.content.decode()
    assert default_task_backend.results == []  # type: ignore[attr-defined]
