from __future__ import annotations

import json

import pytest

from dost.api.openapi import COMMITTED, openapi_text

pytestmark = pytest.mark.django_db

REGENERATE = ".venv/bin/dost api_openapi --write"


def test_it_serves_an_openapi_3_1_document_equal_to_the_committed_one(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["openapi"].startswith("3.1")
    assert json.loads(openapi_text()) == served
    assert COMMITTED.read_text() == openapi_text(), f"docs/openapi.json is stale: {REGENERATE}"


def test_it_documents_bearer_auth_and_the_purpose_header(client):
    served = client.get("/api/v1/openapi.json").json()
    assert served["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    params = served["paths"]["/api/v1/persons/{personal_id}"]["get"]["parameters"]
    assert any(p["name"] == "X-Purpose" and p["required"] for p in params)
