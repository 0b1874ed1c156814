"""The start page, the demo's local sign-in and the citizen-only rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.portal.services import MSG_UNKNOWN_PERSONAL_ID
from dost.security.models import CitizenLink

from .conftest import World


def english() -> Client:
    return Client(headers={"accept-language": "en"})


def test_it_shows_the_start_page_to_anyone_with_links_to_the_tools(db: None) -> None:
    response = english().get(reverse("portal:start"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/portal/tools/screener/"' in html and 'href="/portal/tools/pension/"' in html
    assert reverse("portal:login") in html


def test_it_sends_a_visitor_who_is_not_signed_in_to_the_portal_sign_in(db: None) -> None:
    response = english().get(reverse("portal:cabinet"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_it_refuses_the_cabinet_to_a_staff_user_who_is_not_a_citizen(world: World) -> None:
    client = english()
    client.force_login(User.objects.create_user("clerk", is_staff=True))
    assert client.get(reverse("portal:cabinet")).status_code == 403


def test_it_signs_a_demo_citizen_in_by_personal_id_and_links_them(world: World) -> None:
    other = world.other
    client = english()
    page = client.get(reverse("portal:login"))
    assert other.personal_id in page.content.decode()  # listed among the demo citizens
    response = client.post(reverse("portal:login"), {"personal_id": other.personal_id.lower()})
    assert response.status_code == 302 and response["Location"] == reverse("portal:cabinet")
    link = CitizenLink.objects.get(person=other)
    assert not link.user.has_usable_password() and not link.user.is_staff
    assert other.full_name in client.get(reverse("portal:cabinet")).content.decode()
    # Signing in again reuses the same user.
    english().post(reverse("portal:login"), {"personal_id": other.personal_id})
    assert CitizenLink.objects.filter(person=other).count() == 1


def test_it_refuses_an_unknown_personal_id_with_a_message_linked_to_the_field(
    world: World,
) -> None:
    response = english().post(reverse("portal:login"), {"personal_id": "ZZZZZZZ"})
    html = response.content.decode()
    assert response.status_code == 200
    assert str(MSG_UNKNOWN_PERSONAL_ID) in html
    assert 'href="#id_personal_id"' in html
    bad = english().post(reverse("portal:login"), {"personal_id": "abc"}).content.decode()
    assert "A FIN has exactly 7 characters" in bad


def test_it_has_no_local_sign_in_in_production(world: World, settings: Any) -> None:
    settings.DOST_DEMO_CITIZEN_SIGN_IN = False
    client = english()
    page = client.get(reverse("portal:login")).content.decode()
    assert world.other.personal_id not in page and 'name="personal_id"' not in page
    response = client.post(reverse("portal:login"), {"personal_id": world.other.personal_id})
    assert response.status_code == 404
    assert not CitizenLink.objects.filter(person=world.other).exists()


def test_it_signs_out_with_a_post(citizen_client: Client) -> None:
    response = citizen_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert citizen_client.get(reverse("portal:cabinet")).status_code == 302


@pytest.mark.parametrize("language", ["az", "uz", "ru"])
def test_it_translates_the_sign_in_page(db: None, language: str) -> None:
    client = Client(headers={"accept-language": language})
    html = client.get(reverse("portal:login")).content.decode()
    assert f'<html lang="{language}">' in html
    assert "Sign in to the citizen portal" not in html
