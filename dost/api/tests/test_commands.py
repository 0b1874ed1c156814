from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from dost.api.keys import key_authenticate
from dost.api.models import ApiClient, ApiKey

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("api_clients", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_client_whose_printed_key_works_then_revokes_it():
    out = _run("create", "Kapital Bank", "--sender", "kapital-bank",
               "--scopes", "persons:read,decisions:read")
    key = out.rsplit(" ", 1)[-1].strip()
    client = ApiClient.objects.get(name="Kapital Bank")
    assert client.scopes == ["decisions:read", "persons:read"]
    assert key_authenticate(key) == client
    _run("revoke-key", ApiKey.objects.get().prefix)
    assert key_authenticate(key) is None
    assert "revoked" in _run("list")


def test_it_refuses_unknown_scopes_with_a_message():
    with pytest.raises(CommandError, match="Unknown scopes"):
        _run("create", "x", "--sender", "x", "--scopes", "everything")


def test_it_writes_the_openapi_document_it_serves():
    out = StringIO()
    call_command("api_openapi", stdout=out)
    assert '"openapi": "3.1' in out.getvalue()
