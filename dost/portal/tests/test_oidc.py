"""Citizen sign-in through OpenID Connect against a real provider served over HTTP in-process:
an RSA key generated for the test, its JWKS, an authorization endpoint that hands out codes, a
token endpoint that signs ID tokens (RS256) and a userinfo endpoint carrying the personal ID."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from dost.portal.services import MSG_UNKNOWN_PERSONAL_ID
from dost.security.models import CitizenLink

from .conftest import World

CLIENT_ID = "dost-portal"
CLAIM = "pin"


@dataclass
class Provider:
    url: str
    key: Any
    personal_id: str = ""
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: list[dict[str, list[str]]] = field(default_factory=list)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
    jwk.update(kid="test-key", alg="RS256", use="sig")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep the test output clean
            pass

        def _json(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                code = secrets.token_urlsafe(8)
                provider.codes[code] = query
                self.send_response(302)
                self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                    {"code": code, "state": query["state"]}))
                self.end_headers()
            elif url.path == "/jwks":
                self._json({"keys": [jwk]})
            elif url.path == "/userinfo":
                assert self.headers["Authorization"] == "Bearer access-token"
                self._json({"sub": "eid-subject", CLAIM: provider.personal_id})
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            form = parse_qs(self.rfile.read(length).decode())
            provider.token_requests.append(form)
            request = provider.codes.pop(form["code"][0])
            now = int(time.time())
            id_token = jwt.encode(
                {"iss": provider.url, "sub": "eid-subject", "aud": CLIENT_ID, "iat": now,
                 "exp": now + 300, "nonce": request["nonce"]},
                provider.key, algorithm="RS256", headers={"kid": "test-key"},
            )
            self._json({"access_token": "access-token", "token_type": "Bearer",
                        "id_token": id_token, "expires_in": 300})

    return Handler


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    url = f"http://127.0.0.1:{server.server_port}"
    found = Provider(url=url, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    server.RequestHandlerClass = _handler(found)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "client-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = url + "/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = url + "/token"
    settings.OIDC_OP_USER_ENDPOINT = url + "/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = url + "/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.DOST_OIDC_PERSONAL_ID_CLAIM = CLAIM
    settings.DOST_OIDC_ENABLED = True
    yield found
    server.shutdown()
    server.server_close()


def _sign_in(client: Client, provider: Provider) -> Any:
    """The browser's round trip: portal → provider's authorization endpoint → callback."""
    import requests

    start = client.get(reverse("portal:oidc_authenticate"))
    assert start.status_code == 302 and start["Location"].startswith(provider.url + "/authorize")
    back = requests.get(start["Location"], allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])
    assert callback.path == reverse("portal:oidc_callback")
    return client.get(callback.path + "?" + callback.query)


def test_it_signs_a_citizen_in_through_the_eid_and_links_the_registry_person(
    world: World, provider: Provider,
) -> None:
    provider.personal_id = world.other.personal_id
    client = Client(headers={"accept-language": "en"})
    login_page = client.get(reverse("portal:login")).content.decode()
    assert reverse("portal:oidc_authenticate") in login_page
    response = _sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == reverse("portal:cabinet")
    link = CitizenLink.objects.select_related("user").get(person=world.other)
    assert not link.user.is_staff and not link.user.has_usable_password()
    cabinet = client.get(reverse("portal:cabinet"))
    assert cabinet.status_code == 200 and world.other.full_name in cabinet.content.decode()
    assert provider.token_requests[0]["client_id"] == [CLIENT_ID]
    # A second sign-in finds the same user.
    _sign_in(Client(), provider)
    assert CitizenLink.objects.filter(person=world.other).count() == 1


def test_it_refuses_a_personal_id_the_registry_does_not_know(
    world: World, provider: Provider,
) -> None:
    provider.personal_id = "ZZZZZZZ"
    client = Client(headers={"accept-language": "en"})
    response = _sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == reverse("portal:login")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(MSG_UNKNOWN_PERSONAL_ID)]
    assert client.get(reverse("portal:cabinet")).status_code == 302  # not signed in
    assert not CitizenLink.objects.exclude(person=world.citizen).exists()


def test_it_has_no_eid_route_while_oidc_is_off(db: None, settings: Any) -> None:
    settings.DOST_OIDC_ENABLED = False
    assert Client().get(reverse("portal:oidc_authenticate")).status_code == 404
