from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders

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


def test_it_serves_the_swagger_page_with_our_own_scripts_under_the_csp(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs, _ in scripts]
    # Every script is a file of ours, except the settings, a JSON data block CSP does not run.
    assert [m.group(1) for m in sources if m] == [
        "/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js",
    ]
    [(attrs, body)] = [
        (attrs, body) for (attrs, body), m in zip(scripts, sources, strict=True) if not m
    ]
    assert 'type="application/json"' in attrs
    assert json.loads(body)["url"] == "/api/v1/openapi.json"
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), f"{name} is not among the static files"
