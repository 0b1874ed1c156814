"""Applying through the question pages: answers, uploads (checked), check your answers, the case
opened through the cases service, and the files handed back only to their owner."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dost.cases.models import Case, CaseDocument
from dost.portal.models import Upload
from dost.portal.services import citizen_user_for
from dost.security.uploads import MSG_EMPTY, MSG_TYPE

from .conftest import CERTIFICATE, PDF, PNG, TSSA, World


def _url(name: str, *args: Any) -> str:
    return reverse(f"portal:{name}", args=[CERTIFICATE, *args])


def _png(name: str = "card.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_it_asks_one_thing_per_page_then_opens_a_portal_case(
    world: World, citizen_client: Client,
) -> None:
    c = citizen_client
    start = c.get(_url("apply_start")).content.decode()
    assert "Identity card" in start and _url("apply_for") in start
    # Who is it for: the household's three members are offered.
    page = c.get(_url("apply_for")).content.decode()
    assert page.count('type="radio"') == 3
    response = c.post(_url("apply_for"), {})
    assert 'href="#id_beneficiary_0"' in response.content.decode()
    response = c.post(_url("apply_for"), {"beneficiary": str(world.citizen.pk)})
    assert response["Location"] == _url("apply_notify")
    # How to tell: SMS and e-mail are offered because the registry holds a phone and an e-mail.
    page = c.get(_url("apply_notify")).content.decode()
    assert "+994501234567" in page and "citizen@example.org" in page
    response = c.post(_url("apply_notify"), {"channels": ["portal", "sms"]})
    assert response["Location"] == _url("apply_document", "id_card")
    # The check page sends the citizen back to the first unanswered question.
    assert c.get(_url("apply_check"))["Location"] == _url("apply_document", "id_card")
    response = c.post(_url("apply_document", "id_card"), {"file": _png()})
    assert response["Location"] == _url("apply_check")
    check = c.get(_url("apply_check")).content.decode()
    assert "card.png" in check and world.citizen.full_name in check
    assert _url("apply_notify") + "?change=1" in check
    # Change an answer: back to the check page afterwards.
    response = c.post(_url("apply_notify") + "?change=1", {"channels": ["portal", "email"]})
    assert response["Location"] == _url("apply_check")
    response = c.post(_url("apply_check"), {})
    assert "Confirm that the information is correct." in response.content.decode()
    response = c.post(_url("apply_check"), {"confirm": "on"})
    case = Case.objects.get(applicant=world.citizen)
    assert response["Location"] == reverse("portal:apply_done", args=[case.pk])
    assert case.channel == "portal" and case.notify_channels == ["portal", "email"]
    assert case.submitted_by == world.user and case.beneficiary == world.citizen
    upload = Upload.objects.get(case=case)
    assert CaseDocument.objects.get(case=case, code="id_card").reference == upload.reference
    done = c.get(response["Location"]).content.decode()
    assert case.reference in done and "Application sent" in done


def test_it_refuses_files_that_are_not_pdf_jpeg_or_png_or_too_big(
    world: World, citizen_client: Client, settings: Any,
) -> None:
    settings.DOST_UPLOAD_MAX_BYTES = 1024 * 1024
    url = _url("apply_document", "id_card")
    html = citizen_client.post(url, {"file": _png("x.png", b"<html><script>")}).content.decode()
    assert str(MSG_TYPE) in html and 'href="#id_file"' in html
    big = citizen_client.post(url, {"file": _png("big.pdf", PDF + b"0" * 1024 * 1024)})
    assert "The file is larger than 1.0\xa0MB." in big.content.decode()
    html = citizen_client.post(url, {"file": _png("empty.png", b"")}).content.decode()
    assert str(MSG_EMPTY) in html
    assert not Upload.objects.exists()
    response = citizen_client.post(url, {"file": _png("scan.pdf", PDF)})
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.content_type == "application/pdf" and str(upload.file.name).endswith(".pdf")


def test_it_hands_a_file_back_only_to_its_owner_as_a_download(
    world: World, citizen_client: Client,
) -> None:
    citizen_client.post(_url("apply_document", "id_card"), {"file": _png()})
    upload = Upload.objects.get()
    response = citizen_client.get(reverse("portal:upload", args=[upload.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    stranger = Client()
    stranger.force_login(citizen_user_for(person=world.other),
                         backend="django.contrib.auth.backends.ModelBackend")
    assert stranger.get(reverse("portal:upload", args=[upload.pk])).status_code == 404


def test_it_shows_why_a_second_application_cannot_be_sent(
    world: World, citizen_client: Client,
) -> None:
    c = citizen_client
    for _ in range(2):
        c.post(_url("apply_for"), {"beneficiary": str(world.citizen.pk)})
        c.post(_url("apply_notify"), {"channels": ["portal"]})
        c.post(_url("apply_document", "id_card"), {"file": _png()})
        response = c.post(_url("apply_check"), {"confirm": "on"})
    assert "already has an open application" in response.content.decode()
    assert Case.objects.count() == 1


def test_it_decides_a_rules_service_at_once_and_says_so(
    world: World, citizen_client: Client,
) -> None:
    def url(name: str, *args: Any) -> str:
        return reverse(f"portal:{name}", args=[TSSA, *args])

    c = citizen_client
    c.post(url("apply_for"), {"beneficiary": str(world.citizen.pk)})
    c.post(url("apply_notify"), {"channels": ["portal"]})
    # The application form is the portal itself; a power of attorney is not asked for.
    assert c.get(url("apply_document", "application")).status_code == 404
    assert c.get(url("apply_document", "power_of_attorney")).status_code == 404
    for code in ("family_id_cards", "birth_certificate"):
        c.post(url("apply_document", code), {"file": _png()})
    response = c.post(url("apply_check"), {"confirm": "on"})
    case = Case.objects.get()
    assert set(case.documents.values_list("code", flat=True)) == {
        "application", "family_id_cards", "birth_certificate"}
    done = c.get(response["Location"]).content.decode()
    assert case.status == "decided" and "already been decided" in done
