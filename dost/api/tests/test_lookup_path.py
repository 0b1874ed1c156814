"""The look-up's fast path: a shorter middleware stack for /api/, and the audit records of a read
written with the call-log row, in one commit, before the answer leaves."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import Client

from dost.api import calls
from dost.api.middleware import BROWSER_ONLY, api_middleware
from dost.api.models import ApiCall
from dost.audit.models import AccessRecord, Channel
from dost.audit.services import access_records_statement
from dost.registry.tests.factories import PersonFactory

URL = "/api/v1/persons/5ZJ8K2L"


def test_the_api_stack_drops_only_the_browser_middleware(settings):
    kept = api_middleware()
    assert not set(kept) & BROWSER_ONLY
    assert kept == [
        m for m in settings.MIDDLEWARE if m not in BROWSER_ONLY and "ApiMiddleware" not in m
    ]
    for header_middleware in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "django.middleware.locale.LocaleMiddleware",
    ):
        assert header_middleware in kept


@pytest.mark.django_db
def test_an_api_call_keeps_the_security_headers_without_session_or_user(make_caller):
    PersonFactory(personal_id="5ZJ8K2L")
    bank = make_caller("bank", scopes=["persons:read"])
    response = bank.get(URL)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Set-Cookie" not in response and not response.cookies
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "user")

    page = Client().get("/")  # the rest of the site keeps the whole stack
    assert hasattr(page.wsgi_request, "session") and hasattr(page.wsgi_request, "user")
    assert page["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_api_problems_still_follow_the_callers_language(make_caller):
    bank = make_caller("bank", scopes=["persons:read"])
    english = bank.get("/api/v1/persons/NOBODY1", headers={"Accept-Language": "en"})
    russian = bank.get("/api/v1/persons/NOBODY1", headers={"Accept-Language": "ru"})
    assert english.status_code == russian.status_code == 404
    assert english.json()["detail"] == "No person with this personal ID is in the registry."
    assert russian.json()["detail"] == "В реестре нет человека с таким личным номером."
    assert russian["Content-Language"] == "ru"


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_log_cannot_be_written_is_not_answered_nor_half_logged(
    make_caller, monkeypatch
):
    # A real commit per statement (no test transaction around it), as in production.
    PersonFactory(personal_id="5ZJ8K2L", last_name="Hidden")
    bank = make_caller("bank", scopes=["persons:read"])
    # The call-log half of the write fails in the database, after the audit half was sent.
    monkeypatch.setattr(calls, "_insert_sql", lambda vendor: "INSERT INTO nowhere VALUES (%s)")
    response = bank.get(URL)
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert "Hidden" not in response.content.decode()
    assert not AccessRecord.objects.exists() and not ApiCall.objects.exists()

    monkeypatch.undo()
    assert bank.get(URL).status_code == 200
    assert AccessRecord.objects.count() == 1 and ApiCall.objects.count() == 1


@pytest.mark.django_db
def test_an_audit_write_outside_a_logged_call_is_written_at_once():
    PersonFactory(personal_id="5ZJ8K2L")
    request = HttpRequest()  # never opened by the call log (dost.api.urls)
    assert calls.call_writes_pending(request) == []
    calls.call_write(
        request,
        access_records_statement(
            personal_ids=["5ZJ8K2L"],
            what="api person",
            purpose="test",
            channel=Channel.API,
        ),
    )
    assert AccessRecord.objects.get().purpose == "test"
