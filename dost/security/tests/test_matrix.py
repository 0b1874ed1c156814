"""The permission matrix: generated from the URL configuration, current in docs/security.md,
and true — every route is requested by a user of every role and answers as the matrix says."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern
from django.urls.resolvers import RegexPattern

from dost.api.keys import SCOPES, client_create, key_issue
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory, fin_for
from dost.security.matrix import (
    ALLOWED,
    ANONYMOUS,
    COLUMNS,
    FORBIDDEN,
    SIGN_IN,
    Route,
    docs_with_matrix,
    missing_rules,
    routes,
)
from dost.security.models import CitizenLink
from dost.security.roles import Role
from dost.security.testing import client_login_verified, staff_user

pytestmark = pytest.mark.django_db

DUMMY = {"int": "999999", "str": "nothing-here", "slug": "nothing-here", "path": "nothing-here",
         "uuid": "00000000-0000-0000-0000-000000000000"}


def url_of(route: Route) -> str:
    """The route with dummy values for its parameters: objects that do not exist, so an
    allowed user may get 404 but never 403."""
    pattern = route.pattern.pattern
    text = route.route
    if isinstance(pattern, RegexPattern) or "(?P<" in text:
        text = re.sub(r"\(\?P<\w+>[^)]*\)", "nothing-here", text).replace("^", "").replace("$", "")
    text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: DUMMY.get(m.group(1) or "str", "x"), text)
    return "/" + text


def request(client: Client, url: str) -> Any:
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response


def users() -> dict[str, User | None]:
    made: dict[str, User | None] = {ANONYMOUS: None}
    for role in Role:
        if role == Role.API_CLIENT:
            continue
        if role == Role.CITIZEN:
            citizen = User.objects.create_user("citizen-1")
            person = cast(Person, PersonFactory(personal_id=fin_for(1)))
            CitizenLink.objects.create(user=citizen, person=person)
            made[role.value] = citizen
        else:
            made[role.value] = staff_user(role)
    return made


def is_sign_in(response: Any) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def check(route: Route, column: str, response: Any) -> str | None:
    """None if the answer matches the matrix, else what is wrong."""
    expected = route.outcome(column)
    status = response.status_code
    if route.kind in ("public", "allowed"):
        # No rule of ours: the view decides (a sign-out redirects, the SMS gateway checks
        # its own token); it must only answer.
        return None if status < 500 else f"public route failed with {status}"
    if route.kind == "staff-2fa-step" and expected == ALLOWED:
        return None if status != 403 and not is_sign_in(response) else f"got {status}"
    if expected == SIGN_IN and not is_sign_in(response):
        return f"expected a sign-in redirect, got {status} {response.get('Location', '')}"
    if expected == FORBIDDEN and status != 403:
        return f"expected 403, got {status}"
    if expected == ALLOWED and (status == 403 or is_sign_in(response)
                                or "/accounts/2fa/" in response.get("Location", "")):
        return f"expected access, got {status} {response.get('Location', '')}"
    return None


def test_it_finds_an_access_rule_on_every_route() -> None:
    assert [f"/{r.route} ({r.name})" for r in missing_rules()] == []


def test_it_keeps_the_matrix_in_docs_current() -> None:
    from dost.security.management.commands.security import DOCS

    text = DOCS.read_text(encoding="utf-8")
    assert docs_with_matrix(text) == text, "run `dost security matrix` and commit docs/security.md"


def test_it_answers_every_route_for_every_role_as_the_matrix_says() -> None:
    people = users()
    clients = {column: Client(raise_request_exception=False) for column in people}
    wrong: list[str] = []
    web = [r for r in routes() if r.kind not in ("admin", "api", "api-public", "missing")]
    assert len(web) > 20
    for route in web:
        url = url_of(route)
        for column, user in people.items():
            client = clients[column]
            if user is not None:
                # Again before each request: a sign-out route ends the session.
                client_login_verified(client, user) if user.is_staff else client.force_login(user)
            problem = check(route, column, request(client, url))
            if problem:
                wrong.append(f"{url} as {column}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_it_sends_everyone_but_staff_to_the_admin_sign_in() -> None:
    people = users()
    citizen = Client()
    citizen.force_login(people[Role.CITIZEN.value])  # type: ignore[arg-type]
    # The admin's own sign-in and sign-out pages are open to everyone.
    admin_routes = [r for r in routes() if r.kind == "admin"
                    and r.name not in ("admin:login", "admin:logout")]
    assert len(admin_routes) > 50
    wrong = []
    for route in admin_routes:
        url = url_of(route)
        for who, client in (("anonymous", Client()), ("citizen", citizen)):
            response = request(client, url)
            if not (response.status_code in (301, 302) and "login" in response["Location"]):
                wrong.append(f"{url} as {who}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_it_refuses_every_api_route_without_a_key_and_opens_them_with_one() -> None:
    api_routes = [r for r in routes() if r.kind == "api"]
    assert len(api_routes) >= 10
    key = key_issue(client=client_create(name="all", sender="all", scopes=list(SCOPES))).key
    keyed = Client(headers={"Authorization": f"Bearer {key}", "X-Purpose": "matrix test"},
                   raise_request_exception=False)
    wrong = []
    for route in api_routes:
        url = url_of(route)
        if route.pattern.name is None:  # the API's catch-all answers 404 to anyone
            continue
        for method in ("get", "post", "delete"):
            anonymous = getattr(Client(), method)(url)
            if anonymous.status_code == 405:
                continue
            if anonymous.status_code != 401:
                wrong.append(f"{method.upper()} {url} without a key: {anonymous.status_code}")
            with_key = getattr(keyed, method)(url, content_type="application/json") \
                if method == "post" else getattr(keyed, method)(url)
            if with_key.status_code in (401, 403):
                wrong.append(f"{method.upper()} {url} with every scope: {with_key.status_code}")
    assert not wrong, "\n".join(wrong)


def test_it_has_a_column_for_each_role_and_anonymous() -> None:
    assert ["anonymous", *[r.value for r in Role]] == COLUMNS
    assert all(isinstance(r.pattern, URLPattern) for r in routes())
