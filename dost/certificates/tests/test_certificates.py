"""Certificates: issue, download, verify, tamper check, and who may fetch what."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from dost.audit.models import AccessRecord
from dost.benefits.models import Frequency, Payment, PaymentStatus
from dost.benefits.services.awards import award_create
from dost.benefits.services.payroll import payroll_run
from dost.catalog.models import Service
from dost.certificates import selectors
from dost.certificates.models import Certificate, IssuedBy
from dost.certificates.services import MSG_NO_BENEFITS, canonical, certificate_issue, sha256
from dost.registry.models import Household, Membership, Person
from dost.registry.tests.factories import HouseholdFactory, PersonFactory

from .conftest import World, make_staff

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    # pypdf reads the text back through the fonts' ToUnicode maps (a test-only dependency).
    reader = pytest.importorskip("pypdf").PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _issue(client: Client, kind: str, language: str) -> Certificate:
    response = client.post(reverse("certificates:mine"), {"kind": kind, "language": language})
    assert response.status_code == 302, response.content.decode()
    code = response["Location"].rstrip("/").split("/")[-1]
    return Certificate.objects.get(code=code)


def test_it_issues_a_pension_certificate_in_azerbaijani(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "pension", "az")
    response = client.get(reverse("certificates:download", args=[certificate.code]))
    pdf = response.content
    assert response["Content-Type"] == "application/pdf"
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    # Azerbaijani letters survive the font (ə, Ü, ş) and the amount is the award's.
    assert "Məmmədova Ülviyyə Şahin qızı" in text
    assert "5ZKR7QA" in text
    assert "420,00 AZN" in text
    assert certificate.code in text.replace("\n", "")
    assert certificate.pdf_sha256 == sha256(pdf)
    assert certificate.content_sha256 == sha256(canonical(certificate.facts))
    assert certificate.issued_by == IssuedBy.CITIZEN and certificate.language == "az"


def test_it_lists_two_months_of_paid_benefits_in_russian(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "benefits", "ru")
    text = _text(bytes(certificate.pdf))
    assert "Справка о полученных пособиях" in text
    # Two months paid (January and February 2026) of 420.00: 840.00 in total.
    assert [p["period"] for p in certificate.facts["payments"]] == ["2026-01", "2026-02"]
    assert certificate.facts["totals"] == {"AZN": "840.00"}
    assert "840,00 AZN" in text


def test_it_refuses_a_certificate_with_nothing_to_certify(client: Client, world: World) -> None:
    client.force_login(world.other_user)
    response = client.post(reverse("certificates:mine"), {"kind": "benefits", "language": "en"})
    assert response.status_code == 200
    assert str(MSG_NO_BENEFITS) in response.content.decode()
    assert not Certificate.objects.exists()


def test_it_verifies_a_genuine_code_without_personal_details(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "pension", "en")
    client.logout()
    client.cookies["django_language"] = "en"
    html = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "This certificate is genuine" in html
    assert "Ü. M." in html and "••••7QA" in html
    assert "420.00 AZN" in html
    for private in ("Məmmədova", "Ülviyyə", "5ZKR7QA", "1960"):
        assert private not in html


def test_it_says_an_unchanged_file_is_unchanged(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "pension", "en")
    client.cookies["django_language"] = "en"
    upload = io.BytesIO(bytes(certificate.pdf))
    upload.name = "certificate.pdf"
    html = client.post(reverse("certificates:verify", args=[certificate.code]),
                       {"file": upload}).content.decode()
    assert "The file is unchanged" in html


def test_it_says_a_tampered_file_is_changed(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "pension", "en")
    client.cookies["django_language"] = "en"
    tampered = bytes(certificate.pdf).replace(b"420", b"920", 1)
    if tampered == bytes(certificate.pdf):  # the amount is compressed: change one byte instead
        tampered = bytes(certificate.pdf)[:-20] + b"%tampered\n" + bytes(certificate.pdf)[-10:]
    assert tampered != bytes(certificate.pdf)
    upload = io.BytesIO(tampered)
    upload.name = "certificate.pdf"
    html = client.post(reverse("certificates:verify", args=[certificate.code]),
                       {"file": upload}).content.decode()
    assert "The file has been changed" in html
    assert "The file is unchanged" not in html


def test_it_answers_404_for_an_unknown_code(client: Client, world: World) -> None:
    response = client.get(reverse("certificates:verify", args=["not-a-real-code-123456"]))
    assert response.status_code == 404


def test_it_redirects_a_looked_up_code(client: Client, world: World) -> None:
    response = client.get(reverse("certificates:verify_lookup"), {"code": " abc "})
    assert response["Location"] == reverse("certificates:verify", args=["abc"])


def test_a_citizen_cannot_fetch_another_persons_certificate(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    certificate = _issue(client, "pension", "en")
    client.force_login(world.other_user)
    assert client.get(reverse("certificates:download", args=[certificate.code])).status_code == 404
    assert client.get(reverse("certificates:detail", args=[certificate.code])).status_code == 404
    mine = client.get(reverse("certificates:mine")).content.decode()
    assert certificate.code not in mine


def test_it_sends_anonymous_visitors_to_sign_in(client: Client, world: World) -> None:
    response = client.get(reverse("certificates:mine"))
    assert response.status_code == 302


def test_staff_issue_for_a_person_with_an_audit_row(
    client: Client, world: World, settings: Any
) -> None:
    settings.DOST_STAFF_2FA = False  # the TOTP step is dost/security's to test
    officer = make_staff("officer", "certificates.issue_certificate")
    client.force_login(officer)
    response = client.post(reverse("certificates:staff_issue"), {
        "personal_id": "5zkr7qa", "kind": "pension", "language": "uz",
    })
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    certificate = Certificate.objects.get()
    assert certificate.issued_by == IssuedBy.STAFF and certificate.staff_user == officer
    assert "Pensiya" in _text(bytes(certificate.pdf))
    record = AccessRecord.objects.get()
    assert (record.person_id, record.actor_id, record.channel) == (
        world.pensioner.pk, officer.pk, "backoffice")
    assert certificate.code in record.purpose


def test_staff_without_the_permission_are_refused(
    client: Client, world: World, settings: Any
) -> None:
    settings.DOST_STAFF_2FA = False
    client.force_login(make_staff("clerk"))
    response = client.post(reverse("certificates:staff_issue"), {
        "personal_id": "5ZKR7QA", "kind": "pension", "language": "en",
    })
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_a_citizen_is_not_staff(client: Client, world: World) -> None:
    client.force_login(world.citizen)
    assert client.get(reverse("certificates:staff_issue")).status_code == 403


def test_it_masks_the_holder() -> None:
    assert selectors.masked_id("5ZKR7QA") == "••••7QA"
    assert selectors.masked_id("31234567890123") == "•" * 11 + "123"


def test_codes_are_random_and_long(world: World) -> None:
    codes = {
        certificate_issue(person=world.pensioner, kind="pension", language="en",
                          verify_url=lambda c: f"https://dost.example/certificates/verify/{c}/").code
        for _ in range(3)
    }
    assert len(codes) == 3 and all(re.fullmatch(r"[A-Za-z0-9_-]{24}", c) for c in codes)


def test_a_household_head_sees_household_awards(world: World) -> None:
    # TSSA is awarded to the household: its head's certificate lists it, a child's does not.
    tssa = next(s for s in Service.objects.filter(country="az")
                if "tssa_amount" in (s.rule_outputs or ()))
    household = cast(Household, HouseholdFactory())
    child = cast(Person, PersonFactory(birth_date=dt.date(2015, 1, 1)))
    Membership.objects.create(household=household, person=world.other, role="head",
                              joined_on=dt.date(2020, 1, 1))
    Membership.objects.create(household=household, person=child, role="child",
                              joined_on=dt.date(2020, 1, 1))
    award = award_create(service=tssa, household=household, amount=Decimal("700.00"),
                         currency="AZN", frequency=Frequency.MONTHLY, start=dt.date(2026, 3, 1),
                         bank="KAPIAZ2X", account="AZ21KAPI00000000000000000002")
    payroll_run(period="2026-03")
    Payment.objects.filter(award=award).update(status=PaymentStatus.PAID)
    facts = selectors.benefits_facts(person=world.other, today=dt.date(2026, 3, 4))
    assert facts is not None and facts["totals"] == {"AZN": "700.00"}
    assert facts["from"] == "2025-04" and facts["to"] == "2026-03"
    assert selectors.benefits_facts(person=child, today=dt.date(2026, 3, 4)) is None
