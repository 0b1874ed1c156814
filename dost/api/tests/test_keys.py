from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dost.api.keys import (
    client_create,
    client_scopes_set,
    key_authenticate,
    key_digest,
    key_issue,
    key_revoke,
    key_rotate,
)
from dost.api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_it_stores_only_the_digest_of_a_key():
    client = client_create(name="bank", sender="bank", scopes=["persons:read"])
    issued = key_issue(client=client)
    row = ApiKey.objects.get()
    assert issued.key not in (row.digest, row.prefix)
    assert row.digest == key_digest(issued.key) and len(row.digest) == 64
    assert key_authenticate(issued.key) == client
    assert key_authenticate(issued.key + "x") is None
    assert key_authenticate("garbage") is None


def test_it_stops_accepting_a_revoked_key_and_an_inactive_client():
    client = client_create(name="bank", sender="bank", scopes=[])
    first, second = key_issue(client=client), key_issue(client=client)
    key_revoke(key=first.row)
    assert key_authenticate(first.key) is None
    assert key_authenticate(second.key) == client
    client.is_active = False
    client.save()
    assert key_authenticate(second.key) is None


def test_it_hands_back_the_client_with_its_scopes_as_they_are_now():
    client = client_create(name="bank", sender="bank-s", scopes=["persons:read"],
                           rate_limit_per_minute=42)
    issued = key_issue(client=client)
    found = key_authenticate(issued.key)
    assert found is not None
    assert (found.pk, found.name, found.sender, found.scopes, found.rate_limit_per_minute,
            found.is_active) == (client.pk, "bank", "bank-s", ["persons:read"], 42, True)
    client_scopes_set(client=client, scopes=["persons:read", "households:read"])
    again = key_authenticate(issued.key)
    assert again is not None and again.scopes == ["households:read", "persons:read"]


def test_it_rotates_with_an_overlap_then_the_old_key_expires(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    client = client_create(name="bank", sender="bank", scopes=[])
    old = key_issue(client=client)
    new = key_rotate(key=old.row, overlap=dt.timedelta(days=7))
    assert key_authenticate(old.key) == client and key_authenticate(new.key) == client
    time_machine.move_to(timezone.now() + dt.timedelta(days=7, seconds=1))
    assert key_authenticate(old.key) is None
    assert key_authenticate(new.key) == client


def test_it_refuses_unknown_scopes():
    with pytest.raises(ValidationError):
        client_create(name="bank", sender="bank", scopes=["payments:steal"])
