from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dost.api.keys import client_create, key_issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["apiclient", "apicall", "subscription", "delivery", "exportjob"])
def test_it_lists_the_api_rows_to_an_administrator(client, model):
    api_client = client_create(name="bank", sender="bank", scopes=["persons:read"])
    key_issue(client=api_client)
    client.force_login(User.objects.create_superuser("admin", password="pw-not-secret-123"))
    assert client.get(f"/admin/api/{model}/").status_code == 200
    if model == "apiclient":
        page = client.get(f"/admin/api/apiclient/{api_client.pk}/change/")
        assert page.status_code == 200
        assert api_client.keys.get().prefix in page.content.decode()
